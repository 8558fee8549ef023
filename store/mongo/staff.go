package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

var _ recruit.StaffStore = (*DB)(nil)

// staffDoc is a staff account. InviteHash names the invitation the account
// was created from: its unique index makes redemption a single insert that
// at most one redeemer of an invitation gets through, and the unique openid
// indexes refuse an account bound already in the same insert. (Inserts,
// unlike updates, report unique violations as duplicate keys on FerretDB
// too.) Openids and InviteHash are absent (not empty) while unset, for the
// sparse unique indexes.
type staffDoc struct {
	ID         int64     `bson:"_id"`
	Name       string    `bson:"name"`
	Role       string    `bson:"role"`
	BaseID     int64     `bson:"base_id"`
	MPOpenID   string    `bson:"mp_openid,omitempty"`
	OAOpenID   string    `bson:"oa_openid,omitempty"`
	Disabled   bool      `bson:"disabled"`
	CreatedAt  time.Time `bson:"created_at"`
	InviteHash string    `bson:"invite_hash,omitempty"`
}

// inviteDoc is an invitation, keyed by the code's hash; it is never
// changed, and deleted once expired.
type inviteDoc struct {
	Hash      string    `bson:"_id"` // recruit.HashSecret of the code
	Role      string    `bson:"role"`
	BaseID    int64     `bson:"base_id"` // 0 for a province admin
	Name      string    `bson:"name"`
	Expires   time.Time `bson:"expires"` // unknown from then on
	CreatedAt time.Time `bson:"created_at"`
}

func (doc staffDoc) staff() recruit.Staff {
	return recruit.Staff{
		ID: doc.ID, Name: doc.Name, Role: recruit.Role(doc.Role), BaseID: doc.BaseID,
		MPOpenID: doc.MPOpenID, OAOpenID: doc.OAOpenID, Disabled: doc.Disabled, CreatedAt: norm(doc.CreatedAt),
	}
}

// openIDField is the document field of a channel's openid.
func openIDField(ch recruit.Channel) string {
	if ch == recruit.ChannelOA {
		return "oa_openid"
	}
	return "mp_openid"
}

