-- The name staff accounts are shown by (a judge, an organiser, an official): people are named,
-- not their usernames, on panels, lists and the audit trail. Contestants are named by their profile.
ALTER TABLE users ADD COLUMN full_name TEXT;
