-- How a team event scores its teams: as one (the team works one station and is marked there),
-- or from its members' own scores (each competing member works a station of their own; the team
-- scores their sum or mean). NULL for individual events.
ALTER TABLE events ADD COLUMN team_scoring TEXT;
UPDATE events SET team_scoring = 'as_one' WHERE mode = 'team';

-- The stations of a team's members where each member works their own: the captain's is the
-- registration's draw assignment, each team-mate's is here. Drawn with the registration, from
-- the same seed.
CREATE TABLE member_stations (
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons (id),
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    station_number INTEGER NOT NULL,
    PRIMARY KEY (registration_id, person_id),
    UNIQUE (event_id, station_number)
);
CREATE INDEX member_stations_person_id_idx ON member_stations (person_id);
