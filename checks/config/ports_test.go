package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netguard/netguard/checks"
	"github.com/netguard/netguard/checks/checkstest/wine"
)

func TestPortsKey(t *testing.T) {
	v, err := ParseFile(".netguard.yaml", []byte("ports: [5432, \"127.0.0.1:8080\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := checks.DefaultOptions()
	v.Apply(&o)
	if len(o.Ports) != 2 || o.Ports[0].String() != "5432" || o.Ports[1].String() != "127.0.0.1:8080" {
		t.Fatalf("ports = %v", o.Ports)
	}
	env, err := FromEnv(func(k string) string { return map[string]string{"NETGUARD_PORTS": "3000,3001"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	env.Apply(&o)
	if len(o.Ports) != 2 || o.Ports[0].Port != 3000 {
		t.Fatalf("env ports = %v", o.Ports)
	}
	for _, bad := range []string{"ports: 0\n", "ports: 70000\n", "ports: [db]\n", "ports: {a: 1}\n", "ports: \"localhost:80\"\n"} {
		_, err := ParseFile(".netguard.yaml", []byte(bad))
		if err == nil || !strings.Contains(err.Error(), ".netguard.yaml:1: ports") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want a one-line error at .netguard.yaml:1 naming ports", bad, err)
		}
	}
	if _, err := FromEnv(func(k string) string { return map[string]string{"NETGUARD_PORTS": "5432,x"}[k] }); err == nil || !strings.HasPrefix(err.Error(), "NETGUARD_PORTS: ports:") {
		t.Errorf("bad NETGUARD_PORTS: %v", err)
	}
}

// Load hands the proxy variables of the environment to the checks, and
// only those.
func TestLoadProxyEnv(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "no_proxy": "localhost", "HOME": "/root"}
	// An explicit (empty) file: no user config is searched for.
	cfg := filepath.Join(wine.TempDir(t), "netguard.yaml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := Load(cfg, Env{Getenv: func(k string) string { return env[k] }, UID: os.Getuid()})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.ProxyEnv) != 2 || o.ProxyEnv["HTTPS_PROXY"] != "http://127.0.0.1:7890" || o.ProxyEnv["no_proxy"] != "localhost" {
		t.Fatalf("ProxyEnv = %v", o.ProxyEnv)
	}
}
