DROP TABLE finish_times;
