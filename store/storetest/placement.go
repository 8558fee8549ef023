package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// poolMembers submits, for each identity, an application of 2025 choosing
// program that accepts adjustment (a member of the pool under the default
// calendar), and creates the year.
func poolMembers(t *testing.T, s recruit.Store, ids []int64, program int64) []recruit.Application {
	t.Helper()
	ctx := context.Background()
	must(t, "PutYear", s.PutYear(ctx, recruit.Year{Year: 2025, Calendar: recruit.DefaultCalendar(2025)}))
	apps := make([]recruit.Application, len(ids))
	for i, id := range ids {
		a, err := s.SubmitChoice(ctx, id, 2025, 0, recruit.Choice{ProgramID: program, AcceptsAdjustment: true}, t0, nil)
		must(t, "SubmitChoice", err)
		apps[i] = a
	}
	return apps
}

// A placement moves a pool member's choice to the program placed at (the
// registered counters move from the old program to the new one, once), takes
// a seat there and opens the offer with its notification, in one
// operation; it places in the member's own program without moving its
// choice, and with a zero deadline makes no offer. It refuses, changing
// nothing, a member no longer in the pool (placed already, or not
// accepting adjustment), a full program, and a program that is missing or
// of another year.
func testPlaceOffer(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, plan([]string{"齐鲁医院", "山东省立医院"}, []string{"0100"}, 1))
	from, to := ps["齐鲁医院/0100"].ID, ps["山东省立医院/0100"].ID
	other := importRows(t, s, 2024, plan([]string{"齐鲁医院"}, []string{"0100"}, 1))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "place", 4)
	apps := poolMembers(t, s, ids[:3], from)
	approved, err := s.Review(ctx, apps[1].ID, recruit.StateApproved, "材料齐全", t0, nil)
	must(t, "Review", err)
	apps[1] = approved
	outside, err := s.SubmitChoice(ctx, ids[3], 2025, 0, recruit.Choice{ProgramID: from}, t0, nil)
	must(t, "SubmitChoice without adjustment", err)
	wantCounts(t, s, from, 4, 0)

	deadline := t0.Add(72 * time.Hour)
	t1 := t0.Add(time.Hour)
	var seen recruit.Application
	got, err := s.PlaceOffer(ctx, apps[1].ID, to, deadline, t1, keyNote(recruit.KindProvisional, "placed", &seen))
	must(t, "PlaceOffer into another program", err)
	wantOffer(t, s, "PlaceOffer", got, recruit.StateProvisional, recruit.OfferOpen)
	if got.ProgramID != to || got.Version != apps[1].Version+1 || got.ReviewRemark != "" {
		t.Errorf("placed application = %+v; want program %d, version %d, no remark", got, to, apps[1].Version+1)
	}
	if seen != got {
		t.Errorf("the note saw %+v, want %+v", seen, got)
	}
	sameTime(t, "offer deadline", got.OfferDeadline, deadline)
	sameTime(t, "state at", got.StateAt, t1)
	wantCounts(t, s, from, 3, 0)
	wantCounts(t, s, to, 1, 1)
	wantNotes(t, s, ids[1], fmt.Sprintf("placed-%d", apps[1].ID))

	_, err = s.PlaceOffer(ctx, apps[1].ID, from, deadline, t1, nil)
	wantErr(t, "placing a placed application again", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeftPool))
	_, err = s.PlaceOffer(ctx, outside.ID, to, deadline, t1, nil)
	wantErr(t, "placing an application not accepting adjustment", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeftPool))
	_, err = s.PlaceOffer(ctx, apps[0].ID, to, deadline, t1, keyNote(recruit.KindProvisional, "full", new(recruit.Application)))
	wantErr(t, "placing into a full program", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
	_, err = s.PlaceOffer(ctx, apps[0].ID, 99999, deadline, t1, nil)
	wantErr(t, "placing into a missing program", err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoProgram))
	_, err = s.PlaceOffer(ctx, apps[0].ID, other, deadline, t1, nil)
	wantErr(t, "placing into a program of another year", err, recruit.ErrNoPlanInYear(2025))
	wantOffer(t, s, "after the refusals", apps[0], recruit.StatePending, recruit.OfferNone)
	wantNotes(t, s, ids[0])
	wantCounts(t, s, from, 3, 0)
	wantCounts(t, s, to, 1, 1)

	// In its own program, without an offer: the choice stays.
	got, err = s.PlaceOffer(ctx, apps[0].ID, from, time.Time{}, t1, nil)
	must(t, "PlaceOffer into its own program", err)
	wantOffer(t, s, "PlaceOffer without an offer", got, recruit.StateProvisional, recruit.OfferNone)
	if got.ProgramID != from || got.Version != apps[0].Version {
		t.Errorf("placed in its own program = %+v; want program %d, version %d", got, from, apps[0].Version)
	}
	wantCounts(t, s, from, 3, 1)
	_, err = s.PlaceOffer(ctx, apps[2].ID, from, deadline, t1, nil)
	wantErr(t, "placing into the program just filled", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))

	// A declined placement gives the seat back at the new program.
	_, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferDeclined, "", t1, nil)
	must(t, "declining the placement", err)
	wantCounts(t, s, to, 1, 0)
	wantCountersMatchRecount(t, s, 2025)
	if n, err := s.Relay(ctx); err != nil || n != 0 {
		t.Errorf("Relay after the placements = %d, %v; want 0", n, err)
	}
}

