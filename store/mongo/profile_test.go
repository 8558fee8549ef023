package mongo

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"zhupei/recruit"
)

// concurrently runs f(0) … f(n-1) at once and returns their errors by index.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}

// oneWins checks that exactly one of errs is nil and the others ECONFLICT,
// and returns the index of the winner.
func oneWins(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("%s: callers %d and %d both won", what, winner, i)
		case recruit.ErrorCode(err) != recruit.ECONFLICT:
			t.Errorf("%s: caller %d: %v, want ECONFLICT", what, i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: nobody won: %v", what, errs)
	}
	return winner
}

func wantErrCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := recruit.ErrorCode(err); got != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

func sampleProfile(identityID int64) recruit.Profile {
	return recruit.Profile{
		IdentityID: identityID,
		Basic: &recruit.Basic{
			Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "37010219900307001X",
			Gender: "男", BirthDate: "1990-03-07", Phone: "13800000000", PhotoID: "photo-1",
		},
		Education: []recruit.Education{
			{ID: 1, Level: recruit.EduBachelor, School: "山东大学", FullTime: true},
			{ID: 2, Level: recruit.EduMaster, School: "山东第一医科大学", InSchool: true},
		},
	}
}

func TestProfileSaveAndRead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		empty, err := db.GetProfile(ctx, 7)
		if err != nil || !reflect.DeepEqual(empty, recruit.Profile{IdentityID: 7}) {
			t.Fatalf("profile never saved: %+v, %v", empty, err)
		}

		in := sampleProfile(7)
		saved, err := db.SaveProfile(ctx, in, recruit.Revision{Kind: "basic", Summary: "填写基本信息", Snapshot: `{"gender":"男"}`, By: "applicant", At: t0}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if in.Basic.IDNumber == "" {
			t.Error("SaveProfile cleared the caller's ID number")
		}
		want := sampleProfile(7)
		want.Basic.IDNumber = ""
		want.Version = 1
		want.UpdatedAt = t0
		if !reflect.DeepEqual(saved, want) {
			t.Errorf("SaveProfile = %+v, want %+v", saved, want)
		}
		got, err := db.GetProfile(ctx, 7)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetProfile = %+v, %v, want %+v", got, err, want)
		}

		// Stored with the API's field names, without the ID number.
		raw, err := db.col(colProfiles).FindOne(ctx, bson.M{"_id": int64(7)}).Raw()
		if err != nil {
			t.Fatal(err)
		}
		if v, err := raw.LookupErr("basic", "birth_date"); err != nil || v.StringValue() != "1990-03-07" {
			t.Errorf("basic.birth_date stored as %v, %v", v, err)
		}
		if strings.Contains(raw.String(), "37010219900307") {
			t.Errorf("the profile document holds the ID number: %s", raw)
		}

		// A save on an outdated version is refused and changes nothing.
		stale := sampleProfile(7)
		stale.Basic.Phone = "13900000000"
		_, err = db.SaveProfile(ctx, stale, recruit.Revision{Kind: "basic", At: t0}, 0)
		wantErrCode(t, "saving version 0 over version 1", err, recruit.ECONFLICT)
		if got, _ := db.GetProfile(ctx, 7); got.Basic.Phone != "13800000000" || got.Version != 1 {
			t.Errorf("after a refused save: %+v", got)
		}

		// Sections left nil stay nil; a later section is added on the next version.
		next := saved
		next.Work = &recruit.Work{HasEmployer: true, EmployerName: "济南市中心医院", WorkYears: 3}
		later := t0.Add(time.Hour)
		saved2, err := db.SaveProfile(ctx, next, recruit.Revision{Kind: "work", At: later}, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.GetProfile(ctx, 7)
		if err != nil || got.Version != 2 || !got.UpdatedAt.Equal(later) || !reflect.DeepEqual(got.Work, next.Work) || got.Certificates != nil || !reflect.DeepEqual(got, saved2) {
			t.Errorf("after the second save: %+v, %v; SaveProfile returned %+v", got, err, saved2)
		}

		_, err = db.SaveProfile(ctx, recruit.Profile{}, recruit.Revision{Kind: "basic", At: t0}, 0)
		wantErrCode(t, "saving a profile without identity", err, recruit.EINVALID)
	})
}

