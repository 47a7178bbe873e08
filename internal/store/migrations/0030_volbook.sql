-- Issue #15, second round (docs/BOOKINGS.md, docs/VOLUNTEERS.md).
-- A booking's hold is warned once before it runs out: the hold_until the warning was sent for.
ALTER TABLE bookings ADD COLUMN hold_warned_until BIGINT;
