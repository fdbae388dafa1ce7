//go:build linux

package sys

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
)

var (
	_ netstate.ManagerReader   = (*linuxSystem)(nil)
	_ netstate.RepairSupporter = (*linuxSystem)(nil)
)

// managerRoot is where the manager facts are read from: "/" on a
// machine, a directory laid out like one in tests.
var managerRoot = "/"

// managerComms are the kernel's names (/proc/PID/comm, cut at 15 bytes)
// of the managers' daemons.
var managerComms = map[string]netstate.Manager{
	"NetworkManager":  netstate.MgrNetworkManager,
	"systemd-network": netstate.MgrNetworkd, // systemd-networkd
	"systemd-resolve": netstate.MgrResolved, // systemd-resolved
	"dhclient":        netstate.MgrDhclient,
	"dhcpcd":          netstate.MgrDhcpcd,
}

// NetworkManagers tells which managers are in charge from the facts they
// leave, never from their tools' output (which needs D-Bus and may hang):
// the daemons running (/proc/PID/comm), /etc/resolv.conf's first name
// server, its symlink and its header, ifupdown's state file and netplan's
// configuration directory.
func (*linuxSystem) NetworkManagers() netstate.Managers { return readManagers(managerRoot) }

// Supports reports whether a manager in charge now can do f: a DNS cache
// flush needs systemd-resolved and a reapply
// NetworkManager or systemd-networkd, in charge now; running their tools
// otherwise only fails ("Failed to connect to bus").
func (*linuxSystem) Supports(f netstate.Rung, m netstate.Managers) bool {
	switch f {
	case netstate.RungFlushDNS:
		return m.Has(netstate.MgrResolved)
	case netstate.RungReapplyInterface:
		return m.Has(netstate.MgrNetworkManager | netstate.MgrNetworkd)
	}
	return true
}

// readManagers reads the facts under root.
func readManagers(root string) netstate.Managers {
	at := func(p string) string { return filepath.Join(root, p) }
	running, visible := runningDaemons(at("proc"))
	if !visible {
		// hidepid hides root's processes from other users: fall back to
		// the state directories the daemons create at start.
		for dir, m := range map[string]netstate.Manager{
			"run/NetworkManager":  netstate.MgrNetworkManager,
			"run/systemd/netif":   netstate.MgrNetworkd,
			"run/systemd/resolve": netstate.MgrResolved,
			"run/dhcpcd":          netstate.MgrDhcpcd,
		} {
			if _, err := os.Stat(at(dir)); err == nil {
				running |= m
			}
		}
	}
	ms := netstate.Managers{Known: true, InCharge: running &^ netstate.MgrResolved}
	rc := resolvConfFacts(at("etc/resolv.conf"))
	if running&netstate.MgrResolved != 0 && rc.resolved {
		ms.InCharge |= netstate.MgrResolved
	}
	if rc.resolvconf {
		ms.InCharge |= netstate.MgrResolvconf
	}
	if ifupdownUp(at("run/network/ifstate")) {
		ms.InCharge |= netstate.MgrIfupdown
	}
	if ms.InCharge&(netstate.MgrNetworkManager|netstate.MgrNetworkd) != 0 {
		if m, _ := filepath.Glob(at("etc/netplan/*.yaml")); len(m) > 0 {
			ms.InCharge |= netstate.MgrNetplan
		}
	}
	return ms
}

// runningDaemons reads every process's comm once. visible is false when
// PID 1 cannot be seen (hidepid): then the daemons of root cannot be
// either.
func runningDaemons(proc string) (running netstate.Manager, visible bool) {
	if _, err := os.Stat(filepath.Join(proc, "1")); err != nil {
		return 0, false
	}
	d, err := os.Open(proc)
	if err != nil {
		return 0, false
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(512)
		for _, n := range names {
			if n == "" || n[0] < '0' || n[0] > '9' {
				continue
			}
			b, err := os.ReadFile(filepath.Join(proc, n, "comm"))
			if err != nil {
				continue
			}
			if m, ok := managerComms[strings.TrimSuffix(string(b), "\n")]; ok {
				running |= m
			}
		}
		if err != nil {
			return running, true
		}
	}
}

type rcFacts struct {
	resolved   bool // the resolver file sends queries to resolved's stub, or is resolved's own
	resolvconf bool // resolvconf writes it
}

// maxResolvConfHead is how much of the resolver file resolvConfFacts
// reads: its header and first name server come first.
const maxResolvConfHead = 64 << 10

// resolvConfFacts reads the head of the resolver file: its first name
// server (systemd-resolved's stub is 127.0.0.53 or 127.0.0.54), the file
// it links to, and the header a generator writes.
func resolvConfFacts(path string) rcFacts {
	var f rcFacts
	if t, err := os.Readlink(path); err == nil {
		f.resolved = strings.Contains(t, "/run/systemd/resolve/")
		f.resolvconf = strings.Contains(t, "/run/resolvconf/")
	}
	b, err := conffile.Read(path, maxResolvConfHead)
	if err != nil {
		return f
	}
	named := false
	conffile.Lines(b[:min(len(b), maxResolvConfHead)], func(_ int, l string) {
		line := strings.TrimSpace(l)
		switch {
		case named:
		case strings.HasPrefix(line, "#"):
			if strings.Contains(line, "resolvconf") {
				f.resolvconf = true
			}
			if strings.Contains(line, "systemd-resolved") {
				f.resolved = true
			}
		case strings.HasPrefix(line, "nameserver"):
			// Only the first name server says where queries go.
			named = true
			if fs := strings.Fields(line); len(fs) >= 2 {
				f.resolved = f.resolved || fs[1] == "127.0.0.53" || fs[1] == "127.0.0.54"
			}
		}
	})
	return f
}

// ifupdownUp reports whether ifupdown brought up an interface other than
// loopback: it records each as "NAME=CONFIG" in its state file.
func ifupdownUp(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 64<<10 {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		name, _, ok := strings.Cut(strings.TrimSpace(l), "=")
		if ok && name != "lo" {
			return true
		}
	}
	return false
}