func TestConcurrentProfileSaves(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		const n = 4
		save := func(p recruit.Profile) func(i int) error {
			return func(i int) error {
				mine := p // each saver changes its own copy of Basic
				b := *p.Basic
				b.Phone = "1380000000" + string(rune('0'+i))
				mine.Basic = &b
				_, err := db.SaveProfile(ctx, mine, recruit.Revision{Kind: "basic", Summary: b.Phone, At: t0}, 0)
				return err
			}
		}
		// Both the first insert (version 0) and a later replace (version 1)
		// admit exactly one of several savers of the same version.
		for version := range 2 {
			p := sampleProfile(9)
			p.Version = version
			winner := oneWins(t, "concurrent saves", concurrently(n, save(p)))
			got, err := db.GetProfile(ctx, 9)
			if err != nil {
				t.Fatal(err)
			}
			if wantPhone := "1380000000" + string(rune('0'+winner)); got.Version != version+1 || got.Basic.Phone != wantPhone {
				t.Errorf("after concurrent saves of version %d: version %d, phone %s; want %d, %s", version, got.Version, got.Basic.Phone, version+1, wantPhone)
			}
		}
		h, err := db.History(ctx, 9)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 {
			t.Errorf("history has %d entries after two successful saves, want 2: %+v", len(h), h)
		}
	})
}

func TestHistoryNewestFirst(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		p, err := db.SaveProfile(ctx, sampleProfile(3), recruit.Revision{IdentityID: 99, Kind: "basic", Summary: "基本信息", Snapshot: `{"a":1}`, By: "applicant", At: t0}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddRevision(ctx, recruit.Revision{IdentityID: 4, Kind: "choice", At: t0}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddRevision(ctx, recruit.Revision{IdentityID: 3, Kind: "choice", Summary: "选择志愿", Snapshot: `{"program_id":5}`, By: "applicant", At: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveProfile(ctx, p, recruit.Revision{Kind: "education", Summary: "教育经历", At: t0.Add(2 * time.Minute)}, 0); err != nil {
			t.Fatal(err)
		}
		h, err := db.History(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i, r := range h {
			kinds = append(kinds, r.Kind)
			if r.IdentityID != 3 {
				t.Errorf("revision %d belongs to %d", i, r.IdentityID)
			}
			if i > 0 && r.ID >= h[i-1].ID {
				t.Errorf("revision ids not descending: %d after %d", r.ID, h[i-1].ID)
			}
		}
		if want := []string{"education", "choice", "basic"}; !reflect.DeepEqual(kinds, want) {
			t.Fatalf("history kinds %v, want %v", kinds, want)
		}
		if r := h[1]; r.Snapshot != `{"program_id":5}` || r.Summary != "选择志愿" || r.By != "applicant" || !r.At.Equal(t0.Add(time.Minute)) {
			t.Errorf("choice revision read back as %+v", r)
		}
		if r := h[2]; r.Snapshot != `{"a":1}` || !r.At.Equal(t0) {
			t.Errorf("profile revision read back as %+v", r)
		}
		if h, err := db.History(ctx, 5); err != nil || len(h) != 0 {
			t.Errorf("history of someone without revisions: %+v, %v", h, err)
		}
		wantErrCode(t, "AddRevision without identity", db.AddRevision(ctx, recruit.Revision{Kind: "choice"}), recruit.EINVALID)
	})
}

func TestTouchApplication(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv backend) {
		db := srv.open(t)
		ctx := context.Background()
		programs := importPlan(t, db, map[string]int{"0100": 2})
		a, err := db.SubmitChoice(ctx, 1, testYear, recruit.Choice{ProgramID: programs["0100"]}, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		later := t0.Add(time.Hour)
		touched, err := db.TouchApplication(ctx, a.ID, later)
		if err != nil {
			t.Fatal(err)
		}
		want := a
		want.Version = a.Version + 1
		want.UpdatedAt = later
		if !reflect.DeepEqual(touched, want) {
			t.Errorf("TouchApplication = %+v, want %+v", touched, want)
		}
		got, err := db.GetApplicationByID(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetApplicationByID = %+v, %v, want %+v", got, err, want)
		}
		_, err = db.TouchApplication(ctx, a.ID+100, later)
		wantErrCode(t, "TouchApplication of a missing application", err, recruit.ENOTFOUND)
		_, err = db.GetApplicationByID(ctx, a.ID+100)
		wantErrCode(t, "GetApplicationByID of a missing application", err, recruit.ENOTFOUND)
	})
}
