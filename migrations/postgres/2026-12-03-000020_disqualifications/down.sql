DROP TABLE disqualifications;
