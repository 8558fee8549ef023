// Package mongo implements recruit.Store (every aggregate, the staff
// accounts of recruit.StaffStore included) on MongoDB with the official Go
// driver (go.mongodb.org/mongo-driver v1). The rules it shares with
// store/sqlite (the state machine, the counters of each state, plan
// validation, input checks and messages) come from package recruit.
//
// It uses only single-document atomic operations: conditional updates,
// FindOneAndUpdate with $inc, inserts guarded by unique indexes. There are no
// multi-document transactions, no $lookup, $facet, arrayFilters, $expr, TTL
// indexes or change streams, so the same code runs on a standalone server, a
// replica set, a sharded cluster and the FerretDB stand-in used by the tests.
//
// Collections:
//
//	counters      {_id: name, seq}                      numeric id sequences
//	years         {_id: year, title, notice, calendar}
//	bases         {_id, name (unique), city}
//	specialties   {_id: code, name, group}
//	programs      {_id, year, base_id, specialty_code, plan, registered, admitted, free}
//	identities    {_id, openid (unique, sparse; absent when unbound), name, id_type, id_sealed, id_index (unique), bound_at}
//	applications  {_id, year, identity_id, program_id, ..., state_at, pending, touch_version} unique {year, identity_id}
//	kv            {_id: key, value, n, exp}
//	profiles      {_id: identity_id, basic, work, education, certificates, version, updated_at, pending}
//	revisions     {_id, identity_id, kind, summary, snapshot, by, at}
//	files         {_id: file id, blob, owner_id, kind, content_type, size, created_at}
//	blobs.files, blobs.chunks   the GridFS bucket holding the files' data
//	notifications {_id, identity_id, kind, client_msg_id (unique), payload, state, attempts, next_at, created_at}
//	forms         {_id: code, application_id, version, file_id, generated_at}
//	staff         {_id, name, role, base_id, mp_openid, oa_openid (both unique, sparse), disabled, created_at,
//	               invite_hash (unique, sparse: the invitation it was redeemed from)}
//	staff_invitations {_id: SHA-256 of the code, role, base_id, name, expires, created_at}
//	audit         {_id, at, staff_id, role, base_id, action, target, before, after, remark, request_id}  append-only
//	base_dates    {_id: "year:base:round", year, base_id, round, review_deadline, written_exam, interview,
//	               provisional_admission, updated_at}
//	shortage_specialties {_id: year, codes}
//	vacancy_prefs {_id: application_id, year, program_ids, updated_at}
//	base_rankings {_id: "year:base", year, base_id, application_ids, updated_at}
//
// A program's free field is plan − admitted: provisional admission takes a
// seat with one conditional update {free: {$gt: 0}}, which can never exceed
// the plan however many callers race.
//
// Side effects of a change are never "written right after" it: a choice's
// history entry and notification, and a profile save's history entry and
// application-version bump, go into the changed document's pending array in
// the same single-document write, with ids assigned before it. The relay
// moves each entry on to its collection idempotently (insert by id, or a
// bump conditional on the profile version it records) and then $pulls it.
// It runs synchronously right after the write, so reads see the entries at
// once; what a crash leaves pending the scheduler's relay job (DB.Relay)
// delivers. Program counters still move in a second write ($inc): a crash
// in between leaves them off, which Recount reports and RepairCounts, run
// deliberately, repairs.
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

// Collection names.
const (
	colCounters     = "counters"
	colYears        = "years"
	colBases        = "bases"
	colSpecialties  = "specialties"
	colPrograms     = "programs"
	colIdentities   = "identities"
	colApplications = "applications"
	colKV           = "kv"
	colProfiles     = "profiles"
	colRevisions    = "revisions"
	colFiles        = "files"
	colNotices      = "notifications"
	colForms        = "forms"
	colStaff        = "staff"
	colInvites      = "staff_invitations"
	colAudit        = "audit"
	colBaseDates    = "base_dates"
	colLeases       = "leases"
	colPublications = "publications"
	colShortage     = "shortage_specialties"
	colVacancyPrefs = "vacancy_prefs"
	colBaseRankings = "base_rankings"
)

// retries bounds the optimistic retry loops (version conflicts, duplicate
// keys on concurrent inserts). Each round lets at least one writer through,
// so this many concurrent writers of one document all succeed.
const retries = 32

// DB is a recruit.Store backed by one MongoDB database.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	sealer recruit.Sealer
	// relayAfterWrite makes every write deliver its pending entries right
	// away; tests turn it off to stand for a crash before the relay.
	relayAfterWrite bool
}

var _ recruit.Store = (*DB)(nil)

// Open connects to the server at uri, uses the named database and creates
// the indexes. Extra client options are applied after the URI (tests use
// SetMaxPoolSize(1)). sealer protects ID numbers and files at rest.
func Open(ctx context.Context, uri, database string, sealer recruit.Sealer, opts ...*options.ClientOptions) (*DB, error) {
	if sealer == nil {
		return nil, errors.New("mongo: a Sealer is required")
	}
	all := append([]*options.ClientOptions{options.Client().ApplyURI(uri)}, opts...)
	client, err := mongo.Connect(ctx, all...)
	if err != nil {
		return nil, err
	}
	d := &DB{client: client, db: client.Database(database), sealer: sealer, relayAfterWrite: true}
	if err := d.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := d.createIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return d, nil
}

