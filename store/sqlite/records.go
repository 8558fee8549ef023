package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	sqlitelib "modernc.org/sqlite/lib"

	"zhupei/recruit"
)

// sections is the stored JSON of a profile. Basic.IDNumber is tagged
// json:"-", so the ID number never enters it.
type sections struct {
	Basic        *recruit.Basic        `json:"basic,omitempty"`
	Work         *recruit.Work         `json:"work,omitempty"`
	Education    []recruit.Education   `json:"education,omitempty"`
	Certificates *recruit.Certificates `json:"certificates,omitempty"`
}

// GetProfile returns the profile of an identity, or an empty one with
// Version 0. Basic.IDNumber is empty: the caller takes it from the identity.
func (db *DB) GetProfile(ctx context.Context, identityID int64) (recruit.Profile, error) {
	p := recruit.Profile{IdentityID: identityID}
	var (
		data    string
		updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT data, version, updated_at FROM profiles WHERE identity_id = ?`, identityID).
		Scan(&data, &p.Version, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return recruit.Profile{}, recruit.Internal(err)
	}
	var s sections
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		return recruit.Profile{}, recruit.Internal(err)
	}
	p.Basic, p.Work, p.Education, p.Certificates = s.Basic, s.Work, s.Education, s.Certificates
	p.UpdatedAt = fromNanos(updated)
	return p, nil
}

// SaveProfile stores p when the stored version is p.Version (0: none yet)
// and appends rev to the history, in one transaction.
func (db *DB) SaveProfile(ctx context.Context, p recruit.Profile, rev recruit.Revision, touchApp int64) (recruit.Profile, error) {
	if err := recruit.CheckProfileKey(p); err != nil {
		return recruit.Profile{}, err
	}
	rev.IdentityID = p.IdentityID
	if err := recruit.CheckRevision(rev); err != nil {
		return recruit.Profile{}, err
	}
	if p.Basic != nil { // a copy without the number, not to alter the caller's
		b := *p.Basic
		b.IDNumber = ""
		p.Basic = &b
	}
	data, err := json.Marshal(sections{Basic: p.Basic, Work: p.Work, Education: p.Education, Certificates: p.Certificates})
	if err != nil {
		return recruit.Profile{}, recruit.Internal(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if p.Version == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO profiles (identity_id, data, version, updated_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (identity_id) DO NOTHING`, p.IdentityID, data, nanos(rev.At))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE profiles SET data = ?, version = version + 1, updated_at = ?
				WHERE identity_id = ? AND version = ?`, data, nanos(rev.At), p.IdentityID, p.Version)
		}
		if err != nil {
			return foreignKey(err, recruit.MsgNoIdentity)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return recruit.Errorf(recruit.ECONFLICT, recruit.MsgStale)
		}
		if err := db.writeSearch(ctx, tx, p); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, rev); err != nil || touchApp == 0 {
			return err
		}
		res, err = tx.ExecContext(ctx, `UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ? AND identity_id = ?`,
			nanos(rev.At), touchApp, p.IdentityID)
		if err != nil {
			return err
		}
		return oneRow(res, recruit.MsgNoApplication)
	})
	if err != nil {
		return recruit.Profile{}, err
	}
	p.Version++
	p.UpdatedAt = rev.At
	return p, nil
}

// foreignKey maps a foreign-key violation to ENOTFOUND with msg.
func foreignKey(err error, msg string) error {
	if isConstraint(err, sqlitelib.SQLITE_CONSTRAINT_FOREIGNKEY) {
		return recruit.Errorf(recruit.ENOTFOUND, "%s", msg)
	}
	return err
}

func insertRevision(ctx context.Context, tx *sql.Tx, rev recruit.Revision) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO revisions (identity_id, kind, summary, snapshot, by_whom, at) VALUES (?, ?, ?, ?, ?, ?)`,
		rev.IdentityID, rev.Kind, rev.Summary, rev.Snapshot, rev.By, nanos(rev.At))
	return foreignKey(err, recruit.MsgNoIdentity)
}

// History returns an identity's revisions, newest first.
func (db *DB) History(ctx context.Context, identityID int64) ([]recruit.Revision, error) {
	return queryAll(ctx, db.read, `SELECT id, identity_id, kind, summary, snapshot, by_whom, at FROM revisions
		WHERE identity_id = ? ORDER BY id DESC`, []any{identityID}, func(s scanner) (recruit.Revision, error) {
		var (
			r  recruit.Revision
			at int64
		)
		err := s.Scan(&r.ID, &r.IdentityID, &r.Kind, &r.Summary, &r.Snapshot, &r.By, &at)
		r.At = fromNanos(at)
		return r, err
	})
}

