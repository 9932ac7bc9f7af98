-- Product page: the product and its stock (primary key lookups; the
-- cheap, frequent part of the workload). Popular products first.
\set r random(0, 9999)
\set pid 1 + :r * :r * :r / 50000000
SELECT products.id AS products_id, products.sku AS products_sku, products.name AS products_name, products.description AS products_description, products.category AS products_category, products.price_cents AS products_price_cents, products.stock AS products_stock, products.updated_at AS products_updated_at FROM products WHERE products.id = :pid;
