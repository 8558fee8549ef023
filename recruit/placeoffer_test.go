package recruit

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestSeatMoves(t *testing.T) {
	for _, c := range []struct {
		name     string
		fromProg int64
		from     State
		toProg   int64
		to       State
		seat     bool
		rest     map[int64]Counts
	}{
		{"admission in the program", 1, StateApproved, 1, StateProvisional, true, map[int64]Counts{}},
		{"placement elsewhere", 1, StatePending, 2, StateProvisional, true, map[int64]Counts{1: {Registered: -1}, 2: {Registered: 1}}},
		{"undo", 1, StateProvisional, 1, StateApproved, false, map[int64]Counts{1: {Admitted: -1}}},
		{"admission confirmed", 1, StateProvisional, 1, StateAdmitted, false, map[int64]Counts{1: {Final: 1}}},
	} {
		seat, rest := SeatMoves(c.fromProg, c.from, c.toProg, c.to)
		if seat != c.seat || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("%s: seat %v, rest %v; want %v, %v", c.name, seat, rest, c.seat, c.rest)
		}
	}
}

func TestPlaceMove(t *testing.T) {
	cal := DefaultCalendar(2025)
	now := time.Date(2025, time.August, 12, 9, 0, 0, 0, Shanghai)
	deadline := now.Add(72 * time.Hour)
	member := Application{ID: 1, Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateRejected, Version: 3, ReviewRemark: "材料不全",
		SubmittedAt: now.Add(-30 * 24 * time.Hour), OfferState: OfferDeclined}

	got, err := PlaceMove(cal, 9, deadline)(member, now)
	if err != nil {
		t.Fatal(err)
	}
	want := member
	want.ProgramID, want.Version, want.ReviewRemark = 9, 4, ""
	want.State, want.StateAt, want.UpdatedAt = StateProvisional, now, now
	want.OfferState, want.OfferDeadline = OfferOpen, deadline
	if got != want {
		t.Errorf("placed elsewhere = %+v, want %+v", got, want)
	}

	got, err = PlaceMove(cal, 7, time.Time{})(member, now)
	if err != nil || got.ProgramID != 7 || got.Version != 3 || got.ReviewRemark != "材料不全" || got.OfferState != OfferNone || !got.OfferDeadline.IsZero() {
		t.Errorf("placed in its program without an offer = %+v, %v", got, err)
	}

	left := Errorf(ECONFLICT, MsgLeftPool)
	for name, app := range map[string]Application{
		"holding a seat":             {Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateProvisional},
		"not accepting adjustment":   {Year: 2025, ProgramID: 7, State: StatePending, SubmittedAt: member.SubmittedAt},
		"withdrawn (not registered)": {Year: 2025, ProgramID: 7, AcceptsAdjustment: true, State: StateDraft},
	} {
		if _, err := PlaceMove(cal, 9, deadline)(app, now); !errors.Is(err, left) {
			t.Errorf("%s: %v, want %v", name, err, left)
		}
	}
	// New in adjustment without accepting it: in the pool.
	fresh := Application{Year: 2025, ProgramID: 7, State: StatePending, SubmittedAt: cal.Adjustment.Add(time.Hour)}
	if _, err := PlaceMove(cal, 9, deadline)(fresh, now); err != nil {
		t.Errorf("an application new in adjustment: %v", err)
	}
}