func (d *DB) createIndexes(ctx context.Context) error {
	unique := func(name string) *options.IndexOptions { return options.Index().SetName(name).SetUnique(true) }
	plain := func(name string) *options.IndexOptions { return options.Index().SetName(name) }
	want := map[string][]mongo.IndexModel{
		colBases: {{Keys: bson.D{{Key: "name", Value: 1}}, Options: unique("name_unique")}},
		colPrograms: {
			{Keys: bson.D{{Key: "year", Value: 1}, {Key: "base_id", Value: 1}, {Key: "specialty_code", Value: 1}}, Options: unique("year_base_specialty_unique")},
			{Keys: bson.D{{Key: "base_id", Value: 1}, {Key: "specialty_code", Value: 1}}, Options: plain("base_specialty")},
		},
		colIdentities: {
			// Sparse: unbound identities have no openid and must not collide.
			// (FerretDB ignores sparse, but its SQLite indexes skip missing fields anyway.)
			{Keys: bson.D{{Key: "openid", Value: 1}}, Options: unique("openid_unique").SetSparse(true)},
			{Keys: bson.D{{Key: "id_index", Value: 1}}, Options: unique("id_index_unique")},
		},
		colApplications: {
			{Keys: bson.D{{Key: "year", Value: 1}, {Key: "identity_id", Value: 1}}, Options: unique("year_identity_unique")},
			{Keys: bson.D{{Key: "program_id", Value: 1}}, Options: plain("program")},
			queueAppIndex,
			{Keys: bson.D{{Key: "offer_state", Value: 1}, {Key: "offer_deadline", Value: 1}}, Options: plain("offer_deadline")},
		},
		colProfiles:  profileSearchIndexes,
		colRevisions: {{Keys: bson.D{{Key: "identity_id", Value: 1}, {Key: "_id", Value: -1}}, Options: plain("identity_newest")}},
		colNotices: {
			{Keys: bson.D{{Key: "key", Value: 1}}, Options: unique("key_unique")},
			{Keys: bson.D{{Key: "identity_id", Value: 1}, {Key: "_id", Value: -1}}, Options: plain("identity_newest")},
			{Keys: bson.D{{Key: "state", Value: 1}, {Key: "next_at", Value: 1}}, Options: plain("due")},
			{Keys: bson.D{{Key: "msg_id", Value: 1}}, Options: plain("msg_id")},
		},
		colStaff:        staffIndexes,
		colAudit:        auditIndexes,
		colPublications: {{Keys: bson.D{{Key: "pub.year", Value: 1}, {Key: "pub.baseid", Value: 1}, {Key: "_id", Value: -1}}, Options: plain("year_base_newest")}},
		colVacancyPrefs: {{Keys: bson.D{{Key: "year", Value: 1}, {Key: "_id", Value: 1}}, Options: plain("year")}},
		colForms:        {{Keys: bson.D{{Key: "application_id", Value: 1}, {Key: "version", Value: -1}, {Key: "generated_at", Value: -1}}, Options: plain("application_latest")}},
	}
	// One at a time: FerretDB v1 panics on a CreateMany whose indexes
	// exist already, as they do whenever a second instance or a restart
	// opens the database.
	for col, models := range want {
		for _, m := range models {
			if _, err := d.db.Collection(col).Indexes().CreateOne(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ping reports whether the server answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.client.Ping(ctx, nil); err != nil {
		return recruit.Internal(err)
	}
	return nil
}

// Close disconnects from the server.
func (d *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.client.Disconnect(ctx)
}

func (d *DB) col(name string) *mongo.Collection { return d.db.Collection(name) }

// nextID returns the next number of the named sequence, starting at 1. The
// counter document is created by an upsert; two concurrent first upserts can
// collide on _id, in which case the loser simply retries.
func (d *DB) nextID(ctx context.Context, name string) (int64, error) {
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	var err error
	for range retries {
		var doc struct {
			Seq int64 `bson:"seq"`
		}
		err = d.col(colCounters).FindOneAndUpdate(ctx, bson.M{"_id": name}, bson.M{"$inc": bson.M{"seq": int64(1)}}, opts).Decode(&doc)
		if err == nil {
			return doc.Seq, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return 0, recruit.Internal(err)
}

// storeErr converts a driver error: no document ⇒ ENOTFOUND with notFound
// as the message, duplicate key ⇒ ECONFLICT with conflict, a timeout (no
// pooled connection in time, no server selected, the deadline passed) ⇒
// EUNAVAILABLE, which callers answer as 503 with Retry-After, anything
// else ⇒ EINTERNAL.
func storeErr(err error, notFound, conflict string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return recruit.Errorf(recruit.ENOTFOUND, "%s", notFound)
	case mongo.IsDuplicateKeyError(err):
		return recruit.Errorf(recruit.ECONFLICT, "%s", conflict)
	case mongo.IsTimeout(err):
		return recruit.Unavailable(err)
	}
	return recruit.Internal(err)
}

// internal wraps an unexpected driver error.
func internal(err error) error { return storeErr(err, "记录不存在", "记录已存在") }

// norm brings a time to what the database keeps (milliseconds) in the
// service's time zone, so values returned on write equal values read back.
func norm(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).In(recruit.Shanghai) }

// findAll runs a query and decodes every document into out (a slice pointer).
func (d *DB) findAll(ctx context.Context, col string, filter any, out any, opts ...*options.FindOptions) error {
	cur, err := d.col(col).Find(ctx, filter, opts...)
	if err != nil {
		return internal(err)
	}
	return internal(cur.All(ctx, out))
}
