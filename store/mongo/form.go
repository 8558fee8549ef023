package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

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
