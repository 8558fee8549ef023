package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"zhupei/recruit"
)

// idKeyPrefix marks the ID-suffix keys among an applicant's search_keys.
const idKeyPrefix = "id:"

// searchOf reads an applicant's Search from q (zero when none).
func searchOf(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, identityID int64) (recruit.Search, error) {
	var data string
	err := q.QueryRowContext(ctx, `SELECT data FROM searches WHERE identity_id = ?`, identityID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return recruit.Search{}, nil
	}
	if err != nil {
		return recruit.Search{}, recruit.Internal(err)
	}
	var s recruit.Search
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		return recruit.Search{}, recruit.Internal(err)
	}
	return s, nil
}

// SearchOf returns an applicant's Search.
func (db *DB) SearchOf(ctx context.Context, identityID int64) (recruit.Search, error) {
	return searchOf(ctx, db.read, identityID)
}

// writeSearch stores the Search of the saved profile p in the save's
// transaction: its row, its keys, and the counts of the duplicate keys it
// gives up and takes.
func (db *DB) writeSearch(ctx context.Context, tx *sql.Tx, p recruit.Profile) error {
	var (
		id     = recruit.Identity{ID: p.IdentityID}
		sealed string
	)
	err := tx.QueryRowContext(ctx, `SELECT name, id_type, id_sealed FROM identities WHERE id = ?`, p.IdentityID).Scan(&id.Name, &id.IDType, &sealed)
	if err != nil {
		return notFound(err, recruit.MsgNoIdentity)
	}
	if id.IDNumber, err = db.sealer.Open(sealed); err != nil {
		return recruit.Internal(err)
	}
	old, err := searchOf(ctx, tx, p.IdentityID)
	if err != nil {
		return err
	}
	s, err := recruit.BuildSearch(ctx, db.sealer, p, id, old, db.GetFile)
	if err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return recruit.Internal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO searches (identity_id, name, phone, personnel_type, schools, dated, data)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
		personnel_type = excluded.personnel_type, schools = excluded.schools, dated = excluded.dated, data = excluded.data`,
		p.IdentityID, s.Name, s.Phone, s.PersonnelType, joinSchools(s.Schools), len(s.DateIssues) > 0, data); err != nil {
		return err
	}
	return replaceKeys(ctx, tx, p.IdentityID, searchKeys(s))
}

// joinSchools keeps every school between two U+001F, so that a LIKE on a
// part never spans two schools.
func joinSchools(schools []string) string {
	if len(schools) == 0 {
		return ""
	}
	return "\x1f" + strings.Join(schools, "\x1f") + "\x1f"
}

// searchKeys are the search_keys of s: its duplicate keys and its ID keys.
func searchKeys(s recruit.Search) map[string]bool {
	keys := map[string]bool{}
	for _, k := range s.DupKeys() {
		keys[k] = true
	}
	for _, k := range s.IDKeys {
		keys[idKeyPrefix+k] = true
	}
	return keys
}

// replaceKeys makes want the keys of an applicant, moving the counts of
// the duplicate keys that change.
func replaceKeys(ctx context.Context, tx *sql.Tx, identityID int64, want map[string]bool) error {
	have, err := queryAll(ctx, tx, `SELECT key FROM search_keys WHERE identity_id = ?`, []any{identityID}, func(s scanner) (string, error) {
		var k string
		return k, s.Scan(&k)
	})
	if err != nil {
		return err
	}
	for _, k := range have {
		if want[k] {
			delete(want, k)
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_keys WHERE key = ? AND identity_id = ?`, k, identityID); err != nil {
			return err
		}
		if !strings.HasPrefix(k, idKeyPrefix) {
			if _, err := tx.ExecContext(ctx, `UPDATE search_key_counts SET n = n - 1 WHERE key = ?`, k); err != nil {
				return err
			}
		}
	}
	for k := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_keys (key, identity_id) VALUES (?, ?)`, k, identityID); err != nil {
			return err
		}
		if !strings.HasPrefix(k, idKeyPrefix) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_key_counts (key, n) VALUES (?, 1)
				ON CONFLICT (key) DO UPDATE SET n = n + 1`, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// queueFrom joins what a queue row shows.
