package province_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"zhupei/internal/testclock"
	"zhupei/internal/testyear"
	"zhupei/notify"
	"zhupei/province"
	"zhupei/recruit"
)

// faulty is the real store whose staff notices fail while fail is set, as
// a broken write would.
type faulty struct {
	province.Store
	fail error
}

func (s *faulty) AddNotification(ctx context.Context, n recruit.Notification) (recruit.Notification, error) {
	if s.fail != nil && n.StaffID != 0 {
		return recruit.Notification{}, s.fail
	}
	return s.Store.AddNotification(ctx, n)
}

type fixture struct {
	*testyear.Fixture
	clock *testclock.Clock
	store *faulty
	svc   *province.Service
}

// newFixture starts at at, with two enabled staff members at 甲医院 and one
// enabled and one disabled at 乙医院.
func newFixture(t testing.TB, at time.Time) *fixture {
	f := &fixture{Fixture: testyear.New(t, recruit.DefaultCalendar(testyear.Year)), clock: testclock.New(at)}
	f.store = &faulty{Store: f.Store}
	f.svc = province.New(province.Deps{Store: f.store, Now: f.clock.Now})
	f.Staff(t, recruit.RoleReviewer, f.BaseA)
	f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	f.Staff(t, recruit.RoleBaseAdmin, f.BaseB)
	off := f.Staff(t, recruit.RoleReviewer, f.BaseB)
	if _, err := f.Store.SetStaffDisabled(context.Background(), off.ID, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// staffNotices counts the queued notices of kind.
func (f *fixture) staffNotices(t *testing.T, kind recruit.NoticeKind) int {
	t.Helper()
	st, err := f.Store.OutboxStats(context.Background(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range st.Counts {
		if c.Kind == kind {
			n += c.N
		}
	}
	return n
}

// advance moves the clock to at and runs AdvancePhases twice: the second
// run must change nothing.
func (f *fixture) advance(t *testing.T, at time.Time) province.Report {
	t.Helper()
	f.clock.Set(at)
	r, err := f.svc.AdvancePhases(context.Background(), at)
	if err != nil {
		t.Fatalf("AdvancePhases at %v: %v", at, err)
	}
	again, err := f.svc.AdvancePhases(context.Background(), at.Add(time.Minute))
	if err != nil {
		t.Fatalf("AdvancePhases again: %v", err)
	}
	if len(again.Phases) != 0 || len(again.Deadlines) != 0 || again.Reopened != 0 || again.Invited != 0 || len(again.Notices) != 0 {
		t.Errorf("a second run at %v did %+v, want nothing", at, again)
	}
	return r
}

// review sets an application's state through the store at the clock's time.
func (f *fixture) review(t *testing.T, app recruit.Application, to recruit.State) {
	t.Helper()
	if _, err := f.Store.Review(context.Background(), app.ID, to, "意见", f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
}

func noticeKinds(ns []province.BaseNotice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s/%d/%d/%d", n.Kind, n.BaseID, n.Count, n.Staff))
	}
	return out
}

func wantState(t *testing.T, f *fixture, what string, app recruit.Application, want recruit.State) {
	t.Helper()
	if got := f.App(t, app.ID).State; got != want {
		t.Errorf("%s: state %s, want %s", what, got, want)
	}
}

// The year moves through every phase in order; each boundary's effects
// happen once however often the job runs.
func TestAdvancePhasesThroughTheYear(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 5, 9))
	a := f.Apply(t, f.ProgA, true, f.clock.Now())  // accepts adjustment
	b := f.Apply(t, f.ProgA, false, f.clock.Now()) // does not
	c := f.Apply(t, f.ProgB, false, f.clock.Now()) // will hold a seat
	d := f.Apply(t, f.ProgB, false, f.clock.Now()) // stays pending in round1

	r := f.advance(t, testyear.Day(time.July, 5, 10))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseRegistration}) || len(r.Notices) != 0 {
		t.Errorf("registration: %+v", r)
	}

	r = f.advance(t, testyear.Day(time.July, 11, 0).Add(time.Minute))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseRound1}) {
		t.Errorf("round1 phases %v", r.Phases)
	}
	if got, want := noticeKinds(r.Notices), []string{
		fmt.Sprintf("staff_review_started/%d/2/2", f.BaseA), fmt.Sprintf("staff_review_started/%d/2/1", f.BaseB),
	}; !slices.Equal(got, want) {
		t.Errorf("round1 notices %v, want %v", got, want)
	}
	f.review(t, a, recruit.StateApproved)
	f.review(t, b, recruit.StateRejected)
	f.review(t, c, recruit.StateApproved)
	if _, err := f.Store.ProvisionallyAdmit(ctx, c.ID, f.clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	// 乙医院's review deadline: d is still pending.
	if err := f.Store.PutBaseDates(ctx, recruit.BaseDates{Year: testyear.Year, BaseID: f.BaseB, Round: recruit.PhaseRound1,
		ReviewDeadline: testyear.Day(time.July, 20, 18)}); err != nil {
		t.Fatal(err)
	}
	r = f.advance(t, testyear.Day(time.July, 20, 19))
	if got, want := noticeKinds(r.Notices), []string{fmt.Sprintf("staff_deadline/%d/1/1", f.BaseB)}; !slices.Equal(got, want) || len(r.Phases) != 0 {
		t.Errorf("deadline: notices %v phases %v, want %v", got, r.Phases, want)
	}

	r = f.advance(t, testyear.Day(time.August, 1, 0).Add(time.Minute))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseRound2}) || r.Reopened != 2 {
		t.Errorf("round2: %+v, want round2 with 2 reopened", r)
	}
	wantState(t, f, "approved a in round2", a, recruit.StatePending)
	wantState(t, f, "rejected b in round2", b, recruit.StatePending)
	wantState(t, f, "admitted c in round2", c, recruit.StateProvisional)
	for _, app := range []recruit.Application{a, b} {
		if got, want := f.Notices(t, app.IdentityID), []string{roundKey(recruit.PhaseRound2, app)}; !slices.Equal(got, want) {
			t.Errorf("notices of %d after round2 = %v, want %v", app.ID, got, want)
		}
	}
	if got := f.Notices(t, c.IdentityID); len(got) != 0 {
		t.Errorf("the admitted applicant was told %v", got)
	}

	// Reviewed again in round2: both reopen in adjustment, only a is told.
	f.clock.Set(testyear.Day(time.August, 5, 9))
	f.review(t, a, recruit.StateApproved)
	f.review(t, b, recruit.StateRejected)
	r = f.advance(t, testyear.Day(time.August, 11, 0).Add(time.Minute))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseAdjustment}) || r.Reopened != 2 {
		t.Errorf("adjustment: %+v, want adjustment with 2 reopened", r)
	}
	if got := f.Notices(t, a.IdentityID); len(got) != 2 || got[0] != roundKey(recruit.PhaseAdjustment, a) {
		t.Errorf("notices of the applicant accepting adjustment = %v", got)
	}
	if got := f.Notices(t, b.IdentityID); len(got) != 1 {
		t.Errorf("the applicant not accepting adjustment was told again: %v", got)
	}

	r = f.advance(t, testyear.Day(time.August, 16, 0).Add(time.Minute))
	if got, want := noticeKinds(r.Notices), []string{
		fmt.Sprintf("staff_confirmation/%d/0/2", f.BaseA), fmt.Sprintf("staff_confirmation/%d/1/1", f.BaseB),
	}; !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseConfirmation}) || !slices.Equal(got, want) {
		t.Errorf("confirmation: phases %v notices %v, want %v", r.Phases, got, want)
	}

	r = f.advance(t, testyear.Day(time.September, 1, 0).Add(time.Minute))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseClosed}) || r.Reopened != 0 || len(r.Notices) != 0 {
		t.Errorf("closed: %+v", r)
	}
	wantState(t, f, "d at the end", d, recruit.StatePending)
	for kind, want := range map[recruit.NoticeKind]int{recruit.KindStaffReviewStarted: 3, recruit.KindStaffDeadline: 1, recruit.KindStaffConfirmation: 3} {
		if got := f.staffNotices(t, kind); got != want {
			t.Errorf("%d %s notices queued, want %d", got, kind, want)
		}
	}
}

// roundKey is the key of app's notice of a round opening.
func roundKey(phase recruit.Phase, app recruit.Application) string {
	return notify.RoundOpened(app.IdentityID, testyear.Year, phase, time.Time{}, time.Time{}, time.Time{}).Key
}

// Boundaries missed while nothing ran are applied in order by the first
// call; a failing notice leaves its boundary to the next call.
func TestAdvancePhasesAfterDowntime(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 11, 9))
	a := f.Apply(t, f.ProgA, true, testyear.Day(time.July, 5, 9))
	f.review(t, a, recruit.StateRejected)

	f.store.fail = errors.New("outbox down")
	at := testyear.Day(time.August, 12, 9) // registration … adjustment were missed
	if _, err := f.svc.AdvancePhases(ctx, at); err == nil {
		t.Fatal("AdvancePhases with a failing notifier succeeded")
	}
	wantState(t, f, "after the failed run", a, recruit.StateRejected)
	f.store.fail = nil
	r := f.advance(t, at)
	want := []recruit.Phase{recruit.PhaseRound1, recruit.PhaseRound2, recruit.PhaseAdjustment}
	if !slices.Equal(r.Phases, want) || r.Reopened != 1 {
		t.Errorf("after downtime: %+v, want phases %v and 1 reopened", r, want)
	}
	wantState(t, f, "after the missed round2", a, recruit.StatePending)
	got := f.Notices(t, a.IdentityID)
	if len(got) != 1 || got[0] != roundKey(recruit.PhaseRound2, a) {
		t.Errorf("notices %v, want the round2 notice once", got)
	}
	if n := f.staffNotices(t, recruit.KindStaffReviewStarted); n != 3 {
		t.Errorf("%d review-started notices, want one per enabled staff member", n)
	}
}
