-- Service catalogue (服务清单, internal/services): a town's catalogues — 泾彩满格 全覆盖服务增能包
-- (aspects → categories → items) and the 健康之翼 health list by life stage — and the service
-- requests residents, merchants and grid workers (代办) make of an item, each run through the
-- service-request lifecycle table (docs/SERVICES.md) with its events.
CREATE TABLE service_aspects (
    id           {{pk}},
    town_code    TEXT NOT NULL REFERENCES regions(code),
    catalogue    TEXT NOT NULL CHECK (catalogue IN ('jingcai', 'health')),
    seq          INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    intro        TEXT NOT NULL DEFAULT '',
    illustrative INTEGER NOT NULL DEFAULT 0,
    UNIQUE (town_code, catalogue, name)
);

CREATE TABLE service_categories (
    id           {{pk}},
    aspect_id    BIGINT NOT NULL REFERENCES service_aspects(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    illustrative INTEGER NOT NULL DEFAULT 0,
    UNIQUE (aspect_id, name)
);

CREATE TABLE service_items (
    id                  {{pk}},
    town_code           TEXT NOT NULL REFERENCES regions(code),
    category_id         BIGINT NOT NULL REFERENCES service_categories(id),
    code                TEXT NOT NULL,
    seq                 INTEGER NOT NULL DEFAULT 0,
    name                TEXT NOT NULL,
    name_en             TEXT NOT NULL DEFAULT '',
    summary             TEXT NOT NULL DEFAULT '',
    eligibility         TEXT NOT NULL DEFAULT '',
    provider_department TEXT NOT NULL,
    provider_unit       TEXT NOT NULL DEFAULT '',
    promised_days       INTEGER NOT NULL CHECK (promised_days BETWEEN 1 AND 60),
    documents           TEXT NOT NULL DEFAULT '',
    delivery            TEXT NOT NULL CHECK (delivery IN ('window', 'door', 'online', 'phone')),
    illustrative        INTEGER NOT NULL DEFAULT 0,
    active              INTEGER NOT NULL DEFAULT 1,
    updated_at          BIGINT NOT NULL,
    UNIQUE (town_code, code)
);
CREATE INDEX service_items_category ON service_items(category_id, seq);

CREATE TABLE service_requests (
    id            {{pk}},
    number        TEXT UNIQUE,
    town_code     TEXT NOT NULL REFERENCES regions(code),
    item_id       BIGINT NOT NULL REFERENCES service_items(id),
    department    TEXT NOT NULL,
    state         TEXT NOT NULL,
    requested_by  BIGINT NOT NULL REFERENCES users(id),
    on_behalf     INTEGER NOT NULL DEFAULT 0,
    grid_code     TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    satisfaction  TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    returned      INTEGER NOT NULL DEFAULT 0,
    received_at   BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    accepted_at   BIGINT,
    delivered_at  BIGINT,
    closed_at     BIGINT,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX service_requests_town ON service_requests(town_code, state, due_at);
CREATE INDEX service_requests_department ON service_requests(town_code, department, state);
CREATE INDEX service_requests_requester ON service_requests(requested_by, id);

CREATE TABLE service_request_events (
    id         {{pk}},
    request_id BIGINT NOT NULL REFERENCES service_requests(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor_id   BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL DEFAULT '',
    actor_role TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX service_request_events_request ON service_request_events(request_id, id);
