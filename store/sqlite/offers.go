package sqlite

import (
	"context"
	"time"

	"zhupei/recruit"
)

// MakeOffer takes a seat as ProvisionallyAdmit does and opens the offer,
// with its notification, in one transaction.
func (db *DB) MakeOffer(ctx context.Context, appID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	if deadline.IsZero() {
		return recruit.Application{}, recruit.Errorf(recruit.EINVALID, "拟录取确认期限不能为空")
	}
	return db.moveState(ctx, appID, recruit.AdmitMove(deadline), now, note.Notes())
}

// MoveOffer moves the offer, its seat (an ending move gives it back) and
// its notifications in one transaction, so concurrent moves are serialised
// and the later ones refused by the state they read.
func (db *DB) MoveOffer(ctx context.Context, appID int64, to recruit.OfferState, reason string, now time.Time, notes recruit.Notes) (recruit.Application, error) {
	return db.moveState(ctx, appID, recruit.OfferMove(to, reason), now, notes)
}

// lapsedQuery selects the lapsed offers (args: lapsedArgs). The partial
// index applications_open_offers serves it, so the expiry job, which runs
// every few seconds, reads only the open offers that are due.
const lapsedQuery = `SELECT ` + appColumns + ` FROM applications
	WHERE state = ? AND offer_state = ? AND offer_deadline <= ? ORDER BY offer_deadline, id LIMIT ?`

// lapsedArgs are the arguments of lapsedQuery.
func lapsedArgs(now time.Time, limit int) []any {
	return []any{recruit.StateProvisional, recruit.OfferOpen, now.UnixNano(), limit}
}

// LapsedOffers returns the provisional applications whose open offer's
// deadline has come, earliest first.
func (db *DB) LapsedOffers(ctx context.Context, now time.Time, limit int) ([]recruit.Application, error) {
	return queryAll(ctx, db.read, lapsedQuery, lapsedArgs(now, limit), scanApp)
}
