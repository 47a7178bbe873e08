-- The address book routes estates' buildings and landmarks too (issue #12, "Where"): a row is a
-- road and number, an estate (with or without one of its buildings) or a landmark, and its grid.
-- An imported row may come without coordinates: lat and lng stay 0 then.
ALTER TABLE addresses ADD COLUMN building TEXT NOT NULL DEFAULT '';
ALTER TABLE addresses ADD COLUMN landmark TEXT NOT NULL DEFAULT '';
