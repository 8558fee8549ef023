package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhupei/recruit"
)

// offerNotes returns notes queuing two notifications of kind for the
// changed application (as the applicant's and the base's notices of an
// ended offer are queued together), keyed key-<n>-<app id>.
func offerNotes(kind recruit.NoticeKind, key string) recruit.Notes {
	return func(app recruit.Application) ([]recruit.Notification, error) {
		var out []recruit.Notification
		for n := range 2 {
			out = append(out, recruit.Notification{IdentityID: app.IdentityID, Kind: kind,
				Key: fmt.Sprintf("%s-%d-%d", key, n, app.ID), Title: string(kind), CreatedAt: app.UpdatedAt})
		}
		return out, nil
	}
}

// wantOffer fails the test unless the stored application id has state
// and offer state, and equals got.
func wantOffer(t *testing.T, s recruit.Store, what string, got recruit.Application, state recruit.State, offer recruit.OfferState) {
	t.Helper()
	stored, err := s.GetApplicationByID(context.Background(), got.ID)
	must(t, "GetApplicationByID", err)
	if stored != got {
		t.Errorf("%s: stored %+v, returned %+v", what, stored, got)
	}
	if stored.State != state || stored.OfferState != offer {
		t.Errorf("%s: state %s, offer %q; want %s, %q", what, stored.State, stored.OfferState, state, offer)
	}
}

