package sqlite

import (
	"context"
	"testing"
	"time"
)

// BenchmarkClaimNotifications claims a sender's batch (20) from a queue of
// 45,000 due notifications, as after make surge; each claimed row is put
// back in the queue at once so that every claim sees the whole queue.
func BenchmarkClaimNotifications(b *testing.B) {
	db := openTemp(b)
	ctx := context.Background()
	now := time.Date(2025, time.July, 2, 9, 0, 0, 0, time.UTC)
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45000)
		INSERT INTO notifications (kind, event_key, title, body, vals, state, attempts, next_at, created_at, updated_at)
		SELECT 'registered', 'surge-' || i, '报名成功', '', '{}', 'queued', 0, ?1 - i, ?1, ?1 FROM n`, nanos(now)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := db.ClaimNotifications(ctx, "bench", now, time.Minute, 20)
		if err != nil || len(got) != 20 {
			b.Fatalf("claimed %d, %v", len(got), err)
		}
		if _, err := db.write.ExecContext(ctx, `UPDATE notifications SET state = 'queued', lease_owner = '', lease_until = 0 WHERE state = 'sending'`); err != nil {
			b.Fatal(err)
		}
	}
}
