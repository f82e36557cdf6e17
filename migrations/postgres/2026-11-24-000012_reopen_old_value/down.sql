DROP INDEX reopen_requests_one_pending;
ALTER TABLE reopen_requests DROP COLUMN old_value_centi;
