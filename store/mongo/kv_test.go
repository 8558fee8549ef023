package mongo

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"zhupei/recruit"
)

func TestKVExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		if err := db.SetKV(ctx, "session", "v1", time.Minute, t0); err != nil {
			t.Fatal(err)
		}
		if v, err := db.GetKV(ctx, "session", t0.Add(59*time.Second)); err != nil || v != "v1" {
			t.Errorf("live record: %q, %v", v, err)
		}
		if _, err := db.GetKV(ctx, "session", t0.Add(time.Minute)); recruit.ErrorCode(err) != recruit.ENOTFOUND {
			t.Errorf("record at its expiry: %v, want ENOTFOUND", err)
		}
		if ok, err := db.AddKV(ctx, "session", "v2", time.Minute, t0.Add(30*time.Second)); err != nil || ok {
			t.Errorf("AddKV over a live record: %v, %v", ok, err)
		}
		if ok, err := db.AddKV(ctx, "session", "v3", 0, t0.Add(time.Minute)); err != nil || !ok {
			t.Errorf("AddKV over an expired record: %v, %v", ok, err)
		}
		if v, err := db.GetKV(ctx, "session", t0.AddDate(100, 0, 0)); err != nil || v != "v3" {
			t.Errorf("record without expiry: %q, %v", v, err)
		}
		if err := db.DeleteKV(ctx, "session"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteKV(ctx, "session"); err != nil {
			t.Errorf("deleting an absent record: %v", err)
		}
		if _, err := db.GetKV(ctx, "session", t0); recruit.ErrorCode(err) != recruit.ENOTFOUND {
			t.Errorf("deleted record: %v", err)
		}
	})
}

func TestIncrKVWindow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		for i, at := range []time.Duration{0, time.Second, 9 * time.Second, 10 * time.Second, 11 * time.Second} {
			n, err := db.IncrKV(ctx, "rate", 10*time.Second, t0.Add(at))
			if err != nil {
				t.Fatal(err)
			}
			want := []int64{1, 2, 3, 1, 2}[i] // the window started at t0 ends at t0+10s
			if n != want {
				t.Errorf("increment %d at +%v: %d, want %d", i, at, n, want)
			}
		}
	})
}

func TestKVConcurrency(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		const n = 20
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			wins  int
			seen  []int64
			later = t0.Add(time.Hour)
		)
		if err := db.SetKV(ctx, "lease", "old", time.Minute, t0); err != nil {
			t.Fatal(err)
		}
		for range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				ok, err := db.AddKV(ctx, "lease", "new", time.Minute, later)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins++
				}
			}()
			go func() {
				defer wg.Done()
				v, err := db.IncrKV(ctx, "counter", time.Minute, t0)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				}
				seen = append(seen, v)
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d AddKV callers won an expired key, want 1", wins)
		}
		sort.Slice(seen, func(i, j int) bool { return seen[i] < seen[j] })
		for i, v := range seen {
			if v != int64(i+1) {
				t.Fatalf("IncrKV results %v, want 1..%d", seen, n)
			}
		}
	})
}
