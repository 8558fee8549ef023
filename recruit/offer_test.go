package recruit

import (
	"testing"
	"time"
)

func TestOfferDeadline(t *testing.T) {
	cal := DefaultCalendar(2025)
	at := func(m time.Month, d, h int) time.Time { return time.Date(2025, m, d, h, 0, 0, 0, Shanghai) }
	for _, c := range []struct {
		name  string
		hours int
		now   time.Time
		want  time.Time
	}{
		{"the default 72 hours", 0, at(time.July, 12, 9), at(time.July, 15, 9)},
		{"the base's window", 24, at(time.July, 12, 9), at(time.July, 13, 9)},
		{"capped at round 1's end", 72, at(time.July, 30, 9), at(time.August, 1, 0)},
		{"capped at adjustment's end", 0, at(time.August, 15, 9), at(time.August, 16, 0)},
	} {
		if got := OfferDeadline(cal, c.hours, c.now); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckOfferMove(t *testing.T) {
	deadline := time.Date(2025, time.July, 15, 9, 0, 0, 0, Shanghai)
	before, after := deadline.Add(-time.Second), deadline
	app := func(s State, o OfferState) Application {
		return Application{State: s, OfferState: o, OfferDeadline: deadline, OfferAt: before}
	}
	for _, c := range []struct {
		name string
		app  Application
		to   OfferState
		now  time.Time
		code string
	}{
		{"accept an open offer", app(StateProvisional, OfferOpen), OfferAccepted, before, ""},
		{"decline an open offer", app(StateProvisional, OfferOpen), OfferDeclined, before, ""},
		{"accept at the deadline", app(StateProvisional, OfferOpen), OfferAccepted, after, EFORBIDDEN},
		{"decline at the deadline", app(StateProvisional, OfferOpen), OfferDeclined, after, EFORBIDDEN},
		{"expire at the deadline", app(StateProvisional, OfferOpen), OfferExpired, after, ""},
		{"expire before the deadline", app(StateProvisional, OfferOpen), OfferExpired, before, EFORBIDDEN},
		{"void an open offer", app(StateProvisional, OfferOpen), OfferVoided, before, EFORBIDDEN},
		{"void an accepted offer", app(StateProvisional, OfferAccepted), OfferVoided, after, ""},
		{"void an admitted one", app(StateAdmitted, OfferAccepted), OfferVoided, after, EFORBIDDEN},
		{"accept twice", app(StateProvisional, OfferAccepted), OfferAccepted, before, EFORBIDDEN},
		{"decline after accepting", app(StateProvisional, OfferAccepted), OfferDeclined, before, EFORBIDDEN},
		{"expire an accepted offer", app(StateProvisional, OfferAccepted), OfferExpired, after, EFORBIDDEN},
		{"answer a declined offer", app(StateApproved, OfferDeclined), OfferAccepted, before, EFORBIDDEN},
		{"answer without an offer", app(StateProvisional, OfferNone), OfferAccepted, before, EFORBIDDEN},
		{"move to open", app(StateProvisional, OfferOpen), OfferOpen, before, EINVALID},
	} {
		err := CheckOfferMove(c.app, c.to, c.now)
		if ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
		if c.code != "" {
			continue
		}
		got, err := OfferMove(c.to, "")(c.app, c.now)
		wantState := StateProvisional
		if c.to.Ends() {
			wantState = StateApproved
		}
		if err != nil || got.OfferState != c.to || got.State != wantState || !got.OfferAt.Equal(c.now) {
			t.Errorf("%s: OfferMove = %+v, %v", c.name, got, err)
		}
	}
}

// An applicant holding an accepted offer can change nothing: not the
// profile, the specialty, the base, a new registration, nor the answer; the
// base cannot undo it; admission may confirm it.
func TestAcceptedOfferLocks(t *testing.T) {
	accepted := &Application{State: StateProvisional, OfferState: OfferAccepted, OfferDeadline: time.Now().Add(time.Hour)}
	for _, phase := range []Phase{PhaseRegistration, PhaseRound1, PhaseRound2, PhaseAdjustment, PhaseConfirmation, PhaseClosed} {
		for _, a := range []Action{ActionRegister, ActionEditProfile, ActionChangeSpecialty, ActionChangeBase} {
			if err := ApplicantMay(phase, accepted, a); ErrorCode(err) != EFORBIDDEN {
				t.Errorf("%s, %s with an accepted offer: %v, want EFORBIDDEN", phase, a, err)
			}
		}
	}
	for _, to := range []OfferState{OfferAccepted, OfferDeclined} {
		if err := CheckOfferMove(*accepted, to, time.Now()); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("answering %s again: %v", to, err)
		}
	}
	if err := Transition(accepted.State, StatePending); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a new choice: %v", err)
	}
	if err := BaseMay(PhaseRound1, accepted, ActionUndoProvisional); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("the base's undo: %v", err)
	}
	if _, err := UndoMove(*accepted, time.Now()); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("UndoMove: %v", err)
	}
	if err := BaseMay(PhaseConfirmation, accepted, ActionConfirmAdmission); err != nil {
		t.Errorf("admission of an accepted offer: %v", err)
	}
	open := &Application{State: StateProvisional, OfferState: OfferOpen}
	if err := BaseMay(PhaseConfirmation, open, ActionConfirmAdmission); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("admission of an open offer: %v", err)
	}
	if err := BaseMay(PhaseRound1, open, ActionUndoProvisional); err != nil {
		t.Errorf("the base's undo of an open offer: %v", err)
	}
	for _, c := range []struct {
		app     Application
		require bool
		code    string
	}{
		{Application{State: StateProvisional}, false, ""},
		{Application{State: StateProvisional}, true, EFORBIDDEN},
		{Application{State: StateProvisional, OfferState: OfferOpen}, false, EFORBIDDEN},
		{Application{State: StateProvisional, OfferState: OfferAccepted}, true, ""},
	} {
		if err := CheckAdmitOffer(c.app, c.require); ErrorCode(err) != c.code {
			t.Errorf("CheckAdmitOffer(%q, %v) = %v, want %q", c.app.OfferState, c.require, err, c.code)
		}
	}
}
