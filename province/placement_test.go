package province_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
)

// lastAudit returns the newest audit entry of action (any action when "").
func lastAudit(t *testing.T, f *fixture, action string) recruit.AuditEntry {
	t.Helper()
	es, err := f.Store.ListAudit(context.Background(), recruit.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit of %s: %+v, %v", action, es, err)
	}
	return es[0]
}

func TestSetShortageSpecialties(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-short")
	f := newFixture(t, testyear.Day(time.August, 12, 9))
	prov := f.Staff(t, recruit.RoleProvince, 0)
	admin := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)

	_, err := f.svc.SetShortageSpecialties(ctx, admin, []string{"0100"})
	if recruit.ErrorCode(err) != recruit.EFORBIDDEN || recruit.ErrorMessage(err) != "仅省级管理员可以设定紧缺专业" {
		t.Errorf("a base admin: %v, want EFORBIDDEN", err)
	}
	_, err = f.svc.SetShortageSpecialties(ctx, prov, []string{"0100", "9999"})
	wantErrIs(t, "an unknown specialty", err, recruit.ErrUnknownSpecialty("9999"))
	got, err := f.svc.SetShortageSpecialties(ctx, prov, []string{" 0100 ", "0100"})
	if err != nil || !reflect.DeepEqual(got, []string{"0100"}) {
		t.Fatalf("SetShortageSpecialties = %v, %v", got, err)
	}
	e := lastAudit(t, f, province.ActionSetShortage)
	if e.StaffID != prov.ID || e.Target != "year:2025" || e.Before != "[]" || e.After != `["0100"]` || e.RequestID != "req-short" {
		t.Errorf("audit entry %+v", e)
	}
	stored, err := f.Store.ShortageSpecialties(ctx, testyear.Year)
	if err != nil || !reflect.DeepEqual(stored, []string{"0100"}) {
		t.Errorf("stored %v, %v", stored, err)
	}
}

