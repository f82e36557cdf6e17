-- System settings that are data: the defaults a new competition or event takes, as admins set
-- them (domain::settings lists the keys, their defaults and ranges). A key not here has its
-- default.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX settings_updated_by_idx ON settings (updated_by);
