-- The departments of each order, one row per order and department (issue #17): the lead
-- department (role 'lead') and each co-handling one (role 'co'), with the order's town. A
-- handler's lists ("my department's orders": lead or co-handling) read it through its index
-- instead of testing `co_departments LIKE` on every order of the town, which no index serves.
-- orders.department_code and orders.co_departments stay the record; the orders store rewrites an
-- order's rows in the same transaction whenever either changes (orders.syncDepartments), and a
-- test compares the two after every kind of transition and after imports.
CREATE TABLE order_departments (
    order_id   BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    department TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    town_code  TEXT NOT NULL,
    PRIMARY KEY (order_id, department)
);
-- A department's orders in a town (driving a list from the department), and the probe "is this
-- order one of the department's" (driving from the orders' own index): both seek on it.
CREATE INDEX order_departments_department ON order_departments(department, town_code, order_id);

INSERT INTO order_departments (order_id, department, role, town_code)
    SELECT id, department_code, 'lead', town_code FROM orders WHERE department_code IS NOT NULL AND department_code <> '';
-- sqlite:
INSERT OR IGNORE INTO order_departments (order_id, department, role, town_code)
    WITH RECURSIVE split(id, town_code, code, rest) AS (
        SELECT id, town_code, '', co_departments || ',' FROM orders WHERE co_departments <> ''
        UNION ALL
        SELECT id, town_code, trim(substr(rest, 1, instr(rest, ',') - 1)), substr(rest, instr(rest, ',') + 1)
        FROM split WHERE rest <> ''
    )
    SELECT id, code, 'co', town_code FROM split WHERE code <> '';
-- postgres:
INSERT INTO order_departments (order_id, department, role, town_code)
    SELECT DISTINCT o.id, trim(c.code), 'co', o.town_code
    FROM orders o CROSS JOIN LATERAL unnest(string_to_array(o.co_departments, ',')) AS c(code)
    WHERE o.co_departments <> '' AND trim(c.code) <> ''
    ON CONFLICT (order_id, department) DO NOTHING;
-- all:
-- Statistics for the planners at once: on a database with years of orders the back-fill wrote
-- millions of rows that neither planner knows of yet.
ANALYZE order_departments;
