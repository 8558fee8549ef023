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

type appDoc struct {
	ID                int64         `bson:"_id"`
	Year              int           `bson:"year"`
	IdentityID        int64         `bson:"identity_id"`
	ProgramID         int64         `bson:"program_id"`
	AcceptsAdjustment bool          `bson:"accepts_adjustment"`
	State             recruit.State `bson:"state"`
	Version           int           `bson:"version"`
	ReviewRemark      string        `bson:"review_remark"`
	SubmittedAt       time.Time     `bson:"submitted_at"`
	UpdatedAt         time.Time     `bson:"updated_at"`
}

func (a appDoc) app() recruit.Application {
	out := recruit.Application(a)
	out.SubmittedAt = norm(a.SubmittedAt)
	out.UpdatedAt = norm(a.UpdatedAt)
	return out
}

var after = options.FindOneAndUpdate().SetReturnDocument(options.After)

// SubmitChoice creates the application or changes its choice.
//
// A new application is inserted under the unique {year, identity_id} index;
// losing that race turns the call into a change. A change is a conditional
// update on the version read (optimistic, retried on conflict). The program
// counters move afterwards with $inc. These are two single-document writes
// without a transaction: a crash between them can leave a counter off by
// one, which the scheduler's reconciliation (Recount) repairs. The history
// entry and the notification of log are written after that, as further
// single-document inserts.
func (d *DB) SubmitChoice(ctx context.Context, identityID int64, year int, c recruit.Choice, now time.Time, log recruit.ChoiceLog) (recruit.Application, error) {
	app, err := d.submit(ctx, identityID, year, c, now)
	if err != nil || log == nil {
		return app, err
	}
	rev, n, err := log(app)
	if err != nil {
		return app, err
	}
	if err := d.AddRevision(ctx, rev); err != nil {
		return app, err
	}
	_, err = d.AddNotification(ctx, n)
	return app, err
}

// submit stores the choice and moves the counters (see SubmitChoice).
func (d *DB) submit(ctx context.Context, identityID int64, year int, c recruit.Choice, now time.Time) (recruit.Application, error) {
	p, err := d.program(ctx, c.ProgramID)
	if err != nil {
		return recruit.Application{}, err
	}
	if p.Year != year {
		return recruit.Application{}, recruit.Errorf(recruit.ENOTFOUND, "%d年度没有所选的培训专业", year)
	}
	now = norm(now)
	apps := d.col(colApplications)
	for range retries {
		var old appDoc
		err := apps.FindOne(ctx, bson.M{"year": year, "identity_id": identityID}).Decode(&old)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			id, err := d.nextID(ctx, colApplications)
			if err != nil {
				return recruit.Application{}, err
			}
			doc := appDoc{
				ID: id, Year: year, IdentityID: identityID, ProgramID: c.ProgramID,
				AcceptsAdjustment: c.AcceptsAdjustment, State: recruit.StatePending,
				Version: 1, SubmittedAt: now, UpdatedAt: now,
			}
			if _, err := apps.InsertOne(ctx, doc); err != nil {
				if mongo.IsDuplicateKeyError(err) {
					continue
				}
				return recruit.Application{}, internal(err)
			}
			if err := d.moveCounters(ctx, 0, "", doc.ProgramID, doc.State); err != nil {
				return recruit.Application{}, err
			}
			return doc.app(), nil
		case err != nil:
			return recruit.Application{}, internal(err)
		}
		if old.State.HoldsSeat() {
			// Never silently undo a provisional admission or an admission,
			// whatever the caller checked before.
			return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, "该报名已%s，志愿不可再修改", old.State.Label())
		}
		var doc appDoc
		// The state is part of the condition: an admission does not change
		// the version, and must not be overwritten by a change read before it.
		err = apps.FindOneAndUpdate(ctx, bson.M{"_id": old.ID, "version": old.Version, "state": old.State}, bson.M{
			"$set": bson.M{"program_id": c.ProgramID, "accepts_adjustment": c.AcceptsAdjustment,
				"state": recruit.StatePending, "review_remark": "", "updated_at": now},
			"$inc": bson.M{"version": 1},
		}, after).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // changed since read: try again on the new version
		}
		if err != nil {
			return recruit.Application{}, internal(err)
		}
		if err := d.moveCounters(ctx, old.ProgramID, old.State, doc.ProgramID, doc.State); err != nil {
			return recruit.Application{}, err
		}
		return doc.app(), nil
	}
	return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, "报名信息正被同时修改，请刷新后重试")
}

