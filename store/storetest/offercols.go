package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"zhupei/recruit"
)

// offerCase is one application of the offer-column tests: submitted and
// approved at t0, then, unless it ends with no offer, offered at at and
// moved to end an hour or more later (expired at its deadline; voided
// after being accepted; admitted after being accepted when admit).
type offerCase struct {
	program int64
	at      time.Time
	end     recruit.OfferState
	admit   bool
	pending bool // left pending: neither reviewed nor offered
}

// offerApp is what came of an offerCase: the application as stored last
// and when its state was last set.
type offerApp struct {
	app     recruit.Application
	stateAt time.Time
}

// makeOffers carries out cases, each with an identity of its own.
func makeOffers(t *testing.T, s recruit.Store, prefix string, cases []offerCase) []offerApp {
	t.Helper()
	ctx := context.Background()
	ids := newIdentities(t, s, prefix, len(cases))
	out := make([]offerApp, len(cases))
	for i, c := range cases {
		a, err := s.SubmitChoice(ctx, ids[i], 2025, 0, recruit.Choice{ProgramID: c.program}, t0, nil)
		must(t, "SubmitChoice", err)
		out[i] = offerApp{a, t0}
		if c.pending {
			continue
		}
		a, err = s.Review(ctx, a.ID, recruit.StateApproved, "", t0, nil)
		must(t, "Review", err)
		out[i].app = a
		if c.end == recruit.OfferNone {
			continue
		}
		deadline := c.at.Add(72 * time.Hour)
		a, err = s.MakeOffer(ctx, a.ID, deadline, c.at, nil)
		must(t, "MakeOffer", err)
		out[i] = offerApp{a, c.at}
		move := func(to recruit.OfferState, at time.Time) {
			a, err = s.MoveOffer(ctx, a.ID, to, "", at, nil)
			must(t, "MoveOffer to "+string(to), err)
			out[i].app = a
			if to.Ends() {
				out[i].stateAt = at
			}
		}
		switch c.end {
		case recruit.OfferAccepted:
			move(recruit.OfferAccepted, c.at.Add(time.Hour))
			if c.admit {
				a, err = s.Admit(ctx, a.ID, c.at.Add(2*time.Hour), nil)
				must(t, "Admit", err)
				out[i] = offerApp{a, c.at.Add(2 * time.Hour)}
			}
		case recruit.OfferDeclined:
			move(recruit.OfferDeclined, c.at.Add(time.Hour))
		case recruit.OfferExpired:
			move(recruit.OfferExpired, deadline)
		case recruit.OfferVoided:
			move(recruit.OfferAccepted, c.at.Add(time.Hour))
			move(recruit.OfferVoided, c.at.Add(2*time.Hour))
		}
		if out[i].app.OfferState != c.end {
			t.Fatalf("case %d ended with offer %q, want %q", i, out[i].app.OfferState, c.end)
		}
	}
	return out
}

