-- Intake (热线导入): what the hotline says about an order beyond the order's own columns, and the
-- progress of batch imports so that a killed import resumes where it stopped.

-- The hotline's own fields of an order that the order has no column for: 诉求类型, the hotline's
-- category text (kept as written; the category code is our mapping of it) and its 街镇 text.
-- One row per hotline order, written in the same transaction as the order.
-- sqlite:
CREATE TABLE hotline_details (
    order_id      INTEGER PRIMARY KEY REFERENCES orders(id),
    kind          TEXT NOT NULL DEFAULT '',
    category_text TEXT NOT NULL DEFAULT '',
    town_text     TEXT NOT NULL DEFAULT ''
);
-- postgres:
CREATE TABLE hotline_details (
    order_id      BIGINT PRIMARY KEY REFERENCES orders(id),
    kind          TEXT NOT NULL DEFAULT '',
    category_text TEXT NOT NULL DEFAULT '',
    town_text     TEXT NOT NULL DEFAULT ''
);
-- all:

-- One row per file and town: the same file imported again (same SHA-256) reuses its row. Counts
-- and last_line are written in the transaction that commits each batch, so after a crash they
-- describe exactly what is in the database and the next run continues after last_line.
CREATE TABLE import_jobs (
    id          {{pk}},
    town_code   TEXT NOT NULL REFERENCES regions(code),
    kind        TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    last_line   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    unlocated   INTEGER NOT NULL DEFAULT 0,
    actor_id    BIGINT REFERENCES users(id),
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    error       TEXT NOT NULL DEFAULT '',
    UNIQUE (town_code, kind, file_sha256)
);

-- The rejected rows' problems of a job, appended with the batch they belong to, so that a resumed
-- import still reports the problems of the rows it skipped.
CREATE TABLE import_job_errors (
    id          {{pk}},
    job_id      BIGINT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    line        INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    field       TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX import_job_errors_job ON import_job_errors(job_id, line);
