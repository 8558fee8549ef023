package province_test

import (
	"context"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/province"
	"zhupei/recruit"
)

// The statistics count each program's offers by state, in the round of
// the application's current state, with their total: for the province
// and for a base admin, who sees only their base.
func TestStatisticsCountOffers(t *testing.T) {
	round1, round2 := testyear.Day(time.July, 12, 9), testyear.Day(time.August, 2, 9)
	f := newFixture(t, testyear.Day(time.August, 20, 9))
	ctx := context.Background()
	offer := func(prog int64, at time.Time, moves ...recruit.OfferState) {
		t.Helper()
		app := f.Apply(t, prog, false, testyear.Day(time.July, 5, 9))
		app, err := f.Store.Review(ctx, app.ID, recruit.StateApproved, "", at, nil)
		if err == nil {
			app, err = f.Store.MakeOffer(ctx, app.ID, at.Add(72*time.Hour), at, nil)
		}
		for _, to := range moves {
			if err == nil {
				when := at.Add(time.Hour)
				if to == recruit.OfferExpired {
					when = app.OfferDeadline
				}
				app, err = f.Store.MoveOffer(ctx, app.ID, to, "", when, nil)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	offer(f.ProgA, round1)
	offer(f.ProgA, round1, recruit.OfferAccepted)
	offer(f.ProgA, round2, recruit.OfferDeclined)
	offer(f.ProgA, round2, recruit.OfferExpired)
	offer(f.ProgB, round2)
	offer(f.ProgB, round2, recruit.OfferAccepted, recruit.OfferVoided)
	f.Apply(t, f.ProgB, false, round2) // no offer

	check := func(by recruit.Staff, round recruit.Phase, total recruit.OfferCounts, want map[int64]recruit.OfferCounts) {
		t.Helper()
		st, err := f.svc.Statistics(ctx, by, province.StatsRequest{Round: round})
		if err != nil {
			t.Fatalf("%s, round %q: %v", by.Role, round, err)
		}
		if len(st.Programs) != len(want) || st.Total.Offers != total {
			t.Errorf("%s, round %q: %d programs, total offers %+v; want %d, %+v", by.Role, round, len(st.Programs), st.Total.Offers, len(want), total)
		}
		for _, p := range st.Programs {
			if w, ok := want[p.ProgramID]; !ok || p.Offers != w {
				t.Errorf("%s, round %q: program %d offers %+v, want %+v", by.Role, round, p.ProgramID, p.Offers, w)
			}
		}
	}
	prov := f.Staff(t, recruit.RoleProvince, 0)
	check(prov, "", recruit.OfferCounts{Open: 2, Accepted: 1, Declined: 1, Expired: 1, Voided: 1}, map[int64]recruit.OfferCounts{
		f.ProgA: {Open: 1, Accepted: 1, Declined: 1, Expired: 1}, f.ProgB: {Open: 1, Voided: 1}})
	check(prov, recruit.PhaseRound1, recruit.OfferCounts{Open: 1, Accepted: 1}, map[int64]recruit.OfferCounts{
		f.ProgA: {Open: 1, Accepted: 1}, f.ProgB: {}})
	check(f.Staff(t, recruit.RoleBaseAdmin, f.BaseB), "", recruit.OfferCounts{Open: 1, Voided: 1},
		map[int64]recruit.OfferCounts{f.ProgB: {Open: 1, Voided: 1}})
}
