-- Storefront search box (demo/app/shop/services/catalog.py, search_products:
-- raw SQL built with an f-string). Shoppers type a model number.
-- PROBLEM: ILIKE '%term%' has a leading wildcard: no btree can serve it, every
-- search reads all products (a pg_trgm GIN index on name would).
\set q random(0, 9999)
SELECT id, sku, name, price_cents FROM products WHERE name ILIKE '%:q%' ORDER BY name LIMIT 20;
