//go:build linux

package sys

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/netguard/netguard/checks/internal/conffile"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/unix"
)

var _ netstate.LocalSystem = (*linuxSystem)(nil)

// hostsPath is the hosts file glibc and Go read.
var hostsPath = "/etc/hosts"

func (*linuxSystem) HostsFile() (string, []byte, error) {
	b, err := conffile.Read(hostsPath, netstate.MaxHostsFile)
	return hostsPath, b, err
}

// SystemProxy returns nothing: Linux keeps no system proxy outside the
// environment that
// programs started from a shell read (desktop settings reach them only as
// the same variables).
func (*linuxSystem) SystemProxy() ([]netstate.ProxySetting, error) { return nil, nil }

// PortOwner finds the LISTEN socket of port in /proc/net/tcp{,6} and the
// process whose file descriptors hold its inode. Without root, other
// users' /proc/PID/fd are unreadable: the owner then stays unnamed.
func (*linuxSystem) PortOwner(ctx context.Context, port uint16) (netstate.PortOwner, error) {
	return linuxPortOwner(ctx, procRoot, port)
}

func linuxPortOwner(ctx context.Context, root string, port uint16) (netstate.PortOwner, error) {
	inodes := map[uint64]bool{}
	for _, name := range []string{"tcp", "tcp6"} {
		err := scanProcNet(filepath.Join(root, "net", name), func(e procSocket) {
			if e.port == int(port) && e.state == tcpListen && e.inode != 0 {
				inodes[e.inode] = true
			}
		})
		if err != nil && !os.IsNotExist(err) {
			return netstate.PortOwner{}, fmt.Errorf("read %s sockets: %w", name, err)
		}
	}
	if len(inodes) == 0 {
		return netstate.PortOwner{}, fmt.Errorf("no listening socket on port %d in this network namespace (a container or another namespace may hold it)", port)
	}
	var st netstate.SocketStats
	topHolder(ctx, root, inodes, &st)
	if st.TopProcessPID == 0 {
		return netstate.PortOwner{}, fmt.Errorf("the process holding port %d is not readable by this user (run as root to name it)", port)
	}
	return netstate.PortOwner{PID: st.TopProcessPID, Name: st.TopProcess}, nil
}

// Clock asks adjtimex(2) without changing anything (modes 0, allowed to
// any user): TIME_ERROR or STA_UNSYNC means no time daemon has told the
// kernel its clock is right, which is also the normal state of machines
// without one (containers, CI sandboxes). The diagnosis treats it so.
func (*linuxSystem) Clock() netstate.ClockState {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return netstate.ClockState{Checked: true, Err: fmt.Errorf("adjtimex: %w", err)}
	}
	c := netstate.ClockState{Checked: true, Synced: netstate.TriYes, MaxError: time.Duration(tx.Maxerror) * time.Microsecond}
	if state == unix.TIME_ERROR || tx.Status&unix.STA_UNSYNC != 0 {
		c.Synced = netstate.TriNo
	}
	return c
}

var _ netstate.NSSReader = (*linuxSystem)(nil)

// LocalhostNSSModule reads the hosts line of /etc/nsswitch.conf.
func (*linuxSystem) LocalhostNSSModule() string {
	b, err := os.ReadFile("/etc/nsswitch.conf")
	if err != nil {
		return ""
	}
	return nssLocalhostModule(b)
}
