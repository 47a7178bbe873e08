-- Stage clocks (issue #13 item 1): each stage of an order — filing, dispatch, first contact,
-- handling, verification, callback — has its own owner (the operations centre, the lead
-- department, the grid) and its own due time, so lateness is blamed on whoever held the order.
-- One row per stage run, written in the transaction of the action that starts or ends it; KPIs
-- read these rows and never recompute history from events. seq numbers an order's rows in the
-- order they started. on_time is NULL while the stage runs; paused_since is set while the order
-- is suspended (the due time moves by the working time paused when it resumes); escalated_at is
-- when the escalator (督办) last flagged this stage as late.
CREATE TABLE order_stages (
    order_id          BIGINT NOT NULL REFERENCES orders(id),
    seq               INTEGER NOT NULL,
    stage             TEXT NOT NULL,
    owner_kind        TEXT NOT NULL,
    owner_code        TEXT NOT NULL DEFAULT '',
    started_at        BIGINT NOT NULL,
    due_at            BIGINT NOT NULL,
    finished_at       BIGINT,
    on_time           INTEGER,
    outcome           TEXT NOT NULL DEFAULT '',
    paused_since      BIGINT,
    paused_working_ms BIGINT NOT NULL DEFAULT 0,
    escalated_at      BIGINT,
    PRIMARY KEY (order_id, seq)
);
CREATE INDEX order_stages_running ON order_stages(due_at) WHERE finished_at IS NULL;
CREATE INDEX order_stages_owner ON order_stages(owner_kind, owner_code, stage, started_at);
