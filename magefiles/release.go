//go:build mage

package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/magefile/mage/mg"
)

// releaseNeeds are what release:snapshot needs besides Go and dpkg (part
// of every Debian system): git (GoReleaser reads the commit) and rpm
// (rpm -qpl reads the .rpm's file list). The deps stage installs them with
// the rest.
var releaseNeeds = []need{
	{"git", "git", "release:snapshot (the commit)"},
	{"rpm", "rpm", "release:snapshot (the .rpm's file list)"},
	{"dpkg-deb", "dpkg", "release:snapshot (the .deb)"},
}

// releaseTargets are the release builds, as GOOS/GOARCH.
var releaseTargets = [][2]string{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

const (
	releaseDir    = ".ci/release"
	releaseConfig = ".ci/release/goreleaser.yaml"
	packageName   = "netguard"
	helperPath    = "/usr/libexec/netguard/guard"
)

// Release builds release artifacts with GoReleaser, pinned in .ci/release's
// own module (see .ci/release/RELEASING.md).
type Release mg.Namespace

// Snapshot builds a snapshot release of HEAD in a temporary clone and checks it (needs root: dpkg -i).
//
// It checks that every archive unpacks with its binary, LICENSE, README, man
// page and completions, and every binary carries the snapshot version (this
// machine's runs --version and explain --list, and guard check in the lab);
// the checksums file matches; a rebuild of this machine's target gives the
// same bytes; the formula and the Scoop manifest name the archives'
// checksums; the .deb installs with dpkg -i, puts the helper root-owned 0755
// at its path, and guard --version and guard completion bash work from
// /usr/bin; dpkg --purge leaves nothing behind; the .rpm holds the same
// files. Uncommitted changes are not in a snapshot: it is built from the
// commit, so the same commit gives the same bytes. $NETGUARD_RELEASE_KEEP=1
// keeps the temporary directory.
func (Release) Snapshot(ctx context.Context) error {
	// Fail before a build of minutes, not after it.
	if os.Geteuid() != 0 {
		return mg.Fatalf(1, "release:snapshot needs root: it installs and purges the .deb")
	}
	if err := missingError("release:snapshot needs", releaseNeeds); err != nil {
		return err
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "netguard-release-")
	if err != nil {
		return err
	}
	keep := os.Getenv("NETGUARD_RELEASE_KEEP") != ""
	defer func() {
		if keep {
			fmt.Fprintln(os.Stderr, "release: kept", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	sha, err := gitOutput(ctx, ".", "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	if st, _ := gitOutput(ctx, ".", "status", "--porcelain"); st != "" {
		fmt.Fprintf(os.Stderr, "release: uncommitted changes are not in the snapshot (it builds %.12s)\n", sha)
	}
	src := filepath.Join(tmp, "src")
	if err := runIn(ctx, ".", nil, "git", "clone", "--quiet", "--no-checkout", ".", src); err != nil {
		return err
	}
	if err := runIn(ctx, src, nil, "git", "checkout", "--quiet", "--detach", sha); err != nil {
		return err
	}
	goreleaser := filepath.Join(tmp, "goreleaser")
	if err := runIn(ctx, releaseDir, nil, "go", "build", "-o", goreleaser, "github.com/goreleaser/goreleaser/v2"); err != nil {
		return err
	}
	tool := time.Now()
	if err := runIn(ctx, src, nil, goreleaser, "release", "--snapshot", "--clean", "--config", releaseConfig); err != nil {
		return err
	}
	built := time.Now()
	dist := filepath.Join(tmp, "dist")
	if err := os.Rename(filepath.Join(src, releaseDir, "dist"), dist); err != nil {
		return err
	}
	if err := checkSnapshot(ctx, tmp, src, dist, sha, goreleaser); err != nil {
		keep = true
		return err
	}
	fmt.Fprintf(os.Stderr, "release: snapshot of %.12s checked in %s (goreleaser built in %s, release in %s)\n",
		sha, time.Since(start).Round(time.Second), tool.Sub(start).Round(time.Second), built.Sub(tool).Round(time.Second))
	return nil
}

// snapshotMeta is the part of GoReleaser's dist/metadata.json read here.
type snapshotMeta struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

func checkSnapshot(ctx context.Context, tmp, src, dist, sha, goreleaser string) error {
	var meta snapshotMeta
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return err
	}
	if meta.Commit != sha || meta.Version == "" {
		return fmt.Errorf("metadata.json: version %q commit %q, want commit %s", meta.Version, meta.Commit, sha)
	}
	sums, err := checkChecksums(dist)
	if err != nil {
		return err
	}
	commitTime, err := gitOutput(ctx, src, "log", "-1", "--format=%ct")
	if err != nil {
		return err
	}
	var epoch int64
	if _, err := fmt.Sscan(commitTime, &epoch); err != nil {
		return fmt.Errorf("commit time %q: %w", commitTime, err)
	}
	hostBinary := ""
	for _, t := range releaseTargets {
		bin, err := checkArchive(dist, filepath.Join(tmp, "unpacked"), meta.Version, sha, t, time.Unix(epoch, 0), sums)
		if err != nil {
			return err
		}
		if t[0] == runtime.GOOS && t[1] == runtime.GOARCH {
			hostBinary = bin
		}
	}
	if hostBinary == "" {
		return mg.Fatalf(1, "release: no release build for this machine (%s/%s) to run", runtime.GOOS, runtime.GOARCH)
	}
	if err := checkRuns(ctx, hostBinary, meta.Version, sha); err != nil {
		return err
	}
	if runtime.GOOS == "linux" {
		// guard check runs only inside the lab, with the lab's targets.
		env := map[string]string{"NETGUARD_RELEASE_BINARY": hostBinary}
		if err := runIn(ctx, ".", env, "go", "test", "-count=1", "-run", "^TestLabReleaseBinary$", "./guard/"); err != nil {
			return err
		}
	}
	if err := checkRebuild(ctx, src, goreleaser, filepath.Join(tmp, "rebuild"), hostBinary); err != nil {
		return err
	}
	if err := checkFormulaAndManifest(dist, meta.Version, sums); err != nil {
		return err
	}
	// nfpm writes the version the Debian way (0.0.1~snapshot.abc).
	debs, _ := filepath.Glob(filepath.Join(dist, packageName+"_*_"+runtime.GOARCH+".deb"))
	if len(debs) != 1 {
		return fmt.Errorf("want one %s .deb in %s, found %q", runtime.GOARCH, dist, debs)
	}
	debFiles, err := checkDeb(ctx, debs[0], meta.Version)
	if err != nil {
		return err
	}
	rpms, _ := filepath.Glob(filepath.Join(dist, packageName+"-*.x86_64.rpm"))
	if runtime.GOARCH != "amd64" || len(rpms) != 1 {
		return fmt.Errorf("want one x86_64 .rpm in %s, found %q", dist, rpms)
	}
	return checkRPM(ctx, rpms[0], debFiles)
}

// checkChecksums checks every line of checksums.txt against its file and
// returns the sums by file name.
func checkChecksums(dist string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("checksums.txt: bad line %q", sc.Text())
		}
		got, err := fileSHA256(filepath.Join(dist, name))
		if err != nil {
			return nil, err
		}
		if got != sum {
			return nil, fmt.Errorf("checksums.txt: %s is %s, the file's sha256 is %s", name, sum, got)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Every archive and package is listed: 6 archives, a .deb and an .rpm
	// per Linux architecture.
	if len(sums) != len(releaseTargets)+4 {
		return nil, fmt.Errorf("checksums.txt lists %d files, want %d", len(sums), len(releaseTargets)+4)
	}
	return sums, nil
}

// checkArchive unpacks one target's archive into dir and checks its
// files, their owner and time stamps (reproducible: the commit's time),
// and the binary's stamped version. It returns the binary's path.
func checkArchive(dist, dir, version, sha string, t [2]string, commitTime time.Time, sums map[string]string) (string, error) {
	goos, goarch := t[0], t[1]
	name := fmt.Sprintf("guard_%s_%s_%s.tar.gz", version, goos, goarch)
	exe := "guard"
	if goos == "windows" {
		name = strings.TrimSuffix(name, ".tar.gz") + ".zip"
		exe = "guard.exe"
	}
	if sums[name] == "" {
		return "", fmt.Errorf("%s: not in checksums.txt", name)
	}
	out := filepath.Join(dir, goos+"_"+goarch)
	files, err := unpack(filepath.Join(dist, name), out, commitTime)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	want := []string{exe, "LICENSE", "README.md", "man/guard.1",
		"completions/_guard", "completions/guard.bash", "completions/guard.fish", "completions/guard.ps1"}
	slices.Sort(want)
	slices.Sort(files)
	if !slices.Equal(files, want) {
		return "", fmt.Errorf("%s holds %q, want %q", name, files, want)
	}
	bin := filepath.Join(out, exe)
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	wantSettings := map[string]string{"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0", "-trimpath": "true"}
	for k, v := range wantSettings {
		if settings[k] != v {
			return "", fmt.Errorf("%s: built with %s=%q, want %q", name, k, settings[k], v)
		}
	}
	// The build info omits -ldflags under -trimpath: the stamps are looked
	// for in the binary's data, the stripping in its sections.
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	for _, w := range []string{"v" + version, sha} {
		if !bytes.Contains(b, []byte(w)) {
			return "", fmt.Errorf("%s: %s is not stamped with %s", name, exe, w)
		}
	}
	if err := checkStripped(bin, goos); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return bin, nil
}

// checkStripped checks that a binary has neither a symbol table nor DWARF
// (-s -w).
func checkStripped(bin, goos string) error {
	switch goos {
	case "linux":
		f, err := elf.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Symbols(); !errors.Is(err, elf.ErrNoSymbols) {
			return fmt.Errorf("%s has a symbol table", bin)
		}
		for _, s := range f.Sections {
			if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
				return fmt.Errorf("%s has DWARF (%s)", bin, s.Name)
			}
		}
	case "darwin":
		f, err := macho.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		// The dynamic imports (libSystem, CoreFoundation) stay as
		// undefined symbols; a defined one is the symbol table -s drops.
		if f.Symtab != nil {
			for _, sym := range f.Symtab.Syms {
				if sym.Type&0x0e != 0 { // N_TYPE is not N_UNDF
					return fmt.Errorf("%s has a symbol table (%s)", bin, sym.Name)
				}
			}
		}
		if f.Segment("__DWARF") != nil {
			return fmt.Errorf("%s has DWARF", bin)
		}
	case "windows":
		f, err := pe.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		if len(f.Symbols) > 0 {
			return fmt.Errorf("%s has a symbol table", bin)
		}
		for _, s := range f.Sections {
			if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
				return fmt.Errorf("%s has DWARF (%s)", bin, s.Name)
			}
		}
	}
	return nil
}

// unpack extracts a .tar.gz or .zip into dir and returns the names of its
// files. Every entry must be a plain file or directory under dir, owned
// by root in a tar, dated commitTime.
func unpack(archive, dir string, commitTime time.Time) ([]string, error) {
	var names []string
	write := func(name string, mode fs.FileMode, mtime time.Time, r io.Reader) error {
		clean := path.Clean(name)
		if !fs.ValidPath(clean) {
			return fmt.Errorf("entry %q leaves the archive", name)
		}
		if !mtime.Equal(commitTime) {
			return fmt.Errorf("%s: time %s, want the commit's %s", name, mtime.UTC(), commitTime.UTC())
		}
		if mode.IsDir() {
			return nil
		}
		if !mode.IsRegular() {
			return fmt.Errorf("%s: not a regular file (%s)", name, mode)
		}
		p := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode.Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		names = append(names, clean)
		return f.Close()
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			err = write(f.Name, f.Mode(), f.Modified, r)
			r.Close()
			if err != nil {
				return nil, err
			}
		}
		return names, nil
	}
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Uid != 0 || h.Gid != 0 {
			return nil, fmt.Errorf("%s: owner %d:%d, want root", h.Name, h.Uid, h.Gid)
		}
		if err := write(h.Name, h.FileInfo().Mode(), h.ModTime, tr); err != nil {
			return nil, err
		}
	}
}

