-- The town of each stage row (issue #17: the leader's "late now"). kpi.Late and kpi.LateOrders
-- count a town's running stages past their due time; without the town on the row they read
-- every town's running stages (order_stages_running) and joined each to its order to keep the
-- town's — 319,046 rows and ~3 s per statement at 10⁶ orders, whatever the town. The order's
-- town never changes, so the row keeps it (order_town: named apart from orders.town_code, which
-- statements joining the two tables name unqualified) from its insert. order_stages_town_running holds the
-- running rows by town and due time and replaces order_stages_running (due time only): the
-- statements over every town (the escalator's, the order list's late filter) read the same
-- running rows from it, and one index fewer is kept up by every action.
ALTER TABLE order_stages ADD COLUMN order_town TEXT NOT NULL DEFAULT '';
UPDATE order_stages SET order_town = (SELECT o.town_code FROM orders o WHERE o.id = order_stages.order_id);
CREATE INDEX order_stages_town_running ON order_stages(order_town, due_at) WHERE finished_at IS NULL;
DROP INDEX order_stages_running;
