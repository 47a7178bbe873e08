-- The p90 handling time from a histogram (issue #13 §4; docs/KPI.md "The p90 from a
-- histogram"): per town, dimension, group and local closing day (as kpi_daily, migration 0035),
-- how many of the orders the average handling time measures fall in each bucket of handling
-- time (working time). bucket 0: under a minute; bucket k >= 1: [E(k-1), E(k)) with E(j) = 1
-- minute x 2^(j/16) (internal/kpi/daily, hours.go). A period's p90 is the bucket holding the
-- nearest-rank 90th percentile of the summed histogram. Kept in the transaction of every order
-- change with kpi_daily, rebuilt with it by `civicgrid kpi rebuild`.
CREATE TABLE kpi_hours (
    town_code TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    day       INTEGER NOT NULL,
    grp       TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    n         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (town_code, dim, day, grp, bucket)
-- sqlite:
) WITHOUT ROWID;
-- postgres:
);
-- all:
-- Emptied so that the next command to open the database (serve included) rebuilds both tables
-- from the orders once (as after 0035): the histogram of the orders closed so far.
DELETE FROM kpi_daily;
