-- A callback (回访) can end without a rating (issue #13: the leader's "late now" and the
-- centre's late callbacks). Action end_callback records why — unreachable (未接通), declined
-- (拒绝评价), no_contact (无法回访) — in orders.callback_outcome and finishes the callback stage,
-- so a closed order nobody could rate stops being the centre's late stage for ever. '' while
-- the callback runs, once rated, and for every order closed before this migration.
ALTER TABLE orders ADD COLUMN callback_outcome TEXT NOT NULL DEFAULT '';
