-- The group of a specialty (clinical, dental or tcm), as the national
-- catalogue has it; empty when a plan file did not say.
ALTER TABLE specialties ADD COLUMN grp TEXT NOT NULL DEFAULT '';
