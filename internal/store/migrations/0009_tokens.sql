-- API tokens expire and are revoked one by one (issue #9, item 11). (0008 releases hotline numbers
-- that user accounts claimed; the two were written side by side.)
--
-- Tokens issued before this migration had no expiry; they stay valid for 90 days from the
-- migration, and `civicgrid token list` shows each one's date. A revoked token keeps its row
-- (revoked_at > 0) so that listings show what was revoked and when.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
-- sqlite:
UPDATE api_tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 7776000000;
-- postgres:
UPDATE api_tokens SET expires_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) + 7776000000;
-- all:
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Sign-in throttling counts failures per username and address, per username, and per address.
CREATE INDEX login_failures_ip_at ON login_failures(ip, at);
CREATE INDEX login_failures_at ON login_failures(at);
