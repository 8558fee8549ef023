package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// UnappliedIdentities pages the bound identities without an application in
// year. With no $lookup, it reads a page of bound identity ids, asks which
// of them have an application of the year (the year_identity_unique index)
// and keeps the others, page after page until it has limit of them or the
// identities end.
func (d *DB) UnappliedIdentities(ctx context.Context, year int, after int64, limit int) ([]int64, error) {
	if err := recruit.CheckPage(year, limit); err != nil {
		return nil, err
	}
	type idDoc struct {
		ID         int64 `bson:"_id"`
		IdentityID int64 `bson:"identity_id"`
	}
	out := []int64{}
	for len(out) < limit {
		var page []idDoc
		opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetProjection(bson.M{"_id": 1})
		if err := d.findAll(ctx, colIdentities, bson.M{"_id": bson.M{"$gt": after}, "openid": bson.M{"$exists": true}}, &page, opts); err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		ids := make([]int64, len(page))
		for i, p := range page {
			ids[i] = p.ID
		}
		var applied []idDoc
		if err := d.findAll(ctx, colApplications, bson.M{"year": year, "identity_id": bson.M{"$in": ids}}, &applied,
			options.Find().SetProjection(bson.M{"identity_id": 1})); err != nil {
			return nil, err
		}
		has := make(map[int64]bool, len(applied))
		for _, a := range applied {
			has[a.IdentityID] = true
		}
		for _, id := range ids {
			if !has[id] && len(out) < limit {
				out = append(out, id)
			}
		}
		if len(page) < limit {
			break
		}
		after = ids[len(ids)-1]
	}
	return out, nil
}
