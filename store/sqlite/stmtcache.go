package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// maxCachedStmts bounds the statement cache of a writer connection. The
// writer's queries are constants of this package (about a hundred texts);
// the bound only keeps a text with a variable part, such as an IN list of
// varying length, from growing the cache without limit.
const maxCachedStmts = 256

// stmtCache is the driver.Connector of the write pool. Each connection it
// opens keeps the compiled statement of every single-statement query text it
// runs and resets it between executions (modernc.org/sqlite does that for a
// prepared single statement), so the store methods' tx.ExecContext,
// tx.QueryRowContext and db.write.ExecContext calls stop parsing their SQL
// on every call while keeping their query strings.
//
// A wrapper of the driver's connection rather than a cache of *sql.Stmt
// used through tx.StmtContext: that would change every call site (about
// twenty files, in and outside transactions) and allocate a transaction
// statement per call, where this costs a map lookup per call and leaves the
// call sites as they are.
//
// Not cached, run as before by the driver's connection (parsed, run,
// finalized): a text with a ';' before its end, such as a migration script;
// a text whose statement's rows are still open, since a compiled statement
// runs one query at a time; a new text when the cache is full and every
// entry's rows are open. A new text in a full cache otherwise takes the
// place of an idle entry chosen at random (Go's map order).
type stmtCache struct {
	driver.Connector
	compiles atomic.Int64 // query texts compiled on the pool's connections
}

// sqliteConn is what the driver's connection implements and the wrapper
// forwards; Connect fails on a connection that lacks any of it.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// sqliteStmt is what the driver's prepared statement implements.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// sqliteRows is what the driver's rows implement and cachedRows forwards.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// Connect opens a connection with an empty statement cache.
func (c *stmtCache) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(sqliteConn)
	if !ok {
		return nil, errors.Join(fmt.Errorf("sqlite: connection %T lacks an optional driver interface", dc), dc.Close())
	}
	return &cachingConn{sqliteConn: sc, compiles: &c.compiles, stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn is a connection with its statement cache. database/sql calls
// a connection's methods, and its rows' Close, under the connection's lock,
// so the map and the busy flags need no lock of their own.
type cachingConn struct {
	sqliteConn
	compiles *atomic.Int64
	stmts    map[string]*cachedStmt
}

// cachedStmt is a compiled statement; busy while its rows are open.
type cachedStmt struct {
	sqliteStmt
	busy bool
}

// Unwrap returns the driver's connection (modernc.org/sqlite's Limit and
// friends look through a wrapper with it).
func (c *cachingConn) Unwrap() driver.Conn { return c.sqliteConn }

// stmt returns the cached statement of query, compiling it on first use, or
// nil when query is to run uncached, which the caller then has the driver's
// connection compile.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	st, ok := c.stmts[query]
	switch {
	case ok && !st.busy:
		return st, nil
	case ok, strings.Contains(strings.TrimRight(query, "; \t\r\n"), ";"),
		len(c.stmts) >= maxCachedStmts && !c.evictIdle():
		c.compiles.Add(1)
		return nil, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.compiles.Add(1)
	ss, ok := ds.(sqliteStmt)
	if !ok {
		return nil, errors.Join(fmt.Errorf("sqlite: statement %T lacks an optional driver interface", ds), ds.Close())
	}
	st = &cachedStmt{sqliteStmt: ss}
	c.stmts[query] = st
	return st, nil
}

// evictIdle closes and drops one idle cached statement; false when every one
// has open rows.
func (c *cachingConn) evictIdle() bool {
	for q, st := range c.stmts {
		if !st.busy {
			delete(c.stmts, q)
			_ = st.Close() // finalizing a statement that has been reset reports nothing
			return true
		}
	}
	return false
}

// ExecContext runs query through its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if st, err := c.stmt(ctx, query); st != nil || err != nil {
		if err != nil {
			return nil, err
		}
		return st.ExecContext(ctx, args)
	}
	return c.sqliteConn.ExecContext(ctx, query, args)
}

// QueryContext runs query through its cached statement, which stays busy
// until the rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, err := c.stmt(ctx, query)
	if st == nil && err == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	var rows driver.Rows
	if err == nil {
		rows, err = st.QueryContext(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	sr, ok := rows.(sqliteRows)
	if !ok {
		return nil, errors.Join(fmt.Errorf("sqlite: rows %T lack an optional driver interface", rows), rows.Close())
	}
	st.busy = true
	return &cachedRows{sqliteRows: sr, st: st}, nil
}

// Close closes the cached statements and the connection.
func (c *cachingConn) Close() error {
	errs := make([]error, 0, len(c.stmts)+1)
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	clear(c.stmts)
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// cachedRows are the rows of a cached statement; closing them (which resets
// the statement) frees the statement for the next query.
type cachedRows struct {
	sqliteRows
	st *cachedStmt
}

// Close closes the rows and frees their statement.
func (r *cachedRows) Close() error {
	err := r.sqliteRows.Close()
	r.st.busy = false
	return err
}
