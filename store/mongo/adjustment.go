package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"zhupei/recruit"
)

var _ recruit.AdjustmentStore = (*DB)(nil)

// shortageDoc is a year's list of shortage specialties; _id is the year.
type shortageDoc struct {
	Year  int      `bson:"_id"`
	Codes []string `bson:"codes"`
}

// SetShortageSpecialties replaces the year's shortage specialties with one
// upsert of the year's document, after checking the year and the codes.
func (d *DB) SetShortageSpecialties(ctx context.Context, year int, codes []string) error {
	codes, err := recruit.CleanShortage(codes)
	if err != nil {
		return err
	}
	if n, err := d.col(colYears).CountDocuments(ctx, bson.M{"_id": year}); err != nil || n == 0 {
		return storeErrOrMissing(err, recruit.Errorf(recruit.ENOTFOUND, recruit.MsgNoYear))
	}
	for _, c := range codes {
		if n, err := d.col(colSpecialties).CountDocuments(ctx, bson.M{"_id": c}); err != nil || n == 0 {
			return storeErrOrMissing(err, recruit.ErrUnknownSpecialty(c))
		}
	}
	_, err = d.col(colShortage).ReplaceOne(ctx, bson.M{"_id": year}, shortageDoc{Year: year, Codes: codes}, options.Replace().SetUpsert(true))
	return internal(err)
}

// storeErrOrMissing is the driver error wrapped when there is one, else
// missing.
func storeErrOrMissing(err, missing error) error {
	if err != nil {
		return internal(err)
	}
	return missing
}

// ShortageSpecialties returns the year's shortage specialty codes in order.
func (d *DB) ShortageSpecialties(ctx context.Context, year int) ([]string, error) {
	var docs []shortageDoc
	if err := d.findAll(ctx, colShortage, bson.M{"_id": year}, &docs); err != nil {
		return nil, err
	}
	if len(docs) == 0 || docs[0].Codes == nil {
		return []string{}, nil
	}
	return docs[0].Codes, nil
}

// vacancyPrefsDoc is an application's ranked vacancies; _id is the
// application id.
type vacancyPrefsDoc struct {
	AppID      int64     `bson:"_id"`
	Year       int       `bson:"year"`
	ProgramIDs []int64   `bson:"program_ids"`
	UpdatedAt  time.Time `bson:"updated_at"`
}

func (v vacancyPrefsDoc) prefs() recruit.VacancyPrefs {
	return recruit.VacancyPrefs{AppID: v.AppID, Year: v.Year, ProgramIDs: v.ProgramIDs, UpdatedAt: normOrZero(v.UpdatedAt)}
}

// PutVacancyPrefs replaces an application's ranked vacancies (one upsert)
// after checking the application and that the programs are of its year.
func (d *DB) PutVacancyPrefs(ctx context.Context, p recruit.VacancyPrefs) error {
	if err := recruit.CheckVacancyPrefs(p); err != nil {
		return err
	}
	app, err := d.GetApplicationByID(ctx, p.AppID)
	if err != nil {
		return err
	}
	n, err := d.col(colPrograms).CountDocuments(ctx, bson.M{"_id": bson.M{"$in": p.ProgramIDs}, "year": app.Year})
	if err != nil || n != int64(len(p.ProgramIDs)) {
		return storeErrOrMissing(err, recruit.ErrNoPlanInYear(app.Year))
	}
	doc := vacancyPrefsDoc{AppID: p.AppID, Year: app.Year, ProgramIDs: p.ProgramIDs, UpdatedAt: normOrZero(p.UpdatedAt)}
	_, err = d.col(colVacancyPrefs).ReplaceOne(ctx, bson.M{"_id": p.AppID}, doc, options.Replace().SetUpsert(true))
	return internal(err)
}

// GetVacancyPrefs returns an application's ranked vacancies.
func (d *DB) GetVacancyPrefs(ctx context.Context, appID int64) (recruit.VacancyPrefs, error) {
	var doc vacancyPrefsDoc
	if err := d.col(colVacancyPrefs).FindOne(ctx, bson.M{"_id": appID}).Decode(&doc); err != nil {
		return recruit.VacancyPrefs{}, storeErr(err, recruit.MsgNoVacancyPrefs, "")
	}
	return doc.prefs(), nil
}

// ListVacancyPrefs returns the ranked vacancies of the year's applications.
func (d *DB) ListVacancyPrefs(ctx context.Context, year int) ([]recruit.VacancyPrefs, error) {
	var docs []vacancyPrefsDoc
	if err := d.findAll(ctx, colVacancyPrefs, bson.M{"year": year}, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.VacancyPrefs, len(docs))
	for i, doc := range docs {
		out[i] = doc.prefs()
	}
	return out, nil
}

// baseRankingDoc is a base's ranking of a year; _id is "year:base".
type baseRankingDoc struct {
	ID        string    `bson:"_id"`
	Year      int       `bson:"year"`
	BaseID    int64     `bson:"base_id"`
	AppIDs    []int64   `bson:"application_ids"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// PutBaseRanking replaces a base's ranking of the year (one upsert).
func (d *DB) PutBaseRanking(ctx context.Context, r recruit.BaseRanking) error {
	if err := recruit.CheckBaseRanking(r); err != nil {
		return err
	}
	if err := d.checkBase(ctx, r.BaseID); err != nil {
		return err
	}
	ids := r.AppIDs
	if ids == nil {
		ids = []int64{}
	}
	id := fmt.Sprintf("%d:%d", r.Year, r.BaseID)
	doc := baseRankingDoc{ID: id, Year: r.Year, BaseID: r.BaseID, AppIDs: ids, UpdatedAt: normOrZero(r.UpdatedAt)}
	_, err := d.col(colBaseRankings).ReplaceOne(ctx, bson.M{"_id": id}, doc, options.Replace().SetUpsert(true))
	return internal(err)
}

// ListBaseRankings returns every base's ranking of the year.
func (d *DB) ListBaseRankings(ctx context.Context, year int) ([]recruit.BaseRanking, error) {
	var docs []baseRankingDoc
	if err := d.findAll(ctx, colBaseRankings, bson.M{"year": year}, &docs, options.Find().SetSort(bson.D{{Key: "base_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.BaseRanking, len(docs))
	for i, doc := range docs {
		out[i] = recruit.BaseRanking{Year: doc.Year, BaseID: doc.BaseID, AppIDs: doc.AppIDs, UpdatedAt: normOrZero(doc.UpdatedAt)}
	}
	return out, nil
}

// PlaceOffer places a pool member in a program (recruit.PlaceMove) as
// moveState moves it: the seat of the program is taken first, then the
// application is written under a condition on what the move read (state,
// offer, program, acceptance of adjustment), carrying its notification in
// pending, and the seat given back if that write loses; the registered
// counters of a change of program move last with $inc. A crash between the
// writes leaves a seat taken (never one too many) or the registered
// counters off by one; RepairCounts repairs both.
func (d *DB) PlaceOffer(ctx context.Context, appID, programID int64, deadline, now time.Time, note recruit.Note) (recruit.Application, error) {
	move, err := recruit.PlacementMove(ctx, d, appID, programID, normOrZero(deadline))
	if err != nil {
		return recruit.Application{}, err
	}
	return d.moveState(ctx, appID, move, now, note.Notes())
}
