package sqlite

import (
	"context"

	"zhupei/recruit"
)

// UnappliedIdentities pages the bound identities without an application in
// year; the applications' (year, identity_id) index answers NOT EXISTS.
func (db *DB) UnappliedIdentities(ctx context.Context, year int, after int64, limit int) ([]int64, error) {
	if err := recruit.CheckPage(year, limit); err != nil {
		return nil, err
	}
	return queryAll(ctx, db.read, `SELECT i.id FROM identities i
		WHERE i.open_id IS NOT NULL AND i.id > ?
		AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.year = ? AND a.identity_id = i.id)
		ORDER BY i.id LIMIT ?`, []any{after, year, limit},
		func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
}
