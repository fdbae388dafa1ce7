//go:build !windows

// The import check lists the packages of all three OSes at once (GOOS is
// set per go list), so it needs the go command of the host that builds,
// not a run on each OS: Windows binaries are tested under Wine, which has
// no Go toolchain.

package diagnose

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pureImports are the only packages diagnose and netstate may import
// directly: none of them opens a file, a socket or a process, so a
// diagnosis is a function of its State on every OS. netstate also needs
// syscall for the errno values it classifies and net for HardwareAddr and
// JoinHostPort, neither of which does I/O.
var pureImports = []string{
	"bytes", "cmp", "context", "errors", "fmt", "maps", "net/netip", "net/url", "runtime",
	"slices", "sort", "strconv", "strings", "sync", "time", "unicode", "unicode/utf8",
	"github.com/netguard/netguard/checks/netstate",
}

var netstateOnly = []string{"net", "syscall"}

// TestDiagnoseImportsNoIO holds the diagnosis pure by its imports, for
// every OS it is built for: a judge that wanted to read a file or send a
// probe could not compile in without this test failing. The transitive
// deps are checked for the module's own packages and golang.org/x, since
// the standard library's fmt already depends on os.
func TestDiagnoseImportsNoIO(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("go command not found: %v", err)
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, pkg := range []string{".", "../netstate"} {
			imports := goList(t, goos, "{{join .Imports \"\\n\"}}", pkg)
			for _, imp := range imports {
				ok := slices.Contains(pureImports, imp) || (pkg != "." && slices.Contains(netstateOnly, imp))
				if !ok {
					t.Errorf("%s: %s imports %s, which is not on the pure list", goos, pkg, imp)
				}
			}
		}
		for _, dep := range goList(t, goos, "{{.ImportPath}}", "-deps", ".") {
			if strings.HasPrefix(dep, "golang.org/x/") || dep == "os/exec" ||
				(strings.HasPrefix(dep, "github.com/netguard/netguard/") && !strings.HasSuffix(dep, "/checks/netstate") && !strings.HasSuffix(dep, "/checks/diagnose")) {
				t.Errorf("%s: diagnose depends on %s", goos, dep)
			}
		}
	}
}

func goList(t *testing.T, goos, format string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", format}, args...)...)
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s for %s: %v", args, goos, err)
	}
	return strings.Fields(string(out))
}
