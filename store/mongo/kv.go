package mongo

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// kvDoc is one key-value record. Value holds what SetKV/AddKV store, N the
// counter of IncrKV. Exp is always set (noExpiry for permanent records) and
// is compared with the caller's now; there is no TTL index, expired records
// are simply ignored and overwritten.
type kvDoc struct {
	Key   string    `bson:"_id"`
	Value string    `bson:"value"`
	N     *int64    `bson:"n,omitempty"`
	Exp   time.Time `bson:"exp"`
}

// noExpiry is the expiry of records stored with ttl <= 0.
var noExpiry = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func expiry(ttl time.Duration, now time.Time) time.Time {
	if ttl <= 0 {
		return noExpiry
	}
	return now.Add(ttl)
}

func live(key string, now time.Time) bson.M {
	return bson.M{"_id": key, "exp": bson.M{"$gt": now}}
}

func expired(key string, now time.Time) bson.M {
	return bson.M{"_id": key, "exp": bson.M{"$lte": now}}
}

// SetKV creates or replaces a record.
func (d *DB) SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error {
	doc := kvDoc{Key: key, Value: value, Exp: expiry(ttl, now)}
	_, err := d.col(colKV).ReplaceOne(ctx, bson.M{"_id": key}, doc, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // a concurrent upsert inserted first: replace it
		_, err = d.col(colKV).ReplaceOne(ctx, bson.M{"_id": key}, doc)
	}
	return internal(err)
}

// GetKV returns a live record's value (a counter's number for IncrKV records).
func (d *DB) GetKV(ctx context.Context, key string, now time.Time) (string, error) {
	var doc kvDoc
	if err := d.col(colKV).FindOne(ctx, live(key, now)).Decode(&doc); err != nil {
		return "", storeErr(err, recruit.MsgNoKV, "")
	}
	return doc.value(), nil
}

// value is what GetKV answers for the record.
func (doc kvDoc) value() string {
	if doc.N != nil {
		return strconv.FormatInt(*doc.N, 10)
	}
	return doc.Value
}

// AddKV inserts the record; when the key exists it replaces it only if it
// has expired, with a replace conditional on the expiry. Exactly one of
// several concurrent callers gets true.
func (d *DB) AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error) {
	doc := kvDoc{Key: key, Value: value, Exp: expiry(ttl, now)}
	_, err := d.col(colKV).InsertOne(ctx, doc)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, internal(err)
	}
	res, err := d.col(colKV).ReplaceOne(ctx, expired(key, now), doc)
	if err != nil {
		return false, internal(err)
	}
	return res.MatchedCount == 1, nil
}

// IncrKV adds one to a live counter; an expired one is reset to 1 and a
// missing one inserted as 1, both expiring ttl after now. Each step is a
// conditional single-document write; losing an insert race retries.
func (d *DB) IncrKV(ctx context.Context, key string, ttl time.Duration, now time.Time) (int64, error) {
	kv := d.col(colKV)
	one := int64(1)
	fresh := kvDoc{Key: key, N: &one, Exp: expiry(ttl, now)}
	for range retries {
		var doc kvDoc
		err := kv.FindOneAndUpdate(ctx, live(key, now), bson.M{"$inc": bson.M{"n": int64(1)}}, after).Decode(&doc)
		if err == nil {
			return *doc.N, nil // $inc always leaves n set
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return 0, internal(err)
		}
		res, err := kv.ReplaceOne(ctx, expired(key, now), fresh)
		if err != nil {
			return 0, internal(err)
		}
		if res.MatchedCount == 1 {
			return 1, nil
		}
		_, err = kv.InsertOne(ctx, fresh)
		if err == nil {
			return 1, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return 0, internal(err)
		}
	}
	return 0, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// PurgeExpiredKV deletes the records expired at now; permanent records
// expire at noExpiry, which is never reached.
func (d *DB) PurgeExpiredKV(ctx context.Context, now time.Time) (int, error) {
	res, err := d.col(colKV).DeleteMany(ctx, bson.M{"exp": bson.M{"$lte": now}})
	if err != nil {
		return 0, internal(err)
	}
	return int(res.DeletedCount), nil
}

// DeleteKV removes a record; removing an absent one is not an error.
func (d *DB) DeleteKV(ctx context.Context, key string) error {
	_, err := d.col(colKV).DeleteOne(ctx, bson.M{"_id": key})
	return internal(err)
}

// ScanKV calls fn for every live record whose key starts with prefix, in
// key order; expires is zero for a record without expiry. The records are
// read before the first call, so fn may write to the store.
func (d *DB) ScanKV(ctx context.Context, prefix string, now time.Time, fn func(key, value string, expires time.Time) error) error {
	var docs []kvDoc
	filter := bson.M{"_id": bson.M{"$regex": "^" + regexp.QuoteMeta(prefix)}, "exp": bson.M{"$gt": now}}
	if err := d.findAll(ctx, colKV, filter, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return err
	}
	for _, doc := range docs {
		exp := doc.Exp
		if exp.Equal(noExpiry) {
			exp = time.Time{}
		}
		if err := fn(doc.Key, doc.value(), exp); err != nil {
			return err
		}
	}
	return nil
}

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
