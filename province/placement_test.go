package province_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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
	f := benchPool(b, 10000)
	prov := f.Staff(b, recruit.RoleProvince, 0)
	b.ResetTimer()
	for b.Loop() {
		p, err := f.svc.ProposePlacement(ctx, prov)
		if err != nil || p.Pool != 10000 {
			b.Fatalf("proposal of %d: %v", p.Pool, err)
		}
	}
}

// benchPool is a fixture in adjustment with 400 programs of 10 seats and
// n pool members, each ranking 3 of them: the first at a stride of 7, two
// others 1–199 and 200–398 away.
func benchPool(b *testing.B, n int) *fixture {
	b.Helper()
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
	for i := range n {
		first := (i * 7) % 400
		p := func(offset int) int64 { return progs[(first+offset)%400].ID }
		app := f.Apply(b, p(0), true, testyear.Day(time.July, 2, 9))
		if err := f.Store.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: app.ID, ProgramIDs: []int64{p(0), p(1 + i%199), p(200 + i%199)}}); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// racing is a store on which something happens just before a placement:
// the world moving between the proposal's recomputation and its
// application, or the placement failing (before's error).
type racing struct {
	province.Store
	before func(appID int64) error
}

func (s *racing) PlaceOffer(ctx context.Context, appID, programID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	if s.before != nil {
		if err := s.before(appID); err != nil {
			return recruit.Application{}, err
		}
	}
	return s.Store.PlaceOffer(ctx, appID, programID, deadline, now, note)
}

// placementFixture is the adjustment phase of a year requiring acceptance
// with one seat at 甲医院 and one at 乙医院 and three pool members: a1
// (choosing 甲, then 乙), a2 (甲) and a3 (乙, then 甲), 甲医院 ranking a2
// first, so the proposal places a2 at 甲 and a1 at 乙, a3 left out.
type placementFixture struct {
	*fixture
	a1, a2, a3 recruit.Application
	prov       recruit.Staff
}