const queueFrom = ` FROM applications a
	JOIN programs p ON p.id = a.program_id
	JOIN identities i ON i.id = a.identity_id
	LEFT JOIN searches s ON s.identity_id = a.identity_id`

// sharedKeys selects the applicants holding a duplicate key another holds
// too, from the partial index of the shared keys.
const sharedKeys = `SELECT identity_id FROM search_keys WHERE key IN (SELECT key FROM search_key_counts WHERE n > 1)`

// likeArg is a LIKE pattern matching s anywhere, with \ as escape.
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// queueWhere is the WHERE clause of q with its arguments. It names the
// applications only (alias a), the rest through subqueries, so that the
// count needs no join and the page joins its rows only.
func queueWhere(q recruit.AppQuery, sealer recruit.IDSealer) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, vs ...any) {
		where = append(where, cond)
		args = append(args, vs...)
	}
	add("a.year = ?", q.Year)
	if q.ApplicationID != 0 {
		add("a.id = ?", q.ApplicationID)
	}
	if q.State != "" {
		add("a.state = ?", q.State)
	} else {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(recruit.ActiveStates)), ", ")
		vs := make([]any, len(recruit.ActiveStates))
		for i, s := range recruit.ActiveStates {
			vs[i] = s
		}
		add("a.state IN ("+marks+")", vs...)
	}
	switch {
	case q.BaseID != 0 && q.SpecialtyCode != "":
		add("a.program_id IN (SELECT id FROM programs WHERE base_id = ? AND specialty_code = ?)", q.BaseID, q.SpecialtyCode)
	case q.BaseID != 0:
		add("a.program_id IN (SELECT id FROM programs WHERE base_id = ?)", q.BaseID)
	case q.SpecialtyCode != "":
		add("a.program_id IN (SELECT id FROM programs WHERE specialty_code = ?)", q.SpecialtyCode)
	}
	if !q.StateFrom.IsZero() {
		add("a.state_at >= ?", nanos(q.StateFrom))
	}
	if !q.StateTo.IsZero() {
		add("a.state_at < ?", nanos(q.StateTo))
	}
	if q.AcceptsAdjustment != nil {
		add("a.accepts_adjustment = ?", *q.AcceptsAdjustment)
	}
	if q.PersonnelType != "" {
		add("a.identity_id IN (SELECT identity_id FROM searches WHERE personnel_type = ?)", q.PersonnelType)
	}
	if q.School != "" {
		add(`a.identity_id IN (SELECT identity_id FROM searches WHERE schools LIKE ? ESCAPE '\')`, likeArg(q.School))
	}
	if q.Keyword != "" {
		cond := `a.identity_id IN (SELECT identity_id FROM searches WHERE name LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\'`
		vs := []any{likeArg(q.Keyword), likeArg(q.Keyword)}
		if key := recruit.IDSearchKey(sealer, q.Keyword); key != "" {
			cond += ` UNION ALL SELECT identity_id FROM search_keys WHERE key = ?`
			vs = append(vs, idKeyPrefix+key)
		}
		add(cond+")", vs...)
	}
	if q.Flagged {
		add("a.identity_id IN (SELECT identity_id FROM searches WHERE dated = 1 UNION ALL " + sharedKeys + ")")
	}
	if q.Offer != nil {
		add("a.offer_state = ?", *q.Offer)
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// QueryApplications returns a page of the queue and its total.
func (db *DB) QueryApplications(ctx context.Context, q recruit.AppQuery) (recruit.AppPage, error) {
	where, args := queueWhere(q, db.sealer)
	var page recruit.AppPage
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM applications a`+where, args...).Scan(&page.Total); err != nil {
		return recruit.AppPage{}, recruit.Internal(err)
	}
	order := " ORDER BY a.submitted_at, a.id"
	if q.Sort == recruit.SortSubmittedDesc {
		order = " ORDER BY a.submitted_at DESC, a.id DESC"
	}
	cols := "a." + strings.ReplaceAll(appColumns, ", ", ", a.") +
		", p.base_id, (SELECT name FROM bases WHERE id = p.base_id), p.specialty_code, (SELECT name FROM specialties WHERE code = p.specialty_code), i.id_type, i.id_sealed, coalesce(s.data, '')"
	rows, err := queryAll(ctx, db.read, `SELECT `+cols+queueFrom+where+order+` LIMIT ? OFFSET ?`,
		append(args, q.PageSize(), max(q.Offset, 0)), func(sc scanner) (recruit.AppRow, error) {
			var (
				r            recruit.AppRow
				sealed, data string
				err          error
			)
			r.Application, err = scanAppAnd(sc, &r.BaseID, &r.BaseName, &r.SpecialtyCode, &r.SpecialtyName, &r.IDType, &sealed, &data)
			if err != nil {
				return r, err
			}
			if r.IDNumber, err = db.sealer.Open(sealed); err != nil {
				return r, err
			}
			if data != "" {
				err = json.Unmarshal([]byte(data), &r.Search)
			}
			return r, err
		})
	if err != nil {
		return recruit.AppPage{}, err
	}
	page.Rows = rows
	return page, db.dupKinds(ctx, page.Rows)
}

// dupKinds fills in the duplicate kinds of rows.
func (db *DB) dupKinds(ctx context.Context, rows []recruit.AppRow) error {
	if len(rows) == 0 {
		return nil
	}
	byIdentity := make(map[int64][]int, len(rows))
	args := make([]any, 0, len(rows))
	for i, r := range rows {
		if _, ok := byIdentity[r.IdentityID]; !ok {
			args = append(args, r.IdentityID)
		}
		byIdentity[r.IdentityID] = append(byIdentity[r.IdentityID], i)
	}
	type shared struct {
		identity int64
		key      string
	}
	found, err := queryAll(ctx, db.read, `SELECT k.identity_id, k.key FROM search_keys k JOIN search_key_counts c ON c.key = k.key
		WHERE c.n > 1 AND k.identity_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`)`, args,
		func(s scanner) (shared, error) {
			var v shared
			return v, s.Scan(&v.identity, &v.key)
		})
	if err != nil {
		return err
	}
	for _, f := range found {
		for _, i := range byIdentity[f.identity] {
			rows[i].DupKinds = append(rows[i].DupKinds, recruit.DupKind(f.key))
		}
	}
	return nil
}

