-- Merchandising (demo/app/shop/services/reports.py, unsold_products):
-- products nobody ordered in the last 30 days.
-- PROBLEM: NOT IN (subquery). order_items.product_id is NOT NULL, so
-- NOT EXISTS is an exact rewrite and lets the planner use an anti join.
SELECT p.id, p.sku, p.name, p.stock FROM products p WHERE p.id NOT IN (SELECT oi.product_id FROM order_items oi WHERE oi.order_id > 1150000) ORDER BY p.stock DESC LIMIT 100;
