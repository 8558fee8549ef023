-- When an application's state was last set (unix nanoseconds): the start of
-- round2 and adjustment reopens only what was set before the phase began.
ALTER TABLE applications ADD COLUMN state_at INTEGER NOT NULL DEFAULT 0;
UPDATE applications SET state_at = updated_at;

-- The append-only audit log (recruit.Audit). base_id is 0 for the
-- province's own actions.
CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	staff_id   INTEGER NOT NULL,
	role       TEXT    NOT NULL,
	base_id    INTEGER NOT NULL,
	action     TEXT    NOT NULL,
	target     TEXT    NOT NULL,
	before     TEXT    NOT NULL,
	after      TEXT    NOT NULL,
	remark     TEXT    NOT NULL,
	request_id TEXT    NOT NULL
);
CREATE INDEX audit_base ON audit_log (base_id, id);
CREATE INDEX audit_staff ON audit_log (staff_id, id);
CREATE INDEX audit_action ON audit_log (action, id);

-- The bases' dates per year and round (recruit.BaseDatesStore); 0 is not set.
CREATE TABLE base_dates (
	year                  INTEGER NOT NULL,
	base_id               INTEGER NOT NULL REFERENCES bases (id),
	round                 TEXT    NOT NULL,
	review_deadline       INTEGER NOT NULL,
	written_exam          INTEGER NOT NULL,
	interview             INTEGER NOT NULL,
	provisional_admission INTEGER NOT NULL,
	updated_at            INTEGER NOT NULL,
	PRIMARY KEY (year, base_id, round)
) WITHOUT ROWID;
