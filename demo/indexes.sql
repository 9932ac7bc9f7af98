-- demo/indexes.sql - secondary indexes of the pgopt demo database (run after
-- data.sql; see schema.sql for why they come last).
--
-- Every index here is one a real team could have added for a reason; the
-- ones marked PROBLEM are what pgopt's index advisor should call out. What
-- is *missing* matters as much: there is deliberately no index on
-- orders.customer_id, order_items.product_id, payments.order_id,
-- customers.account_id, lower(customers.email), products.name (trigram),
-- events.payload (GIN) or events.created_at.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET maintenance_work_mem = '256MB';

-- Good index: order detail pages and the ORM's lazy load of Order.items.
CREATE INDEX order_items_order_id_idx ON order_items (order_id);

-- Good index: the admin order list and the revenue reports range over
-- created_at.
CREATE INDEX orders_created_at_idx ON orders (created_at);

-- PROBLEM (exact duplicate): someone added "an index for the email lookup"
-- without noticing that the UNIQUE constraint already has one. Twice the
-- write cost, no read benefit - and neither serves lower(email) = $1.
CREATE INDEX customers_email_idx ON customers (email);

-- PROBLEM (low selectivity): 97% of customers are active. The planner will
-- not use this for is_active = true, and is_active = false is never asked.
CREATE INDEX customers_is_active_idx ON customers (is_active);

-- PROBLEM (partial index opportunity): a full index on a skewed status
-- column. Only the rare states (pending, processing: ~0.5% of the rows) are
-- ever asked for, by the fulfilment worker's poll - and the planner does not
-- even use this index for it: it walks orders_created_at_idx and throws away
-- thousands of delivered orders per poll. An index on (created_at) WHERE
-- status IN ('pending', 'processing') serves the poll exactly and is a
-- fraction of the size.
CREATE INDEX orders_status_idx ON orders (status);

-- PROBLEM (unused, and it blocks HOT): added for a data-sync job that was
-- retired. Never scanned, and because status updates also set updated_at,
-- every status change must insert into it instead of being a HOT update.
CREATE INDEX orders_updated_at_idx ON orders (updated_at);

-- PROBLEM (prefix-redundant): (account_id) is a leading prefix of
-- (account_id, created_at), which serves every query the first one serves.
CREATE INDEX events_account_id_idx ON events (account_id);
CREATE INDEX events_account_id_created_at_idx ON events (account_id, created_at);

-- PROBLEM (unused): audit lookups by actor were planned, never built.
CREATE INDEX audit_log_actor_idx ON audit_log (actor, created_at);

-- Sessions are found by customer; last_seen_at is indexed for an expiry
-- sweep that runs rarely - PROBLEM: that index turns every session touch
-- into a non-HOT update (see schema.sql, customer_sessions).
CREATE INDEX customer_sessions_customer_id_idx ON customer_sessions (customer_id);
CREATE INDEX customer_sessions_last_seen_at_idx ON customer_sessions (last_seen_at);

-- Planner statistics and visibility map for the freshly loaded tables.
VACUUM (ANALYZE);
