-- Support: who bought this product (recalls, reviews).
-- PROBLEM: order_items.product_id is a foreign key without an index.
\set r random(0, 9999)
\set pid 1 + :r * :r * :r / 50000000
SELECT o.id, o.customer_id, o.created_at, oi.quantity FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE oi.product_id = :pid ORDER BY o.created_at DESC LIMIT 50;
