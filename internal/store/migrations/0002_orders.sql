-- Work orders (工单闭环): the category tree, the orders with their append-only history,
-- suspensions (the deadline clock's pauses), uploaded evidence and notifications.

-- The category tree of a town: top classes (大类, no parent) and leaves (小类) that carry the
-- default deadline class and the department that usually handles them.
CREATE TABLE categories (
    town_code       TEXT NOT NULL REFERENCES regions(code),
    code            TEXT NOT NULL,
    parent_code     TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    deadline_class  TEXT NOT NULL DEFAULT '',
    department_code TEXT NOT NULL DEFAULT '',
    keywords        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (town_code, code)
);

-- One row per demand, whatever its channel. number is set from the id in the same transaction
-- that inserts the row and ends with it, so it is unique without a counter to contend on and is
-- looked up through the id — it needs no index of its own. version guards every
-- transition: an UPDATE … WHERE version = ? that touches no row lost a race.
CREATE TABLE orders (
    id                 {{pk}},
    town_code          TEXT NOT NULL REFERENCES regions(code),
    number             TEXT,
    short_code         TEXT NOT NULL,
    state              TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    channel            TEXT NOT NULL,
    external_id        TEXT,
    content            TEXT NOT NULL,
    address            TEXT NOT NULL DEFAULT '',
    lat                {{real}},
    lng                {{real}},
    grid_code          TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    committee_code     TEXT REFERENCES committees(code),
    category_code      TEXT NOT NULL DEFAULT '',
    deadline_class     TEXT NOT NULL DEFAULT '',
    limit_days         INTEGER NOT NULL DEFAULT 0,
    department_code    TEXT REFERENCES departments(code),
    co_departments     TEXT NOT NULL DEFAULT '',
    caller_name        TEXT NOT NULL DEFAULT '',
    caller_phone       TEXT NOT NULL DEFAULT '',
    raised_by          BIGINT REFERENCES users(id),
    received_at        BIGINT NOT NULL,
    filed_at           BIGINT,
    deadline_at        BIGINT,
    closed_at          BIGINT,
    updated_at         BIGINT NOT NULL,
    suspended          INTEGER NOT NULL DEFAULT 0,
    suspended_since    BIGINT,
    suspended_total_ms BIGINT NOT NULL DEFAULT 0,
    extension_pending  INTEGER NOT NULL DEFAULT 0,
    extension_deadline BIGINT,
    satisfaction       TEXT NOT NULL DEFAULT '',
    returned_count     INTEGER NOT NULL DEFAULT 0,
    rework_count       INTEGER NOT NULL DEFAULT 0,
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    escalated_at       BIGINT,
    escalation_level   INTEGER NOT NULL DEFAULT 0,
    warning_at         BIGINT,
    duplicate_of       BIGINT REFERENCES orders(id),
    result             TEXT NOT NULL DEFAULT ''
);
-- Idempotent intake: a hotline order number or Open311 token is taken once per town and channel.
-- NULLs never collide, so orders without an external id are unconstrained in both dialects.
CREATE UNIQUE INDEX orders_external ON orders(town_code, channel, external_id);
CREATE INDEX orders_town_state ON orders(town_code, state, received_at);
CREATE INDEX orders_town_received ON orders(town_code, received_at);
CREATE INDEX orders_grid ON orders(grid_code, state);
-- The channel filter uses orders_external's (town_code, channel) prefix. Columns that are NULL
-- when an order arrives (department, deadline, raiser, duplicate) get partial indexes: an imported
-- order skips them, and every query on them compares the column, which implies IS NOT NULL in both
-- dialects, so the planners still use them.
CREATE INDEX orders_department ON orders(department_code, state) WHERE department_code IS NOT NULL;
CREATE INDEX orders_category ON orders(town_code, category_code);
CREATE INDEX orders_deadline ON orders(deadline_at, state) WHERE deadline_at IS NOT NULL;
CREATE INDEX orders_raised_by ON orders(raised_by) WHERE raised_by IS NOT NULL;
CREATE INDEX orders_duplicate_of ON orders(duplicate_of) WHERE duplicate_of IS NOT NULL;

-- The history of an order, one row per transition; seq equals the order's version after it.
CREATE TABLE order_events (
    id          {{pk}},
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    seq         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL DEFAULT '',
    actor_role  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '',
    photos      TEXT NOT NULL DEFAULT '',
    UNIQUE (order_id, seq)
);
-- Events are read per order through (order_id, seq); reports over time read the orders' own
-- timestamps, so no index on the event time is kept (each would cost every imported order a write).

-- sqlite:
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;
-- postgres:
CREATE FUNCTION order_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER order_events_no_change BEFORE UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION order_events_append_only();
-- all:

-- Pauses of the deadline clock (挂起); end_at is NULL while the order is suspended.
CREATE TABLE order_suspensions (
    id        {{pk}},
    order_id  BIGINT NOT NULL REFERENCES orders(id),
    start_at  BIGINT NOT NULL,
    end_at    BIGINT
);
CREATE INDEX order_suspensions_order ON order_suspensions(order_id);

-- Evidence files, content-addressed: id is the SHA-256 of the bytes, which the HTTP layer keeps
-- under the data directory. The same photo uploaded twice is one row.
-- Keyed by town too: the same photo may be evidence in two towns, and each town sees its own.
CREATE TABLE uploads (
    id          TEXT NOT NULL,
    town_code   TEXT NOT NULL REFERENCES regions(code),
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    PRIMARY KEY (town_code, id)
);

-- What a user should look at: an order was assigned, returned, escalated, sent back for rework…
CREATE TABLE notifications (
    id          {{pk}},
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    order_id    BIGINT REFERENCES orders(id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);
CREATE INDEX users_department ON users(department_code, role);
CREATE INDEX users_grid ON users(grid_code, role);
