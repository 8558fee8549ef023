package notify_test

import (
	"context"
	"testing"

	"zhupei/notify"
)

// BenchmarkSender measures the sender's throughput against the sandbox
// over real HTTP and the SQLite store, rate limit lifted: claim, look up
// the recipient, send, record, per message.
func BenchmarkSender(b *testing.B) {
	e := newEnv(b)
	ids := e.applicants(b, b.N, true)
	e.roundOpened(b, ids)
	cfg := notify.Config{Rate: 1e6, Workers: 4}.WithDefaults(true)
	s := notify.New(notify.Deps{Store: e.db, WeChat: e.client(b), Config: cfg, Owner: "bench", Now: e.clock.Now, Log: quiet})
	b.ResetTimer()
	n, err := s.Run(context.Background())
	b.StopTimer()
	if err != nil || n != b.N {
		b.Fatalf("Run = %d, %v; want %d", n, err, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
