-- Service requests past their deadline are escalated like work orders (issue #16): the provider
-- department's handlers and the dispatchers are told once per deadline, and escalated_at is the
-- marker that says so (set in the same transaction as the notices; a deadline that moves later
-- makes the request eligible again, as order_stages.escalated_at does).
ALTER TABLE service_requests ADD COLUMN escalated_at BIGINT;
-- A notice about something other than a work order (a service request) carries the page it is
-- about, so that the inbox links to it and opening that page reads it. Order notices keep
-- order_id and leave it empty.
ALTER TABLE notifications ADD COLUMN link TEXT NOT NULL DEFAULT '';
