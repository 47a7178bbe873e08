-- The KPI figures kept per day lose the town dimension's rows (issue #13 §4, the upkeep's cost):
-- a town's total is the sum of its channel rows, as every order has exactly one channel
-- (internal/kpi/daily: Sum and SumHours read the channel rows grouped by town for the town
-- dimension), so every change of an order writes a sixth fewer rows. Nothing else changes: the
-- remaining rows are what the upkeep and `civicgrid kpi rebuild` keep.
DELETE FROM kpi_daily WHERE dim = 0;
DELETE FROM kpi_hours WHERE dim = 0;
