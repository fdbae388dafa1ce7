//go:build linux

package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// RunTimeout bounds each Run and RunAs call.
const RunTimeout = 30 * time.Second

// Cmd returns a command that runs args as root inside namespace ns (one of
// l.Client, l.Router, l.Internet) through `ip netns exec`, which execs the
// program in place: killing the command kills the program. It runs in l.Dir
// with the test's environment less any NETGUARD_* variable (NETGUARD_SKIP
// or NETGUARD_TIMEOUT in a developer's shell must not change a test) and
// with XDG_CONFIG_HOME pointing at an empty directory, so no user's netguard
// config leaks in either; append to cmd.Env to add more.
func (l *Lab) Cmd(ctx context.Context, ns string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Dir = l.Dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETGUARD_") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+filepath.Join(l.Dir, "config"))
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// CmdAs returns a command that runs args inside ns as the unprivileged
// user name (normally "nobody"), through setpriv with that user's uid and
// primary gid and no supplementary groups: no capabilities survive. The
// environment is that of a login of the user (HOME from passwd, USER,
// LOGNAME, a standard PATH) plus XDG_CONFIG_HOME as in Cmd; append to
// cmd.Env to add more. The program must be reachable by the user: put it in
// a directory that is mode 0755 all the way up (Build does).
func (l *Lab) CmdAs(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	u, err := user.Lookup(name)
	if err != nil {
		// Let the command fail visibly rather than run as root.
		cmd := exec.CommandContext(ctx, "false")
		cmd.Err = fmt.Errorf("lab: user %q: %w", name, err)
		return cmd
	}
	argv := append([]string{"netns", "exec", ns,
		"setpriv", "--reuid=" + u.Uid, "--regid=" + u.Gid, "--clear-groups", "--"}, args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	cmd.Dir = l.Dir
	cmd.Env = []string{
		"HOME=" + u.HomeDir,
		"USER=" + u.Username,
		"LOGNAME=" + u.Username,
		"PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(l.Dir, "config"),
	}
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// Run runs args as root in ns, bounded by RunTimeout, and returns its
// output and exit code (-1 if it was killed). It fails t only when the
// command cannot be started.
func (l *Lab) Run(t testing.TB, ns string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	return RunCmd(t, l.Cmd(ctx, ns, args...))
}

// RunAs is Run as the unprivileged user name (see CmdAs).
func (l *Lab) RunAs(t testing.TB, ns, name string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	return RunCmd(t, l.CmdAs(ctx, ns, name, args...))
}

// RunCmd runs a command made by Cmd or CmdAs (with its own deadline) and
// returns its output and exit code (-1 if it was killed). It fails t only
// when the command cannot be started. It is Capture for a test's own
// goroutine.
func RunCmd(t testing.TB, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	stdout, stderr, exit, err := Capture(cmd)
	if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		t.Fatalf("lab: %s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr)
	}
	return stdout, stderr, exit
}

// Capture runs cmd (with its own deadline) and returns its output and exit
// code (-1 if it was killed). err is what went wrong besides the exit
// status: the command could not be started (exit -1), or exec.ErrWaitDelay
// when it exited but something it started still held its output past
// cmd.WaitDelay (exit is then the program's own). It fails no test, so any
// goroutine may call it.
func Capture(cmd *exec.Cmd) (stdout, stderr string, exit int, err error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0, nil
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode(), nil
	case errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil:
		return out.String(), errb.String(), cmd.ProcessState.ExitCode(), err
	default:
		return out.String(), errb.String(), -1, err
	}
}

// RunDir is the directory PrivateRun binds over /run: files written there
// (WriteRunFile) are what a run sees under /run.
func (l *Lab) RunDir() string { return filepath.Join(l.Dir, "run") }

// WriteRunFile writes content (mode 0644) to name under RunDir, creating
// its directories (mode 0755: an unprivileged run reads them too).
func (l *Lab) WriteRunFile(name, content string) {
	l.t.Helper()
	p := filepath.Join(l.RunDir(), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatalf("lab %s: %v", l.Prefix, err)
	}
}

// bindRun is the step between unshare and the program: bind each of the
// host's /run directories that pass through (the program's first
// arguments, up to "--") into RunDir, bind RunDir with them over /run, then
// become the program. Its arguments are the absolute mount program,
// RunDir, the pass-through names, "--", then the program's argv.
const bindRun = `m=$1 d=$2; shift 2
while [ "$1" != -- ]; do "$m" --bind "/run/$1" "$d/$1" || exit 1; shift; done; shift
"$m" --rbind "$d" /run && exec "$@"`

// runPassThrough are the host's /run directories a PrivateRun still sees:
// wireguard-go's sockets, where a run as root reads the lab tunnel's state.
var runPassThrough = []string{"wireguard"}

// PrivateRun changes cmd, made by Cmd or CmdAs, to run in a mount
// namespace of its own where RunDir is bound over /run: the run sees the
// /run the test wrote (systemd-resolved's files) and no host daemon's
// state but wireguard-go's sockets (runPassThrough), and the host's /run is
// never touched. `ip netns exec` only gives /etc its per-namespace files,
// and a mount point such as /run/systemd/resolve cannot be made for a
// private namespace without creating it on the host (directories are
// shared, only mounts are not): /run exists everywhere, so binding over it
// needs nothing of the host. The mounts are made by util-linux's unshare
// and mount, run by absolute path, and they go away with the namespace
// when the program exits, however it exits.
func (l *Lab) PrivateRun(cmd *exec.Cmd) *exec.Cmd {
	if cmd.Err != nil {
		return cmd
	}
	if len(cmd.Args) < 5 || cmd.Args[1] != "netns" || cmd.Args[2] != "exec" {
		cmd.Err = fmt.Errorf("lab: PrivateRun: %q is not a command made by Cmd or CmdAs", cmd.Args)
		return cmd
	}
	abs := map[string]string{"unshare": "", "sh": "", "mount": ""}
	for name := range abs {
		p, err := exec.LookPath(name)
		if err == nil && !filepath.IsAbs(p) {
			p, err = filepath.Abs(p)
		}
		if err != nil {
			cmd.Err = fmt.Errorf("lab: PrivateRun: %s: %w (install util-linux and mount)", name, err)
			return cmd
		}
		abs[name] = p
	}
	wrap := []string{abs["unshare"], "--mount", "--propagation", "private", "--",
		abs["sh"], "-c", bindRun, "sh", abs["mount"], l.RunDir()}
	if err := os.MkdirAll(l.RunDir(), 0o755); err != nil {
		cmd.Err = fmt.Errorf("lab: PrivateRun: %w", err)
		return cmd
	}
	for _, d := range runPassThrough {
		if fi, err := os.Stat(filepath.Join("/run", d)); err != nil || !fi.IsDir() {
			continue
		}
		if err := os.MkdirAll(filepath.Join(l.RunDir(), d), 0o755); err != nil {
			cmd.Err = fmt.Errorf("lab: PrivateRun: %w", err)
			return cmd
		}
		wrap = append(wrap, d)
	}
	wrap = append(wrap, "--")
	cmd.Args = slices.Concat(cmd.Args[:4], wrap, cmd.Args[4:])
	return cmd
}
