package notify_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"zhupei/notify"
)

// BenchmarkSender measures the sender's throughput against the sandbox
// over real HTTP and the SQLite store: claim, look up the recipient, send,
// record, per message. "unlimited" lifts the rate limit; "season" is the
// configuration of bench/season (1000 messages/s, 16 workers), and
// "season-loaded" adds writers that keep the store's one SQLite writer
// busy meanwhile, as the season's applicants do.
func BenchmarkSender(b *testing.B) {
	for _, c := range []struct {
		name    string
		rate    float64
		workers int
		writers int
	}{{"unlimited", 1e6, 4, 0}, {"season", 1000, 16, 0}, {"season-loaded", 1000, 16, 2}} {
		b.Run(fmt.Sprintf("%s/workers=%d", c.name, c.workers), func(b *testing.B) {
			e := newEnv(b)
			ids := e.applicants(b, b.N, true)
			e.roundOpened(b, ids)
			cfg := notify.Config{Rate: c.rate, Workers: c.workers}.WithDefaults(true)
			s := notify.New(notify.Deps{Store: e.db, WeChat: e.client(b), Config: cfg, Owner: "bench", Now: e.clock.Now, Log: quiet})
			ctx, stop := context.WithCancel(context.Background())
			var load sync.WaitGroup
			for w := range c.writers {
				load.Go(func() { writeUntil(ctx, b, e, w) })
			}
			b.ResetTimer()
			n, err := s.Run(context.Background())
			b.StopTimer()
			stop()
			load.Wait()
			if err != nil || n != b.N {
				b.Fatalf("Run = %d, %v; want %d", n, err, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// writeUntil writes to e's store, one commit after the other, until ctx
// ends.
func writeUntil(ctx context.Context, b *testing.B, e *env, w int) {
	key := fmt.Sprintf("bench:load:%d", w)
	for i := 0; ctx.Err() == nil; i++ {
		now := e.clock.Now()
		if err := e.db.SetKV(ctx, key, strconv.Itoa(i), time.Hour, now); err != nil && ctx.Err() == nil {
			b.Error(err)
			return
		}
	}
}
