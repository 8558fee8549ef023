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

type yearDoc struct {
	Year     int              `bson:"_id"`
	Title    string           `bson:"title"`
	Notice   string           `bson:"notice"`
	Calendar recruit.Calendar `bson:"calendar"`
	Offers   struct {
		RequireAcceptance bool `bson:"require_acceptance,omitempty"`
	} `bson:"offers,omitempty"`
}

func (y yearDoc) year() recruit.Year {
	c := y.Calendar
	for _, t := range []*time.Time{&c.Registration, &c.Round1, &c.Round2, &c.Adjustment, &c.Confirmation, &c.Closed} {
		*t = norm(*t)
	}
	return recruit.Year{Year: y.Year, Title: y.Title, Notice: y.Notice, Calendar: c, Offers: recruit.OfferSettings(y.Offers)}
}

// PutYear creates or replaces a recruitment year.
func (d *DB) PutYear(ctx context.Context, y recruit.Year) error {
	if err := recruit.CheckYear(y.Year); err != nil {
		return err
	}
	doc := yearDoc{Year: y.Year, Title: y.Title, Notice: y.Notice, Calendar: y.Calendar}
	doc.Offers.RequireAcceptance = y.Offers.RequireAcceptance
	_, err := d.col(colYears).ReplaceOne(ctx, bson.M{"_id": y.Year}, doc, options.Replace().SetUpsert(true))
	return internal(err)
}

// GetYear returns one year.
func (d *DB) GetYear(ctx context.Context, year int) (recruit.Year, error) {
	var doc yearDoc
	if err := d.col(colYears).FindOne(ctx, bson.M{"_id": year}).Decode(&doc); err != nil {
		return recruit.Year{}, storeErr(err, recruit.MsgNoYear, "")
	}
	return doc.year(), nil
}

// LatestYear returns the year with the largest number.
func (d *DB) LatestYear(ctx context.Context) (recruit.Year, error) {
	var doc yearDoc
	opts := options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})
	if err := d.col(colYears).FindOne(ctx, bson.M{}, opts).Decode(&doc); err != nil {
		return recruit.Year{}, storeErr(err, recruit.MsgNoYear, "")
	}
	return doc.year(), nil
}

type baseDoc struct {
	ID   int64  `bson:"_id"`
	Name string `bson:"name"`
	City string `bson:"city"`
}

type specialtyDoc struct {
	Code  string `bson:"_id"`
	Name  string `bson:"name"`
	Group string `bson:"group"`
}

// programDoc is a program with its counters. Free is always Plan − Admitted;
// it is the field the conditional seat update tests.
type programDoc struct {
	ID            int64  `bson:"_id"`
	Year          int    `bson:"year"`
	BaseID        int64  `bson:"base_id"`
	SpecialtyCode string `bson:"specialty_code"`
	Plan          int    `bson:"plan"`
	Registered    int    `bson:"registered"`
	Admitted      int    `bson:"admitted"`
	Final         int    `bson:"final"` // absent on documents older than the field: 0
	Free          int    `bson:"free"`
}

// ImportPlan upserts the bases, specialties and programs of rows. The rows
// are checked (recruit.CleanPlan), and every plan against the admitted count
// of its program, before anything is written; each write is then a
// single-document operation, a re-imported program gets the new plan under
// the condition that it is not below the admitted count, its free seats
// move by the difference and its counters are kept. Only a provisional
// admission racing the import can stop it half-way (ECONFLICT).
func (d *DB) ImportPlan(ctx context.Context, year int, rows []recruit.PlanRow) error {
	rows, err := recruit.CleanPlan(year, rows)
	if err != nil {
		return err
	}
	if err := d.checkAdmitted(ctx, year, rows); err != nil {
		return err
	}
	for _, r := range rows {
		baseID, err := d.ensureBase(ctx, r.BaseName, r.City)
		if err != nil {
			return err
		}
		set := bson.M{"name": r.SpecialtyName}
		if r.SpecialtyGroup != "" {
			set["group"] = r.SpecialtyGroup
		}
		_, err = d.col(colSpecialties).UpdateOne(ctx, bson.M{"_id": r.SpecialtyCode},
			bson.M{"$set": set}, options.Update().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) { // a concurrent upsert created it
			return internal(err)
		}
		if err := d.ensureProgram(ctx, year, baseID, r); err != nil {
			return err
		}
	}
	return nil
}

