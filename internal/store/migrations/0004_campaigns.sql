-- Door-to-door visit campaigns (走访: 四百大走访, the "鑫"能量全覆盖走访服务团队, 两个覆盖): a campaign
-- of a town with a period and a team, the targets to visit (households, office buildings,
-- enterprises, street merchants, new-employment stations), and the visits logged to them. A
-- visit's finding becomes a work order at most once (campaign_visits.order_id, unique).

CREATE TABLE campaigns (
    id          {{pk}},
    town_code   TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- The visiting team (走访服务团队): users who may log visits besides the town's grid staff.
CREATE TABLE campaign_team (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX campaign_team_user ON campaign_team(user_id);

-- What is to be visited. visited_at is the first visit with status visited (NULL: not yet), and
-- last_status the status of the latest visit, kept here so that progress is one GROUP BY.
CREATE TABLE campaign_targets (
    id          {{pk}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    lat         {{real}},
    lng         {{real}},
    grid_code   TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    place_id    BIGINT REFERENCES places(id),
    address_id  BIGINT REFERENCES addresses(id),
    visited_at  BIGINT,
    last_status TEXT NOT NULL DEFAULT '',
    visits      INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    UNIQUE (campaign_id, kind, name)
);
CREATE INDEX campaign_targets_grid ON campaign_targets(campaign_id, grid_code);

CREATE TABLE campaign_visits (
    id            {{pk}},
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    target_id     BIGINT NOT NULL REFERENCES campaign_targets(id) ON DELETE CASCADE,
    visitor_id    BIGINT NOT NULL REFERENCES users(id),
    visitor_name  TEXT NOT NULL,
    visited_at    BIGINT NOT NULL,
    status        TEXT NOT NULL,
    findings      TEXT NOT NULL DEFAULT '',
    needs         TEXT NOT NULL DEFAULT '',
    category_code TEXT NOT NULL DEFAULT '',
    photo_id      TEXT NOT NULL DEFAULT '',
    order_id      BIGINT REFERENCES orders(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX campaign_visits_target ON campaign_visits(target_id, visited_at);
CREATE INDEX campaign_visits_campaign ON campaign_visits(campaign_id, visited_at);
-- NULLs never collide: many visits without an order, but an order comes from one visit only.
CREATE UNIQUE INDEX campaign_visits_order ON campaign_visits(order_id);
