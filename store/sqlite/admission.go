package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"zhupei/recruit"
)

// entryRow is a published entry as the entries column stores it, with the
// application id recruit.PublishedEntry keeps out of its JSON.
type entryRow struct {
	ApplicationID int64  `json:"application_id"`
	Name          string `json:"name"`
	SpecialtyCode string `json:"specialty_code"`
	SpecialtyName string `json:"specialty_name"`
}

// AddPublication appends one published list.
func (db *DB) AddPublication(ctx context.Context, p recruit.Publication) (recruit.Publication, error) {
	p, err := recruit.CleanPublication(p)
	if err != nil {
		return recruit.Publication{}, err
	}
	rows := make([]entryRow, len(p.Entries))
	for i, e := range p.Entries {
		rows[i] = entryRow(e)
	}
	entries, err := json.Marshal(rows)
	if err != nil {
		return recruit.Publication{}, recruit.Internal(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := baseExists(ctx, tx, p.BaseID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO publications (year, base_id, round, staff_id, published_at, entries)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.Year, p.BaseID, p.Round, p.StaffID, nanos(p.PublishedAt), entries).Scan(&p.ID)
	})
	if err != nil {
		return recruit.Publication{}, err
	}
	p.PublishedAt = fromNanos(nanos(p.PublishedAt))
	return p, nil
}

// ListPublications returns the year's publications (of one base unless
// baseID is 0), newest first.
func (db *DB) ListPublications(ctx context.Context, year int, baseID int64) ([]recruit.Publication, error) {
	return queryAll(ctx, db.read, `SELECT id, year, base_id, round, staff_id, published_at, entries FROM publications
		WHERE year = ?1 AND (?2 = 0 OR base_id = ?2) ORDER BY id DESC`, []any{year, baseID}, func(s scanner) (recruit.Publication, error) {
		var (
			p       recruit.Publication
			at      int64
			entries string
		)
		if err := s.Scan(&p.ID, &p.Year, &p.BaseID, &p.Round, &p.StaffID, &at, &entries); err != nil {
			return p, err
		}
		p.PublishedAt = fromNanos(at)
		var rows []entryRow
		if err := json.Unmarshal([]byte(entries), &rows); err != nil {
			return p, err
		}
		p.Entries = make([]recruit.PublishedEntry, len(rows))
		for i, r := range rows {
			p.Entries[i] = recruit.PublishedEntry(r)
		}
		return p, nil
	})
}