// staffIndexes are the indexes of the staff collection.
var staffIndexes = []mongo.IndexModel{
	{Keys: bson.D{{Key: "mp_openid", Value: 1}}, Options: options.Index().SetName("mp_openid_unique").SetUnique(true).SetSparse(true)},
	{Keys: bson.D{{Key: "oa_openid", Value: 1}}, Options: options.Index().SetName("oa_openid_unique").SetUnique(true).SetSparse(true)},
	{Keys: bson.D{{Key: "invite_hash", Value: 1}}, Options: options.Index().SetName("invite_hash_unique").SetUnique(true).SetSparse(true)},
	{Keys: bson.D{{Key: "base_id", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("base")},
}

// checkBase answers BaseNotFound unless id is 0 (no base) or a base.
func (d *DB) checkBase(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	n, err := d.col(colBases).CountDocuments(ctx, bson.M{"_id": id})
	switch {
	case err != nil:
		return internal(err)
	case n == 0:
		return recruit.BaseNotFound(id)
	}
	return nil
}

// CreateStaff inserts a new account.
func (d *DB) CreateStaff(ctx context.Context, s recruit.Staff) (recruit.Staff, error) {
	s, err := s.Normalize()
	if err != nil {
		return recruit.Staff{}, err
	}
	if err := d.checkBase(ctx, s.BaseID); err != nil {
		return recruit.Staff{}, err
	}
	doc, err := d.insertStaff(ctx, s, "")
	if err != nil {
		return recruit.Staff{}, err
	}
	return doc.staff(), nil
}

// insertStaff inserts s under a new id, created from the invitation
// inviteHash when it is not empty. A duplicate key is the openid or the
// invitation taken meanwhile: ErrStaffOpenIDBound, or ErrInviteUsed when
// an account of inviteHash exists.
func (d *DB) insertStaff(ctx context.Context, s recruit.Staff, inviteHash string) (staffDoc, error) {
	id, err := d.nextID(ctx, colStaff)
	if err != nil {
		return staffDoc{}, err
	}
	doc := staffDoc{ID: id, Name: s.Name, Role: string(s.Role), BaseID: s.BaseID, MPOpenID: s.MPOpenID,
		OAOpenID: s.OAOpenID, Disabled: s.Disabled, CreatedAt: norm(s.CreatedAt), InviteHash: inviteHash}
	_, err = d.col(colStaff).InsertOne(ctx, doc)
	switch {
	case err == nil:
		return doc, nil
	case !mongo.IsDuplicateKeyError(err):
		return staffDoc{}, internal(err)
	}
	if inviteHash == "" {
		return staffDoc{}, recruit.ErrStaffOpenIDBound
	}
	switch used, err := d.inviteUsed(ctx, inviteHash); {
	case err != nil:
		return staffDoc{}, err
	case used:
		return staffDoc{}, recruit.ErrInviteUsed
	}
	return staffDoc{}, recruit.ErrStaffOpenIDBound
}

// inviteUsed reports whether an account was created from the invitation
// inviteHash.
func (d *DB) inviteUsed(ctx context.Context, inviteHash string) (bool, error) {
	n, err := d.col(colStaff).CountDocuments(ctx, bson.M{"invite_hash": inviteHash})
	return n > 0, internal(err)
}

// GetStaff returns an account by id.
func (d *DB) GetStaff(ctx context.Context, id int64) (recruit.Staff, error) {
	return d.findStaff(ctx, bson.M{"_id": id})
}

// StaffByMPOpenID returns the account of a mini-program openid.
func (d *DB) StaffByMPOpenID(ctx context.Context, openID string) (recruit.Staff, error) {
	return d.findStaff(ctx, bson.M{openIDField(recruit.ChannelMP): openID})
}

// StaffByOAOpenID returns the account of an official-account openid.
func (d *DB) StaffByOAOpenID(ctx context.Context, openID string) (recruit.Staff, error) {
	return d.findStaff(ctx, bson.M{openIDField(recruit.ChannelOA): openID})
}

func (d *DB) findStaff(ctx context.Context, filter bson.M) (recruit.Staff, error) {
	var doc staffDoc
	if err := d.col(colStaff).FindOne(ctx, filter).Decode(&doc); err != nil {
		return recruit.Staff{}, storeErr(err, recruit.ErrStaffNotFound.Message, "")
	}
	return doc.staff(), nil
}

// ListStaff returns the accounts matching f ordered by id.
func (d *DB) ListStaff(ctx context.Context, f recruit.StaffFilter) ([]recruit.Staff, error) {
	filter := bson.M{}
	if f.BaseID != 0 {
		filter["base_id"] = f.BaseID
	}
	var docs []staffDoc
	if err := d.findAll(ctx, colStaff, filter, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Staff, len(docs))
	for i, doc := range docs {
		out[i] = doc.staff()
	}
	return out, nil
}

// SetStaffDisabled sets the disabled flag with one update.
func (d *DB) SetStaffDisabled(ctx context.Context, id int64, disabled bool) (recruit.Staff, error) {
	return d.updateStaff(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"disabled": disabled}})
}

// updateStaff applies update to the account filter selects and returns
// it, ErrStaffNotFound when none matches.
func (d *DB) updateStaff(ctx context.Context, filter, update bson.M) (recruit.Staff, error) {
	var doc staffDoc
	if err := d.col(colStaff).FindOneAndUpdate(ctx, filter, update, after).Decode(&doc); err != nil {
		return recruit.Staff{}, storeErr(err, recruit.ErrStaffNotFound.Message, recruit.ErrStaffOpenIDBound.Message)
	}
	return doc.staff(), nil
}

