-- Sales dashboard: the best customers of the last quarter. Hashes ~190k
-- orders by customer and joins customers (spills at work_mem = 4MB).
SELECT c.id, c.email, c.country, count(*) AS orders, sum(o.total_cents) AS revenue_cents FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= now() - interval '90 days' AND o.status IN ('shipped', 'delivered') GROUP BY c.id, c.email, c.country ORDER BY revenue_cents DESC LIMIT 100;
