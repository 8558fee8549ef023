package recruit

import (
	"testing"
	"time"
)

// Tally counts every state into its program and round, seats of every
// round into vacancies and fill rate, and the funnel over the whole year;
// Bases sums the programs per base.
func TestTallyAndBases(t *testing.T) {
	cal := DefaultCalendar(2025)
	progs := []Program{
		{ID: 1, BaseID: 10, BaseName: "甲", SpecialtyCode: "0100", Plan: 4},
		{ID: 2, BaseID: 10, BaseName: "甲", SpecialtyCode: "0200", Plan: 0},
		{ID: 3, BaseID: 20, BaseName: "乙", SpecialtyCode: "0100", Plan: 2},
	}
	states := []StateCount{
		{1, PhaseRound1, StatePending, 2}, {1, PhaseRound1, StateProvisional, 1}, {1, PhaseRound2, StateRejected, 3},
		{1, PhaseConfirmation, StateAdmitted, 2}, {1, PhaseRound1, StateDraft, 5}, {1, PhaseRound1, StateWithdrawn, 1},
		{2, PhaseRound2, StateApproved, 1}, {3, PhaseAdjustment, StateProvisional, 2}, {99, PhaseRound1, StatePending, 7},
	}
	c := ApplicationCounts{States: states}
	all := Tally(progs, c, "", &PeopleCount{Bound: 30, Profiled: 20})
	want := ProgramStats{ProgramID: 1, BaseID: 10, BaseName: "甲", SpecialtyCode: "0100", Plan: 4,
		Registered: 8, Pending: 2, Rejected: 3, Provisional: 1, Admitted: 2, Vacancies: 1, FillRate: 0.75}
	if all.Programs[0] != want {
		t.Errorf("program 1 = %+v, want %+v", all.Programs[0], want)
	}
	if p := all.Programs[1]; p.Vacancies != 0 || p.FillRate != 0 || p.Approved != 1 {
		t.Errorf("a program with plan 0 = %+v", p)
	}
	if all.Total.Registered != 11 || all.Total.Plan != 6 || all.Total.Vacancies != 1 || all.Total.FillRate != 5.0/6 {
		t.Errorf("total = %+v", all.Total)
	}
	if got := all.Funnel; len(got) != 6 || got[0].N != 30 || got[2].N != 11 || got[3].N != 6 || got[4].N != 5 || got[5].N != 2 {
		t.Errorf("funnel = %+v", got)
	}
	r2 := Tally(progs, c, PhaseRound2, nil)
	if p := r2.Programs[0]; p.Registered != 3 || p.Rejected != 3 || p.Provisional != 0 || p.Vacancies != 1 {
		t.Errorf("program 1 in round2 = %+v; want its round2 rejections and the year's vacancies", p)
	}
	if r2.Funnel[0].Step != "registered" || r2.Funnel[0].N != 11 {
		t.Errorf("a base's funnel = %+v, want it to start at registration with the whole year", r2.Funnel)
	}
	bases := all.Bases()
	if len(bases) != 2 || bases[0].Plan != 4 || bases[0].Registered != 9 || bases[0].Vacancies != 1 || bases[0].FillRate != 0.75 ||
		bases[1].BaseName != "乙" || bases[1].FillRate != 1 || bases[0].ProgramID != 0 {
		t.Errorf("bases = %+v", bases)
	}
	for at, want := range map[time.Time]Phase{
		cal.Registration: PhaseRound1, cal.Round2.Add(-time.Nanosecond): PhaseRound1, cal.Round2: PhaseRound2,
		cal.Adjustment: PhaseAdjustment, cal.Confirmation: PhaseConfirmation, cal.Closed.Add(time.Hour): PhaseConfirmation,
	} {
		if got := cal.StatsRound(at); got != want {
			t.Errorf("StatsRound(%v) = %s, want %s", at, got, want)
		}
	}
	if _, err := ParseStatsRound("round3"); ErrorCode(err) != EINVALID {
		t.Errorf("ParseStatsRound(round3) = %v", err)
	}
}
