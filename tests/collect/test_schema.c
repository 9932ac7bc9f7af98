/* test_schema.c - collects a database of known shape and workload and
 * checks every section: exact catalog facts (tables, index columns,
 * INCLUDE lists, predicates, methods, validity, constraints), statistics
 * with known values (null_frac, MCVs), statement counts of a known
 * workload, and that the document passes snapshot_validate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/provider.h"
#include "coordinator/collect/collect.h"
#include "proto/snapshot.h"
#include "tests/collect/snaputil.h"
#include "tests/support/pgtest.h"

#define DB "pgopt_collector_schema"

static json_t *doc;      /* the snapshot, collected once in setup */
static PGconn *workload; /* kept open (idle, holding a lock) while collecting */
static const char *codedir;

static const char *const SCHEMA_SQL =
    "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_qualstats;"
    "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text,"
    "  region text, created_at timestamptz DEFAULT now(), CHECK (length(email) > 3));"
    "CREATE TABLE orders (id bigserial PRIMARY KEY,"
    "  customer_id int NOT NULL REFERENCES customers (id), status text NOT NULL,"
    "  total numeric(10,2), tags text[]);"
    "CREATE INDEX orders_customer_idx ON orders (customer_id) INCLUDE (status, total);"
    "CREATE INDEX orders_pending_idx ON orders (customer_id, id DESC) WHERE status = 'pending';"
    "CREATE INDEX customers_lower_email_idx ON customers (lower(email));"
    "CREATE INDEX orders_tags_gin ON orders USING gin (tags);"
    "ALTER TABLE customers REPLICA IDENTITY USING INDEX customers_email_key;"
    "CREATE TABLE dupes (k int, v text);"
    "INSERT INTO dupes VALUES (1, 'a'), (1, 'b');"
    /* every fourth region is NULL: null_frac 0.25 exactly (all rows sampled) */
    "INSERT INTO customers (id, email, name, region)"
    "  SELECT i, 'user' || i || '@example.com', 'name ' || i,"
    "         CASE WHEN i % 4 = 0 THEN NULL ELSE 'r' || (i % 3) END"
    "  FROM generate_series(1, 1000) i;"
    /* 10% pending, 90% shipped */
    "INSERT INTO orders (customer_id, status, total, tags)"
    "  SELECT 1 + i % 1000, CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'shipped' END,"
    "         i / 100.0, ARRAY['t' || (i % 5)]"
    "  FROM generate_series(1, 5000) i;"
    "ANALYZE;";

static int attempts; /* workload runs: idx_scan grows by 7 per run */

/* The known workload, after clearing this database's statements: 7
 * executions of one parameterized query, 3 of another; then, holding a
 * lock idle in transaction, the collection. */