// An offer is made with a seat and a deadline, accepted (the seat stays,
// the base may not undo it, admission confirms it), declined (the seat goes
// back at once), expired after its deadline (the seat goes back), voided
// by the province (the seat goes back, the reason kept); each move queues
// its notifications with it and moves the counters once.
func testOffers(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, 2))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "offer", 3)
	apps := submitApproved(t, s, ids, p)
	deadline := t0.Add(72 * time.Hour)

	_, err := s.MakeOffer(ctx, apps[0].ID, time.Time{}, t0, nil)
	wantCode(t, "MakeOffer without a deadline", err, recruit.EINVALID)
	got, err := s.MakeOffer(ctx, apps[0].ID, deadline, t0, keyNote(recruit.KindProvisional, "offer", new(recruit.Application)))
	must(t, "MakeOffer", err)
	wantOffer(t, s, "MakeOffer", got, recruit.StateProvisional, recruit.OfferOpen)
	sameTime(t, "offer deadline", got.OfferDeadline, deadline)
	wantCounts(t, s, p, 3, 1)
	wantNotes(t, s, ids[0], fmt.Sprintf("offer-%d", apps[0].ID))

	_, err = s.Admit(ctx, apps[0].ID, t0, nil)
	wantErr(t, "Admit of an open offer", err, recruit.CheckAdmitOffer(got, false))
	_, err = s.MoveOffer(ctx, apps[0].ID, recruit.OfferExpired, "", t0, nil)
	wantErr(t, "expiring an offer before its deadline", err, recruit.CheckOfferMove(got, recruit.OfferExpired, t0))
	_, err = s.MoveOffer(ctx, apps[0].ID, recruit.OfferVoided, "", t0, nil)
	wantErr(t, "voiding an open offer", err, recruit.CheckOfferMove(got, recruit.OfferVoided, t0))
	_, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferAccepted, "", t0, nil)
	wantErr(t, "accepting without an offer", err, recruit.CheckOfferMove(apps[1], recruit.OfferAccepted, t0))

	// Accepted: the seat stays, nothing else is possible but admission.
	t1 := t0.Add(time.Hour)
	got, err = s.MoveOffer(ctx, apps[0].ID, recruit.OfferAccepted, "", t1, nil)
	must(t, "accepting", err)
	wantOffer(t, s, "accepting", got, recruit.StateProvisional, recruit.OfferAccepted)
	sameTime(t, "accepted at", got.OfferAt, t1)
	wantCounts(t, s, p, 3, 1)
	for _, to := range []recruit.OfferState{recruit.OfferAccepted, recruit.OfferDeclined} {
		_, err = s.MoveOffer(ctx, apps[0].ID, to, "", t1, nil)
		wantErr(t, "answering an accepted offer with "+string(to), err, recruit.CheckOfferMove(got, to, t1))
	}
	_, err = s.UndoProvisional(ctx, apps[0].ID, t1, nil)
	wantErr(t, "UndoProvisional of an accepted offer", err, recruit.CheckUndoOffer(got))
	_, err = s.SubmitChoice(ctx, ids[0], 2025, got.Version, recruit.Choice{ProgramID: p}, t1, nil)
	wantErr(t, "SubmitChoice holding an accepted offer", err, recruit.Transition(recruit.StateProvisional, recruit.StatePending))
	wantCounts(t, s, p, 3, 1)

	// Declined: the seat goes back in the same operation, once.
	got, err = s.MakeOffer(ctx, apps[1].ID, deadline, t1, nil)
	must(t, "MakeOffer", err)
	wantCounts(t, s, p, 3, 2)
	_, err = s.MakeOffer(ctx, apps[2].ID, deadline, t1, nil)
	wantErr(t, "MakeOffer into a full program", err, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
	t2 := t1.Add(time.Hour)
	got, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferDeclined, "", t2, offerNotes(recruit.KindOfferVoid, "declined"))
	must(t, "declining", err)
	wantOffer(t, s, "declining", got, recruit.StateApproved, recruit.OfferDeclined)
	sameTime(t, "declined state at", got.StateAt, t2)
	wantCounts(t, s, p, 3, 1)
	wantNotes(t, s, ids[1], fmt.Sprintf("declined-1-%d", apps[1].ID), fmt.Sprintf("declined-0-%d", apps[1].ID))
	_, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferDeclined, "", t2, nil)
	wantErr(t, "declining twice", err, recruit.CheckOfferMove(got, recruit.OfferDeclined, t2))
	wantCounts(t, s, p, 3, 1)

	// Expired: only once the deadline has come; the seat goes back once.
	short := t2.Add(time.Hour)
	open, err := s.MakeOffer(ctx, apps[2].ID, short, t2, nil)
	must(t, "MakeOffer", err)
	wantCounts(t, s, p, 3, 2)
	wantLapsed(t, s, short.Add(-time.Millisecond))
	wantLapsed(t, s, short, apps[2].ID)
	_, err = s.MoveOffer(ctx, apps[2].ID, recruit.OfferAccepted, "", short, nil)
	wantErr(t, "accepting at the deadline", err, recruit.CheckOfferMove(open, recruit.OfferAccepted, short))
	got, err = s.MoveOffer(ctx, apps[2].ID, recruit.OfferExpired, "", short, offerNotes(recruit.KindOfferVoid, "expired"))
	must(t, "expiring", err)
	wantOffer(t, s, "expiring", got, recruit.StateApproved, recruit.OfferExpired)
	wantCounts(t, s, p, 3, 1)
	wantNotes(t, s, ids[2], fmt.Sprintf("expired-1-%d", apps[2].ID), fmt.Sprintf("expired-0-%d", apps[2].ID))
	wantLapsed(t, s, short)

	// Admission of the accepted offer, as in the seed.
	got, err = s.Admit(ctx, apps[0].ID, short, nil)
	must(t, "Admit of an accepted offer", err)
	wantOffer(t, s, "Admit", got, recruit.StateAdmitted, recruit.OfferAccepted)
	wantFinal(t, s, p, 1)

	// Voided by the province: an accepted offer only, reason kept.
	_, err = s.MakeOffer(ctx, apps[1].ID, deadline, short, nil)
	must(t, "MakeOffer again", err)
	_, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferAccepted, "", short, nil)
	must(t, "accepting", err)
	wantCounts(t, s, p, 3, 2)
	got, err = s.MoveOffer(ctx, apps[1].ID, recruit.OfferVoided, "材料造假", short, offerNotes(recruit.KindOfferVoid, "voided"))
	must(t, "voiding", err)
	wantOffer(t, s, "voiding", got, recruit.StateApproved, recruit.OfferVoided)
	if got.OfferReason != "材料造假" {
		t.Errorf("void reason = %q", got.OfferReason)
	}
	wantCounts(t, s, p, 3, 1)

	// A new choice starts without the old offer.
	got, err = s.SubmitChoice(ctx, ids[1], 2025, got.Version, recruit.Choice{ProgramID: p}, short, nil)
	must(t, "SubmitChoice after the void", err)
	wantOffer(t, s, "SubmitChoice", got, recruit.StatePending, recruit.OfferNone)
	if !got.OfferDeadline.IsZero() || !got.OfferAt.IsZero() || got.OfferReason != "" {
		t.Errorf("SubmitChoice kept the offer: %+v", got)
	}
	wantCountersMatchRecount(t, s, 2025)
	if n, err := s.Relay(ctx); err != nil || n != 0 {
		t.Errorf("Relay after the moves = %d, %v; want 0", n, err)
	}
}

// wantLapsed fails the test unless LapsedOffers at now returns exactly the
// applications ids, in order.
func wantLapsed(t *testing.T, s recruit.Store, now time.Time, ids ...int64) {
	t.Helper()
	lapsed, err := s.LapsedOffers(context.Background(), now, 10)
	must(t, "LapsedOffers", err)
	got := make([]int64, len(lapsed))
	for i, a := range lapsed {
		got[i] = a.ID
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("LapsedOffers(%v) = %v, want %v", now, got, ids)
	}
}

