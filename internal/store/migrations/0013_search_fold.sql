-- Search terms fold traditional characters to simplified ones (issue #12 item 6: 陸家嘴 finds
-- 陆家嘴). The terms are computed in Go, so this migration has no SQL of its own: the orders
-- package re-writes PostgreSQL's orders.search column after it (store.AfterMigration), and the
-- SQLite index file is rebuilt because its terms format changed.
SELECT 1;
