//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netguard/netguard/checks"
	"golang.org/x/sys/unix"
)

// loadBounded is Load with a deadline: a FIFO or a device must never block
// it, and a test that hangs tells nothing.
func loadBounded(t *testing.T, explicit string, env Env) (checks.Options, error) {
	t.Helper()
	type result struct {
		o   checks.Options
		err error
	}
	ch := make(chan result, 1)
	go func() {
		o, err := Load(explicit, env)
		ch <- result{o, err}
	}()
	select {
	case r := <-ch:
		return r.o, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("Load(%q) blocked for 5 s", explicit)
		return checks.Options{}, nil
	}
}

// otherOwner makes path belong to someone who is neither the Env's user nor
// root: as root, chown to nobody's uid; otherwise claim to be another uid.
func otherOwner(t *testing.T, te *testEnv, path string) {
	t.Helper()
	if os.Getuid() == 0 {
		must(t, os.Lchown(path, 65534, 65534))
		te.UID = 0
		return
	}
	te.UID = os.Getuid() + 1
}

// umask 002 with user private groups (Debian, Ubuntu): a repository whose
// directories are group-writable by the user's own private group is still
// the user's, and its config is read.
func TestProjectFilePrivateGroupDir(t *testing.T) {
	te := newTestEnv(t)
	p := filepath.Join(te.repo, FileName)
	writeFile(t, p, "dns: private.test\n")
	must(t, os.Chmod(te.repo, 0o775))
	te.GID = te.UID // the directory's group is the user's private group (uid == gid)
	if st, err := os.Stat(te.repo); err != nil {
		t.Fatal(err)
	} else if sys := st.Sys().(*syscall.Stat_t); int(sys.Gid) != te.UID {
		must(t, os.Chown(te.repo, te.UID, te.UID)) // as root; a user's own dir has its gid
	}
	o, err := loadBounded(t, "", te.Env)
	if err != nil || o.DNSName != "private.test" || len(te.warnings) != 0 {
		t.Fatalf("Load = %+v, %v; warnings %q", o, err, te.warnings)
	}
	te.GID = te.UID + 1 // a shared primary group: skipped
	te.warnings = nil
	if o, _ := loadBounded(t, "", te.Env); o.DNSName == "private.test" || len(te.warnings) != 1 {
		t.Fatalf("shared group: %+v, warnings %q", o, te.warnings)
	}
}

// A project file that is not a regular file the user owns, in a directory
// only they can write, is skipped with one line; the defaults stand.
func TestProjectFileSkipped(t *testing.T) {
	const hostile = "dns: hostile.test\nsudo: never\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, te *testEnv, path string)
		want  string // the warning
	}{
		{name: "symlink to /dev/zero", want: "is a symbolic link", setup: func(t *testing.T, te *testEnv, p string) {
			must(t, os.Symlink("/dev/zero", p))
		}},
		{name: "symlink to /dev/stdin", want: "is a symbolic link", setup: func(t *testing.T, te *testEnv, p string) {
			must(t, os.Symlink("/dev/stdin", p))
		}},
		{name: "symlink to a good file", want: "is a symbolic link", setup: func(t *testing.T, te *testEnv, p string) {
			writeFile(t, p+".real", hostile)
			must(t, os.Symlink(p+".real", p))
		}},
		{name: "fifo", want: "is not a regular file", setup: func(t *testing.T, te *testEnv, p string) {
			must(t, unix.Mkfifo(p, 0o644))
		}},
		{name: "too large", want: "is larger than 64 KiB", setup: func(t *testing.T, te *testEnv, p string) {
			writeFile(t, p, hostile+strings.Repeat("# padding\n", 7000))
		}},
		{name: "owned by another user", want: "owned by uid ", setup: func(t *testing.T, te *testEnv, p string) {
			writeFile(t, p, hostile)
			otherOwner(t, te, p)
		}},
		{name: "group-writable directory", want: "can be written by others (mode 0775)", setup: func(t *testing.T, te *testEnv, p string) {
			writeFile(t, p, hostile)
			must(t, os.Chmod(filepath.Dir(p), 0o775))
		}},
		{name: "sticky world-writable directory", want: "can be written by others (mode 0777)", setup: func(t *testing.T, te *testEnv, p string) {
			writeFile(t, p, hostile)
			must(t, os.Chmod(filepath.Dir(p), 0o777|os.ModeSticky))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t)
			p := filepath.Join(te.repo, FileName)
			tt.setup(t, te, p)
			o, err := loadBounded(t, "", te.Env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if def := checks.DefaultOptions(); o.DNSName != def.DNSName || o.Sudo != def.Sudo {
				t.Errorf("options from a skipped file: %+v", o)
			}
			te.wantWarnings(t, "ignoring "+p+": ")
			if !strings.Contains(te.warnings[0], tt.want) {
				t.Errorf("warning %q, want it to say %q", te.warnings[0], tt.want)
			}
		})
	}
}

