package mongo

import (
	"context"
	"errors"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// notificationDoc is an outbox row; _id comes from the notifications
// counter and key is unique. identity_id or staff_id is 0.
type notificationDoc struct {
	ID         int64              `bson:"_id"`
	IdentityID int64              `bson:"identity_id"`
	StaffID    int64              `bson:"staff_id"`
	OpenID     string             `bson:"openid,omitempty"` // recruit.Notification.OpenID
	Kind       recruit.NoticeKind `bson:"kind"`
	Key        string             `bson:"key"`
	// The inbox text and the template's source values.
	Title  string            `bson:"title"`
	Body   string            `bson:"body"`
	Values map[string]string `bson:"values"`
	ReadAt time.Time         `bson:"read_at"`
	// Delivery: due rows are queued or retry with next_at <= now, or
	// sending with lease_until <= now.
	State      recruit.NoticeState `bson:"state"`
	Attempts   int                 `bson:"attempts"`
	NextAt     time.Time           `bson:"next_at"`
	LeaseOwner string              `bson:"lease_owner"`
	LeaseUntil time.Time           `bson:"lease_until"`
	Answer     `bson:",inline"`
	CreatedAt  time.Time `bson:"created_at"`
	UpdatedAt  time.Time `bson:"updated_at"`
}

// Answer is what WeChat said about a row's last send: its msgid and
// error.
type Answer struct {
	MsgID     int64  `bson:"msg_id"`
	LastError string `bson:"last_error"`
}

func (n notificationDoc) notification() recruit.Notification {
	return recruit.Notification{
		ID: n.ID, IdentityID: n.IdentityID, StaffID: n.StaffID, OpenID: n.OpenID, Kind: n.Kind, Key: n.Key,
		Title: n.Title, Body: n.Body, Values: n.Values, State: n.State, Attempts: n.Attempts,
		NextAt: normZero(n.NextAt), LeaseOwner: n.LeaseOwner, LeaseUntil: normZero(n.LeaseUntil),
		MsgID: n.MsgID, LastError: n.LastError, ReadAt: normZero(n.ReadAt),
		CreatedAt: normZero(n.CreatedAt), UpdatedAt: normZero(n.UpdatedAt),
	}
}

// normZero is norm(t), the zero time for the zero time.
func normZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return norm(t)
}

// notificationFrom is n as stored, State queued unless given, without its id.
func notificationFrom(n recruit.Notification) *notificationDoc {
	doc := &notificationDoc{
		IdentityID: n.IdentityID, StaffID: n.StaffID, OpenID: n.OpenID, Kind: n.Kind, Key: n.Key,
		Title: n.Title, Body: n.Body, Values: n.Values, State: n.State, Attempts: n.Attempts,
		NextAt: norm(n.NextAt), CreatedAt: norm(n.CreatedAt), UpdatedAt: norm(n.UpdatedAt),
	}
	if doc.Values == nil {
		doc.Values = map[string]string{}
	}
	if doc.State == "" {
		doc.State = recruit.NoticeQueued
	}
	return doc
}

