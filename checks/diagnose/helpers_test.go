package diagnose

import (
	"os"
	"testing"
)

// readTestSource is the source of the diagnosis tests: the network ones
// and the local-configuration ones.
func readTestSource(t *testing.T) string {
	t.Helper()
	var all []byte
	for _, f := range []string{"diagnose_test.go", "diagnose_local_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return string(all)
}
