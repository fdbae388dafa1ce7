package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/checks/textreport"
	"github.com/netguard/netguard/hooks"
	"go.yaml.in/yaml/v3"
)

// --- VS Code ---------------------------------------------------------------

type vscodeTasks struct {
	Version string `json:"version"`
	Tasks   []struct {
		Label          string   `json:"label"`
		Type           string   `json:"type"`
		Command        string   `json:"command"`
		Args           []string `json:"args"`
		ProblemMatcher struct {
			Owner   string `json:"owner"`
			Pattern struct {
				Regexp   string `json:"regexp"`
				Kind     string `json:"kind"`
				Severity int    `json:"severity"`
				File     int    `json:"file"`
				Code     int    `json:"code"`
				Message  int    `json:"message"`
			} `json:"pattern"`
		} `json:"problemMatcher"`
	} `json:"tasks"`
}

func readJSONC(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := stripJSONC(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// netguardTask is the task launch.json's preLaunchTask names, and the Go
// form of its problem matcher's regexp.
func netguardTask(t *testing.T) (task string, args []string, re *regexp.Regexp, sev, code, msg int) {
	t.Helper()
	var tasks vscodeTasks
	readJSONC(t, "vscode/.vscode/tasks.json", &tasks)
	var launch struct {
		Configurations []struct {
			Name          string `json:"name"`
			PreLaunchTask string `json:"preLaunchTask"`
		} `json:"configurations"`
	}
	readJSONC(t, "vscode/.vscode/launch.json", &launch)
	if tasks.Version != "2.0.0" || len(launch.Configurations) == 0 {
		t.Fatalf("tasks version %q, %d launch configurations", tasks.Version, len(launch.Configurations))
	}
	pre := launch.Configurations[0].PreLaunchTask
	for _, tk := range tasks.Tasks {
		if tk.Label != pre {
			continue
		}
		if tk.Command != "guard" || len(tk.Args) == 0 || tk.Args[0] != "check" {
			t.Errorf("task %q runs %s %v, want guard check", pre, tk.Command, tk.Args)
		}
		p := tk.ProblemMatcher.Pattern
		// VS Code's regexps are JavaScript's; this one uses only syntax
		// both share, so Go's compiler stands in for it.
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			t.Fatalf("problem matcher regexp: %v", err)
		}
		for name, g := range map[string]int{"severity": p.Severity, "file": p.File, "code": p.Code, "message": p.Message} {
			if g < 1 || g > re.NumSubexp() {
				t.Errorf("problem matcher %s group %d: the regexp has %d groups", name, g, re.NumSubexp())
			}
		}
		if p.Kind != "file" || tk.ProblemMatcher.Owner == "" {
			t.Errorf("problem matcher kind %q owner %q", p.Kind, tk.ProblemMatcher.Owner)
		}
		return pre, tk.Args, re, p.Severity, p.Code, p.Message
	}
	t.Fatalf("launch.json's preLaunchTask %q is not a task in tasks.json", pre)
	return
}

func TestVSCode(t *testing.T) {
	_, _, re, sev, code, msg := netguardTask(t)
	// The lines of the one formatter (checks/textreport) that guard, watch
	// and the mage targets print; lab_test.go matches real output too.
	for _, f := range []checks.Finding{
		{ID: "no-default-route", Severity: checks.SevError, Summary: "no default route"},
		{ID: "icmp-blocked", Severity: checks.SevWarning, Summary: "ICMP gets no answer, TCP does: a firewall drops it"},
	} {
		line := textreport.FindingLine(f).String()
		m := re.FindStringSubmatch(line)
		if m == nil || m[sev] != map[checks.Severity]string{checks.SevError: "FAIL", checks.SevWarning: "WARN"}[f.Severity] || m[code] != f.ID || m[msg] != f.Summary {
			t.Errorf("%q: matched %q", line, m)
		}
	}
	rep := &checks.Report{Verdict: checks.Unhealthy, Summary: "no default route: nothing is reachable", DurationMS: 3,
		Checks:      []checks.CheckResult{{ID: "link", Status: checks.StatusPass, Detail: "eth0 up"}, {ID: "route", Status: checks.StatusFail, Detail: "no default route"}},
		Findings:    []checks.Finding{{ID: "no-default-route", Severity: checks.SevError, Summary: "no default route"}, {ID: "gateway-silent", Severity: checks.SevInfo, Summary: "x: y"}},
		ManualSteps: []string{"sudo ip route add default via 192.0.2.1: check"}}
	var matched []string
	for _, l := range textreport.Lines(rep, textreport.Options{Verbose: true, Explain: "guard explain"}) {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			matched = append(matched, m[code])
		}
	}
	if !slices.Equal(matched, []string{"no-default-route"}) {
		t.Errorf("the matcher took %q from a whole report, want only the error finding", matched)
	}
	var settings map[string]any
	readJSONC(t, "vscode/.vscode/settings.json", &settings)
	if settings["debug.onTaskErrors"] != "abort" {
		t.Errorf("settings.json: debug.onTaskErrors = %v", settings["debug.onTaskErrors"])
	}
}

