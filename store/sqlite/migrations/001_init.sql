-- Times are unix nanoseconds (UTC); 0 stands for the zero time or, in kv,
-- for "never expires".

CREATE TABLE years (
	year         INTEGER PRIMARY KEY,
	title        TEXT    NOT NULL,
	notice       TEXT    NOT NULL,
	registration INTEGER NOT NULL,
	round1       INTEGER NOT NULL,
	round2       INTEGER NOT NULL,
	adjustment   INTEGER NOT NULL,
	confirmation INTEGER NOT NULL,
	closed       INTEGER NOT NULL
);

CREATE TABLE bases (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	city TEXT NOT NULL
);

CREATE TABLE specialties (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE programs (
	id             INTEGER PRIMARY KEY,
	year           INTEGER NOT NULL,
	base_id        INTEGER NOT NULL REFERENCES bases (id),
	specialty_code TEXT    NOT NULL REFERENCES specialties (code),
	plan           INTEGER NOT NULL CHECK (plan >= 0),
	registered     INTEGER NOT NULL DEFAULT 0 CHECK (registered >= 0),
	admitted       INTEGER NOT NULL DEFAULT 0 CHECK (admitted >= 0 AND admitted <= plan),
	UNIQUE (year, base_id, specialty_code)
);
CREATE INDEX programs_base ON programs (base_id, specialty_code);

-- id_sealed is the ID number encrypted by the IDSealer; id_index its blind
-- index (recruit.IdentityIndex), which makes one identity per document.
-- open_id is NULL while the identity is unbound.
CREATE TABLE identities (
	id        INTEGER PRIMARY KEY,
	open_id   TEXT    UNIQUE,
	name      TEXT    NOT NULL,
	id_type   TEXT    NOT NULL,
	id_sealed TEXT    NOT NULL,
	id_index  TEXT    NOT NULL UNIQUE,
	bound_at  INTEGER NOT NULL
);

CREATE TABLE applications (
	id                 INTEGER PRIMARY KEY,
	year               INTEGER NOT NULL,
	identity_id        INTEGER NOT NULL REFERENCES identities (id),
	program_id         INTEGER NOT NULL REFERENCES programs (id),
	accepts_adjustment INTEGER NOT NULL,
	state              TEXT    NOT NULL,
	version            INTEGER NOT NULL,
	review_remark      TEXT    NOT NULL DEFAULT '',
	submitted_at       INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	UNIQUE (year, identity_id)
);
CREATE INDEX applications_program ON applications (program_id, id);

CREATE TABLE kv (
	key        TEXT PRIMARY KEY,
	value      TEXT    NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at != 0;
