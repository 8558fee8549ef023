package mongo

import (
	"context"
	"errors"
	"fmt"
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
// lives sealed in identities only. Pending holds the history entry and the
// application touch of the last saves until the relay has delivered them.
type profileDoc struct {
	IdentityID   int64                 `bson:"_id"`
	Basic        *recruit.Basic        `bson:"basic,omitempty"`
	Work         *recruit.Work         `bson:"work,omitempty"`
	Education    []recruit.Education   `bson:"education,omitempty"`
	Certificates *recruit.Certificates `bson:"certificates,omitempty"`
	Version      int                   `bson:"version"`
	UpdatedAt    time.Time             `bson:"updated_at"`
	Pending      []pendingDoc          `bson:"pending,omitempty"`
	Search       *searchDoc            `bson:"search,omitempty"` // the review queue's (see queue.go)
	SearchKeys   []string              `bson:"search_keys,omitempty"`
}

func (p profileDoc) profile() recruit.Profile {
	return recruit.Profile{
		IdentityID: p.IdentityID, Basic: p.Basic, Work: p.Work, Education: p.Education,
		Certificates: p.Certificates, Version: p.Version, UpdatedAt: norm(p.UpdatedAt),
	}
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

// SaveProfile stores p if the stored version is p.Version: a new profile
// (Version 0) is inserted under its _id, an existing one replaced with a
// filter on its version, so of concurrent saves of one version exactly one
// wins and the others get ECONFLICT. The history entry and the bump of
// touchApp's version go into the same single-document write (the pending
// array) and are relayed right after. A replacement is also conditional on
// no entries being pending, so that it cannot drop them: a document a crash
// left with entries is relayed first. The stored profile is returned, with
// Basic.IDNumber empty.
func (d *DB) SaveProfile(ctx context.Context, p recruit.Profile, rev recruit.Revision, touchApp int64) (recruit.Profile, error) {
	if err := recruit.CheckProfileKey(p); err != nil {
		return recruit.Profile{}, err
	}
	rev.IdentityID = p.IdentityID
	if err := recruit.CheckRevision(rev); err != nil {
		return recruit.Profile{}, err
	}
	if err := d.mustExist(ctx, colIdentities, p.IdentityID, recruit.MsgNoIdentity); err != nil {
		return recruit.Profile{}, err
	}
	if touchApp != 0 {
		if _, err := d.application(ctx, bson.M{"_id": touchApp, "identity_id": p.IdentityID}, recruit.MsgNoApplication); err != nil {
			return recruit.Profile{}, err
		}
	}
	entries, err := d.pendingRecords(ctx, revisionFrom(rev), nil)
	if err != nil {
		return recruit.Profile{}, err
	}
	if touchApp != 0 {
		entries = append(entries, pendingDoc{ID: fmt.Sprintf("touch:%d", p.Version+1), TouchApp: touchApp, TouchVersion: p.Version + 1, At: norm(rev.At)})
	}
	doc := profileDoc{
		IdentityID: p.IdentityID, Basic: p.Basic, Work: p.Work, Education: p.Education,
		Certificates: p.Certificates, Version: p.Version + 1, UpdatedAt: norm(rev.At), Pending: entries,
	}
	if p.Basic != nil { // a copy without the number, not to alter the caller's
		b := *p.Basic
		b.IDNumber = ""
		doc.Basic = &b
	}
	old, err := d.storedSearch(ctx, p.IdentityID)
	if err != nil {
		return recruit.Profile{}, err
	}
	if doc.Search, doc.SearchKeys, err = d.newSearch(ctx, p, old); err != nil {
		return recruit.Profile{}, err
	}
	if err := d.writeProfile(ctx, doc); err != nil {
		return recruit.Profile{}, err
	}
	d.relayDoc(ctx, d.profiles(), doc.IdentityID, entries)
	return doc.profile(), nil
}

// writeProfile inserts doc (version 1) or replaces version doc.Version−1
// with it, relaying first the entries a crash left pending.
func (d *DB) writeProfile(ctx context.Context, doc profileDoc) error {
	profiles := d.profiles()
	if doc.Version == 1 {
		_, err := profiles.InsertOne(ctx, doc)
		return storeErr(err, "", recruit.MsgStale)
	}
	for range retries {
		filter := bson.M{"_id": doc.IdentityID, "version": doc.Version - 1}
		res, err := profiles.ReplaceOne(ctx, bson.M{"$and": bson.A{filter, bson.M{"pending.id": bson.M{"$exists": false}}}}, doc)
		if err != nil {
			return internal(err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
		var old profileDoc
		err = profiles.FindOne(ctx, filter).Decode(&old)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return recruit.Errorf(recruit.ECONFLICT, recruit.MsgStale)
		}
		if err != nil {
			return internal(err)
		}
		if _, err := d.deliver(ctx, profiles, old.IdentityID, old.Pending); err != nil {
			return err
		}
	}
	return recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
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

// revisionFrom is rev as stored, without its id.
func revisionFrom(rev recruit.Revision) *revisionDoc {
	doc := revisionDoc(rev)
	doc.At = norm(rev.At)
	return &doc
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
