-- Bookings (预约, internal/bookings): bookable places and routes of a town, their time slots —
-- each slot's places are a capacity pool (0024) — and the bookings, each holding one claim on its
-- slot's pool (the claim's state is the booking's state).
CREATE TABLE booking_resources (
    id             {{pk}},
    town_code      TEXT NOT NULL REFERENCES regions(code),
    kind           TEXT NOT NULL CHECK (kind IN ('place', 'route')),
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    lat            {{real}},
    lng            {{real}},
    opening_hours  TEXT NOT NULL DEFAULT '',
    who            TEXT NOT NULL DEFAULT 'anyone' CHECK (who IN ('anyone', 'residents', 'units')),
    ahead_days     INTEGER NOT NULL DEFAULT 30,
    max_per_holder INTEGER NOT NULL DEFAULT 2,
    group_min      INTEGER NOT NULL DEFAULT 1,
    group_max      INTEGER NOT NULL DEFAULT 1,
    hold_hours     INTEGER NOT NULL DEFAULT 48,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- The points of a route, in order (陆家嘴's red route has 13).
CREATE TABLE booking_points (
    resource_id BIGINT NOT NULL REFERENCES booking_resources(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    lat         {{real}} NOT NULL,
    lng         {{real}} NOT NULL,
    PRIMARY KEY (resource_id, seq)
);

CREATE TABLE booking_slots (
    id          {{pk}},
    resource_id BIGINT NOT NULL REFERENCES booking_resources(id) ON DELETE CASCADE,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    pool_id     BIGINT NOT NULL UNIQUE REFERENCES capacity_pools(id),
    UNIQUE (resource_id, starts_at),
    CHECK (ends_at > starts_at)
);
CREATE INDEX booking_slots_time ON booking_slots(starts_at);

CREATE TABLE bookings (
    id            {{pk}},
    code          TEXT NOT NULL UNIQUE,
    slot_id       BIGINT NOT NULL REFERENCES booking_slots(id),
    resource_id   BIGINT NOT NULL REFERENCES booking_resources(id),
    town_code     TEXT NOT NULL REFERENCES regions(code),
    claim_id      BIGINT NOT NULL UNIQUE REFERENCES capacity_claims(id),
    user_id       BIGINT NOT NULL REFERENCES users(id),
    unit_name     TEXT NOT NULL DEFAULT '',
    party_size    INTEGER NOT NULL CHECK (party_size >= 1),
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX bookings_slot ON bookings(slot_id);
CREATE INDEX bookings_user ON bookings(user_id, id);
CREATE INDEX bookings_resource ON bookings(resource_id, user_id);
