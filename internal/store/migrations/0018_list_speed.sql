-- Lists, counts and home pages that stay fast at a city's years of orders (issue #17).
--
-- Ratings are counted as they change, so a home page's satisfaction rate reads a few hundred
-- rows instead of every rated order of the towns: one row per town, grid, lead department and
-- satisfaction, kept by triggers on orders in the same transaction as the change.
CREATE TABLE order_ratings (
    town_code       TEXT NOT NULL,
    grid_code       TEXT NOT NULL DEFAULT '',
    department_code TEXT NOT NULL DEFAULT '',
    satisfaction    TEXT NOT NULL,
    n               BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (town_code, grid_code, department_code, satisfaction)
);
INSERT INTO order_ratings (town_code, grid_code, department_code, satisfaction, n)
    SELECT town_code, COALESCE(grid_code, ''), COALESCE(department_code, ''), satisfaction, COUNT(*)
    FROM orders WHERE satisfaction <> ''
    GROUP BY town_code, COALESCE(grid_code, ''), COALESCE(department_code, ''), satisfaction;

-- The filters people combine, each walked newest first so that a page and a bounded count read
-- only the orders they show or count:
-- a grid's orders of a category (the leader's and the grid worker's lists);
CREATE INDEX orders_grid_category ON orders(grid_code, category_code, received_at) WHERE grid_code IS NOT NULL;
-- the open orders of a town (overdue, warning, unlocated: a few thousand among millions), with
-- the columns those filters test, so that their counts read the index alone. The condition is the
-- one orders.openStates writes, so that both planners prove the index usable;
CREATE INDEX orders_open ON orders(town_code, received_at, suspended, deadline_at, warning_at, grid_code)
    WHERE state IN ('received', 'filed', 'dispatched', 'in_progress', 'handled');
-- the newest orders of several towns (a district or city account): one walk of the time, the
-- town checked in the index, instead of sorting every order of the towns.
CREATE INDEX orders_received_town ON orders(received_at, town_code);

-- sqlite:
CREATE TRIGGER order_ratings_insert AFTER INSERT ON orders WHEN NEW.satisfaction <> ''
BEGIN
    INSERT INTO order_ratings (town_code, grid_code, department_code, satisfaction, n)
        SELECT NEW.town_code, COALESCE(NEW.grid_code, ''), COALESCE(NEW.department_code, ''), NEW.satisfaction, 1 WHERE 1
        ON CONFLICT (town_code, grid_code, department_code, satisfaction) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER order_ratings_delete AFTER DELETE ON orders WHEN OLD.satisfaction <> ''
BEGIN
    UPDATE order_ratings SET n = n - 1 WHERE town_code = OLD.town_code AND grid_code = COALESCE(OLD.grid_code, '')
        AND department_code = COALESCE(OLD.department_code, '') AND satisfaction = OLD.satisfaction;
END;
CREATE TRIGGER order_ratings_update AFTER UPDATE OF satisfaction, town_code, grid_code, department_code ON orders
    WHEN OLD.satisfaction IS NOT NEW.satisfaction OR OLD.town_code IS NOT NEW.town_code OR OLD.grid_code IS NOT NEW.grid_code
        OR OLD.department_code IS NOT NEW.department_code
BEGIN
    UPDATE order_ratings SET n = n - 1 WHERE OLD.satisfaction <> '' AND town_code = OLD.town_code AND grid_code = COALESCE(OLD.grid_code, '')
        AND department_code = COALESCE(OLD.department_code, '') AND satisfaction = OLD.satisfaction;
    INSERT INTO order_ratings (town_code, grid_code, department_code, satisfaction, n)
        SELECT NEW.town_code, COALESCE(NEW.grid_code, ''), COALESCE(NEW.department_code, ''), NEW.satisfaction, 1 WHERE NEW.satisfaction <> ''
        ON CONFLICT (town_code, grid_code, department_code, satisfaction) DO UPDATE SET n = n + 1;
END;
-- postgres:
CREATE FUNCTION order_ratings_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.satisfaction <> '' THEN
        UPDATE order_ratings SET n = n - 1 WHERE town_code = OLD.town_code AND grid_code = COALESCE(OLD.grid_code, '')
            AND department_code = COALESCE(OLD.department_code, '') AND satisfaction = OLD.satisfaction;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.satisfaction <> '' THEN
        INSERT INTO order_ratings (town_code, grid_code, department_code, satisfaction, n)
            VALUES (NEW.town_code, COALESCE(NEW.grid_code, ''), COALESCE(NEW.department_code, ''), NEW.satisfaction, 1)
            ON CONFLICT (town_code, grid_code, department_code, satisfaction) DO UPDATE SET n = order_ratings.n + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER order_ratings_insert AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.satisfaction <> '')
    EXECUTE FUNCTION order_ratings_count();
CREATE TRIGGER order_ratings_delete AFTER DELETE ON orders FOR EACH ROW WHEN (OLD.satisfaction <> '')
    EXECUTE FUNCTION order_ratings_count();
CREATE TRIGGER order_ratings_update AFTER UPDATE OF satisfaction, town_code, grid_code, department_code ON orders FOR EACH ROW
    WHEN (OLD.satisfaction IS DISTINCT FROM NEW.satisfaction OR OLD.town_code IS DISTINCT FROM NEW.town_code
        OR OLD.grid_code IS DISTINCT FROM NEW.grid_code OR OLD.department_code IS DISTINCT FROM NEW.department_code)
    EXECUTE FUNCTION order_ratings_count();
