package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"zhupei/recruit"
)

const appColumns = `id, year, identity_id, program_id, accepts_adjustment, state, version, review_remark, state_at, submitted_at, updated_at, offer_state, offer_deadline, offer_at, offer_reason`

// scanApp reads an application of appColumns.
func scanApp(s scanner) (recruit.Application, error) { return scanAppAnd(s) }

// scanAppAnd reads an application of appColumns followed by the columns
// scanned into extra.
func scanAppAnd(s scanner, extra ...any) (recruit.Application, error) {
	var (
		a                                              recruit.Application
		stateAt, submitted, updated, deadline, offerAt int64
	)
	dest := append([]any{&a.ID, &a.Year, &a.IdentityID, &a.ProgramID, &a.AcceptsAdjustment, &a.State, &a.Version, &a.ReviewRemark, &stateAt, &submitted, &updated,
		&a.OfferState, &deadline, &offerAt, &a.OfferReason}, extra...)
	err := s.Scan(dest...)
	a.StateAt, a.SubmittedAt, a.UpdatedAt = fromNanos(stateAt), fromNanos(submitted), fromNanos(updated)
	a.OfferDeadline, a.OfferAt = fromNanos(deadline), fromNanos(offerAt)
	return a, err
}

// appByID reads one application inside a write transaction.
func appByID(ctx context.Context, tx *sql.Tx, id int64) (recruit.Application, error) {
	a, err := scanApp(tx.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = ?`, id))
	if err != nil {
		return recruit.Application{}, notFound(err, recruit.MsgNoApplication)
	}
	return a, nil
}

// moveCounts applies to the program counters the move of one application
// from (fromProgram, from) to (toProgram, to); see recruit.CountMoves.
func moveCounts(ctx context.Context, tx *sql.Tx, fromProgram int64, from recruit.State, toProgram int64, to recruit.State) error {
	return addCounts(ctx, tx, recruit.CountMoves(fromProgram, from, toProgram, to))
}

// addCounts adds the counter changes m to the programs it names.
func addCounts(ctx context.Context, tx *sql.Tx, m map[int64]recruit.Counts) error {
	for program, d := range m {
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET registered = registered + ?, admitted = admitted + ?, final = final + ? WHERE id = ?`,
			d.Registered, d.Admitted, d.Final, program); err != nil {
			return err
		}
	}
	return nil
}

// SubmitChoice creates or changes the applicant's application in one
// transaction with the counters of the old and the new program and the
// records of log; the version read in the transaction must be version.
func (db *DB) SubmitChoice(ctx context.Context, identityID int64, year, version int, c recruit.Choice, now time.Time, log recruit.ChoiceLog) (recruit.Application, error) {
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var programYear int
		err := tx.QueryRowContext(ctx, `SELECT year FROM programs WHERE id = ?`, c.ProgramID).Scan(&programYear)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && programYear != year) {
			return recruit.ErrNoPlanInYear(year)
		}
		if err != nil {
			return err
		}
		var (
			id         int64
			oldProg    int64
			old        recruit.State
			oldVersion int
		)
		err = tx.QueryRowContext(ctx, `SELECT id, program_id, state, version FROM applications WHERE year = ? AND identity_id = ?`,
			year, identityID).Scan(&id, &oldProg, &old, &oldVersion)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if oldVersion != version {
			return recruit.Errorf(recruit.ECONFLICT, "%s", recruit.MsgStaleChoice)
		}
		if err := recruit.Transition(old, recruit.StatePending); err != nil {
			return err
		}
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO applications (year, identity_id, program_id, accepts_adjustment, state, version, state_at, submitted_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
				year, identityID, c.ProgramID, c.AcceptsAdjustment, recruit.StatePending, now.UnixNano(), now.UnixNano(), now.UnixNano()).Scan(&id)
			err = foreignKey(err, recruit.MsgNotBound)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE applications SET program_id = ?, accepts_adjustment = ?, state = ?,
				version = version + 1, review_remark = '', state_at = ?, updated_at = ?,
				offer_state = '', offer_deadline = 0, offer_at = 0, offer_reason = '' WHERE id = ?`,
				c.ProgramID, c.AcceptsAdjustment, recruit.StatePending, now.UnixNano(), now.UnixNano(), id)
		}
		if err != nil {
			return err
		}
		if err := moveCounts(ctx, tx, oldProg, old, c.ProgramID, recruit.StatePending); err != nil {
			return err
		}
		if out, err = appByID(ctx, tx, id); err != nil || log == nil {
			return err
		}
		return recordChoice(ctx, tx, out, log)
	})
	return out, err
}

// recordChoice writes the history entry and the notification of a submitted
// choice in the choice's transaction.
func recordChoice(ctx context.Context, tx *sql.Tx, app recruit.Application, log recruit.ChoiceLog) error {
	rev, n, err := log(app)
	if err != nil {
		return err
	}
	if err := recruit.CheckRevision(rev); err != nil {
		return err
	}
	if err := insertRevision(ctx, tx, rev); err != nil {
		return err
	}
	_, err = insertNotification(ctx, tx, n)
	return err
}

// GetApplication returns the application of one applicant in one year.
func (db *DB) GetApplication(ctx context.Context, year int, identityID int64) (recruit.Application, error) {
	a, err := scanApp(db.read.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE year = ? AND identity_id = ?`, year, identityID))
	if err != nil {
		return recruit.Application{}, notFound(err, recruit.MsgNotApplied)
	}
	return a, nil
}

