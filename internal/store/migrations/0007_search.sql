-- Full-text search of orders (工单检索), and fewer writes per imported order.

-- What a channel says about an order beyond the order's own columns (the hotline's 诉求类型,
-- category text and 街镇 text), as a JSON object of strings. It was a table of its own
-- (hotline_details); as a column it costs an import no second row and no second B-tree.
ALTER TABLE orders ADD COLUMN channel_data TEXT NOT NULL DEFAULT '';
-- sqlite:
UPDATE orders SET channel_data = (SELECT json_object('kind', d.kind, 'category_text', d.category_text, 'town_text', d.town_text)
    FROM hotline_details d WHERE d.order_id = orders.id)
    WHERE id IN (SELECT order_id FROM hotline_details);
-- postgres:
UPDATE orders SET channel_data = json_build_object('kind', d.kind, 'category_text', d.category_text, 'town_text', d.town_text)::text
    FROM hotline_details d WHERE d.order_id = orders.id;
-- all:
DROP TABLE hotline_details;

-- Events are only ever read per order, in seq order, so (order_id, seq) is their key. On SQLite
-- the table becomes WITHOUT ROWID: one B-tree per event instead of a table plus a unique index.
-- sqlite:
CREATE TABLE order_events_keyed (
    order_id    INTEGER NOT NULL REFERENCES orders(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
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
    PRIMARY KEY (order_id, seq)
) WITHOUT ROWID;
INSERT INTO order_events_keyed (order_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
    reason, note, result, comment, data, photos)
    SELECT order_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
    reason, note, result, comment, data, photos FROM order_events;
DROP TABLE order_events;
ALTER TABLE order_events_keyed RENAME TO order_events;
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;
-- postgres:
ALTER TABLE order_events DROP COLUMN id;
ALTER TABLE order_events DROP CONSTRAINT order_events_order_id_seq_key;
ALTER TABLE order_events ADD PRIMARY KEY (order_id, seq);
-- all:

-- The search index holds the bigram terms of each order's content and address (package search
-- makes them, the same for both databases). PostgreSQL: a tsvector column with a GIN index,
-- filled for existing orders by the step that runs after this migration. SQLite: an FTS5 table in
-- a file of its own, written by an indexer (see store/ordersearch.go); the main database keeps
-- the queue of orders whose text changed, and its identity, so that an index file is never used
-- with another database.
-- sqlite:
CREATE TABLE search_queue (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL
);
CREATE TABLE store_identity (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
-- postgres:
ALTER TABLE orders ADD COLUMN search tsvector;
CREATE INDEX orders_search ON orders USING gin (search);
-- all:
