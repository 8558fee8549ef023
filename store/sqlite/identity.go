package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"zhupei/recruit"
)

// CreateIdentity binds an OpenID to a person. A new document gets a new
// identity; a document whose identity was unbound (UnbindIdentity) is
// re-attached to the OpenID with its id, and so its profile and
// applications, when the name matches. ECONFLICT when the OpenID is bound,
// the document is bound to another account or the name differs.
func (db *DB) CreateIdentity(ctx context.Context, id recruit.Identity) (recruit.Identity, error) {
	id, err := recruit.CleanNewIdentity(id)
	if err != nil {
		return recruit.Identity{}, err
	}
	sealed, err := db.sealer.Seal(id.IDNumber)
	if err != nil {
		return recruit.Identity{}, recruit.Internal(err)
	}
	index := recruit.IdentityIndex(db.sealer, id.IDType, id.IDNumber)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM identities WHERE open_id = ?`, id.OpenID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return recruit.Errorf(recruit.ECONFLICT, recruit.MsgOpenIDBound)
		}
		var (
			oldID     int64
			oldOpenID sql.NullString
			oldName   string
		)
		err := tx.QueryRowContext(ctx, `SELECT id, open_id, name FROM identities WHERE id_index = ?`, index).Scan(&oldID, &oldOpenID, &oldName)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return tx.QueryRowContext(ctx, `INSERT INTO identities (open_id, name, id_type, id_sealed, id_index, bound_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
				id.OpenID, id.Name, id.IDType, sealed, index, nanos(id.BoundAt)).Scan(&id.ID)
		case err != nil:
			return err
		case oldOpenID.Valid:
			return recruit.Errorf(recruit.ECONFLICT, recruit.MsgNumberBound)
		case oldName != id.Name:
			return recruit.Errorf(recruit.ECONFLICT, recruit.MsgNameDiffers)
		}
		id.ID = oldID
		_, err = tx.ExecContext(ctx, `UPDATE identities SET open_id = ?, bound_at = ? WHERE id = ?`, id.OpenID, nanos(id.BoundAt), oldID)
		return err
	})
	if err != nil {
		return recruit.Identity{}, err
	}
	return id, nil
}

// UnbindIdentity detaches the WeChat account from an identity; the identity
// and everything keyed by its id stay.
func (db *DB) UnbindIdentity(ctx context.Context, identityID int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE identities SET open_id = NULL WHERE id = ?`, identityID)
	if err != nil {
		return recruit.Internal(err)
	}
	return oneRow(res, recruit.MsgNoIdentity)
}

// oneRow returns ENOTFOUND with msg when res changed no row.
func oneRow(res sql.Result, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return recruit.Internal(err)
	}
	if n == 0 {
		return recruit.Errorf(recruit.ENOTFOUND, "%s", msg)
	}
	return nil
}

// IdentityByOpenID returns the binding of a WeChat account.
func (db *DB) IdentityByOpenID(ctx context.Context, openID string) (recruit.Identity, error) {
	return db.queryIdentity(ctx, `open_id = ?`, openID)
}

// GetIdentity returns an identity by id; OpenID is empty while unbound.
func (db *DB) GetIdentity(ctx context.Context, id int64) (recruit.Identity, error) {
	return db.queryIdentity(ctx, `id = ?`, id)
}

// IdentityByNumber returns the identity of an ID number, bound or not.
func (db *DB) IdentityByNumber(ctx context.Context, idType, number string) (recruit.Identity, error) {
	return db.queryIdentity(ctx, `id_index = ?`, recruit.IdentityIndex(db.sealer, idType, number))
}

func (db *DB) queryIdentity(ctx context.Context, where string, arg any) (recruit.Identity, error) {
	var (
		id     recruit.Identity
		openID sql.NullString
		sealed string
		bound  int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, open_id, name, id_type, id_sealed, bound_at FROM identities WHERE `+where, arg).
		Scan(&id.ID, &openID, &id.Name, &id.IDType, &sealed, &bound)
	if err != nil {
		return recruit.Identity{}, notFound(err, recruit.MsgNotBound)
	}
	if id.IDNumber, err = db.sealer.Open(sealed); err != nil {
		return recruit.Identity{}, recruit.Internal(err)
	}
	id.OpenID, id.BoundAt = openID.String, fromNanos(bound)
	return id, nil
}
