package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"time"

	"zhupei/recruit"
)

// AddNotification queues a notification (State queued unless given).
// ECONFLICT when its Key was queued before.
func (db *DB) AddNotification(ctx context.Context, n recruit.Notification) (recruit.Notification, error) {
	var out recruit.Notification
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = insertNotification(ctx, tx, n)
		return err
	})
	return out, err
}

// insertNotification queues n inside tx; Key is unique.
func insertNotification(ctx context.Context, tx *sql.Tx, n recruit.Notification) (recruit.Notification, error) {
	if err := recruit.CheckNotification(n); err != nil {
		return recruit.Notification{}, err
	}
	if n.State == "" {
		n.State = recruit.NoticeQueued
	}
	vals, err := json.Marshal(n.Values)
	if err != nil {
		return recruit.Notification{}, recruit.Internal(err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO notifications (identity_id, staff_id, kind, event_key, title, body, vals, state, attempts, next_at, created_at, updated_at, openid)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullID(n.IdentityID), nullID(n.StaffID), n.Kind, n.Key, n.Title, n.Body, string(vals), n.State, n.Attempts,
		nanos(n.NextAt), nanos(n.CreatedAt), nanos(n.UpdatedAt), n.OpenID).Scan(&n.ID)
	switch {
	case isDuplicate(err):
		return recruit.Notification{}, recruit.Errorf(recruit.ECONFLICT, recruit.MsgQueued)
	case err != nil:
		missing := recruit.MsgNoIdentity
		if n.StaffID != 0 {
			missing = recruit.ErrStaffNotFound.Message
		}
		return recruit.Notification{}, storeErr(foreignKey(err, missing))
	}
	return n, nil
}

// nullID is id, NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const (
	noticeFields = `id, COALESCE(identity_id, 0), COALESCE(staff_id, 0), kind, event_key, title, body, vals, state, attempts,
	next_at, lease_owner, lease_until, msg_id, last_error, read_at, created_at, updated_at, openid`
	noticeColumns = `SELECT ` + noticeFields + ` FROM notifications `
)

func scanNotice(s scanner) (recruit.Notification, error) {
	var (
		n                                   recruit.Notification
		vals                                string
		next, until, read, created, updated int64
	)
	err := s.Scan(&n.ID, &n.IdentityID, &n.StaffID, &n.Kind, &n.Key, &n.Title, &n.Body, &vals, &n.State, &n.Attempts,
		&next, &n.LeaseOwner, &until, &n.MsgID, &n.LastError, &read, &created, &updated, &n.OpenID)
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(vals), &n.Values); err != nil {
		return n, err
	}
	n.NextAt, n.LeaseUntil, n.ReadAt = fromNanos(next), fromNanos(until), fromNanos(read)
	n.CreatedAt, n.UpdatedAt = fromNanos(created), fromNanos(updated)
	return n, nil
}

// ListNotifications returns an applicant's notifications, newest first.
func (db *DB) ListNotifications(ctx context.Context, identityID int64) ([]recruit.Notification, error) {
	return queryAll(ctx, db.read, noticeColumns+`WHERE identity_id = ? ORDER BY id DESC`, []any{identityID}, scanNotice)
}

// GetNotification returns one applicant's notification.
func (db *DB) GetNotification(ctx context.Context, identityID, id int64) (recruit.Notification, error) {
	n, err := scanNotice(db.read.QueryRowContext(ctx, noticeColumns+`WHERE id = ? AND identity_id = ?`, id, identityID))
	return n, notFound(err, recruit.MsgNoNotice)
}

// MarkNotificationRead sets ReadAt once.
func (db *DB) MarkNotificationRead(ctx context.Context, identityID, id int64, now time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE notifications SET read_at = CASE WHEN read_at = 0 THEN ? ELSE read_at END
		WHERE id = ? AND identity_id = ?`, nanos(now), id, identityID)
	if err != nil {
		return recruit.Internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return recruit.Errorf(recruit.ENOTFOUND, "%s", recruit.MsgNoNotice)
	}
	return nil
}

// UnreadNotifications counts an applicant's unread notifications.
func (db *DB) UnreadNotifications(ctx context.Context, identityID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE identity_id = ? AND read_at = 0`, identityID).Scan(&n)
	return n, storeErr(err)
}

// dueWhere matches the rows a sender may claim at ?1 (now).
const dueWhere = `(state IN ('queued', 'retry') AND next_at <= ?1) OR (state = 'sending' AND lease_until <= ?1)`

// claimDue selects the ids of up to ?4 rows due at ?1 (dueWhere), oldest
// (next_at, id) first. Each state is read apart, in its index's order and
// at most ?4 rows of it, so that a claim costs the same however long the
// queue: with dueWhere's OR SQLite collected and sorted every due row
// (37 ms a claim with the 45,000 notifications queued by make surge).
const claimDue = `SELECT id FROM (
	SELECT * FROM (SELECT id, next_at FROM notifications WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?4)
	UNION ALL SELECT * FROM (SELECT id, next_at FROM notifications WHERE state = 'retry' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?4)
	UNION ALL SELECT * FROM (SELECT id, next_at FROM notifications WHERE state = 'sending' AND lease_until <= ?1 ORDER BY next_at, id LIMIT ?4)
) ORDER BY next_at, id LIMIT ?4`

