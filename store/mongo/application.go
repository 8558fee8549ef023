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

// appDoc is an application. Pending holds the side effects of its last
// changes until the relay has delivered them (see pendingDoc);
// TouchVersion is the profile version that last bumped Version.
type appDoc struct {
	ID                int64         `bson:"_id"`
	Year              int           `bson:"year"`
	IdentityID        int64         `bson:"identity_id"`
	ProgramID         int64         `bson:"program_id"`
	AcceptsAdjustment bool          `bson:"accepts_adjustment"`
	State             recruit.State `bson:"state"`
	Version           int           `bson:"version"`
	ReviewRemark      string        `bson:"review_remark"`
	StateAt           time.Time     `bson:"state_at,omitempty"` // absent on documents older than the field
	SubmittedAt       time.Time     `bson:"submitted_at"`
	UpdatedAt         time.Time     `bson:"updated_at"`
	Pending           []pendingDoc  `bson:"pending,omitempty"`
	TouchVersion      int           `bson:"touch_version,omitempty"`
	// The offer (recruit.OfferState); absent on documents older than it.
	OfferState    recruit.OfferState `bson:"offer_state"`
	OfferDeadline time.Time          `bson:"offer_deadline,omitempty"`
	OfferAt       time.Time          `bson:"offer_at,omitempty"`
	OfferReason   string             `bson:"offer_reason,omitempty"`
}

func (a appDoc) app() recruit.Application {
	return recruit.Application{
		ID: a.ID, Year: a.Year, IdentityID: a.IdentityID, ProgramID: a.ProgramID,
		AcceptsAdjustment: a.AcceptsAdjustment, State: a.State, Version: a.Version,
		ReviewRemark: a.ReviewRemark, StateAt: normOrZero(a.StateAt),
		SubmittedAt: norm(a.SubmittedAt), UpdatedAt: norm(a.UpdatedAt),
		OfferState: a.OfferState, OfferDeadline: normOrZero(a.OfferDeadline), OfferAt: normOrZero(a.OfferAt), OfferReason: a.OfferReason,
	}
}

// withApp returns a with what a move changes (recruit.Move: the state,
// offer, program, version and review remark) as app has it, whose times
// are stored to the millisecond.
func (a appDoc) withApp(app recruit.Application) appDoc {
	a.ProgramID, a.Version, a.ReviewRemark = app.ProgramID, app.Version, app.ReviewRemark
	a.State, a.StateAt, a.UpdatedAt = app.State, norm(app.StateAt), norm(app.UpdatedAt)
	a.OfferState, a.OfferDeadline, a.OfferAt, a.OfferReason = app.OfferState, normOrZero(app.OfferDeadline), normOrZero(app.OfferAt), app.OfferReason
	return a
}

// offerFilter matches a stored offer state of o; a document written before
// offers existed has none, which reads as OfferNone.
func offerFilter(o recruit.OfferState) any {
	if o == recruit.OfferNone {
		return bson.M{"$in": bson.A{recruit.OfferNone, nil}}
	}
	return o
}

// normOrZero is norm, keeping the zero time zero.
func normOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return norm(t)
}

var after = options.FindOneAndUpdate().SetReturnDocument(options.After)

// errStaleChoice refuses a choice submitted on a version that is not the
// stored one.
var errStaleChoice = recruit.Errorf(recruit.ECONFLICT, "%s", recruit.MsgStaleChoice)

