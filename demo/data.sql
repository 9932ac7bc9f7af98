-- demo/data.sql - deterministic data for the pgopt demo (run after schema.sql).
--
-- Plain SQL with generate_series: no external tools, ~1 GB in about half a
-- minute on two cores. Every "random" value is u(key, salt): a uniform
-- number in [0, 1) hashed from the row's key (hashint8extended). Unlike
-- random() after setseed(), the value does not depend on the order in which
-- the executor happens to evaluate rows, so the data is the same on every
-- load and the load can run in parallel sessions. Only timestamps move
-- with the load time, because the workload asks for "the last 30 days"
-- relative to now().
--
-- Parts, so that scripts/demo.sh can use two cores:
--   psql -v part=base     -f data.sql   accounts, customers, products (first)
--   psql -v part=orders   -f data.sql   orders, payments           } at the
--   psql -v part=activity -f data.sql   order_items, events,       } same time
--                                       audit_log, customer_sessions
-- Without -v part the whole file runs in one session.
--
-- Sizes (the hot tables exceed the default 128MB shared_buffers, so that
-- sequential scans really read, while the demo stays short):
--   accounts 10k, customers 200k, products 20k, orders 1.2M (~150 MB),
--   order_items ~2.4M, payments ~600k, events 400k, audit_log 100k,
--   customer_sessions 60k.
--
-- Distributions are skewed like real shops: a few customers place many
-- orders (P(id <= k) = sqrt(k / N): customer 1 is the busiest), a few
-- products sell most (cube of a uniform), ~92% of orders are delivered and
-- only ~0.4% are pending.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- The load sorts and hashes millions of rows; give this session room
-- (the server's own settings stay at their defaults).
SET work_mem = '256MB';
SET synchronous_commit = off;
-- Foreign keys are declared in schema.sql; do not check them row by row
-- (the data is consistent by construction), as pg_restore
-- --disable-triggers does. Needs a superuser, which the demo sandbox has.
SET session_replication_role = replica;

\if :{?part}
\else
\set part all
\endif
SELECT :'part' IN ('all', 'base') AS run_base,
       :'part' IN ('all', 'orders') AS run_orders,
       :'part' IN ('all', 'activity') AS run_activity,
       :'part' IN ('all', 'base', 'orders', 'activity') AS part_known \gset
\if :part_known
\else
\echo 'data.sql: unknown part' :'part' '(expected base, orders or activity)'
\quit 1
\endif
-- Results of the setval() calls below are of no interest.
\o /dev/null

-- u(key, salt): uniform in [0, 1), reproducible. SQL functions this simple
-- are inlined by the planner, so they cost no call overhead.
CREATE FUNCTION pg_temp.u(k bigint, salt bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8extended(k, salt) & 2147483647)::double precision / 2147483648.0 $$;

-- The lines of order o, shared by the orders part (for the order total) and
-- the activity part (for the order_items rows): 1-3 lines, products skewed
-- towards the best sellers, mostly quantity 1.
CREATE FUNCTION pg_temp.line_count(o bigint) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 1 + floor(3 * pg_temp.u(o, 11))::int $$;
CREATE FUNCTION pg_temp.line_product(o bigint, line int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 1 + floor(20000 * power(pg_temp.u(o * 4 + line, 12), 3))::int $$;
CREATE FUNCTION pg_temp.line_quantity(o bigint, line int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN pg_temp.u(o * 4 + line, 13) < 0.8 THEN 1
                      ELSE 2 + floor(3 * pg_temp.u(o * 4 + line, 14))::int END $$;
-- prices: products.price_cents indexed by product id (one array, read once).
CREATE FUNCTION pg_temp.line_total(o bigint, line int, prices int[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN line <= pg_temp.line_count(o)
                      THEN pg_temp.line_quantity(o, line)::bigint * prices[pg_temp.line_product(o, line)]
                      ELSE 0 END $$;

\if :run_base
-- accounts: 10k tenants, mostly on the small plans.
INSERT INTO accounts (id, name, plan, created_at)
SELECT i,
       (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne',
              'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent'])[1 + i % 12] || ' ' ||
       (ARRAY['Labs', 'Retail', 'Group', 'Studio', 'Supply', 'Foods', 'Outdoor', 'Media'])[1 + i / 12 % 8] ||
       ' ' || i,
       CASE WHEN pg_temp.u(i, 101) < 0.55 THEN 'free' WHEN pg_temp.u(i, 101) < 0.85 THEN 'team'
            WHEN pg_temp.u(i, 101) < 0.97 THEN 'business' ELSE 'enterprise' END,
       now() - interval '1500 days' * (1 - i / 10000.0)
FROM generate_series(1, 10000) AS i;

-- customers: 200k, spread over accounts with a skew towards the first ones.
-- Emails are customer<id>@example.com; a quarter were stored with the
-- capitalisation the user typed (Customer<id>@Example.com), which is why
-- the application compares lower(email).
INSERT INTO customers (id, account_id, email, full_name, country, is_active, marketing_opt_in,
                       created_at, last_login_at)
SELECT i,
       1 + floor(10000 * power(pg_temp.u(i, 201), 2))::bigint,
       CASE WHEN pg_temp.u(i, 202) < 0.25 THEN 'Customer' || i || '@Example.com'
            ELSE 'customer' || i || '@example.com' END,
       (ARRAY['Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Mia', 'Lucas',
              'Hana', 'Mateo', 'Aisha', 'Kenji', 'Ingrid', 'Tomás'])[1 + floor(16 * pg_temp.u(i, 203))::int] || ' ' ||
       (ARRAY['Smith', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Kowalski', 'Tanaka', 'Silva', 'Novak',
              'Jensen', 'Okafor', 'Nguyen', 'Cohen', 'Larsen'])[1 + floor(14 * pg_temp.u(i, 204))::int],
       (ARRAY['US', 'US', 'US', 'GB', 'DE', 'FR', 'CA', 'NL', 'ES', 'IT', 'SE', 'AU', 'JP', 'BR', 'PL', 'IE'])
           [1 + floor(16 * power(pg_temp.u(i, 205), 1.5))::int],
       pg_temp.u(i, 206) < 0.97,
       pg_temp.u(i, 207) < 0.35,
       now() - interval '1400 days' * (1 - i / 200000.0),
       now() - interval '90 days' * power(pg_temp.u(i, 208), 3)
FROM generate_series(1, 200000) AS i;

-- products: 20k in 12 categories; names carry a 4-digit model number that
-- the storefront search box is used with.
INSERT INTO products (id, sku, name, description, category, price_cents, stock, updated_at)
SELECT i,
       'SKU-' || lpad(i::text, 6, '0'),
       (ARRAY['Ergonomic', 'Rustic', 'Sleek', 'Compact', 'Heavy-Duty', 'Premium', 'Eco', 'Classic'])
           [1 + i % 8] || ' ' ||
       (ARRAY['Steel', 'Oak', 'Cotton', 'Leather', 'Granite', 'Bamboo', 'Wool', 'Carbon'])[1 + i / 8 % 8] || ' ' ||
       (ARRAY['Chair', 'Desk', 'Lamp', 'Backpack', 'Kettle', 'Jacket', 'Speaker', 'Bottle', 'Tent', 'Watch',
              'Blender', 'Helmet'])[1 + i / 64 % 12] || ' ' || lpad((i * 7919 % 10000)::text, 4, '0'),
       'Model ' || lpad((i * 7919 % 10000)::text, 4, '0') || '. ' ||
       repeat('Durable, well reviewed and shipped from our own warehouse. ', 1 + i % 3),
       (ARRAY['furniture', 'office', 'lighting', 'bags', 'kitchen', 'apparel', 'audio', 'outdoor', 'sports',
              'accessories', 'home', 'garden'])[1 + i / 64 % 12],
       199 + floor(49800 * power(pg_temp.u(i, 301), 2))::int,
       floor(500 * pg_temp.u(i, 302))::int,
       now() - interval '365 days' * pg_temp.u(i, 303)
FROM generate_series(1, 20000) AS i;

SELECT setval(pg_get_serial_sequence('accounts', 'id'), 10000);
SELECT setval(pg_get_serial_sequence('customers', 'id'), 200000);
SELECT setval(pg_get_serial_sequence('products', 'id'), 20000);
\endif

\if :run_orders
-- orders: 1.2M over the last two years, id order = time order. Customer
-- ids are skewed (customer 1 is the busiest). Status follows age: recent
-- orders are in flight, old ones delivered, cancelled or refunded, plus a
-- few abandoned "pending" payments nobody cleaned up.
INSERT INTO orders (id, customer_id, status, currency, total_cents, shipping_country, shipping_address,
                    channel, coupon_code, created_at, updated_at)
SELECT g.i,
       1 + floor(200000 * power(pg_temp.u(g.i, 401), 2))::bigint,
       CASE
           WHEN g.age < interval '1 day' THEN (CASE WHEN g.r < 0.5 THEN 'pending' ELSE 'processing' END)
           WHEN g.age < interval '3 days' THEN (CASE WHEN g.r < 0.2 THEN 'processing' ELSE 'shipped' END)
           WHEN g.age < interval '10 days' THEN (CASE WHEN g.r < 0.7 THEN 'shipped' ELSE 'delivered' END)
           WHEN g.r < 0.003 THEN 'pending'
           WHEN g.r < 0.04 THEN 'cancelled'
           WHEN g.r < 0.07 THEN 'refunded'
           ELSE 'delivered'
       END,
       CASE WHEN g.r2 < 0.90 THEN 'USD' WHEN g.r2 < 0.96 THEN 'EUR' ELSE 'GBP' END,
       pg_temp.line_total(g.i, 1, pr.prices) + pg_temp.line_total(g.i, 2, pr.prices)
           + pg_temp.line_total(g.i, 3, pr.prices),
       (ARRAY['US', 'US', 'US', 'GB', 'DE', 'FR', 'CA', 'NL', 'ES', 'IT'])[1 + floor(10 * power(g.r2, 1.5))::int],
       (100 + g.i * 37 % 9900) || ' ' ||
       (ARRAY['Main St', 'Oak Ave', 'Park Rd', 'High St', 'Elm St', 'Lake Dr', 'Hill Rd', 'Mill Ln'])[1 + g.i % 8] ||
       ', ' || (ARRAY['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Salem', 'Madison',
                      'Georgetown', 'Clinton', 'Fairview'])[1 + g.i / 8 % 10],
       CASE WHEN g.r3 < 0.55 THEN 'web' WHEN g.r3 < 0.75 THEN 'ios' WHEN g.r3 < 0.92 THEN 'android'
            ELSE 'marketplace' END,
       CASE WHEN pg_temp.u(g.i, 406) < 0.12
            THEN (ARRAY['WELCOME10', 'SPRING', 'FREESHIP', 'VIP20', 'BLACKFRIDAY'])[1 + floor(5 * pg_temp.u(g.i, 407))::int]
       END,
       now() - g.age,
       now() - g.age + interval '1 hour' * floor(48 * pg_temp.u(g.i, 404))
FROM (SELECT i, pg_temp.u(i, 402) AS r, pg_temp.u(i, 403) AS r2, pg_temp.u(i, 408) AS r3,
             interval '730 days' * (1 - i / 1200000.0) + interval '1 minute' * floor(30 * pg_temp.u(i, 405)) AS age
      FROM generate_series(1::bigint, 1200000) AS i) AS g,
     (SELECT array_agg(price_cents ORDER BY id) AS prices FROM products) AS pr;

SELECT setval(pg_get_serial_sequence('orders', 'id'), 1200000);

-- payments: one per order of the last year that got past checkout (older
-- payments live in the finance warehouse); payment id = order id.
INSERT INTO payments (id, order_id, method, status, amount_cents, provider_ref, created_at)
SELECT o.id, o.id,
       CASE WHEN pg_temp.u(o.id, 501) < 0.70 THEN 'card' WHEN pg_temp.u(o.id, 501) < 0.90 THEN 'paypal'
            WHEN pg_temp.u(o.id, 501) < 0.97 THEN 'bank_transfer' ELSE 'gift_card' END,
       CASE o.status WHEN 'refunded' THEN 'refunded' WHEN 'cancelled' THEN 'failed'
                     WHEN 'processing' THEN 'authorized' ELSE 'captured' END,
       o.total_cents,
       'ch_' || lpad(to_hex(hashint8extended(o.id, 502) & x'7fffffffffff'::bigint), 12, '0'),
       o.created_at + interval '1 second' * floor(600 * pg_temp.u(o.id, 503))
FROM orders AS o
WHERE o.status <> 'pending' AND o.id > 600000;

SELECT setval(pg_get_serial_sequence('payments', 'id'), 1200000);
\endif

\if :run_activity
-- order_items: the lines of every order (see line_count and friends),
-- numbered densely in order. The window runs before the price lookup so
-- that it does not carry the price array along with every row.
INSERT INTO order_items (id, order_id, product_id, quantity, unit_price_cents)
SELECT l.n, l.o, l.p, pg_temp.line_quantity(l.o, l.line), pr.prices[l.p]
FROM (SELECT row_number() OVER () AS n, o, line, pg_temp.line_product(o, line) AS p
      FROM generate_series(1::bigint, 1200000) AS o,
           LATERAL generate_series(1, pg_temp.line_count(o)) AS line) AS l,
     (SELECT array_agg(price_cents ORDER BY id) AS prices FROM products) AS pr;

SELECT setval(pg_get_serial_sequence('order_items', 'id'), (SELECT max(id) FROM order_items));

-- events: 400k over the last 180 days, busy accounts first; a fifth of them
-- carry one of 50 marketing campaigns in the jsonb payload.
INSERT INTO events (id, account_id, customer_id, type, payload, created_at)
SELECT i, 1 + floor(10000 * power(pg_temp.u(i, 601), 2))::bigint,
       CASE WHEN pg_temp.u(i, 602) < 0.7 THEN 1 + floor(200000 * power(pg_temp.u(i, 603), 2))::bigint END,
       e.type,
       jsonb_strip_nulls(jsonb_build_object(
           'path', CASE e.type WHEN 'page_view' THEN '/p/' || (1 + floor(20000 * power(pg_temp.u(i, 604), 3))::int)
                               WHEN 'add_to_cart' THEN '/cart' WHEN 'checkout' THEN '/checkout'
                               ELSE '/' END,
           'source', (ARRAY['web', 'web', 'ios', 'android'])[1 + floor(4 * pg_temp.u(i, 605))::int],
           'campaign', CASE WHEN pg_temp.u(i, 606) < 0.2 THEN 'c_' || (1 + floor(50 * pg_temp.u(i, 607))::int) END,
           'duration_ms', floor(5000 * pg_temp.u(i, 608))::int)),
       now() - interval '180 days' * (1 - i / 400000.0)
FROM (SELECT i,
             CASE WHEN pg_temp.u(i, 609) < 0.60 THEN 'page_view' WHEN pg_temp.u(i, 609) < 0.80 THEN 'add_to_cart'
                  WHEN pg_temp.u(i, 609) < 0.90 THEN 'checkout' WHEN pg_temp.u(i, 609) < 0.95 THEN 'signup'
                  ELSE 'email_click' END AS type
      FROM generate_series(1::bigint, 400000) AS i) AS e;

-- audit_log: 100k past changes.
INSERT INTO audit_log (id, actor, entity, entity_id, action, changes, created_at)
SELECT i, (ARRAY['system', 'fulfilment-worker', 'support:ana', 'support:ben', 'api'])[1 + floor(5 * pg_temp.u(i, 701))::int],
       (ARRAY['order', 'order', 'order', 'customer', 'product'])[1 + i % 5],
       1 + floor(1200000 * pg_temp.u(i, 702))::bigint,
       (ARRAY['update', 'update', 'create', 'delete'])[1 + floor(4 * pg_temp.u(i, 703))::int],
       jsonb_build_object('field', 'status', 'old', 'processing', 'new', 'shipped'),
       now() - interval '365 days' * (1 - i / 100000.0)
FROM generate_series(1::bigint, 100000) AS i;

-- customer_sessions: 60k live sessions, busy customers first.
INSERT INTO customer_sessions (id, customer_id, token, user_agent, last_seen_at, expires_at, data)
SELECT i, 1 + floor(200000 * power(pg_temp.u(i, 801), 2))::bigint,
       md5('session' || i),
       (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)',
              'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)', 'okhttp/4.12.0'])[1 + i % 4],
       now() - interval '2 days' * pg_temp.u(i, 802),
       now() + interval '30 days',
       jsonb_build_object('cart_items', floor(4 * pg_temp.u(i, 803))::int, 'locale', 'en')
FROM generate_series(1::bigint, 60000) AS i;

SELECT setval(pg_get_serial_sequence('events', 'id'), 400000);
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('customer_sessions', 'id'), 60000);
\endif
