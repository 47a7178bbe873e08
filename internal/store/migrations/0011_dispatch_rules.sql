-- Dispatch rules (派单规则, issue #12 item 3): for a category (or a top class, or none: the
-- 属地兜底 fallback), a grid (or every grid) and a time of day (minutes after midnight; equal
-- bounds mean all day; a window may wrap past midnight), the lead department, the co-handlers
-- (comma-separated codes) and a deadline class when it differs from the category's. The engine
-- (internal/dispatch) reads a town's rules whole; the index serves that read.
CREATE TABLE dispatch_rules (
    id              {{pk}},
    town_code       TEXT NOT NULL REFERENCES regions(code),
    category_code   TEXT NOT NULL DEFAULT '',
    grid_code       TEXT NOT NULL DEFAULT '',
    from_minute     INTEGER NOT NULL DEFAULT 0,
    to_minute       INTEGER NOT NULL DEFAULT 0,
    lead_department TEXT NOT NULL REFERENCES departments(code),
    co_departments  TEXT NOT NULL DEFAULT '',
    deadline_class  TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL DEFAULT 0,
    updated_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispatch_rules_town ON dispatch_rules(town_code, id);
