package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// acquire fails the test unless AcquireLease answers want.
func acquire(t *testing.T, s recruit.Store, name, owner string, until, now time.Time, want bool) {
	t.Helper()
	got, err := s.AcquireLease(context.Background(), name, owner, until, now)
	must(t, "AcquireLease", err)
	if got != want {
		t.Errorf("AcquireLease(%q, %q) at %v until %v = %v, want %v", name, owner, now, until, got, want)
	}
}

func testLeases(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	m := time.Minute
	acquire(t, s, "job:a", "one", t0.Add(m), t0, true)
	acquire(t, s, "job:a", "two", t0.Add(m), t0.Add(30*time.Second), false)
	acquire(t, s, "job:b", "two", t0.Add(m), t0, true) // leases are independent

	// Renewal by the owner, before and after expiry, extends the lease.
	acquire(t, s, "job:a", "one", t0.Add(3*m), t0.Add(50*time.Second), true)
	acquire(t, s, "job:a", "two", t0.Add(5*m), t0.Add(2*m), false)
	// Shortening is a renewal too; at the new expiry the lease is free.
	acquire(t, s, "job:a", "one", t0.Add(2*m+time.Second), t0.Add(2*m), true)
	acquire(t, s, "job:a", "two", t0.Add(5*m), t0.Add(2*m+500*time.Millisecond), false)
	acquire(t, s, "job:a", "two", t0.Add(5*m), t0.Add(2*m+time.Second), true)
	// The previous owner, crashed and back, has lost it.
	acquire(t, s, "job:a", "one", t0.Add(6*m), t0.Add(3*m), false)

	// Only the owner releases; a release frees the lease at once.
	must(t, "ReleaseLease by another owner", s.ReleaseLease(ctx, "job:a", "one"))
	acquire(t, s, "job:a", "three", t0.Add(6*m), t0.Add(3*m), false)
	must(t, "ReleaseLease", s.ReleaseLease(ctx, "job:a", "two"))
	acquire(t, s, "job:a", "three", t0.Add(6*m), t0.Add(3*m), true)
	must(t, "ReleaseLease of an absent lease", s.ReleaseLease(ctx, "job:none", "two"))

	// Bad input.
	for _, c := range []struct {
		name, owner string
		until       time.Time
	}{{"", "one", t0.Add(m)}, {"job:c", "", t0.Add(m)}, {"job:c", "one", t0}, {"job:c", "one", t0.Add(-m)}} {
		held, err := s.AcquireLease(ctx, c.name, c.owner, c.until, t0)
		wantErr(t, fmt.Sprintf("AcquireLease(%q, %q, %v)", c.name, c.owner, c.until), err, recruit.CheckLease("", "", t0, t0))
		if held {
			t.Errorf("AcquireLease(%q, %q, %v) held a refused lease", c.name, c.owner, c.until)
		}
	}
	acquire(t, s, "job:c", "two", t0.Add(m), t0, true) // nothing was written by the refusals
}

func testConcurrentLeases(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	acquire(t, s, "job:expired", "old", t0.Add(-time.Second), t0.Add(-time.Minute), true)
	for _, name := range []string{"job:new", "job:expired"} {
		const callers = 20
		won := make([]bool, callers)
		race(callers, func(i int) {
			ok, err := s.AcquireLease(ctx, name, fmt.Sprintf("instance-%d", i), t0.Add(time.Minute), t0)
			if err != nil {
				t.Errorf("AcquireLease: %v", err)
			}
			won[i] = ok
		})
		winner := onlyWinner(t, "concurrent owners of "+name, won)
		// The winner is the holder: it renews, nobody else gets in.
		acquire(t, s, name, fmt.Sprintf("instance-%d", winner), t0.Add(2*time.Minute), t0.Add(time.Second), true)
		acquire(t, s, name, fmt.Sprintf("instance-%d", (winner+1)%callers), t0.Add(2*time.Minute), t0.Add(time.Second), false)
	}
}

// onlyWinner fails the test unless exactly one of the racers won, and
// returns its index.
func onlyWinner(t *testing.T, what string, won []bool) int {
	t.Helper()
	winner, n := -1, 0
	for i, ok := range won {
		if ok {
			winner, n = i, n+1
		}
	}
	if n != 1 {
		t.Fatalf("%d of %d %s won, want exactly 1", n, len(won), what)
	}
	return winner
}
