package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	ids := make([]int64, applicants)
	for i := range ids {
		id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: fmt.Sprint("bench-", i), IDType: recruit.IDTypePassport, IDNumber: fmt.Sprintf("B%07d", i), BoundAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id.ID
	}
	// Each applicant submits on the version of its last submission; the
	// lock keeps one applicant's submissions in order.
	var (
		next     atomic.Int64
		locks    [applicants]sync.Mutex
		versions [applicants]int
	)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			k := i % applicants
			locks[k].Lock()
			app, err := db.SubmitChoice(ctx, ids[k], 2025, versions[k], recruit.Choice{ProgramID: ps[i%int64(len(ps))].ID}, t0, nil)
			versions[k] = app.Version
			locks[k].Unlock()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSaveProfile updates the basic section of one of 1,000 profiles,
// registration's most frequent write (a transaction of the profile, its
// search keys and a history entry).
func BenchmarkSaveProfile(b *testing.B) {
	const applicants = 1000
	db := openTemp(b)
	ctx := context.Background()
	var (
		next  atomic.Int64
		locks [applicants]sync.Mutex
		ps    [applicants]recruit.Profile
	)
	for i := range ps {
		id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: fmt.Sprint("bench-", i), IDType: recruit.IDTypePassport, IDNumber: fmt.Sprintf("B%07d", i), BoundAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		ps[i].IdentityID = id.ID
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			k := i % applicants
			locks[k].Lock()
			p := ps[k]
			p.Basic = &recruit.Basic{Name: fmt.Sprint("申请人", i), Phone: "13800000000"}
			saved, err := db.SaveProfile(ctx, p, recruit.Revision{Kind: "basic", At: t0}, 0)
			ps[k] = saved
			locks[k].Unlock()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