// --- JetBrains ----------------------------------------------------------

type runConfig struct {
	XMLName xml.Name `xml:"component"`
	Name    string   `xml:"name,attr"`
	Config  struct {
		Name    string `xml:"name,attr"`
		Type    string `xml:"type,attr"`
		Options []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"option"`
		Method struct {
			V       string `xml:"v,attr"`
			Options []struct {
				Name    string `xml:"name,attr"`
				Enabled bool   `xml:"enabled,attr"`
				RunName string `xml:"run_configuration_name,attr"`
				RunType string `xml:"run_configuration_type,attr"`
			} `xml:"option"`
		} `xml:"method"`
	} `xml:"configuration"`
}

func TestJetBrains(t *testing.T) {
	files, err := filepath.Glob("jetbrains/.run/*.run.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no run configurations: %v", err)
	}
	byName := map[string]runConfig{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rc runConfig
		if err := xml.Unmarshal(data, &rc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rc.Name != "ProjectRunConfigurationManager" || rc.Config.Name == "" || rc.Config.Type == "" || rc.Config.Method.V != "2" {
			t.Errorf("%s: not a shareable run configuration: %+v", f, rc)
		}
		byName[rc.Config.Name] = rc
	}
	before := 0
	for _, rc := range byName {
		for _, o := range rc.Config.Method.Options {
			if o.Name != "RunConfigurationTask" || !o.Enabled {
				continue
			}
			before++
			target, ok := byName[o.RunName]
			if !ok || target.Config.Type != o.RunType {
				t.Errorf("%q runs %q (%s) before launch: no such configuration", rc.Config.Name, o.RunName, o.RunType)
				continue
			}
			var script string
			for _, opt := range target.Config.Options {
				if opt.Name == "SCRIPT_TEXT" {
					script = opt.Value
				}
			}
			if target.Config.Type != "ShConfigurationType" || !strings.HasPrefix(script, "guard check") {
				t.Errorf("before-launch %q is %s running %q, want a shell script running guard check", o.RunName, target.Config.Type, script)
			}
		}
	}
	if before == 0 {
		t.Error("no configuration runs netguard before launch")
	}
}

// --- Compose ------------------------------------------------------------

func TestCompose(t *testing.T) {
	wd, err := filepath.Abs("compose")
	if err != nil {
		t.Fatal(err)
	}
	// The loader `docker compose` itself uses, schema validation included.
	opts, err := cli.NewProjectOptions([]string{filepath.Join(wd, "compose.yaml")},
		cli.WithWorkingDirectory(wd), cli.WithEnv([]string{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := opts.LoadProject(ctx)
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	ng, ok := p.Services["netguard"]
	if !ok {
		t.Fatal("no netguard service")
	}
	if ng.NetworkMode != "host" {
		t.Errorf("netguard network_mode %q, want host: a bridge network would hide the host's", ng.NetworkMode)
	}
	if len(ng.Command) == 0 || ng.Command[0] != "check" {
		t.Errorf("netguard command %q, want check", ng.Command)
	}
	if !slices.Contains(ng.CapAdd, "NET_RAW") {
		t.Errorf("netguard cap_add %v lacks NET_RAW", ng.CapAdd)
	}
	if ng.Build == nil {
		t.Fatal("netguard has no build")
	}
	repoRoot, _ := filepath.Abs("..")
	if ng.Build.Context != repoRoot {
		t.Errorf("build context %s, want the repository root %s", ng.Build.Context, repoRoot)
	}
	df, err := os.ReadFile(filepath.Join(ng.Build.Context, ng.Build.Dockerfile))
	if err != nil {
		t.Fatalf("dockerfile: %v", err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "./guard", "FROM scratch", `ENTRYPOINT ["/guard"]`} {
		if !strings.Contains(string(df), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	buildFromDockerfileCopies(t, repoRoot, string(df))
	if ng.WorkingDir != "/project" || len(ng.Volumes) != 1 || ng.Volumes[0].Target != "/project" || !ng.Volumes[0].ReadOnly {
		t.Errorf("netguard must run in the project directory, mounted read-only, to read its .netguard.yaml: working_dir %q volumes %+v", ng.WorkingDir, ng.Volumes)
	}
	for _, key := range config.Keys {
		if _, ok := ng.Environment[config.EnvName(key)]; !ok {
			t.Errorf("compose.yaml does not pass %s", config.EnvName(key))
		}
	}
	if _, ok := ng.Environment["NETGUARD_SKIP"]; !ok {
		t.Error("compose.yaml does not pass NETGUARD_SKIP")
	}
	gated := 0
	for name, s := range p.Services {
		if name == "netguard" {
			continue
		}
		dep, ok := s.DependsOn["netguard"]
		if !ok || dep.Condition != "service_completed_successfully" || !dep.Required {
			t.Errorf("service %s: depends_on netguard = %+v, want condition service_completed_successfully", name, dep)
			continue
		}
		gated++
	}
	if gated == 0 {
		t.Error("no service waits for netguard")
	}
}

// buildFromDockerfileCopies builds guard from exactly what the build
// stage's COPY lines copy, placed where they copy it, in an empty
// directory: a package guard imports that the Dockerfile forgets fails
// here rather than in a user's docker build. The module cache stands in
// for `go mod download`, with the network off.
func buildFromDockerfileCopies(t *testing.T, repoRoot, dockerfile string) {
	t.Helper()
	dir := t.TempDir()
	var copied []string
	for _, line := range strings.Split(dockerfile, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.EqualFold(f[0], "COPY") {
			continue
		}
		if strings.HasPrefix(f[1], "--from") {
			continue // from another stage, not the build context
		}
		if len(f) < 3 {
			t.Fatalf("Dockerfile: COPY without a destination: %q", line)
		}
		dst := f[len(f)-1]
		for _, src := range f[1 : len(f)-1] {
			target := filepath.Join(dir, dst)
			if strings.HasSuffix(dst, "/") {
				target = filepath.Join(dir, dst, filepath.Base(src))
			}
			if err := os.CopyFS(target, os.DirFS(filepath.Join(repoRoot, src))); err != nil {
				// A single file: CopyFS wants a directory.
				data, rerr := os.ReadFile(filepath.Join(repoRoot, src))
				if rerr != nil {
					t.Fatalf("Dockerfile copies %s: %v", src, rerr)
				}
				if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(target, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			copied = append(copied, src)
		}
	}
	if !slices.Contains(copied, "go.mod") || !slices.Contains(copied, "guard") {
		t.Fatalf("the Dockerfile copies %q: no go.mod or guard", copied)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(t.TempDir(), "guard"), "./guard")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build from the Dockerfile's COPY set %q: %v\n%s", copied, err, out)
	}
}

// TestComposeCLI runs `docker compose config` when a Compose CLI is
// installed; it is skipped otherwise (so it never counts as a pass there).
func TestComposeCLI(t *testing.T) {
	var argv []string
	if out, err := exec.Command("docker", "compose", "version").CombinedOutput(); err == nil {
		argv = []string{"docker", "compose"}
	} else if _, lerr := exec.LookPath("docker-compose"); lerr == nil {
		argv = []string{"docker-compose"}
	} else {
		t.Skipf("no Compose CLI: `docker compose` failed (%v: %s) and docker-compose is not on PATH; the compose-go loader check (TestCompose) still ran", err, bytes.TrimSpace(out))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// config only parses and resolves: it needs no Docker engine.
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], "-f", "compose.yaml", "config")...)
	cmd.Dir = "compose"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s config: %v\n%s", strings.Join(argv, " "), err, out)
	}
	if !strings.Contains(string(out), "service_completed_successfully") || !strings.Contains(string(out), "network_mode: host") {
		t.Errorf("%s config output lacks the gate or host network:\n%s", strings.Join(argv, " "), out)
	}
}

// --- git hook managers ---------------------------------------------------

func TestGitHookManagers(t *testing.T) {
	var lh map[string]struct {
		Commands map[string]struct {
			Run string `yaml:"run"`
		} `yaml:"commands"`
	}
	readYAML(t, "git-hooks/lefthook.yml", &lh)
	for _, hook := range hooks.DefaultHooks {
		run := lh[hook].Commands["netguard"].Run
		if want := hooks.SnippetFor("lefthook", hook, false); !strings.Contains(want, "run: "+run+"\n") || run == "" {
			t.Errorf("lefthook.yml %s runs %q; guard hooks suggests:\n%s", hook, run, want)
		}
	}

	type preCommit struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Hooks []struct {
				ID            string   `yaml:"id"`
				Entry         string   `yaml:"entry"`
				Language      string   `yaml:"language"`
				PassFilenames *bool    `yaml:"pass_filenames"`
				Stages        []string `yaml:"stages"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	var pc preCommit
	readYAML(t, "git-hooks/.pre-commit-config.yaml", &pc)
	stages := map[string]string{}
	for _, r := range pc.Repos {
		for _, h := range r.Hooks {
			if r.Repo != "local" || h.Language != "system" || h.PassFilenames == nil || *h.PassFilenames {
				t.Errorf("pre-commit hook %s: repo %q language %q pass_filenames %v", h.ID, r.Repo, h.Language, h.PassFilenames)
			}
			for _, s := range h.Stages {
				stages[s] = h.Entry
			}
		}
	}
	for _, hook := range hooks.DefaultHooks {
		if !strings.Contains(stages[hook], hooks.CheckCommand) {
			t.Errorf("pre-commit stage %s runs %q", hook, stages[hook])
		}
	}
	if !strings.Contains(stages["pre-push"], "|| true") {
		t.Error("pre-commit pre-push must only warn by default, as guard hooks install does")
	}

	// What `guard hooks install` prints for a managed repository parses too.
	for _, hook := range hooks.DefaultHooks {
		var v1 map[string]any
		if err := yaml.Unmarshal([]byte(hooks.SnippetFor("lefthook", hook, false)), &v1); err != nil || v1[hook] == nil {
			t.Errorf("lefthook snippet for %s: %v %v", hook, err, v1)
		}
		var v2 preCommit
		if err := yaml.Unmarshal([]byte(hooks.SnippetFor("pre-commit", hook, false)), &v2); err != nil || len(v2.Repos) != 1 || !slices.Contains(v2.Repos[0].Hooks[0].Stages, hook) {
			t.Errorf("pre-commit snippet for %s: %v %+v", hook, err, v2)
		}
	}
	readme, err := os.ReadFile("git-hooks/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), hooks.SnippetFor("husky", "pre-push", false)) {
		t.Errorf("README's husky snippet differs from guard hooks':\n%s", hooks.SnippetFor("husky", "pre-push", false))
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// --- mage project ---------------------------------------------------------

var mageBuild struct {
	once sync.Once
	bin  string
	err  error
	out  []byte
}

// mageBinary builds the real mage from the module cache (mage is in
// go.mod), once per test process.
func mageBinary(t *testing.T) string {
	t.Helper()
	mageBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "netguard-mage-")
		if err != nil {
			mageBuild.err = err
			return
		}
		mageBuild.bin = filepath.Join(dir, "mage")
		mageBuild.out, mageBuild.err = exec.Command("go", "build", "-o", mageBuild.bin, "github.com/magefile/mage").CombinedOutput()
	})
	if mageBuild.err != nil {
		t.Fatalf("build mage: %v\n%s", mageBuild.err, mageBuild.out)
	}
	return mageBuild.bin
}

