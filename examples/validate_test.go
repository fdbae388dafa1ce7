package examples

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/netguard/netguard/checks/config"
	"github.com/netguard/netguard/hooks"
	"go.yaml.in/yaml/v3"
)

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
	// Root in the container reads the bind-mounted project file of the
	// uid SUDO_UID names; without it the file is another user's.
	for _, k := range []string{"SUDO_UID", "SUDO_GID"} {
		if v := ng.Environment[k]; v == nil || *v != "1000" {
			t.Errorf("compose.yaml %s = %v, want 1000 by default", k, v)
		}
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
