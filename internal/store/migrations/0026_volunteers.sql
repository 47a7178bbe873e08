-- Volunteer service (志愿服务, internal/volunteers, docs/VOLUNTEERS.md): a town's volunteer
-- alliance with its teams and member units, volunteer projects per grid, volunteers registered
-- under their real name, activities of a project with roles (each role's places are a pool of
-- the shared capacity engine, internal/capacity), attendance with the hours it earns, the other
-- records the rules name (training, awards, evaluations) and certificates.

-- The alliance of a town (向"新"力志愿服务联盟): one per town; it is the issuing body of the
-- certificates, with its person in charge and contact.
CREATE TABLE vol_alliances (
    town_code        TEXT PRIMARY KEY REFERENCES regions(code),
    name             TEXT NOT NULL,
    issuer           TEXT NOT NULL,
    person_in_charge TEXT NOT NULL DEFAULT '',
    contact          TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL
);

-- Teams (服务队, with a leader) and member units (成员单位) of the alliance.
CREATE TABLE vol_teams (
    id          {{pk}},
    town_code   TEXT NOT NULL REFERENCES regions(code),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    leader      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- Volunteer projects, each of a grid (泾彩悦读, 健康守护, 乐颐空间, 尚廉新泾, 文明保畅).
CREATE TABLE vol_projects (
    id          {{pk}},
    town_code   TEXT NOT NULL REFERENCES regions(code),
    grid_code   TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    team_id     BIGINT REFERENCES vol_teams(id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- Volunteers. The ID number is stored encrypted (id_sealed, AES-GCM under the installation's
-- key), with its masked form for every page and a keyed hash (id_hash) so that one person
-- registers once per town. number is the volunteer number (docs/VOLUNTEERS.md), given on approval.
CREATE TABLE volunteers (
    id           {{pk}},
    town_code    TEXT NOT NULL REFERENCES regions(code),
    user_id      BIGINT REFERENCES users(id),
    number       TEXT UNIQUE,
    name         TEXT NOT NULL,
    id_type      TEXT NOT NULL,
    id_sealed    TEXT NOT NULL,
    id_masked    TEXT NOT NULL,
    id_hash      TEXT NOT NULL,
    phone        TEXT NOT NULL DEFAULT '',
    skills       TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    grid_code    TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    team_id      BIGINT REFERENCES vol_teams(id),
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    registered_at BIGINT NOT NULL,
    decided_by   BIGINT REFERENCES users(id),
    decided_at   BIGINT,
    UNIQUE (town_code, id_hash)
);
CREATE UNIQUE INDEX volunteers_user ON volunteers(town_code, user_id);
CREATE INDEX volunteers_status ON volunteers(town_code, status);

-- Activities of a project: a time, a place with a point and a radius for the location check-in,
-- and the lead who shows the check-in code. reminded_at: the reminder notice went out.
CREATE TABLE vol_activities (
    id           {{pk}},
    town_code    TEXT NOT NULL REFERENCES regions(code),
    project_id   BIGINT NOT NULL REFERENCES vol_projects(id),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    requirements TEXT NOT NULL DEFAULT '',
    place        TEXT NOT NULL DEFAULT '',
    lat          {{real}},
    lng          {{real}},
    radius_m     INTEGER NOT NULL DEFAULT 200,
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    lead_id      BIGINT REFERENCES users(id),
    status       TEXT NOT NULL DEFAULT 'open',
    reminded_at  BIGINT,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX vol_activities_town ON vol_activities(town_code, starts_at);
CREATE INDEX vol_activities_project ON vol_activities(project_id, starts_at);

-- Roles of an activity (引导员, 讲解员…): pool_id is the capacity pool holding its places.
CREATE TABLE vol_roles (
    id           {{pk}},
    activity_id  BIGINT NOT NULL REFERENCES vol_activities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    places       INTEGER NOT NULL,
    requirements TEXT NOT NULL DEFAULT '',
    pool_id      BIGINT,
    UNIQUE (activity_id, name)
);

-- Attendance: one row per volunteer and activity. minutes is what the rule computed from the
-- actual check-in and check-out (NULL while no check-out); adjusted_minutes, when set, replaces it
-- (by the lead, with a reason, audited). walk_in: came without signing up.
CREATE TABLE vol_attendance (
    id               {{pk}},
    activity_id      BIGINT NOT NULL REFERENCES vol_activities(id) ON DELETE CASCADE,
    volunteer_id     BIGINT NOT NULL REFERENCES volunteers(id),
    role_id          BIGINT REFERENCES vol_roles(id),
    check_in_at      BIGINT NOT NULL,
    check_in_by      TEXT NOT NULL,
    check_out_at     BIGINT,
    check_out_by     TEXT NOT NULL DEFAULT '',
    minutes          INTEGER,
    adjusted_minutes INTEGER,
    adjust_reason    TEXT NOT NULL DEFAULT '',
    adjusted_by      BIGINT REFERENCES users(id),
    walk_in          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX vol_attendance_volunteer ON vol_attendance(volunteer_id, check_in_at);

-- Training, awards and evaluations of a volunteer (民政部令第67号).
CREATE TABLE vol_records (
    id           {{pk}},
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    on_day       TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX vol_records_volunteer ON vol_records(volunteer_id, on_day);

-- Certificates (志愿服务证明): what was certified is copied in, so a certificate keeps saying what
-- it said when it was issued.
CREATE TABLE vol_certificates (
    id               {{pk}},
    town_code        TEXT NOT NULL REFERENCES regions(code),
    number           TEXT NOT NULL UNIQUE,
    volunteer_id     BIGINT NOT NULL REFERENCES volunteers(id),
    name             TEXT NOT NULL,
    id_type          TEXT NOT NULL,
    id_masked        TEXT NOT NULL,
    volunteer_number TEXT NOT NULL,
    period_from      TEXT NOT NULL,
    period_to        TEXT NOT NULL,
    minutes          INTEGER NOT NULL,
    content          TEXT NOT NULL,
    issuer           TEXT NOT NULL,
    person_in_charge TEXT NOT NULL,
    contact          TEXT NOT NULL,
    issued_at        BIGINT NOT NULL,
    issued_by        BIGINT REFERENCES users(id)
);
CREATE INDEX vol_certificates_volunteer ON vol_certificates(volunteer_id);
