-- Party building (党建引领) and new-sector coverage (两个覆盖), docs/PARTY.md: the tree of party
-- organisations and their members, the regional council (区域化党建联席会议) with member units, a
-- rotating convener, meetings and resolutions, co-building agreements (联建签约) with commitments,
-- needs and resources matched into projects, the tracked tasks all three produce, the practice
-- network (新时代文明实践 1+31+N), and the new-sector entities whose coverage is counted.
-- Dates of the party's own calendar (founded, joined, held, due) are YYYY-MM-DD text in Shanghai time.

CREATE TABLE party_orgs (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    parent_id  BIGINT REFERENCES party_orgs(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,            -- committee 党委, general_branch 党总支, branch 党支部
    sector     TEXT NOT NULL DEFAULT '', -- '' (organs, residents' areas, units), enterprise, building, new_employment (两新)
    secretary  TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL DEFAULT '', -- the unit it sits in
    grid_code  TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    founded    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (town_code, name)
);
CREATE INDEX party_orgs_parent ON party_orgs(parent_id);

-- Members (personal data, privacy class party_member). joined is the date of full membership
-- (转为正式党员), from which party standing (党龄) counts.
CREATE TABLE party_members (
    id         {{pk}},
    org_id     BIGINT NOT NULL REFERENCES party_orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    joined     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX party_members_org ON party_members(org_id, joined);

CREATE TABLE party_councils (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    name       TEXT NOT NULL,
    term_start TEXT NOT NULL DEFAULT '',
    term_end   TEXT NOT NULL DEFAULT '',
    secretary  TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- Member units in the order they joined (joined, then id): the convener rotates in that order.
CREATE TABLE party_council_units (
    id         {{pk}},
    council_id BIGINT NOT NULL REFERENCES party_councils(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    org_id     BIGINT REFERENCES party_orgs(id),
    joined     TEXT NOT NULL,
    left_on    TEXT NOT NULL DEFAULT '',
    term_end   TEXT NOT NULL DEFAULT '',
    UNIQUE (council_id, name)
);

-- The convener's history: one row per turn, to_date '' while it lasts.
CREATE TABLE party_conveners (
    id         {{pk}},
    council_id BIGINT NOT NULL REFERENCES party_councils(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES party_council_units(id),
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX party_conveners_council ON party_conveners(council_id, from_date);

CREATE TABLE party_meetings (
    id         {{pk}},
    council_id BIGINT NOT NULL REFERENCES party_councils(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    agenda     TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX party_meetings_council ON party_meetings(council_id, held_on);

CREATE TABLE party_attendance (
    meeting_id BIGINT NOT NULL REFERENCES party_meetings(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES party_council_units(id),
    PRIMARY KEY (meeting_id, unit_id)
);

CREATE TABLE party_agreements (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    title      TEXT NOT NULL,
    signed_on  TEXT NOT NULL,
    term_end   TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE party_agreement_parties (
    agreement_id BIGINT NOT NULL REFERENCES party_agreements(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    org_id       BIGINT REFERENCES party_orgs(id),
    PRIMARY KEY (agreement_id, seq)
);

-- What a residents' area needs and what a unit can offer; a match links one of each.
CREATE TABLE party_needs (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    area       TEXT NOT NULL,
    text       TEXT NOT NULL,
    grid_code  TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE TABLE party_resources (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    unit       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Tracked tasks: a council meeting's resolution, an agreement's commitment or a match's project.
-- Exactly one source is set. due is a working day (internal/workcal).
CREATE TABLE party_tasks (
    id           {{pk}},
    town_code    TEXT NOT NULL REFERENCES regions(code),
    meeting_id   BIGINT REFERENCES party_meetings(id) ON DELETE CASCADE,
    agreement_id BIGINT REFERENCES party_agreements(id) ON DELETE CASCADE,
    need_id      BIGINT REFERENCES party_needs(id),
    resource_id  BIGINT REFERENCES party_resources(id),
    text         TEXT NOT NULL,
    owner_unit   TEXT NOT NULL,
    due          TEXT NOT NULL,
    progress     INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'open',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX party_tasks_town ON party_tasks(town_code, status, due);
CREATE INDEX party_tasks_meeting ON party_tasks(meeting_id);
CREATE UNIQUE INDEX party_tasks_match ON party_tasks(need_id, resource_id);

-- A meeting's review of a task from an earlier meeting: the note, and the progress and status it set.
CREATE TABLE party_task_reviews (
    id         {{pk}},
    task_id    BIGINT NOT NULL REFERENCES party_tasks(id) ON DELETE CASCADE,
    meeting_id BIGINT REFERENCES party_meetings(id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    progress   INTEGER NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (task_id, meeting_id)
);

-- The 新时代文明实践 network: the centre (1), stations (31) and points (N).
CREATE TABLE party_network (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    kind       TEXT NOT NULL, -- centre, station, point
    name       TEXT NOT NULL,
    enterprise INTEGER NOT NULL DEFAULT 0,
    offers     TEXT NOT NULL DEFAULT '',
    links      TEXT NOT NULL DEFAULT '', -- one URL a line
    lat        {{real}} NOT NULL,
    lng        {{real}} NOT NULL,
    grid_code  TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    UNIQUE (town_code, name)
);

-- New-sector entities (两个覆盖): office buildings, enterprises, street-merchant groups and
-- new-employment groups. Organisational coverage: org_id with org_since; work coverage: a liaison
-- since liaison_since and at least one activity (or visited campaign visit) on or after it.
CREATE TABLE coverage_entities (
    id            {{pk}},
    town_code     TEXT NOT NULL REFERENCES regions(code),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    grid_code     TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    lat           {{real}},
    lng           {{real}},
    listed_on     TEXT NOT NULL,
    org_id        BIGINT REFERENCES party_orgs(id),
    org_since     TEXT NOT NULL DEFAULT '',
    liaison       TEXT NOT NULL DEFAULT '',
    liaison_since TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (town_code, kind, name)
);
CREATE TABLE coverage_activities (
    id         {{pk}},
    entity_id  BIGINT NOT NULL REFERENCES coverage_entities(id) ON DELETE CASCADE,
    held_on    TEXT NOT NULL,
    kind       TEXT NOT NULL, -- activity, service
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX coverage_activities_entity ON coverage_activities(entity_id, held_on);
