-- Product analytics: events of one day in the last month. The client sends
-- the day's bounds as epoch seconds (run.sh passes the load day's midnight
-- as now_epoch).
-- PROBLEM: a time range on an append-only table with no index on
-- created_at (a BRIN index of a few pages would do).
\set day random(1, 30)
\set lo :now_epoch - :day * 86400
\set hi :lo + 86400
SELECT type, count(*) AS events FROM events WHERE created_at >= to_timestamp(:lo) AND created_at < to_timestamp(:hi) GROUP BY type;
