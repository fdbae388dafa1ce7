package sys

import (
	"context"
	"errors"
	"fmt"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows/registry"
)

var _ netstate.FirewallReader = (*windowsSystem)(nil)

// The Windows Firewall policy stores: the local rules, and those Group
// Policy sets. Both are readable without elevation.
const (
	winFWLocal  = `SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`
	winFWPolicy = `SOFTWARE\Policies\Microsoft\WindowsFirewall`
)

// OutputFilter reads the Windows Firewall's outbound block rules from its
// registry policy store. Filters that programs add through the Windows
// Filtering Platform directly (many VPN clients' kill switches) are not
// there, and are not read.
func (*windowsSystem) OutputFilter(context.Context) netstate.FirewallState {
	fs := netstate.FirewallState{Source: "Windows Firewall policy store"}
	if !windowsFirewallEnabled() {
		fs.Read = netstate.TriYes // off in every profile: no rule applies
		return fs
	}
	values := map[string]string{}
	var errs []error
	for _, base := range []string{winFWLocal, winFWPolicy} {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, base+`\FirewallRules`, registry.QUERY_VALUE)
		if err != nil {
			if !errors.Is(err, registry.ErrNotExist) {
				errs = append(errs, fmt.Errorf("open %s: %w", base, err))
			}
			continue
		}
		names, err := k.ReadValueNames(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", base, err))
		}
		for _, n := range names {
			if v, _, err := k.GetStringValue(n); err == nil {
				values[n] = v
			}
		}
		k.Close()
	}
	if len(values) == 0 && len(errs) > 0 {
		fs.Read, fs.Err = netstate.TriNo, errors.Join(errs...)
		return fs
	}
	fs.Read = netstate.TriYes
	fs.Chains = []netstate.FWChain{windowsFirewallChain(values)}
	return fs
}

// windowsFirewallEnabled reports whether any profile has the firewall on
// (EnableFirewall); unreadable counts as on.
func windowsFirewallEnabled() bool {
	for _, p := range []string{"DomainProfile", "StandardProfile", "PublicProfile"} {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, winFWLocal+`\`+p, registry.QUERY_VALUE)
		if err != nil {
			return true
		}
		v, _, err := k.GetIntegerValue("EnableFirewall")
		k.Close()
		if err != nil || v != 0 {
			return true
		}
	}
	return false
}