// ListApplications returns the applications choosing one program, by id.
func (db *DB) ListApplications(ctx context.Context, programID int64) ([]recruit.Application, error) {
	return queryAll(ctx, db.read, `SELECT `+appColumns+` FROM applications WHERE program_id = ? ORDER BY id`, []any{programID}, scanApp)
}

// Review moves a pending application to approved or rejected, with its
// notification in the same transaction.
func (db *DB) Review(ctx context.Context, appID int64, to recruit.State, remark string, now time.Time, note recruit.Note) (recruit.Application, error) {
	if err := recruit.CheckReviewResult(to); err != nil {
		return recruit.Application{}, err
	}
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := appByID(ctx, tx, appID)
		if err != nil {
			return err
		}
		if err := recruit.Transition(a.State, to); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, review_remark = ?, state_at = ?, updated_at = ? WHERE id = ?`,
			to, remark, now.UnixNano(), now.UnixNano(), appID); err != nil {
			return err
		}
		if out, err = appByID(ctx, tx, appID); err != nil {
			return err
		}
		return queueNotes(ctx, tx, out, note.Notes())
	})
	return out, err
}

// ProvisionallyAdmit takes a seat with a conditional update of the program
// and marks the application 拟录取, with its notification, in one
// transaction.
func (db *DB) ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return db.moveState(ctx, appID, recruit.AdmitMove(time.Time{}), now, note.Notes())
}

// UndoProvisional gives the seat back and makes the application approved
// again, with its notification, in one transaction.
func (db *DB) UndoProvisional(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return db.moveState(ctx, appID, recruit.UndoMove, now, note.Notes())
}

// Admit confirms a provisional admission (录取), with its notification, in
// one transaction.
func (db *DB) Admit(ctx context.Context, appID int64, now time.Time, note recruit.Note) (recruit.Application, error) {
	return db.moveState(ctx, appID, recruit.ConfirmMove, now, note.Notes())
}

// moveState applies move to an application, with the counters (a seat is
// taken only under the plan: MsgProgramFull otherwise; a move to another
// program moves the registered counters too) and the notifications of
// notes, in one transaction.
func (db *DB) moveState(ctx context.Context, appID int64, move recruit.Move, now time.Time, notes recruit.Notes) (recruit.Application, error) {
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := appByID(ctx, tx, appID)
		if err != nil {
			return err
		}
		next, err := move(a, now)
		if err != nil {
			return err
		}
		seat, rest := recruit.SeatMoves(a.ProgramID, a.State, next.ProgramID, next.State)
		if seat {
			res, err := tx.ExecContext(ctx, `UPDATE programs SET admitted = admitted + 1 WHERE id = ? AND admitted < plan`, next.ProgramID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return recruit.Errorf(recruit.ECONFLICT, recruit.MsgProgramFull)
			}
		}
		if err := addCounts(ctx, tx, rest); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET program_id = ?, version = ?, review_remark = ?, state = ?, state_at = ?, updated_at = ?,
			offer_state = ?, offer_deadline = ?, offer_at = ?, offer_reason = ? WHERE id = ?`,
			next.ProgramID, next.Version, next.ReviewRemark, next.State, nanos(next.StateAt), nanos(next.UpdatedAt),
			next.OfferState, nanos(next.OfferDeadline), nanos(next.OfferAt), next.OfferReason, appID); err != nil {
			return err
		}
		if out, err = appByID(ctx, tx, appID); err != nil {
			return err
		}
		return queueNotes(ctx, tx, out, notes)
	})
	return out, err
}

