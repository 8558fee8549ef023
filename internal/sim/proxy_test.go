package sim

import (
	"strings"
	"testing"
)

// TestClientAddrs gives distinct applicants distinct private addresses.
func TestClientAddrs(t *testing.T) {
	seen := map[string]int{}
	for _, i := range []int{0, 1, 255, 256, 65535, 65536, 1 << 20} {
		a := ClientAddr(i)
		if prev, dup := seen[a]; dup || !strings.HasPrefix(a, "10.") {
			t.Errorf("ClientAddr(%d) = %s (also %d)", i, a, prev)
		}
		seen[a] = i
	}
}
