package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

// publicationDoc is one published list as recruit.Publication encodes in
// BSON (its fields lower-cased: pub.year, pub.baseid, …, entries with
// their application ids); _id comes from the publications counter, so ids
// grow with every publication.
type publicationDoc struct {
	ID  int64               `bson:"_id"`
	Pub recruit.Publication `bson:"pub"`
}

// AddPublication inserts one published list with the next id.
func (d *DB) AddPublication(ctx context.Context, p recruit.Publication) (recruit.Publication, error) {
	p, err := recruit.CleanPublication(p)
	if err == nil {
		err = d.checkBase(ctx, p.BaseID)
	}
	if err == nil {
		p.ID, err = d.nextID(ctx, colPublications)
	}
	if err != nil {
		return recruit.Publication{}, err
	}
	p.PublishedAt = norm(p.PublishedAt)
	if _, err := d.col(colPublications).InsertOne(ctx, publicationDoc{ID: p.ID, Pub: p}); err != nil {
		return recruit.Publication{}, internal(err)
	}
	return p, nil
}

// ListPublications returns the year's publications (of one base unless
// baseID is 0), newest first.
func (d *DB) ListPublications(ctx context.Context, year int, baseID int64) ([]recruit.Publication, error) {
	filter := bson.M{"pub.year": year}
	if baseID != 0 {
		filter["pub.baseid"] = baseID
	}
	var docs []publicationDoc
	if err := d.findAll(ctx, colPublications, filter, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Publication, len(docs))
	for i, doc := range docs {
		out[i] = doc.Pub
		out[i].PublishedAt = norm(doc.Pub.PublishedAt)
	}
	return out, nil
}
