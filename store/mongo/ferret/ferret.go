// Package ferret starts an in-process FerretDB (SQLite handler) for tests
// of the Mongo backend and of what runs on it. It is imported by tests only.
package ferret

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Start runs FerretDB on a random local port until the test ends and
// returns its URI. Its logs are discarded. Clients should use a pool of
// one connection: FerretDB loses concurrent read-modify-writes on one
// document otherwise.
func Start(t testing.TB) string {
	t.Helper()
	s := NewServer(t)
	s.Start()
	return s.URI()
}

// Server is a FerretDB that a test can stop and start again on the same
// address and data, as a database server goes away and comes back.
type Server struct {
	t      testing.TB
	dir    string
	addr   string // "127.0.0.1:0" until the first start has chosen a port
	uri    string
	cancel context.CancelFunc
	done   chan error
}

// NewServer returns a stopped server whose data lives in a temporary
// directory of the test; it is stopped at the end of the test.
func NewServer(t testing.TB) *Server {
	s := &Server{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	t.Cleanup(s.Stop)
	return s
}

// NewServerFrom is NewServer on a copy of dir, the data directory (Dir) of
// a stopped server: a database prepared once for many tests.
func NewServerFrom(t testing.TB, dir string) *Server {
	s := NewServer(t)
	if err := os.CopyFS(s.dir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return s
}

// Dir is the server's data directory; copy it only while it is stopped.
func (s *Server) Dir() string { return s.dir }

// Start runs the server, on the address of its first start when it ran
// before. It returns once the server listens.
func (s *Server) Start() {
	s.t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: s.addr},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:   "sqlite",
		SQLiteURL: "file:" + s.dir + "/",
	})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- f.Run(ctx) }()
	s.uri = f.MongoDBURI() // waits for the listener
	s.addr = strings.TrimSuffix(strings.TrimPrefix(s.uri, "mongodb://"), "/")
}

// URI is the server's mongodb:// URI (set by the first Start).
func (s *Server) URI() string { return s.uri }

// Stop stops a running server and waits until it has; a stopped server is
// left alone.
func (s *Server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Error(err)
	}
	s.cancel = nil
}