// AddNotification queues a notification with the next id. ECONFLICT when
// its Key was queued before.
func (d *DB) AddNotification(ctx context.Context, n recruit.Notification) (recruit.Notification, error) {
	if err := recruit.CheckNotification(n); err != nil {
		return recruit.Notification{}, err
	}
	var err error
	if n.StaffID != 0 {
		err = d.mustExist(ctx, colStaff, n.StaffID, recruit.ErrStaffNotFound.Message)
	} else {
		err = d.mustExist(ctx, colIdentities, n.IdentityID, recruit.MsgNoIdentity)
	}
	if err != nil {
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

// ListNotifications returns an applicant's notifications, newest first.
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

// notice returns the row matching filter.
func (d *DB) notice(ctx context.Context, filter bson.M) (recruit.Notification, error) {
	var doc notificationDoc
	if err := d.col(colNotices).FindOne(ctx, filter).Decode(&doc); err != nil {
		return recruit.Notification{}, storeErr(err, recruit.MsgNoNotice, "")
	}
	return doc.notification(), nil
}

// GetNotification returns one applicant's notification.
func (d *DB) GetNotification(ctx context.Context, identityID, id int64) (recruit.Notification, error) {
	return d.notice(ctx, bson.M{"_id": id, "identity_id": identityID})
}

// MarkNotificationRead sets ReadAt once: the update matches only an
// unread row, and a read one is found by the lookup after it.
func (d *DB) MarkNotificationRead(ctx context.Context, identityID, id int64, now time.Time) error {
	res, err := d.col(colNotices).UpdateOne(ctx,
		bson.M{"_id": id, "identity_id": identityID, "read_at": time.Time{}},
		bson.M{"$set": bson.M{"read_at": norm(now)}})
	if err != nil {
		return internal(err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	_, err = d.GetNotification(ctx, identityID, id)
	return err
}

// UnreadNotifications counts an applicant's unread notifications.
func (d *DB) UnreadNotifications(ctx context.Context, identityID int64) (int, error) {
	n, err := d.col(colNotices).CountDocuments(ctx, bson.M{"identity_id": identityID, "read_at": time.Time{}})
	return int(n), internal(err)
}

// due matches the rows a sender may claim at now.
func due(now time.Time) bson.M {
	return bson.M{"$or": bson.A{
		bson.M{"state": bson.M{"$in": bson.A{recruit.NoticeQueued, recruit.NoticeRetry}}, "next_at": bson.M{"$lte": norm(now)}},
		bson.M{"state": recruit.NoticeSending, "lease_until": bson.M{"$lte": norm(now)}},
	}}
}

var oldestDueFirst = bson.D{{Key: "next_at", Value: 1}, {Key: "_id", Value: 1}}

// ClaimNotifications claims up to limit due rows, one conditional
// FindOneAndUpdate each: a row another claimer took no longer matches.
func (d *DB) ClaimNotifications(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]recruit.Notification, error) {
	out := []recruit.Notification{}
	opts := options.FindOneAndUpdate().SetSort(oldestDueFirst).SetReturnDocument(options.After)
	set := bson.M{"$set": bson.M{"state": recruit.NoticeSending, "lease_owner": owner, "lease_until": norm(now.Add(lease))}}
	for len(out) < limit {
		var doc notificationDoc
		err := d.col(colNotices).FindOneAndUpdate(ctx, due(now), set, opts).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return out, internal(err)
		}
		out = append(out, doc.notification())
	}
	return out, nil
}

// FinishNotifications ends owner's attempts on the rows of rs, one
// conditional UpdateOne each (single-document atomic, as every Mongo
// write here). Not one BulkWrite: its result counts the matched documents
// but does not say which, and the rows owner lost must be named. MongoDB
// has no single-writer commit that a batch would save, unlike SQLite.
// An internal error stops the batch; the rows not yet written stay with
// owner until their lease ends.
func (d *DB) FinishNotifications(ctx context.Context, owner string, rs []recruit.NoticeResult) ([]int64, error) {
	if err := recruit.CheckResults(rs); err != nil {
		return nil, err
	}
	var lost []int64
	for _, r := range rs {
		err := d.moveNotice(ctx, bson.M{"_id": r.ID, "state": recruit.NoticeSending, "lease_owner": owner}, r.Outcome)
		switch {
		case recruit.ErrorCode(err) == recruit.ECONFLICT:
			lost = append(lost, r.ID)
		case err != nil:
			return nil, err
		}
	}
	return lost, nil
}

// ReportDelivery applies a late delivery report to a sent row.
func (d *DB) ReportDelivery(ctx context.Context, id, msgID int64, o recruit.NoticeOutcome) error {
	return d.moveNotice(ctx, bson.M{"_id": id, "state": recruit.NoticeSent, "msg_id": msgID}, o)
}

// moveNotice applies o to the row matching filter; ECONFLICT when none does.
func (d *DB) moveNotice(ctx context.Context, filter bson.M, o recruit.NoticeOutcome) error {
	if err := recruit.CheckOutcome(o); err != nil {
		return err
	}
	set := bson.M{"state": o.State, "last_error": o.LastError, "lease_owner": "", "lease_until": time.Time{}, "updated_at": norm(o.At)}
	if o.MsgID != 0 {
		set["msg_id"] = o.MsgID
	}
	if !o.NextAt.IsZero() {
		set["next_at"] = norm(o.NextAt)
	}
	update := bson.M{"$set": set}
	if o.Attempted {
		update["$inc"] = bson.M{"attempts": 1}
	}
	res, err := d.col(colNotices).UpdateOne(ctx, filter, update)
	if err != nil {
		return internal(err)
	}
	if res.MatchedCount == 0 {
		return recruit.Errorf(recruit.ECONFLICT, "%s", recruit.MsgLeaseLost)
	}
	return nil
}

// NotificationByMsgID returns the row WeChat accepted as msgID.
func (d *DB) NotificationByMsgID(ctx context.Context, msgID int64) (recruit.Notification, error) {
	if msgID == 0 {
		return recruit.Notification{}, recruit.Errorf(recruit.ENOTFOUND, "%s", recruit.MsgNoNotice)
	}
	return d.notice(ctx, bson.M{"msg_id": msgID})
}

// OutboxStats counts rows by kind and state ($group) and finds the oldest
// due row.
func (d *DB) OutboxStats(ctx context.Context, now time.Time) (recruit.OutboxStats, error) {
	var st recruit.OutboxStats
	cur, err := d.col(colNotices).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.M{"_id": bson.M{"kind": "$kind", "state": "$state"}, "n": bson.M{"$sum": 1}}}},
	})
	if err != nil {
		return st, internal(err)
	}
	var groups []struct {
		ID struct {
			Kind  recruit.NoticeKind  `bson:"kind"`
			State recruit.NoticeState `bson:"state"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return st, internal(err)
	}
	st.Counts = make([]recruit.NoticeCount, len(groups))
	for i, g := range groups {
		st.Counts[i] = recruit.NoticeCount{Kind: g.ID.Kind, State: g.ID.State, N: g.N}
	}
	sort.Slice(st.Counts, func(i, j int) bool {
		a, b := st.Counts[i], st.Counts[j]
		return a.Kind < b.Kind || a.Kind == b.Kind && a.State < b.State
	})
	var oldest notificationDoc
	err = d.col(colNotices).FindOne(ctx, due(now), options.FindOne().SetSort(oldestDueFirst)).Decode(&oldest)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
	case err != nil:
		return st, internal(err)
	default:
		st.OldestDue = normZero(oldest.NextAt)
	}
	return st, nil
}
