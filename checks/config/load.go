package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/netstate"
)

// Env is everything Load reads from the running process, passed in so a
// test decides all of it: a developer's XDG_CONFIG_HOME or HOME never
// reaches a unit test.
type Env struct {
	// Getenv reads NETGUARD_* variables.
	Getenv func(string) string
	// Cwd is where the project file search starts; "" searches nothing.
	Cwd string
	// Home ends the search when no repository root comes first; "" means
	// unknown (the search then ends at a repository root or at /).
	Home string
	// UserDir holds the user's netguard/config.yaml; "" means none.
	UserDir string
	// UID is the running user: a config file must be owned by it or by
	// root. -1 turns the owner and directory checks off (Windows, where
	// neither a uid nor mode bits say who may write).
	UID int
	// GID is the running user's primary group: a directory writable by
	// that group is still the user's own when the group is the user's
	// private group (gid == uid, umask 002). -1 turns that allowance off.
	GID int
	// InvokerUID and InvokerGID are the user a root process runs for
	// (sudo's SUDO_UID and SUDO_GID, see NewEnv): their config files count
	// as the running user's own, so `sudo guard fix` reads the developer's
	// project file, with a project file's limits. 0 or less means none.
	InvokerUID, InvokerGID int
	// Warn gets each one-line warning (a file skipped, a key ignored);
	// nil drops them.
	Warn func(msg string)
}

// NewEnv is the Env of this process: the user's directories as the OS's
// conventions derive them from getenv (userDirs in userdirs_<goos>.go),
// the process's uid, and the invoking user when it runs as root.
func NewEnv(getenv func(string) string, cwd string, warn func(string)) Env {
	home, dir := userDirs(getenv)
	env := Env{Getenv: getenv, Cwd: cwd, Home: home, UserDir: dir, UID: os.Getuid(), GID: os.Getgid(), Warn: warn}
	env.InvokerUID, env.InvokerGID = invoker(getenv, env.UID, os.Geteuid())
	return env
}

// invoker reads SUDO_UID and SUDO_GID when both the real and the
// effective uid are root: sudo sets them to the user who ran it, and
// whoever can set a root process's environment is root already. A set-uid
// process (euid 0, real uid a user's) gets its environment from that user,
// who could name anyone; it believes neither. -1 means none.
func invoker(getenv func(string) string, uid, euid int) (int, int) {
	if uid != 0 || euid != 0 {
		return -1, -1
	}
	id := func(key string) int {
		n, err := strconv.ParseUint(getenv(key), 10, 31)
		if err != nil || n == 0 {
			return -1
		}
		return int(n)
	}
	u := id("SUDO_UID")
	if u < 0 {
		return -1, -1
	}
	return u, id("SUDO_GID")
}

// UserPath is the user-level config file of env, which may not exist, or
// "" when there is no user config directory.
func (env Env) UserPath() string {
	if env.UserDir == "" {
		return ""
	}
	return filepath.Join(env.UserDir, "netguard", UserFile)
}

func (env Env) warn(format string, a ...any) {
	if env.Warn != nil {
		env.Warn(fmt.Sprintf(format, a...))
	}
}

// MaxProjectProbeWait caps a project file's probe-wait: every broken start
// in that repository waits this long for silence.
const MaxProjectProbeWait = 2 * time.Second

// MaxProjectTimeout caps a project file's timeout: a repository may ask for
// a slower network than the default, not stall every start for minutes.
const MaxProjectTimeout = 10 * time.Second

// Load returns the options from, in increasing precedence: the built-in
// defaults, the user config, the project config, and the environment
// (flags are applied by the caller, above all of them). With explicit set,
// that file replaces both config files and is trusted like the user's own.
//
// A project file comes from whoever wrote the repository, so it may lower
// privilege and narrow what runs, never raise privilege or aim a repair:
//   - sudo from it applies only when it is no higher than the user's own
//     (user config, else the default): never < auto < prompt;
//   - gateway from it is ignored;
//   - its timeout is capped at MaxProjectTimeout;
//   - trust from it is ignored.
//
// Each ignored key is a one-line warning. A directory listed under trust in
// the user config lifts these limits for the project file it holds.
//
// When no source names ports, they are read from the project's Compose
// and dev container files (discoverPorts), with the same checks on who
// owns those files.
func Load(explicit string, env Env) (checks.Options, error) {
	o, _, err := LoadAll(explicit, env)
	return o, err
}

