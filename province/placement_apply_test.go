package province_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
	"zhupei/review"
)

// racing is a store on which something happens just before a placement:
// the world moving between the proposal's recomputation and its
// application.
type racing struct {
	province.Store
	before func(appID int64)
}

func (s *racing) PlaceOffer(ctx context.Context, appID, programID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	if s.before != nil {
		s.before(appID)
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
	st.before = func(appID int64) {
		st.before = nil
		// 甲医院 fills its seat with someone else; a1 withdraws from adjustment.
		if _, err := f.Store.Review(ctx, other.ID, recruit.StateApproved, "", f.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.ProvisionallyAdmit(ctx, other.ID, f.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.SubmitChoice(ctx, f.a1.IdentityID, testyear.Year, f.a1.Version, recruit.Choice{ProgramID: f.ProgA}, f.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
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
