package firewall

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows/registry"
)

// Tables is what ReadOutput needs of the OS layer: the routing and
// neighbor tables, as netstate.System reads them.
type Tables interface {
	Routes(ctx context.Context) ([]netstate.Route, error)
	Neighbors(ctx context.Context) ([]netstate.Neighbor, error)
}

// The Windows Firewall policy stores: the local rules and settings, and
// those Group Policy sets; and the networks Windows knows, with their
// category. All are readable without elevation.
const (
	winFWLocal           = `SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`
	winFWPolicy          = `SOFTWARE\Policies\Microsoft\WindowsFirewall`
	winNetworkLists      = `SOFTWARE\Microsoft\Windows NT\CurrentVersion\NetworkList\Profiles`
	winNetworkSignatures = `SOFTWARE\Microsoft\Windows NT\CurrentVersion\NetworkList\Signatures`
	winFWStoreSource     = "Windows Firewall policy store"
)

// ReadOutput reads Windows Firewall's outbound rules, default outbound
// action and state per profile from its registry policy stores.
//
// As administrator the filters programs add through the Windows Filtering
// Platform directly (VPN kill switches, security agents) are read too and
// come first: a hard permit there overrides Windows Firewall's blocks.
// Without elevation (privileged false) they are not readable, and Partial
// says so. tables gives the default gateway's MAC, which tells the
// network, and with it the profile, that applies.
func ReadOutput(ctx context.Context, tables Tables, privileged bool) netstate.FirewallState {
	fs := netstate.FirewallState{Source: winFWStoreSource}
	in := windowsFirewallInput{Local: map[string]string{}, Policy: map[string]string{}}
	var errs []error
	local := winRegDWORDs(winFWLocal, []string{"DomainProfile", "StandardProfile", "PublicProfile"}, []string{"EnableFirewall", "DefaultOutboundAction"})
	policy := winRegDWORDs(winFWPolicy, []string{"DomainProfile", "PrivateProfile", "PublicProfile"}, []string{"EnableFirewall", "DefaultOutboundAction", "AllowLocalPolicyMerge"})
	in.Profiles = windowsFWProfiles(local, policy)
	cats := winNetworkCategories()
	in.Candidates = windowsCandidateProfiles(slices.Collect(maps.Values(cats)))
	if windowsProfilesDiffer(in.Profiles, in.Candidates) {
		// Which profile applies is told by the network behind the default
		// route; read only when the profiles it could be differ.
		if mac := defaultGatewayMAC(ctx, tables); mac != nil {
			if p, ok := windowsGatewayProfile(winNetSignatures(), cats, mac); ok {
				in.Candidates = p
			}
		}
	}
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
	wfp, err := wfpFilters(ctx, privileged)
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

// winNetworkCategories reads the Category of every network Windows knows,
// by profile GUID.
func winNetworkCategories() map[string]uint64 {
	out := map[string]uint64{}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, winNetworkLists, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return out
	}
	names, _ := k.ReadSubKeyNames(0)
	k.Close()
	for _, n := range names {
		sk, err := registry.OpenKey(registry.LOCAL_MACHINE, winNetworkLists+`\`+n, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		if v, _, err := sk.GetIntegerValue("Category"); err == nil {
			out[n] = v
		}
		sk.Close()
	}
	return out
}

// winNetSignatures reads the networks Windows has identified, managed
// and unmanaged, with their profile and default gateway's MAC.
func winNetSignatures() []windowsNetSignature {
	var out []windowsNetSignature
	for _, kind := range []string{"Managed", "Unmanaged"} {
		base := winNetworkSignatures + `\` + kind
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, base, registry.ENUMERATE_SUB_KEYS)
		if err != nil {
			continue
		}
		names, _ := k.ReadSubKeyNames(0)
		k.Close()
		for _, n := range names {
			sk, err := registry.OpenKey(registry.LOCAL_MACHINE, base+`\`+n, registry.QUERY_VALUE)
			if err != nil {
				continue
			}
			g, _, err1 := sk.GetStringValue("ProfileGuid")
			mac, _, err2 := sk.GetBinaryValue("DefaultGatewayMac")
			sk.Close()
			if err1 == nil && err2 == nil {
				out = append(out, windowsNetSignature{ProfileGUID: g, GatewayMAC: mac})
			}
		}
	}
	return out
}

// defaultGatewayMAC is the MAC of the IPv4 default route's gateway (the
// lowest metric), nil when there is none or it is not resolved.
func defaultGatewayMAC(ctx context.Context, tables Tables) []byte {
	routes, err := tables.Routes(ctx)
	if err != nil {
		return nil
	}
	var def *netstate.Route
	for i := range routes {
		r := &routes[i]
		if r.IsDefault() && r.Dst.Addr().Is4() && r.Gateway.IsValid() && (def == nil || r.Metric < def.Metric) {
			def = r
		}
	}
	if def == nil {
		return nil
	}
	neigh, err := tables.Neighbors(ctx)
	if err != nil {
		return nil
	}
	for _, n := range neigh {
		if n.IP == def.Gateway && n.IfIndex == def.IfIndex && len(n.MAC) > 0 {
			return n.MAC
		}
	}
	return nil
}