// The user config may be a link (dotfile managers) but must be the user's
// regular file; the file --config names is the user's choice, but must be
// a regular file of bounded size.
func TestUserAndExplicitFiles(t *testing.T) {
	t.Run("user config through a symlink", func(t *testing.T) {
		te := newTestEnv(t)
		target := filepath.Join(te.home, "dotfiles", "netguard.yaml")
		writeFile(t, target, "sudo: never\n")
		must(t, os.Symlink(target, te.UserPath()))
		if o, err := loadBounded(t, "", te.Env); err != nil || o.Sudo != checks.SudoNever {
			t.Fatalf("symlinked user config: %+v %v", o, err)
		}
		te.wantWarnings(t)
	})
	t.Run("user config linked to /dev/zero", func(t *testing.T) {
		te := newTestEnv(t)
		must(t, os.Symlink("/dev/zero", te.UserPath()))
		_, err := loadBounded(t, "", te.Env)
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Fatalf("err = %v, want not a regular file", err)
		}
	})
	t.Run("user config of another user", func(t *testing.T) {
		te := newTestEnv(t)
		te.userConfig(t, "gateway: 192.0.2.1\nsudo: prompt\ndns: other.test\n")
		otherOwner(t, te, te.UserPath())
		o, err := loadBounded(t, "", te.Env)
		if err != nil || o.Gateway.IsValid() || o.Sudo != checks.SudoAuto || o.DNSName != checks.DefaultOptions().DNSName {
			t.Fatalf("another user's config was read: %+v %v", o, err)
		}
		te.wantWarnings(t, "ignoring "+te.UserPath()+": owned by uid")
	})
	for _, target := range []string{"/dev/zero", "fifo", "big"} {
		t.Run("explicit "+target, func(t *testing.T) {
			te := newTestEnv(t)
			p := target
			switch target {
			case "fifo":
				p = filepath.Join(te.home, "fifo")
				must(t, unix.Mkfifo(p, 0o644))
			case "big":
				p = filepath.Join(te.home, "big.yaml")
				writeFile(t, p, strings.Repeat("# padding\n", 7000))
			}
			_, err := loadBounded(t, p, te.Env)
			if err == nil || !strings.HasPrefix(err.Error(), "read config "+p+": ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line naming %s", err, p)
			}
		})
	}
}

// A path with a control character is quoted in the warning.
func TestWarningEscapesPath(t *testing.T) {
	te := newTestEnv(t)
	te.repo = filepath.Join(te.home, "evil\x1b]0;PWNED\a\ndir")
	te.Cwd = te.repo
	mkdir(t, filepath.Join(te.repo, ".git"))
	must(t, os.Symlink("/dev/zero", filepath.Join(te.repo, FileName)))
	if _, err := loadBounded(t, "", te.Env); err != nil {
		t.Fatal(err)
	}
	te.wantWarnings(t, `evil\x1b]0;PWNED\a\ndir`)
}

