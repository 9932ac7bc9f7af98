-- OLTP schema with planted truth (see truth.txt): the indexes the workload
-- needs are missing; an identical duplicate, a prefix-redundant index and
-- an unused index are added. Skewed data: order status (1% 'pending', which
-- a queue query always asks for: a partial index), customer activity.
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- records the constants of executed quals (constvalue): the advisor's source
-- for partial indexes, since pg_stat_statements keeps only $n
CREATE EXTENSION IF NOT EXISTS pg_qualstats;
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL,
  created_at timestamp NOT NULL, deleted_at timestamp);
CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, category int NOT NULL,
  price numeric NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
  total numeric NOT NULL, created_at timestamp NOT NULL);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL, product_id int NOT NULL,
  qty int NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, customer_id int NOT NULL, kind int NOT NULL,
  at timestamp NOT NULL, payload text);
INSERT INTO customers SELECT i, 'User' || i || '@Example.com', (ARRAY['de','fr','us','uk','jp'])[1 + i % 5],
  timestamp '2023-01-01' + i * interval '7 minutes', CASE WHEN i % 20 = 0 THEN now() END
  FROM generate_series(1, 100000) i;
INSERT INTO products SELECT i, 'product ' || md5(i::text), i % 500, (i % 997) / 3.0
  FROM generate_series(1, 50000) i;
-- skew: a tenth of the customers place most orders
INSERT INTO orders SELECT i, CASE WHEN i % 3 = 0 THEN 1 + (i::bigint * 7919) % 100000 ELSE 1 + (i * 31) % 10000 END,
  CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 10 = 0 THEN 'shipped' ELSE 'done' END,
  (i % 5000) / 7.0, timestamp '2023-01-01' + i * interval '1 minute' FROM generate_series(1, 600000) i;
INSERT INTO order_items SELECT i, 1 + (i::bigint * 104729) % 600000, 1 + (i * 13) % 50000, 1 + i % 5
  FROM generate_series(1, 1200000) i;
INSERT INTO events SELECT i, 1 + (i * 17) % 100000, i % 40, timestamp '2024-01-01' + i * interval '20 seconds',
  md5(i::text) FROM generate_series(1, 800000) i;
-- planted drops
CREATE INDEX idx_orders_total ON orders (total);
CREATE INDEX idx_orders_total_dup ON orders (total);
CREATE INDEX idx_customers_country ON customers (country);
CREATE INDEX idx_customers_country_created ON customers (country, created_at);
CREATE INDEX idx_order_items_qty ON order_items (qty);
CREATE INDEX idx_events_payload ON events (payload);
