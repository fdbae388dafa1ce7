//go:build linux

package main

import (
	"os"
	"testing"

	"github.com/netguard/netguard/guard/internal/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.RemoveBuild()
	os.Exit(code)
}
