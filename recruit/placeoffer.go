package recruit

import (
	"context"
	"time"
)

// MsgLeftPool refuses the placement of an application that is no longer
// in the adjustment pool (InPool): it holds a seat, its choice or its
// acceptance of adjustment changed, or it was withdrawn.
const MsgLeftPool = "该人员已不在调剂人员中（已被拟录取或志愿已变更），未予安排"

// PlaceMove is the placement of a member of the adjustment pool in
// program programID of its year (PlacementMove checks the year) as a
// provisional admission, with an offer answerable until deadline (none
// when deadline is zero): the application must be InPool under its year's
// calendar cal (ECONFLICT MsgLeftPool otherwise), and may be pending,
// approved or rejected, since the placement is the province's decision
// over the pool, not a base's review. When its choice is another program
// it moves there as a changed choice does: Version grows (forms printed
// before are outdated) and the review remark, the old base's, goes.
func PlaceMove(cal Calendar, programID int64, deadline time.Time) Move {
	return func(app Application, now time.Time) (Application, error) {
		if !InPool(app, cal) {
			return Application{}, Errorf(ECONFLICT, MsgLeftPool)
		}
		if app.ProgramID != programID {
			app.ProgramID, app.Version, app.ReviewRemark = programID, app.Version+1, ""
		}
		return app.provisional(deadline, now), nil
	}
}

// provisional returns app provisionally admitted at now with an open offer
// until deadline, or none when deadline is zero.
func (app Application) provisional(deadline, now time.Time) Application {
	app = app.InState(StateProvisional, now).withoutOffer()
	if !deadline.IsZero() {
		app.OfferState, app.OfferDeadline = OfferOpen, deadline
	}
	return app
}

// SeatMoves splits the counter changes of a move of one application from
// (fromProgram, from) to (toProgram, to) (CountMoves) into whether it
// takes a seat of toProgram — admitted +1 there, which a store takes only
// under the plan, conditionally — and the other changes, which it applies
// as they are.
func SeatMoves(fromProgram int64, from State, toProgram int64, to State) (seat bool, rest map[int64]Counts) {
	rest = CountMoves(fromProgram, from, toProgram, to)
	c := rest[toProgram]
	if c.Admitted <= 0 {
		return false, rest
	}
	c.Admitted--
	if c == (Counts{}) {
		delete(rest, toProgram)
	} else {
		rest[toProgram] = c
	}
	return true, rest
}

// PlacementMove returns the PlaceMove of application appID into program
// programID as every backend's PlaceOffer applies it, reading from c the
// application's year (which never changes, so reading it before the write
// is safe: the pool membership is checked by the move in the write), the
// program and that year's calendar. ENOTFOUND: MsgNoApplication,
// MsgNoProgram, or ErrNoPlanInYear for a program of another year.
func PlacementMove(ctx context.Context, c interface {
	GetApplicationByID(ctx context.Context, appID int64) (Application, error)
	GetProgram(ctx context.Context, id int64) (Program, error)
	GetYear(ctx context.Context, year int) (Year, error)
}, appID, programID int64, deadline time.Time) (Move, error) {
	app, err := c.GetApplicationByID(ctx, appID)
	if err != nil {
		return nil, err
	}
	prog, err := c.GetProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	if prog.Year != app.Year {
		return nil, ErrNoPlanInYear(app.Year)
	}
	y, err := c.GetYear(ctx, app.Year)
	if err != nil {
		return nil, err
	}
	return PlaceMove(y.Calendar, prog.ID, deadline), nil
}
