package storetest

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// statsKey is one cell of CountApplications.
type statsKey struct {
	program int64
	round   recruit.Phase
	state   recruit.State
}

// statsApp is what the generator knows of one application it made.
type statsApp struct {
	app     recruit.Application
	base    int64
	first   time.Time // first submission
	stateAt time.Time // when its state was last set
}

// CountApplications counts a generated season — submissions, changes of
// choice, reviews and provisional admissions at random times across the
// rounds — by program, round and state, and by day, as a recount of what
// the generator did says; for every base and for one base.
func testCountApplications(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	progs := importRows(t, s, 2025, planRows)
	var programs []recruit.Program
	for _, p := range progs {
		programs = append(programs, p)
	}
	slices.SortFunc(programs, func(a, b recruit.Program) int { return int(a.ID - b.ID) })
	cal := recruit.DefaultCalendar(2025)
	rng := rand.New(rand.NewPCG(10, 2025))
	// at draws a millisecond instant in [from, from+span).
	at := func(from time.Time, span time.Duration) time.Time {
		return from.Add(time.Duration(rng.Int64N(int64(span/time.Millisecond))) * time.Millisecond)
	}
	window := func(p recruit.Phase) (time.Time, time.Duration) {
		start, end, _ := cal.Start(p)
		return start, end.Sub(start)
	}
	ids := newIdentities(t, s, "stats", 60)
	apps := make([]statsApp, 0, len(ids))
	for _, id := range ids {
		// Submit in registration, round2 or adjustment; review and admit
		// later in the same phase, or in the phase after.
		phase := []recruit.Phase{recruit.PhaseRegistration, recruit.PhaseRound2, recruit.PhaseAdjustment}[rng.IntN(3)]
		start, span := window(phase)
		when := at(start, span/4)
		p := programs[rng.IntN(len(programs))]
		a, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: p.ID}, when, nil)
		must(t, "SubmitChoice", err)
		sa := statsApp{app: a, base: p.BaseID, first: a.SubmittedAt, stateAt: when}
		if rng.IntN(4) == 0 { // changes the choice before review
			when = when.Add(time.Hour)
			p = programs[rng.IntN(len(programs))]
			a, err = s.SubmitChoice(ctx, id, 2025, a.Version, recruit.Choice{ProgramID: p.ID}, when, nil)
			must(t, "SubmitChoice again", err)
			sa.app, sa.base, sa.stateAt = a, p.BaseID, when
		}
		if phase == recruit.PhaseRegistration {
			start, span = window(recruit.PhaseRound1)
		}
		switch rng.IntN(4) {
		case 0: // left pending
		case 1:
			when = at(start, span)
			a, err = s.Review(ctx, a.ID, recruit.StateRejected, "材料不全", when, nil)
			must(t, "Review rejected", err)
			sa.app, sa.stateAt = a, when
		default:
			when = at(start, span/2)
			a, err = s.Review(ctx, a.ID, recruit.StateApproved, "", when, nil)
			must(t, "Review approved", err)
			sa.app, sa.stateAt = a, when
			if rng.IntN(2) == 0 {
				when = when.Add(time.Duration(rng.IntN(48)) * time.Hour)
				if a, err = s.ProvisionallyAdmit(ctx, a.ID, when, nil); err == nil {
					sa.app, sa.stateAt = a, when
				} else {
					wantCode(t, "ProvisionallyAdmit", err, recruit.ECONFLICT) // the program is full
				}
			}
		}
		apps = append(apps, sa)
	}
	recount := func(base int64) (map[statsKey]int, map[string]int) {
		states, days := map[statsKey]int{}, map[string]int{}
		for _, a := range apps {
			if base != 0 && a.base != base {
				continue
			}
			states[statsKey{a.app.ProgramID, cal.StatsRound(a.stateAt), a.app.State}]++
			days[a.first.In(recruit.Shanghai).Format("2006-01-02")]++
		}
		return states, days
	}
	for _, base := range []int64{0, programs[0].BaseID, programs[len(programs)-1].BaseID} {
		got, err := s.CountApplications(ctx, recruit.StatsQuery{Year: 2025, BaseID: base, Calendar: cal})
		must(t, "CountApplications", err)
		wantStates, wantDays := recount(base)
		gotStates, gotDays := map[statsKey]int{}, map[string]int{}
		for _, c := range got.States {
			gotStates[statsKey{c.ProgramID, c.Round, c.State}] += c.N
		}
		for _, d := range got.Days {
			gotDays[d.Day] += d.N
		}
		if !maps.Equal(gotStates, wantStates) {
			t.Errorf("base %d: states = %v, want %v", base, gotStates, wantStates)
		}
		if !maps.Equal(gotDays, wantDays) {
			t.Errorf("base %d: days = %v, want %v", base, gotDays, wantDays)
		}
		sorted := recruit.ApplicationCounts{States: slices.Clone(got.States), Days: slices.Clone(got.Days)}
		recruit.SortCounts(&sorted)
		if !slices.Equal(sorted.States, got.States) || !slices.Equal(sorted.Days, got.Days) {
			t.Errorf("base %d: counts not in order: %+v", base, got)
		}
	}
	if len(apps) == 0 || len(recountRounds(apps, cal)) < 3 {
		t.Errorf("the generated season covers rounds %v, want at least three", recountRounds(apps, cal))
	}
	none, err := s.CountApplications(ctx, recruit.StatsQuery{Year: 2024, Calendar: cal})
	must(t, "CountApplications of a year without applications", err)
	if len(none.States) != 0 || len(none.Days) != 0 {
		t.Errorf("counts of 2024 = %+v, want none", none)
	}
}