// SubmitChoice creates the application or changes its choice.
//
// The application to be stored is built from the one read, log is called
// on it, and the history entry and notification it returns go into the
// same single-document write as the choice (its pending array), to be
// relayed to their collections right after. A new application is inserted
// under the unique {year, identity_id} index; losing that race is
// ECONFLICT, as is a read version other than version. A change is a
// conditional update on the version and state read: a changed version is
// ECONFLICT, a changed state alone (an admission) is read again. The program counters move
// afterwards with $inc: a crash in between leaves a counter off by one,
// which Recount reports and RepairCounts repairs.
func (d *DB) SubmitChoice(ctx context.Context, identityID int64, year, version int, c recruit.Choice, now time.Time, log recruit.ChoiceLog) (recruit.Application, error) {
	p, err := d.program(ctx, c.ProgramID)
	if recruit.ErrorCode(err) == recruit.ENOTFOUND || (err == nil && p.Year != year) {
		return recruit.Application{}, recruit.ErrNoPlanInYear(year)
	}
	if err != nil {
		return recruit.Application{}, err
	}
	now = norm(now)
	apps := d.col(colApplications)
	for range retries {
		var old appDoc
		err := apps.FindOne(ctx, bson.M{"year": year, "identity_id": identityID}).Decode(&old)
		isNew := errors.Is(err, mongo.ErrNoDocuments)
		if err != nil && !isNew {
			return recruit.Application{}, internal(err)
		}
		if old.Version != version {
			return recruit.Application{}, errStaleChoice
		}
		if err := recruit.Transition(old.State, recruit.StatePending); err != nil {
			return recruit.Application{}, err
		}
		next := old
		if isNew {
			if next, err = d.newApplication(ctx, identityID, year, now); err != nil {
				return recruit.Application{}, err
			}
		} else {
			next.Version++
		}
		next.ProgramID, next.AcceptsAdjustment, next.State = c.ProgramID, c.AcceptsAdjustment, recruit.StatePending
		next.ReviewRemark, next.StateAt, next.UpdatedAt, next.Pending = "", now, now, nil
		next.OfferState, next.OfferDeadline, next.OfferAt, next.OfferReason = recruit.OfferNone, time.Time{}, time.Time{}, ""
		entries, err := d.choiceRecords(ctx, next.app(), log)
		if err != nil {
			return recruit.Application{}, err
		}
		if isNew {
			next.Pending = entries
			if _, err := apps.InsertOne(ctx, next); mongo.IsDuplicateKeyError(err) {
				return recruit.Application{}, errStaleChoice
			} else if err != nil {
				return recruit.Application{}, internal(err)
			}
		} else {
			// The state is part of the condition: an admission does not
			// change the version, and must not be overwritten by a change
			// read before it.
			update := bson.M{
				"$set": bson.M{"program_id": next.ProgramID, "accepts_adjustment": next.AcceptsAdjustment,
					"state": next.State, "review_remark": "", "state_at": now, "updated_at": now,
					"offer_state": recruit.OfferNone, "offer_deadline": time.Time{}, "offer_at": time.Time{}, "offer_reason": ""},
				"$inc": bson.M{"version": 1},
			}
			if len(entries) > 0 {
				update["$push"] = bson.M{"pending": bson.M{"$each": entries}}
			}
			res, err := apps.UpdateOne(ctx, bson.M{"_id": old.ID, "version": old.Version, "state": old.State}, update)
			if err != nil {
				return recruit.Application{}, internal(err)
			}
			if res.MatchedCount == 0 {
				continue // changed since read: the next read tells how
			}
		}
		if err := d.moveCounters(ctx, old.ProgramID, old.State, next.ProgramID, next.State); err != nil {
			return recruit.Application{}, err
		}
		d.relayDoc(ctx, apps, next.ID, entries)
		return next.app(), nil
	}
	return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// newApplication returns the first application of a bound identity, with
// its id.
func (d *DB) newApplication(ctx context.Context, identityID int64, year int, now time.Time) (appDoc, error) {
	if err := d.mustExist(ctx, colIdentities, identityID, recruit.MsgNotBound); err != nil {
		return appDoc{}, err
	}
	id, err := d.nextID(ctx, colApplications)
	if err != nil {
		return appDoc{}, err
	}
	return appDoc{ID: id, Year: year, IdentityID: identityID, Version: 1, SubmittedAt: now}, nil
}

// choiceRecords builds the pending entries of log for app.
func (d *DB) choiceRecords(ctx context.Context, app recruit.Application, log recruit.ChoiceLog) ([]pendingDoc, error) {
	if log == nil {
		return nil, nil
	}
	rev, n, err := log(app)
	if err != nil {
		return nil, err
	}
	if err := recruit.CheckRevision(rev); err != nil {
		return nil, err
	}
	if err := recruit.CheckNotification(n); err != nil {
		return nil, err
	}
	return d.pendingRecords(ctx, revisionFrom(rev), notificationFrom(n))
}

// moveCounters applies to the program counters the move of one application
// from (fromProgram, from) to (toProgram, to); see recruit.CountMoves.
func (d *DB) moveCounters(ctx context.Context, fromProgram int64, from recruit.State, toProgram int64, to recruit.State) error {
	return d.addCounters(ctx, recruit.CountMoves(fromProgram, from, toProgram, to))
}

// addCounters adds the counter changes m to the programs it names, one $inc
// each.
func (d *DB) addCounters(ctx context.Context, m map[int64]recruit.Counts) error {
	for program, c := range m {
		_, err := d.col(colPrograms).UpdateOne(ctx, bson.M{"_id": program}, bson.M{"$inc": bson.M{
			"registered": c.Registered, "admitted": c.Admitted, "free": -c.Admitted, "final": c.Final,
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
	return p, storeErr(err, recruit.MsgNoProgram, "")
}

// GetApplication returns the application of one applicant in one year.
func (d *DB) GetApplication(ctx context.Context, year int, identityID int64) (recruit.Application, error) {
	doc, err := d.application(ctx, bson.M{"year": year, "identity_id": identityID}, recruit.MsgNotApplied)
	return doc.app(), err
}

// GetApplicationByID returns one application.
func (d *DB) GetApplicationByID(ctx context.Context, appID int64) (recruit.Application, error) {
	doc, err := d.application(ctx, bson.M{"_id": appID}, recruit.MsgNoApplication)
	return doc.app(), err
}

// application reads the application matching filter, ENOTFOUND with
// missing when there is none.
func (d *DB) application(ctx context.Context, filter bson.M, missing string) (appDoc, error) {
	var doc appDoc
	if err := d.col(colApplications).FindOne(ctx, filter).Decode(&doc); err != nil {
		return appDoc{}, storeErr(err, missing, "")
	}
	return doc, nil
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

// Review moves a pending application to approved or rejected: the state
// read is checked with recruit.Transition and is the condition of the
// update, retried when it changed meanwhile. The notification of note goes
// into the same update (the pending array) and is relayed right after.
func (d *DB) Review(ctx context.Context, appID int64, to recruit.State, remark string, now time.Time, note recruit.Note) (recruit.Application, error) {
	if err := recruit.CheckReviewResult(to); err != nil {
		return recruit.Application{}, err
	}
	now = norm(now)
	apps := d.col(colApplications)
	for range retries {
		old, err := d.application(ctx, bson.M{"_id": appID}, recruit.MsgNoApplication)
		if err != nil {
			return recruit.Application{}, err
		}
		if err := recruit.Transition(old.State, to); err != nil {
			return recruit.Application{}, err
		}
		next := old
		next.State, next.ReviewRemark, next.StateAt, next.UpdatedAt, next.Pending = to, remark, now, now, nil
		entries, err := d.noteRecords(ctx, next.app(), note.Notes())
		if err != nil {
			return recruit.Application{}, err
		}
		update := bson.M{"$set": bson.M{"state": to, "review_remark": remark, "state_at": now, "updated_at": now}}
		if len(entries) > 0 {
			update["$push"] = bson.M{"pending": bson.M{"$each": entries}}
		}
		res, err := apps.UpdateOne(ctx, bson.M{"_id": appID, "state": old.State}, update)
		if err != nil {
			return recruit.Application{}, internal(err)
		}
		if res.MatchedCount == 1 {
			d.relayDoc(ctx, apps, appID, entries)
			return next.app(), nil
		}
	}
	return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// noteRecords builds the pending entries of notes for app (none when notes
// is nil).
func (d *DB) noteRecords(ctx context.Context, app recruit.Application, notes recruit.Notes) ([]pendingDoc, error) {
	if notes == nil {
		return nil, nil
	}
	ns, err := notes(app)
	if err != nil {
		return nil, err
	}
	var out []pendingDoc
	for _, n := range ns {
		entries, err := d.noticeRecords(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	return out, nil
}

// noticeRecords builds the pending entry of notification n.
func (d *DB) noticeRecords(ctx context.Context, n recruit.Notification) ([]pendingDoc, error) {
	if err := recruit.CheckNotification(n); err != nil {
		return nil, err
	}
	return d.pendingRecords(ctx, nil, notificationFrom(n))
}

// ProvisionallyAdmit marks an approved application 拟录取 and takes a seat
// (see moveState).
func (d *DB) ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return d.moveState(ctx, appID, recruit.AdmitMove(time.Time{}), now, note.Notes())
}

// UndoProvisional makes a provisionally admitted application approved
// again, with note's notification in the same update, and then gives the
// seat back with $inc (see recruit.Applications).
func (d *DB) UndoProvisional(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return d.moveState(ctx, appID, recruit.UndoMove, now, note.Notes())
}

// Admit confirms a provisional admission, with note's notification in the
// same update, and then counts it as final with $inc.
func (d *DB) Admit(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return d.moveState(ctx, appID, recruit.ConfirmMove, now, note.Notes())
}

// moveState applies move to an application.
//
// A move that takes a seat takes it first with one conditional update of
// the program it moves to ({free: {$gt: 0}} ⇒ $inc free −1, admitted +1),
// atomic on its own, so the plan is never exceeded; the application is
// then written under a condition on its state, offer, program and
// acceptance of adjustment as read, with the notifications of notes in the
// same update (the pending array, relayed right after); if that fails the
// seat is given back and the application read again to say why; if it
// succeeds the other counters move ($inc: the registered counters of a
// move to another program, a placement). A crash between the writes leaves
// a seat taken or the registered counters off, which Recount reports and
// RepairCounts repairs.
//
// Any other move writes the application first under the same condition
// (retried when it changed) and then moves the counters with $inc; a crash
// in between leaves a counter off (a seat taken, never one too many).
func (d *DB) moveState(ctx context.Context, appID int64, move recruit.Move, now time.Time, notes recruit.Notes) (recruit.Application, error) {
	now = norm(now)
	for range retries {
		app, err := d.application(ctx, bson.M{"_id": appID}, recruit.MsgNoApplication)
		if err != nil {
			return recruit.Application{}, err
		}
		moved, err := move(app.app(), now)
		if err != nil {
			return recruit.Application{}, err
		}
		next := app.withApp(moved)
		next.Pending = nil
		entries, err := d.noteRecords(ctx, next.app(), notes)
		if errors.Is(err, recruit.ErrQueued) {
			// A concurrent move of the same event may have been relayed.
			return recruit.Application{}, d.moveRefused(ctx, appID, move, now, err)
		}
		if err != nil {
			return recruit.Application{}, err
		}
		seat, rest := recruit.SeatMoves(app.ProgramID, app.State, next.ProgramID, next.State)
		if seat {
			return d.takeSeat(ctx, app, next, entries, rest, move, now)
		}
		ok, err := d.setState(ctx, app, next, entries)
		if err != nil {
			return recruit.Application{}, err
		}
		if ok {
			if err := d.addCounters(ctx, rest); err != nil {
				return recruit.Application{}, err
			}
			return next.app(), nil
		}
	}
	return recruit.Application{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgBusy)
}

// takeSeat writes next over app after taking a seat of next's program,
// gives the seat back when the write fails and moves the rest of the
// counters when it succeeds (see moveState).
func (d *DB) takeSeat(ctx context.Context, app, next appDoc, entries []pendingDoc, rest map[int64]recruit.Counts, move recruit.Move, now time.Time) (recruit.Application, error) {
	programs := d.col(colPrograms)
	err := programs.FindOneAndUpdate(ctx,
		bson.M{"_id": next.ProgramID, "free": bson.M{"$gt": 0}},
		bson.M{"$inc": bson.M{"free": -1, "admitted": 1}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return recruit.Application{}, d.moveRefused(ctx, app.ID, move, now, recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull))
	}
	if err != nil {
		return recruit.Application{}, internal(err)
	}
	ok, err := d.setState(ctx, app, next, entries)
	if err == nil && ok {
		if err := d.addCounters(ctx, rest); err != nil {
			return recruit.Application{}, err
		}
		return next.app(), nil
	}
	if _, gerr := programs.UpdateOne(ctx, bson.M{"_id": next.ProgramID}, bson.M{"$inc": bson.M{"free": 1, "admitted": -1}}); gerr != nil {
		return recruit.Application{}, internal(gerr)
	}
	if err != nil {
		return recruit.Application{}, err
	}
	return recruit.Application{}, d.moveRefused(ctx, app.ID, move, now, recruit.Errorf(recruit.ECONFLICT, recruit.MsgStale))
}

// setState writes the state, offer, program and review remark of next over
// old when old's state, offer, program and acceptance of adjustment (what
// the moves read: recruit.InPool) are still stored, with the entries in the
// same update, relays them, and reports whether it wrote. A version grown
// by the move (a placement's change of choice) is added with $inc, so a
// concurrent profile save's growth is kept.
func (d *DB) setState(ctx context.Context, old, next appDoc, entries []pendingDoc) (bool, error) {
	update := bson.M{"$set": bson.M{"state": next.State, "state_at": next.StateAt, "updated_at": next.UpdatedAt,
		"program_id": next.ProgramID, "review_remark": next.ReviewRemark,
		"offer_state": next.OfferState, "offer_deadline": next.OfferDeadline, "offer_at": next.OfferAt, "offer_reason": next.OfferReason}}
	if grown := next.Version - old.Version; grown != 0 {
		update["$inc"] = bson.M{"version": grown}
	}
	if len(entries) > 0 {
		update["$push"] = bson.M{"pending": bson.M{"$each": entries}}
	}
	apps := d.col(colApplications)
	res, err := apps.UpdateOne(ctx, bson.M{"_id": old.ID, "state": old.State, "offer_state": offerFilter(old.OfferState),
		"program_id": old.ProgramID, "accepts_adjustment": old.AcceptsAdjustment}, update)
	if err != nil {
		return false, internal(err)
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	d.relayDoc(ctx, apps, old.ID, entries)
	return true, nil
}

// moveRefused explains a move that failed on a write: when a concurrent
// call changed the application meanwhile, the move's refusal of it read
// again (what a backend with transactions answers), else otherwise.
func (d *DB) moveRefused(ctx context.Context, appID int64, move recruit.Move, now time.Time, otherwise error) error {
	app, err := d.application(ctx, bson.M{"_id": appID}, recruit.MsgNoApplication)
	if err != nil {
		return err
	}
	if _, err := move(app.app(), now); err != nil {
		return err
	}
	return otherwise
}

// Recount counts registered and admitted per program of the year from the
// applications. It only reads.
func (d *DB) Recount(ctx context.Context, year int) (map[int64]recruit.Counts, error) {
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
		if c := counts[a.ProgramID].Add(a.State, 1); c != (recruit.Counts{}) {
			counts[a.ProgramID] = c
		}
	}
	return counts, nil
}

// RepairCounts sets the counters of the year's programs that differ from a
// recount to it. Programs are read before the applications, and each write
// is conditional on the counters read, so a program whose counters moved
// meanwhile is left alone (and not reported). An operation between its two
// writes while RepairCounts runs can still be counted twice: run it when
// the counters have stayed wrong, and Recount again after it.
func (d *DB) RepairCounts(ctx context.Context, year int) ([]recruit.CountDiff, error) {
	var progs []programDoc
	if err := d.findAll(ctx, colPrograms, bson.M{"year": year}, &progs); err != nil {
		return nil, err
	}
	counted, err := d.Recount(ctx, year)
	if err != nil {
		return nil, err
	}
	plans := make(map[int64]int, len(progs))
	stored := make([]recruit.Program, len(progs))
	for i, p := range progs {
		plans[p.ID] = p.Plan
		stored[i] = recruit.Program{ID: p.ID, Registered: p.Registered, Admitted: p.Admitted, Final: p.Final}
	}
	var changed []recruit.CountDiff
	for _, c := range recruit.CountDiffs(stored, counted) {
		res, err := d.col(colPrograms).UpdateOne(ctx,
			bson.M{"_id": c.ProgramID, "plan": plans[c.ProgramID], "registered": c.Stored.Registered, "admitted": c.Stored.Admitted, "final": finalFilter(c.Stored.Final)},
			bson.M{"$set": bson.M{"registered": c.Counted.Registered, "admitted": c.Counted.Admitted, "final": c.Counted.Final, "free": plans[c.ProgramID] - c.Counted.Admitted}})
		if err != nil {
			return changed, internal(err)
		}
		if res.MatchedCount == 1 {
			changed = append(changed, c)
		}
	}
	return changed, nil
}

// finalFilter matches a stored final counter of n; a program written
// before the counter existed has none, which reads as 0.
func finalFilter(n int) any {
	if n == 0 {
		return bson.M{"$in": bson.A{0, nil}}
	}
	return n
}

// ReopenApplications makes the year's applications in the reopened states
// whose state was set before before pending again, one conditional update
// per application carrying its notification in the pending array (relayed
// right after). Running it again after a partial failure finishes the job.
func (d *DB) ReopenApplications(ctx context.Context, year int, before, now time.Time, note recruit.OptionalNote) (int, error) {
	setBefore := bson.A{
		bson.M{"state_at": bson.M{"$lt": norm(before)}},
		bson.M{"state_at": bson.M{"$exists": false}},
	}
	var docs []appDoc
	if err := d.findAll(ctx, colApplications, bson.M{"year": year, "state": bson.M{"$in": recruit.Reopened}, "$or": setBefore}, &docs); err != nil {
		return 0, err
	}
	now = norm(now)
	apps := d.col(colApplications)
	n := 0
	for _, old := range docs {
		next := old
		next.State, next.StateAt, next.UpdatedAt, next.Pending = recruit.StatePending, now, now, nil
		var entries []pendingDoc
		if note != nil {
			if msg := note(next.app()); msg != nil {
				var err error
				entries, err = d.noticeRecords(ctx, *msg)
				if err != nil && !errors.Is(err, recruit.ErrQueued) {
					return n, err
				}
			}
		}
		update := bson.M{"$set": bson.M{"state": recruit.StatePending, "state_at": now, "updated_at": now}}
		if len(entries) > 0 {
			update["$push"] = bson.M{"pending": bson.M{"$each": entries}}
		}
		res, err := apps.UpdateOne(ctx, bson.M{"_id": old.ID, "state": old.State, "$or": setBefore}, update)
		if err != nil {
			return n, internal(err)
		}
		if res.MatchedCount == 1 {
			n++
			d.relayDoc(ctx, apps, old.ID, entries)
		}
	}
	return n, nil
}
