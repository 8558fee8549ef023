package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// profileDoc is a profile as stored. The sections are the domain types,
// encoded through their json tags (the profiles collection is opened with
// UseJSONStructTags), so stored field names match the API's and
// Basic.IDNumber, tagged json:"-", is never written nor read: the ID number
// lives sealed in identities only.
type profileDoc struct {
	IdentityID   int64                 `bson:"_id"`
	Basic        *recruit.Basic        `bson:"basic,omitempty"`
	Work         *recruit.Work         `bson:"work,omitempty"`
	Education    []recruit.Education   `bson:"education,omitempty"`
	Certificates *recruit.Certificates `bson:"certificates,omitempty"`
	Version      int                   `bson:"version"`
	UpdatedAt    time.Time             `bson:"updated_at"`
}

func (p profileDoc) profile() recruit.Profile {
	out := recruit.Profile(p)
	out.UpdatedAt = norm(p.UpdatedAt)
	return out
}

// profiles is the profiles collection with json-tag encoding.
func (d *DB) profiles() *mongo.Collection {
	return d.db.Collection(colProfiles, options.Collection().SetBSONOptions(&options.BSONOptions{UseJSONStructTags: true}))
}

// GetProfile returns the profile of an identity, or an empty one with
// Version 0. Basic.IDNumber is left empty: the caller takes it from the
// identity.
func (d *DB) GetProfile(ctx context.Context, identityID int64) (recruit.Profile, error) {
	var doc profileDoc
	err := d.profiles().FindOne(ctx, bson.M{"_id": identityID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return recruit.Profile{IdentityID: identityID}, nil
	}
	if err != nil {
		return recruit.Profile{}, internal(err)
	}
	return doc.profile(), nil
}

// msgStale is the message of a save on an outdated version.
const msgStale = "信息已被修改，请刷新后重试"

// SaveProfile stores p if the stored version is p.Version: a new profile
// (Version 0) is inserted under its _id, an existing one replaced with a
// filter on its version, so of concurrent saves of one version exactly one
// wins and the others get ECONFLICT. rev is then appended to the history
// (a second write: a crash in between loses that history entry only).
// The stored profile is returned, with Basic.IDNumber empty.
func (d *DB) SaveProfile(ctx context.Context, p recruit.Profile, rev recruit.Revision, touchApp int64) (recruit.Profile, error) {
	if p.IdentityID <= 0 || p.Version < 0 {
		return recruit.Profile{}, recruit.Errorf(recruit.EINVALID, "个人信息的编号或版本无效")
	}
	doc := profileDoc{
		IdentityID: p.IdentityID, Basic: p.Basic, Work: p.Work, Education: p.Education,
		Certificates: p.Certificates, Version: p.Version + 1, UpdatedAt: norm(rev.At),
	}
	if p.Basic != nil { // a copy without the number, not to alter the caller's
		b := *p.Basic
		b.IDNumber = ""
		doc.Basic = &b
	}
	profiles := d.profiles()
	if p.Version == 0 {
		if _, err := profiles.InsertOne(ctx, doc); err != nil {
			return recruit.Profile{}, storeErr(err, "", msgStale)
		}
	} else {
		res, err := profiles.ReplaceOne(ctx, bson.M{"_id": p.IdentityID, "version": p.Version}, doc)
		if err != nil {
			return recruit.Profile{}, internal(err)
		}
		if res.MatchedCount == 0 {
			return recruit.Profile{}, recruit.Errorf(recruit.ECONFLICT, msgStale)
		}
	}
	// The application's version first: an outdated printed form must not
	// verify as current, even if the history entry then fails.
	if touchApp != 0 {
		if _, err := d.touch(ctx, bson.M{"_id": touchApp, "identity_id": p.IdentityID}, rev.At); err != nil {
			return recruit.Profile{}, err
		}
	}
	rev.IdentityID = p.IdentityID
	if err := d.AddRevision(ctx, rev); err != nil {
		return recruit.Profile{}, err
	}
	return doc.profile(), nil
}

// revisionDoc is one history entry; its _id comes from the revisions counter.
type revisionDoc struct {
	ID         int64     `bson:"_id"`
	IdentityID int64     `bson:"identity_id"`
	Kind       string    `bson:"kind"`
	Summary    string    `bson:"summary"`
	Snapshot   string    `bson:"snapshot"`
	By         string    `bson:"by"`
	At         time.Time `bson:"at"`
}

// AddRevision appends a history entry with the next revision id.
func (d *DB) AddRevision(ctx context.Context, rev recruit.Revision) error {
	if rev.IdentityID <= 0 || rev.Kind == "" {
		return recruit.Errorf(recruit.EINVALID, "修改记录缺少申请人或类别")
	}
	id, err := d.nextID(ctx, colRevisions)
	if err != nil {
		return err
	}
	doc := revisionDoc(rev)
	doc.ID = id
	doc.At = norm(rev.At)
	_, err = d.col(colRevisions).InsertOne(ctx, doc)
	return internal(err)
}

// History returns an identity's revisions, newest (highest id) first.
func (d *DB) History(ctx context.Context, identityID int64) ([]recruit.Revision, error) {
	var docs []revisionDoc
	if err := d.findAll(ctx, colRevisions, bson.M{"identity_id": identityID}, &docs, newestFirst); err != nil {
		return nil, err
	}
	out := make([]recruit.Revision, len(docs))
	for i, r := range docs {
		out[i] = recruit.Revision(r)
		out[i].At = norm(r.At)
	}
	return out, nil
}

// newestFirst sorts documents with counter ids newest first.
var newestFirst = options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
