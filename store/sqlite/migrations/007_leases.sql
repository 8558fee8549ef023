-- Named leases (recruit.Leases): one runner per scheduled job across
-- instances. expires_at is unix milliseconds; a lease is free when it is not
-- after now.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	owner      TEXT    NOT NULL,
	expires_at INTEGER NOT NULL
);
