package testcal

import (
	"testing"
	"time"

	"zhupei/recruit"
)

func TestIn(t *testing.T) {
	now := time.Date(2025, time.July, 5, 10, 0, 0, 0, recruit.Shanghai)
	for _, p := range phases {
		if got := In(now, p).PhaseAt(now); got != p {
			t.Errorf("In(now, %s) puts now in %s", p, got)
		}
	}
}
