package sys

import (
	"testing"

	"github.com/netguard/netguard/checks/netstate"
)

// The clock read's own work, part of the local collectors' few
// microseconds (README, Speed).
func BenchmarkLocalCollectors(b *testing.B) {
	b.Run("clock", func(b *testing.B) {
		ls, ok := New().(netstate.LocalSystem)
		if !ok {
			b.Skip("no LocalSystem on this OS")
		}
		for b.Loop() {
			ls.Clock()
		}
	})
}
