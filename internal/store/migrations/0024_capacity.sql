-- The capacity engine (internal/capacity): one pool per bookable slot or volunteer role, and the
-- claims on it. A pool's used_people / used_groups are the sums over its occupying claims
-- (confirmed, held, checked_in, no_show), written by the engine inside the transaction that holds
-- the pool's lock; the CHECKs below make the database itself refuse an overbooked pool, so a bug
-- in the engine fails a transaction instead of overbooking.
CREATE TABLE capacity_pools (
    id           {{pk}},
    kind         TEXT NOT NULL,
    owner_ref    TEXT NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity >= 0),
    max_groups   INTEGER NOT NULL DEFAULT 0 CHECK (max_groups >= 0),
    hold_seconds BIGINT NOT NULL DEFAULT 172800 CHECK (hold_seconds >= 0),
    closed       INTEGER NOT NULL DEFAULT 0,
    used_people  INTEGER NOT NULL DEFAULT 0,
    used_groups  INTEGER NOT NULL DEFAULT 0,
    waiting      INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (kind, owner_ref),
    CHECK (used_people >= 0 AND used_people <= capacity),
    CHECK (used_groups >= 0 AND (max_groups = 0 OR used_groups <= max_groups))
);

CREATE TABLE capacity_claims (
    id            {{pk}},
    pool_id       BIGINT NOT NULL REFERENCES capacity_pools(id) ON DELETE CASCADE,
    holder_kind   TEXT NOT NULL CHECK (holder_kind IN ('user', 'unit')),
    holder_ref    TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size >= 1),
    state         TEXT NOT NULL CHECK (state IN ('confirmed', 'waiting', 'held', 'cancelled', 'expired', 'checked_in', 'no_show')),
    priority      INTEGER NOT NULL DEFAULT 0,
    joined_at     BIGINT NOT NULL,
    hold_until    BIGINT,
    cancel_reason TEXT NOT NULL DEFAULT '',
    cancelled_by  BIGINT,
    updated_at    BIGINT NOT NULL
);
-- The waiting list in promotion order, and the pool's claims by state.
CREATE INDEX capacity_claims_queue ON capacity_claims(pool_id, state, priority, id);
CREATE INDEX capacity_claims_holder ON capacity_claims(holder_kind, holder_ref);
-- Holds to sweep.
CREATE INDEX capacity_claims_holds ON capacity_claims(hold_until) WHERE state = 'held';
-- One live claim per holder and pool (a second sign-up for the same slot is refused by the database too).
CREATE UNIQUE INDEX capacity_claims_one_live ON capacity_claims(pool_id, holder_kind, holder_ref)
    WHERE state IN ('confirmed', 'waiting', 'held', 'checked_in', 'no_show');
