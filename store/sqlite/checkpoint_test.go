package sqlite

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCheckpointsLeaveTheWriter checks that commits do not checkpoint (the
// writer's wal_autocheckpoint is off) and that the checkpointer copies a
// write larger than SQLite's automatic threshold into the database file.
func TestCheckpointsLeaveTheWriter(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var pages int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != 0 {
		t.Fatalf("the writer's wal_autocheckpoint = %d, %v; want 0", pages, err)
	}
	path := dbPath(t, db)
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	const blob = 8 << 20 // 2,048 pages of 4 KiB, twice the automatic threshold
	if err := db.SetKV(ctx, "big", strings.Repeat("x", blob), 0, t0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * checkpointEvery)
	for size() < before+blob {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes %v after the write, want at least %d: no checkpoint ran", size(), 10*checkpointEvery, before+blob)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
