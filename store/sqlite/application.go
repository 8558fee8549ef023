package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"zhupei/recruit"
)

// msgNoApp is the message of a missing application.
const msgNoApp = "报名记录不存在"

const appColumns = `id, year, identity_id, program_id, accepts_adjustment, state, version, review_remark, submitted_at, updated_at`

func scanApp(s scanner) (recruit.Application, error) {
	var (
		a                  recruit.Application
		submitted, updated int64
	)
	err := s.Scan(&a.ID, &a.Year, &a.IdentityID, &a.ProgramID, &a.AcceptsAdjustment, &a.State, &a.Version, &a.ReviewRemark, &submitted, &updated)
	a.SubmittedAt, a.UpdatedAt = fromNanos(submitted), fromNanos(updated)
	return a, err
}

// appByID reads one application inside a write transaction.
func appByID(ctx context.Context, tx *sql.Tx, id int64) (recruit.Application, error) {
	a, err := scanApp(tx.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = ?`, id))
	if err != nil {
		return recruit.Application{}, notFound(err, msgNoApp)
	}
	return a, nil
}

// moveCounts adds the given deltas to a program's counters.
func moveCounts(ctx context.Context, tx *sql.Tx, programID int64, registered, admitted int) error {
	_, err := tx.ExecContext(ctx, `UPDATE programs SET registered = registered + ?, admitted = admitted + ? WHERE id = ?`,
		registered, admitted, programID)
	return err
}

// SubmitChoice creates or changes the applicant's application in one
// transaction with the counters of the old and the new program.
func (db *DB) SubmitChoice(ctx context.Context, identityID int64, year int, c recruit.Choice, now time.Time, log recruit.ChoiceLog) (recruit.Application, error) {
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var programYear int
		err := tx.QueryRowContext(ctx, `SELECT year FROM programs WHERE id = ?`, c.ProgramID).Scan(&programYear)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && programYear != year) {
			return recruit.Errorf(recruit.ENOTFOUND, "所选培训基地和专业在%d年度没有招录计划", year)
		}
		if err != nil {
			return err
		}
		var (
			id      int64
			oldProg int64
			old     recruit.State
		)
		err = tx.QueryRowContext(ctx, `SELECT id, program_id, state FROM applications WHERE year = ? AND identity_id = ?`,
			year, identityID).Scan(&id, &oldProg, &old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRowContext(ctx, `INSERT INTO applications (year, identity_id, program_id, accepts_adjustment, state, version, submitted_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
				year, identityID, c.ProgramID, c.AcceptsAdjustment, recruit.StatePending, now.UnixNano(), now.UnixNano()).Scan(&id)
			err = foreignKey(err, "请先完成实名认证")
		case err == nil:
			if old.HoldsSeat() {
				return errSeatHeld(old)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE applications SET program_id = ?, accepts_adjustment = ?, state = ?,
				version = version + 1, review_remark = '', updated_at = ? WHERE id = ?`,
				c.ProgramID, c.AcceptsAdjustment, recruit.StatePending, now.UnixNano(), id); err != nil {
				return err
			}
			err = moveCounts(ctx, tx, oldProg, -count(old.Active()), -count(old.HoldsSeat()))
		}
		if err != nil {
			return err
		}
		if err := moveCounts(ctx, tx, c.ProgramID, 1, 0); err != nil {
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
	if err := checkRevision(rev); err != nil {
		return err
	}
	if err := insertRevision(ctx, tx, rev); err != nil {
		return err
	}
	_, err = insertNotification(ctx, tx, n)
	return err
}

// errSeatHeld refuses to change the choice of an application that holds a
// seat: whatever a caller checked before, the store never silently undoes a
// provisional admission or an admission.
func errSeatHeld(st recruit.State) error {
	return recruit.Errorf(recruit.ECONFLICT, "该报名已%s，志愿不可再修改", st.Label())
}

// count is 1 for true and 0 for false.
func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GetApplication returns the application of one applicant in one year.
func (db *DB) GetApplication(ctx context.Context, year int, identityID int64) (recruit.Application, error) {
	a, err := scanApp(db.read.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE year = ? AND identity_id = ?`, year, identityID))
	if err != nil {
		return recruit.Application{}, notFound(err, "尚未报名")
	}
	return a, nil
}