// checkRuns runs this machine's release binary: the version line names the
// snapshot version and commit, and the catalog lists. Nothing here probes
// the network.
func checkRuns(ctx context.Context, bin, version, sha string) error {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", bin, err)
	}
	want := fmt.Sprintf("guard v%s (commit %.12s, built ", version, sha)
	if !strings.HasPrefix(string(out), want) {
		return fmt.Errorf("%s --version: %q, want it to start with %q", bin, out, want)
	}
	var v struct{ Version, Commit, Date string }
	out, err = exec.CommandContext(ctx, bin, "version", "--json").Output()
	if err != nil || json.Unmarshal(out, &v) != nil || v.Version != "v"+version || v.Date == "" {
		return fmt.Errorf("%s version --json: %v %s", bin, err, out)
	}
	if out, err := exec.CommandContext(ctx, bin, "explain", "--list").Output(); err != nil || !strings.Contains(string(out), "gateway-neighbor-wrong") {
		return fmt.Errorf("%s explain --list: %v %s", bin, err, out)
	}
	return nil
}

// checkRebuild builds this machine's target again from the same commit, in
// a clone at another path with an empty build cache, and compares the
// bytes with the released binary.
func checkRebuild(ctx context.Context, src, goreleaser, dir, released string) error {
	sha, err := gitOutput(ctx, src, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	again := filepath.Join(dir, "clone-at-another-path")
	if err := runIn(ctx, ".", nil, "git", "clone", "--quiet", "--no-checkout", src, again); err != nil {
		return err
	}
	if err := runIn(ctx, again, nil, "git", "checkout", "--quiet", "--detach", sha); err != nil {
		return err
	}
	out := filepath.Join(dir, "guard")
	env := map[string]string{"GOOS": runtime.GOOS, "GOARCH": runtime.GOARCH, "GOCACHE": filepath.Join(dir, "gocache")}
	if err := runIn(ctx, again, env, goreleaser, "build", "--snapshot", "--clean", "--single-target", "--id", "guard",
		"--config", releaseConfig, "--output", out); err != nil {
		return err
	}
	a, err := fileSHA256(released)
	if err != nil {
		return err
	}
	b, err := fileSHA256(out)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("not reproducible: the release binary's sha256 is %s, a rebuild of the same commit's %s", a, b)
	}
	return nil
}

