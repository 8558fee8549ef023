package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"zhupei/recruit"
)

// identityDoc keeps the ID number only sealed (IDSealed) and as a blind
// index (IDIndex); the plain number is never written. OpenID is absent (not
// empty) while the identity is unbound, so the sparse unique index on it
// admits any number of unbound identities.
type identityDoc struct {
	ID       int64     `bson:"_id"`
	OpenID   string    `bson:"openid,omitempty"`
	Name     string    `bson:"name"`
	IDType   string    `bson:"id_type"`
	IDSealed string    `bson:"id_sealed"`
	IDIndex  string    `bson:"id_index"`
	BoundAt  time.Time `bson:"bound_at"`
}

// CreateIdentity binds an OpenID to a person. A new ID number gets a new
// identity. An ID number whose identity was unbound is re-attached to the
// OpenID, keeping its id (and so the person's profile and applications), if
// the name matches the stored one. ECONFLICT when the OpenID is already
// bound, the ID number is bound to another account, or the name differs.
func (d *DB) CreateIdentity(ctx context.Context, id recruit.Identity) (recruit.Identity, error) {
	id, err := recruit.CleanNewIdentity(id)
	if err != nil {
		return recruit.Identity{}, err
	}
	sealed, err := d.sealer.Seal(id.IDNumber)
	if err != nil {
		return recruit.Identity{}, recruit.Internal(err)
	}
	num, err := d.nextID(ctx, colIdentities)
	if err != nil {
		return recruit.Identity{}, err
	}
	doc := identityDoc{
		ID: num, OpenID: id.OpenID, Name: id.Name, IDType: id.IDType,
		IDSealed: sealed, IDIndex: recruit.IdentityIndex(d.sealer, id.IDType, id.IDNumber),
		BoundAt: norm(id.BoundAt),
	}
	if _, err := d.col(colIdentities).InsertOne(ctx, doc); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			return recruit.Identity{}, internal(err)
		}
		return d.rebind(ctx, doc)
	}
	id.ID = num
	id.BoundAt = doc.BoundAt
	return id, nil
}

// rebind handles a CreateIdentity whose insert hit a unique index: it
// re-attaches an unbound identity with the same blind index to doc.OpenID,
// or explains the conflict.
func (d *DB) rebind(ctx context.Context, doc identityDoc) (recruit.Identity, error) {
	ids := d.col(colIdentities)
	n, err := ids.CountDocuments(ctx, bson.M{"openid": doc.OpenID})
	switch {
	case err != nil:
		return recruit.Identity{}, internal(err)
	case n > 0:
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgOpenIDBound)
	}
	var old identityDoc
	err = ids.FindOne(ctx, bson.M{"id_index": doc.IDIndex}).Decode(&old)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		// The account that held the openid unbound meanwhile.
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, "实名认证信息刚刚发生变化，请重试")
	case err != nil:
		return recruit.Identity{}, internal(err)
	case old.OpenID != "":
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNumberBound)
	case old.Name != doc.Name:
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNameDiffers)
	}
	var got identityDoc
	err = ids.FindOneAndUpdate(ctx,
		bson.M{"_id": old.ID, "openid": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"openid": doc.OpenID, "bound_at": doc.BoundAt}}, after).Decode(&got)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments): // another account re-attached it first
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgNumberBound)
	case mongo.IsDuplicateKeyError(err): // this account was bound meanwhile
		return recruit.Identity{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgOpenIDBound)
	case err != nil:
		return recruit.Identity{}, internal(err)
	}
	return d.identityFromDoc(got)
}

// UnbindIdentity detaches the WeChat account from an identity by removing
// its openid; the identity document and everything keyed by its id stay.
func (d *DB) UnbindIdentity(ctx context.Context, identityID int64) error {
	res, err := d.col(colIdentities).UpdateOne(ctx, bson.M{"_id": identityID}, bson.M{"$unset": bson.M{"openid": ""}})
	if err != nil {
		return internal(err)
	}
	if res.MatchedCount == 0 {
		return recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoIdentity)
	}
	return nil
}

// IdentityByOpenID returns the binding of a WeChat account.
func (d *DB) IdentityByOpenID(ctx context.Context, openID string) (recruit.Identity, error) {
	if openID == "" {
		return recruit.Identity{}, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNotBound)
	}
	return d.identity(ctx, bson.M{"openid": openID})
}

// GetIdentity returns a binding by id.
func (d *DB) GetIdentity(ctx context.Context, id int64) (recruit.Identity, error) {
	return d.identity(ctx, bson.M{"_id": id})
}

// IdentityByNumber returns the identity of an ID number, bound or not.
func (d *DB) IdentityByNumber(ctx context.Context, idType, number string) (recruit.Identity, error) {
	return d.identity(ctx, bson.M{"id_index": recruit.IdentityIndex(d.sealer, idType, number)})
}

func (d *DB) identity(ctx context.Context, filter bson.M) (recruit.Identity, error) {
	var doc identityDoc
	if err := d.col(colIdentities).FindOne(ctx, filter).Decode(&doc); err != nil {
		return recruit.Identity{}, storeErr(err, recruit.MsgNotBound, "")
	}
	return d.identityFromDoc(doc)
}

// identityFromDoc opens the sealed ID number of a stored identity.
func (d *DB) identityFromDoc(doc identityDoc) (recruit.Identity, error) {
	plain, err := d.sealer.Open(doc.IDSealed)
	if err != nil {
		return recruit.Identity{}, recruit.Internal(errors.Join(errors.New("cannot open a sealed ID number"), err))
	}
	return recruit.Identity{
		ID: doc.ID, OpenID: doc.OpenID, Name: doc.Name, IDType: doc.IDType,
		IDNumber: plain, BoundAt: norm(doc.BoundAt),
	}, nil
}