// ReviewMany reviews every application of r or none, in one transaction:
// a crash at any point leaves all of them as they were or all reviewed
// with their notifications and audit entries.
func (db *DB) ReviewMany(ctx context.Context, r recruit.BulkReview) ([]recruit.Application, error) {
	if err := recruit.CheckReviewResult(r.To); err != nil {
		return nil, err
	}
	if err := recruit.CheckBulkIDs(r.IDs); err != nil {
		return nil, err
	}
	out := make([]recruit.Application, len(r.IDs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		failed := map[int64]string{}
		todo := make([]bool, len(r.IDs))
		for i, id := range r.IDs {
			a, err := appByID(ctx, tx, id)
			if recruit.ErrorCode(err) == recruit.ENOTFOUND {
				failed[id] = recruit.MsgNoApplication
				continue
			}
			if err != nil {
				return err
			}
			out[i] = a
			reason := recruit.BulkReason(r, a)
			if reason != "" {
				failed[id] = reason
			}
			todo[i] = reason == "" && !r.BulkDone(a)
		}
		if len(failed) > 0 {
			return recruit.BulkRefusal(failed)
		}
		for i, id := range r.IDs {
			if !todo[i] {
				continue
			}
			before := out[i]
			if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, review_remark = ?, state_at = ?, updated_at = ? WHERE id = ?`,
				r.To, r.Remark, nanos(r.Now), nanos(r.Now), id); err != nil {
				return err
			}
			a, err := appByID(ctx, tx, id)
			if err != nil {
				return err
			}
			out[i] = a
			if r.Note != nil {
				n, err := r.Note(a)
				if err != nil {
					return err
				}
				if _, err := insertNotification(ctx, tx, n); err != nil {
					return err
				}
			}
			if r.Audit != nil {
				e, err := r.Audit(before, a)
				if err == nil {
					e, err = recruit.CleanAudit(e)
				}
				if err != nil {
					return err
				}
				if _, err := insertAudit(ctx, tx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
