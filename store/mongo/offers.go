package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// MakeOffer takes a seat as ProvisionallyAdmit does and opens the offer in
// the same application update (see moveState).
func (d *DB) MakeOffer(ctx context.Context, appID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	if deadline.IsZero() {
		return recruit.Application{}, recruit.Errorf(recruit.EINVALID, "拟录取确认期限不能为空")
	}
	return d.moveState(ctx, appID, recruit.AdmitMove(norm(deadline)), now, note.Notes())
}

// MoveOffer moves the offer with one update conditional on the state and
// offer read, carrying the notifications; only the caller whose update
// matched gives the seat back ($inc afterwards), so of concurrent moves one
// wins and counters move once (see moveState).
func (d *DB) MoveOffer(ctx context.Context, appID int64, to recruit.OfferState, reason string, now time.Time, notes recruit.Notes) (recruit.Application, error) {
	return d.moveState(ctx, appID, recruit.OfferMove(to, reason), now, notes)
}

// LapsedOffers returns the provisional applications whose open offer's
// deadline has come, earliest first.
func (d *DB) LapsedOffers(ctx context.Context, now time.Time, limit int) ([]recruit.Application, error) {
	var docs []appDoc
	filter := bson.M{"state": recruit.StateProvisional, "offer_state": recruit.OfferOpen, "offer_deadline": bson.M{"$lte": norm(now)}}
	opts := options.Find().SetSort(bson.D{{Key: "offer_deadline", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit))
	if err := d.findAll(ctx, colApplications, filter, &docs, opts); err != nil {
		return nil, err
	}
	out := make([]recruit.Application, len(docs))
	for i, a := range docs {
		out[i] = a.app()
	}
	return out, nil
}
