//go:build windows

package probe

import (
	"errors"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows/registry"
)

// The NRPT's registry stores, under HKLM; see nrpt.go.
const (
	nrptPolicyStore = `SOFTWARE\Policies\Microsoft\Windows NT\DNSClient\DnsPolicyConfig`
	nrptLocalStore  = `SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\DnsPolicyConfig`
)

// readNRPT reads the NRPT rules in effect from the registry, which any
// user may read. A store that does not exist (no rules, or Wine) holds
// no rules; one that cannot be read is left out, as the DNS client's
// view then stays the adapters' servers.
func readNRPT() []netstate.ScopedResolver {
	policy, policyExists := readNRPTStore(nrptPolicyStore)
	var local []nrptRule
	if !policyExists {
		local, _ = readNRPTStore(nrptLocalStore)
	}
	return nrptScopes(policyExists, policy, local)
}

// readNRPTStore reads the rule keys under base, the first maxNRPTRules;
// exists is false only when base does not exist. A Group Policy store
// that exists but cannot be read still sets the local rules aside, so it
// claims no name rather than the wrong ones.
func readNRPTStore(base string) (rules []nrptRule, exists bool) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, base, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return nil, !errors.Is(err, registry.ErrNotExist)
	}
	defer k.Close()
	ids, err := k.ReadSubKeyNames(maxNRPTRules)
	if err != nil && len(ids) == 0 {
		return nil, true
	}
	for _, id := range ids {
		rk, err := registry.OpenKey(k, id, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		v := map[string]any{}
		if s, _, err := rk.GetStringsValue("Name"); err == nil {
			v["Name"] = s
		}
		if s, _, err := rk.GetStringValue("GenericDNSServers"); err == nil {
			v["GenericDNSServers"] = s
		}
		if n, _, err := rk.GetIntegerValue("ConfigOptions"); err == nil && n <= 0xffffffff {
			v["ConfigOptions"] = uint32(n)
		}
		rk.Close()
		rules = append(rules, nrptRule{ID: id, Values: v})
	}
	return rules, true
}
