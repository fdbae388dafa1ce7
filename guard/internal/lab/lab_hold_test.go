//go:build linux && labhold

package lab

import (
	"os"
	"os/signal"
	"strings"
	"testing"
	"time"
)

// TestLabHold keeps a lab up for trials by hand, built only with the
// labhold tag:
//
//	NETGUARD_LAB_HOLD=5m NETGUARD_LAB_FAULTS=WrongGatewayMAC \
//	    go test -tags labhold -run TestLabHold -v ./guard/internal/lab
//
// then, from another shell, `ip netns exec <client> ...` with the names it
// logs. It ends after the hold time (default 5 minutes; past 10, add
// -timeout 0) or on Ctrl-C, and tears the lab down.
func TestLabHold(t *testing.T) {
	hold := 5 * time.Minute
	if v := os.Getenv("NETGUARD_LAB_HOLD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("NETGUARD_LAB_HOLD: %v", err)
		}
		hold = d
	}
	l := New(t)
	faults := map[string]func(){
		"WrongGatewayMAC": l.WrongGatewayMAC, "StaleGatewayMAC": l.StaleGatewayMAC,
		"UnreachableRouteToGateway": l.UnreachableRouteToGateway, "RemoveDefaultRoute": l.RemoveDefaultRoute,
		"LinkDown": l.LinkDown, "StopDNS": l.StopDNS, "DisableUnprivICMP": l.DisableUnprivICMP,
		"DropICMP": l.DropICMP, "DropTCP": l.DropTCP, "PacketLoss30": func() { l.PacketLoss(30) },
		"BlackholeExternal": l.BlackholeExternal,
	}
	for _, f := range strings.FieldsFunc(os.Getenv("NETGUARD_LAB_FAULTS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		fn, ok := faults[f]
		if !ok {
			t.Fatalf("NETGUARD_LAB_FAULTS: unknown fault %q", f)
		}
		fn()
	}
	t.Logf("lab %s up for %v: client %s, router %s, internet %s; try: ip netns exec %s ping -c1 %s",
		l.Prefix, hold, l.Client, l.Router, l.Internet, l.Client, ExternalIP)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	select {
	case <-time.After(hold):
	case <-sig:
	}
}
