//go:build mage

// A demo project whose `mage start` checks the network with netguard before it starts the dev server.
package main

import (
	"context"
	"os"
	"os/exec"

	"github.com/magefile/mage/mg"

	//mage:import
	"github.com/netguard/netguard/checks/guardmage"
)

// Start checks the network with netguard, then runs the dev server until it is stopped.
//
// An unhealthy network stops here with exit code 1 and the manual steps;
// the server is not started. NETGUARD_SKIP=1 starts it anyway.
func Start(ctx context.Context) error {
	// CtxDeps, not Deps: only CtxDeps passes on mage -t's deadline.
	mg.CtxDeps(ctx, guardmage.Guard.Check)
	cmd := exec.CommandContext(ctx, mg.GoCmd(), "run", "./devserver")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
