DROP TABLE award_objections;
DROP TABLE awards;
ALTER TABLE competitions DROP COLUMN award_rules;
