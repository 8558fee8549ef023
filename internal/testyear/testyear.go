// Package testyear sets up a recruitment year in a real SQLite store for
// the tests of the staff services and their routes: two bases with one
// program each, bound people, applicants and staff accounts.
package testyear

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// Year is the year the fixture sets up.
const Year = 2025

// Day is hour o'clock on day d of month m of Year in Shanghai.
func Day(m time.Month, d, hour int) time.Time {
	return time.Date(Year, m, d, hour, 0, 0, 0, recruit.Shanghai)
}

// Fixture is a store holding Year with its calendar, 甲医院 (program A) and
// 乙医院 (program B), five seats each.
type Fixture struct {
	Store  *sqlite.DB
	BaseA  int64
	BaseB  int64
	ProgA  int64
	ProgB  int64
	nextID int
}

// New opens a fresh store in a temporary directory with Year's calendar cal.
func New(t testing.TB, cal recruit.Calendar) *Fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "year.db"), storetest.Sealer())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.PutYear(ctx, recruit.Year{Year: Year, Title: "测试年度", Calendar: cal}); err != nil {
		t.Fatal(err)
	}
	rows := []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
		{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5},
	}
	if err := db.ImportPlan(ctx, Year, rows); err != nil {
		t.Fatal(err)
	}
	progs, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: Year})
	if err != nil || len(progs) != 2 {
		t.Fatalf("programs %+v: %v", progs, err)
	}
	return &Fixture{Store: db, ProgA: progs[0].ID, BaseA: progs[0].BaseID, ProgB: progs[1].ID, BaseB: progs[1].BaseID}
}

// Bind binds a new person named name at at, who has not applied.
func (f *Fixture) Bind(t testing.TB, name string, at time.Time) recruit.Identity {
	t.Helper()
	f.nextID++
	id, err := f.Store.CreateIdentity(context.Background(), recruit.Identity{
		OpenID: fmt.Sprintf("applicant-%d", f.nextID), Name: name, IDType: recruit.IDTypePassport,
		IDNumber: fmt.Sprintf("E%08d", f.nextID), BoundAt: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Apply binds a new applicant named 测试 and submits a choice of program at at.
func (f *Fixture) Apply(t testing.TB, program int64, acceptsAdjustment bool, at time.Time) recruit.Application {
	t.Helper()
	return f.ApplyAs(t, "测试", program, acceptsAdjustment, at)
}

// ApplyAs is Apply for an applicant named name.
func (f *Fixture) ApplyAs(t testing.TB, name string, program int64, acceptsAdjustment bool, at time.Time) recruit.Application {
	t.Helper()
	id := f.Bind(t, name, at)
	app, err := f.Store.SubmitChoice(context.Background(), id.ID, Year, 0, recruit.Choice{ProgramID: program, AcceptsAdjustment: acceptsAdjustment}, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// Staff creates an enabled staff account of role at base (0 for the
// province).
func (f *Fixture) Staff(t testing.TB, role recruit.Role, base int64) recruit.Staff {
	t.Helper()
	f.nextID++
	s, err := f.Store.CreateStaff(context.Background(), recruit.Staff{Name: fmt.Sprintf("工作人员%d", f.nextID), Role: role, BaseID: base,
		MPOpenID: fmt.Sprintf("staff-mp-%d", f.nextID), CreatedAt: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// App re-reads an application.
func (f *Fixture) App(t testing.TB, id int64) recruit.Application {
	t.Helper()
	app, err := f.Store.GetApplicationByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// Notices returns the keys of an applicant's
// notifications, newest first.
func (f *Fixture) Notices(t testing.TB, identityID int64) []string {
	t.Helper()
	ns, err := f.Store.ListNotifications(context.Background(), identityID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Key
	}
	return out
}

// RequireAcceptance switches Year's offers.require_acceptance on: its
// provisional admissions become offers.
func (f *Fixture) RequireAcceptance(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	y, err := f.Store.GetYear(ctx, Year)
	if err != nil {
		t.Fatal(err)
	}
	y.Offers.RequireAcceptance = true
	if err := f.Store.PutYear(ctx, y); err != nil {
		t.Fatal(err)
	}
}
