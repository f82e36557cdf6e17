DROP TABLE member_stations;
ALTER TABLE events DROP COLUMN team_scoring;
