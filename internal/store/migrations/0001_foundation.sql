-- The administrative hierarchy: city → district → town. A town with tenant = 1 runs CivicGrid.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'town')),
    parent_code TEXT REFERENCES regions(code),
    tenant      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE grids (
    id          {{pk}},
    code        TEXT NOT NULL UNIQUE,
    town_code   TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    geometry    TEXT NOT NULL,
    min_lng     {{real}} NOT NULL,
    min_lat     {{real}} NOT NULL,
    max_lng     {{real}} NOT NULL,
    max_lat     {{real}} NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX grids_town ON grids(town_code);

-- Residents' committee areas (居民区), real codes from the statistics division list.
CREATE TABLE committees (
    code        TEXT PRIMARY KEY,
    town_code   TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    grid_code   TEXT REFERENCES grids(code) ON UPDATE CASCADE
);
CREATE INDEX committees_town ON committees(town_code);

CREATE TABLE departments (
    code        TEXT PRIMARY KEY,
    town_code   TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX departments_town ON departments(town_code);

-- Landmarks, estates (小区) and office buildings (楼宇).
CREATE TABLE places (
    id             {{pk}},
    town_code      TEXT NOT NULL REFERENCES regions(code),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    lat            {{real}} NOT NULL,
    lng            {{real}} NOT NULL,
    grid_code      TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    committee_code TEXT REFERENCES committees(code),
    UNIQUE (town_code, name)
);

-- The address book that turns a written address into a grid.
CREATE TABLE addresses (
    id             {{pk}},
    town_code      TEXT NOT NULL REFERENCES regions(code),
    text           TEXT NOT NULL,
    road           TEXT NOT NULL DEFAULT '',
    number         TEXT NOT NULL DEFAULT '',
    estate         TEXT NOT NULL DEFAULT '',
    lat            {{real}} NOT NULL,
    lng            {{real}} NOT NULL,
    grid_code      TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    committee_code TEXT REFERENCES committees(code),
    UNIQUE (town_code, text)
);

CREATE TABLE users (
    id              {{pk}},
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL,
    town_code       TEXT REFERENCES regions(code),
    district_code   TEXT REFERENCES regions(code),
    department_code TEXT REFERENCES departments(code),
    grid_code       TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    phone           TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    CHECK (town_code IS NOT NULL OR district_code IS NOT NULL)
);
CREATE INDEX users_town ON users(town_code);

-- 多格合一: a grid's members come from several departments, each with a grid role.
CREATE TABLE grid_members (
    id              {{pk}},
    grid_code       TEXT NOT NULL REFERENCES grids(code) ON UPDATE CASCADE ON DELETE CASCADE,
    name            TEXT NOT NULL,
    grid_role       TEXT NOT NULL CHECK (grid_role IN ('leader', 'deputy', 'liaison', 'member')),
    department_code TEXT REFERENCES departments(code),
    phone           TEXT NOT NULL DEFAULT '',
    user_id         BIGINT REFERENCES users(id)
);
CREATE INDEX grid_members_grid ON grid_members(grid_code);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           {{pk}},
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE login_failures (
    id        {{pk}},
    username  TEXT NOT NULL,
    ip        TEXT NOT NULL DEFAULT '',
    at        BIGINT NOT NULL
);
CREATE INDEX login_failures_user_at ON login_failures(username, at);

-- Append-only: who did what to which record, including each view of personal data.
CREATE TABLE audit_log (
    id         {{pk}},
    at         BIGINT NOT NULL,
    actor_id   BIGINT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL DEFAULT '',
    town_code  TEXT,
    detail     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- sqlite:
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- postgres:
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- all:

-- Key/value settings per town (and '' for the installation): demo marker, SLA overrides, tiles.
CREATE TABLE settings (
    town_code TEXT NOT NULL DEFAULT '',
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (town_code, key)
);
