-- What smart dispatch suggested for an order (issue #12 item 4: accuracy tracked live): the
-- categories it offered, best first (comma-separated codes), from which model version (0: the
-- keyword guess), when first shown. Compared with the category the order was filed under and with
-- whether it was returned (退单) later, it gives the accepted / changed / returned rates.
CREATE TABLE dispatch_suggestions (
    order_id       BIGINT NOT NULL PRIMARY KEY REFERENCES orders(id),
    town_code      TEXT NOT NULL REFERENCES regions(code),
    model_version  INTEGER NOT NULL DEFAULT 0,
    categories     TEXT NOT NULL,
    shown_at       BIGINT NOT NULL
);
CREATE INDEX dispatch_suggestions_town ON dispatch_suggestions(town_code, shown_at);
