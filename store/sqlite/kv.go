package sqlite

import (
	"context"
	"database/sql"
	"time"

	"zhupei/recruit"
)

// expiry returns the stored expiry of a record written at now with ttl:
// 0 (never) when ttl <= 0.
func expiry(ttl time.Duration, now time.Time) int64 {
	if ttl <= 0 {
		return 0
	}
	return now.Add(ttl).UnixNano()
}

// live is the SQL condition of a kv record that has not expired at :now.
const live = `(kv.expires_at = 0 OR kv.expires_at > :now)`

// SetKV creates or replaces a record.
func (db *DB) SetKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		key, value, expiry(ttl, now))
	return storeErr(err)
}

// PurgeExpiredKV deletes the records expired at now in one statement.
func (db *DB) PurgeExpiredKV(ctx context.Context, now time.Time) (int, error) {
	return affected(db.write.ExecContext(ctx, `DELETE FROM kv WHERE NOT `+live, sql.Named("now", now.UnixNano())))
}

// GetKV returns a live record's value.
func (db *DB) GetKV(ctx context.Context, key string, now time.Time) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = :key AND `+live,
		sql.Named("key", key), sql.Named("now", now.UnixNano())).Scan(&v)
	if err != nil {
		return "", notFound(err, recruit.MsgNoKV)
	}
	return v, nil
}

// AddKV creates the record unless a live one exists; one statement, so
// exactly one of many concurrent callers wins.
func (db *DB) AddKV(ctx context.Context, key, value string, ttl time.Duration, now time.Time) (bool, error) {
	n, err := affected(db.write.ExecContext(ctx, `INSERT INTO kv (key, value, expires_at) VALUES (:key, :value, :exp)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE NOT `+live,
		sql.Named("key", key), sql.Named("value", value), sql.Named("exp", expiry(ttl, now)), sql.Named("now", now.UnixNano())))
	return n == 1, err
}

// IncrKV adds one to a live counter, or starts a new window at 1.
func (db *DB) IncrKV(ctx context.Context, key string, ttl time.Duration, now time.Time) (int64, error) {
	var n int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO kv (key, value, expires_at) VALUES (:key, '1', :exp)
		ON CONFLICT (key) DO UPDATE SET
			value = CASE WHEN `+live+` THEN CAST(kv.value AS INTEGER) + 1 ELSE 1 END,
			expires_at = CASE WHEN `+live+` THEN kv.expires_at ELSE excluded.expires_at END
		RETURNING CAST(value AS INTEGER)`,
		sql.Named("key", key), sql.Named("exp", expiry(ttl, now)), sql.Named("now", now.UnixNano())).Scan(&n)
	if err != nil {
		return 0, recruit.Internal(err)
	}
	return n, nil
}

// DeleteKV removes a record.
func (db *DB) DeleteKV(ctx context.Context, key string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM kv WHERE key = ?`, key)
	return storeErr(err)
}

// ScanKV calls fn for every live record whose key starts with prefix, in
// key order; expires is zero for a record without expiry. The records are
// read before the first call, so fn may write to the store.
func (db *DB) ScanKV(ctx context.Context, prefix string, now time.Time, fn func(key, value string, expires time.Time) error) error {
	type record struct {
		key, value string
		expires    int64
	}
	recs, err := queryAll(ctx, db.read, `SELECT key, value, expires_at FROM kv
		WHERE substr(key, 1, length(:prefix)) = :prefix AND `+live+` ORDER BY key`,
		[]any{sql.Named("prefix", prefix), sql.Named("now", now.UnixNano())},
		func(s scanner) (record, error) {
			var r record
			return r, s.Scan(&r.key, &r.value, &r.expires)
		})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := fn(r.key, r.value, fromNanos(r.expires)); err != nil {
			return err
		}
	}
	return nil
}
