package notify_test

import (
	"context"
	"path/filepath"
	"testing"

	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// openDB is a fresh SQLite store in a temporary directory.
func openDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "notify.db"), storetest.Sealer())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}