// Two instances running the expiry job at once (recruit.ExpireLapsed)
// expire every lapsed offer once between them: each seat goes back once,
// each notification is queued once; the open offer not yet due stays. And
// many concurrent answers to one offer: one wins.
func testConcurrentExpiry(t *testing.T, s recruit.Store) {
	const lapsedN = 12
	ctx := context.Background()
	p := importRows(t, s, 2025, plan([]string{"齐鲁医院"}, []string{"0100"}, lapsedN+2))["齐鲁医院/0100"].ID
	ids := newIdentities(t, s, "expire", lapsedN+2)
	apps := submitApproved(t, s, ids, p)
	due := t0.Add(time.Hour)
	for i, a := range apps {
		deadline := due.Add(-time.Duration(i) * time.Minute)
		if i >= lapsedN {
			deadline = due.Add(time.Hour)
		}
		_, err := s.MakeOffer(ctx, a.ID, deadline, t0, nil)
		must(t, "MakeOffer", err)
	}
	wantCounts(t, s, p, lapsedN+2, lapsedN+2)

	notes := func(recruit.Application) (recruit.Notes, error) {
		return offerNotes(recruit.KindOfferVoid, "lapsed"), nil
	}
	var runs [2][]recruit.Application
	var errs [2]error
	race(2, func(i int) { runs[i], errs[i] = recruit.ExpireLapsed(ctx, s, due, notes) })
	for i, err := range errs {
		must(t, fmt.Sprintf("ExpireLapsed run %d", i), err)
	}
	if n := len(runs[0]) + len(runs[1]); n != lapsedN {
		t.Errorf("the two runs expired %d + %d offers, want %d in all", len(runs[0]), len(runs[1]), lapsedN)
	}
	wantCounts(t, s, p, lapsedN+2, 2)
	for i, a := range apps[:lapsedN] {
		got, err := s.GetApplicationByID(ctx, a.ID)
		must(t, "GetApplicationByID", err)
		if got.State != recruit.StateApproved || got.OfferState != recruit.OfferExpired {
			t.Errorf("lapsed offer %d: %s, %q", i, got.State, got.OfferState)
		}
		wantNotes(t, s, ids[i], fmt.Sprintf("lapsed-1-%d", a.ID), fmt.Sprintf("lapsed-0-%d", a.ID))
	}
	wantLapsed(t, s, due)
	again, err := recruit.ExpireLapsed(ctx, s, due, notes)
	if err != nil || len(again) != 0 {
		t.Errorf("a third run expired %d, %v; want none", len(again), err)
	}

	// The two open offers: concurrent accepts and declines, one wins each.
	for _, a := range apps[lapsedN:] {
		errs := make([]error, 8)
		race(len(errs), func(i int) {
			to := recruit.OfferAccepted
			if i%2 == 1 {
				to = recruit.OfferDeclined
			}
			_, errs[i] = s.MoveOffer(ctx, a.ID, to, "", due, nil)
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if recruit.ErrorCode(err) != recruit.EFORBIDDEN {
				t.Errorf("concurrent answer: %v, want success or EFORBIDDEN", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent answers succeeded, want 1", won, len(errs))
		}
	}
	wantCountersMatchRecount(t, s, 2025)
}

// A year's offer setting and a base's offer window round-trip.
func testOfferSettings(t *testing.T, s recruit.Store) {
	ctx := context.Background()
	y := recruit.Year{Year: 2025, Title: "t", Calendar: recruit.DefaultCalendar(2025), Offers: recruit.OfferSettings{RequireAcceptance: true}}
	must(t, "PutYear", s.PutYear(ctx, y))
	got, err := s.GetYear(ctx, 2025)
	must(t, "GetYear", err)
	if !got.Offers.RequireAcceptance {
		t.Errorf("GetYear lost offers.require_acceptance: %+v", got)
	}
	y.Offers.RequireAcceptance = false
	must(t, "PutYear", s.PutYear(ctx, y))
	if got, err := s.LatestYear(ctx); err != nil || got.Offers.RequireAcceptance {
		t.Errorf("LatestYear = %+v, %v; want the setting off", got, err)
	}
	base, _ := twoBases(t, s)
	d := recruit.BaseDates{Year: 2025, BaseID: base, Round: recruit.PhaseRound1, OfferHours: 48, UpdatedAt: t0}
	must(t, "PutBaseDates", s.PutBaseDates(ctx, d))
	if got, err := s.GetBaseDates(ctx, 2025, base, recruit.PhaseRound1); err != nil || got.OfferHours != 48 {
		t.Errorf("GetBaseDates = %+v, %v; want offer_hours 48", got, err)
	}
}
