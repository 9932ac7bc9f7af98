-- Account admin page (demo/app/shop/services/accounts.py, account_overview):
-- the account, its customers (lazy load of Account.customers), then each
-- customer's orders (lazy load of Customer.orders): N+1 over customers.
-- PROBLEM: customers.account_id and orders.customer_id are foreign keys
-- without an index, so the customer list and every one of the per-customer
-- order loads read a whole table.
-- pgbench cannot iterate over a result set: the page is replayed with two
-- per-customer loads, for customers drawn like the storefront's.
\set r random(0, 9999)
\set aid 1 + :r * :r / 10000
SELECT accounts.id, accounts.name, accounts.plan, accounts.created_at FROM accounts WHERE accounts.id = :aid;
SELECT customers.id, customers.account_id, customers.email, customers.full_name, customers.country, customers.is_active, customers.marketing_opt_in, customers.created_at, customers.last_login_at FROM customers WHERE :aid = customers.account_id;
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT orders.id, orders.customer_id, orders.status, orders.currency, orders.total_cents, orders.shipping_country, orders.shipping_address, orders.channel, orders.coupon_code, orders.created_at, orders.updated_at FROM orders WHERE :cid = orders.customer_id;
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT orders.id, orders.customer_id, orders.status, orders.currency, orders.total_cents, orders.shipping_country, orders.shipping_address, orders.channel, orders.coupon_code, orders.created_at, orders.updated_at FROM orders WHERE :cid = orders.customer_id;
