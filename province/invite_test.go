package province_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"zhupei/internal/testyear"
	"zhupei/recruit"
)

// At the start of adjustment (and not of round2) every bound person without
// an application of the year is told, once, however the job is re-run —
// more of them than one page of the store's query; an unbound person and an
// applicant not accepting adjustment are not.
func TestAdjustmentInvitesTheUnapplied(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testyear.Day(time.July, 5, 9))
	declines := f.Apply(t, f.ProgA, false, f.clock.Now())
	accepts := f.Apply(t, f.ProgA, true, f.clock.Now())
	var unapplied []int64
	for range 503 { // the service reads 500 at a time
		unapplied = append(unapplied, f.Bind(t, "测试", f.clock.Now()).ID)
	}
	gone := f.Bind(t, "测试", f.clock.Now()).ID
	if err := f.Store.UnbindIdentity(ctx, gone); err != nil {
		t.Fatal(err)
	}

	r := f.advance(t, testyear.Day(time.August, 1, 0).Add(time.Minute))
	if !slices.Contains(r.Phases, recruit.PhaseRound2) || r.Invited != 0 {
		t.Errorf("round2: %+v, want nobody invited", r)
	}
	if got := f.Notices(t, unapplied[0]); len(got) != 0 {
		t.Errorf("a person without an application was told of round2: %v", got)
	}
	f.clock.Set(testyear.Day(time.August, 5, 9))
	f.review(t, declines, recruit.StateRejected)
	f.review(t, accepts, recruit.StateRejected)
	r = f.advance(t, testyear.Day(time.August, 11, 0).Add(time.Minute))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseAdjustment}) || r.Reopened != 2 || r.Invited != len(unapplied) {
		t.Errorf("adjustment: %+v, want 2 reopened and %d invited", r, len(unapplied))
	}

	// A run cut short before its done marker is completed by the next one:
	// nobody is told twice.
	if err := f.Store.DeleteKV(ctx, fmt.Sprintf("phase-done:%d:%s", testyear.Year, recruit.PhaseAdjustment)); err != nil {
		t.Fatal(err)
	}
	r = f.advance(t, testyear.Day(time.August, 11, 1))
	if !slices.Equal(r.Phases, []recruit.Phase{recruit.PhaseAdjustment}) || r.Invited != 0 {
		t.Errorf("the repeated adjustment start: %+v, want nobody invited again", r)
	}

	for _, id := range unapplied {
		got, err := f.Store.ListNotifications(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Kind != recruit.KindRoundOpened || got[0].Key != fmt.Sprintf("round_opened-%d-adjustment-%d", testyear.Year, id) || got[0].Values["round"] != recruit.PhaseAdjustment.Label() {
			t.Fatalf("notices of unapplied %d = %+v, want one adjustment notice", id, got)
		}
	}
	if got := f.Notices(t, gone); len(got) != 0 {
		t.Errorf("an unbound person was told: %v", got)
	}
	if got := f.Notices(t, accepts.IdentityID); !slices.Contains(got, roundKey(recruit.PhaseAdjustment, accepts)) {
		t.Errorf("the applicant accepting adjustment was not told: %v", got)
	}
	if got := f.Notices(t, declines.IdentityID); slices.Contains(got, roundKey(recruit.PhaseAdjustment, declines)) {
		t.Errorf("the applicant declining adjustment was told: %v", got)
	}
}
