DROP TABLE upgrade_applications;
DROP TABLE marking_schemes;
DROP TABLE technical_documents;
DROP TABLE event_sessions;
DROP TABLE events;
DROP TABLE competition_bodies;
DROP TABLE competitions;
DROP TABLE trades;
