-- KPIs (issue #13 section 2). The figures are counted from orders and order_stages over a town
-- and a time range; these indexes let each figure read only its town's range: orders by the time
-- they were filed or closed (partial: an imported order, neither filed nor closed, skips them),
-- stage runs by the time they finished.
CREATE INDEX orders_town_filed ON orders(town_code, filed_at) WHERE filed_at IS NOT NULL;
CREATE INDEX orders_town_closed ON orders(town_code, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX order_stages_finished ON order_stages(stage, finished_at) WHERE finished_at IS NOT NULL;

-- Exemptions from assessment (考核豁免): an approved appeal takes an order out of the assessed
-- figures (every rate and the handling times) and the rankings; the order and its stages stay as
-- they are. One row per order; who exempted it and why is in the row and in the audit log.
CREATE TABLE kpi_exemptions (
    order_id    BIGINT PRIMARY KEY REFERENCES orders(id),
    town_code   TEXT NOT NULL REFERENCES regions(code),
    reason      TEXT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX kpi_exemptions_town ON kpi_exemptions(town_code, created_at);
