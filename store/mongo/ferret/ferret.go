// Package ferret starts an in-process FerretDB for tests of the Mongo
// backend and of what runs on it: on SQLite files by default, or on a
// PostgreSQL server when PostgreSQLEnv names one (scripts/ferret-pg.sh,
// `make ferret-pg`). It is imported by tests, and by bench/season (Run and
// Serve: the stand-in on SQLite files and its funnel without a test).
package ferret

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

// PostgreSQLEnv names the URL of a PostgreSQL database whose role may
// create databases (postgres://user@/postgres?host=/socket/dir&port=5432).
// When it is set, every Server runs FerretDB's postgresql handler on a
// database of its own there instead of on SQLite files.
const PostgreSQLEnv = "ZHUPEI_TEST_FERRET_PG"

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
	data   data
	addr   string // "127.0.0.1:0" until the first start has chosen a port
	uri    string
	cancel context.CancelFunc
	done   chan error
}

// data is where a server keeps its data: a directory of SQLite files, or a
// database on the PostgreSQL server of PostgreSQLEnv.
type data struct {
	dir        string
	pg, pgName string // PostgreSQLEnv's URL and the database's name
}

// NewServer returns a stopped server with data of its own (a temporary
// directory, or a new PostgreSQL database) that is stopped, and its data
// removed, at the end of the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	return newServer(t, Snapshot{})
}

// NewServerFrom is NewServer on a copy of the data of snap.
func NewServerFrom(t testing.TB, snap Snapshot) *Server {
	t.Helper()
	return newServer(t, snap)
}

func newServer(t testing.TB, from Snapshot) *Server {
	t.Helper()
	s := &Server{t: t, addr: "127.0.0.1:0"}
	if pg := os.Getenv(PostgreSQLEnv); pg != "" {
		s.data = data{pg: pg, pgName: newName()}
		if err := createDatabase(pg, s.data.pgName, from.data.pgName); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // after Stop: cleanups run last first
			if err := dropDatabase(pg, s.data.pgName); err != nil {
				t.Error(err)
			}
		})
	} else {
		s.data.dir = t.TempDir()
		if from.data.dir != "" {
			if err := os.CopyFS(s.data.dir, os.DirFS(from.data.dir)); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(s.Stop)
	return s
}

// Snapshot is a copy of a stopped server's data that outlives its test,
// from which NewServerFrom starts servers: a database prepared once for
// many tests. Remove it when done.
type Snapshot struct{ data data }

// Snapshot copies the data of the server, which must be stopped.
func (s *Server) Snapshot() (Snapshot, error) {
	if s.data.pg != "" {
		snap := Snapshot{data{pg: s.data.pg, pgName: newName()}}
		return snap, createDatabase(s.data.pg, snap.data.pgName, s.data.pgName)
	}
	dir, err := os.MkdirTemp("", "zhupei-ferret-")
	if err == nil {
		err = os.CopyFS(dir, os.DirFS(s.data.dir))
	}
	return Snapshot{data{dir: dir}}, err
}

// Remove deletes the snapshot's data; a zero Snapshot has none.
func (snap Snapshot) Remove() error {
	switch {
	case snap.data.pg != "":
		return dropDatabase(snap.data.pg, snap.data.pgName)
	case snap.data.dir != "":
		return os.RemoveAll(snap.data.dir)
	}
	return nil
}

// Start runs the server, on the address of its first start when it ran
// before. It returns once the server listens.
func (s *Server) Start() {
	s.t.Helper()
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: s.addr},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:  "sqlite",
	}
	if s.data.pg != "" {
		u, err := databaseURL(s.data.pg, s.data.pgName)
		if err != nil {
			s.t.Fatal(err)
		}
		cfg.Handler, cfg.PostgreSQLURL = "postgresql", u
	} else {
		cfg.SQLiteURL = "file:" + s.data.dir + "/"
	}
	uri, cancel, done, err := start(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.uri, s.cancel, s.done = uri, cancel, done
	s.addr = strings.TrimSuffix(strings.TrimPrefix(s.uri, "mongodb://"), "/")
}

// Run runs FerretDB on SQLite files in dir (created when missing) on a
// free loopback port, outside a test, and returns its URI and the function
// that stops it and waits until it has.
func Run(dir string) (uri string, stop func() error, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, err
	}
	uri, cancel, done, err := start(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return "", nil, err
	}
	return uri, func() error { cancel(); return <-done }, nil
}

// start runs FerretDB with cfg; done gets the result of its run once
// cancel is called.
func start(cfg *ferretdb.Config) (uri string, cancel context.CancelFunc, done chan error, err error) {
	f, err := ferretdb.New(cfg)
	if err != nil {
		return "", nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	return f.MongoDBURI(), cancel, done, nil // MongoDBURI waits for the listener
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

// newName is a new PostgreSQL database name.
func newName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "ferret_" + hex.EncodeToString(b)
}

// databaseURL is the URL pg (PostgreSQLEnv's) with the database name.
func databaseURL(pg, name string) (string, error) {
	u, err := url.Parse(pg)
	if err != nil {
		return "", fmt.Errorf("%s: %w", PostgreSQLEnv, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// createDatabase creates database name on the server of pg, a copy of
// template when it is not "" (which nobody may be connected to).
func createDatabase(pg, name, template string) error {
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		stmt += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	return execPG(pg, stmt)
}

// dropDatabase drops database name on the server of pg, closing the
// connections left to it.
func dropDatabase(pg, name string) error {
	return execPG(pg, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// execPG runs one statement on the database of pg.
func execPG(pg, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		return fmt.Errorf("%s: %w", PostgreSQLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}
