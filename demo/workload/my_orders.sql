-- Storefront "My orders" page as the ORM issues it (demo/app/shop/services/
-- orders.py, recent_orders_page): the customer, the last ten orders, then
-- one lazy load of Order.items per order - the N+1 pattern.
-- PROBLEM: orders.customer_id has no index, so the second statement reads
-- the whole orders table on every page view.
-- pgbench cannot iterate over a result set, so the lazy loads use ids drawn
-- from the recent orders instead of the ones just fetched; the statements,
-- their plans and their call counts are those of the real page.
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT customers.id AS customers_id, customers.account_id AS customers_account_id, customers.email AS customers_email, customers.full_name AS customers_full_name, customers.country AS customers_country, customers.is_active AS customers_is_active, customers.marketing_opt_in AS customers_marketing_opt_in, customers.created_at AS customers_created_at, customers.last_login_at AS customers_last_login_at FROM customers WHERE customers.id = :cid;
SELECT orders.id, orders.customer_id, orders.status, orders.currency, orders.total_cents, orders.shipping_country, orders.shipping_address, orders.channel, orders.coupon_code, orders.created_at, orders.updated_at FROM orders WHERE orders.customer_id = :cid ORDER BY orders.created_at DESC LIMIT 10;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
\set oid 1200000 - random_exponential(0, 160000, 3)
SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE :oid = order_items.order_id;