func wantErrIs(t *testing.T, what string, err, want error) {
	t.Helper()
	if recruit.ErrorCode(err) != recruit.ErrorCode(want) || recruit.ErrorMessage(err) != recruit.ErrorMessage(want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// The proposal places the pool by deferred acceptance over the stored
// preferences and each base's order (review order, then the base's own
// ranking) with the current vacancies, and changes nothing.
func TestProposePlacement(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.August, 12, 9)) // adjustment
	rows := []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 1},
		{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 1},
	}
	if err := f.Store.ImportPlan(ctx, testyear.Year, rows); err != nil {
		t.Fatal(err)
	}
	a1 := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 2, 9))
	a2 := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 3, 9))
	a3 := f.Apply(t, f.ProgB, true, testyear.Day(time.July, 4, 9))
	f.Apply(t, f.ProgA, false, testyear.Day(time.July, 1, 9)) // does not accept adjustment: not in the pool
	for app, prefs := range map[int64][]int64{a1.ID: {f.ProgA, f.ProgB}, a3.ID: {f.ProgB, f.ProgA}} {
		if err := f.Store.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: app, ProgramIDs: prefs}); err != nil {
			t.Fatal(err)
		}
	}
	prov := f.Staff(t, recruit.RoleProvince, 0)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	before, err := f.Store.ListPrograms(ctx, recruit.ProgramFilter{Year: testyear.Year})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.svc.ProposePlacement(ctx, adminA); recruit.ErrorMessage(err) != "仅省级管理员可以计算调剂方案" {
		t.Errorf("a base admin: %v, want EFORBIDDEN", err)
	}
	placed := func(p province.Proposal) map[int64]int64 {
		m := map[int64]int64{}
		for _, b := range p.Bases {
			for _, pp := range b.Programs {
				for _, e := range pp.Placed {
					m[e.AppID] = pp.ProgramID
				}
			}
		}
		return m
	}
	// Review order: 甲医院 ranks a1, a2, a3; 乙医院 a1, a3. a1 keeps 甲, a3 乙.
	p, err := f.svc.ProposePlacement(ctx, prov)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]int64{a1.ID: f.ProgA, a3.ID: f.ProgB}; !reflect.DeepEqual(placed(p), want) {
		t.Errorf("placed %v, want %v", placed(p), want)
	}
	if p.Pool != 3 || p.Seats != 2 || p.Placed != 2 || p.Empty != 0 || p.AtFirst != 2 || p.Phase != recruit.PhaseAdjustment ||
		len(p.Unplaced) != 1 || p.Unplaced[0].AppID != a2.ID || len(p.Bases) != 2 || p.Bases[0].BaseName != "甲医院" {
		t.Errorf("proposal %+v", p)
	}
	if e := lastAudit(t, f, province.ActionProposePlacement); e.After != `{"at_first":2,"empty":0,"placed":2,"pool":3,"seats":2}` {
		t.Errorf("audit after = %s", e.After)
	}

	// 甲医院 puts a2 first: a2 takes 甲, a1 moves to 乙 (which prefers a1 to a3).
	reviewSvc := review.New(review.Deps{Store: f.Store, Now: f.clock.Now})
	if _, err := reviewSvc.RankCandidates(ctx, adminA, f.BaseA, []int64{a2.ID}); err != nil {
		t.Fatal(err)
	}
	p, err = f.svc.ProposePlacement(ctx, prov)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]int64{a2.ID: f.ProgA, a1.ID: f.ProgB}; !reflect.DeepEqual(placed(p), want) {
		t.Errorf("after 甲医院's ranking placed %v, want %v", placed(p), want)
	}
	if p.Bases[1].Programs[0].Placed[0].Preference != 2 || p.AtFirst != 1 {
		t.Errorf("a1 at 乙医院: %+v, at first %d", p.Bases[1].Programs[0].Placed, p.AtFirst)
	}

	after, err := f.Store.ListPrograms(ctx, recruit.ProgramFilter{Year: testyear.Year})
	if err != nil || !reflect.DeepEqual(before, after) {
		t.Errorf("programs changed: %+v → %+v (%v)", before, after, err)
	}
	for _, app := range []recruit.Application{a1, a2, a3} {
		if got := f.App(t, app.ID); got.State != recruit.StatePending || got.Version != app.Version {
			t.Errorf("application %d changed: %+v", app.ID, got)
		}
	}
}

// BenchmarkProposePlacement is the whole proposal on the embedded store:
// 10,000 pool members with 3 ranked vacancies each over 400 programs, read
// (400 program listings, the prefs, the rankings), built and placed.
func BenchmarkProposePlacement(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, testyear.Day(time.August, 12, 9))
	var rows []recruit.PlanRow
	for i := range 400 {
		rows = append(rows, recruit.PlanRow{Line: i + 1, BaseName: fmt.Sprintf("基地%03d", i/10), City: "济南",
			SpecialtyCode: fmt.Sprintf("%04d", i%10), SpecialtyName: fmt.Sprintf("专业%d", i%10), Plan: 10})
	}
	if err := f.Store.ImportPlan(ctx, testyear.Year, rows); err != nil {
		b.Fatal(err)
	}
	progs, err := f.Store.ListPrograms(ctx, recruit.ProgramFilter{Year: testyear.Year})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		first := (i * 7) % 400 // then two others, offsets 1–199 and 200–398 away
		p := func(offset int) int64 { return progs[(first+offset)%400].ID }
		app := f.Apply(b, p(0), true, testyear.Day(time.July, 2, 9))
		if err := f.Store.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: app.ID, ProgramIDs: []int64{p(0), p(1 + i%199), p(200 + i%199)}}); err != nil {
			b.Fatal(err)
		}
	}
	prov := f.Staff(b, recruit.RoleProvince, 0)
	b.ResetTimer()
	for b.Loop() {
		p, err := f.svc.ProposePlacement(ctx, prov)
		if err != nil || p.Pool != 10000 {
			b.Fatalf("proposal of %d: %v", p.Pool, err)
		}
	}
}