func newPlacementFixture(t *testing.T) *placementFixture {
	t.Helper()
	ctx := context.Background()
	f := &placementFixture{fixture: newFixture(t, testyear.Day(time.August, 12, 9))}
	f.RequireAcceptance(t)
	rows := []recruit.PlanRow{
		{Line: 1, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 1},
		{Line: 2, BaseName: "乙医院", City: "青岛", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 1},
	}
	must(t, f.Store.ImportPlan(ctx, testyear.Year, rows))
	f.a1 = f.Apply(t, f.ProgA, true, testyear.Day(time.July, 2, 9))
	f.a2 = f.Apply(t, f.ProgA, true, testyear.Day(time.July, 3, 9))
	f.a3 = f.Apply(t, f.ProgB, true, testyear.Day(time.July, 4, 9))
	for app, prefs := range map[int64][]int64{f.a1.ID: {f.ProgA, f.ProgB}, f.a3.ID: {f.ProgB, f.ProgA}} {
		must(t, f.Store.PutVacancyPrefs(ctx, recruit.VacancyPrefs{AppID: app, ProgramIDs: prefs}))
	}
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	if _, err := review.New(review.Deps{Store: f.Store, Now: f.clock.Now}).RankCandidates(ctx, adminA, f.BaseA, []int64{f.a2.ID}); err != nil {
		t.Fatal(err)
	}
	// 乙医院 gives its offers 24 hours, 甲医院 the default.
	must(t, f.Store.PutBaseDates(ctx, recruit.BaseDates{Year: testyear.Year, BaseID: f.BaseB, Round: recruit.PhaseAdjustment, OfferHours: 24}))
	f.prov = f.Staff(t, recruit.RoleProvince, 0)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// propose computes the proposal and checks it is the one the fixture
// describes.
func (f *placementFixture) propose(t *testing.T) province.Proposal {
	t.Helper()
	p, err := f.svc.ProposePlacement(context.Background(), f.prov)
	must(t, err)
	if p.Placed != 2 || len(p.Unplaced) != 1 || p.Unplaced[0].AppID != f.a3.ID || len(p.Digest) != 64 {
		t.Fatalf("proposal %+v", p)
	}
	return p
}

// Applying the reviewed proposal makes each placement an offer at the
// program proposed (a1's choice moves to 乙医院 with the counters), with
// the base's answer window, the 拟录取 notice saying until when, an audit
// entry per application and one for the step; a proposal other than the
// one computed now is refused, so applying twice places nobody twice.
func TestApplyPlacement(t *testing.T) {
	ctx := recruit.WithRequestID(context.Background(), "req-apply")
	f := newPlacementFixture(t)
	now := f.clock.Now()
	p := f.propose(t)
	if again := f.propose(t); again.Digest != p.Digest {
		t.Errorf("the same pool gave digests %s and %s", p.Digest, again.Digest)
	}

	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	_, err := f.svc.ApplyPlacement(ctx, adminA, p.Digest)
	wantErrIs(t, "a base admin", err, recruit.Errorf(recruit.EFORBIDDEN, "仅省级管理员可以应用调剂方案"))
	_, err = f.svc.ApplyPlacement(ctx, f.prov, " ")
	wantErrIs(t, "no digest", err, recruit.Errorf(recruit.EINVALID, "请先计算调剂方案，再应用"))
	_, err = f.svc.ApplyPlacement(ctx, f.prov, strings.Repeat("0", 64))
	wantErrIs(t, "another digest", err, recruit.Errorf(recruit.ECONFLICT, province.MsgProposalChanged))
	for _, app := range []recruit.Application{f.a1, f.a2, f.a3} {
		if got := f.App(t, app.ID); got != app {
			t.Errorf("a refused apply changed application %d: %+v", app.ID, got)
		}
	}

	got, err := f.svc.ApplyPlacement(ctx, f.prov, p.Digest)
	must(t, err)
	if len(got.Placed) != 2 || len(got.Skipped) != 0 || !got.Offers || got.Digest != p.Digest {
		t.Fatalf("applied %+v", got)
	}
	wantDeadline := map[int64]time.Time{f.a2.ID: now.Add(72 * time.Hour), f.a1.ID: now.Add(24 * time.Hour)}
	wantProgram := map[int64]int64{f.a2.ID: f.ProgA, f.a1.ID: f.ProgB}
	for _, e := range got.Placed {
		app := f.App(t, e.AppID)
		if app.State != recruit.StateProvisional || app.OfferState != recruit.OfferOpen || app.ProgramID != wantProgram[e.AppID] ||
			!app.OfferDeadline.Equal(wantDeadline[e.AppID]) || !e.OfferDeadline.Equal(app.OfferDeadline) {
			t.Errorf("placed %+v: stored %+v", e, app)
		}
		ns, err := f.Store.ListNotifications(ctx, app.IdentityID)
		must(t, err)
		if len(ns) != 1 || ns[0].Kind != recruit.KindProvisional || !strings.Contains(ns[0].Body, "前确认是否接受") {
			t.Errorf("notices of application %d: %+v", e.AppID, ns)
		}
	}
	if a1 := f.App(t, f.a1.ID); a1.Version != f.a1.Version+1 {
		t.Errorf("a1 moved to 乙医院 with version %d, want %d", a1.Version, f.a1.Version+1)
	}
	wantCounters(t, f, map[int64][2]int{f.ProgA: {1, 1}, f.ProgB: {2, 1}})
	es, err := f.Store.ListAudit(ctx, recruit.AuditFilter{Action: province.ActionPlaceOffer})
	must(t, err)
	if len(es) != 2 || es[0].RequestID != "req-apply" || !strings.Contains(es[0].Remark, p.Digest[:12]) {
		t.Errorf("place_offer audit entries %+v", es)
	}
	if e := lastAudit(t, f.fixture, province.ActionApplyPlacement); e.Target != "year:2025" || e.StaffID != f.prov.ID ||
		!strings.Contains(e.After, `"placed":2`) || !strings.Contains(e.After, `"skipped":0`) {
		t.Errorf("apply_placement audit entry %+v", e)
	}

	_, err = f.svc.ApplyPlacement(ctx, f.prov, p.Digest)
	wantErrIs(t, "applying again", err, recruit.Errorf(recruit.ECONFLICT, province.MsgProposalChanged))
	wantCounters(t, f, map[int64][2]int{f.ProgA: {1, 1}, f.ProgB: {2, 1}})
}

// wantCounters fails the test unless each program has the registered and
// admitted counts given and the counters agree with a recount.
func wantCounters(t *testing.T, f *placementFixture, want map[int64][2]int) {
	t.Helper()
	ctx := context.Background()
	for id, w := range want {
		p, err := f.Store.GetProgram(ctx, id)
		must(t, err)
		if p.Registered != w[0] || p.Admitted != w[1] {
			t.Errorf("program %d: registered %d, admitted %d; want %v", id, p.Registered, p.Admitted, w)
		}
	}
	progs, err := f.Store.ListPrograms(ctx, recruit.ProgramFilter{Year: testyear.Year})
	must(t, err)
	rc, err := f.Store.Recount(ctx, testyear.Year)
	must(t, err)
	if d := recruit.CountDiffs(progs, rc); len(d) != 0 {
		t.Errorf("counters off the recount: %+v", d)
	}
}

// A placement the world moved away from after the proposal was computed
// again — its seat taken by the base meanwhile, its applicant no longer
// accepting adjustment — is skipped with the reason; the others are made.
func TestApplyPlacementSkipsWhatMoved(t *testing.T) {
	ctx := context.Background()
	f := newPlacementFixture(t)
	other := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 1, 9))
	st := &racing{Store: f.store}
	svc := province.New(province.Deps{Store: st, Now: f.clock.Now})
	st.before = func(int64) error {
		st.before = nil
		// 甲医院 fills its seat with someone else; a1 withdraws from adjustment.
		if _, err := f.Store.Review(ctx, other.ID, recruit.StateApproved, "", f.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.ProvisionallyAdmit(ctx, other.ID, f.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		_, err := f.Store.SubmitChoice(ctx, f.a1.IdentityID, testyear.Year, f.a1.Version, recruit.Choice{ProgramID: f.ProgA}, f.clock.Now(), nil)
		return err
	}
	// The pool changed by other's application: the digest of now.
	p, err := f.svc.ProposePlacement(ctx, f.prov)
	must(t, err)
	got, err := svc.ApplyPlacement(ctx, f.prov, p.Digest)
	must(t, err)
	reasons := map[int64]string{}
	for _, e := range got.Skipped {
		reasons[e.AppID] = e.Reason
	}
	if len(got.Placed) != 0 || reasons[f.a2.ID] != recruit.MsgProgramFull || reasons[f.a1.ID] != recruit.MsgLeftPool {
		t.Errorf("applied %+v, want a2 and a1 skipped", got)
	}
	if a2 := f.App(t, f.a2.ID); a2.State != recruit.StatePending {
		t.Errorf("a2 skipped but %+v", a2)
	}
	wantCounters(t, f, map[int64][2]int{f.ProgA: {3, 1}, f.ProgB: {1, 0}})
	if e := lastAudit(t, f.fixture, province.ActionApplyPlacement); !strings.Contains(e.After, `"skipped":2`) {
		t.Errorf("apply_placement audit entry %+v", e)
	}
}

// An apply interrupted after its first placement (the store failing) is an
// error with that placement made; computed again, the proposal leaves the
// placed applicant out, and applying it places the others: nobody twice.
func TestApplyPlacementAfterInterruption(t *testing.T) {
	ctx := context.Background()
	f := newPlacementFixture(t)
	p := f.propose(t)
	st := &racing{Store: f.store}
	svc := province.New(province.Deps{Store: st, Now: f.clock.Now})
	calls := 0
	st.before = func(int64) error {
		if calls++; calls == 2 {
			return recruit.Internal(fmt.Errorf("the database went away"))
		}
		return nil
	}
	if _, err := svc.ApplyPlacement(ctx, f.prov, p.Digest); recruit.ErrorCode(err) != recruit.EINTERNAL {
		t.Fatalf("the interrupted apply: %v, want EINTERNAL", err)
	}
	if a2 := f.App(t, f.a2.ID); a2.State != recruit.StateProvisional {
		t.Fatalf("the first placement (a2) was not made: %+v", a2)
	}
	if e := lastAudit(t, f.fixture, province.ActionApplyPlacement); !strings.Contains(e.After, `"interrupted":true`) || !strings.Contains(e.After, `"placed":1`) || !strings.Contains(e.Remark, "应用中断") {
		t.Errorf("the interrupted step's audit entry %+v", e)
	}
	st.before = nil
	again, err := svc.ProposePlacement(ctx, f.prov)
	must(t, err)
	if again.Digest == p.Digest || again.Pool != 2 || again.Placed != 1 || again.Bases[0].Programs[0].Placed[0].AppID != f.a1.ID {
		t.Fatalf("the proposal after the interruption %+v", again)
	}
	got, err := svc.ApplyPlacement(ctx, f.prov, again.Digest)
	must(t, err)
	if len(got.Placed) != 1 || got.Placed[0].AppID != f.a1.ID {
		t.Errorf("the rest applied: %+v", got)
	}
	es, err := f.Store.ListAudit(ctx, recruit.AuditFilter{Action: province.ActionPlaceOffer})
	must(t, err)
	if len(es) != 2 {
		t.Errorf("%d placement audit entries, want one each for a2 and a1", len(es))
	}
	wantCounters(t, f, map[int64][2]int{f.ProgA: {1, 1}, f.ProgB: {2, 1}})
}

// Without offers (the seed), a placement is a provisional admission
// without a deadline; outside the adjustment phase nothing is applied.
func TestApplyPlacementWithoutOffers(t *testing.T) {
	ctx := context.Background()
	f := newPlacementFixture(t)
	y, err := f.Store.GetYear(ctx, testyear.Year)
	must(t, err)
	y.Offers.RequireAcceptance = false
	must(t, f.Store.PutYear(ctx, y))
	p := f.propose(t)

	f.clock.Set(testyear.Day(time.August, 16, 9))
	_, err = f.svc.ApplyPlacement(ctx, f.prov, p.Digest)
	wantErrIs(t, "in confirmation", err, recruit.Errorf(recruit.EFORBIDDEN, "调剂方案仅能在调剂阶段应用，当前为录取确认阶段"))
	f.clock.Set(testyear.Day(time.August, 12, 10))

	got, err := f.svc.ApplyPlacement(ctx, f.prov, p.Digest)
	must(t, err)
	if got.Offers || len(got.Placed) != 2 {
		t.Fatalf("applied %+v", got)
	}
	for _, e := range got.Placed {
		if app := f.App(t, e.AppID); app.State != recruit.StateProvisional || app.OfferState != recruit.OfferNone || !e.OfferDeadline.IsZero() {
			t.Errorf("placed without offers: %+v, %+v", e, app)
		}
	}
}

// The export is the proposal of now as a workbook: a row per placement by
// base and program with the applicant's name and preference, a sheet of
// the unplaced, named after the digest; audited; the province's only.
func TestExportPlacement(t *testing.T) {
	ctx := context.Background()
	f := newPlacementFixture(t)
	p := f.propose(t)
	if _, err := f.svc.ExportPlacement(ctx, f.Staff(t, recruit.RoleBaseAdmin, f.BaseA), &bytes.Buffer{}); recruit.ErrorMessage(err) != "仅省级管理员可以导出调剂方案" {
		t.Errorf("a base admin exports: %v", err)
	}
	var buf bytes.Buffer
	ex, err := f.svc.ExportPlacement(ctx, f.prov, &buf)
	must(t, err)
	if ex.Digest != p.Digest || ex.Rows != 3 || ex.Name != "调剂方案-2025-"+p.Digest[:12]+"-20250812-0900.xlsx" || ex.Fallback != "placement-2025-"+p.Digest[:12]+"-20250812-0900.xlsx" {
		t.Errorf("export %+v", ex)
	}
	wb, err := excelize.OpenReader(&buf)
	must(t, err)
	defer wb.Close()
	if got := wb.GetSheetList(); !reflect.DeepEqual(got, []string{"调剂方案", "未安排"}) {
		t.Fatalf("sheets %v", got)
	}
	placed, err := wb.GetRows("调剂方案")
	must(t, err)
	wantPlaced := [][]string{{"培训基地", "培训专业", "报名编号", "姓名", "第几志愿"},
		{"甲医院", "内科", fmt.Sprint(f.a2.ID), "测试", "1"}, {"乙医院", "内科", fmt.Sprint(f.a1.ID), "测试", "2"}}
	if !reflect.DeepEqual(placed, wantPlaced) {
		t.Errorf("调剂方案 rows %q, want %q", placed, wantPlaced)
	}
	unplaced, err := wb.GetRows("未安排")
	must(t, err)
	if want := [][]string{{"报名编号", "姓名", "报考基地", "报考专业"}, {fmt.Sprint(f.a3.ID), "测试", "乙医院", "内科"}}; !reflect.DeepEqual(unplaced, want) {
		t.Errorf("未安排 rows %q, want %q", unplaced, want)
	}
	if e := lastAudit(t, f.fixture, province.ActionExportPlacement); !strings.Contains(e.After, p.Digest) || !strings.Contains(e.After, `"unplaced":1`) {
		t.Errorf("export audit entry %+v", e)
	}
}

// BenchmarkApplyPlacement applies a proposal placing 1,000 pool members
// (3 ranked vacancies each over 400 programs of 10 seats) on the embedded
// store: the proposal computed again, 1,000 PlaceOffer operations with
// their notices and audit entries, the step's entry. Each iteration starts
// from a fresh store, outside the timer.
func BenchmarkApplyPlacement(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		f := benchPool(b, 1000)
		f.RequireAcceptance(b)
		prov := f.Staff(b, recruit.RoleProvince, 0)
		p, err := f.svc.ProposePlacement(ctx, prov)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		got, err := f.svc.ApplyPlacement(ctx, prov, p.Digest)
		if err != nil || len(got.Placed) != p.Placed || p.Placed != 1000 {
			b.Fatalf("applied %d of %d: %v", len(got.Placed), p.Placed, err)
		}
	}
}
