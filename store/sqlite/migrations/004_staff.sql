-- Staff accounts and their invitations (recruit.StaffStore). Times are
-- unix nanoseconds. An openid column is NULL while that channel is unbound.
CREATE TABLE staff (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	role       TEXT    NOT NULL,
	base_id    INTEGER REFERENCES bases (id), -- NULL for a province admin
	mp_openid  TEXT    UNIQUE,
	oa_openid  TEXT    UNIQUE,
	disabled   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE INDEX staff_base ON staff (base_id, id);

-- code_hash is the SHA-256 of the code, which is never stored; staff_id is
-- the account its redemption created.
CREATE TABLE staff_invitations (
	code_hash  TEXT PRIMARY KEY,
	role       TEXT    NOT NULL,
	base_id    INTEGER REFERENCES bases (id),
	name       TEXT    NOT NULL,
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	staff_id   INTEGER REFERENCES staff (id)
);
