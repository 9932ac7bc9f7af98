-- Product page: the product and its stock (primary key lookups; the
-- cheap, frequent part of the workload). Popular products first.
\set r random(0, 9999)
\set pid 1 + :r * :r * :r / 50000000
SELECT products.id, products.sku, products.name, products.description, products.category, products.price_cents, products.stock, products.updated_at FROM products WHERE products.id = :pid;
