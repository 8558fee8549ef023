package mongo

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"zhupei/recruit"
)

// pendingDoc is a side effect of a change, written into the changed
// document (its pending array) by the same single-document update as the
// change, and moved on by the relay. Exactly one of Revision, Notice, Audit
// and TouchApp is set; ID names the entry, and the records it creates carry ids
// assigned before the write, so delivering an entry twice changes nothing.
type pendingDoc struct {
	ID       string           `bson:"id"`
	Revision *revisionDoc     `bson:"revision,omitempty"`
	Notice   *notificationDoc `bson:"notice,omitempty"`
	Audit    *auditDoc        `bson:"audit,omitempty"` // applications only (a bulk review's)
	// TouchApp (profiles only) is the application whose version grows with
	// the profile save; TouchVersion is the saved profile version, recorded
	// on the application so that the bump happens once.
	TouchApp     int64     `bson:"touch_app,omitempty"`
	TouchVersion int       `bson:"touch_version,omitempty"`
	At           time.Time `bson:"at"`
}

// hasPending matches the documents with pending entries.
var hasPending = bson.M{"pending.id": bson.M{"$exists": true}}

// Relay delivers the pending entries of every application and profile
// document. The operations relay their own entries right after their write
// (relayDoc), so this finds entries only after a crash or a failed relay; a
// scheduler job calls it.
func (d *DB) Relay(ctx context.Context) (int, error) {
	total := 0
	for _, col := range []*mongo.Collection{d.col(colApplications), d.profiles()} {
		var docs []struct {
			ID      int64        `bson:"_id"`
			Pending []pendingDoc `bson:"pending"`
		}
		cur, err := col.Find(ctx, hasPending)
		if err != nil {
			return total, internal(err)
		}
		if err := cur.All(ctx, &docs); err != nil {
			return total, internal(err)
		}
		for _, doc := range docs {
			n, err := d.deliver(ctx, col, doc.ID, doc.Pending)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// relayDoc delivers the entries a write has just added to one document, as
// a best effort: the write is done, and what this leaves pending the Relay
// job delivers.
func (d *DB) relayDoc(ctx context.Context, col *mongo.Collection, id int64, entries []pendingDoc) {
	if d.relayAfterWrite {
		_, _ = d.deliver(ctx, col, id, entries)
	}
}

// deliver moves entries of document id of col to their collections, each
// insert-if-absent by its id (or, for a touch, conditional on the version
// recorded), and then pulls it from the document.
func (d *DB) deliver(ctx context.Context, col *mongo.Collection, id int64, entries []pendingDoc) (int, error) {
	for i, e := range entries {
		var err error
		switch {
		case e.Revision != nil:
			_, err = d.col(colRevisions).InsertOne(ctx, e.Revision)
		case e.Notice != nil:
			// A duplicate key means the same message is queued
			// already, which is what the entry asks for.
			_, err = d.col(colNotices).InsertOne(ctx, e.Notice)
		case e.Audit != nil:
			_, err = d.col(colAudit).InsertOne(ctx, e.Audit)
		case e.TouchApp != 0:
			err = d.touch(ctx, e)
		}
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return i, internal(err)
		}
		// The entry is pulled by its whole value: FerretDB's $pull takes no
		// conditions.
		if _, err := col.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$pull": bson.M{"pending": e}}); err != nil {
			return i, internal(err)
		}
	}
	return len(entries), nil
}

// touch bumps the version of the application of a profile save, once: the
// update records the profile version and matches only applications that
// recorded an older one.
func (d *DB) touch(ctx context.Context, e pendingDoc) error {
	_, err := d.col(colApplications).UpdateOne(ctx,
		bson.M{"_id": e.TouchApp, "$or": bson.A{
			bson.M{"touch_version": bson.M{"$exists": false}},
			bson.M{"touch_version": bson.M{"$lt": e.TouchVersion}},
		}},
		bson.M{"$inc": bson.M{"version": 1}, "$set": bson.M{"touch_version": e.TouchVersion, "updated_at": norm(e.At)}})
	return err
}

// exists reports whether col holds a document matching filter.
func (d *DB) exists(ctx context.Context, col string, filter bson.M) (bool, error) {
	n, err := d.col(col).CountDocuments(ctx, filter)
	if err != nil {
		return false, internal(err)
	}
	return n > 0, nil
}

// mustExist is ENOTFOUND with missing unless col holds the document with
// _id id: the check SQLite's foreign keys make.
func (d *DB) mustExist(ctx context.Context, col string, id int64, missing string) error {
	ok, err := d.exists(ctx, col, bson.M{"_id": id})
	if err == nil && !ok {
		err = recruit.Errorf(recruit.ENOTFOUND, "%s", missing)
	}
	return err
}

// pendingRecords assigns the ids of a revision and a notification written as
// pending entries, checked as the other backends check them before writing.
func (d *DB) pendingRecords(ctx context.Context, rev *revisionDoc, n *notificationDoc) ([]pendingDoc, error) {
	var out []pendingDoc
	if rev != nil {
		id, err := d.nextID(ctx, colRevisions)
		if err != nil {
			return nil, err
		}
		rev.ID = id
		out = append(out, pendingDoc{ID: "rev:" + strconv.FormatInt(id, 10), Revision: rev, At: rev.At})
	}
	if n != nil {
		queued, err := d.exists(ctx, colNotices, bson.M{"key": n.Key})
		if err != nil {
			return nil, err
		}
		if queued {
			return nil, recruit.Errorf(recruit.ECONFLICT, recruit.MsgQueued)
		}
		id, err := d.nextID(ctx, colNotices)
		if err != nil {
			return nil, err
		}
		n.ID = id
		out = append(out, pendingDoc{ID: "note:" + strconv.FormatInt(id, 10), Notice: n, At: n.CreatedAt})
	}
	return out, nil
}
