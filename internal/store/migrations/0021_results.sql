-- Tracked results of livelihood projects (为民办实事项目, 政府买单 → 人大验单; internal/results):
-- a tree of results per town and year with owner department, budget, status, progress and weight;
-- milestones with planned and actual dates; a dated timeline; deputies' inspections (视察) and
-- comments; anonymous ratings (满意 / 基本满意 / 不满意). docs/RESULTS.md.

-- The statuses a result may take. town_code '' holds the defaults; a town with rows of its own
-- uses those instead. 'rectifying' (整改中) is required: an evaluation sends results back to it.
CREATE TABLE result_statuses (
    town_code TEXT NOT NULL DEFAULT '',
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (town_code, code)
);
INSERT INTO result_statuses (town_code, code, name, name_en, position) VALUES
    ('', 'not_started', '未开工', 'Not started', 1),
    ('', 'in_progress', '推进中', 'In progress', 2),
    ('', 'done', '已完工', 'Completed', 3),
    ('', 'rectifying', '整改中', 'Being rectified', 4);

-- One result. source is where it came from ("project:<id>" of a ballot's winner, "seed:…",
-- "manual:…"), unique per town so that adopting the same winner twice keeps one result. Budget in
-- fen (1 yuan = 100 fen). progress is 0–100: set for a result without children, computed (the
-- weighted mean of the children's, weights > 0) for one with children.
CREATE TABLE results (
    id              {{pk}},
    town_code       TEXT NOT NULL REFERENCES regions(code),
    year            INTEGER NOT NULL,
    parent_id       BIGINT REFERENCES results(id),
    source          TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    department_code TEXT REFERENCES departments(code),
    budget_fen      BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    progress        {{real}} NOT NULL DEFAULT 0,
    weight          {{real}} NOT NULL DEFAULT 1,
    place           TEXT NOT NULL DEFAULT '',
    lat             {{real}},
    lng             {{real}},
    position        INTEGER NOT NULL DEFAULT 0,
    rating_opens    TEXT NOT NULL DEFAULT '',
    rating_closes   TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (town_code, source)
);
CREATE INDEX results_year ON results(town_code, year);
CREATE INDEX results_parent ON results(parent_id);
CREATE INDEX results_department ON results(department_code);

-- Milestones: planned_on and done_on are days (YYYY-MM-DD, Shanghai); done_on '' is not done yet.
CREATE TABLE result_milestones (
    id         {{pk}},
    result_id  BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    done_on    TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX result_milestones_result ON result_milestones(result_id);

-- The timeline: dated entries with text and photos (ids of stored uploads, space-separated); an
-- entry that changed progress or status says to what, so the report can be computed as of a day.
CREATE TABLE result_timeline (
    id          {{pk}},
    result_id   BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    on_day      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    progress    {{real}},
    status      TEXT NOT NULL DEFAULT '',
    photos      TEXT NOT NULL DEFAULT '',
    author_id   BIGINT REFERENCES users(id),
    author_name TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX result_timeline_result ON result_timeline(result_id, on_day);

-- Deputies' inspections (视察) of a result.
CREATE TABLE result_inspections (
    id         {{pk}},
    result_id  BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    on_day     TEXT NOT NULL,
    deputies   TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    findings   TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX result_inspections_result ON result_inspections(result_id);

-- Comments of deputies and staff on a result.
CREATE TABLE result_comments (
    id          {{pk}},
    result_id   BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    author_id   BIGINT REFERENCES users(id),
    author_name TEXT NOT NULL,
    author_role TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX result_comments_result ON result_comments(result_id);

-- Ratings. rater is HMAC-SHA256(installation key, result id and user id): one rating per person
-- per result, and no column names the person. No id, no time: nothing orders the rows by when they
-- came (SQLite keeps them in key order, WITHOUT ROWID), so they cannot be matched to the audit.
-- rater_kind is resident or deputy, for the report's two columns.
CREATE TABLE result_ratings (
    result_id  BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    rater      TEXT NOT NULL,
    rater_kind TEXT NOT NULL,
    grade      TEXT NOT NULL,
    PRIMARY KEY (result_id, rater)
-- sqlite:
) WITHOUT ROWID;
-- postgres:
);
-- all:
