-- The outbox grows into the inbox and the sender's queue (recruit.Notification):
-- a staff recipient, the inbox text, the template source values, the lease of
-- the sender holding a row, WeChat's msgid and error, and the read time.
-- client_msg_id becomes event_key (the event's idempotency key). Times are
-- unix nanoseconds, 0 for none.
CREATE TABLE notifications_new (
	id          INTEGER PRIMARY KEY,
	identity_id INTEGER REFERENCES identities (id), -- NULL for a staff notice
	staff_id    INTEGER REFERENCES staff (id),      -- NULL for an applicant's
	kind        TEXT    NOT NULL,
	event_key   TEXT    NOT NULL UNIQUE,
	title       TEXT    NOT NULL,
	body        TEXT    NOT NULL,
	vals        TEXT    NOT NULL, -- JSON object of the template source values
	state       TEXT    NOT NULL,
	attempts    INTEGER NOT NULL,
	next_at     INTEGER NOT NULL,
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	msg_id      INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT    NOT NULL DEFAULT '',
	read_at     INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
INSERT INTO notifications_new (id, identity_id, kind, event_key, title, body, vals, state, attempts, next_at, created_at, updated_at)
	SELECT id, identity_id, kind, client_msg_id, kind, '', payload, state, attempts, next_at, created_at, created_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_identity ON notifications (identity_id, id);
CREATE INDEX notifications_due ON notifications (state, next_at);
CREATE INDEX notifications_lease ON notifications (state, lease_until);
CREATE INDEX notifications_msg ON notifications (msg_id) WHERE msg_id != 0;
