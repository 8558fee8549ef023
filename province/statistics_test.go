package province_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
)

// season is a generated set of applications with what the generator did to
// each: its program, final state and when that state was set.
type season struct {
	apps []recruit.Application
}

// generate submits n applications at random times of registration, round2
// and adjustment, reviews most of them later and provisionally admits some
// of the approved ones (a full program refuses the rest).
func generate(t *testing.T, f *fixture, n int, seed uint64) season {
	t.Helper()
	ctx := context.Background()
	cal := recruit.DefaultCalendar(testyear.Year)
	rng := rand.New(rand.NewPCG(seed, 7))
	var s season
	for range n {
		phase := []recruit.Phase{recruit.PhaseRegistration, recruit.PhaseRound2, recruit.PhaseAdjustment}[rng.IntN(3)]
		start, end, _ := cal.Start(phase)
		at := start.Add(time.Duration(rng.Int64N(int64(end.Sub(start)/4/time.Minute))) * time.Minute)
		prog := []int64{f.ProgA, f.ProgB}[rng.IntN(2)]
		app := f.Apply(t, prog, rng.IntN(2) == 0, at)
		at = at.Add(time.Duration(1+rng.IntN(30)) * 24 * time.Hour / 10) // up to three days later
		var err error
		switch rng.IntN(5) {
		case 0:
		case 1:
			app, err = f.Store.Review(ctx, app.ID, recruit.StateRejected, "材料不全", at, nil)
		default:
			app, err = f.Store.Review(ctx, app.ID, recruit.StateApproved, "", at, nil)
			if err == nil && rng.IntN(2) == 0 {
				if admitted, aerr := f.Store.ProvisionallyAdmit(ctx, app.ID, at.Add(time.Hour), nil); aerr == nil {
					app = admitted
				} else if recruit.ErrorCode(aerr) != recruit.ECONFLICT {
					err = aerr
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		s.apps = append(s.apps, app)
	}
	return s
}

// recount counts what generate did, program by program, for one round
// ("": all) and base (0: all), independently of recruit.Tally.
func (s season) recount(cal recruit.Calendar, f *fixture, round recruit.Phase, base int64) map[int64]recruit.ProgramStats {
	out := map[int64]recruit.ProgramStats{}
	seats := map[int64]int{}
	plan := map[int64]int{f.ProgA: 5, f.ProgB: 5}
	baseOf := map[int64]int64{f.ProgA: f.BaseA, f.ProgB: f.BaseB}
	for p := range plan {
		if base == 0 || baseOf[p] == base {
			out[p] = recruit.ProgramStats{ProgramID: p, Plan: plan[p]}
		}
	}
	for _, a := range s.apps {
		r, ok := out[a.ProgramID]
		if !ok {
			continue
		}
		if a.State == recruit.StateProvisional || a.State == recruit.StateAdmitted {
			seats[a.ProgramID]++
		}
		phase := cal.PhaseAt(a.StateAt)
		switch phase {
		case recruit.PhaseBefore, recruit.PhaseRegistration:
			phase = recruit.PhaseRound1
		case recruit.PhaseClosed:
			phase = recruit.PhaseConfirmation
		}
		if round != "" && phase != round {
			continue
		}
		r.Registered++
		switch a.State {
		case recruit.StatePending:
			r.Pending++
		case recruit.StateApproved:
			r.Approved++
		case recruit.StateRejected:
			r.Rejected++
		case recruit.StateProvisional:
			r.Provisional++
		}
		out[a.ProgramID] = r
	}
	for p, r := range out {
		r.Vacancies = r.Plan - seats[p]
		r.FillRate = float64(seats[p]) / float64(r.Plan)
		out[p] = r
	}
	return out
}

func TestStatisticsMatchARecount(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.August, 20, 9))
	s := generate(t, f, 80, 1)
	cal := recruit.DefaultCalendar(testyear.Year)
	prov := f.Staff(t, recruit.RoleProvince, 0)
	adminA := f.Staff(t, recruit.RoleBaseAdmin, f.BaseA)
	for _, c := range []struct {
		name string
		by   recruit.Staff
		req  province.StatsRequest
		base int64
	}{
		{"province, all", prov, province.StatsRequest{}, 0},
		{"province, base B", prov, province.StatsRequest{BaseID: f.BaseB}, f.BaseB},
		{"base A's admin", adminA, province.StatsRequest{}, f.BaseA},
		{"base A's admin naming it", adminA, province.StatsRequest{BaseID: f.BaseA}, f.BaseA},
	} {
		for _, round := range append([]recruit.Phase{""}, recruit.StatsRounds...) {
			req := c.req
			req.Round = round
			st, err := f.svc.Statistics(ctx, c.by, req)
			if err != nil {
				t.Fatalf("%s, round %q: %v", c.name, round, err)
			}
			want := s.recount(cal, f, round, c.base)
			if st.Year != testyear.Year || st.BaseID != c.base || st.Round != round || len(st.Programs) != len(want) {
				t.Fatalf("%s, round %q: year %d base %d round %q with %d programs, want %d programs of base %d",
					c.name, round, st.Year, st.BaseID, st.Round, len(st.Programs), len(want), c.base)
			}
			var total recruit.ProgramStats
			for _, got := range st.Programs {
				w := want[got.ProgramID]
				got.BaseID, got.BaseName, got.SpecialtyCode, got.SpecialtyName = 0, "", "", ""
				if got != w {
					t.Errorf("%s, round %q: program %d = %+v, want %+v", c.name, round, got.ProgramID, got, w)
				}
				total.Registered += w.Registered
				total.Provisional += w.Provisional
			}
			if st.Total.Registered != total.Registered || st.Total.Provisional != total.Provisional {
				t.Errorf("%s, round %q: total %+v, want registered %d, provisional %d", c.name, round, st.Total, total.Registered, total.Provisional)
			}
			if hasFunnel := len(st.Funnel) > 0 && st.Funnel[0].Step == "bound"; hasFunnel != (c.base == 0) {
				t.Errorf("%s: funnel %+v; want it to start at binding only for every base", c.name, st.Funnel)
			}
		}
	}
	// The rounds add up to the year, and registrations per day to the
	// applications.
	all, _ := f.svc.Statistics(ctx, prov, province.StatsRequest{})
	sum := 0
	for _, round := range recruit.StatsRounds {
		st, _ := f.svc.Statistics(ctx, prov, province.StatsRequest{Round: round})
		sum += st.Total.Registered
	}
	days := 0
	for _, d := range all.Days {
		days += d.N
	}
	if sum != all.Total.Registered || days != len(s.apps) || all.Total.Registered != len(s.apps) {
		t.Errorf("rounds sum to %d, days to %d; the year has %d registered of %d applications", sum, days, all.Total.Registered, len(s.apps))
	}
	if all.Funnel[0].N != len(s.apps) || all.Funnel[2].N != len(s.apps) {
		t.Errorf("funnel %+v, want %d bound and registered", all.Funnel, len(s.apps))
	}
}

func TestStatisticsRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 12, 9))
	disabled := f.Staff(t, recruit.RoleProvince, 0)
	disabled.Disabled = true
	for _, c := range []struct {
		name string
		by   recruit.Staff
		req  province.StatsRequest
		want string
	}{
		{"a reviewer", f.Staff(t, recruit.RoleReviewer, f.BaseA), province.StatsRequest{}, recruit.EFORBIDDEN},
		{"a base admin asking for another base", f.Staff(t, recruit.RoleBaseAdmin, f.BaseA), province.StatsRequest{BaseID: f.BaseB}, recruit.ENOTFOUND},
		{"the province asking for a missing base", f.Staff(t, recruit.RoleProvince, 0), province.StatsRequest{BaseID: 999}, recruit.ENOTFOUND},
		{"a disabled province admin", disabled, province.StatsRequest{}, recruit.EFORBIDDEN},
		{"an unknown round", f.Staff(t, recruit.RoleProvince, 0), province.StatsRequest{Round: "round9"}, recruit.EINVALID},
		{"a missing year", f.Staff(t, recruit.RoleProvince, 0), province.StatsRequest{Year: 1999}, recruit.ENOTFOUND},
	} {
		if _, err := f.svc.Statistics(ctx, c.by, c.req); recruit.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
}
