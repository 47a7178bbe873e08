-- Release hotline numbers that a user account claimed in advance (issue #9, item 3). Before this
-- release any orders:create caller could send channel "hotline" with an external_id; when the real
-- hotline row arrived the importer updated that order and its raiser read the real caller's name
-- and phone. Forms can no longer set either field, and the importer refuses to touch an order a
-- user raised — which would leave such a number blocked for good. An order raised by a user account
-- is that user's own report: it takes the channel of the raiser's role and gives the number back,
-- so the real hotline row becomes an order of its own on its next import or push.
UPDATE orders SET
    channel = CASE (SELECT role FROM users WHERE users.id = orders.raised_by)
        WHEN 'resident' THEN 'resident'
        WHEN 'gridworker' THEN 'patrol'
        WHEN 'gridleader' THEN 'patrol'
        ELSE 'api' END,
    external_id = NULL
WHERE channel = 'hotline' AND raised_by IS NOT NULL;
