-- Every authenticated request touches the session (demo/app/shop/web/
-- routes.py, before_request).
-- PROBLEM: customer_sessions.last_seen_at is indexed, so none of these
-- updates can be HOT: each leaves a dead tuple plus new index entries, on a
-- table too small for the default autovacuum scale factor to react soon.
\set r random(0, 999999)
\set sid 1 + :r * :r / 16666667
UPDATE customer_sessions SET last_seen_at=now() WHERE customer_sessions.id = :sid;