// LoadAll is Load with the output settings (quiet, verbose, json) from
// the same sources in the same order.
func LoadAll(explicit string, env Env) (checks.Options, Output, error) {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	o := checks.DefaultOptions()
	// The directories a project's files are looked for in, walked once
	// for the project config and the port discovery both.
	var dirs []string
	projectDirsOnce := func() []string {
		if dirs == nil {
			dirs = projectDirs(env)
		}
		return dirs
	}
	var out Output
	if explicit != "" {
		v, err := readFile(explicit, openFollow, env)
		if err != nil {
			return o, out, err
		}
		v.Apply(&o)
		v.ApplyOutput(&out)
	} else {
		user, err := loadUser(env)
		if err != nil {
			return o, out, err
		}
		user.Apply(&o)
		user.ApplyOutput(&out)
		if p := findProject(projectDirsOnce()); p != "" {
			proj, err := readFile(p, openProject, env)
			var skip *skipError
			switch {
			case errors.As(err, &skip):
				env.warn("%v", err)
			case err != nil:
				return o, out, err
			default:
				if !user.trusts(filepath.Dir(p)) {
					proj.restrict(p, o.Sudo, env)
				}
				proj.trust = nil
				proj.Apply(&o)
				proj.ApplyOutput(&out)
			}
		}
	}
	ev, err := FromEnv(env.Getenv)
	if err != nil {
		return o, out, err
	}
	ev.Apply(&o)
	ev.ApplyOutput(&out)
	if o.Ports == nil {
		// No ports named (not even "none"): those the project's Compose
		// and dev container files publish (a flag's --ports replaces
		// them, see Apply).
		o.Ports, o.PortNotes = discoverPorts(env, projectDirsOnce())
	}
	// The proxy variables are read here, once, for every entry point: the
	// start's programs will read the same environment.
	o.ProxyEnv = netstate.ProxyEnv(env.Getenv)
	return o, out, nil
}

// loadUser reads the user config when there is one. A file that is not the
// user's (another owner, a directory others can write) is skipped with a
// warning; one the user owns but that cannot be read as config is an error
// for them to fix.
func loadUser(env Env) (*Values, error) {
	p := env.UserPath()
	if p == "" {
		return nil, nil
	}
	if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	v, err := readFile(p, openUser, env)
	var skip *skipError
	if errors.As(err, &skip) {
		env.warn("%v", err)
		return nil, nil
	}
	return v, err
}

// trusts reports whether the user config lists dir under trust, compared
// as the OS compares paths (sameDir).
func (v *Values) trusts(dir string) bool {
	dir = filepath.Clean(dir)
	return v != nil && slices.ContainsFunc(v.trust, func(t string) bool { return sameDir(t, dir) })
}

// restrict drops or caps what an untrusted project file at path may not
// set, warning about each; ceiling is the sudo mode the user's own settings
// give.
func (v *Values) restrict(path string, ceiling checks.SudoMode, env Env) {
	v.untrusted = true
	where := func(key string) string { return fmt.Sprintf("%s:%d", printable(path), v.lines[key]) }
	how := fmt.Sprintf("list %s under %s in %s to allow it", printable(filepath.Dir(path)), TrustKey, printable(env.UserPath()))
	if env.UserPath() == "" {
		how = "set it in your own config, the environment or a flag"
	}
	if v.gateway != nil {
		env.warn("%s: ignoring gateway: a project file may not aim repairs (%s)", where("gateway"), how)
		v.gateway = nil
	}
	if v.sudo != nil && sudoRank(*v.sudo) > sudoRank(ceiling) {
		env.warn("%s: ignoring sudo %s: a project file may only lower it (yours is %s; %s)", where("sudo"), *v.sudo, ceiling, how)
		v.sudo = nil
	}
	if v.timeout != nil && *v.timeout > MaxProjectTimeout {
		env.warn("%s: timeout %s capped at %s, the most a project file may set", where("timeout"), *v.timeout, MaxProjectTimeout)
		d := MaxProjectTimeout
		v.timeout = &d
	}
	if v.wait != nil && *v.wait > MaxProjectProbeWait {
		env.warn("%s: probe-wait %s capped at %s, the most a project file may set", where("probe-wait"), *v.wait, MaxProjectProbeWait)
		d := MaxProjectProbeWait
		v.wait = &d
	}
	if v.trust != nil {
		env.warn("%s: ignoring %s: only the user config may hold it", where(TrustKey), TrustKey)
		v.trust = nil
	}
}

// sudoRank orders the modes by how much they let a repair do.
func sudoRank(m checks.SudoMode) int {
	switch m {
	case checks.SudoNever:
		return 0
	case checks.SudoAuto:
		return 1
	}
	return 2 // prompt, and anything unknown counts as the most
}

// findProject returns the nearest .netguard.yaml in dirs (projectDirs:
// env.Cwd up to the repository root or home, whichever comes first: a
// file above them belongs to neither this repository nor this user), or
// "". A symbolic link is returned too, so that reading it refuses it with
// a warning rather than the search silently going past it.
func findProject(dirs []string) string {
	for _, dir := range dirs {
		p := filepath.Join(dir, FileName)
		if st, err := os.Lstat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}
