package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zhupei/recruit"
	"zhupei/store/storetest"
)

var t0 = time.Date(2025, time.July, 5, 2, 30, 0, 0, time.UTC)

// openAt opens the database at path with the suite's sealer.
func openAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path, storetest.Sealer())
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return db
}

// openTemp opens a fresh database in a temporary directory, closed at the
// end of the test.
func openTemp(tb testing.TB) *DB {
	tb.Helper()
	db := openAt(tb, filepath.Join(tb.TempDir(), "zhupei.db"))
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Open: func(t *testing.T) recruit.Store { return openAt(t, filepath.Join(t.TempDir(), "zhupei.db")) },
		SkewCounts: func(t *testing.T, s recruit.Store, programID int64, d recruit.Counts) {
			if _, err := s.(*DB).write.ExecContext(context.Background(), `UPDATE programs SET registered = registered + ?, admitted = admitted + ?, final = final + ? WHERE id = ?`,
				d.Registered, d.Admitted, d.Final, programID); err != nil {
				t.Fatal(err)
			}
		},
		Raw: func(t *testing.T, s recruit.Store) []byte {
			// The database file and its write-ahead log, as a copy would have them.
			path := dbPath(t, s.(*DB))
			var raw []byte
			for _, p := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				raw = append(raw, b...)
			}
			return raw
		},
		Reopen: func(t *testing.T, s recruit.Store, sealer recruit.Sealer) recruit.Store {
			db, err := Open(context.Background(), dbPath(t, s.(*DB)), sealer)
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	})
}

// dbPath is the file of db's main database.
func dbPath(t *testing.T, db *DB) string {
	t.Helper()
	var path string
	if err := db.write.QueryRowContext(context.Background(), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIDNumberNotStoredInPlain(t *testing.T) {
	const number, openID = "370102199001011234", "openid-marker-7d1f"
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "zhupei.db"))
	ctx := context.Background()
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: openID, Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number, BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	// The profile repeats the number in its basic section.
	basic := &recruit.Basic{Name: "张三", IDType: recruit.IDTypeResident, IDNumber: number}
	if _, err := db.SaveProfile(ctx, recruit.Profile{IdentityID: id.ID, Basic: basic}, recruit.Revision{Kind: "basic", At: t0}, 0); err != nil {
		t.Fatal(err)
	}
	var sealed, index string
	if err := db.read.QueryRowContext(ctx, `SELECT id_sealed, id_index FROM identities WHERE id = ?`, id.ID).Scan(&sealed, &index); err != nil {
		t.Fatal(err)
	}
	if sealed == "" || bytes.Contains([]byte(sealed+index), []byte(number)) {
		t.Errorf("row holds the ID number in plain: sealed %q, index %q", sealed, index)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Everything SQLite wrote: the database file and any journal left over.
	var all []byte
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, raw...)
	}
	if !bytes.Contains(all, []byte(openID)) {
		t.Fatal("the database files do not hold the identity at all")
	}
	if bytes.Contains(all, []byte(number)) {
		t.Error("the database files hold the ID number in plain")
	}
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "zhupei.db")
	migrationsOf := func(db *DB) string {
		t.Helper()
		var s string
		if err := db.read.QueryRowContext(ctx, `SELECT group_concat(version || ':' || name || ':' || applied_at, ',') FROM schema_migrations`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	db := openAt(t, path)
	if err := db.PutYear(ctx, recruit.Year{Year: 2025, Title: "2025", Calendar: recruit.DefaultCalendar(2025)}); err != nil {
		t.Fatal(err)
	}
	before := migrationsOf(db)
	ms, err := migrations()
	if err != nil || len(ms) == 0 || before == "" {
		t.Fatalf("migrations %v, %v; recorded %q", ms, err, before)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path)
	defer db.Close()
	if after := migrationsOf(db); after != before {
		t.Errorf("migrations recorded %q after re-open, %q before", after, before)
	}
	y, err := db.GetYear(ctx, 2025)
	if err != nil || y.Title != "2025" || !y.Calendar.Round1.Equal(recruit.DefaultCalendar(2025).Round1) {
		t.Errorf("GetYear after re-open = %+v, %v", y, err)
	}
}

// storetestRows returns a plan of bases × specialties, each with plan 5.
func storetestRows(bases, specialties int) []recruit.PlanRow {
	var rows []recruit.PlanRow
	for b := range bases {
		for s := range specialties {
			rows = append(rows, recruit.PlanRow{
				Line: len(rows) + 1, BaseName: fmt.Sprintf("基地%03d", b), City: "济南",
				SpecialtyCode: fmt.Sprintf("%04d", (s+1)*100), SpecialtyName: fmt.Sprintf("专业%d", s), Plan: 5,
			})
		}
	}
	return rows
}

func BenchmarkListPrograms(b *testing.B) {
	db := openTemp(b)
	ctx := context.Background()
	if err := db.ImportPlan(ctx, 2025, storetestRows(40, 30)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
			if err != nil || len(ps) != 1200 {
				b.Errorf("ListPrograms = %d programs, %v", len(ps), err)
				return
			}
		}
	})
}

