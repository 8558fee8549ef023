-- Adjustment (recruit.AdjustmentStore): the province's shortage
-- specialties per year, each application's ranked vacancies and each
-- base's ranking of its pool candidates. Lists of ids are JSON arrays, in
-- order; times are unix nanoseconds.
CREATE TABLE shortage_specialties (
	year           INTEGER NOT NULL REFERENCES years (year),
	specialty_code TEXT    NOT NULL REFERENCES specialties (code),
	PRIMARY KEY (year, specialty_code)
) WITHOUT ROWID;

CREATE TABLE vacancy_prefs (
	application_id INTEGER PRIMARY KEY REFERENCES applications (id),
	year           INTEGER NOT NULL,
	program_ids    TEXT    NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX vacancy_prefs_year ON vacancy_prefs (year, application_id);

CREATE TABLE base_rankings (
	year            INTEGER NOT NULL,
	base_id         INTEGER NOT NULL REFERENCES bases (id),
	application_ids TEXT    NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (year, base_id)
) WITHOUT ROWID;
