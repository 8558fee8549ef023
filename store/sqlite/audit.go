package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"zhupei/recruit"
)

const auditColumns = `id, at, staff_id, role, base_id, action, target, before, after, remark, request_id`

// AppendAudit stores one audit entry.
func (db *DB) AppendAudit(ctx context.Context, e recruit.AuditEntry) (recruit.AuditEntry, error) {
	e, err := recruit.CleanAudit(e)
	if err != nil {
		return recruit.AuditEntry{}, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		e.ID, err = insertAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return recruit.AuditEntry{}, err
	}
	e.At = fromNanos(nanos(e.At))
	return e, nil
}

// insertAudit inserts a cleaned audit entry in tx and returns its id.
func insertAudit(ctx context.Context, tx *sql.Tx, e recruit.AuditEntry) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, staff_id, role, base_id, action, target, before, after, remark, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nanos(e.At), e.StaffID, e.Role, e.BaseID, e.Action, e.Target, e.Before, e.After, e.Remark, e.RequestID).Scan(&id)
	return id, err
}

// ListAudit returns the entries matching f, newest first.
func (db *DB) ListAudit(ctx context.Context, f recruit.AuditFilter) ([]recruit.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.BaseID != 0 {
		add("base_id = ?", f.BaseID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.StaffID != 0 {
		add("staff_id = ?", f.StaffID)
	}
	if !f.From.IsZero() {
		add("at >= ?", nanos(f.From))
	}
	if !f.Until.IsZero() {
		add("at < ?", nanos(f.Until))
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.PageSize())
	return queryAll(ctx, db.read, q+` ORDER BY id DESC LIMIT ?`, args, func(s scanner) (recruit.AuditEntry, error) {
		var (
			e  recruit.AuditEntry
			at int64
		)
		err := s.Scan(&e.ID, &at, &e.StaffID, &e.Role, &e.BaseID, &e.Action, &e.Target, &e.Before, &e.After, &e.Remark, &e.RequestID)
		e.At = fromNanos(at)
		return e, err
	})
}

const baseDatesColumns = `year, base_id, round, review_deadline, written_exam, interview, provisional_admission, updated_at, offer_hours`

// PutBaseDates creates or replaces one base's dates of a round.
func (db *DB) PutBaseDates(ctx context.Context, d recruit.BaseDates) error {
	if err := recruit.CheckBaseDatesKey(d); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := baseExists(ctx, tx, d.BaseID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO base_dates (`+baseDatesColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Year, d.BaseID, d.Round, nanos(d.ReviewDeadline), nanos(d.WrittenExam), nanos(d.Interview),
			nanos(d.ProvisionalAdmission), nanos(d.UpdatedAt), d.OfferHours)
		return err
	})
}

func scanBaseDates(s scanner) (recruit.BaseDates, error) {
	var (
		d recruit.BaseDates
		t [5]int64
	)
	err := s.Scan(&d.Year, &d.BaseID, &d.Round, &t[0], &t[1], &t[2], &t[3], &t[4], &d.OfferHours)
	d.ReviewDeadline, d.WrittenExam, d.Interview = fromNanos(t[0]), fromNanos(t[1]), fromNanos(t[2])
	d.ProvisionalAdmission, d.UpdatedAt = fromNanos(t[3]), fromNanos(t[4])
	return d, err
}

// GetBaseDates returns one base's dates of a round.
func (db *DB) GetBaseDates(ctx context.Context, year int, baseID int64, round recruit.Phase) (recruit.BaseDates, error) {
	d, err := scanBaseDates(db.read.QueryRowContext(ctx, `SELECT `+baseDatesColumns+` FROM base_dates WHERE year = ? AND base_id = ? AND round = ?`,
		year, baseID, round))
	if err != nil {
		return recruit.BaseDates{}, notFound(err, recruit.MsgNoBaseDates)
	}
	return d, nil
}

// ListBaseDates returns every base's dates of the year.
func (db *DB) ListBaseDates(ctx context.Context, year int) ([]recruit.BaseDates, error) {
	return queryAll(ctx, db.read, `SELECT `+baseDatesColumns+` FROM base_dates WHERE year = ? ORDER BY base_id, round`, []any{year}, scanBaseDates)
}
