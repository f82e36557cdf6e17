ALTER TABLE reopen_requests DROP COLUMN old_value_centi;