// moveCounters applies to the program counters the move of one application
// from (program, state) to (program, state); program 0 means none.
func (d *DB) moveCounters(ctx context.Context, fromProgram int64, fromState recruit.State, toProgram int64, toState recruit.State) error {
	delta := map[int64]*recruit.Counts{}
	add := func(program int64, s recruit.State, sign int) {
		if program == 0 {
			return
		}
		c := delta[program]
		if c == nil {
			c = &recruit.Counts{}
			delta[program] = c
		}
		if s.Active() {
			c.Registered += sign
		}
		if s.HoldsSeat() {
			c.Admitted += sign
		}
	}
	add(fromProgram, fromState, -1)
	add(toProgram, toState, 1)
	for program, c := range delta {
		if *c == (recruit.Counts{}) {
			continue
		}
		_, err := d.col(colPrograms).UpdateOne(ctx, bson.M{"_id": program}, bson.M{"$inc": bson.M{
			"registered": c.Registered, "admitted": c.Admitted, "free": -c.Admitted,
		}})
		if err != nil {
			return internal(err)
		}
	}
	return nil
}

func (d *DB) program(ctx context.Context, id int64) (programDoc, error) {
	var p programDoc
	err := d.col(colPrograms).FindOne(ctx, bson.M{"_id": id}).Decode(&p)
	return p, storeErr(err, "培训专业不存在", "")
}

// GetApplication returns the application of one applicant in one year.
func (d *DB) GetApplication(ctx context.Context, year int, identityID int64) (recruit.Application, error) {
	return d.application(ctx, bson.M{"year": year, "identity_id": identityID})
}

func (d *DB) application(ctx context.Context, filter bson.M) (recruit.Application, error) {
	var doc appDoc
	if err := d.col(colApplications).FindOne(ctx, filter).Decode(&doc); err != nil {
		return recruit.Application{}, storeErr(err, "报名记录不存在", "")
	}
	return doc.app(), nil
}

// ListApplications returns the applications choosing one program, by id.
func (d *DB) ListApplications(ctx context.Context, programID int64) ([]recruit.Application, error) {
	var docs []appDoc
	if err := d.findAll(ctx, colApplications, bson.M{"program_id": programID}, &docs,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]recruit.Application, len(docs))
	for i, a := range docs {
		out[i] = a.app()
	}
	return out, nil
}

// Review moves a pending application to approved or rejected.
func (d *DB) Review(ctx context.Context, appID int64, to recruit.State, remark string, now time.Time) (recruit.Application, error) {
	if to != recruit.StateApproved && to != recruit.StateRejected {
		return recruit.Application{}, recruit.Errorf(recruit.EINVALID, "审核结果只能是审核通过或审核不通过")
	}
	var doc appDoc
	err := d.col(colApplications).FindOneAndUpdate(ctx,
		bson.M{"_id": appID, "state": recruit.StatePending},
		bson.M{"$set": bson.M{"state": to, "review_remark": remark, "updated_at": norm(now)}}, after).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return recruit.Application{}, d.stateConflict(ctx, appID, "只能审核待审核的报名")
	}
	if err != nil {
		return recruit.Application{}, internal(err)
	}
	return doc.app(), nil
}

// stateConflict explains why a conditional update on an application's state
// matched nothing: ENOTFOUND when it does not exist, else ECONFLICT with msg.
func (d *DB) stateConflict(ctx context.Context, appID int64, msg string) error {
	if _, err := d.application(ctx, bson.M{"_id": appID}); err != nil {
		return err
	}
	return recruit.Errorf(recruit.ECONFLICT, "%s", msg)
}

// ProvisionallyAdmit marks an approved application 拟录取 and takes a seat.
//
// The seat is taken first with one conditional update of the program
// ({free: {$gt: 0}} ⇒ $inc free −1, admitted +1), atomic on its own, so the
// plan is never exceeded. The application then moves approved → provisional
// under a condition on its state and program; if that fails the seat is given
// back. A crash between the two writes loses a seat until Recount repairs it.
func (d *DB) ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time) (recruit.Application, error) {
	var app appDoc
	if err := d.col(colApplications).FindOne(ctx, bson.M{"_id": appID}).Decode(&app); err != nil {
		return recruit.Application{}, storeErr(err, "报名记录不存在", "")
	}
	if app.State != recruit.StateApproved {
		return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, "只有审核通过的报名才能拟录取")
	}
	programs := d.col(colPrograms)
	err := programs.FindOneAndUpdate(ctx,
		bson.M{"_id": app.ProgramID, "free": bson.M{"$gt": 0}},
		bson.M{"$inc": bson.M{"free": -1, "admitted": 1}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, "该专业拟录取人数已达招生计划数")
	}
	if err != nil {
		return recruit.Application{}, internal(err)
	}
	var doc appDoc
	err = d.col(colApplications).FindOneAndUpdate(ctx,
		bson.M{"_id": appID, "state": recruit.StateApproved, "program_id": app.ProgramID},
		bson.M{"$set": bson.M{"state": recruit.StateProvisional, "updated_at": norm(now)}}, after).Decode(&doc)
	if err == nil {
		return doc.app(), nil
	}
	if _, gerr := programs.UpdateOne(ctx, bson.M{"_id": app.ProgramID}, bson.M{"$inc": bson.M{"free": 1, "admitted": -1}}); gerr != nil {
		return recruit.Application{}, internal(gerr)
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return recruit.Application{}, d.stateConflict(ctx, appID, "报名状态已变化，请刷新后重试")
	}
	return recruit.Application{}, internal(err)
}

