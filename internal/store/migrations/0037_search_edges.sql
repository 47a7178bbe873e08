-- Search terms gain edge terms: the first and last 2–6 letters or digits of every longer run
-- (1470 gives 14· 147· ·70 ·470), so that a number at the edge of a scanned part (470 in
-- 470弄8号) anchors through the index (issue #12 item 6). The terms are computed in Go, so this
-- migration has no SQL of its own: the orders package re-writes PostgreSQL's orders.search
-- column after it (store.AfterMigration), and the SQLite index file is rebuilt because its terms
-- format changed.
SELECT 1;
