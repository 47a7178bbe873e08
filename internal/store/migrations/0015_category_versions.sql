-- The category tree's versions (分类体系版本, issue #12 item 2). A version is a whole tree (its
-- nodes as JSON: 大类, 小类, 立案条件 with their limits, 结案条件 and hotline aliases) that takes
-- effect on a date; when it does (activated_at set), its 大类 and 小类 are written into
-- `categories`, which orders point to. Numbers grow per town and dates with them. An order
-- records the version in force when its category was chosen (0: before any version).
CREATE TABLE category_versions (
    town_code    TEXT NOT NULL REFERENCES regions(code),
    version      INTEGER NOT NULL,
    valid_from   TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    tree         TEXT NOT NULL,
    nodes        INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL DEFAULT '',
    activated_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (town_code, version)
);
ALTER TABLE orders ADD COLUMN category_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_category_version ON orders(town_code, category_version);
-- A top class's kind (component 部件, event 事件, hotline 热线); a sub-class's hotline texts (JSON
-- list) that intake maps to it; retired: a code a newer version dropped, kept for the closed
-- orders that name it, never offered for a new one.
ALTER TABLE categories ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
