\set c random(1, :customers)
SELECT id, status, total_cents FROM orders WHERE customer_id = :c ORDER BY created_at DESC LIMIT 20;
SELECT id FROM customers WHERE lower(email) = lower('User' || :c || '@example.com');
SELECT count(*) FROM orders WHERE status = 'pending';
INSERT INTO events (customer_id, kind, payload) VALUES (:c, 'view', 'p');
UPDATE customers SET created_at = created_at WHERE id = :c;