static int run_workload_and_collect(void)
{
    pgtest_reset_statements(workload);
    for (int i = 0; i < 7; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i + 1);
        const char *params[1] = {id};
        PGresult *r = PQexecParams(workload, "SELECT count(*) FROM orders WHERE customer_id = $1",
                                   1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            return -1;
        PQclear(r);
    }
    for (int i = 0; i < 3; i++)
        pgtest_exec(workload, "SELECT id FROM customers WHERE lower(email) = 'user5@example.com'");
    /* Flush this backend's table counters now rather than within a second. */
    pgtest_exec(workload, "SELECT pg_stat_force_next_flush()");
    pgtest_exec(workload, "SELECT 1");
    /* Hold a lock, idle in transaction, so activity and locks show it. */
    pgtest_exec(workload, "BEGIN; LOCK TABLE dupes IN SHARE MODE");

    char ci[512];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;
    o.code_dir = codedir;
    o.cloud = "aws:db.r6g.xlarge:eu-west-1";
    o.storage = "ssd";
    o.include_target_dsn = 1;
    err_t err = {{0}};
    if (collect_snapshot(&o, &doc, &err) != 0) {
        fprintf(stderr, "collect_snapshot: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (pgtest_create_db(DB) != 0)
        return -1;
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, SCHEMA_SQL);
    /* A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind. */
    PGresult *r = PQexec(c, "CREATE UNIQUE INDEX CONCURRENTLY dupes_k_key ON dupes (k)");
    const char *state_code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state_code || strcmp(state_code, "23505") != 0) {
        fprintf(stderr, "expected a unique violation, got: %s\n", PQerrorMessage(c));
        return -1;
    }
    PQclear(r);
    PQfinish(c);

    codedir = snap_tempdir(0, "pgopt-collector-schema-code");
    snap_write(codedir, "app/db.py", "engine = create_engine(URL)\n", 28);

    /* Other tests share this server and may reset pg_stat_statements or
     * pg_qualstats globally between our workload and our collection. Such
     * a reset moves pg_stat_statements_info.stats_reset (ours only clears
     * this database's entries and does not) or empties pg_qualstats: then
     * the workload and the collection are repeated. */
    workload = pgtest_connect(DB);
    pgtest_exec(workload, "SET application_name = 'collector_schema_app'");
    for (attempts = 1; attempts <= 3; attempts++) {
        char *before = pgtest_scalar(workload, "SELECT stats_reset FROM pg_stat_statements_info");
        if (run_workload_and_collect() != 0)
            return -1;
        char *after = pgtest_scalar(workload, "SELECT stats_reset FROM pg_stat_statements_info");
        int undisturbed = before && after && strcmp(before, after) == 0 &&
                          snap_find(json_object_get(doc, "qualstats"), "table", "orders", "column",
                                    "customer_id");
        free(before);
        free(after);
        if (undisturbed || attempts == 3)
            break;
        pgtest_exec(workload, "ROLLBACK");
        json_decref(doc);
        doc = NULL;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(doc);
    if (workload) {
        pgtest_exec(workload, "ROLLBACK");
        PQfinish(workload);
    }
    if (codedir)
        snap_rmtree(codedir);
    return 0;
}

static json_t *section(const char *name)
{
    json_t *s = json_object_get(doc, name);
    if (!s) {
        snap_print_notes(doc);
        fail_msg("section %s is missing", name);
    }
    return s;
}

static json_t *row(const char *sec, const char *k1, const char *v1, const char *k2, const char *v2)
{
    json_t *r = snap_find(section(sec), k1, v1, k2, v2);
    if (!r)
        fail_msg("%s: no row with %s=%s %s=%s", sec, k1, v1, k2 ? k2 : "", v2 ? v2 : "");
    return r;
}

static json_int_t ival(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

static double dval(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_real(v))
        fail_msg("%s is not a double", key);
    return json_real_value(v);
}

static const char *sval(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("%s is not a string", key);
    return s;
}

static int bval(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v))
        fail_msg("%s is not a boolean", key);
    return json_is_true(v);
}

static void test_validates(void **state)
{
    (void)state;
    err_t err = {{0}};
    if (snapshot_validate(doc, &err) != 0)
        fail_msg("snapshot_validate: %s", err.msg);
    /* And survives the JSON text round trip the coordinator uses for
     * --save-snapshot. */
    char *text = jsonout_string(doc, 0, &err);
    assert_non_null(text);
    json_t *back = NULL;
    if (snapshot_parse_json(text, strlen(text), &back, &err) != 0)
        fail_msg("snapshot_parse_json: %s", err.msg);
    assert_true(json_equal(doc, back));
    assert_int_equal(snapshot_validate(back, &err), 0);
    json_decref(back);
    free(text);
}