// checkFormulaAndManifest checks that the Homebrew formula and the Scoop
// manifest name the archives by their checksums.
func checkFormulaAndManifest(dist, version string, sums map[string]string) error {
	rb, err := os.ReadFile(filepath.Join(dist, "homebrew", "Formula", "guard.rb"))
	if err != nil {
		return err
	}
	for _, t := range releaseTargets {
		if t[0] == "windows" {
			continue
		}
		name := fmt.Sprintf("guard_%s_%s_%s.tar.gz", version, t[0], t[1])
		if !bytes.Contains(rb, []byte(name)) || !bytes.Contains(rb, []byte(`sha256 "`+sums[name]+`"`)) {
			return fmt.Errorf("homebrew/Formula/guard.rb: no %s with sha256 %s", name, sums[name])
		}
	}
	var scoop struct {
		Version      string `json:"version"`
		Architecture map[string]struct {
			URL  string `json:"url"`
			Hash string `json:"hash"`
		} `json:"architecture"`
	}
	if err := readJSON(filepath.Join(dist, "scoop", "guard.json"), &scoop); err != nil {
		return err
	}
	for arch, goarch := range map[string]string{"64bit": "amd64", "arm64": "arm64"} {
		name := fmt.Sprintf("guard_%s_windows_%s.zip", version, goarch)
		a := scoop.Architecture[arch]
		if !strings.HasSuffix(a.URL, "/"+name) || a.Hash != sums[name] {
			return fmt.Errorf("scoop/guard.json: %s is %q %q, want %s with sha256 %s", arch, a.URL, a.Hash, name, sums[name])
		}
	}
	return nil
}

