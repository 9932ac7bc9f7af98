-- Login (demo/app/shop/services/auth.py, authenticate): find the customer
-- by e-mail ignoring case, stamp the login, open a session.
-- PROBLEM: lower(email) = lower($1) cannot use customers_email_key; it scans
-- the table and lowers 200k e-mails per login (an index on lower(email)
-- would serve it).
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT customers.id, customers.account_id, customers.email, customers.full_name, customers.country, customers.is_active, customers.marketing_opt_in, customers.created_at, customers.last_login_at FROM customers WHERE lower(customers.email) = lower('Customer:cid@example.com');
BEGIN;
UPDATE customers SET last_login_at=now() WHERE customers.id = :cid;
INSERT INTO customer_sessions (customer_id, token, user_agent, expires_at, data) VALUES (:cid, md5('login:cid' || clock_timestamp()), 'Mozilla/5.0 (X11; Linux x86_64)', now() + interval '30 days', '{}') RETURNING customer_sessions.id, customer_sessions.last_seen_at;
COMMIT;
