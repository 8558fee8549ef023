package recruit

import (
	"context"
	"time"
)

// Offers (DESIGN.md, Offers and adjustment). When a year's
// Offers.RequireAcceptance is set, a provisional admission is an offer the
// applicant accepts (确认接受) or declines (放弃) before its deadline; a
// declined, expired or voided offer gives its seat back at once. With the
// setting off, provisional admissions carry no offer and everything works
// as in the seed.

// OfferSettings are a year's offer settings (offers.* in JSON).
type OfferSettings struct {
	// RequireAcceptance makes every provisional admission an offer that
	// must be accepted before the admission can be confirmed.
	RequireAcceptance bool `json:"require_acceptance"`
}

// OfferState is where the offer of a provisional admission is; OfferNone
// for an application that never had one.
type OfferState string

// Offer states. Open and accepted offers hold a seat (the application is
// provisional, or admitted once the base confirmed an accepted offer); the
// others ended and gave the seat back (the application is approved again).
const (
	OfferNone     OfferState = ""
	OfferOpen     OfferState = "open"     // 待确认
	OfferAccepted OfferState = "accepted" // 已接受
	OfferDeclined OfferState = "declined" // 已放弃
	OfferExpired  OfferState = "expired"  // 已过期
	OfferVoided   OfferState = "voided"   // 已作废, by the province
)

// Label returns the Chinese name of the offer state.
func (o OfferState) Label() string {
	switch o {
	case OfferOpen:
		return "待确认"
	case OfferAccepted:
		return "已接受"
	case OfferDeclined:
		return "已放弃"
	case OfferExpired:
		return "已过期"
	case OfferVoided:
		return "已作废"
	}
	return string(o)
}

// Ends reports whether an offer moving to o ends, giving its seat back.
func (o OfferState) Ends() bool {
	return o == OfferDeclined || o == OfferExpired || o == OfferVoided
}

// Answer offer windows, in hours: a base's BaseDates.OfferHours, the
// default when it set none, and the longest it may set.
const (
	DefaultOfferHours = 72
	MaxOfferHours     = 720
)

// OfferDeadline returns the answer deadline of an offer made at now: hours
// (DefaultOfferHours when 0) later, but never past the end of the phase in
// force at now (the round's end).
func OfferDeadline(cal Calendar, hours int, now time.Time) time.Time {
	if hours <= 0 {
		hours = DefaultOfferHours
	}
	d := now.Add(time.Duration(hours) * time.Hour)
	if _, end, ok := cal.Start(cal.PhaseAt(now)); ok && !end.IsZero() && end.Before(d) {
		d = end
	}
	return d
}

// BaseOfferDeadline returns the answer deadline of an offer base makes in
// year y at now: OfferDeadline with the window the base set for the phase
// in force (BaseDates.OfferHours, else the default), or zero when the
// year does not require acceptance (no offer: a provisional admission as
// in the seed).
func BaseOfferDeadline(ctx context.Context, st BaseDatesStore, y Year, base int64, now time.Time) (time.Time, error) {
	if !y.Offers.RequireAcceptance {
		return time.Time{}, nil
	}
	hours := 0
	d, err := st.GetBaseDates(ctx, y.Year, base, y.Calendar.PhaseAt(now))
	switch {
	case err == nil:
		hours = d.OfferHours
	case ErrorCode(err) != ENOTFOUND:
		return time.Time{}, err
	}
	return OfferDeadline(y.Calendar, hours, now), nil
}

// offerTime is t as the offer messages write it.
func offerTime(t time.Time) string { return t.In(Shanghai).Format("2006年01月02日 15:04") }

// CheckOfferMove decides whether the offer of app may move to state to at
// now: nil when it may, else an EFORBIDDEN *Error saying why (EINVALID for a
// target that is no move). The applicant accepts or declines an open offer
// before its deadline; the expiry job expires an open offer once its
// deadline has come; the province voids an accepted one. Every move needs a
// provisionally admitted application.
func CheckOfferMove(app Application, to OfferState, now time.Time) error {
	switch to {
	case OfferAccepted, OfferDeclined, OfferExpired, OfferVoided:
	default:
		return Errorf(EINVALID, "拟录取确认结果只能是接受或放弃")
	}
	if app.State != StateProvisional || app.OfferState == OfferNone {
		return forbid("当前没有待确认的拟录取")
	}
	if to == OfferVoided {
		if app.OfferState != OfferAccepted {
			return forbid("该拟录取为“%s”，仅能作废申请人已确认接受的拟录取", app.OfferState.Label())
		}
		return nil
	}
	if app.OfferState == OfferAccepted {
		return forbid("已于%s确认接受拟录取，不能再更改", offerTime(app.OfferAt))
	}
	if app.OfferState != OfferOpen {
		return forbid("当前没有待确认的拟录取")
	}
	lapsed := !now.Before(app.OfferDeadline)
	switch {
	case to == OfferExpired && !lapsed:
		return forbid("拟录取的确认期限（%s）未到", offerTime(app.OfferDeadline))
	case to != OfferExpired && lapsed:
		return forbid("确认期限（%s）已过，拟录取已失效", offerTime(app.OfferDeadline))
	}
	return nil
}

// InState returns app moved to state to at now.
func (app Application) InState(to State, now time.Time) Application {
	app.State, app.StateAt, app.UpdatedAt = to, now, now
	return app
}

// withoutOffer returns app with no offer.
func (app Application) withoutOffer() Application {
	app.OfferState, app.OfferDeadline, app.OfferAt, app.OfferReason = OfferNone, time.Time{}, time.Time{}, ""
	return app
}

// Move is a change of an application within its program (a placement,
// PlaceMove, also to another program of its year): it checks the
// application read and returns it as it is to be stored at now. The
// stores apply a Move with the counters (State.Counts) and notifications
// in one operation (Applications, Offers); the moves are these.
type Move func(app Application, now time.Time) (Application, error)

