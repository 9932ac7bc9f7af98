-- Product analytics: events of one day in the last month.
-- PROBLEM: a time range on an append-only table with no index on
-- created_at (a BRIN index of a few pages would do).
\set d random(1, 30)
SELECT type, count(*) AS events FROM events WHERE created_at >= date_trunc('day', now()) - :d * interval '1 day' AND created_at < date_trunc('day', now()) - (:d - 1) * interval '1 day' GROUP BY type;
