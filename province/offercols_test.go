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
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.August, 20, 9))
	round1, round2 := testyear.Day(time.July, 12, 9), testyear.Day(time.August, 2, 9)
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

	prov := f.Staff(t, recruit.RoleProvince, 0)
	adminB := f.Staff(t, recruit.RoleBaseAdmin, f.BaseB)
	for _, c := range []struct {
		what  string
		by    recruit.Staff
		round recruit.Phase
		want  map[int64]recruit.OfferCounts
		total recruit.OfferCounts
	}{
		{"the province, the year", prov, "", map[int64]recruit.OfferCounts{
			f.ProgA: {Open: 1, Accepted: 1, Declined: 1, Expired: 1}, f.ProgB: {Open: 1, Voided: 1}},
			recruit.OfferCounts{Open: 2, Accepted: 1, Declined: 1, Expired: 1, Voided: 1}},
		{"the province, round1", prov, recruit.PhaseRound1, map[int64]recruit.OfferCounts{
			f.ProgA: {Open: 1, Accepted: 1}, f.ProgB: {}}, recruit.OfferCounts{Open: 1, Accepted: 1}},
		{"base B's admin", adminB, "", map[int64]recruit.OfferCounts{f.ProgB: {Open: 1, Voided: 1}},
			recruit.OfferCounts{Open: 1, Voided: 1}},
	} {
		st, err := f.svc.Statistics(ctx, c.by, province.StatsRequest{Round: c.round})
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if len(st.Programs) != len(c.want) {
			t.Errorf("%s: %d programs, want %d", c.what, len(st.Programs), len(c.want))
		}
		for _, p := range st.Programs {
			if want, ok := c.want[p.ProgramID]; !ok || p.Offers != want {
				t.Errorf("%s: program %d offers %+v, want %+v", c.what, p.ProgramID, p.Offers, want)
			}
		}
		if st.Total.Offers != c.total {
			t.Errorf("%s: total offers %+v, want %+v", c.what, st.Total.Offers, c.total)
		}
	}
}
