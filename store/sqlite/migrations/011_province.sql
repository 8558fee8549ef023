-- The province's statistics and audit log: applications counted per year
-- and program (recruit.StatsStore), audit entries filtered by time.
CREATE INDEX applications_year_program ON applications (year, program_id, state);
CREATE INDEX audit_at ON audit_log (at);
