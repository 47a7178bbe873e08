-- Resident reports (市民随手拍): the flood limit's memory. Every report accepted from the public
-- form leaves one row per key it is counted against: the client's address and the device cookie,
-- both as SHA-256 hashes (no raw IP address is kept). Kept in the database, not in memory, so the
-- limit holds across restarts and across the instances that share one PostgreSQL. Rows older
-- than a day count for nothing and are deleted as new reports arrive.
CREATE TABLE report_attempts (
    id  {{pk}},
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX report_attempts_key ON report_attempts (key, at);
CREATE INDEX report_attempts_at ON report_attempts (at);