// AdmitMove is a provisional admission (Transition to provisional): with
// an offer answerable until deadline, or none when deadline is zero.
func AdmitMove(deadline time.Time) Move {
	return func(app Application, now time.Time) (Application, error) {
		if err := Transition(app.State, StateProvisional); err != nil {
			return Application{}, err
		}
		return app.provisional(deadline, now), nil
	}
}

// UndoMove is a base's undo of a provisional admission (CheckUndo,
// CheckUndoOffer): approved again, without its offer.
func UndoMove(app Application, now time.Time) (Application, error) {
	if err := CheckUndo(app.State); err != nil {
		return Application{}, err
	}
	if err := CheckUndoOffer(app); err != nil {
		return Application{}, err
	}
	return app.InState(StateApproved, now).withoutOffer(), nil
}

// ConfirmMove is the admission (录取) of a provisional admission, whose
// offer must not be open (Transition, CheckAdmitOffer); an accepted offer
// stays on record.
func ConfirmMove(app Application, now time.Time) (Application, error) {
	if err := Transition(app.State, StateAdmitted); err != nil {
		return Application{}, err
	}
	if err := CheckAdmitOffer(app, false); err != nil {
		return Application{}, err
	}
	return app.InState(StateAdmitted, now), nil
}

// OfferMove moves the offer to state to (CheckOfferMove) with reason (a
// void's): an ended offer makes the application approved again.
func OfferMove(to OfferState, reason string) Move {
	return func(app Application, now time.Time) (Application, error) {
		if err := CheckOfferMove(app, to, now); err != nil {
			return Application{}, err
		}
		app.OfferState, app.OfferAt, app.OfferReason, app.UpdatedAt = to, now, reason, now
		if to.Ends() {
			app = app.InState(StateApproved, now)
		}
		return app, nil
	}
}

// CheckAdmitOffer refuses to confirm the admission of app while its offer
// is open or, when requireAcceptance (the year's setting), unless it was
// accepted.
func CheckAdmitOffer(app Application, requireAcceptance bool) error {
	if app.OfferState == OfferOpen {
		return forbid("申请人尚未确认接受拟录取（确认期限%s），确认接受后方可录取", offerTime(app.OfferDeadline))
	}
	if requireAcceptance && app.OfferState != OfferAccepted {
		return forbid("本年度拟录取须经申请人确认接受，该人员未确认接受，不能录取")
	}
	return nil
}

// CheckUndoOffer refuses a base the undo of a provisional admission whose
// offer the applicant accepted: only the province voids it.
func CheckUndoOffer(app Application) error {
	if app.OfferState == OfferAccepted {
		return forbid("申请人已确认接受拟录取，培训基地不能撤销；如有争议，请由省级管理员作废")
	}
	return nil
}

// Notes builds the notifications recorded with a change of an application
// from the application as it is stored after the change.
type Notes func(app Application) ([]Notification, error)

// Notes is n's one notification as Notes; nil for a nil n.
func (n Note) Notes() Notes {
	if n == nil {
		return nil
	}
	return func(app Application) ([]Notification, error) {
		msg, err := n(app)
		if err != nil {
			return nil, err
		}
		return []Notification{msg}, nil
	}
}

// Offers holds the offers of provisional admissions (see Applications for
// the counters and notifications).
type Offers interface {
	// MakeOffer is ProvisionallyAdmit making an offer: the application
	// becomes provisional with an open offer answerable until deadline.
	MakeOffer(ctx context.Context, appID int64, deadline, now time.Time, note Note) (Application, error)
	// MoveOffer moves the offer of an application to state to when
	// CheckOfferMove allows it at now (reason is kept with it: a void's),
	// with the notifications of notes (nil: none) queued atomically with
	// the change. An ending move makes the application approved again and
	// gives its seat back in the same operation; of concurrent moves of
	// one offer exactly one succeeds and the others get the refusal of
	// the state they find, so counters move once. On a backend without
	// transactions the seat is given back after the change, so a crash in
	// between leaves a seat taken, never one too many.
	MoveOffer(ctx context.Context, appID int64, to OfferState, reason string, now time.Time, notes Notes) (Application, error)
	// LapsedOffers returns up to limit provisional applications whose open
	// offer's deadline is not after now, earliest deadline first.
	LapsedOffers(ctx context.Context, now time.Time, limit int) ([]Application, error)
}

// ExpireBatch is how many lapsed offers ExpireLapsed reads at a time.
const ExpireBatch = 100

// ExpireLapsed expires every offer lapsed at now (LapsedOffers, then
// MoveOffer to OfferExpired with the notifications of notes for each)
// and returns the applications it expired, as they are stored after it. An
// offer another caller moved meanwhile (expired by a concurrent run,
// answered just in time) is left to that caller, so concurrent runs, as two
// instances' jobs, expire each offer once between them.
func ExpireLapsed(ctx context.Context, st Offers, now time.Time, notes func(Application) (Notes, error)) ([]Application, error) {
	var out []Application
	for {
		lapsed, err := st.LapsedOffers(ctx, now, ExpireBatch)
		if err != nil {
			return out, err
		}
		moved := 0
		for _, app := range lapsed {
			ns, err := notes(app)
			if err != nil {
				return out, err
			}
			got, err := st.MoveOffer(ctx, app.ID, OfferExpired, "", now, ns)
			if ErrorCode(err) == EFORBIDDEN {
				continue // moved by someone else since it was read
			}
			if err != nil {
				return out, err
			}
			out = append(out, got)
			moved++
		}
		if len(lapsed) < ExpireBatch || moved == 0 {
			return out, nil
		}
	}
}