// ClaimNotifications moves up to limit due rows to sending under owner's
// lease, in one write transaction.
func (db *DB) ClaimNotifications(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]recruit.Notification, error) {
	var out []recruit.Notification
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, `UPDATE notifications SET state = 'sending', lease_owner = ?2, lease_until = ?3
			WHERE id IN (`+claimDue+`)
			RETURNING `+noticeFields,
			[]any{nanos(now), owner, nanos(now.Add(lease)), limit}, scanNotice)
		return err
	})
	// RETURNING keeps no order.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.NextAt.Before(b.NextAt) || a.NextAt.Equal(b.NextAt) && a.ID < b.ID
	})
	return out, err
}

// FinishNotifications ends owner's attempts on the rows of rs in one
// write transaction: one commit for the batch, where a commit per row was
// about 45 % of the sender's CPU in make season.
// finishHeld moves a row owner holds.
const finishHeld = moveNotice + `id = ? AND state = 'sending' AND lease_owner = ?`

func (db *DB) FinishNotifications(ctx context.Context, owner string, rs []recruit.NoticeResult) ([]int64, error) {
	if err := recruit.CheckResults(rs); err != nil || len(rs) == 0 {
		return nil, err
	}
	var lost []int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// The writer's statement cache compiles it once (stmtcache.go).
		for _, r := range rs {
			ok, err := moved(tx.ExecContext(ctx, finishHeld, moveArgs(r.Outcome, r.ID, owner)...))
			if err != nil {
				return err
			}
			if !ok {
				lost = append(lost, r.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lost, nil
}

// ReportDelivery applies a late delivery report to a sent row.
func (db *DB) ReportDelivery(ctx context.Context, id, msgID int64, o recruit.NoticeOutcome) error {
	if err := recruit.CheckOutcome(o); err != nil {
		return err
	}
	ok, err := moved(db.write.ExecContext(ctx, moveNotice+`id = ? AND state = 'sent' AND msg_id = ?`, moveArgs(o, id, msgID)...))
	if err != nil {
		return err
	}
	if !ok {
		return recruit.Errorf(recruit.ECONFLICT, "%s", recruit.MsgLeaseLost)
	}
	return nil
}

// moveNotice applies an outcome (moveArgs) to the row matching the
// condition appended to it.
const moveNotice = `UPDATE notifications SET state = ?, msg_id = CASE WHEN ? != 0 THEN ? ELSE msg_id END,
	next_at = CASE WHEN ? != 0 THEN ? ELSE next_at END, last_error = ?, attempts = attempts + ?,
	lease_owner = '', lease_until = 0, updated_at = ? WHERE `

// moveArgs are moveNotice's arguments for o, then the condition's.
func moveArgs(o recruit.NoticeOutcome, cond ...any) []any {
	inc := 0
	if o.Attempted {
		inc = 1
	}
	return append([]any{o.State, o.MsgID, o.MsgID, nanos(o.NextAt), nanos(o.NextAt), o.LastError, inc, nanos(o.At)}, cond...)
}

// moved reports whether the moveNotice that returned res, err matched a row.
func moved(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, recruit.Internal(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, recruit.Internal(err)
	}
	return n == 1, nil
}

// NotificationByMsgID returns the row WeChat accepted as msgID.
func (db *DB) NotificationByMsgID(ctx context.Context, msgID int64) (recruit.Notification, error) {
	if msgID == 0 {
		return recruit.Notification{}, recruit.Errorf(recruit.ENOTFOUND, "%s", recruit.MsgNoNotice)
	}
	n, err := scanNotice(db.read.QueryRowContext(ctx, noticeColumns+`WHERE msg_id = ?`, msgID))
	return n, notFound(err, recruit.MsgNoNotice)
}

// OutboxStats counts rows by kind and state and finds the oldest due row.
func (db *DB) OutboxStats(ctx context.Context, now time.Time) (recruit.OutboxStats, error) {
	var st recruit.OutboxStats
	counts, err := queryAll(ctx, db.read, `SELECT kind, state, COUNT(*) FROM notifications GROUP BY kind, state ORDER BY kind, state`, nil,
		func(s scanner) (recruit.NoticeCount, error) {
			var c recruit.NoticeCount
			return c, s.Scan(&c.Kind, &c.State, &c.N)
		})
	if err != nil {
		return st, err
	}
	st.Counts = counts
	var oldest sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT MIN(next_at) FROM notifications WHERE `+dueWhere, nanos(now)).Scan(&oldest)
	if err != nil {
		return st, recruit.Internal(err)
	}
	st.OldestDue = fromNanos(oldest.Int64)
	return st, nil
}