static void test_meta(void **state)
{
    (void)state;
    json_t *meta = section("meta");
    assert_int_equal(ival(meta, "format_version"), 1);
    assert_non_null(strstr(sval(meta, "collector"), "pgopt-coordinator "));
    assert_true(ival(meta, "server_version_num") >= 150000);
    assert_string_equal(sval(meta, "database"), DB);
    /* Collected as the fixture's superuser: readable. */
    const char *sysid = sval(meta, "system_identifier");
    assert_true(strlen(sysid) > 10 && strspn(sysid, "0123456789") == strlen(sysid));
    assert_true(dval(meta, "collection_ms") > 0);
    const char *at = sval(meta, "collected_at");
    assert_int_equal(strlen(at) >= 20, 1);
    assert_int_equal(at[10], 'T');
    assert_int_equal(at[strlen(at) - 1], 'Z');
    json_t *ext =
        snap_find(json_object_get(meta, "extensions"), "name", "pg_stat_statements", NULL, NULL);
    assert_non_null(ext);
    assert_string_equal(sval(ext, "schema"), "public");
    /* The test server is a plain PostgreSQL: the marker query ran and
     * found no managed-service role or function. The --cloud flag this
     * test passes wins, and the basis says the server shows no mark. */
    assert_true(json_is_array(json_object_get(meta, "provider_markers")));
    assert_int_equal(json_array_size(json_object_get(meta, "provider_markers")), 0);
    provider_info_t prov;
    provider_detect(doc, &prov);
    assert_string_equal(prov.provider, "aws");
    assert_non_null(strstr(prov.basis, "no managed-service mark"));
    json_t *plain = json_deep_copy(doc);
    json_object_del(plain, "host");
    provider_detect(plain, &prov);
    assert_string_equal(prov.provider, "self-hosted");
    json_decref(plain);
    /* Set at server start, moved by every full reset. */
    assert_non_null(json_string_value(
        json_object_get(json_object_get(meta, "stats_reset"), "pg_stat_statements")));
    /* --storage was given; cpus and memory came from /proc of the local
     * server. Nothing is missing, so no notes at all. */
    if (json_array_size(json_object_get(meta, "notes")) != 0) {
        snap_print_notes(doc);
        fail_msg("unexpected notes");
    }
    assert_int_equal(json_array_size(json_object_get(meta, "skipped_files")), 0);
}

static void test_host(void **state)
{
    (void)state;
    json_t *host = section("host");
    assert_true(ival(host, "cpus") > 0);
    assert_true(ival(host, "memory_bytes") > 0);
    assert_string_equal(sval(host, "storage"), "ssd");
    json_t *src = json_object_get(host, "sources");
    assert_string_equal(sval(src, "storage"), "flag");
    assert_string_equal(sval(src, "cloud"), "flag");
    const char *cs = sval(src, "cpus");
    assert_true(strcmp(cs, "proc") == 0 || strcmp(cs, "cgroup") == 0);
    json_t *cloud = json_object_get(host, "cloud");
    assert_string_equal(sval(cloud, "provider"), "aws");
    assert_string_equal(sval(cloud, "instance_class"), "db.r6g.xlarge");
    assert_string_equal(sval(cloud, "region"), "eu-west-1");
}

static void test_settings(void **state)
{
    (void)state;
    json_t *sb = row("settings", "name", "shared_buffers", NULL, NULL);
    assert_string_equal(sval(sb, "unit"), "8kB");
    assert_string_equal(sval(sb, "vartype"), "integer");
    assert_false(bval(sb, "pending_restart"));
    /* The collector's own SET LOCALs do not leak into the server's view. */
    json_t *st = row("settings", "name", "statement_timeout", NULL, NULL);
    assert_string_equal(sval(st, "setting"), "0");
    assert_string_equal(sval(row("settings", "name", "jit", NULL, NULL), "source"), "default");
    assert_string_equal(
        sval(row("settings", "name", "transaction_read_only", NULL, NULL), "setting"), "off");
    assert_string_equal(
        sval(row("settings", "name", "pg_stat_statements.track", NULL, NULL), "setting"), "all");
}