// Of concurrent placements of different members into a program's one seat
// exactly one succeeds and the others are told the program is full; of
// concurrent placements of one member into programs with seats exactly one
// succeeds and the others are told the member left the pool. The counters
// move once per placement made.
func testConcurrentPlaceOne(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	ps := importRows(t, s, 2025, plan([]string{"齐鲁医院", "山东省立医院", "烟台毓璜顶医院"}, []string{"0100"}, 1))
	from := ps["齐鲁医院/0100"].ID
	seat, again := ps["山东省立医院/0100"].ID, ps["烟台毓璜顶医院/0100"].ID
	const n = 8
	apps := poolMembers(t, s, newIdentities(t, s, "placerace", n), from)
	deadline := t0.Add(72 * time.Hour)

	errs := make([]error, n)
	race(n, func(i int) {
		_, errs[i] = s.PlaceOffer(ctx, apps[i].ID, seat, deadline, t0, keyNote(recruit.KindProvisional, "race", new(recruit.Application)))
	})
	placed := -1
	for i, err := range errs {
		switch {
		case err == nil && placed < 0:
			placed = i
		case err == nil:
			t.Errorf("placements %d and %d both took the one seat", placed, i)
		default:
			wantErr(t, fmt.Sprintf("placement %d", i), err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
		}
	}
	if placed < 0 {
		t.Fatal("no placement took the seat")
	}
	wantCounts(t, s, seat, 1, 1)
	wantCounts(t, s, from, n-1, 0)

	// One member into two programs at once.
	member := apps[(placed+1)%n].ID
	targets := []int64{from, again}
	race(len(targets), func(i int) {
		_, errs[i] = s.PlaceOffer(ctx, member, targets[i], deadline, t0, nil)
	})
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("placing one member into two programs at once: %v, %v; want exactly one placed", errs[0], errs[1])
	}
	for _, err := range errs[:2] {
		if err != nil {
			wantErr(t, "the placement that lost", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgLeftPool))
		}
	}
	got, err := s.GetApplicationByID(ctx, member)
	must(t, "GetApplicationByID", err)
	if got.State != recruit.StateProvisional || (got.ProgramID != from && got.ProgramID != again) {
		t.Errorf("the member placed twice at once = %+v", got)
	}
	ps2, err := s.ListPrograms(ctx, recruit.ProgramFilter{Year: 2025})
	must(t, "ListPrograms", err)
	admitted := 0
	for _, p := range ps2 {
		admitted += p.Admitted
	}
	if admitted != 2 {
		t.Errorf("%d seats taken in all, want 2", admitted)
	}
	wantCountersMatchRecount(t, s, 2025)
}
