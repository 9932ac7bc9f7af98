-- Finance export (demo/app/shop/services/reports.py, customer_revenue_export):
-- running revenue per customer over the last 60 days.
-- PROBLEM: sorts ~120k rows by (customer_id, created_at); at the default
-- work_mem of 4MB the sort spills to temporary files on every run.
SELECT customer_id, created_at, total_cents, sum(total_cents) OVER (PARTITION BY customer_id ORDER BY created_at) AS running_total FROM orders WHERE created_at >= now() - interval '60 days' ORDER BY customer_id, created_at;
