package procstat

import (
	"testing"
	"time"
)

// TestParseStat reads utime + stime past a command name with spaces and
// parentheses, and refuses a cut line.
func TestParseStat(t *testing.T) {
	line := "4242 (zhupei (x) serve) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 12 0 100 0 0\n"
	if got, err := parseStat(line); err != nil || got != 2870*time.Millisecond {
		t.Errorf("parseStat = %v, %v; want 2.87s", got, err)
	}
	if _, err := parseStat("4242 (zhupei) S 1 2"); err == nil {
		t.Error("a cut line parsed")
	}
}
