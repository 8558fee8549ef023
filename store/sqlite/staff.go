package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"zhupei/recruit"
)

var _ recruit.StaffStore = (*DB)(nil)

// staffColumns are the columns scanStaff reads, in its order.
const staffColumns = `id, name, role, base_id, mp_openid, oa_openid, disabled, created_at`

func scanStaff(s scanner) (recruit.Staff, error) {
	var (
		st       recruit.Staff
		base     sql.NullInt64
		mp, oa   sql.NullString
		disabled int
		created  int64
	)
	if err := s.Scan(&st.ID, &st.Name, &st.Role, &base, &mp, &oa, &disabled, &created); err != nil {
		return recruit.Staff{}, err
	}
	st.BaseID, st.MPOpenID, st.OAOpenID = base.Int64, mp.String, oa.String
	st.Disabled, st.CreatedAt = disabled != 0, fromNanos(created)
	return st, nil
}

// orNull stores the zero value of a column as NULL: no base, an unbound
// channel.
func orNull[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// channelColumn is the openid column of a channel.
func channelColumn(ch recruit.Channel) string {
	if ch == recruit.ChannelOA {
		return "oa_openid"
	}
	return "mp_openid"
}

// CreateStaff stores a new account.
func (db *DB) CreateStaff(ctx context.Context, s recruit.Staff) (recruit.Staff, error) {
	s, err := s.Normalize()
	if err != nil {
		return recruit.Staff{}, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := baseExists(ctx, tx, s.BaseID); err != nil {
			return err
		}
		return insertStaff(ctx, tx, &s)
	})
	if err != nil {
		return recruit.Staff{}, err
	}
	return s, nil
}

// insertStaff inserts s and sets its id; ErrStaffOpenIDBound when one of
// its openids is taken.
func insertStaff(ctx context.Context, tx *sql.Tx, s *recruit.Staff) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO staff (name, role, base_id, mp_openid, oa_openid, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Name, s.Role, orNull(s.BaseID), orNull(s.MPOpenID), orNull(s.OAOpenID), s.Disabled, nanos(s.CreatedAt)).Scan(&s.ID)
	if isDuplicate(err) {
		return recruit.ErrStaffOpenIDBound
	}
	return err
}

// baseExists answers BaseNotFound unless id is 0 (no base) or a base.
func baseExists(ctx context.Context, tx *sql.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bases WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return recruit.BaseNotFound(id)
	}
	return nil
}

// GetStaff returns an account by id.
func (db *DB) GetStaff(ctx context.Context, id int64) (recruit.Staff, error) {
	return db.queryStaff(ctx, `id = ?`, id)
}

// StaffByMPOpenID returns the account of a mini-program openid.
func (db *DB) StaffByMPOpenID(ctx context.Context, openID string) (recruit.Staff, error) {
	return db.queryStaff(ctx, `mp_openid = ?`, openID)
}

// StaffByOAOpenID returns the account of an official-account openid.
func (db *DB) StaffByOAOpenID(ctx context.Context, openID string) (recruit.Staff, error) {
	return db.queryStaff(ctx, `oa_openid = ?`, openID)
}

func (db *DB) queryStaff(ctx context.Context, where string, arg any) (recruit.Staff, error) {
	st, err := scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return recruit.Staff{}, recruit.ErrStaffNotFound
	}
	return st, storeErr(err)
}

// ListStaff returns the accounts matching f ordered by id.
func (db *DB) ListStaff(ctx context.Context, f recruit.StaffFilter) ([]recruit.Staff, error) {
	return queryAll(ctx, db.read, `SELECT `+staffColumns+` FROM staff WHERE :base = 0 OR base_id = :base ORDER BY id`,
		[]any{sql.Named("base", f.BaseID)}, scanStaff)
}

// SetStaffDisabled disables or re-enables an account.
func (db *DB) SetStaffDisabled(ctx context.Context, id int64, disabled bool) (recruit.Staff, error) {
	st, err := scanStaff(db.write.QueryRowContext(ctx, `UPDATE staff SET disabled = ? WHERE id = ? RETURNING `+staffColumns, disabled, id))
	if errors.Is(err, sql.ErrNoRows) {
		return recruit.Staff{}, recruit.ErrStaffNotFound
	}
	return st, storeErr(err)
}

// BindStaffChannel binds openID on ch to account id, in one transaction.
func (db *DB) BindStaffChannel(ctx context.Context, id int64, ch recruit.Channel, openID string) (recruit.Staff, bool, error) {
	if err := recruit.CheckChannel(ch, openID); err != nil {
		return recruit.Staff{}, false, err
	}
	var st recruit.Staff
	changed := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		st, err = scanStaff(tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return recruit.ErrStaffNotFound
		case err != nil:
			return err
		case st.OpenID(ch) == openID:
			return nil
		case st.OpenID(ch) != "":
			return recruit.ErrStaffChannelTaken
		}
		_, err = tx.ExecContext(ctx, `UPDATE staff SET `+channelColumn(ch)+` = ? WHERE id = ?`, openID, id)
		if isDuplicate(err) {
			return recruit.ErrStaffOpenIDBound
		}
		st, err = scanStaff(tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
		changed = err == nil
		return err
	})
	if err != nil {
		return recruit.Staff{}, false, err
	}
	return st, changed, nil
}

// CreateInvitation stores an invitation and purges the unredeemed ones
// that expired before it was created. A redeemed one stays, so that its
// code is never stored again.
func (db *DB) CreateInvitation(ctx context.Context, inv recruit.Invitation) error {
	inv, err := inv.Normalize()
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := baseExists(ctx, tx, inv.BaseID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_invitations WHERE staff_id IS NULL AND expires_at <= ?`,
			nanos(inv.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_invitations (code_hash, role, base_id, name, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			inv.CodeHash, inv.Role, orNull(inv.BaseID), inv.Name, nanos(inv.Expires), nanos(inv.CreatedAt))
		if isDuplicate(err) {
			return recruit.ErrInviteExists
		}
		return err
	})
}

// RedeemInvitation checks the invitation, creates its account and marks it
// used in one write transaction: concurrent redeemers queue on the write
// connection and all but the first find it used.
func (db *DB) RedeemInvitation(ctx context.Context, codeHash string, ch recruit.Channel, openID string, now time.Time) (recruit.Staff, error) {
	if err := recruit.CheckChannel(ch, openID); err != nil {
		return recruit.Staff{}, err
	}
	var st recruit.Staff
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var (
			inv          recruit.Invitation
			base, usedBy sql.NullInt64
			expires      int64
		)
		err := tx.QueryRowContext(ctx, `SELECT role, base_id, name, expires_at, staff_id FROM staff_invitations WHERE code_hash = ?`, codeHash).
			Scan(&inv.Role, &base, &inv.Name, &expires, &usedBy)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && expires <= now.UnixNano():
			return recruit.ErrInviteUnknown
		case err != nil:
			return err
		case usedBy.Valid:
			return recruit.ErrInviteUsed
		}
		inv.BaseID = base.Int64
		st = inv.Staff(ch, openID, now)
		if err := insertStaff(ctx, tx, &st); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE staff_invitations SET staff_id = ? WHERE code_hash = ?`, st.ID, codeHash)
		return err
	})
	if err != nil {
		return recruit.Staff{}, err
	}
	return st, nil
}
