-- Back-office order list (demo/app/shop/services/orders.py, admin_order_page):
-- newest first, 50 per page, pages addressed by number.
-- PROBLEM: OFFSET pagination reads and throws away every row before the
-- page; deep pages cost in proportion to their depth (keyset pagination on
-- (created_at, id) costs the same for every page).
\set page random_exponential(0, 400, 4)
\set off :page * 50
SELECT orders.id, orders.customer_id, orders.status, orders.currency, orders.total_cents, orders.shipping_country, orders.shipping_address, orders.channel, orders.coupon_code, orders.created_at, orders.updated_at FROM orders ORDER BY orders.created_at DESC LIMIT 50 OFFSET :off;