static void test_tables(void **state)
{
    (void)state;
    json_t *tables = section("tables");
    assert_int_equal(json_array_size(tables), 3);
    assert_string_equal(sval(json_array_get(tables, 0), "name"), "customers");
    assert_string_equal(sval(json_array_get(tables, 1), "name"), "dupes");
    assert_string_equal(sval(json_array_get(tables, 2), "name"), "orders");
    json_t *cu = row("tables", "schema", "public", "name", "customers");
    assert_string_equal(sval(cu, "kind"), "r");
    assert_true(dval(cu, "reltuples") == 1000.0);
    assert_true(ival(cu, "relpages") > 0);
    assert_int_equal(ival(cu, "n_tup_ins"), 1000);
    assert_int_equal(ival(cu, "n_live_tup"), 1000);
    assert_true(ival(cu, "table_bytes") >= 8192);
    assert_true(ival(cu, "index_bytes") >= 3 * 8192);
    assert_true(ival(cu, "total_bytes") >= ival(cu, "table_bytes") + ival(cu, "index_bytes"));
    assert_true(ival(cu, "oid") > 0);
    assert_true(bval(cu, "has_primary_key"));
    assert_string_equal(sval(cu, "replica_identity"), "index");
    assert_int_equal(ival(cu, "analyze_count"), 1);
    assert_non_null(sval(cu, "last_analyze"));
    assert_true(json_is_null(json_object_get(cu, "reloptions")));
    json_t *du = row("tables", "schema", "public", "name", "dupes");
    assert_false(bval(du, "has_primary_key"));
    assert_string_equal(sval(du, "replica_identity"), "default");
    json_t *orders = row("tables", "schema", "public", "name", "orders");
    assert_int_equal(ival(orders, "n_tup_ins"), 5000);
}

static void test_columns(void **state)
{
    (void)state;
    /* 5 + 5 + 2 user columns. */
    assert_int_equal(json_array_size(section("columns")), 12);
    json_t *region = row("columns", "table", "customers", "name", "region");
    assert_true(fabs(dval(region, "null_frac") - 0.25) < 1e-6);
    assert_int_equal(ival(region, "attnum"), 4);
    assert_string_equal(sval(region, "type"), "text");
    assert_false(bval(region, "not_null"));
    assert_true(bval(region, "stats_visible"));
    /* region has 3 distinct non-null values */
    assert_true(dval(region, "n_distinct") == 3.0);

    json_t *id = row("columns", "table", "customers", "name", "id");
    assert_true(dval(id, "n_distinct") == -1.0);
    assert_true(bval(id, "not_null"));
    assert_true(fabs(dval(id, "correlation") - 1.0) < 1e-6);
    json_t *hist = json_object_get(id, "histogram_bounds");
    assert_int_equal(json_array_size(hist), 101);
    assert_string_equal(json_string_value(json_array_get(hist, 0)), "1");
    assert_string_equal(json_string_value(json_array_get(hist, 100)), "1000");
    assert_true(json_is_null(json_object_get(id, "most_common_vals")));

    json_t *status = row("columns", "table", "orders", "name", "status");
    assert_true(snap_strings_equal(json_object_get(status, "most_common_vals"), "shipped",
                                   "pending", NULL));
    json_t *freqs = json_object_get(status, "most_common_freqs");
    assert_int_equal(json_array_size(freqs), 2);
    assert_true(fabs(json_real_value(json_array_get(freqs, 0)) - 0.9) < 1e-6);
    assert_true(fabs(json_real_value(json_array_get(freqs, 1)) - 0.1) < 1e-6);
    assert_true(dval(status, "avg_width") == 8.0);

    json_t *total = row("columns", "table", "orders", "name", "total");
    assert_string_equal(sval(total, "type"), "numeric(10,2)");
    json_t *oid = row("columns", "table", "orders", "name", "id");
    assert_string_equal(sval(oid, "type"), "bigint");
    assert_string_equal(sval(oid, "default"), "nextval('public.orders_id_seq'::regclass)");
    /* Array column: MCVs are arrays in text form. */
    json_t *tags = row("columns", "table", "orders", "name", "tags");
    assert_string_equal(sval(tags, "type"), "text[]");
    assert_int_equal(json_array_size(json_object_get(tags, "most_common_vals")), 5);
    const char *mcv0 =
        json_string_value(json_array_get(json_object_get(tags, "most_common_vals"), 0));
    assert_non_null(mcv0);
    /* five values of equal frequency: any of {t0}..{t4} may come first */
    assert_true(strlen(mcv0) == 4 && strncmp(mcv0, "{t", 2) == 0 && mcv0[3] == '}');
}

