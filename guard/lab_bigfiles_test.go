//go:build linux

package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabBigResolverFiles checks that the size of resolv.conf or the hosts
// file never decides a verdict. The resolver uses the first three name servers
// whatever follows; a huge hosts file, or one very long line before the
// localhost line, is still read for what it says about localhost.
func TestLabBigResolverFiles(t *testing.T) {
	lab.RequireRoot(t)
	bin := lab.Build(t)
	t.Parallel()
	var many strings.Builder
	many.WriteString("nameserver " + lab.ExternalIP + "\nnameserver " + lab.ExternalIP6 + "\nnameserver " + lab.ExternalIP + "\n")
	for i := range 2998 {
		// Documentation addresses nobody answers: the resolver never
		// gets past the first three.
		fmt.Fprintf(&many, "nameserver 192.0.2.%d\n", 1+i%250)
	}
	var big strings.Builder
	for i := range 120000 {
		fmt.Fprintf(&big, "10.%d.%d.%d host-%d.example.internal alias-%d\n", i>>16&255, i>>8&255, i&255, i, i)
	}
	local := "127.0.0.1 localhost\n::1 localhost\n"
	for _, sc := range []struct {
		name  string
		setup func(*lab.Lab)
	}{
		{"3001-name-servers", func(l *lab.Lab) { l.SetResolvConf(many.String()) }},
		{"6.5MB-hosts", func(l *lab.Lab) { l.SetHosts(big.String()+local, 0) }},
		{"3MiB-line", func(l *lab.Lab) {
			l.SetHosts("10.0.0.1 "+strings.Repeat("a", 3<<20)+"\n"+local, 0)
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			l := lab.New(t)
			sc.setup(l)
			runUsers(t, l, bin, []string{"", "nobody"}, nil, nil, func(r *labRun) {
				if r.exit != 0 || r.rep == nil || r.rep.Verdict != "healthy" {
					t.Errorf("want healthy, exit 0; got %v", r)
				}
			})
		})
	}
}
