-- Checkout (demo/app/shop/services/checkout.py, place_order): load the two
-- products, insert the order, then add and commit each line on its own
-- (session.add + commit in a loop, one round trip and one commit per line),
-- decrement stock per line, then payment and audit record in one
-- transaction, and notify the fulfilment worker. Best sellers dominate, so
-- the same product rows are updated again and again (HOT updates: stock and
-- products.updated_at are not indexed).
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
\set r1 random(0, 9999)
\set p1 1 + :r1 * :r1 * :r1 / 50000000
\set r2 random(0, 9999)
\set p2 1 + :r2 * :r2 * :r2 / 50000000
SELECT products.id, products.sku, products.name, products.description, products.category, products.price_cents, products.stock, products.updated_at FROM products WHERE products.id = :p1 \gset p1_
SELECT products.id, products.sku, products.name, products.description, products.category, products.price_cents, products.stock, products.updated_at FROM products WHERE products.id = :p2 \gset p2_
\set total :p1_price_cents + :p2_price_cents
INSERT INTO orders (customer_id, status, currency, total_cents, shipping_country, shipping_address, channel, coupon_code, created_at, updated_at) VALUES (:cid, 'pending', 'USD', :total, 'US', '1 Main St, Springfield', 'web', NULL, now(), now()) RETURNING orders.id \gset
INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (:id, :p1, 1, :p1_price_cents) RETURNING order_items.id;
UPDATE products SET stock=(products.stock - 1), updated_at=now() WHERE products.id = :p1;
INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (:id, :p2, 1, :p2_price_cents) RETURNING order_items.id;
UPDATE products SET stock=(products.stock - 1), updated_at=now() WHERE products.id = :p2;
BEGIN;
INSERT INTO payments (order_id, method, status, amount_cents, provider_ref, created_at) VALUES (:id, 'card', 'authorized', :total, 'ch_' || md5(':id'), now()) RETURNING payments.id;
INSERT INTO audit_log (actor, entity, entity_id, action, changes, created_at) VALUES ('api', 'order', :id, 'create', '{"status": "pending"}', now()) RETURNING audit_log.id;
COMMIT;
SELECT pg_notify('order_created', ':id');
