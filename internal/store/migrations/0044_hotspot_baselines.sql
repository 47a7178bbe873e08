-- The hotspots' baselines (issue #17: a city's /ops/hotspots, 755 ms p50 and 2.4 s p95 at 10⁷
-- orders over 50 towns): the eight weeks before the current one, of each candidate (town, grid,
-- category), were read from the table after a bitmap of orders_grid_category — ~1,500 heap pages
-- per hundred candidates, a few thousand candidates in a city. With the state in the index
-- (hotspots leave merged orders out) each candidate's weeks are read from the index alone.
DROP INDEX orders_grid_category;
CREATE INDEX orders_grid_category ON orders(grid_code, category_code, received_at, town_code, state) WHERE grid_code IS NOT NULL;
