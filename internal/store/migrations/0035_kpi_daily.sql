-- The KPI figures kept per day (issues #13 §4, #17; docs/KPI.md "How the figures are kept"): one
-- row per town, dimension, group and local calendar day holds, for that day, the numerators and
-- denominators of every figure, so that a figure over a period is a SUM over the period's days
-- instead of a scan of the period's orders. Kept up to date in the transaction of every change
-- of an order (internal/kpi/daily), rebuilt by `civicgrid kpi rebuild` (and at serve start when
-- empty while orders exist).
--
-- dim: 0 town (the total: grp is the town), 1 grid, 2 residents' committee, 3 department,
-- 4 category, 5 channel — one row set per dimension, no cross-product. day: days since
-- 1970-01-01 of the calendar's zone (Asia/Shanghai). pday: for an order whose runs of one stage
-- end on several days, the day of the previous such run (a correction that counts only when that
-- day is in the period too: pday >= the period's first day), else 0. cday: on the 结案率 rows, the
-- day the order was closed when after its deadline's day (its numerator counts when cday is before
-- the period's end), else 0.
-- The columns are each figure's den and num (hrs_ms: the summed handling time in milliseconds).
CREATE TABLE kpi_daily (
    town_code TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    day       INTEGER NOT NULL,
    grp       TEXT NOT NULL,
    pday      INTEGER NOT NULL DEFAULT 0,
    cday      INTEGER NOT NULL DEFAULT 0,
    received  BIGINT NOT NULL DEFAULT 0,
    filed     BIGINT NOT NULL DEFAULT 0,
    closed    BIGINT NOT NULL DEFAULT 0,
    cr_den    BIGINT NOT NULL DEFAULT 0,
    cr_num    BIGINT NOT NULL DEFAULT 0,
    otc_den   BIGINT NOT NULL DEFAULT 0,
    otc_num   BIGINT NOT NULL DEFAULT 0,
    fil_den   BIGINT NOT NULL DEFAULT 0,
    fil_num   BIGINT NOT NULL DEFAULT 0,
    hnd_den   BIGINT NOT NULL DEFAULT 0,
    hnd_num   BIGINT NOT NULL DEFAULT 0,
    dsp_den   BIGINT NOT NULL DEFAULT 0,
    dsp_num   BIGINT NOT NULL DEFAULT 0,
    rwk_den   BIGINT NOT NULL DEFAULT 0,
    rwk_num   BIGINT NOT NULL DEFAULT 0,
    rep_den   BIGINT NOT NULL DEFAULT 0,
    rep_num   BIGINT NOT NULL DEFAULT 0,
    sat_den   BIGINT NOT NULL DEFAULT 0,
    sat_num   BIGINT NOT NULL DEFAULT 0,
    fc_den    BIGINT NOT NULL DEFAULT 0,
    fc_num    BIGINT NOT NULL DEFAULT 0,
    hrs_den   BIGINT NOT NULL DEFAULT 0,
    hrs_ms    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (town_code, dim, day, grp, pday, cday)
-- sqlite:
) WITHOUT ROWID;
-- postgres:
);
-- all:
