-- Fixed-window counters for rate limits (login, sign-up), kept in the database so that every
-- node behind a load balancer counts the same attempts.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);