// queueNotes inserts the notifications notes builds from the changed
// application app, in the change's transaction; nothing when notes is nil.
func queueNotes(ctx context.Context, tx *sql.Tx, app recruit.Application, notes recruit.Notes) error {
	if notes == nil {
		return nil
	}
	ns, err := notes(app)
	if err != nil {
		return err
	}
	for _, n := range ns {
		if _, err := insertNotification(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// Recount counts registered and admitted per program of a year from the
// applications themselves.
func (db *DB) Recount(ctx context.Context, year int) (map[int64]recruit.Counts, error) {
	return recount(ctx, db.read, year)
}

func recount(ctx context.Context, q queryer, year int) (map[int64]recruit.Counts, error) {
	type group struct {
		program int64
		state   recruit.State
		n       int
	}
	groups, err := queryAll(ctx, q, `SELECT program_id, state, count(*) FROM applications WHERE year = ? GROUP BY program_id, state`,
		[]any{year}, func(s scanner) (group, error) {
			var g group
			return g, s.Scan(&g.program, &g.state, &g.n)
		})
	if err != nil {
		return nil, err
	}
	out := map[int64]recruit.Counts{}
	for _, g := range groups {
		if c := out[g.program].Add(g.state, g.n); c != (recruit.Counts{}) {
			out[g.program] = c
		}
	}
	return out, nil
}

// RepairCounts sets the counters that differ from a recount to it, in one
// transaction.
func (db *DB) RepairCounts(ctx context.Context, year int) ([]recruit.CountDiff, error) {
	var diffs []recruit.CountDiff
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		counted, err := recount(ctx, tx, year)
		if err != nil {
			return err
		}
		programs, err := queryAll(ctx, tx, programQuery+`WHERE p.year = ?`, []any{year}, scanProgram)
		if err != nil {
			return err
		}
		diffs = recruit.CountDiffs(programs, counted)
		for _, d := range diffs {
			if _, err := tx.ExecContext(ctx, `UPDATE programs SET registered = ?, admitted = ?, final = ? WHERE id = ?`,
				d.Counted.Registered, d.Counted.Admitted, d.Counted.Final, d.ProgramID); err != nil {
				return err
			}
		}
		return nil
	})
	return diffs, err
}

// ReopenApplications makes the year's approved and rejected applications
// (recruit.Reopened) whose state was set before before pending again, with
// their notifications, in one transaction.
func (db *DB) ReopenApplications(ctx context.Context, year int, before, now time.Time, note recruit.OptionalNote) (int, error) {
	args := []any{year, before.UnixNano()}
	for _, s := range recruit.Reopened {
		args = append(args, s)
	}
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		apps, err := queryAll(ctx, tx, `SELECT `+appColumns+` FROM applications WHERE year = ? AND state_at < ? AND state IN (?`+
			strings.Repeat(", ?", len(recruit.Reopened)-1)+`)`, args, scanApp)
		if err != nil {
			return err
		}
		for _, a := range apps {
			if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, state_at = ?, updated_at = ? WHERE id = ?`,
				recruit.StatePending, now.UnixNano(), now.UnixNano(), a.ID); err != nil {
				return err
			}
			n++
			if note == nil {
				continue
			}
			a.State, a.StateAt, a.UpdatedAt = recruit.StatePending, fromNanos(now.UnixNano()), fromNanos(now.UnixNano())
			if msg := note(a); msg != nil {
				if _, err := insertNotification(ctx, tx, *msg); err != nil && !errors.Is(err, recruit.ErrQueued) {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