static void expect_index(const char *name, const char *method, const char *columns0,
                         const char *columns1, const char *include0, const char *include1,
                         const char *predicate, int unique, int primary, int valid,
                         const char *constraint)
{
    json_t *ix = row("indexes", "name", name, NULL, NULL);
    assert_string_equal(sval(ix, "schema"), "public");
    assert_string_equal(sval(ix, "method"), method);
    json_t *cols = json_object_get(ix, "columns");
    json_t *inc = json_object_get(ix, "include");
    if (!snap_strings_equal(cols, columns0, columns1, NULL))
        fail_msg("%s: columns %s", name, json_dumps(cols, 0));
    if (!snap_strings_equal(inc, include0, include1, NULL))
        fail_msg("%s: include %s", name, json_dumps(inc, 0));
    if (predicate)
        assert_string_equal(sval(ix, "predicate"), predicate);
    else
        assert_true(json_is_null(json_object_get(ix, "predicate")));
    assert_int_equal(bval(ix, "is_unique"), unique);
    assert_int_equal(bval(ix, "is_primary"), primary);
    assert_int_equal(bval(ix, "is_valid"), valid);
    assert_int_equal(bval(ix, "backs_constraint"), constraint != NULL);
    if (constraint)
        assert_string_equal(sval(ix, "constraint"), constraint);
    else
        assert_true(json_is_null(json_object_get(ix, "constraint")));
    /* A CREATE INDEX CONCURRENTLY that failed never built its index. */
    if (valid)
        assert_true(ival(ix, "size_bytes") >= 8192);
    else
        assert_true(ival(ix, "size_bytes") >= 0);
    assert_true(ival(ix, "oid") > 0);
    assert_non_null(strstr(sval(ix, "definition"), name));
}

static void test_indexes(void **state)
{
    (void)state;
    assert_int_equal(json_array_size(section("indexes")), 8);
    expect_index("customers_pkey", "btree", "id", NULL, NULL, NULL, NULL, 1, 1, 1,
                 "customers_pkey");
    expect_index("customers_email_key", "btree", "email", NULL, NULL, NULL, NULL, 1, 0, 1,
                 "customers_email_key");
    expect_index("customers_lower_email_idx", "btree", "lower(email)", NULL, NULL, NULL, NULL, 0, 0,
                 1, NULL);
    expect_index("orders_pkey", "btree", "id", NULL, NULL, NULL, NULL, 1, 1, 1, "orders_pkey");
    expect_index("orders_customer_idx", "btree", "customer_id", NULL, "status", "total", NULL, 0, 0,
                 1, NULL);
    expect_index("orders_pending_idx", "btree", "customer_id", "id", NULL, NULL,
                 "status = 'pending'::text", 0, 0, 1, NULL);
    expect_index("orders_tags_gin", "gin", "tags", NULL, NULL, NULL, NULL, 0, 0, 1, NULL);
    expect_index("dupes_k_key", "btree", "k", NULL, NULL, NULL, NULL, 1, 0, 0, NULL);
    assert_true(
        bval(row("indexes", "name", "customers_email_key", NULL, NULL), "is_replica_identity"));
    assert_false(bval(row("indexes", "name", "customers_pkey", NULL, NULL), "is_replica_identity"));
    assert_non_null(
        strstr(sval(row("indexes", "name", "orders_pending_idx", NULL, NULL), "definition"),
               "(customer_id, id DESC) WHERE"));
    /* The 7 lookups by customer_id went through an index on it. */
    json_t *by_customer = row("indexes", "name", "orders_customer_idx", NULL, NULL);
    assert_int_equal(ival(by_customer, "idx_scan"), 7 * attempts);
}

