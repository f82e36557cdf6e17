DROP TABLE results;
DROP TABLE result_sets;