// recountRounds lists the rounds the generated applications' states fall in.
func recountRounds(apps []statsApp, cal recruit.Calendar) []recruit.Phase {
	seen := map[recruit.Phase]bool{}
	for _, a := range apps {
		seen[cal.StatsRound(a.stateAt)] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// CountPeople counts bound identities (not unbound ones) and saved profiles.
func testCountPeople(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ids := newIdentities(t, s, "people", 4)
	for _, id := range ids[:2] {
		_, err := s.SaveProfile(ctx, recruit.Profile{IdentityID: id, Basic: &recruit.Basic{Name: "测试", IDType: recruit.IDTypePassport, IDNumber: fmt.Sprint("people", id), Gender: "女"}},
			recruit.Revision{Kind: "basic", Summary: "保存基本信息", By: "applicant", At: t0}, 0)
		must(t, "SaveProfile", err)
	}
	must(t, "UnbindIdentity", s.UnbindIdentity(ctx, ids[3]))
	got, err := s.CountPeople(ctx)
	must(t, "CountPeople", err)
	if got != (recruit.PeopleCount{Bound: 3, Profiled: 2}) {
		t.Errorf("CountPeople = %+v, want 3 bound and 2 profiled", got)
	}
}

// SetPlan changes one program's plan, keeps its counters, moves the cap of
// provisional admission with it, and refuses a plan below the seats held,
// a plan out of range and a missing program, changing nothing.
func testSetPlan(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, planRows)["烟台毓璜顶医院/0700"] // plan 3
	apps := submitApproved(t, s, newIdentities(t, s, "setplan", 4), p.ID)
	for _, a := range apps[:2] {
		_, err := s.ProvisionallyAdmit(ctx, a.ID, t0, nil)
		must(t, "ProvisionallyAdmit", err)
	}
	before, after, err := s.SetPlan(ctx, p.ID, 2)
	must(t, "SetPlan 2", err)
	want := p
	want.Registered, want.Admitted = 4, 2
	if before != want {
		t.Errorf("SetPlan before = %+v, want %+v", before, want)
	}
	want.Plan = 2
	if after != want || program(t, s, p.ID) != want {
		t.Errorf("SetPlan after = %+v, stored %+v; want %+v", after, program(t, s, p.ID), want)
	}
	_, err = s.ProvisionallyAdmit(ctx, apps[2].ID, t0, nil)
	wantCode(t, "ProvisionallyAdmit into the lowered plan", err, recruit.ECONFLICT)
	_, _, err = s.SetPlan(ctx, p.ID, 1)
	wantErr(t, "SetPlan below the seats", err, recruit.ErrPlanBelowSeats(1, 2))
	for _, c := range []struct {
		id   int64
		plan int
		code string
	}{{p.ID, -1, recruit.EINVALID}, {p.ID, recruit.MaxPlan + 1, recruit.EINVALID}, {p.ID + 1000, 5, recruit.ENOTFOUND}} {
		_, _, err := s.SetPlan(ctx, c.id, c.plan)
		wantCode(t, fmt.Sprintf("SetPlan(%d, %d)", c.id, c.plan), err, c.code)
	}
	if got := program(t, s, p.ID); got != want {
		t.Errorf("after the refusals the program is %+v, want %+v", got, want)
	}
	_, _, err = s.SetPlan(ctx, p.ID, 3)
	must(t, "SetPlan 3", err)
	_, err = s.ProvisionallyAdmit(ctx, apps[2].ID, t0, nil)
	must(t, "ProvisionallyAdmit into the raised plan", err)
	_, err = s.ProvisionallyAdmit(ctx, apps[3].ID, t0, nil)
	wantCode(t, "ProvisionallyAdmit beyond the raised plan", err, recruit.ECONFLICT)
}