// checkAdmitted refuses the first row whose plan is below the admitted
// count of its existing program.
func (d *DB) checkAdmitted(ctx context.Context, year int, rows []recruit.PlanRow) error {
	var bases []baseDoc
	if err := d.findAll(ctx, colBases, bson.M{}, &bases); err != nil {
		return err
	}
	baseIDs := make(map[string]int64, len(bases))
	for _, b := range bases {
		baseIDs[b.Name] = b.ID
	}
	var progs []programDoc
	if err := d.findAll(ctx, colPrograms, bson.M{"year": year, "admitted": bson.M{"$gt": 0}}, &progs); err != nil {
		return err
	}
	type key struct {
		base int64
		code string
	}
	admitted := map[key]int{}
	for _, p := range progs {
		admitted[key{p.BaseID, p.SpecialtyCode}] = p.Admitted
	}
	for _, r := range rows {
		if id, ok := baseIDs[r.BaseName]; ok {
			if n := admitted[key{id, r.SpecialtyCode}]; r.Plan < n {
				return recruit.ErrPlanBelowAdmitted(r.Line, r.Plan, n)
			}
		}
	}
	return nil
}

// ensureBase returns the id of the base called name, creating it if needed;
// a non-empty city replaces the stored one.
func (d *DB) ensureBase(ctx context.Context, name, city string) (int64, error) {
	for range retries {
		var b baseDoc
		err := d.col(colBases).FindOne(ctx, bson.M{"name": name}).Decode(&b)
		if err == nil {
			if city != "" && city != b.City {
				if _, err := d.col(colBases).UpdateOne(ctx, bson.M{"_id": b.ID}, bson.M{"$set": bson.M{"city": city}}); err != nil {
					return 0, internal(err)
				}
			}
			return b.ID, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return 0, internal(err)
		}
		id, err := d.nextID(ctx, colBases)
		if err != nil {
			return 0, err
		}
		_, err = d.col(colBases).InsertOne(ctx, baseDoc{ID: id, Name: name, City: city})
		if err == nil {
			return id, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return 0, internal(err)
		}
	}
	return 0, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// ensureProgram creates the program of row r or sets its plan, moving free
// by the change of plan under a condition on the plan read and on the
// admitted count not exceeding the new plan.
func (d *DB) ensureProgram(ctx context.Context, year int, baseID int64, r recruit.PlanRow) error {
	for range retries {
		var p programDoc
		err := d.col(colPrograms).FindOne(ctx, bson.M{"year": year, "base_id": baseID, "specialty_code": r.SpecialtyCode}).Decode(&p)
		switch {
		case err == nil:
			if p.Admitted > r.Plan {
				return recruit.ErrPlanBelowAdmitted(r.Line, r.Plan, p.Admitted)
			}
			if ok, err := d.replacePlan(ctx, p.ID, p.Plan, r.Plan); ok || err != nil {
				return err
			}
		case errors.Is(err, mongo.ErrNoDocuments):
			id, err := d.nextID(ctx, colPrograms)
			if err != nil {
				return err
			}
			doc := programDoc{ID: id, Year: year, BaseID: baseID, SpecialtyCode: r.SpecialtyCode, Plan: r.Plan, Free: r.Plan}
			if _, err := d.col(colPrograms).InsertOne(ctx, doc); err == nil {
				return nil
			} else if !mongo.IsDuplicateKeyError(err) {
				return internal(err)
			}
		default:
			return internal(err)
		}
	}
	return recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// replacePlan sets the plan of program id from old to plan, moving free by
// the difference, under the condition that the plan is still old and the
// admitted count not above plan; it reports whether the condition held.
func (d *DB) replacePlan(ctx context.Context, id int64, old, plan int) (bool, error) {
	if old == plan {
		return true, nil
	}
	res, err := d.col(colPrograms).UpdateOne(ctx, bson.M{"_id": id, "plan": old, "admitted": bson.M{"$lte": plan}},
		bson.M{"$set": bson.M{"plan": plan}, "$inc": bson.M{"free": plan - old}})
	if err != nil {
		return false, internal(err)
	}
	return res.MatchedCount == 1, nil
}

// ListBases returns every base ordered by id.
func (d *DB) ListBases(ctx context.Context) ([]recruit.Base, error) {
	var docs []baseDoc
	if err := d.findAll(ctx, colBases, bson.M{}, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Base, len(docs))
	for i, b := range docs {
		out[i] = recruit.Base(b)
	}
	return out, nil
}

// ListSpecialties returns every specialty ordered by code.
func (d *DB) ListSpecialties(ctx context.Context) ([]recruit.Specialty, error) {
	var docs []specialtyDoc
	if err := d.findAll(ctx, colSpecialties, bson.M{}, &docs, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Specialty, len(docs))
	for i, s := range docs {
		out[i] = recruit.Specialty(s)
	}
	return out, nil
}

// ListPrograms returns the matching programs ordered by base id, specialty
// code and year, with names filled in.
func (d *DB) ListPrograms(ctx context.Context, f recruit.ProgramFilter) ([]recruit.Program, error) {
	filter := bson.D{}
	if f.Year != 0 {
		filter = append(filter, bson.E{Key: "year", Value: f.Year})
	}
	if f.BaseID != 0 {
		filter = append(filter, bson.E{Key: "base_id", Value: f.BaseID})
	}
	if f.SpecialtyCode != "" {
		filter = append(filter, bson.E{Key: "specialty_code", Value: f.SpecialtyCode})
	}
	sort := bson.D{{Key: "base_id", Value: 1}, {Key: "specialty_code", Value: 1}, {Key: "year", Value: 1}}
	var docs []programDoc
	if err := d.findAll(ctx, colPrograms, filter, &docs, options.Find().SetSort(sort)); err != nil {
		return nil, err
	}
	return d.withNames(ctx, docs)
}

// GetProgram returns one program with names filled in.
func (d *DB) GetProgram(ctx context.Context, id int64) (recruit.Program, error) {
	var doc programDoc
	if err := d.col(colPrograms).FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return recruit.Program{}, storeErr(err, recruit.MsgNoProgram, "")
	}
	ps, err := d.withNames(ctx, []programDoc{doc})
	if err != nil {
		return recruit.Program{}, err
	}
	return ps[0], nil
}

// withNames converts program documents, joining base and specialty names in
// Go (no $lookup) with one query per collection.
func (d *DB) withNames(ctx context.Context, docs []programDoc) ([]recruit.Program, error) {
	if len(docs) == 0 {
		return []recruit.Program{}, nil
	}
	baseIDs := map[int64]bool{}
	codes := map[string]bool{}
	for _, p := range docs {
		baseIDs[p.BaseID] = true
		codes[p.SpecialtyCode] = true
	}
	var bases []baseDoc
	if err := d.findAll(ctx, colBases, bson.M{"_id": bson.M{"$in": keys(baseIDs)}}, &bases); err != nil {
		return nil, err
	}
	var specs []specialtyDoc
	if err := d.findAll(ctx, colSpecialties, bson.M{"_id": bson.M{"$in": keys(codes)}}, &specs); err != nil {
		return nil, err
	}
	baseName := map[int64]string{}
	for _, b := range bases {
		baseName[b.ID] = b.Name
	}
	specName := map[string]string{}
	for _, s := range specs {
		specName[s.Code] = s.Name
	}
	out := make([]recruit.Program, len(docs))
	for i, p := range docs {
		out[i] = recruit.Program{
			ID: p.ID, Year: p.Year, BaseID: p.BaseID, BaseName: baseName[p.BaseID],
			SpecialtyCode: p.SpecialtyCode, SpecialtyName: specName[p.SpecialtyCode],
			Plan: p.Plan, Registered: p.Registered, Admitted: p.Admitted, Final: p.Final,
		}
	}
	return out, nil
}

func keys[K comparable](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
