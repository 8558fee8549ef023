package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// wantKV fails the test unless key holds value at now.
func wantKV(t *testing.T, s recruit.Store, key, value string, now time.Time) {
	t.Helper()
	got, err := s.GetKV(context.Background(), key, now)
	if err != nil || got != value {
		t.Errorf("GetKV(%q) at %v = %q, %v; want %q", key, now, got, err, value)
	}
}

// wantNoKV fails the test unless key is absent at now.
func wantNoKV(t *testing.T, s recruit.Store, key string, now time.Time) {
	t.Helper()
	_, err := s.GetKV(context.Background(), key, now)
	wantErr(t, fmt.Sprintf("GetKV(%q) at %v", key, now), err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoKV))
}

func testKV(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	wantNoKV(t, s, "session:a", t0)

	must(t, "SetKV", s.SetKV(ctx, "session:a", "v1", time.Minute, t0))
	wantKV(t, s, "session:a", "v1", t0)
	wantKV(t, s, "session:a", "v1", t0.Add(59*time.Second))
	wantNoKV(t, s, "session:a", t0.Add(time.Minute))

	must(t, "SetKV replace", s.SetKV(ctx, "session:a", "v2", 0, t0))
	wantKV(t, s, "session:a", "v2", t0.AddDate(50, 0, 0))

	must(t, "SetKV", s.SetKV(ctx, "session:b", "other", time.Hour, t0))
	must(t, "DeleteKV", s.DeleteKV(ctx, "session:a"))
	wantNoKV(t, s, "session:a", t0)
	wantKV(t, s, "session:b", "other", t0)
	must(t, "DeleteKV of an absent key", s.DeleteKV(ctx, "session:a"))
}

func testKVAdd(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	add := func(key, value string, ttl time.Duration, now time.Time, want bool) {
		t.Helper()
		got, err := s.AddKV(ctx, key, value, ttl, now)
		must(t, "AddKV", err)
		if got != want {
			t.Errorf("AddKV(%q, %q) at %v = %v, want %v", key, value, now, got, want)
		}
	}
	add("dedup:1", "first", time.Minute, t0, true)
	add("dedup:1", "second", time.Minute, t0.Add(30*time.Second), false)
	wantKV(t, s, "dedup:1", "first", t0.Add(30*time.Second))
	add("dedup:1", "third", time.Minute, t0.Add(time.Minute), true)
	wantKV(t, s, "dedup:1", "third", t0.Add(time.Minute))
	wantNoKV(t, s, "dedup:1", t0.Add(2*time.Minute))

	add("forever", "a", 0, t0, true)
	add("forever", "b", time.Minute, t0.AddDate(10, 0, 0), false)

	// Of concurrent callers exactly one wins an absent key and an expired one.
	must(t, "SetKV", s.SetKV(ctx, "lease:old", "old", time.Minute, t0.Add(-time.Minute)))
	for _, key := range []string{"lease:job", "lease:old"} {
		const callers = 20
		won := make([]bool, callers)
		race(callers, func(i int) {
			ok, err := s.AddKV(ctx, key, fmt.Sprintf("worker-%d", i), time.Minute, t0)
			if err != nil {
				t.Errorf("AddKV: %v", err)
			}
			won[i] = ok
		})
		winner := onlyWinner(t, "concurrent AddKV callers of "+key, won)
		wantKV(t, s, key, fmt.Sprintf("worker-%d", winner), t0)
	}
}

func testKVIncr(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	incr := func(key string, ttl time.Duration, now time.Time, want int64) {
		t.Helper()
		got, err := s.IncrKV(ctx, key, ttl, now)
		must(t, "IncrKV", err)
		if got != want {
			t.Errorf("IncrKV(%q) at %v = %d, want %d", key, now, got, want)
		}
	}
	incr("rate:a", time.Minute, t0, 1)
	incr("rate:a", time.Minute, t0.Add(10*time.Second), 2)
	incr("rate:a", time.Minute, t0.Add(59*time.Second), 3)
	// The window is fixed by the first increment: it ends at t0+1m.
	incr("rate:a", time.Minute, t0.Add(time.Minute), 1)
	incr("rate:a", time.Minute, t0.Add(90*time.Second), 2)
	incr("rate:a", time.Minute, t0.Add(2*time.Minute), 1)
	incr("rate:b", 0, t0, 1)
	incr("rate:b", 0, t0.AddDate(5, 0, 0), 2)

	const callers = 20
	got := make([]int64, callers)
	race(callers, func(i int) {
		n, err := s.IncrKV(ctx, "rate:race", time.Minute, t0)
		if err != nil {
			t.Errorf("IncrKV: %v", err)
		}
		got[i] = n
	})
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("concurrent IncrKV results %v, want 1..%d each once", got, callers)
		}
	}
	must(t, "DeleteKV", s.DeleteKV(ctx, "rate:race"))
	incr("rate:race", time.Minute, t0, 1)
}

// PurgeExpiredKV removes exactly the records expired at now, once.
func testKVPurge(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	for key, ttl := range map[string]time.Duration{"short": time.Minute, "long": time.Hour, "forever": 0} {
		must(t, "SetKV", s.SetKV(ctx, key, "v", ttl, t0))
	}
	_, err := s.IncrKV(ctx, "counter", time.Minute, t0)
	must(t, "IncrKV", err)
	_, err = s.AddKV(ctx, "lease", "me", 2*time.Minute, t0)
	must(t, "AddKV", err)
	later := t0.Add(2 * time.Minute) // short, counter and lease have expired
	n, err := s.PurgeExpiredKV(ctx, later)
	must(t, "PurgeExpiredKV", err)
	if n != 3 {
		t.Errorf("PurgeExpiredKV removed %d records, want 3", n)
	}
	if n, err := s.PurgeExpiredKV(ctx, later); err != nil || n != 0 {
		t.Errorf("PurgeExpiredKV again = %d, %v; want 0", n, err)
	}
	wantKV(t, s, "long", "v", later)
	wantKV(t, s, "forever", "v", t0.AddDate(50, 0, 0))
	// Removed, not merely expired: the lease's key is free at its old time.
	if ok, err := s.AddKV(ctx, "lease", "other", time.Minute, t0); err != nil || !ok {
		t.Errorf("AddKV of a purged key at a time it was live = %v, %v; want true", ok, err)
	}
	if n, err := s.IncrKV(ctx, "counter", time.Minute, t0); err != nil || n != 1 {
		t.Errorf("IncrKV of a purged counter = %d, %v; want 1", n, err)
	}
}
