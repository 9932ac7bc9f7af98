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
SELECT accounts.id AS accounts_id, accounts.name AS accounts_name, accounts.plan AS accounts_plan, accounts.created_at AS accounts_created_at FROM accounts WHERE accounts.id = :aid;
SELECT customers.id AS customers_id, customers.account_id AS customers_account_id, customers.email AS customers_email, customers.full_name AS customers_full_name, customers.country AS customers_country, customers.is_active AS customers_is_active, customers.marketing_opt_in AS customers_marketing_opt_in, customers.created_at AS customers_created_at, customers.last_login_at AS customers_last_login_at FROM customers WHERE :aid = customers.account_id;
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT orders.id AS orders_id, orders.customer_id AS orders_customer_id, orders.status AS orders_status, orders.currency AS orders_currency, orders.total_cents AS orders_total_cents, orders.shipping_country AS orders_shipping_country, orders.shipping_address AS orders_shipping_address, orders.channel AS orders_channel, orders.coupon_code AS orders_coupon_code, orders.created_at AS orders_created_at, orders.updated_at AS orders_updated_at FROM orders WHERE :cid = orders.customer_id;
\set r random(0, 999999)
\set cid 1 + :r * :r / 5000000
SELECT orders.id AS orders_id, orders.customer_id AS orders_customer_id, orders.status AS orders_status, orders.currency AS orders_currency, orders.total_cents AS orders_total_cents, orders.shipping_country AS orders_shipping_country, orders.shipping_address AS orders_shipping_address, orders.channel AS orders_channel, orders.coupon_code AS orders_coupon_code, orders.created_at AS orders_created_at, orders.updated_at AS orders_updated_at FROM orders WHERE :cid = orders.customer_id;
