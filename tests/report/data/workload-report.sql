\set c random(1, :customers)
SELECT c.country, sum(o.total_cents) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval '1 day' GROUP BY c.country;
SELECT * FROM events WHERE customer_id = :c ORDER BY id DESC LIMIT 10 OFFSET 20;
SELECT id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 10 AND c.id < 200;
