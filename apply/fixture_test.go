package apply_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"zhupei/apply"
	"zhupei/internal/testcal"
	"zhupei/internal/testid"
	"zhupei/internal/testimg"
	"zhupei/recruit"
	"zhupei/store/sqlite"
	"zhupei/store/storetest"
)

// clock is the fixture's time. Tests move it only while no call runs.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// The fixture's clock starts in the registration phase of testYear, on
// 2025-07-06 at 09:00 in Shanghai.
var testNow = time.Date(testYear, time.July, 6, 9, 0, 0, 0, recruit.Shanghai)

const testYear = 2025

// fixture is a service over a real SQLite store with the plan of year 2025:
// 甲医院 (内科 A1, 儿科 A2) and 乙医院 (内科 B1).
type fixture struct {
	store                  *sqlite.DB
	svc                    *apply.Service
	clock                  *clock
	progA1, progA2, progB1 int64
}

// openStore opens a fresh SQLite store in a temporary directory.
func openStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "apply.db"), storetest.Sealer())
	if err == nil {
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Fatalf("open store: %v", err)
	return nil
}

// newFixture returns the service with verifier (nil: the format check).
func newFixture(t testing.TB, verifier apply.Verifier) *fixture {
	t.Helper()
	ctx := context.Background()
	db := openStore(t)
	f := &fixture{store: db, clock: &clock{t: testNow}}
	f.svc = apply.New(apply.Deps{Store: db, Now: f.clock.now, Logger: slog.New(slog.DiscardHandler),
		Sealer: storetest.Sealer(), Verifier: verifier})
	f.setPhase(t, recruit.PhaseRegistration)
	var rows []recruit.PlanRow
	for i, p := range []struct{ base, code, name string }{{"甲医院", "0100", "内科"}, {"甲医院", "0200", "儿科"}, {"乙医院", "0100", "内科"}} {
		rows = append(rows, recruit.PlanRow{Line: i + 1, BaseName: p.base, City: "济南", SpecialtyCode: p.code, SpecialtyName: p.name, Plan: 5})
	}
	if err := db.ImportPlan(ctx, testYear, rows); err != nil {
		t.Fatal(err)
	}
	progs, err := db.ListPrograms(ctx, recruit.ProgramFilter{Year: testYear})
	if err != nil || len(progs) != 3 {
		t.Fatalf("programs %+v: %v", progs, err)
	}
	// Ordered by base, then specialty code.
	f.progA1, f.progA2, f.progB1 = progs[0].ID, progs[1].ID, progs[2].ID
	return f
}

// setPhase rewrites the year's calendar so that the clock falls in phase.
func (f *fixture) setPhase(t testing.TB, phase recruit.Phase) {
	t.Helper()
	if err := f.store.PutYear(context.Background(), recruit.Year{Year: testYear, Calendar: testcal.In(f.clock.now(), phase)}); err != nil {
		t.Fatal(err)
	}
}

// identity binds a new person (a resident ID born 1995-03-15, male).
func (f *fixture) identity(t testing.TB, n int) recruit.Identity {
	t.Helper()
	id, err := f.store.CreateIdentity(context.Background(), recruit.Identity{
		OpenID: fmt.Sprintf("openid-%d", n), Name: "张三", IDType: recruit.IDTypeResident,
		IDNumber: testid.Resident(fmt.Sprintf("37010219950315%03d", (n%500)*2+1)), BoundAt: testNow,
	})
	if err != nil {
		t.Fatalf("CreateIdentity: %v", err)
	}
	return id
}

// filled binds person n and saves the four sections of its profile.
func (f *fixture) filled(t testing.TB, n int) (recruit.Identity, *apply.Applicant) {
	t.Helper()
	who := f.identity(t, n)
	a := f.load(t, who)
	f.fill(t, a, basic(), recruit.Work{})
	return who, a
}

// load loads the applicant who.
func (f *fixture) load(t testing.TB, who recruit.Identity) *apply.Applicant {
	t.Helper()
	a, err := f.svc.Applicant(context.Background(), who)
	if err != nil {
		t.Fatalf("Applicant: %v", err)
	}
	return a
}

func basic() recruit.Basic {
	return recruit.Basic{Gender: "男", BirthDate: "1995-03-15", Ethnicity: "汉族", Political: "群众",
		Phone: "13800138000", Email: "doctor@example.com", PersonnelType: recruit.PersonnelSocial}
}

func education() recruit.Education {
	return recruit.Education{Level: "本科", FullTime: true, School: "山东大学", Major: "临床医学", StartDate: "2013-09-01",
		Qualification: "大学本科", GraduationDate: "2018-07-01", HasDiploma: true, QualificationDate: "2018-07-01",
		DiplomaNo: "104221201805000123", Degree: "学士", HasDegreeCert: true, DegreeDate: "2018-07-01", DegreeCertNo: "4042212018000123"}
}

func certificates() recruit.Certificates {
	return recruit.Certificates{ForeignLangType: recruit.LangCollegeEng, EnglishLevel: "CET-6",
		ForeignLangCertNo: "CET6-2016-001", ForeignLangCertDate: "2016-06-01"}
}

// fill saves the four sections of a through the service, b with a photo
// and w as given, then one education record and the certificates.
func (f *fixture) fill(t testing.TB, a *apply.Applicant, b recruit.Basic, w recruit.Work) {
	t.Helper()
	ctx := context.Background()
	at := func() apply.Edit { return apply.Edit{Version: a.Profile.Version} }
	sections := []func() error{
		func() error {
			return f.svc.SaveBasic(ctx, a, apply.Edit{Files: map[string][]byte{apply.FieldPhoto: testimg.Photo(t)}}, b)
		},
		func() error { return f.svc.SaveWork(ctx, a, at(), w) },
		func() error { return f.svc.SaveEducation(ctx, a, at(), 0, education()) },
		func() error { return f.svc.SaveCertificates(ctx, a, at(), certificates()) },
	}
	for i, save := range sections {
		if err := save(); err != nil {
			t.Fatalf("section %d: %v", i+1, err)
		}
	}
}

// wantError fails unless err has code and, when msg is not "", message msg.
func wantError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	if recruit.ErrorCode(err) != code || (msg != "" && recruit.ErrorMessage(err) != msg) {
		t.Errorf("%s: %v, want %s %q", what, err, code, msg)
	}
}
