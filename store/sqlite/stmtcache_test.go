package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// writerStmts is the number of statements cached on db's writer connection.
func writerStmts(t *testing.T, db *DB) int {
	t.Helper()
	conn, err := db.write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.Raw(func(dc any) error { n = len(dc.(*cachingConn).stmts); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// compiles runs fn and returns how many query texts the writer compiled
// meanwhile.
func compiles(db *DB, fn func()) int64 {
	before := db.stmts.compiles.Load()
	fn()
	return db.stmts.compiles.Load() - before
}

func TestWriterReusesStatements(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-cache", IDType: recruit.IDTypePassport, IDNumber: "C1234567", BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	save := func(version int, name string) recruit.Profile {
		t.Helper()
		p, err := db.SaveProfile(ctx, recruit.Profile{IdentityID: id.ID, Version: version, Basic: &recruit.Basic{Name: name}}, recruit.Revision{Kind: "basic", At: t0}, 0)
		if err != nil {
			t.Fatalf("SaveProfile(%q): %v", name, err)
		}
		return p
	}
	var p recruit.Profile
	if n := compiles(db, func() { p = save(0, "甲") }); n == 0 {
		t.Fatal("the first SaveProfile compiled no statement: the writer does not go through the cache")
	}
	p = save(p.Version, "乙") // the first update
	if n := compiles(db, func() { p = save(p.Version, "丙") }); n != 0 {
		t.Errorf("a second update of the profile compiled %d statements, want 0", n)
	}
	if got, err := db.GetProfile(ctx, id.ID); err != nil || got.Basic == nil || got.Basic.Name != "丙" {
		t.Errorf("GetProfile = %+v, %v; want the last save", got.Basic, err)
	}
	if n := compiles(db, func() {
		for i := range 3 {
			if err := db.SetKV(ctx, fmt.Sprint("k", i), "v", time.Hour, t0); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 1 {
		t.Errorf("three SetKV outside a transaction compiled %d statements, want 1", n)
	}
}

func TestCachedStatementAfterErrorAndRollback(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	const insert = `INSERT INTO kv (key, value, expires_at) VALUES (?, 'v', 0)`
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insert, "a"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, insert, "a")
		return err
	})
	if err == nil || !isDuplicate(err) {
		t.Fatalf("inserting a key twice = %v, want a primary key violation", err)
	}
	if n := compiles(db, func() {
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, insert, "b")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("the insert after the failure compiled %d statements, want 0", n)
	}
	if _, err := db.GetKV(ctx, "a", t0); recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Errorf("GetKV(a) = %v, want ENOTFOUND: the failed transaction was not rolled back", err)
	}
	if _, err := db.GetKV(ctx, "b", t0); err != nil {
		t.Errorf("GetKV(b) = %v", err)
	}
}

func TestCachedStatementWithOpenRows(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if err := db.SetKV(ctx, k, k, 0, t0); err != nil {
			t.Fatal(err)
		}
	}
	const list = `SELECT key FROM kv WHERE key >= ? ORDER BY key`
	keys := func(rows *sql.Rows, err error) (got string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			got += k
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, list, "a")
		if err != nil {
			return err
		}
		if !outer.Next() {
			t.Fatal("no first row")
		}
		// The same text while outer's rows are open: a one-off statement.
		var inner string
		if n := compiles(db, func() {
			inner = keys(tx.QueryContext(ctx, list, "b"))
		}); n != 1 || inner != "bc" {
			t.Errorf("the query while its statement is busy = %q with %d compiles, want \"bc\" with 1", inner, n)
		}
		var first string
		if err := outer.Scan(&first); err != nil {
			return err
		}
		if rest := keys(outer, nil); first+rest != "abc" {
			t.Errorf("the open rows read %q, want \"abc\"", first+rest)
		}
		// Closed now: the cached statement serves again.
		if n := compiles(db, func() { inner = keys(tx.QueryContext(ctx, list, "c")) }); n != 0 || inner != "c" {
			t.Errorf("the query after its rows closed = %q with %d compiles, want \"c\" with 0", inner, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStatementCacheBounds(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	script := `DELETE FROM kv WHERE key = 'x'; DELETE FROM kv WHERE key = 'y'`
	before := writerStmts(t, db)
	for range 2 {
		if n := compiles(db, func() {
			if _, err := db.write.ExecContext(ctx, script); err != nil {
				t.Fatal(err)
			}
		}); n != 1 {
			t.Errorf("a two-statement script compiled %d times, want once per run", n)
		}
	}
	if got := writerStmts(t, db); got != before {
		t.Errorf("a script changed the cache from %d to %d statements", before, got)
	}
	for i := range maxCachedStmts + 10 {
		if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`DELETE FROM kv WHERE key = 'k%d'`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := writerStmts(t, db); got != maxCachedStmts {
		t.Errorf("after %d distinct texts the cache holds %d statements, want %d", maxCachedStmts+10, got, maxCachedStmts)
	}
}