static void test_constraints(void **state)
{
    (void)state;
    json_t *fk = row("constraints", "name", "orders_customer_id_fkey", NULL, NULL);
    assert_string_equal(sval(fk, "table"), "orders");
    assert_string_equal(sval(fk, "type"), "f");
    assert_true(snap_strings_equal(json_object_get(fk, "columns"), "customer_id", NULL));
    assert_string_equal(sval(fk, "ref_schema"), "public");
    assert_string_equal(sval(fk, "ref_table"), "customers");
    assert_true(snap_strings_equal(json_object_get(fk, "ref_columns"), "id", NULL));
    assert_true(bval(fk, "validated"));
    assert_string_equal(sval(fk, "definition"),
                        "FOREIGN KEY (customer_id) REFERENCES public.customers(id)");

    json_t *ck = row("constraints", "name", "customers_email_check", NULL, NULL);
    assert_string_equal(sval(ck, "type"), "c");
    assert_true(snap_strings_equal(json_object_get(ck, "columns"), "email", NULL));
    assert_true(json_is_null(json_object_get(ck, "ref_table")));
    assert_true(json_is_null(json_object_get(ck, "ref_columns")));

    json_t *pk = row("constraints", "name", "customers_pkey", NULL, NULL);
    assert_string_equal(sval(pk, "type"), "p");
    assert_true(snap_strings_equal(json_object_get(pk, "columns"), "id", NULL));
    json_t *uq = row("constraints", "name", "customers_email_key", NULL, NULL);
    assert_string_equal(sval(uq, "type"), "u");
    /* pkeys of both tables, the unique key, the check, the FK, and the NOT
     * NULLs are not constraints in PG 15. */
    assert_int_equal(json_array_size(section("constraints")), 5);
}

static void test_statements(void **state)
{
    (void)state;
    json_t *lookup = row("statements", "query",
                         "SELECT count(*) FROM orders WHERE customer_id = $1", NULL, NULL);
    assert_int_equal(ival(lookup, "calls"), 7);
    assert_int_equal(ival(lookup, "rows"), 7);
    assert_true(dval(lookup, "total_exec_time") > 0);
    assert_true(dval(lookup, "mean_exec_time") > 0);
    assert_true(json_is_integer(json_object_get(lookup, "queryid")));
    assert_true(bval(lookup, "toplevel"));
    assert_true(ival(lookup, "shared_blks_hit") + ival(lookup, "shared_blks_read") > 0);
    assert_true(json_is_integer(json_object_get(lookup, "wal_bytes")));
    json_t *email =
        row("statements", "query", "SELECT id FROM customers WHERE lower(email) = $1", NULL, NULL);
    assert_int_equal(ival(email, "calls"), 3);
    assert_int_equal(ival(email, "rows"), 3);
    /* Plan fingerprints (coordinator/collect/planprint.h): the generic plan's
     * shape and its hash, on the top statements. */
    const char *hash = sval(lookup, "plan_hash");
    assert_int_equal(strlen(hash), 16);
    assert_non_null(strstr(sval(lookup, "plan_shape"), "orders"));
    json_t *pf = json_object_get(section("meta"), "plan_fingerprints");
    assert_true(ival(pf, "fingerprinted") >= 2);
    assert_true(ival(pf, "fingerprinted") + ival(pf, "not_planned") <= ival(pf, "max_statements"));
    /* Only this database's statements. */
    size_t i;
    json_t *s;
    json_int_t dbid = ival(json_array_get(section("statements"), 0), "dbid");
    json_array_foreach(section("statements"), i, s) assert_int_equal(ival(s, "dbid"), dbid);
}

