package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// auditDoc is one audit entry; _id comes from the audit counter, so ids
// grow with every entry.
type auditDoc struct {
	ID        int64        `bson:"_id"`
	At        time.Time    `bson:"at"`
	StaffID   int64        `bson:"staff_id"`
	Role      recruit.Role `bson:"role"`
	BaseID    int64        `bson:"base_id"`
	Action    string       `bson:"action"`
	Target    string       `bson:"target"`
	Before    string       `bson:"before"`
	After     string       `bson:"after"`
	Remark    string       `bson:"remark"`
	RequestID string       `bson:"request_id"`
}

// auditIndexes serve the filters of ListAudit, newest first.
var auditIndexes = []mongo.IndexModel{
	{Keys: bson.D{{Key: "base_id", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("base_newest")},
	{Keys: bson.D{{Key: "staff_id", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("staff_newest")},
	{Keys: bson.D{{Key: "action", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("action_newest")},
	{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetName("at")},
}

// AppendAudit inserts one audit entry with the next id.
func (d *DB) AppendAudit(ctx context.Context, e recruit.AuditEntry) (recruit.AuditEntry, error) {
	e, err := recruit.CleanAudit(e)
	if err != nil {
		return recruit.AuditEntry{}, err
	}
	if e.ID, err = d.nextID(ctx, colAudit); err != nil {
		return recruit.AuditEntry{}, err
	}
	e.At = norm(e.At)
	if _, err := d.col(colAudit).InsertOne(ctx, auditDoc(e)); err != nil {
		return recruit.AuditEntry{}, internal(err)
	}
	return e, nil
}

// ListAudit returns the entries matching f, newest first.
func (d *DB) ListAudit(ctx context.Context, f recruit.AuditFilter) ([]recruit.AuditEntry, error) {
	filter := bson.M{}
	if f.BaseID != 0 {
		filter["base_id"] = f.BaseID
	}
	if f.Action != "" {
		filter["action"] = f.Action
	}
	if f.StaffID != 0 {
		filter["staff_id"] = f.StaffID
	}
	if at := timeRange(f.From, f.Until); len(at) > 0 {
		filter["at"] = at
	}
	if f.BeforeID != 0 {
		filter["_id"] = bson.M{"$lt": f.BeforeID}
	}
	var docs []auditDoc
	if err := d.findAll(ctx, colAudit, filter, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(f.PageSize()))); err != nil {
		return nil, err
	}
	out := make([]recruit.AuditEntry, len(docs))
	for i, doc := range docs {
		out[i] = recruit.AuditEntry(doc)
		out[i].At = norm(doc.At)
	}
	return out, nil
}

// timeRange is the condition from ≤ t < until, each bound only when set.
func timeRange(from, until time.Time) bson.M {
	m := bson.M{}
	if !from.IsZero() {
		m["$gte"] = norm(from)
	}
	if !until.IsZero() {
		m["$lt"] = norm(until)
	}
	return m
}

// baseDatesDoc is one base's dates of a round; _id is "year:base:round".
type baseDatesDoc struct {
	ID                   string        `bson:"_id"`
	Year                 int           `bson:"year"`
	BaseID               int64         `bson:"base_id"`
	Round                recruit.Phase `bson:"round"`
	ReviewDeadline       time.Time     `bson:"review_deadline,omitempty"`
	WrittenExam          time.Time     `bson:"written_exam,omitempty"`
	Interview            time.Time     `bson:"interview,omitempty"`
	ProvisionalAdmission time.Time     `bson:"provisional_admission,omitempty"`
	OfferHours           int           `bson:"offer_hours,omitempty"`
	UpdatedAt            time.Time     `bson:"updated_at"`
}

func baseDatesID(year int, baseID int64, round recruit.Phase) string {
	return fmt.Sprintf("%d:%d:%s", year, baseID, round)
}

func (b baseDatesDoc) dates() recruit.BaseDates {
	return recruit.BaseDates{
		Year: b.Year, BaseID: b.BaseID, Round: b.Round,
		ReviewDeadline: normOrZero(b.ReviewDeadline), WrittenExam: normOrZero(b.WrittenExam),
		Interview: normOrZero(b.Interview), ProvisionalAdmission: normOrZero(b.ProvisionalAdmission),
		OfferHours: b.OfferHours, UpdatedAt: normOrZero(b.UpdatedAt),
	}
}

// PutBaseDates replaces (upserts) one base's dates of a round.
func (d *DB) PutBaseDates(ctx context.Context, b recruit.BaseDates) error {
	if err := recruit.CheckBaseDatesKey(b); err != nil {
		return err
	}
	if err := d.checkBase(ctx, b.BaseID); err != nil {
		return err
	}
	id := baseDatesID(b.Year, b.BaseID, b.Round)
	doc := baseDatesDoc{
		ID: id, Year: b.Year, BaseID: b.BaseID, Round: b.Round,
		ReviewDeadline: normOrZero(b.ReviewDeadline), WrittenExam: normOrZero(b.WrittenExam),
		Interview: normOrZero(b.Interview), ProvisionalAdmission: normOrZero(b.ProvisionalAdmission),
		OfferHours: b.OfferHours, UpdatedAt: normOrZero(b.UpdatedAt),
	}
	_, err := d.col(colBaseDates).ReplaceOne(ctx, bson.M{"_id": id}, doc, options.Replace().SetUpsert(true))
	return internal(err)
}

// GetBaseDates returns one base's dates of a round.
func (d *DB) GetBaseDates(ctx context.Context, year int, baseID int64, round recruit.Phase) (recruit.BaseDates, error) {
	var doc baseDatesDoc
	err := d.col(colBaseDates).FindOne(ctx, bson.M{"_id": baseDatesID(year, baseID, round)}).Decode(&doc)
	if err != nil {
		return recruit.BaseDates{}, storeErr(err, recruit.MsgNoBaseDates, "")
	}
	return doc.dates(), nil
}

// ListBaseDates returns every base's dates of the year.
func (d *DB) ListBaseDates(ctx context.Context, year int) ([]recruit.BaseDates, error) {
	var docs []baseDatesDoc
	if err := d.findAll(ctx, colBaseDates, bson.M{"year": year}, &docs,
		options.Find().SetSort(bson.D{{Key: "base_id", Value: 1}, {Key: "round", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.BaseDates, len(docs))
	for i, doc := range docs {
		out[i] = doc.dates()
	}
	return out, nil
}
