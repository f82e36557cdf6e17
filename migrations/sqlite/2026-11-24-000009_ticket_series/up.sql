-- 准考证号 carry the competition's series within its year, so that two competitions of one year
-- never hand out the same number. Given when the competition's roster becomes final.
ALTER TABLE competitions ADD COLUMN ticket_series INTEGER;
CREATE UNIQUE INDEX competitions_ticket_series_idx ON competitions (year, ticket_series);
