package firewall

import (
	"strings"
	"testing"
)

// FuzzDecodePFIocRule: whatever the kernel writes into a pfioc_rule, the
// decoder, the mapping and the rendering return without panicking, and a
// rule they map keeps its text.
func FuzzDecodePFIocRule(f *testing.F) {
	f.Add(pfBlock443())
	f.Add(pfPassTunnel())
	f.Add(pfAnchorApple())
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < pfIocRuleSize {
			// Short inputs are padded so the fuzzer explores the fields,
			// and the short buffer itself must be refused.
			if _, err := decodePFIocRule(b); err == nil {
				t.Fatal("short buffer decoded")
			}
			b = append(b, make([]byte, pfIocRuleSize-len(b))...)
		}
		r, err := decodePFIocRule(b)
		if err != nil {
			t.Fatal(err)
		}
		fw, ok := pfFWRule(&r)
		if ok && fw.Text == "" {
			t.Fatal("a mapped rule without text")
		}
		c := pfOutputChain(pfRuleset{Rules: []pfRule{r}})
		if len(c.Rules) > 2 {
			t.Fatalf("one rule became %d", len(c.Rules))
		}
		if p, _ := pfResolveAnchor("a/b", r.AnchorCall); strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			t.Fatalf("anchor %q resolved to %q", r.AnchorCall, p)
		}
	})
}
