-- Profiles, their history, files, the notification outbox and generated
-- forms (recruit.Profiles, Files, Outbox, Forms). Times are unix nanoseconds.

-- data is the JSON of the four sections; Basic.IDNumber is never in it.
CREATE TABLE profiles (
	identity_id INTEGER PRIMARY KEY REFERENCES identities (id),
	data        TEXT    NOT NULL,
	version     INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

CREATE TABLE revisions (
	id          INTEGER PRIMARY KEY,
	identity_id INTEGER NOT NULL REFERENCES identities (id),
	kind        TEXT    NOT NULL,
	summary     TEXT    NOT NULL,
	snapshot    TEXT    NOT NULL,
	by_whom     TEXT    NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX revisions_identity ON revisions (identity_id, id);

CREATE TABLE files (
	id           TEXT PRIMARY KEY,
	owner_id     INTEGER NOT NULL,
	kind         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB    NOT NULL,
	created_at   INTEGER NOT NULL
);

CREATE TABLE notifications (
	id            INTEGER PRIMARY KEY,
	identity_id   INTEGER NOT NULL REFERENCES identities (id),
	kind          TEXT    NOT NULL,
	client_msg_id TEXT    NOT NULL UNIQUE,
	payload       TEXT    NOT NULL,
	state         TEXT    NOT NULL,
	attempts      INTEGER NOT NULL,
	next_at       INTEGER NOT NULL,
	created_at    INTEGER NOT NULL
);
CREATE INDEX notifications_identity ON notifications (identity_id, id);
CREATE INDEX notifications_due ON notifications (state, next_at);

CREATE TABLE forms (
	code           TEXT PRIMARY KEY,
	application_id INTEGER NOT NULL REFERENCES applications (id),
	version        INTEGER NOT NULL,
	file_id        TEXT    NOT NULL,
	generated_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX forms_application ON forms (application_id, version, generated_at);
