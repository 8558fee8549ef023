package main

import (
	"testing"
	"time"
)

// TestPercentile checks the nearest-rank percentiles of the report.
func TestPercentile(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0.5: time.Millisecond} {
		if got := l.percentile(p); got != want {
			t.Errorf("p%v = %s, want %s", p, got, want)
		}
	}
	if got := (latencies{}).percentile(50); got != 0 {
		t.Errorf("empty p50 = %s", got)
	}
}

// TestTurnOrder checks that compare measures each pair back to back, each
// of a pair first in half the rounds.
func TestTurnOrder(t *testing.T) {
	first := map[int]int{} // target → rounds it was the first of its pair
	for r := range 4 {
		o := turnOrder(r)
		if len(o) != 4 || o[0]/2 != 0 || o[1]/2 != 0 || o[2]/2 != 1 || o[3]/2 != 1 {
			t.Fatalf("round %d: order %v does not keep the pairs back to back", r, o)
		}
		first[o[0]]++
		first[o[2]]++
	}
	for target := range 4 {
		if first[target] != 2 {
			t.Errorf("target %d was first of its pair in %d of 4 rounds, want 2", target, first[target])
		}
	}
}
