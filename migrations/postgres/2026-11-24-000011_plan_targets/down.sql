DROP TABLE plan_targets;
