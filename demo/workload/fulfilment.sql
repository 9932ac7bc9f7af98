-- The fulfilment worker (a long-lived connection): it holds a session-level
-- advisory lock while it works so that only one worker runs, LISTENs for new
-- orders, polls the open ones and ships one.
-- Session state (advisory lock, LISTEN, SET) is what breaks when such a
-- client is moved behind PgBouncer in transaction mode.
-- PROBLEM: the poll spells the status list as an OR chain (= ANY is the
-- idiom) and no index fits it: the planner walks orders_created_at_idx and
-- filters out thousands of rows per poll, while orders_status_idx sits
-- unused. A partial index on created_at WHERE status IN ('pending',
-- 'processing') fits it exactly.
SET statement_timeout = '5s';
SELECT pg_try_advisory_lock(4242);
LISTEN order_created;
SELECT id, customer_id, total_cents, created_at FROM orders WHERE status = 'pending' OR status = 'processing' ORDER BY created_at LIMIT 20;
\set oid 1200000 - random(0, 3000)
UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = :oid;
INSERT INTO audit_log (actor, entity, entity_id, action, changes) VALUES ('fulfilment-worker', 'order', :oid, 'update', '{"field": "status", "new": "shipped"}');
SELECT pg_advisory_unlock(4242);
