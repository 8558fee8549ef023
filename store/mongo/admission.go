package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// publicationDoc is one published list; _id comes from the publications
// counter, so ids grow with every publication.
type publicationDoc struct {
	ID          int64         `bson:"_id"`
	Year        int           `bson:"year"`
	BaseID      int64         `bson:"base_id"`
	Round       recruit.Phase `bson:"round"`
	StaffID     int64         `bson:"staff_id"`
	PublishedAt time.Time     `bson:"published_at"`
	Entries     []entryDoc    `bson:"entries"`
}

// entryDoc is one line of a published list.
type entryDoc struct {
	ApplicationID int64  `bson:"application_id"`
	Name          string `bson:"name"`
	SpecialtyCode string `bson:"specialty_code"`
	SpecialtyName string `bson:"specialty_name"`
}

// AddPublication inserts one published list with the next id.
func (d *DB) AddPublication(ctx context.Context, p recruit.Publication) (recruit.Publication, error) {
	p, err := recruit.CleanPublication(p)
	if err != nil {
		return recruit.Publication{}, err
	}
	if err := d.checkBase(ctx, p.BaseID); err != nil {
		return recruit.Publication{}, err
	}
	if p.ID, err = d.nextID(ctx, colPublications); err != nil {
		return recruit.Publication{}, err
	}
	p.PublishedAt = norm(p.PublishedAt)
	doc := publicationDoc{ID: p.ID, Year: p.Year, BaseID: p.BaseID, Round: p.Round, StaffID: p.StaffID, PublishedAt: p.PublishedAt}
	for _, e := range p.Entries {
		doc.Entries = append(doc.Entries, entryDoc(e))
	}
	if _, err := d.col(colPublications).InsertOne(ctx, doc); err != nil {
		return recruit.Publication{}, internal(err)
	}
	return p, nil
}

// ListPublications returns the year's publications (of one base unless
// baseID is 0), newest first.
func (d *DB) ListPublications(ctx context.Context, year int, baseID int64) ([]recruit.Publication, error) {
	filter := bson.M{"year": year}
	if baseID != 0 {
		filter["base_id"] = baseID
	}
	var docs []publicationDoc
	if err := d.findAll(ctx, colPublications, filter, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Publication, len(docs))
	for i, doc := range docs {
		p := recruit.Publication{ID: doc.ID, Year: doc.Year, BaseID: doc.BaseID, Round: doc.Round, StaffID: doc.StaffID, PublishedAt: norm(doc.PublishedAt)}
		for _, e := range doc.Entries {
			p.Entries = append(p.Entries, recruit.PublishedEntry(e))
		}
		out[i] = p
	}
	return out, nil
}