// GetApplicationByID returns one application.
func (db *DB) GetApplicationByID(ctx context.Context, appID int64) (recruit.Application, error) {
	a, err := scanApp(db.read.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = ?`, appID))
	if err != nil {
		return recruit.Application{}, notFound(err, recruit.MsgNoApplication)
	}
	return a, nil
}

// PutFile stores a file under f.ID, replacing any file with that id; the
// data is sealed.
func (db *DB) PutFile(ctx context.Context, f recruit.File) error {
	if err := recruit.CheckFile(f); err != nil {
		return err
	}
	sealed, err := db.sealer.SealFile(f.ID, f.Data)
	if err != nil {
		return recruit.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT OR REPLACE INTO files (id, owner_id, kind, content_type, size, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, f.OwnerID, f.Kind, f.ContentType, len(f.Data), sealed, nanos(f.CreatedAt))
	return storeErr(err)
}

// GetFile returns a file with its data.
func (db *DB) GetFile(ctx context.Context, id string) (recruit.File, error) {
	var (
		f       recruit.File
		created int64
		stored  []byte
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, owner_id, kind, content_type, size, data, created_at FROM files WHERE id = ?`, id).
		Scan(&f.ID, &f.OwnerID, &f.Kind, &f.ContentType, &f.Size, &stored, &created)
	if err != nil {
		return recruit.File{}, notFound(err, recruit.MsgNoFile)
	}
	if f.Data, err = db.sealer.OpenFile(f.ID, stored); err != nil {
		return recruit.File{}, recruit.Internal(err)
	}
	f.CreatedAt = fromNanos(created)
	return f, nil
}

// DeleteFile removes a file; an absent one is not an error.
func (db *DB) DeleteFile(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM files WHERE id = ?`, id)
	return storeErr(err)
}

// FileIDs returns up to limit file ids after after, in order.
func (db *DB) FileIDs(ctx context.Context, after string, limit int) ([]string, error) {
	return queryAll(ctx, db.read, `SELECT id FROM files WHERE id > ? ORDER BY id LIMIT ?`, []any{after, limit},
		func(r scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}

// ResealFile reseals a file's data in one transaction.
func (db *DB) ResealFile(ctx context.Context, id string) (bool, error) {
	changed := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var stored []byte
		if err := tx.QueryRowContext(ctx, `SELECT data FROM files WHERE id = ?`, id).Scan(&stored); err != nil {
			return notFound(err, recruit.MsgNoFile)
		}
		sealed, ok, err := db.sealer.ResealFile(id, stored)
		if err != nil || !ok {
			return err
		}
		changed = true
		_, err = tx.ExecContext(ctx, `UPDATE files SET data = ? WHERE id = ?`, sealed, id)
		return err
	})
	return changed, err
}

// Relay has nothing to deliver: every change writes its history entry and
// notification in its own transaction.
func (db *DB) Relay(context.Context) (int, error) { return 0, nil }

// AddForm records a generated form; ECONFLICT when its code exists.
func (db *DB) AddForm(ctx context.Context, f recruit.FormRecord) error {
	if err := recruit.CheckForm(f); err != nil {
		return err
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO forms (code, application_id, version, file_id, generated_at) VALUES (?, ?, ?, ?, ?)`,
		f.Code, f.ApplicationID, f.Version, f.FileID, nanos(f.GeneratedAt))
	if isDuplicate(err) {
		return recruit.Errorf(recruit.ECONFLICT, recruit.MsgFormCodeUsed)
	}
	return storeErr(foreignKey(err, recruit.MsgNoApplication))
}

const formQuery = `SELECT code, application_id, version, file_id, generated_at FROM forms `

// FormByCode returns the form printed with code.
func (db *DB) FormByCode(ctx context.Context, code string) (recruit.FormRecord, error) {
	return db.queryForm(ctx, formQuery+`WHERE code = ?`, code)
}

// LatestForm returns the form of an application with the highest version,
// the latest generated among equals.
func (db *DB) LatestForm(ctx context.Context, appID int64) (recruit.FormRecord, error) {
	return db.queryForm(ctx, formQuery+`WHERE application_id = ? ORDER BY version DESC, generated_at DESC LIMIT 1`, appID)
}

func (db *DB) queryForm(ctx context.Context, query string, arg any) (recruit.FormRecord, error) {
	var (
		f  recruit.FormRecord
		at int64
	)
	if err := db.read.QueryRowContext(ctx, query, arg).Scan(&f.Code, &f.ApplicationID, &f.Version, &f.FileID, &at); err != nil {
		return recruit.FormRecord{}, notFound(err, recruit.MsgNoForm)
	}
	f.GeneratedAt = fromNanos(at)
	return f, nil
}
