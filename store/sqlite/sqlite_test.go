package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	storetest.Run(t, func(t *testing.T) recruit.Store {
		return openAt(t, filepath.Join(t.TempDir(), "zhupei.db"))
	})
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

func TestImportPlanBelowAdmitted(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	row := recruit.PlanRow{Line: 7, BaseName: "齐鲁医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 2}
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{row}); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListPrograms = %v, %v", ps, err)
	}
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o", Name: "张三", IDType: recruit.IDTypePassport, IDNumber: "E1234567", BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	app, err := db.SubmitChoice(ctx, id.ID, 2025, recruit.Choice{ProgramID: ps[0].ID}, t0, nil)
	if err == nil {
		_, err = db.Review(ctx, app.ID, recruit.StateApproved, "", t0)
	}
	if err == nil {
		_, err = db.ProvisionallyAdmit(ctx, app.ID, t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	row.Plan = 0
	err = db.ImportPlan(ctx, 2025, []recruit.PlanRow{row})
	if recruit.ErrorCode(err) != recruit.ECONFLICT {
		t.Fatalf("ImportPlan below the admitted count: %v, want ECONFLICT", err)
	}
	if p, err := db.GetProgram(ctx, ps[0].ID); err != nil || p.Plan != 2 || p.Admitted != 1 {
		t.Errorf("program after the refused import = %+v, %v", p, err)
	}
	row.Plan = 1
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{row, row}); recruit.ErrorCode(err) != recruit.EINVALID {
		t.Errorf("ImportPlan with a duplicate row: %v, want EINVALID", err)
	}
}

func TestBadInput(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if err := db.ImportPlan(ctx, 2025, storetestRows(1, 3)); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what string
		err  error
		code string
	}{
		{"CreateIdentity without a number", second(db.CreateIdentity(ctx, recruit.Identity{OpenID: "o", IDType: recruit.IDTypePassport})), recruit.EINVALID},
		{"SubmitChoice by an unbound identity", second(db.SubmitChoice(ctx, 12345, 2025, recruit.Choice{ProgramID: ps[0].ID}, t0, nil)), recruit.ENOTFOUND},
		{"PutYear of year 0", db.PutYear(ctx, recruit.Year{}), recruit.EINVALID},
		{"ImportPlan of year 0", db.ImportPlan(ctx, 0, storetestRows(1, 1)), recruit.EINVALID},
	}
	for _, c := range checks {
		if got := recruit.ErrorCode(c.err); got != c.code {
			t.Errorf("%s: %v, want %s", c.what, c.err, c.code)
		}
		if msg := recruit.ErrorMessage(c.err); msg == "" || msg == recruit.ErrorMessage(recruit.Internal(nil)) {
			t.Errorf("%s: message %q is not specific", c.what, msg)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestSetKVPurgesExpired(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for i, ttl := range []time.Duration{time.Minute, time.Hour, 0} {
		if err := db.SetKV(ctx, fmt.Sprint("k", i), "v", ttl, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetKV(ctx, "later", "v", time.Minute, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d kv rows after the purge, want 3 (the expired one removed)", n)
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
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			_, err := db.SubmitChoice(ctx, ids[i%applicants], 2025, recruit.Choice{ProgramID: ps[i%int64(len(ps))].ID}, t0, nil)
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestProfileContract(t *testing.T) {
	storetest.RunProfiles(t, func(t *testing.T) storetest.ProfileBackend {
		return openAt(t, filepath.Join(t.TempDir(), "zhupei.db"))
	})
}

// A choice whose history entry or notification cannot be recorded is not
// recorded either: application, counters, history and outbox stay as they
// were.
func TestChoiceAndItsRecordsAreOneTransaction(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2025, time.July, 5, 2, 30, 0, 0, time.UTC)
	if err := db.ImportPlan(ctx, 2025, []recruit.PlanRow{
		{Line: 2, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
		{Line: 3, BaseName: "甲医院", City: "济南", SpecialtyCode: "0200", SpecialtyName: "儿科", Plan: 5},
	}); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil || len(ps) != 2 {
		t.Fatalf("programs %v %v", ps, err)
	}
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-tx", Name: "赵六", IDType: recruit.IDTypePassport, IDNumber: "E87654321", BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	// The log always names the same message id: the second choice's
	// notification collides with the first one's.
	log := func(app recruit.Application) (recruit.Revision, recruit.Notification, error) {
		return recruit.Revision{IdentityID: id.ID, Kind: "choice", Summary: "s", Snapshot: "{}", By: "本人", At: t0},
			recruit.Notification{IdentityID: id.ID, Kind: "registered", ClientMsgID: "same", Payload: "{}", NextAt: t0, CreatedAt: t0}, nil
	}
	first, err := db.SubmitChoice(ctx, id.ID, 2025, recruit.Choice{ProgramID: ps[0].ID}, t0, log)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SubmitChoice(ctx, id.ID, 2025, recruit.Choice{ProgramID: ps[1].ID}, t0.Add(time.Hour), log)
	if recruit.ErrorCode(err) != recruit.ECONFLICT {
		t.Fatalf("second choice with a colliding notification: %v, want ECONFLICT", err)
	}
	app, err := db.GetApplication(ctx, 2025, id.ID)
	if err != nil || app.ProgramID != ps[0].ID || app.Version != first.Version {
		t.Fatalf("application after the failed change: %+v %v, want the first choice", app, err)
	}
	counts, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	if err != nil || counts[0].Registered != 1 || counts[1].Registered != 0 {
		t.Fatalf("counters after the failed change: %+v %v", counts, err)
	}
	if hist, err := db.History(ctx, id.ID); err != nil || len(hist) != 1 {
		t.Fatalf("history after the failed change: %d entries, %v; want 1", len(hist), err)
	}
}

// A profile save naming an application that is not the identity's saves
// nothing: profile, history and versions stay as they were.
func TestProfileSaveAndApplicationVersionAreOneTransaction(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2025, time.July, 5, 2, 30, 0, 0, time.UTC)
	id, err := db.CreateIdentity(ctx, recruit.Identity{OpenID: "o-touch", Name: "钱七", IDType: recruit.IDTypePassport, IDNumber: "E11223344", BoundAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	rev := recruit.Revision{Kind: "work", Summary: "保存工作信息", Snapshot: "{}", By: "本人", At: t0}
	_, err = db.SaveProfile(ctx, recruit.Profile{IdentityID: id.ID, Work: &recruit.Work{}}, rev, 4242)
	if recruit.ErrorCode(err) != recruit.ENOTFOUND {
		t.Fatalf("save touching a missing application: %v, want ENOTFOUND", err)
	}
	p, err := db.GetProfile(ctx, id.ID)
	if err != nil || p.Version != 0 || p.Work != nil {
		t.Fatalf("profile after the failed save: %+v %v", p, err)
	}
	if hist, err := db.History(ctx, id.ID); err != nil || len(hist) != 0 {
		t.Fatalf("history after the failed save: %d entries, %v", len(hist), err)
	}
}
