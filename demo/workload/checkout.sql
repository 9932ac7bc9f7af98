-- Checkout (demo/app/shop/services/checkout.py, place_order): load each
-- product (session.get per cart line), insert the order, then add and commit
-- each line on its own (session.add + commit in a loop: one transaction and
-- one WAL flush per line), with the stock the ORM computed in Python (a
-- lost update when two checkouts race), then payment and audit record in
-- one transaction, and notify the fulfilment worker. Best sellers dominate,
-- so the same product rows are updated again and again (HOT updates: stock
-- is not indexed).
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
\set r1 random(0, 9999)
\set p1 1 + :r1 * :r1 * :r1 / 50000000
\set r2 random(0, 9999)
\set p2 1 + :r2 * :r2 * :r2 / 50000000
SELECT products.id AS products_id, products.sku AS products_sku, products.name AS products_name, products.description AS products_description, products.category AS products_category, products.price_cents AS products_price_cents, products.stock AS products_stock, products.updated_at AS products_updated_at FROM products WHERE products.id = :p1 \gset p1_
SELECT products.id AS products_id, products.sku AS products_sku, products.name AS products_name, products.description AS products_description, products.category AS products_category, products.price_cents AS products_price_cents, products.stock AS products_stock, products.updated_at AS products_updated_at FROM products WHERE products.id = :p2 \gset p2_
\set total :p1_products_price_cents + :p2_products_price_cents
\set stock1 :p1_products_stock - 1
\set stock2 :p2_products_stock - 1
INSERT INTO orders (customer_id, status, currency, total_cents, shipping_country, shipping_address, channel, coupon_code) VALUES (:cid, 'pending', 'USD', :total, 'US', '1 Main St, Springfield', 'web', NULL) RETURNING orders.id, orders.created_at, orders.updated_at \gset
BEGIN;
UPDATE products SET stock=:stock1 WHERE products.id = :p1;
INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (:id, :p1, 1, :p1_products_price_cents) RETURNING order_items.id;
COMMIT;
BEGIN;
UPDATE products SET stock=:stock2 WHERE products.id = :p2;
INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (:id, :p2, 1, :p2_products_price_cents) RETURNING order_items.id;
COMMIT;
BEGIN;
INSERT INTO payments (order_id, method, status, amount_cents, provider_ref) VALUES (:id, 'card', 'authorized', :total, 'ch_' || md5(':id')) RETURNING payments.id, payments.created_at;
INSERT INTO audit_log (actor, entity, entity_id, action, changes) VALUES ('api', 'order', :id, 'create', '{"status": "pending"}') RETURNING audit_log.id, audit_log.created_at;
COMMIT;
SELECT pg_notify('order_created', ':id');