// Recount counts registered and admitted per program of the year from the
// applications, and reconciles the stored counters with them.
//
// A single count cannot tell a counter left wrong by a crash from one whose
// second write is simply in flight, so a difference is first recorded on the
// program (suspect) and repaired only when the next Recount finds the same
// stored counters disagreeing in the same way; every write is conditional on
// the counters read. Recount runs from the scheduler at intervals far longer
// than any operation.
func (d *DB) Recount(ctx context.Context, year int) (map[int64]recruit.Counts, error) {
	// Programs are read before applications: a change landing in between
	// alters the counters and so fails the conditional writes below.
	var progs []programDoc
	if err := d.findAll(ctx, colPrograms, bson.M{"year": year}, &progs); err != nil {
		return nil, err
	}
	var apps []struct {
		ProgramID int64         `bson:"program_id"`
		State     recruit.State `bson:"state"`
	}
	proj := options.Find().SetProjection(bson.D{{Key: "program_id", Value: 1}, {Key: "state", Value: 1}})
	if err := d.findAll(ctx, colApplications, bson.M{"year": year}, &apps, proj); err != nil {
		return nil, err
	}
	counts := map[int64]recruit.Counts{}
	for _, a := range apps {
		if !a.State.Active() {
			continue
		}
		c := counts[a.ProgramID]
		c.Registered++
		if a.State.HoldsSeat() {
			c.Admitted++
		}
		counts[a.ProgramID] = c
	}
	for _, p := range progs {
		if err := d.reconcile(ctx, p, counts[p.ID]); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

func (d *DB) reconcile(ctx context.Context, p programDoc, counted recruit.Counts) error {
	var update bson.M
	seen := suspect{Registered: p.Registered, Admitted: p.Admitted, CountedRegistered: counted.Registered, CountedAdmitted: counted.Admitted}
	switch {
	case counted == recruit.Counts{Registered: p.Registered, Admitted: p.Admitted}:
		if p.Suspect == nil {
			return nil
		}
		update = bson.M{"$unset": bson.M{"suspect": ""}}
	case p.Suspect != nil && *p.Suspect == seen:
		update = bson.M{
			"$set":   bson.M{"registered": counted.Registered, "admitted": counted.Admitted, "free": p.Plan - counted.Admitted},
			"$unset": bson.M{"suspect": ""},
		}
	default:
		update = bson.M{"$set": bson.M{"suspect": seen}}
	}
	filter := bson.M{"_id": p.ID, "plan": p.Plan, "registered": p.Registered, "admitted": p.Admitted}
	_, err := d.col(colPrograms).UpdateOne(ctx, filter, update)
	return internal(err)
}

// GetApplicationByID returns one application.
func (d *DB) GetApplicationByID(ctx context.Context, appID int64) (recruit.Application, error) {
	return d.application(ctx, bson.M{"_id": appID})
}

// TouchApplication bumps an application's version (and updated_at) after
// its applicant's profile changed, so earlier forms become outdated.
func (d *DB) TouchApplication(ctx context.Context, appID int64, now time.Time) (recruit.Application, error) {
	return d.touch(ctx, bson.M{"_id": appID}, now)
}

// touch bumps the version of the application matching filter.
func (d *DB) touch(ctx context.Context, filter bson.M, now time.Time) (recruit.Application, error) {
	var doc appDoc
	err := d.col(colApplications).FindOneAndUpdate(ctx, filter, bson.M{
		"$set": bson.M{"updated_at": norm(now)},
		"$inc": bson.M{"version": 1},
	}, after).Decode(&doc)
	if err != nil {
		return recruit.Application{}, storeErr(err, "报名记录不存在", "")
	}
	return doc.app(), nil
}

// ReopenApplications makes the year's approved and rejected applications
// pending again. UpdateMany changes each document atomically; running it
// again after a partial failure finishes the job.
func (d *DB) ReopenApplications(ctx context.Context, year int, now time.Time) (int, error) {
	res, err := d.col(colApplications).UpdateMany(ctx,
		bson.M{"year": year, "state": bson.M{"$in": bson.A{recruit.StateApproved, recruit.StateRejected}}},
		bson.M{"$set": bson.M{"state": recruit.StatePending, "updated_at": norm(now)}})
	if err != nil {
		return 0, internal(err)
	}
	return int(res.ModifiedCount), nil
}