// mageProject copies examples/mage-project to a temporary directory, its
// replace directive pointed at this repository, so mage's generated files
// never land in the source tree. alias, when set, becomes the import's.
func mageProject(t *testing.T, alias string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir("mage-project", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("mage-project", p)
		switch rel {
		case "go.mod":
			data = bytes.Replace(data, []byte("=> ../.."), []byte("=> "+root), 1)
		case "magefile.go":
			if alias != "" {
				data = bytes.Replace(data, []byte("//mage:import\n"), []byte("//mage:import "+alias+"\n"), 1)
			}
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// mageEnv keeps mage's compiled magefiles out of the user's ~/.magefile.
func mageEnv(t *testing.T) []string {
	return append(os.Environ(), "MAGEFILE_CACHE="+filepath.Join(t.TempDir(), "magecache"))
}

func runMage(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mageBinary(t), args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("mage %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}

// TestMageImportedTargets: `mage -l` and `mage -h` on the imported
// targets, with and without an import alias. Lists only; runs no check.
func TestMageImportedTargets(t *testing.T) {
	for _, tc := range []struct{ alias, prefix string }{{"", ""}, {"netguard", "netguard:"}} {
		t.Run("alias="+tc.alias, func(t *testing.T) {
			dir := mageProject(t, tc.alias)
			env := mageEnv(t)
			out, errs, code := runMage(t, dir, env, "-l")
			if code != 0 {
				t.Fatalf("mage -l: exit %d\n%s%s\n(\"updates to go.mod needed\": run go mod tidy in examples/mage-project after changing the main go.mod)", code, out, errs)
			}
			for _, want := range []string{
				tc.prefix + "guard:check    stops the build when the network stack is unhealthy",
				tc.prefix + "guard:fix ",
				"start ",
			} {
				if !strings.Contains(out, "  "+want) {
					t.Errorf("mage -l lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(strings.ToLower(out), "require") {
				t.Errorf("mage -l lists Require, a library function:\n%s", out)
			}
			out, errs, code = runMage(t, dir, env, "-h", tc.prefix+"guard:check")
			if code != 0 || !strings.Contains(out, "NETGUARD_SKIP=1 skips it") || !strings.Contains(out, "mage "+tc.prefix+"guard:check") {
				t.Errorf("mage -h %sguard:check: exit %d\n%s%s", tc.prefix, code, out, errs)
			}
		})
	}
}
