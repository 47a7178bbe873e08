-- The live map's index (issue #13 section 2, docs/OPS.md): the figures, points and heat of a
-- period read the orders received in it by town. Covering the columns they read — grid,
-- category, state, satisfaction, position — lets a 90-day heat layer or the satisfaction of a
-- town-year's last quarter come from the index alone instead of one table lookup per order.
CREATE INDEX orders_town_received_map ON orders(town_code, received_at, grid_code, category_code, state, satisfaction, lat, lng);
