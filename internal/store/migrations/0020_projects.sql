-- Livelihood projects voted by deputies (为民办实事项目人大代表票决制, docs/PROJECTS.md): proposals
-- collected from residents, grid workers, deputies, committees and departments (群众点单), their
-- supports, replies, merges and department appraisals; a town's candidate list for a year with its
-- seats and 差额 ratio; the voting bodies and their rolls; ballot sessions with rounds, anonymous
-- ballots and the separate "has voted" roll (代表定单); the counted results. Amounts are whole yuan.

CREATE TABLE project_proposals (
    id              {{pk}},
    town_code       TEXT NOT NULL REFERENCES regions(code),
    year            INTEGER NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL,
    source          TEXT NOT NULL,
    author_id       BIGINT REFERENCES users(id),
    -- The proposer as the public sees them: a resident's name and phone (personal data, masked
    -- for everyone but the author and the town's staff), or the committee/department/deputy.
    author_name     TEXT NOT NULL DEFAULT '',
    author_phone    TEXT NOT NULL DEFAULT '',
    entered_by      BIGINT REFERENCES users(id),
    department_code TEXT REFERENCES departments(code),
    place_text      TEXT NOT NULL DEFAULT '',
    lat             {{real}},
    lng             {{real}},
    grid_code       TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    est_cost        BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'open',
    reply           TEXT NOT NULL DEFAULT '',
    replied_by      BIGINT REFERENCES users(id),
    replied_at      BIGINT,
    merged_into     BIGINT REFERENCES project_proposals(id),
    supports        INTEGER NOT NULL DEFAULT 0,
    -- The short code an anonymous proposer follows the answer with (like a report's).
    code            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX project_proposals_town ON project_proposals(town_code, year, status);
CREATE INDEX project_proposals_author ON project_proposals(author_id);
CREATE INDEX project_proposals_merged ON project_proposals(merged_into);

CREATE TABLE project_photos (
    proposal_id BIGINT NOT NULL REFERENCES project_proposals(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    upload_id   TEXT NOT NULL,
    PRIMARY KEY (proposal_id, position)
);

-- One support per person and proposal: the unique key is the rule.
CREATE TABLE project_supports (
    proposal_id BIGINT NOT NULL REFERENCES project_proposals(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX project_supports_user ON project_supports(user_id);

-- A department's appraisal (部门论证): feasibility, its cost estimate, a note and one attachment.
CREATE TABLE project_appraisals (
    id              {{pk}},
    proposal_id     BIGINT NOT NULL REFERENCES project_proposals(id) ON DELETE CASCADE,
    department_code TEXT NOT NULL REFERENCES departments(code),
    feasibility     TEXT NOT NULL,
    cost            BIGINT NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    attachment      TEXT NOT NULL DEFAULT '',
    by_id           BIGINT REFERENCES users(id),
    at              BIGINT NOT NULL,
    UNIQUE (proposal_id, department_code)
);

-- A town's candidate list for a year (候选项目清单), with the seats to fill and the 差额 ratio in
-- hundredths (120: at least 12 candidates for 10 seats).
CREATE TABLE project_lists (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    year       INTEGER NOT NULL,
    seats      INTEGER NOT NULL,
    min_ratio  INTEGER NOT NULL DEFAULT 120,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (town_code, year)
);

CREATE TABLE project_candidates (
    list_id         BIGINT NOT NULL REFERENCES project_lists(id) ON DELETE CASCADE,
    proposal_id     BIGINT NOT NULL REFERENCES project_proposals(id),
    position        INTEGER NOT NULL,
    department_code TEXT REFERENCES departments(code),
    budget          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (list_id, proposal_id)
);

-- The voting body: the town congress, or a 代表联络站 / residents' council where there is none.
CREATE TABLE voting_bodies (
    id         {{pk}},
    town_code  TEXT NOT NULL REFERENCES regions(code),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- The roll (代表名册). A member may be linked to a user account, which electronic voting needs.
CREATE TABLE voting_members (
    id       {{pk}},
    body_id  BIGINT NOT NULL REFERENCES voting_bodies(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    sector   TEXT NOT NULL DEFAULT '',
    user_id  BIGINT REFERENCES users(id),
    active   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX voting_members_body ON voting_members(body_id);
CREATE UNIQUE INDEX voting_members_user ON voting_members(body_id, user_id);

-- A ballot session (票决会议). quorum_pct: more than this share of the members must be present
-- (50: more than half); pass_base: 'all' members or those 'present'; mode 'paper' or 'electronic'.
CREATE TABLE project_sessions (
    id          {{pk}},
    list_id     BIGINT NOT NULL REFERENCES project_lists(id),
    body_id     BIGINT NOT NULL REFERENCES voting_bodies(id),
    name        TEXT NOT NULL,
    mode        TEXT NOT NULL,
    quorum_pct  INTEGER NOT NULL DEFAULT 50,
    pass_base   TEXT NOT NULL DEFAULT 'all',
    expected    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'draft',
    teller1     TEXT NOT NULL DEFAULT '',
    teller2     TEXT NOT NULL DEFAULT '',
    scrutineer  TEXT NOT NULL DEFAULT '',
    published_at BIGINT,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX project_sessions_list ON project_sessions(list_id);

-- 实到: the members present at the session.
CREATE TABLE project_present (
    session_id BIGINT NOT NULL REFERENCES project_sessions(id) ON DELETE CASCADE,
    member_id  BIGINT NOT NULL REFERENCES voting_members(id),
    PRIMARY KEY (session_id, member_id)
);

-- A round of voting: round 1 over the whole list, later rounds over the candidates tied at the
-- last seat (re-vote), for the seats left. The electronic window is opens_at..closes_at.
CREATE TABLE project_rounds (
    session_id BIGINT NOT NULL REFERENCES project_sessions(id) ON DELETE CASCADE,
    round      INTEGER NOT NULL,
    seats      INTEGER NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    issued     INTEGER NOT NULL DEFAULT 0,
    returned   INTEGER NOT NULL DEFAULT 0,
    valid      INTEGER NOT NULL DEFAULT 0,
    invalid    INTEGER NOT NULL DEFAULT 0,
    opens_at   BIGINT NOT NULL,
    closes_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, round)
);

CREATE TABLE project_round_candidates (
    session_id  BIGINT NOT NULL,
    round       INTEGER NOT NULL,
    proposal_id BIGINT NOT NULL REFERENCES project_proposals(id),
    PRIMARY KEY (session_id, round, proposal_id),
    FOREIGN KEY (session_id, round) REFERENCES project_rounds(session_id, round) ON DELETE CASCADE
);

-- The secret ballots. No member, no user and no time: a ballot's id is random, so neither a
-- column nor the order of ids leads back to a deputy. entered_by is the teller who typed a paper
-- ballot in (NULL for an electronic one).
CREATE TABLE project_ballots (
    id         TEXT PRIMARY KEY,
    session_id BIGINT NOT NULL,
    round      INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    valid      INTEGER NOT NULL,
    entered_by BIGINT REFERENCES users(id),
    FOREIGN KEY (session_id, round) REFERENCES project_rounds(session_id, round) ON DELETE CASCADE
);
CREATE INDEX project_ballots_round ON project_ballots(session_id, round);

CREATE TABLE project_ballot_marks (
    ballot_id   TEXT NOT NULL REFERENCES project_ballots(id) ON DELETE CASCADE,
    proposal_id BIGINT NOT NULL REFERENCES project_proposals(id),
    choice      TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    PRIMARY KEY (ballot_id, proposal_id)
);

-- The "has voted" roll of electronic voting, written in the same transaction as the anonymous
-- ballot: its key lets one member vote once per round, and it holds no link to the ballot.
CREATE TABLE project_voted (
    session_id BIGINT NOT NULL,
    round      INTEGER NOT NULL,
    member_id  BIGINT NOT NULL REFERENCES voting_members(id),
    PRIMARY KEY (session_id, round, member_id),
    FOREIGN KEY (session_id, round) REFERENCES project_rounds(session_id, round) ON DELETE CASCADE
);

-- The count of each round (计票结果), as counted; a recount recomputes it from the ballots.
CREATE TABLE project_results (
    session_id  BIGINT NOT NULL,
    round       INTEGER NOT NULL,
    proposal_id BIGINT NOT NULL REFERENCES project_proposals(id),
    yes         INTEGER NOT NULL,
    no          INTEGER NOT NULL,
    abstain     INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    PRIMARY KEY (session_id, round, proposal_id),
    FOREIGN KEY (session_id, round) REFERENCES project_rounds(session_id, round) ON DELETE CASCADE
);