static void test_qualstats(void **state)
{
    (void)state;
    json_t *q = row("qualstats", "table", "orders", "column", "customer_id");
    assert_string_equal(sval(q, "schema"), "public");
    assert_string_equal(sval(q, "operator"), "=");
    assert_true(ival(q, "execution_count") >= 1);
    assert_true(json_is_integer(json_object_get(q, "queryid")));
}

static void test_database_bgwriter(void **state)
{
    (void)state;
    json_t *db = section("database");
    assert_string_equal(sval(db, "name"), DB);
    assert_true(ival(db, "size_bytes") > 1000000);
    assert_true(ival(db, "xact_commit") > 0);
    assert_true(ival(db, "age_datfrozenxid") >= 0);
    assert_true(json_is_real(json_object_get(db, "blk_read_time")));
    json_t *bg = section("bgwriter");
    assert_true(json_is_integer(json_object_get(bg, "checkpoints_timed")));
    assert_true(json_is_integer(json_object_get(bg, "buffers_alloc")));
    assert_true(json_is_real(json_object_get(bg, "checkpoint_write_time")));
    assert_true(dval(bg, "seconds_since_reset") >= 0);
    json_t *wal = json_object_get(bg, "wal");
    assert_true(ival(wal, "wal_bytes") > 0);
    assert_true(ival(wal, "wal_records") > 0);
}

static void test_activity(void **state)
{
    (void)state;
    json_t *act = section("activity");
    assert_true(ival(act, "total") >= 1);
    assert_int_equal(ival(act, "max_connections"), 100);
    json_t *by_state = json_object_get(act, "by_state");
    assert_true(ival(by_state, "idle in transaction") >= 1);
    json_t *app = snap_find(json_object_get(act, "by_application"), "application_name",
                            "collector_schema_app", NULL, NULL);
    assert_non_null(app);
    assert_string_equal(sval(app, "state"), "idle in transaction");
    assert_int_equal(ival(app, "count"), 1);
    assert_true(dval(act, "longest_transaction_s") >= 0);
    /* the granted ShareLock this test holds; pg_locks is cluster-wide, so a
     * test running next to this one can add a waiting ShareLock row (CREATE
     * INDEX CONCURRENTLY waits on this test's open transaction that way) */
    json_t *share = NULL;
    size_t k;
    json_t *lk;
    json_array_foreach(json_object_get(act, "locks"), k, lk)
    {
        const char *mode = json_string_value(json_object_get(lk, "mode"));
        if (mode && strcmp(mode, "ShareLock") == 0 && bval(lk, "granted"))
            share = lk;
    }
    assert_non_null(share);
    assert_true(ival(share, "count") >= 1);
    assert_true(json_is_array(json_object_get(act, "waiting")));
    assert_int_equal(json_array_size(json_object_get(act, "replication")), 0);
}

static void test_code_target(void **state)
{
    (void)state;
    json_t *code = section("code");
    assert_int_equal(json_array_size(code), 1);
    assert_string_equal(sval(json_array_get(code, 0), "path"), "app/db.py");
    assert_string_equal(sval(json_array_get(code, 0), "content"), "engine = create_engine(URL)\n");
    assert_int_equal(ival(json_array_get(code, 0), "bytes"), 28);
    json_t *target = section("target");
    const char *dsn = sval(target, "dsn");
    assert_non_null(strstr(dsn, "dbname=" DB));
    assert_non_null(strstr(dsn, "port="));
    assert_null(strstr(dsn, "password"));
    assert_false(bval(target, "password_omitted"));
    /* No TimescaleDB here: no section, no note. */
    assert_null(json_object_get(doc, "timescaledb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validates),
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_statements),
        cmocka_unit_test(test_qualstats),
        cmocka_unit_test(test_database_bgwriter),
        cmocka_unit_test(test_activity),
        cmocka_unit_test(test_code_target),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
