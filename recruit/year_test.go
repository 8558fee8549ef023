package recruit

import (
	"testing"
	"time"
)

func TestDefaultCalendar(t *testing.T) {
	c := DefaultCalendar(2024)
	// Midnight Asia/Shanghai of Jul 1 is 16:00 UTC of Jun 30.
	if want := time.Date(2024, 6, 30, 16, 0, 0, 0, time.UTC); !c.Registration.Equal(want) {
		t.Fatalf("Registration = %v, want %v", c.Registration, want)
	}
	want := []time.Time{c.Registration, c.Round1, c.Round2, c.Adjustment, c.Confirmation, c.Closed}
	days := [][2]int{{7, 1}, {7, 11}, {8, 1}, {8, 11}, {8, 16}, {9, 1}}
	for i, d := range days {
		if got := want[i].In(Shanghai); got.Month() != time.Month(d[0]) || got.Day() != d[1] || got.Hour() != 0 {
			t.Errorf("phase start %d = %v, want %d-%d 00:00", i, got, d[0], d[1])
		}
	}
}

func TestPhaseAtBoundaries(t *testing.T) {
	c := DefaultCalendar(2024)
	starts := []struct {
		at    time.Time
		phase Phase
	}{
		{c.Registration, PhaseRegistration},
		{c.Round1, PhaseRound1},
		{c.Round2, PhaseRound2},
		{c.Adjustment, PhaseAdjustment},
		{c.Confirmation, PhaseConfirmation},
		{c.Closed, PhaseClosed},
	}
	prev := PhaseBefore
	for _, s := range starts {
		if got := c.PhaseAt(s.at.Add(-time.Nanosecond)); got != prev {
			t.Errorf("just before %s: PhaseAt = %s, want %s", s.phase, got, prev)
		}
		if got := c.PhaseAt(s.at); got != s.phase {
			t.Errorf("at the start of %s: PhaseAt = %s", s.phase, got)
		}
		prev = s.phase
	}
	if got := c.PhaseAt(time.Date(2025, 1, 1, 0, 0, 0, 0, Shanghai)); got != PhaseClosed {
		t.Errorf("next January: PhaseAt = %s, want closed", got)
	}
	if got := c.PhaseAt(time.Date(2024, 7, 10, 23, 59, 0, 0, Shanghai)); got != PhaseRegistration {
		t.Errorf("Jul 10 23:59 Shanghai: PhaseAt = %s, want registration", got)
	}
}

func TestPhaseLabels(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range allPhases {
		l := p.Label()
		if l == string(p) || seen[l] {
			t.Errorf("phase %s: label %q missing or repeated", p, l)
		}
		seen[l] = true
	}
	if Phase("x").Label() != "x" {
		t.Error("an unknown phase must label as itself")
	}
}

func TestChineseDate(t *testing.T) {
	// 16:00 UTC is already the next day in Shanghai.
	if got := ChineseDate(time.Date(2025, time.August, 3, 16, 0, 0, 0, time.UTC)); got != "2025年8月4日" {
		t.Errorf("ChineseDate = %q", got)
	}
	if got := ChineseDate(time.Time{}); got != "未设置" {
		t.Errorf("ChineseDate(zero) = %q", got)
	}
}
