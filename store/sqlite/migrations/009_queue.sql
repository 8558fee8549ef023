-- The review queue (recruit.Queue). searches holds each applicant's
-- recruit.Search, written with the profile: data is its JSON, the other
-- columns what the queue filters on (schools: every school, each between
-- two U+001F). search_keys holds the applicant's duplicate keys
-- (recruit.Search.DupKeys) and, prefixed "id:", the blind indexes of the
-- ID number's suffixes; search_key_counts counts the applicants holding
-- each duplicate key, so that the shared ones are an index range.
CREATE TABLE searches (
	identity_id    INTEGER PRIMARY KEY REFERENCES identities (id),
	name           TEXT    NOT NULL,
	phone          TEXT    NOT NULL,
	personnel_type TEXT    NOT NULL,
	schools        TEXT    NOT NULL,
	dated          INTEGER NOT NULL, -- 1 when the dates contradict the birth date
	data           TEXT    NOT NULL
);

CREATE TABLE search_keys (
	key         TEXT    NOT NULL,
	identity_id INTEGER NOT NULL REFERENCES identities (id),
	PRIMARY KEY (key, identity_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_identity ON search_keys (identity_id, key);

CREATE TABLE search_key_counts (
	key TEXT PRIMARY KEY,
	n   INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;
CREATE INDEX search_key_shared ON search_key_counts (key) WHERE n > 1;

CREATE INDEX searches_dated ON searches (identity_id) WHERE dated = 1;
-- The text filters scan this covering index, not the rows with their data.
CREATE INDEX searches_filters ON searches (personnel_type, name, phone, schools, identity_id);
CREATE INDEX applications_queue ON applications (year, submitted_at, id);
