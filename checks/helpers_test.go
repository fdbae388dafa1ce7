package checks

import (
	"os"
	"testing"
)

func readTestSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("diagnose_test.go")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
