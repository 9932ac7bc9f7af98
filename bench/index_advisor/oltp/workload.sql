-- one statement per line; {i:LO:HI} is a random integer, {d:DAYS} a date
-- within DAYS days of 2024-01-01, {e:N} a customer email (1..N)
200|SELECT id, total, status FROM orders WHERE customer_id = {i:1:100000}
200|SELECT sum(qty) FROM order_items WHERE order_id = {i:1:600000}
100|SELECT id FROM customers WHERE lower(email) = 'user{i:1:100000}@example.com'
100|SELECT id, name FROM products WHERE category = {i:0:499} ORDER BY name LIMIT 20
50|SELECT id, at, kind FROM events WHERE customer_id = {i:1:100000} AND at >= '2024-01-01'::timestamp + interval '{i:0:150} days' ORDER BY at DESC LIMIT 50
50|SELECT c.country, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.created_at >= '2023-06-{i:10:28}'::timestamp AND o.created_at < '2023-06-{i:10:28}'::timestamp + interval '1 day' GROUP BY c.country
100|UPDATE orders SET status = 'shipped' WHERE id = {i:1:600000}
100|SELECT status FROM orders WHERE id = {i:1:600000}
50|SELECT id, customer_id, total FROM orders WHERE status = 'pending' ORDER BY created_at LIMIT 100
50|SELECT count(*) FROM events WHERE kind = {i:0:39} AND at BETWEEN '2024-02-01'::timestamp + interval '{i:0:60} days' AND '2024-02-02'::timestamp + interval '{i:0:60} days'
50|INSERT INTO events VALUES ({i:900000:1900000}, {i:1:100000}, 1, now(), 'x') ON CONFLICT DO NOTHING
