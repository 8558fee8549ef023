// Package ferret starts an in-process FerretDB (SQLite handler) for tests
// of the Mongo backend and of what runs on it. It is imported by tests only.
package ferret

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Start runs FerretDB on a random local port until the test ends and
// returns its URI. Its logs are discarded. Clients should use a pool of
// one connection: FerretDB loses concurrent read-modify-writes on one
// document otherwise.
func Start(t testing.TB) string {
	t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:   "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return f.MongoDBURI()
}
