-- Plan targets (DESIGN §7) as data: what a region's plan asks for, per year or cumulatively.
CREATE TABLE plan_targets (
    id TEXT PRIMARY KEY NOT NULL,
    plan TEXT NOT NULL,
    region_code TEXT NOT NULL,
    -- workers_trades, workers_competitions, workers_contestants, champions, technical_experts, …
    metric TEXT NOT NULL,
    -- annual or cumulative
    period TEXT NOT NULL,
    from_year INTEGER NOT NULL,
    to_year INTEGER NOT NULL,
    target BIGINT NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (region_code, plan, metric)
);
