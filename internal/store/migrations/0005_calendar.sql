-- Official holiday calendars loaded by an administrator (`civicgrid calendar load FILE`), on top of
-- the years built into the binary. One row per year; a later load replaces the year.
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    body       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    loaded_at  BIGINT NOT NULL,
    loaded_by  TEXT NOT NULL DEFAULT ''
);
