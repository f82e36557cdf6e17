-- The value a re-open request changes from, so the list shows old and new side by side after approval.
ALTER TABLE reopen_requests ADD COLUMN old_value_centi INTEGER NOT NULL DEFAULT 0;
UPDATE reopen_requests SET old_value_centi = (SELECT value_centi FROM marks WHERE marks.id = reopen_requests.mark_id);
-- At most one request per mark waits for a supervisor, also when two arrive at once.
CREATE UNIQUE INDEX reopen_requests_one_pending ON reopen_requests (mark_id) WHERE status = 'pending';
