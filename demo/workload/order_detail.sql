-- Order detail page (demo/app/shop/services/orders.py, order_detail): the
-- order with its items eagerly loaded (selectinload: one extra query, not
-- one per item), and its payments (lazy load of Order.payments).
-- PROBLEM: payments.order_id has no index: the payments lookup reads the
-- whole payments table.
\set oid 1200000 - random_exponential(0, 240000, 3)
SELECT orders.id, orders.customer_id, orders.status, orders.currency, orders.total_cents, orders.shipping_country, orders.shipping_address, orders.channel, orders.coupon_code, orders.created_at, orders.updated_at FROM orders WHERE orders.id = :oid;
SELECT order_items.order_id AS order_items_order_id, order_items.id AS order_items_id, order_items.product_id AS order_items_product_id, order_items.quantity AS order_items_quantity, order_items.unit_price_cents AS order_items_unit_price_cents FROM order_items WHERE order_items.order_id IN (:oid);
SELECT payments.id AS payments_id, payments.order_id AS payments_order_id, payments.method AS payments_method, payments.status AS payments_status, payments.amount_cents AS payments_amount_cents, payments.provider_ref AS payments_provider_ref, payments.created_at AS payments_created_at FROM payments WHERE :oid = payments.order_id;
