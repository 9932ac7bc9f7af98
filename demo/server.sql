-- demo/server.sql - server settings for the measured part of the demo (run
-- by scripts/demo.sh after the load, before the workload).
--
-- scripts/pg-sandbox.sh starts PostgreSQL with fsync, synchronous_commit and
-- full_page_writes off, which is right for tests and makes the demo load
-- fast. The workload must run on a server that behaves like production:
-- commits wait for the WAL flush, and the first change of a page after a
-- checkpoint writes the full page to WAL. All three are reloadable, no
-- restart needed.
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;

-- PROBLEM (configuration): max_wal_size = 128MB, carried over from the days of
-- checkpoint_segments = 3 (48MB) and raised only once since. The nightly
-- import alone writes more WAL than that, so PostgreSQL requests checkpoints
-- long before checkpoint_timeout; each one flushes all dirty buffers and,
-- with full_page_writes, makes the next change of every page log a full
-- page image.
ALTER SYSTEM SET max_wal_size = '128MB';

SELECT pg_reload_conf();
