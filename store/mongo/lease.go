package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// leaseDoc is one lease: its holder and when it ends.
type leaseDoc struct {
	Name  string    `bson:"_id"`
	Owner string    `bson:"owner"`
	Exp   time.Time `bson:"exp"`
}

// AcquireLease is one FindOneAndUpdate with upsert on the lease that is
// expired or owner's: when another owner holds a live lease the filter does
// not match, the upsert tries to insert a second document with the same _id
// and fails with a duplicate key, which means "held by someone else".
func (d *DB) AcquireLease(ctx context.Context, name, owner string, until, now time.Time) (bool, error) {
	if err := recruit.CheckLease(name, owner, until, now); err != nil {
		return false, err
	}
	filter := bson.M{"_id": name, "$or": bson.A{bson.M{"exp": bson.M{"$lte": now}}, bson.M{"owner": owner}}}
	update := bson.M{"$set": bson.M{"owner": owner, "exp": until}}
	var doc leaseDoc
	err := d.col(colLeases).FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err)
	}
	return doc.Owner == owner, nil
}

// ReleaseLease deletes the lease if owner holds it.
func (d *DB) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := d.col(colLeases).DeleteOne(ctx, bson.M{"_id": name, "owner": owner})
	return internal(err)
}