func BenchmarkSubmitChoice(b *testing.B) {
	const applicants = 1000
	db := openTemp(b)
	ctx := context.Background()
	if err := db.ImportPlan(ctx, 2025, storetestRows(10, 10)); err != nil {
		b.Fatal(err)
	}
	ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil {
		b.Fatal(err)
	}
	ids := benchIdentities(b, db, applicants)
	// Each applicant submits on the version of its last submission.
	versions := make([]int, applicants)
	perApplicant(b, applicants, func(i int64, k int) error {
		app, err := db.SubmitChoice(ctx, ids[k], 2025, versions[k], recruit.Choice{ProgramID: ps[i%int64(len(ps))].ID}, t0, nil)
		versions[k] = app.Version
		return err
	})
}

// BenchmarkSaveProfile updates the basic section of one of 1,000 profiles,
// registration's most frequent write (a transaction of the profile, its
// search keys and a history entry).
func BenchmarkSaveProfile(b *testing.B) {
	const applicants = 1000
	db := openTemp(b)
	ctx := context.Background()
	ps := make([]recruit.Profile, applicants)
	for k, id := range benchIdentities(b, db, applicants) {
		ps[k].IdentityID = id
	}
	perApplicant(b, applicants, func(i int64, k int) error {
		p := ps[k]
		p.Basic = &recruit.Basic{Name: fmt.Sprint("申请人", i), Phone: "13800000000"}
		saved, err := db.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", At: t0}, 0)
		ps[k] = saved
		return err
	})
}

// benchIdentities creates n identities and returns their ids.
func benchIdentities(b *testing.B, db *DB, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		id, err := db.CreateIdentity(context.Background(), recruit.Identity{OpenID: fmt.Sprint("bench-", i), IDType: recruit.IDTypePassport, IDNumber: fmt.Sprintf("B%07d", i), BoundAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id.ID
	}
	return ids
}

// perApplicant runs op b.N times in parallel, the i-th time for applicant
// k = i % applicants; a lock keeps each applicant's operations in order, one
// at a time.
func perApplicant(b *testing.B, applicants int, op func(i int64, k int) error) {
	var next atomic.Int64
	locks := make([]sync.Mutex, applicants)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			k := int(i % int64(applicants))
			locks[k].Lock()
			err := op(i, k)
			locks[k].Unlock()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestCheckpointsLeaveTheWriter checks that commits do not checkpoint (the
// writer's wal_autocheckpoint is off, and it cuts the log back to walLimit
// when it rewinds it) and that the checkpointer copies a write larger than
// SQLite's automatic threshold into the database file and, the log being
// longer than its limit (here lowered to 1 MiB), empties the log.
func TestCheckpointsLeaveTheWriter(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var pages int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != 0 {
		t.Fatalf("the writer's wal_autocheckpoint = %d, %v; want 0", pages, err)
	}
	var limit int64
	if err := db.write.QueryRowContext(ctx, `PRAGMA journal_size_limit`).Scan(&limit); err != nil || limit != walLimit {
		t.Fatalf("the writer's journal_size_limit = %d, %v; want %d", limit, err, walLimit)
	}
	db.ckpt.limit.Store(1 << 20)
	path := dbPath(t, db)
	sizeOf := func(path string) int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	size := func() int64 { return sizeOf(path) }
	before := size()
	const blob = 8 << 20 // 2,048 pages of 4 KiB, twice the automatic threshold
	if err := db.SetKV(ctx, "big", strings.Repeat("x", blob), 0, t0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * checkpointEvery)
	for size() < before+blob || sizeOf(path+"-wal") > 1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("%v after the write the database file is %d bytes (want at least %d) and its log %d (want at most 1 MiB)",
				10*checkpointEvery, size(), before+blob, sizeOf(path+"-wal"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
