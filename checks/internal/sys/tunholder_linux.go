//go:build linux

package sys

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

var _ netstate.TunHolderFinder = (*linuxSystem)(nil)

// tunDevice is the clone device every TUN/TAP file descriptor is opened
// from; its fdinfo names the interface the descriptor is attached to.
const tunDevice = "/dev/net/tun"

// TunHolders walks /proc/PID/fd for descriptors of /dev/net/tun whose
// fdinfo "iff:" line names iface (Linux 3.14 and later).
func (*linuxSystem) TunHolders(ctx context.Context, iface string) ([]netstate.TunHolder, error) {
	return tunHolders(ctx, procRoot, iface)
}

// tunHolders is TunHolders over a procfs root (a fixture in tests). Other
// users' fd directories are unreadable without root: when none matched
// and some could not be read, the error says so. Processes of another
// network namespace are skipped.
func tunHolders(ctx context.Context, root, iface string) ([]netstate.TunHolder, error) {
	procs, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	// A device name is unique only within a network namespace: another
	// namespace's process may hold a device of the same name.
	ownNS, _ := os.Readlink(filepath.Join(root, "self", "ns", "net"))
	var out []netstate.TunHolder
	denied := 0
	for _, p := range procs {
		if ctx.Err() != nil {
			return out, fmt.Errorf("walk %s: %w", root, ctx.Err())
		}
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join(root, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				denied++
			}
			continue
		}
		if ns, err := os.Readlink(filepath.Join(root, p.Name(), "ns", "net")); ownNS != "" && err == nil && ns != ownNS {
			continue
		}
		for _, fd := range fds {
			l, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || l != tunDevice {
				continue
			}
			info, err := os.ReadFile(filepath.Join(root, p.Name(), "fdinfo", fd.Name()))
			if err != nil || fdinfoIface(info) != iface {
				continue
			}
			comm, _ := os.ReadFile(filepath.Join(root, p.Name(), "comm"))
			out = append(out, netstate.TunHolder{PID: pid, Command: strings.TrimSpace(string(comm))})
			break
		}
	}
	if len(out) == 0 && denied > 0 {
		return nil, fmt.Errorf("the process holding %s is not readable by this user (%d processes of other users; run as root to name it)", iface, denied)
	}
	return out, nil
}

// fdinfoIface is the interface a /dev/net/tun descriptor is attached to,
// from its fdinfo's "iff:\tNAME" line; "" when it has none (not attached).
func fdinfoIface(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "iff:"); ok {
			return strings.TrimSpace(name)
		}
	}
	return ""
}
