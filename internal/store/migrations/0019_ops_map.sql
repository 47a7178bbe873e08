-- The live map's index (issue #13 section 2, docs/OPS.md): the figures, points and heat of a
-- period read the orders received in it by town. Covering the columns they read — grid,
-- category, state, satisfaction, position — lets a 90-day heat layer or the satisfaction of a
-- town-year's last quarter come from the index alone instead of one table lookup per order.
CREATE INDEX orders_town_received_map ON orders(town_code, received_at, grid_code, category_code, state, satisfaction, lat, lng);
-- The open orders of a town by grid (the open load and overdue measures). Open orders are a few
-- per cent of a town's history, but the planner cannot tell from the statistics of (town, state):
-- at 10^6 orders of one town SQLite scanned the whole table for them (1.5 s). With this partial
-- index of the open orders only (its condition the query's, word for word: ops.openStates) the
-- statistics show how few they are, and the query reads them by (town, state): 0.13–0.47 s.
CREATE INDEX orders_open_by_grid ON orders(town_code, grid_code, suspended, deadline_at)
    WHERE state IN ('received', 'filed', 'dispatched', 'in_progress', 'handled');
