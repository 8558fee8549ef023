package scheduler

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
)

func TestReconcileReportsDrift(t *testing.T) {
	st, path := openStore(t)
	ctx := context.Background()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	job := Reconcile(st, log)

	if err := job(ctx, now); err != nil {
		t.Fatalf("no year yet: %v", err)
	}
	if err := st.PutYear(ctx, recruit.Year{Year: 2026, Title: "t", Calendar: recruit.DefaultCalendar(2026)}); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportPlan(ctx, 2026, []recruit.PlanRow{{Line: 2, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5}}); err != nil {
		t.Fatal(err)
	}
	programs, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2026})
	if err != nil || len(programs) != 1 {
		t.Fatalf("programs: %v %v", programs, err)
	}
	id, err := st.CreateIdentity(ctx, recruit.Identity{OpenID: "o1", Name: "张三", IDType: recruit.IDTypeResident, IDNumber: "11010519491231002X", BoundAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitChoice(ctx, id.ID, 2026, 0, recruit.Choice{ProgramID: programs[0].ID}, now, nil); err != nil {
		t.Fatal(err)
	}
	if err := job(ctx, now); err != nil || strings.Contains(logs.String(), "differ") {
		t.Fatalf("consistent counters reported: err=%v logs=%s", err, logs.String())
	}

	// Corrupt the stored counter behind the store's back.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE programs SET registered = registered + 3`); err != nil {
		t.Fatal(err)
	}
	if err := job(ctx, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "program counters differ from recount") {
		t.Fatalf("drift not reported; logs: %s", logs.String())
	}
	// Reported, not repaired: that is RepairCounts' job, run deliberately.
	if p, err := st.GetProgram(ctx, programs[0].ID); err != nil || p.Registered != 4 {
		t.Errorf("program after the job = %+v, %v; want the drifted registered 4 kept", p, err)
	}
	if strings.Contains(logs.String(), "张三") || strings.Contains(logs.String(), "11010519491231002X") {
		t.Fatal("personal data in logs")
	}
}