// Under sudo, root reads the files of the user who ran it (SUDO_UID) as
// its own, with a project file's limits; a third user's file is still
// skipped.
func TestProjectFileOfInvoker(t *testing.T) {
	te := newTestEnv(t)
	p := te.project(t, "dns: developer.test\ngateway: 192.0.2.1\n")
	dev := os.Getuid()
	if dev == 0 {
		dev = 4242
		for _, path := range []string{p, te.repo} {
			must(t, os.Lchown(path, dev, dev))
		}
	}
	// The Env of root run by dev: sudo's, or Compose's with SUDO_UID set.
	te.UID, te.GID, te.InvokerUID, te.InvokerGID = 0, 0, dev, dev
	if o := te.load(t); o.DNSName != "developer.test" || o.Gateway.IsValid() {
		t.Errorf("the invoker's project file: dns %q gateway %v, want it read with a project file's limits", o.DNSName, o.Gateway)
	}
	te.wantWarnings(t, "ignoring gateway")

	// umask 002: the invoker's private group may write the directory.
	if os.Getuid() == 0 {
		must(t, os.Chmod(te.repo, 0o775))
		if o := te.load(t); o.DNSName != "developer.test" {
			t.Errorf("a directory writable by the invoker's private group: dns %q", o.DNSName)
		}
		te.InvokerGID = dev + 1
		if o := te.load(t); o.DNSName == "developer.test" {
			t.Error("a group-writable directory of another group was trusted")
		}
		te.InvokerGID = dev
		must(t, os.Chmod(te.repo, 0o755))
	}

	// Nobody ran sudo: the developer's file is not root's.
	te.InvokerUID, te.InvokerGID = -1, -1
	if o := te.load(t); o.DNSName == "developer.test" {
		t.Error("root read another user's project file with no invoker")
	}
	te.wantWarnings(t, fmt.Sprintf("owned by uid %d, not by you (uid 0) or root, and SUDO_UID is not set", dev))

	// A third user's file stays skipped whoever ran sudo.
	te.InvokerUID, te.InvokerGID = dev+1, dev+1
	if o := te.load(t); o.DNSName == "developer.test" {
		t.Error("read a file owned by neither root nor the invoker")
	}
	te.wantWarnings(t, fmt.Sprintf("owned by uid %d, not by you (uid 0), the user who ran sudo (SUDO_UID %d) or root", dev, dev+1))
}

// SUDO_UID is believed only by a process whose real and effective uid are
// root.
func TestInvoker(t *testing.T) {
	vars := map[string]string{"SUDO_UID": "1000", "SUDO_GID": "1001"}
	getenv := func(k string) string { return vars[k] }
	for _, tt := range []struct {
		uid, euid    int
		sudo, gid    string
		wantU, wantG int
	}{
		{uid: 0, euid: 0, sudo: "1000", gid: "1001", wantU: 1000, wantG: 1001},
		{uid: 0, euid: 0, sudo: "1000", gid: "", wantU: 1000, wantG: -1},
		{uid: 1000, euid: 0, sudo: "1000", gid: "1001", wantU: -1, wantG: -1}, // set-uid
		{uid: 1000, euid: 1000, sudo: "2000", gid: "2000", wantU: -1, wantG: -1},
		{uid: 0, euid: 0, sudo: "", gid: "1001", wantU: -1, wantG: -1},
		{uid: 0, euid: 0, sudo: "0", gid: "0", wantU: -1, wantG: -1},
		{uid: 0, euid: 0, sudo: "-5", gid: "1", wantU: -1, wantG: -1},
		{uid: 0, euid: 0, sudo: "1000x", gid: "1", wantU: -1, wantG: -1},
		{uid: 0, euid: 0, sudo: "4294967296", gid: "1", wantU: -1, wantG: -1},
	} {
		vars["SUDO_UID"], vars["SUDO_GID"] = tt.sudo, tt.gid
		if u, g := invoker(getenv, tt.uid, tt.euid); u != tt.wantU || g != tt.wantG {
			t.Errorf("uid %d euid %d SUDO_UID %q SUDO_GID %q: invoker %d:%d, want %d:%d", tt.uid, tt.euid, tt.sudo, tt.gid, u, g, tt.wantU, tt.wantG)
		}
	}
}
