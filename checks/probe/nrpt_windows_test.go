//go:build windows

package probe

import (
	"strings"
	"testing"

	"github.com/netguard/netguard/checks/checkstest/wine"
)

// TestReadNRPTLive reads this machine's NRPT, changing nothing: a store
// that does not exist holds no rules and is not in effect, and whatever
// rules exist come out named as a person finds them. Wine has no NRPT, so
// there it reads none.
func TestReadNRPTLive(t *testing.T) {
	if rules, exists := readNRPTStore(`SOFTWARE\netguard-test-absent\DnsPolicyConfig`); rules != nil || exists {
		t.Errorf("an absent store = %v, %v; want no rules, not existing", rules, exists)
	}
	scopes := readNRPT()
	for _, sc := range scopes {
		t.Logf("%s: %q exact=%v exempt=%v servers %v", sc.Source, sc.Domain, sc.Exact, sc.Exempt, sc.Servers)
		if !strings.HasPrefix(sc.Source, "NRPT rule "+sc.Rule+" (") || sc.Rule == "" || sc.Domain == "" || sc.Exempt != (len(sc.Servers) == 0) {
			t.Errorf("rule read as %+v", sc)
		}
	}
	if v, ok := wine.Version(); ok && len(scopes) != 0 {
		t.Errorf("Wine %s: %d NRPT rules read, want none", v, len(scopes))
	}
}
