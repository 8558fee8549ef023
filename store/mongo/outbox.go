package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// notificationDoc is an outbox row; _id comes from the notifications
// counter and client_msg_id is unique.
type notificationDoc struct {
	ID          int64     `bson:"_id"`
	IdentityID  int64     `bson:"identity_id"`
	Kind        string    `bson:"kind"`
	ClientMsgID string    `bson:"client_msg_id"`
	Payload     string    `bson:"payload"`
	State       string    `bson:"state"`
	Attempts    int       `bson:"attempts"`
	NextAt      time.Time `bson:"next_at"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (n notificationDoc) notification() recruit.Notification {
	out := recruit.Notification(n)
	out.NextAt = norm(n.NextAt)
	out.CreatedAt = norm(n.CreatedAt)
	return out
}

// notificationFrom is n as stored, State "queued" unless given, without
// its id.
func notificationFrom(n recruit.Notification) *notificationDoc {
	doc := notificationDoc(n)
	doc.NextAt = norm(n.NextAt)
	doc.CreatedAt = norm(n.CreatedAt)
	if doc.State == "" {
		doc.State = "queued"
	}
	return &doc
}

// AddNotification queues a notification with the next id. ECONFLICT when
// its ClientMsgID was queued before.
func (d *DB) AddNotification(ctx context.Context, n recruit.Notification) (recruit.Notification, error) {
	if err := recruit.CheckNotification(n); err != nil {
		return recruit.Notification{}, err
	}
	if err := d.mustExist(ctx, colIdentities, n.IdentityID, recruit.MsgNoIdentity); err != nil {
		return recruit.Notification{}, err
	}
	id, err := d.nextID(ctx, colNotices)
	if err != nil {
		return recruit.Notification{}, err
	}
	doc := notificationFrom(n)
	doc.ID = id
	if _, err := d.col(colNotices).InsertOne(ctx, doc); err != nil {
		return recruit.Notification{}, storeErr(err, "", recruit.MsgQueued)
	}
	return doc.notification(), nil
}

// ListNotifications returns an identity's notifications, newest first.
func (d *DB) ListNotifications(ctx context.Context, identityID int64) ([]recruit.Notification, error) {
	var docs []notificationDoc
	if err := d.findAll(ctx, colNotices, bson.M{"identity_id": identityID}, &docs, newestFirst); err != nil {
		return nil, err
	}
	out := make([]recruit.Notification, len(docs))
	for i, n := range docs {
		out[i] = n.notification()
	}
	return out, nil
}

// formDoc is a generated registration form keyed by its printed code.
type formDoc struct {
	Code          string    `bson:"_id"`
	ApplicationID int64     `bson:"application_id"`
	Version       int       `bson:"version"`
	FileID        string    `bson:"file_id"`
	GeneratedAt   time.Time `bson:"generated_at"`
}

func (f formDoc) form() recruit.FormRecord {
	out := recruit.FormRecord(f)
	out.GeneratedAt = norm(f.GeneratedAt)
	return out
}

// AddForm records a generated form; ECONFLICT when its code exists.
func (d *DB) AddForm(ctx context.Context, f recruit.FormRecord) error {
	if err := recruit.CheckForm(f); err != nil {
		return err
	}
	if err := d.mustExist(ctx, colApplications, f.ApplicationID, recruit.MsgNoApplication); err != nil {
		return err
	}
	doc := formDoc(f)
	doc.GeneratedAt = norm(f.GeneratedAt)
	_, err := d.col(colForms).InsertOne(ctx, doc)
	return storeErr(err, "", recruit.MsgFormCodeUsed)
}

// FormByCode returns the form printed with code.
func (d *DB) FormByCode(ctx context.Context, code string) (recruit.FormRecord, error) {
	return d.form(ctx, bson.M{"_id": code})
}

// LatestForm returns the form of an application with the highest version,
// the latest generated among equals.
func (d *DB) LatestForm(ctx context.Context, appID int64) (recruit.FormRecord, error) {
	return d.form(ctx, bson.M{"application_id": appID},
		options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}, {Key: "generated_at", Value: -1}}))
}

func (d *DB) form(ctx context.Context, filter bson.M, opts ...*options.FindOneOptions) (recruit.FormRecord, error) {
	var doc formDoc
	if err := d.col(colForms).FindOne(ctx, filter, opts...).Decode(&doc); err != nil {
		return recruit.FormRecord{}, storeErr(err, recruit.MsgNoForm, "")
	}
	return doc.form(), nil
}
