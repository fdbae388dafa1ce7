package sys

import (
	"context"
	"errors"
	"fmt"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows/registry"
)

var _ netstate.FirewallReader = (*windowsSystem)(nil)

// The Windows Firewall policy stores: the local rules and settings, and
// those Group Policy sets; and the networks Windows knows, with their
// category. All are readable without elevation.
const (
	winFWLocal       = `SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`
	winFWPolicy      = `SOFTWARE\Policies\Microsoft\WindowsFirewall`
	winNetworkLists  = `SOFTWARE\Microsoft\Windows NT\CurrentVersion\NetworkList\Profiles`
	winFWStoreSource = "Windows Firewall policy store"
)

// OutputFilter reads Windows Firewall's outbound rules, default outbound
// action and state per profile from its registry policy stores.
//
// As administrator the filters programs add through the Windows Filtering
// Platform directly (VPN kill switches, security agents) are read too and
// come first: a hard permit there overrides Windows Firewall's blocks.
// Without elevation they are not readable, and Partial says so.
func (*windowsSystem) OutputFilter(ctx context.Context) netstate.FirewallState {
	fs := netstate.FirewallState{Source: winFWStoreSource}
	in := windowsFirewallInput{Local: map[string]string{}, Policy: map[string]string{}}
	var errs []error
	local := winRegDWORDs(winFWLocal, []string{"DomainProfile", "StandardProfile", "PublicProfile"}, []string{"EnableFirewall", "DefaultOutboundAction"})
	policy := winRegDWORDs(winFWPolicy, []string{"DomainProfile", "PrivateProfile", "PublicProfile"}, []string{"EnableFirewall", "DefaultOutboundAction", "AllowLocalPolicyMerge"})
	in.Profiles = windowsFWProfiles(local, policy)
	in.Candidates = windowsCandidateProfiles(winNetworkCategories())
	for _, st := range []struct {
		base string
		into map[string]string
	}{{winFWLocal, in.Local}, {winFWPolicy, in.Policy}} {
		if err := winRegStrings(st.base+`\FirewallRules`, st.into); err != nil {
			errs = append(errs, err)
		}
	}
	if len(in.Local) == 0 && len(in.Policy) == 0 && len(errs) > 0 {
		fs.Read, fs.Err = netstate.TriNo, errors.Join(errs...)
		return fs
	}
	fs.Read = netstate.TriYes
	wfp, err := wfpFilters(ctx)
	if err != nil {
		fs.Partial = fmt.Errorf("WFP filters: %w", err)
	}
	if len(wfp) > 0 {
		fs.Source += " and WFP filters"
	}
	fs.Chains = wfp
	if c, ok := windowsFirewallChain(in); ok {
		fs.Chains = append(fs.Chains, c)
	}
	return fs
}

// winRegDWORDs reads the named DWORD values of each subkey of base;
// a key or value that is not there is left out.
func winRegDWORDs(base string, subkeys, names []string) map[string]map[string]uint64 {
	out := map[string]map[string]uint64{}
	for _, sk := range subkeys {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, base+`\`+sk, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		vals := map[string]uint64{}
		for _, n := range names {
			if v, _, err := k.GetIntegerValue(n); err == nil {
				vals[n] = v
			}
		}
		k.Close()
		out[sk] = vals
	}
	return out
}

// winRegStrings reads every string value of key into into; a key that is
// not there is no error.
func winRegStrings(key string, into map[string]string) error {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, key, registry.QUERY_VALUE)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open %s: %w", key, err)
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	for _, n := range names {
		if v, _, err := k.GetStringValue(n); err == nil {
			into[n] = v
		}
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", key, err)
	}
	return nil
}

// winNetworkCategories reads the Category of every network Windows knows.
func winNetworkCategories() []uint64 {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, winNetworkLists, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return nil
	}
	names, _ := k.ReadSubKeyNames(0)
	k.Close()
	var out []uint64
	for _, n := range names {
		sk, err := registry.OpenKey(registry.LOCAL_MACHINE, winNetworkLists+`\`+n, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		if v, _, err := sk.GetIntegerValue("Category"); err == nil {
			out = append(out, v)
		}
		sk.Close()
	}
	return out
}
