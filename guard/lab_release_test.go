//go:build linux

package main

import (
	"os"
	"slices"
	"testing"

	"github.com/netguard/netguard/checks/diagnose"
	"github.com/netguard/netguard/guard/internal/lab"
)

// TestLabReleaseBinary runs guard check in the lab with the binary named by
// $NETGUARD_RELEASE_BINARY, which mage release:snapshot sets to the
// linux/amd64 release build it unpacked, or else with this tree's build:
// a healthy lab passes and a wrong permanent gateway MAC fails with its
// finding. Nothing leaves the lab.
func TestLabReleaseBinary(t *testing.T) {
	lab.RequireRoot(t)
	bin := os.Getenv("NETGUARD_RELEASE_BINARY")
	if bin == "" {
		bin = lab.Build(t)
	}
	l := lab.New(t)
	runUsers(t, l, bin, []string{""}, nil, nil, func(r *labRun) {
		if r.exit != 0 || r.rep == nil || r.rep.Verdict != string(diagnose.Healthy) {
			t.Errorf("healthy lab: %v", r)
		}
	})
	l.WrongGatewayMAC()
	runUsers(t, l, bin, []string{""}, nil, nil, func(r *labRun) {
		var ids []string
		if r.rep != nil {
			for _, f := range r.rep.Findings {
				ids = append(ids, f.ID)
			}
		}
		if r.exit != 1 || !slices.Contains(ids, diagnose.GatewayNeighborStatic.ID) {
			t.Errorf("wrong gateway MAC: findings %q; %v", ids, r)
		}
	})
}
