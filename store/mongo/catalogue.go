package mongo

import (
	"context"
	"errors"
	"fmt"
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
}

func (y yearDoc) year() recruit.Year {
	c := y.Calendar
	for _, t := range []*time.Time{&c.Registration, &c.Round1, &c.Round2, &c.Adjustment, &c.Confirmation, &c.Closed} {
		*t = norm(*t)
	}
	return recruit.Year{Year: y.Year, Title: y.Title, Notice: y.Notice, Calendar: c}
}

// PutYear creates or replaces a recruitment year.
func (d *DB) PutYear(ctx context.Context, y recruit.Year) error {
	if y.Year <= 0 {
		return recruit.Errorf(recruit.EINVALID, "年度无效")
	}
	doc := yearDoc{Year: y.Year, Title: y.Title, Notice: y.Notice, Calendar: y.Calendar}
	_, err := d.col(colYears).ReplaceOne(ctx, bson.M{"_id": y.Year}, doc, options.Replace().SetUpsert(true))
	return internal(err)
}

// GetYear returns one year.
func (d *DB) GetYear(ctx context.Context, year int) (recruit.Year, error) {
	var doc yearDoc
	if err := d.col(colYears).FindOne(ctx, bson.M{"_id": year}).Decode(&doc); err != nil {
		return recruit.Year{}, storeErr(err, "该年度不存在", "")
	}
	return doc.year(), nil
}

// LatestYear returns the year with the largest number.
func (d *DB) LatestYear(ctx context.Context) (recruit.Year, error) {
	var doc yearDoc
	opts := options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})
	if err := d.col(colYears).FindOne(ctx, bson.M{}, opts).Decode(&doc); err != nil {
		return recruit.Year{}, storeErr(err, "尚未设置招录年度", "")
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

// suspect records a disagreement between a program's stored counters and
// the applications seen by Recount; see Recount.
type suspect struct {
	Registered        int `bson:"registered"`
	Admitted          int `bson:"admitted"`
	CountedRegistered int `bson:"counted_registered"`
	CountedAdmitted   int `bson:"counted_admitted"`
}

// programDoc is a program with its counters. Free is always Plan − Admitted;
// it is the field the conditional seat update tests.
type programDoc struct {
	ID            int64    `bson:"_id"`
	Year          int      `bson:"year"`
	BaseID        int64    `bson:"base_id"`
	SpecialtyCode string   `bson:"specialty_code"`
	Plan          int      `bson:"plan"`
	Registered    int      `bson:"registered"`
	Admitted      int      `bson:"admitted"`
	Free          int      `bson:"free"`
	Suspect       *suspect `bson:"suspect,omitempty"`
}

// ImportPlan upserts the bases, specialties and programs of rows. Each
// write is a single-document operation; a re-imported program gets the new
// plan and its free seats move by the difference, its counters are kept.
func (d *DB) ImportPlan(ctx context.Context, year int, rows []recruit.PlanRow) error {
	if year <= 0 {
		return recruit.Errorf(recruit.EINVALID, "年度无效")
	}
	fe := recruit.FieldErrors{}
	for i, r := range rows {
		line := r.Line
		if line == 0 {
			line = i + 1
		}
		switch {
		case r.BaseName == "":
			fe.Add(fmt.Sprintf("line%d", line), fmt.Sprintf("第%d行：培训基地名称不能为空", line))
		case r.SpecialtyCode == "" || r.SpecialtyName == "":
			fe.Add(fmt.Sprintf("line%d", line), fmt.Sprintf("第%d行：培训专业代码和名称不能为空", line))
		case r.Plan < 0:
			fe.Add(fmt.Sprintf("line%d", line), fmt.Sprintf("第%d行：计划数不能为负数", line))
		}
	}
	if err := fe.Err(); err != nil {
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
		if err := d.ensureProgram(ctx, year, baseID, r.SpecialtyCode, r.Plan); err != nil {
			return err
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
	return 0, recruit.Errorf(recruit.ECONFLICT, "培训基地正被同时修改，请重试")
}

// ensureProgram creates the program or sets its plan, moving free by the
// change of plan under a condition on the plan read.
func (d *DB) ensureProgram(ctx context.Context, year int, baseID int64, code string, plan int) error {
	for range retries {
		var p programDoc
		err := d.col(colPrograms).FindOne(ctx, bson.M{"year": year, "base_id": baseID, "specialty_code": code}).Decode(&p)
		switch {
		case err == nil:
			if p.Plan == plan {
				return nil
			}
			res, err := d.col(colPrograms).UpdateOne(ctx, bson.M{"_id": p.ID, "plan": p.Plan},
				bson.M{"$set": bson.M{"plan": plan}, "$inc": bson.M{"free": plan - p.Plan}})
			if err != nil {
				return internal(err)
			}
			if res.MatchedCount == 1 {
				return nil
			}
		case errors.Is(err, mongo.ErrNoDocuments):
			id, err := d.nextID(ctx, colPrograms)
			if err != nil {
				return err
			}
			doc := programDoc{ID: id, Year: year, BaseID: baseID, SpecialtyCode: code, Plan: plan, Free: plan}
			if _, err := d.col(colPrograms).InsertOne(ctx, doc); err == nil {
				return nil
			} else if !mongo.IsDuplicateKeyError(err) {
				return internal(err)
			}
		default:
			return internal(err)
		}
	}
	return recruit.Errorf(recruit.ECONFLICT, "招生计划正被同时修改，请重试")
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
		return recruit.Program{}, storeErr(err, "培训专业不存在", "")
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
			Plan: p.Plan, Registered: p.Registered, Admitted: p.Admitted,
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
