-- Offers (recruit.OfferState): a provisional admission may be an offer the
-- applicant answers before a deadline. offer_state is '' for none;
-- offer_deadline and offer_at are unix nanoseconds, 0 for not set. The
-- partial index serves the expiry job (LapsedOffers). A year's
-- offers.require_acceptance and a base's offer window per round
-- (offer_hours, 0: the default) are settings beside them.
ALTER TABLE applications ADD COLUMN offer_state    TEXT    NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN offer_deadline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN offer_at       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN offer_reason   TEXT    NOT NULL DEFAULT '';
CREATE INDEX applications_open_offers ON applications (offer_deadline) WHERE state = 'provisional' AND offer_state = 'open';

ALTER TABLE years ADD COLUMN offers_require_acceptance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE base_dates ADD COLUMN offer_hours INTEGER NOT NULL DEFAULT 0 CHECK (offer_hours >= 0);
