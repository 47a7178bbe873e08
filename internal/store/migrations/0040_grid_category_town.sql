-- A grid's orders of a category (the leader's, grid worker's, district's and city's lists with
-- grid= and category=; issue #17): the count of such a list read every match's row from the table
-- for its town (a district's or city's list names every town of the account; the category's
-- children are looked up per town), 1,154 random rows for one grid and category at 10^6 orders —
-- 100–550 ms of the list on PostgreSQL when the rows were not cached, where the page itself
-- reads its 50 rows. With the town in the index the count reads the index alone (an Index Only
-- Scan on PostgreSQL, a covering index on SQLite), and the page still walks it newest first.
DROP INDEX orders_grid_category;
CREATE INDEX orders_grid_category ON orders(grid_code, category_code, received_at, town_code) WHERE grid_code IS NOT NULL;
