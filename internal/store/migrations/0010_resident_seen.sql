-- What a resident has seen of each of their reports (issue #11, item 6): the order's version when
-- the resident last opened it on the resident's pages. "My reports" marks what happened since as
-- new. One row per resident and order, replaced on every visit; an order never opened has no row.
CREATE TABLE resident_seen (
    user_id      BIGINT NOT NULL,
    order_id     BIGINT NOT NULL,
    seen_version INTEGER NOT NULL,
    seen_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, order_id)
);
