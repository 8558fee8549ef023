package main

import (
	"slices"
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

// TestTurnOrder checks that compare measures the board and its two
// references back to back, and the 304 and the trivial handler, each
// target at each end of its group equally often, and that every ratio's
// two targets are of one group.
func TestTurnOrder(t *testing.T) {
	groups := [][]int{{0, 1, 2}, {3, 4}}
	group := map[int]int{0: 0, 1: 0, 2: 0, 3: 1, 4: 1}
	first := map[int]int{} // target → rounds it began its group
	for r := range 4 {
		o := turnOrder(r)
		if len(o) != 5 || !slices.Equal(sorted(o[:3]), groups[0]) || !slices.Equal(sorted(o[3:]), groups[1]) {
			t.Fatalf("round %d: order %v does not keep the groups back to back", r, o)
		}
		first[o[0]]++
		first[o[3]]++
	}
	for _, target := range []int{0, 2, 3, 4} {
		if first[target] != 2 {
			t.Errorf("target %d began its group in %d of 4 rounds, want 2", target, first[target])
		}
	}
	for _, p := range ratios {
		if group[p[0]] != group[p[1]] {
			t.Errorf("ratio of targets %v compares two groups", p)
		}
	}
}

// sorted returns a sorted copy of s.
func sorted(s []int) []int { return slices.Sorted(slices.Values(s)) }

// TestBaselineOf checks that compare's rounds share the baselines equally
// and ask each in both orders of turnOrder.
func TestBaselineOf(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		rounds := 2 * n
		orders := map[[2]int]int{} // baseline, order (r%2) → rounds
		for r := range rounds {
			b := baselineOf(r, n)
			if b < 0 || b >= n {
				t.Fatalf("%d baselines: round %d asks baseline %d", n, r, b)
			}
			orders[[2]int{b, r % 2}]++
		}
		for b := range n {
			for o := range 2 {
				if got := orders[[2]int{b, o}]; got != 1 {
					t.Errorf("%d baselines, %d rounds: baseline %d in order %d %d times, want 1", n, rounds, b, o, got)
				}
			}
		}
	}
}

// TestParseBaselines checks the -baseline and -baseline-pid lists.
func TestParseBaselines(t *testing.T) {
	var c config
	if err := c.parseBaselines("http://a,http://b", "12,34"); err != nil || len(c.baselines) != 2 || c.baselines[1] != "http://b" || c.baselinePIDs[0] != 12 || c.baselinePIDs[1] != 34 {
		t.Errorf("two baselines: %v %v (%v)", c.baselines, c.baselinePIDs, err)
	}
	if err := c.parseBaselines("http://a", ""); err != nil || len(c.baselinePIDs) != 1 || c.baselinePIDs[0] != 0 {
		t.Errorf("no ids: %v (%v)", c.baselinePIDs, err)
	}
	for _, pids := range []string{"12", "12,x", "12,-1"} {
		if err := c.parseBaselines("http://a,http://b", pids); err == nil {
			t.Errorf("-baseline-pid %q for two baselines: no error", pids)
		}
	}
}
