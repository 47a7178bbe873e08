-- Consultations (协商于民, 意见征询; internal/consult, docs/CONSULTATIONS.md): the bodies that run
-- them (the street-governance committee 街区治理委员会, the 协商于民 workstation of CPPCC members, a
-- residents' committee), the consultations with their questionnaire, the answers, and the work a
-- decision caused.

-- The bodies of a town that may run consultations (configurable per town).
CREATE TABLE consult_bodies (
    id          {{pk}},
    town_code   TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (town_code, name)
);

-- A consultation. questionnaire is the ordered questions as JSON (internal/consult.Question);
-- consent the household-consent rule as JSON ('' when it is not a consent consultation). The
-- scope says who may answer: the whole town, a grid, a residents' committee area or one building.
CREATE TABLE consultations (
    id             {{pk}},
    town_code      TEXT NOT NULL REFERENCES regions(code),
    body_id        BIGINT NOT NULL REFERENCES consult_bodies(id),
    title          TEXT NOT NULL,
    topic          TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    place_name     TEXT NOT NULL DEFAULT '',
    lat            {{real}},
    lng            {{real}},
    grid_code      TEXT REFERENCES grids(code) ON UPDATE CASCADE,
    scope_kind     TEXT NOT NULL,
    scope_code     TEXT NOT NULL DEFAULT '',
    per_household  INTEGER NOT NULL DEFAULT 0,
    anonymous      INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    opens_at       BIGINT NOT NULL,
    closes_at      BIGINT NOT NULL,
    questionnaire  TEXT NOT NULL,
    consent        TEXT NOT NULL DEFAULT '',
    summary        TEXT NOT NULL DEFAULT '',
    decision       TEXT NOT NULL DEFAULT '',
    decided_at     BIGINT,
    decided_by     BIGINT REFERENCES users(id),
    created_by     BIGINT REFERENCES users(id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (town_code, title)
);
CREATE INDEX consultations_town ON consultations(town_code, status, opens_at);

-- The work a consultation caused or serves: a work order (its number), a livelihood project, a
-- tracked result or a proposal (kind + ref, typed by hand: those packages are separate).
CREATE TABLE consult_links (
    id              {{pk}},
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    ref             TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    UNIQUE (consultation_id, kind, ref)
);

-- One answer. client_id is made by the answering device, so that a resend (the offline queue) is
-- the same answer; person_key ('u<user id>') makes one answer per signed-in person, household_key
-- (a hash of building and room) one per household where the consultation asks for it. NULLs never
-- collide: paper and anonymous answers carry no person_key.
CREATE TABLE consult_answers (
    id              {{pk}},
    consultation_id BIGINT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    person_key      TEXT,
    household_key   TEXT,
    household       TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    user_id         BIGINT REFERENCES users(id),
    entered_by      BIGINT REFERENCES users(id),
    respondent      TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    answers         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (consultation_id, client_id)
);
CREATE UNIQUE INDEX consult_answers_person ON consult_answers(consultation_id, person_key);
CREATE UNIQUE INDEX consult_answers_household ON consult_answers(consultation_id, household_key);
CREATE INDEX consult_answers_time ON consult_answers(consultation_id, created_at);