// phaseYear puts year 2026 with the default calendar and one program into
// st, and returns the calendar, a function that submits and approves the
// choice of a new applicant i at at, and one that reads an application's
// state back.
func phaseYear(t *testing.T, st recruit.Store) (recruit.Calendar, func(i int, at time.Time) recruit.Application, func(recruit.Application) recruit.State) {
	t.Helper()
	ctx := context.Background()
	cal := recruit.DefaultCalendar(2026)
	if err := st.PutYear(ctx, recruit.Year{Year: 2026, Title: "t", Calendar: cal}); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportPlan(ctx, 2026, []recruit.PlanRow{{Line: 2, BaseName: "甲医院", City: "济南", SpecialtyCode: "0100", SpecialtyName: "内科", Plan: 5}}); err != nil {
		t.Fatal(err)
	}
	programs, err := st.ListPrograms(ctx, recruit.ProgramFilter{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	submitReviewed := func(i int, at time.Time) recruit.Application {
		t.Helper()
		id, err := st.CreateIdentity(ctx, recruit.Identity{OpenID: "o" + string(rune('a'+i)), Name: "某", IDType: recruit.IDTypePassport, IDNumber: "E1234567" + string(rune('0'+i)), BoundAt: at})
		if err != nil {
			t.Fatal(err)
		}
		app, err := st.SubmitChoice(ctx, id.ID, 2026, 0, recruit.Choice{ProgramID: programs[0].ID}, at, nil)
		if err != nil {
			t.Fatal(err)
		}
		if app, err = st.Review(ctx, app.ID, recruit.StateApproved, "", at, nil); err != nil {
			t.Fatal(err)
		}
		return app
	}
	state := func(app recruit.Application) recruit.State {
		t.Helper()
		got, err := st.GetApplication(ctx, 2026, app.IdentityID)
		if err != nil {
			t.Fatal(err)
		}
		return got.State
	}
	return cal, submitReviewed, state
}

func TestPhaseTransitionsReopenOncePerPhase(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	cal, submitReviewed, state := phaseYear(t, st)

	clock := cal.Round1.Add(time.Hour)
	job := PhaseTransitions(province.New(province.Deps{Store: st}), quiet())
	early := submitReviewed(0, clock)
	if err := job(ctx, clock); err != nil || state(early) != recruit.StateApproved {
		t.Fatalf("round1 changed an approved application: %v, %s", err, state(early))
	}

	clock = cal.Round2.Add(time.Minute)
	if err := job(ctx, clock); err != nil || state(early) != recruit.StatePending {
		t.Fatalf("round2 start did not reopen the approved application: %v, %s", err, state(early))
	}
	// Approved during round2: a later tick in the same phase leaves it.
	late := submitReviewed(1, clock)
	clock = clock.Add(time.Hour)
	if err := job(ctx, clock); err != nil || state(late) != recruit.StateApproved {
		t.Fatalf("a second tick in round2 reopened again: %v, %s", err, state(late))
	}
	// Adjustment is a new transition.
	clock = cal.Adjustment.Add(time.Minute)
	if err := job(ctx, clock); err != nil || state(late) != recruit.StatePending {
		t.Fatalf("adjustment start did not reopen: %v, %s", err, state(late))
	}
}

func TestCleanUpPurgesExpired(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	var logs bytes.Buffer
	for key, ttl := range map[string]time.Duration{"old": time.Minute, "live": time.Hour, "forever": 0} {
		if err := st.SetKV(ctx, key, "v", ttl, now); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(2 * time.Minute)
	job := CleanUp(st, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := job(ctx, later); err != nil {
		t.Fatal(err)
	}
	if n, err := st.PurgeExpiredKV(ctx, later); err != nil || n != 0 {
		t.Errorf("after the job PurgeExpiredKV finds %d, %v; want 0", n, err)
	}
	if !strings.Contains(logs.String(), "count=1") {
		t.Errorf("the purge is not logged with its count: %s", logs.String())
	}
	if _, err := st.GetKV(ctx, "live", later); err != nil {
		t.Errorf("a live record was removed: %v", err)
	}
}

func TestRelayJobQuietWithNothingPending(t *testing.T) {
	st, _ := openStore(t)
	var logs bytes.Buffer
	if err := Relay(st, slog.New(slog.NewTextHandler(&logs, nil)))(context.Background(), now); err != nil || logs.Len() != 0 {
		t.Errorf("Relay job: %v, logs %q", err, logs.String())
	}
}

// The expiry job frees a lapsed offer's seat with nobody opening a page,
// logs it, and a second run does nothing.
func TestExpireOffersJob(t *testing.T) {
	ctx := context.Background()
	f := testyear.New(t, recruit.DefaultCalendar(testyear.Year))
	at := testyear.Day(time.July, 12, 9)
	app := f.Apply(t, f.ProgA, false, testyear.Day(time.July, 5, 9))
	if _, err := f.Store.Review(ctx, app.ID, recruit.StateApproved, "", at, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.MakeOffer(ctx, app.ID, at.Add(time.Hour), at, nil); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	job := ExpireOffers(province.New(province.Deps{Store: f.Store, Now: func() time.Time { return at }}), slog.New(slog.NewTextHandler(&logs, nil)))
	if err := job(ctx, at.Add(59*time.Minute)); err != nil || logs.Len() != 0 {
		t.Fatalf("before the deadline: %v, %q", err, logs.String())
	}
	if err := job(ctx, at.Add(time.Hour)); err != nil || !strings.Contains(logs.String(), "count=1") {
		t.Fatalf("at the deadline: %v, %q", err, logs.String())
	}
	if got := f.App(t, app.ID); got.State != recruit.StateApproved || got.OfferState != recruit.OfferExpired {
		t.Errorf("after the job: %s %q", got.State, got.OfferState)
	}
	if p, err := f.Store.GetProgram(ctx, f.ProgA); err != nil || p.Admitted != 0 {
		t.Errorf("program %+v, %v", p, err)
	}
	logs.Reset()
	if err := job(ctx, at.Add(2*time.Hour)); err != nil || logs.Len() != 0 {
		t.Errorf("a second run: %v, %q", err, logs.String())
	}
}