// BindStaffChannel sets the channel's openid with an update conditional on
// it being unset, so that of concurrent binds one changes the account;
// when nothing matches, a read tells a missing account and one bound to
// openID already (no change) from one bound to another openid. An openid
// of another account is refused by a read first: FerretDB reports a
// unique violation of an update as an internal error (MongoDB as a
// duplicate key, which covers the race between that read and the update).
func (d *DB) BindStaffChannel(ctx context.Context, id int64, ch recruit.Channel, openID string) (recruit.Staff, bool, error) {
	if err := recruit.CheckChannel(ch, openID); err != nil {
		return recruit.Staff{}, false, err
	}
	field := openIDField(ch)
	switch n, err := d.col(colStaff).CountDocuments(ctx, bson.M{field: openID, "_id": bson.M{"$ne": id}}); {
	case err != nil:
		return recruit.Staff{}, false, internal(err)
	case n > 0:
		return recruit.Staff{}, false, recruit.ErrStaffOpenIDBound
	}
	st, err := d.updateStaff(ctx, bson.M{"_id": id, field: bson.M{"$exists": false}}, bson.M{"$set": bson.M{field: openID}})
	if recruit.ErrorCode(err) != recruit.ENOTFOUND {
		return st, err == nil, err
	}
	switch st, err := d.GetStaff(ctx, id); {
	case err != nil:
		return recruit.Staff{}, false, err
	case st.OpenID(ch) == openID:
		return st, false, nil
	}
	return recruit.Staff{}, false, recruit.ErrStaffChannelTaken
}

// CreateInvitation inserts inv, after deleting the invitations that expired
// before it was created. A code hash that an account was redeemed from is
// refused like a stored one.
func (d *DB) CreateInvitation(ctx context.Context, inv recruit.Invitation) error {
	inv, err := inv.Normalize()
	if err != nil {
		return err
	}
	if err := d.checkBase(ctx, inv.BaseID); err != nil {
		return err
	}
	// An account keeps the hash of its invitation after the invitation
	// is deleted: that code would be refused as used.
	switch used, err := d.inviteUsed(ctx, inv.CodeHash); {
	case err != nil:
		return err
	case used:
		return recruit.ErrInviteExists
	}
	invites := d.col(colInvites)
	if _, err := invites.DeleteMany(ctx, bson.M{"expires": bson.M{"$lte": inv.CreatedAt}}); err != nil {
		return internal(err)
	}
	_, err = invites.InsertOne(ctx, inviteDoc{Hash: inv.CodeHash, Role: string(inv.Role), BaseID: inv.BaseID,
		Name: inv.Name, Expires: norm(inv.Expires), CreatedAt: norm(inv.CreatedAt)})
	return storeErr(err, "", recruit.ErrInviteExists.Message)
}

// RedeemInvitation reads the invitation and inserts its account; the insert
// is the one atomic step (see staffDoc). The reads before it only give the
// precise refusal when nobody races.
func (d *DB) RedeemInvitation(ctx context.Context, codeHash string, ch recruit.Channel, openID string, now time.Time) (recruit.Staff, error) {
	if err := recruit.CheckChannel(ch, openID); err != nil {
		return recruit.Staff{}, err
	}
	var inv inviteDoc
	err := d.col(colInvites).FindOne(ctx, bson.M{"_id": codeHash, "expires": bson.M{"$gt": now}}).Decode(&inv)
	if err != nil {
		return recruit.Staff{}, storeErr(err, recruit.ErrInviteUnknown.Message, "")
	}
	switch used, err := d.inviteUsed(ctx, codeHash); {
	case err != nil:
		return recruit.Staff{}, err
	case used:
		return recruit.Staff{}, recruit.ErrInviteUsed
	}
	s := recruit.Invitation{Role: recruit.Role(inv.Role), BaseID: inv.BaseID, Name: inv.Name}.Staff(ch, openID, now)
	doc, err := d.insertStaff(ctx, s, codeHash)
	if err != nil {
		return recruit.Staff{}, err
	}
	return doc.staff(), nil
}