// checkDeb installs the .deb, checks the installed guard and helper, purges
// it, and checks that every path it created is gone. It returns the
// package's files (not its directories).
func checkDeb(ctx context.Context, deb, version string) (files []string, err error) {
	if exec.CommandContext(ctx, "dpkg-query", "-W", packageName).Run() == nil {
		return nil, mg.Fatalf(1, "release: the %s package is installed on this machine; the check installs and purges it, so it stops here", packageName)
	}
	out, err := exec.CommandContext(ctx, "dpkg-deb", "--contents", deb).Output()
	if err != nil {
		return nil, fmt.Errorf("dpkg-deb --contents %s: %w", deb, err)
	}
	var paths []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			return nil, fmt.Errorf("dpkg-deb --contents: bad line %q", l)
		}
		if f[1] != "root/root" {
			return nil, fmt.Errorf("%s: %s is owned by %s, want root/root", deb, f[5], f[1])
		}
		p := strings.TrimSuffix(strings.TrimPrefix(f[5], "."), "/")
		if p == "" {
			continue
		}
		paths = append(paths, p)
		if !strings.HasPrefix(f[0], "d") {
			files = append(files, p)
		}
	}
	var created []string
	for _, p := range paths {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			created = append(created, p)
		}
	}
	if err := runIn(ctx, ".", nil, "dpkg", "-i", deb); err != nil {
		return nil, err
	}
	defer func() {
		if perr := runIn(ctx, ".", nil, "dpkg", "--purge", packageName); perr != nil && err == nil {
			err = perr
		}
		if err != nil {
			return
		}
		for _, p := range created {
			if _, serr := os.Lstat(p); !errors.Is(serr, fs.ErrNotExist) {
				err = fmt.Errorf("dpkg --purge %s left %s behind", packageName, p)
				return
			}
		}
	}()
	fi, err := os.Lstat(helperPath)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o755 || !rootOwned(fi) {
		return nil, fmt.Errorf("%s: %s, want a root-owned 0755 file", helperPath, fi.Mode())
	}
	out, err = exec.CommandContext(ctx, "/usr/bin/guard", "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "guard v"+version+" ") {
		return nil, fmt.Errorf("/usr/bin/guard --version: %v %q", err, out)
	}
	out, err = exec.CommandContext(ctx, "/usr/bin/guard", "completion", "bash").Output()
	if err != nil || !bytes.Contains(out, []byte("complete -F _guard guard")) {
		return nil, fmt.Errorf("/usr/bin/guard completion bash: %v", err)
	}
	for _, p := range []string{"/usr/share/doc/netguard/sudoers.example", "/usr/lib/systemd/user/netguard-watch.service",
		"/usr/share/man/man1/guard.1.gz", "/usr/share/bash-completion/completions/guard"} {
		if _, err := os.Stat(p); err != nil {
			return nil, err
		}
	}
	// The example, the README and the package agree on the helper's path.
	rule := []byte("NOPASSWD: " + helperPath + " repair *")
	for _, doc := range []string{"/usr/share/doc/netguard/sudoers.example", "README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(b, rule) {
			return nil, fmt.Errorf("%s does not give the rule %q", doc, rule)
		}
	}
	// The sudoers example stays an example: nothing in /etc/sudoers.d.
	if _, err := os.Lstat("/etc/sudoers.d/netguard"); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("/etc/sudoers.d/netguard exists after dpkg -i")
	}
	return files, nil
}

