-- Several towns' orders at an offset (issue #17): a district's or city's list at offset=5000
-- (an old link; pages link by keyset) picks the page's ids from the time index first. SQLite's
-- indexes hold the rowid, so it reads them from orders_received_town alone; PostgreSQL's held no
-- id and visited every skipped order's heap tuple for it (bench_district: 265 ms p50, 693 ms p95 at
-- 10^6 orders). With the id last the ids come from the index alone (an Index Only Scan).
-- postgres:
DROP INDEX orders_received_town;
CREATE INDEX orders_received_town ON orders(received_at, town_code, id);
