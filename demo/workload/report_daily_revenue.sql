-- Finance: revenue per day of the last 30 days (served well by
-- orders_created_at_idx; here for contrast).
SELECT date_trunc('day', created_at) AS day, count(*) AS orders, sum(total_cents) AS revenue_cents FROM orders WHERE created_at >= now() - interval '30 days' AND status <> 'cancelled' GROUP BY 1 ORDER BY 1;
