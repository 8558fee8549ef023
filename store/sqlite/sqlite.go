// Package sqlite is the embedded recruit.Store (every aggregate): one
// SQLite database file (modernc.org/sqlite, pure Go) in WAL mode. Every
// multi-row change (a choice with its counters, history entry and
// notification; a profile save with its history entry and application
// version) is one transaction, so Relay has nothing to do. The rules it
// shares with store/mongo come from package recruit. All writes
// go through a single connection with BEGIN IMMEDIATE transactions, so
// concurrent writers queue instead of failing with SQLITE_BUSY; reads use a
// separate pool of read-only connections. The writer's connection keeps the
// compiled statement of each query text (stmtCache), and WAL checkpoints run
// on a connection of their own instead of inside the writer's commits
// (checkpointer). The schema is migrated at start-up from the numbered files
// embedded in migrations/.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"

	"zhupei/recruit"
)

// DB is a recruit.Store backed by one SQLite file.
type DB struct {
	write *sql.DB    // one connection: every write, serialized
	stmts *stmtCache // write's connector, keeping compiled statements
	// txMu queues write transactions in arrival order. database/sql hands a
	// released connection to a random waiter, which under a surge leaves
	// some requests waiting far longer than others; a sync.Mutex turns
	// FIFO once waiters queue for more than a millisecond. (Single-statement
	// writes outside transactions — key-value records, files — are rare and
	// go to the connection directly.)
	txMu   sync.Mutex
	read   *reader // read-only pool with prepared statements
	ckpt   *checkpointer
	sealer recruit.Sealer
}

var _ recruit.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path, creating its
// directory too, and applies pending migrations.
func Open(ctx context.Context, path string, sealer recruit.Sealer) (*DB, error) {
	if path == "" || strings.ContainsRune(path, '?') || sealer == nil {
		return nil, errors.New("sqlite: a path without '?' and a Sealer are required")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	dsn := func(extra ...string) string {
		q := url.Values{"_pragma": {"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return path + "?" + q.Encode()
	}
	// The writer leaves checkpoints to the checkpointer and, when it
	// rewinds the log after one, cuts the file back to walLimit: a burst
	// (the opening surge) would otherwise leave the log at its largest.
	conns, err := sqlite3.NewConnector(dsn("_txlock", "immediate", "_pragma", "wal_autocheckpoint(0)",
		"_pragma", fmt.Sprintf("journal_size_limit(%d)", walLimit)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	cache := &stmtCache{Connector: conns}
	write := sql.OpenDB(cache)
	write.SetMaxOpenConns(1)
	db := &DB{write: write, stmts: cache, sealer: sealer}
	// The schema must exist before read-only connections open the file.
	if err := db.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", dsn("_pragma", "query_only(1)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	db.read = &reader{db: read}
	if db.ckpt, err = startCheckpointer(dsn()); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %w", err), db.read.Close(), write.Close())
	}
	return db, nil
}

// Ping checks both connection pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return recruit.Internal(err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return recruit.Internal(err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.ckpt.Close(), db.read.Close(), db.write.Close())
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.txMu.Lock()
	defer db.txMu.Unlock()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return recruit.Internal(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return storeErr(err)
	}
	if err := tx.Commit(); err != nil {
		return recruit.Internal(err)
	}
	return nil
}

// storeErr returns err unchanged when it is already a *recruit.Error and
// wraps it as an internal error otherwise.
func storeErr(err error) error {
	var re *recruit.Error
	if err == nil || errors.As(err, &re) {
		return err
	}
	return recruit.Internal(err)
}

// affected returns how many rows a single write statement changed.
func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, recruit.Internal(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, recruit.Internal(err)
	}
	return int(n), nil
}

// notFound maps sql.ErrNoRows to ENOTFOUND with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return recruit.Errorf(recruit.ENOTFOUND, "%s", msg)
	}
	return storeErr(err)
}

// isConstraint reports whether err is an SQLite constraint violation with
// the given extended code.
func isConstraint(err error, code int) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.Code() == code
}

// isDuplicate reports whether err violates a UNIQUE or PRIMARY KEY constraint.
func isDuplicate(err error) bool {
	return isConstraint(err, sqlitelib.SQLITE_CONSTRAINT_UNIQUE) || isConstraint(err, sqlitelib.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// nanos stores a time as unix nanoseconds, the zero time as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos; times come back in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// reader is the read-only pool with a cache of prepared statements: SQLite
// spends about as long parsing a point query as running it, and the hot
// reads (sessions, identities, applications) are point queries. Queries are
// constants of this package, so the cache is bounded.
type reader struct {
	db    *sql.DB
	stmts sync.Map // query → *sql.Stmt
}

// stmt returns the prepared statement of query, preparing it once.
func (r *reader) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := r.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := r.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// QueryRowContext runs a query expected to return at most one row.
func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.stmt(ctx, query)
	if err != nil {
		// Let database/sql report the same error through the row.
		return r.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a query returning rows.
func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// PingContext checks the pool.
func (r *reader) PingContext(ctx context.Context) error { return r.db.PingContext(ctx) }

// Close closes the prepared statements and the pool.
func (r *reader) Close() error {
	var errs []error
	r.stmts.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errors.Join(append(errs, r.db.Close())...)
}