// ListApplications returns the applications choosing one program, by id.
func (db *DB) ListApplications(ctx context.Context, programID int64) ([]recruit.Application, error) {
	return queryAll(ctx, db.read, `SELECT `+appColumns+` FROM applications WHERE program_id = ? ORDER BY id`, []any{programID}, scanApp)
}

// Review moves a pending application to approved or rejected.
func (db *DB) Review(ctx context.Context, appID int64, to recruit.State, remark string, now time.Time) (recruit.Application, error) {
	if to != recruit.StateApproved && to != recruit.StateRejected {
		return recruit.Application{}, recruit.Errorf(recruit.EINVALID, "审核结果只能是审核通过或审核不通过")
	}
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := appByID(ctx, tx, appID)
		if err != nil {
			return err
		}
		if a.State != recruit.StatePending {
			return recruit.Errorf(recruit.ECONFLICT, "该报名当前为“%s”，不能审核", a.State.Label())
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, review_remark = ?, updated_at = ? WHERE id = ?`,
			to, remark, now.UnixNano(), appID); err != nil {
			return err
		}
		out, err = appByID(ctx, tx, appID)
		return err
	})
	return out, err
}

// ProvisionallyAdmit takes a seat with a conditional update of the program
// and marks the application 拟录取, in one transaction.
func (db *DB) ProvisionallyAdmit(ctx context.Context, appID int64, now time.Time) (recruit.Application, error) {
	var out recruit.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := appByID(ctx, tx, appID)
		if err != nil {
			return err
		}
		if a.State != recruit.StateApproved {
			return recruit.Errorf(recruit.EFORBIDDEN, "只有审核通过的报名才能拟录取，该报名当前为“%s”", a.State.Label())
		}
		res, err := tx.ExecContext(ctx, `UPDATE programs SET admitted = admitted + 1 WHERE id = ? AND admitted < plan`, a.ProgramID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return recruit.Errorf(recruit.ECONFLICT, "该培训专业的拟录取人数已达计划数")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, updated_at = ? WHERE id = ?`,
			recruit.StateProvisional, now.UnixNano(), appID); err != nil {
			return err
		}
		out, err = appByID(ctx, tx, appID)
		return err
	})
	return out, err
}

// Recount counts registered and admitted per program of a year from the
// applications themselves.
func (db *DB) Recount(ctx context.Context, year int) (map[int64]recruit.Counts, error) {
	type group struct {
		program int64
		state   recruit.State
		n       int
	}
	groups, err := queryAll(ctx, db.read, `SELECT program_id, state, count(*) FROM applications WHERE year = ? GROUP BY program_id, state`,
		[]any{year}, func(s scanner) (group, error) {
			var g group
			return g, s.Scan(&g.program, &g.state, &g.n)
		})
	if err != nil {
		return nil, err
	}
	out := map[int64]recruit.Counts{}
	for _, g := range groups {
		c := out[g.program]
		c.Registered += g.n * count(g.state.Active())
		c.Admitted += g.n * count(g.state.HoldsSeat())
		if c != (recruit.Counts{}) {
			out[g.program] = c
		}
	}
	return out, nil
}

// ReopenApplications makes the year's approved and rejected applications
// pending again in one statement.
func (db *DB) ReopenApplications(ctx context.Context, year int, now time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE applications SET state = ?, updated_at = ? WHERE year = ? AND state IN (?, ?)`,
		recruit.StatePending, now.UnixNano(), year, recruit.StateApproved, recruit.StateRejected)
	if err != nil {
		return 0, recruit.Internal(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, recruit.Internal(err)
	}
	return int(n), nil
}
