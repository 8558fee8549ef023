-- The recipient openid of a notice to an account the change detached
-- (recruit.Notification.OpenID); empty: the identity's account at send time.
ALTER TABLE notifications ADD COLUMN openid TEXT NOT NULL DEFAULT '';
