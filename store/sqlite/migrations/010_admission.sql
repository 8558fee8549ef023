-- Final admissions (录取) get their own counter, a part of admitted (the
-- seats taken); and the bases' published lists (recruit.Publications),
-- append-only. entries is the JSON of the list with masked names. Times are
-- unix nanoseconds.
ALTER TABLE programs ADD COLUMN final INTEGER NOT NULL DEFAULT 0 CHECK (final >= 0);
UPDATE programs SET final = (SELECT count(*) FROM applications a WHERE a.program_id = programs.id AND a.state = 'admitted');

CREATE TABLE publications (
	id           INTEGER PRIMARY KEY,
	year         INTEGER NOT NULL,
	base_id      INTEGER NOT NULL REFERENCES bases (id),
	round        TEXT    NOT NULL,
	staff_id     INTEGER NOT NULL,
	published_at INTEGER NOT NULL,
	entries      TEXT    NOT NULL
);
CREATE INDEX publications_year_base ON publications (year, base_id, id);
