//go:build linux

package lab

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A test process that is killed (a timeout's SIGQUIT, ^C, a CI runner
// cancelled) never runs its cleanups: its lab's namespaces, the client's
// /etc/netns entry, its directory and the servers inside it stay behind,
// and every later run pays for them in memory and in `ip netns` output.
// Each lab therefore records its owner in its directory, and New sweeps
// the labs whose owner is gone before it builds its own.

// ownerFile holds "<pid> <start time>" of the test process that built
// the lab: the start time (field 22 of /proc/PID/stat, in clock ticks
// since boot) tells a dead owner from a new process that reused its PID.
const ownerFile = "owner"

// unownedAge is how old a lab directory without an owner file must be to
// be swept: New writes the file right after creating the directory, so
// only labs of an older build or a process killed in between lack one.
const unownedAge = 30 * time.Minute

// labDirRE matches a lab directory's name: "netguard-lab-" + the prefix
// uniquePrefix makes + MkdirTemp's random suffix.
var labDirRE = regexp.MustCompile(`^netguard-lab-(ng[0-9a-f]{6})-[0-9]+$`)

// processStart returns the start time of pid, in clock ticks since boot.
func processStart(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces
	// or parentheses itself: count fields after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// writeOwner records this process as dir's owner.
func writeOwner(dir string) error {
	start, err := processStart(os.Getpid())
	if err != nil {
		return fmt.Errorf("lab owner: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, ownerFile), fmt.Appendf(nil, "%d %d\n", os.Getpid(), start), 0o644)
}

// ownerAlive reports whether the process recorded in dir's owner file
// still runs. ok is false when the file is missing or unreadable.
func ownerAlive(dir string) (alive, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return false, false
	}
	var pid int
	var start uint64
	if _, err := fmt.Sscanf(string(b), "%d %d", &pid, &start); err != nil || pid <= 0 {
		return false, false
	}
	now, err := processStart(pid)
	return err == nil && now == start, true
}

// staleLabs returns the prefixes of the lab directories under tmp whose
// owner is gone, with their directories.
func staleLabs(tmp string, now time.Time) map[string]string {
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	stale := map[string]string{}
	for _, e := range ents {
		m := labDirRE.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		alive, ok := ownerAlive(dir)
		if !ok {
			fi, err := e.Info()
			if err != nil || now.Sub(fi.ModTime()) < unownedAge {
				continue
			}
		} else if alive {
			continue
		}
		stale[m[1]] = dir
	}
	return stale
}

// sweepStale removes what the labs of dead owners left: the processes in
// their namespaces (dnsmasq, wireguard-go, the lab's Python servers), the
// namespaces, the client's /etc/netns entry and the directory. It touches
// only labs whose directory names a dead owner, so concurrent test
// processes keep theirs. Errors are returned together; the sweep goes on.
func sweepStale(tmp string) (swept []string, err error) {
	var errs []error
	for prefix, dir := range staleLabs(tmp, time.Now()) {
		for _, ns := range []string{prefix + "-c", prefix + "-r", prefix + "-i"} {
			if _, err := os.Stat("/run/netns/" + ns); err != nil {
				continue
			}
			if out, err := runIP("", "netns", "pids", ns); err == nil {
				for _, f := range strings.Fields(string(out)) {
					if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
						_ = syscall.Kill(pid, syscall.SIGKILL)
					}
				}
			}
			if out, err := runIP("", "netns", "del", ns); err != nil {
				errs = append(errs, fmt.Errorf("sweep lab %s: ip netns del %s: %w: %s", prefix, ns, err, bytes.TrimSpace(out)))
			}
		}
		if err := os.RemoveAll(filepath.Join("/etc/netns", prefix+"-c")); err != nil {
			errs = append(errs, fmt.Errorf("sweep lab %s: %w", prefix, err))
		}
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("sweep lab %s: %w", prefix, err))
		}
		swept = append(swept, prefix)
	}
	return swept, errors.Join(errs...)
}