// rpmOnlyPaths maps the .deb's paths the .rpm places elsewhere: zsh reads
// vendor-completions on Debian, site-functions on Fedora and RHEL.
var rpmOnlyPaths = map[string]string{
	"/usr/share/zsh/vendor-completions/_guard": "/usr/share/zsh/site-functions/_guard",
}

// checkRPM compares the .rpm's files with the .deb's; the .rpm must also
// own the directories it creates, or rpm -e would leave them behind.
func checkRPM(ctx context.Context, rpm string, debFiles []string) error {
	out, err := exec.CommandContext(ctx, "rpm", "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILENAMES}\n]", rpm).Output()
	if err != nil {
		return fmt.Errorf("rpm -qp %s: %w", rpm, err)
	}
	list, err := exec.CommandContext(ctx, "rpm", "-qpl", rpm).Output()
	if err != nil {
		return fmt.Errorf("rpm -qpl %s: %w", rpm, err)
	}
	var files, dirs []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		perms, p, _ := strings.Cut(l, " ")
		if strings.HasPrefix(perms, "d") {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
	}
	if got := strings.Fields(string(list)); len(got) != len(files)+len(dirs) {
		return fmt.Errorf("rpm -qpl lists %d paths, the query %d", len(got), len(files)+len(dirs))
	}
	var want []string
	for _, f := range debFiles {
		if r, ok := rpmOnlyPaths[f]; ok {
			f = r
		}
		want = append(want, f)
	}
	slices.Sort(want)
	slices.Sort(files)
	if !slices.Equal(files, want) {
		return fmt.Errorf("the .rpm's files %q differ from the .deb's %q", files, want)
	}
	for _, d := range []string{"/usr/libexec/netguard", "/usr/share/doc/netguard"} {
		if !slices.Contains(dirs, d) {
			return fmt.Errorf("%s does not own %s", rpm, d)
		}
	}
	return nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
