-- Issue #15, second round (docs/BOOKINGS.md, docs/VOLUNTEERS.md).
-- A booking's hold is warned once before it runs out: the hold_until the warning was sent for.
ALTER TABLE bookings ADD COLUMN hold_warned_until BIGINT;

-- The 7-day publication (公示) of volunteer hours: published_at is when an attendance's credited
-- figure was set (check-out, the lead's check-out, an adjustment); it counts towards totals,
-- certificates and statistics once 7 days have passed without an open objection. Rows recorded
-- before this migration are taken as published long ago (0).
ALTER TABLE vol_attendance ADD COLUMN published_at BIGINT;
ALTER TABLE vol_attendance ADD COLUMN objection TEXT NOT NULL DEFAULT '';
ALTER TABLE vol_attendance ADD COLUMN objected_by BIGINT REFERENCES users(id);
ALTER TABLE vol_attendance ADD COLUMN objected_at BIGINT;
UPDATE vol_attendance SET published_at = 0 WHERE minutes IS NOT NULL OR adjusted_minutes IS NOT NULL;