// The queue's offer filter keeps the rows whose offer is in the state
// asked for (none: those without an offer), with the other filters; each
// row carries its offer's state and deadline.
func testQueueOffers(t *testing.T, s recruit.Store) {
	ps := importRows(t, s, 2025, plan([]string{"齐鲁医院", "山东省立医院"}, []string{"0100"}, 10))
	qilu, sph := ps["齐鲁医院/0100"].ID, ps["山东省立医院/0100"].ID
	apps := makeOffers(t, s, "queue-offer", []offerCase{
		{program: qilu, pending: true},
		{program: qilu},
		{program: qilu, at: t0, end: recruit.OfferOpen},
		{program: qilu, at: t0, end: recruit.OfferAccepted},
		{program: qilu, at: t0, end: recruit.OfferAccepted, admit: true},
		{program: qilu, at: t0, end: recruit.OfferDeclined},
		{program: qilu, at: t0, end: recruit.OfferExpired},
		{program: qilu, at: t0, end: recruit.OfferVoided},
		{program: sph, at: t0, end: recruit.OfferOpen},
		{program: sph, at: t0, end: recruit.OfferDeclined},
	})
	id := func(i ...int) []int64 {
		out := make([]int64, len(i))
		for k, n := range i {
			out[k] = apps[n].app.ID
		}
		return out
	}
	offer := func(o recruit.OfferState) *recruit.OfferState { return &o }
	for _, c := range []struct {
		what string
		q    recruit.AppQuery
		want []int64
	}{
		{"no offer filter", recruit.AppQuery{}, id(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"without an offer", recruit.AppQuery{Offer: offer(recruit.OfferNone)}, id(0, 1)},
		{"open", recruit.AppQuery{Offer: offer(recruit.OfferOpen)}, id(2, 8)},
		{"accepted, provisional or admitted", recruit.AppQuery{Offer: offer(recruit.OfferAccepted)}, id(3, 4)},
		{"declined", recruit.AppQuery{Offer: offer(recruit.OfferDeclined)}, id(5, 9)},
		{"expired", recruit.AppQuery{Offer: offer(recruit.OfferExpired)}, id(6)},
		{"voided", recruit.AppQuery{Offer: offer(recruit.OfferVoided)}, id(7)},
		{"open at one base", recruit.AppQuery{BaseID: ps["山东省立医院/0100"].BaseID, Offer: offer(recruit.OfferOpen)}, id(8)},
		{"accepted and admitted", recruit.AppQuery{State: recruit.StateAdmitted, Offer: offer(recruit.OfferAccepted)}, id(4)},
		{"approved without an offer", recruit.AppQuery{State: recruit.StateApproved, Offer: offer(recruit.OfferNone)}, id(1)},
		{"one application with its offer", recruit.AppQuery{ApplicationID: apps[6].app.ID, Offer: offer(recruit.OfferExpired)}, id(6)},
		{"one application with another offer", recruit.AppQuery{ApplicationID: apps[6].app.ID, Offer: offer(recruit.OfferOpen)}, nil},
	} {
		page := wantQueue(t, s, c.what, c.q, c.want...)
		for _, r := range page.Rows {
			a := apps[slices.Index(id(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), r.ID)].app
			if r.OfferState != a.OfferState || !r.OfferDeadline.Equal(a.OfferDeadline) || !r.OfferAt.Equal(a.OfferAt) {
				t.Errorf("%s: row %d has offer %q until %v (at %v), want %q until %v (at %v)", c.what, r.ID,
					r.OfferState, r.OfferDeadline, r.OfferAt, a.OfferState, a.OfferDeadline, a.OfferAt)
			}
		}
	}
}

// offerKey is one cell of ApplicationCounts.Offers.
type offerKey struct {
	program int64
	round   recruit.Phase
	offer   recruit.OfferState
}

// CountApplications counts the offers by program, the round of the
// application's current state and offer state, for every base and one;
// applications without an offer are in no offer cell, and the state
// counts still count each application once.
func testCountOffers(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, plan([]string{"齐鲁医院", "山东省立医院"}, []string{"0100", "0200"}, 10))
	progs := []recruit.Program{ps["齐鲁医院/0100"], ps["齐鲁医院/0200"], ps["山东省立医院/0100"]}
	cal := recruit.DefaultCalendar(2025)
	round1, round2, adjustment := t0, cal.Round2.Add(48*time.Hour), cal.Adjustment.Add(24*time.Hour)
	var cases []offerCase
	for i, at := range []time.Time{round1, round2, adjustment, round2} {
		p := progs[i%len(progs)].ID
		cases = append(cases,
			offerCase{program: p, pending: true}, offerCase{program: p},
			offerCase{program: p, at: at, end: recruit.OfferOpen}, offerCase{program: p, at: at, end: recruit.OfferOpen},
			offerCase{program: p, at: at, end: recruit.OfferAccepted}, offerCase{program: p, at: at, end: recruit.OfferAccepted, admit: true},
			offerCase{program: p, at: at, end: recruit.OfferDeclined}, offerCase{program: p, at: at, end: recruit.OfferExpired},
			offerCase{program: p, at: at, end: recruit.OfferVoided})
	}
	apps := makeOffers(t, s, "count-offer", cases)
	baseOf := map[int64]int64{}
	for _, p := range progs {
		baseOf[p.ID] = p.BaseID
	}
	rounds := map[recruit.Phase]bool{}
	for _, base := range []int64{0, progs[0].BaseID, progs[2].BaseID} {
		wantOffers, wantStates := map[offerKey]int{}, map[statsKey]int{}
		for _, a := range apps {
			if base != 0 && baseOf[a.app.ProgramID] != base {
				continue
			}
			round := cal.StatsRound(a.stateAt)
			wantStates[statsKey{a.app.ProgramID, round, a.app.State}]++
			if a.app.OfferState != recruit.OfferNone {
				wantOffers[offerKey{a.app.ProgramID, round, a.app.OfferState}]++
				rounds[round] = true
			}
		}
		got, err := s.CountApplications(ctx, recruit.StatsQuery{Year: 2025, BaseID: base, Calendar: cal})
		must(t, "CountApplications", err)
		gotOffers, gotStates := map[offerKey]int{}, map[statsKey]int{}
		for _, c := range got.Offers {
			k := offerKey{c.ProgramID, c.Round, c.Offer}
			if _, dup := gotOffers[k]; dup || c.Offer == recruit.OfferNone {
				t.Errorf("base %d: offer cell %+v repeated or without an offer", base, c)
			}
			gotOffers[k] = c.N
		}
		for _, c := range got.States {
			k := statsKey{c.ProgramID, c.Round, c.State}
			if _, dup := gotStates[k]; dup {
				t.Errorf("base %d: state cell %+v repeated", base, c)
			}
			gotStates[k] = c.N
		}
		if !reflect.DeepEqual(gotOffers, wantOffers) {
			t.Errorf("base %d: offers = %v, want %v", base, gotOffers, wantOffers)
		}
		if !reflect.DeepEqual(gotStates, wantStates) {
			t.Errorf("base %d: states = %v, want %v", base, gotStates, wantStates)
		}
		sorted := recruit.ApplicationCounts{States: slices.Clone(got.States), Days: slices.Clone(got.Days), Offers: slices.Clone(got.Offers)}
		recruit.SortCounts(&sorted)
		if !slices.Equal(sorted.Offers, got.Offers) || !slices.Equal(sorted.States, got.States) {
			t.Errorf("base %d: counts not in order: %+v", base, got)
		}
	}
	if len(rounds) != 3 {
		t.Errorf("the offers count in rounds %v, want round1, round2 and adjustment", rounds)
	}
}
