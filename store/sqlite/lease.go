package sqlite

import (
	"context"
	"database/sql"
	"time"

	"zhupei/recruit"
)

// AcquireLease takes or renews a lease in one conditional upsert, so exactly
// one of many concurrent owners gets it.
func (db *DB) AcquireLease(ctx context.Context, name, owner string, until, now time.Time) (bool, error) {
	if err := recruit.CheckLease(name, owner, until, now); err != nil {
		return false, err
	}
	// Milliseconds, as the Mongo backend keeps them.
	n, err := affected(db.write.ExecContext(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (:name, :owner, :until)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.expires_at <= :now OR leases.owner = :owner`,
		sql.Named("name", name), sql.Named("owner", owner),
		sql.Named("until", until.UnixMilli()), sql.Named("now", now.UnixMilli())))
	return n == 1, err
}

// ReleaseLease deletes the lease if owner holds it.
func (db *DB) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner)
	return storeErr(err)
}
