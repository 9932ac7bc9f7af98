-- TPC-H-shaped schema (the 8 tables, primary keys only) with pgopt's own
-- generator in SQL at scale factor 0.1 (lineitem 600k rows): uniform keys
-- and the benchmark's value domains, not dbgen's text.
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE TABLE region (r_regionkey int PRIMARY KEY, r_name text NOT NULL, r_comment text);
CREATE TABLE nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL, n_comment text);
CREATE TABLE supplier (s_suppkey int PRIMARY KEY, s_name text, s_address text, s_nationkey int NOT NULL,
  s_phone text, s_acctbal numeric, s_comment text);
CREATE TABLE customer (c_custkey int PRIMARY KEY, c_name text, c_address text, c_nationkey int NOT NULL,
  c_phone text, c_acctbal numeric, c_mktsegment text, c_comment text);
CREATE TABLE part (p_partkey int PRIMARY KEY, p_name text, p_mfgr text, p_brand text, p_type text,
  p_size int, p_container text, p_retailprice numeric, p_comment text);
CREATE TABLE partsupp (ps_partkey int NOT NULL, ps_suppkey int NOT NULL, ps_availqty int,
  ps_supplycost numeric, ps_comment text, PRIMARY KEY (ps_partkey, ps_suppkey));
CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int NOT NULL, o_orderstatus text,
  o_totalprice numeric, o_orderdate date, o_orderpriority text, o_clerk text, o_shippriority int,
  o_comment text);
CREATE TABLE lineitem (l_orderkey int NOT NULL, l_partkey int NOT NULL, l_suppkey int NOT NULL,
  l_linenumber int NOT NULL, l_quantity numeric, l_extendedprice numeric, l_discount numeric,
  l_tax numeric, l_returnflag text, l_linestatus text, l_shipdate date, l_commitdate date,
  l_receiptdate date, l_shipinstruct text, l_shipmode text, l_comment text,
  PRIMARY KEY (l_orderkey, l_linenumber));
INSERT INTO region SELECT i, (ARRAY['AFRICA','AMERICA','ASIA','EUROPE','MIDDLE EAST'])[i+1], 'r' FROM generate_series(0,4) i;
INSERT INTO nation SELECT i, 'NATION' || i, i % 5, 'n' FROM generate_series(0,24) i;
INSERT INTO supplier SELECT i, 'Supplier#' || i, md5(i::text), i % 25, '1' || i, (i % 10000) - 999.99,
  CASE WHEN i % 100 = 0 THEN 'Customer Complaints' ELSE 'ok' END FROM generate_series(1, 1000) i;
INSERT INTO customer SELECT i, 'Customer#' || i, md5(i::text), i % 25, (10 + i % 25) || '-' || i,
  (i % 10000) - 999.99, (ARRAY['AUTOMOBILE','BUILDING','FURNITURE','HOUSEHOLD','MACHINERY'])[1 + i % 5], 'c'
  FROM generate_series(1, 15000) i;
INSERT INTO part SELECT i, (ARRAY['almond','antique','aquamarine','azure','beige','bisque','black','blanched',
  'blue','blush','brown','burlywood','burnished','chartreuse','chiffon','chocolate','coral','cornflower',
  'cornsilk','cream','cyan','dark','deep','dim','dodger','drab','firebrick','floral','forest','frosted',
  'gainsboro','ghost','goldenrod','green','grey','honeydew','hot','indian','ivory','khaki'])[1 + i % 40]
  || ' ' || md5(i::text), 'Manufacturer#' || (1 + i % 5), 'Brand#' || (1 + i % 5) || (1 + i % 5),
  (ARRAY['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'])[1 + i % 6] || ' ' ||
  (ARRAY['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'])[1 + i % 5] || ' ' ||
  (ARRAY['TIN','NICKEL','BRASS','STEEL','COPPER'])[1 + (i / 7) % 5], 1 + i % 50,
  (ARRAY['SM','LG','MED','JUMBO','WRAP'])[1 + i % 5] || ' ' || (ARRAY['CASE','BOX','BAG','JAR','PKG','PACK','CAN','DRUM'])[1 + i % 8],
  900 + (i % 1000) / 10.0, 'p' FROM generate_series(1, 20000) i;
INSERT INTO partsupp SELECT p, 1 + (p + s * 250) % 1000, 1 + (p * s) % 9999, 1 + (p % 1000) / 10.0, 'ps'
  FROM generate_series(1, 20000) p, generate_series(0, 3) s;
INSERT INTO orders SELECT i, 1 + (i::bigint * 7919) % 15000, (ARRAY['O','F','P'])[1 + i % 3], 1000 + i % 400000,
  date '1992-01-01' + (i % 2405), (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + i % 5],
  'Clerk#' || (i % 50), 0, CASE WHEN i % 50 = 0 THEN 'special requests' ELSE 'o' END FROM generate_series(1, 150000) i;
INSERT INTO lineitem SELECT o, 1 + (o::bigint * 31 + l * 7) % 20000, 1 + (o + l * 251) % 1000, l, 1 + (o + l) % 50,
  (1 + (o + l) % 50) * 950.0, ((o + l) % 11) / 100.0, ((o + l) % 9) / 100.0,
  (ARRAY['R','A','N'])[1 + (o + l) % 3], (ARRAY['O','F'])[1 + (o + l) % 2],
  date '1992-01-01' + (o % 2405) + 1 + l * 10, date '1992-01-01' + (o % 2405) + 30,
  date '1992-01-01' + (o % 2405) + 2 + l * 10,
  (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[1 + l % 4],
  (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[1 + (o + l) % 7], 'l'
  FROM generate_series(1, 150000) o, generate_series(1, 4) l;
