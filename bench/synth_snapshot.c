/*
 * synth_snapshot.c - see synth_snapshot.h.
 *
 * Values are drawn from a seeded splitmix64 generator, never from the clock,
 * and every helper consumes a fixed number of draws, so the output depends
 * only on the arguments.
 */
#include "bench/synth_snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint64_t state;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int64_t rng_below(rng_t *r, int64_t n)
{
    return n <= 0 ? 0 : (int64_t)(rng_next(r) % (uint64_t)n);
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

/* Heavy-tailed positive value around scale (workloads are skewed). */
static double rng_skewed(rng_t *r, double scale)
{
    double u = rng_unit(r);
    return scale * u * u * u * 100.0;
}

/* Function arguments are evaluated in an unspecified order, so the values
 * for one row are drawn into an array first (in a defined order) and the
 * row is built from the array: the document is the same with any compiler. */
#define DRAWS 32
typedef struct {
    uint64_t d[DRAWS];
} draws_t;

static draws_t draw(rng_t *r)
{
    draws_t x;
    for (int i = 0; i < DRAWS; i++)
        x.d[i] = rng_next(r);
    return x;
}

static int64_t below(const draws_t *x, int k, int64_t n)
{
    return n <= 0 ? 0 : (int64_t)(x->d[k] % (uint64_t)n);
}

static double unit(const draws_t *x, int k)
{
    return (double)(x->d[k] >> 11) / 9007199254740992.0;
}

static const char *const words[] = {
    "orders",   "customers", "products", "invoices", "payments", "shipments", "accounts",
    "sessions", "events",    "users",    "items",    "reviews",  "carts",     "addresses",
    "coupons",  "refunds",   "audit",    "stock",    "vendors",  "regions",
};
#define N_WORDS (sizeof words / sizeof words[0])

static const char *const col_words[] = {
    "id",         "created_at", "updated_at", "status",  "customer_id", "amount",
    "currency",   "email",      "name",       "country", "deleted_at",  "priority",
    "product_id", "quantity",   "total",      "note",    "kind",        "ref",
};
#define N_COL_WORDS (sizeof col_words / sizeof col_words[0])

static void table_name(int t, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s_%d", words[t % (int)N_WORDS], t);
}

static void column_name(int c, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s_%d", col_words[c % (int)N_COL_WORDS], c);
}

static json_t *synth_meta(void)
{
    return json_pack("{s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:f, s:{s:s, s:s}, s:[s], s:[], "
                     "s:[{s:s, s:s}, {s:s, s:s}]}",
                     "format_version", 1, "collected_at", "2024-05-01T10:00:00Z", "collector",
                     "synth_snapshot", "server_version_num", 150018, "server_version",
                     "15.18 (Debian 15.18-0+deb12u1)", "database", "bench", "system_identifier",
                     "7361234567890123456", "collection_ms", 1834.5, "stats_reset", "database",
                     "2024-04-01T00:00:00Z", "bgwriter", "2024-04-01T00:00:00Z", "notes",
                     "synthetic data, not from a server", "skipped_files", "extensions", "name",
                     "pg_stat_statements", "version", "1.10", "name", "hypopg", "version", "1.3.1");
}

static json_t *synth_settings(rng_t *r)
{
    static const char *const names[][4] = {
        {"shared_buffers", "16384", "8kB", "integer"},
        {"work_mem", "4096", "kB", "integer"},
        {"maintenance_work_mem", "65536", "kB", "integer"},
        {"effective_cache_size", "524288", "8kB", "integer"},
        {"max_connections", "100", NULL, "integer"},
        {"random_page_cost", "4", NULL, "real"},
        {"effective_io_concurrency", "1", NULL, "integer"},
        {"checkpoint_completion_target", "0.9", NULL, "real"},
        {"max_wal_size", "1024", "MB", "integer"},
        {"min_wal_size", "80", "MB", "integer"},
        {"wal_buffers", "512", "8kB", "integer"},
        {"autovacuum_vacuum_scale_factor", "0.2", NULL, "real"},
        {"autovacuum_vacuum_threshold", "50", NULL, "integer"},
        {"default_statistics_target", "100", NULL, "integer"},
        {"jit", "on", NULL, "bool"},
        {"plan_cache_mode", "auto", NULL, "enum"},
    };
    json_t *rows = json_array();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_t *row = json_pack(
            "{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name", names[i][0],
            "setting", names[i][1], "unit", names[i][2] ? json_string(names[i][2]) : json_null(),
            "vartype", names[i][3], "source", rng_below(r, 3) ? "default" : "configuration file",
            "context", "user", "boot_val", names[i][1], "reset_val", names[i][1], "pending_restart",
            0, "min_val", json_string("0"), "max_val", json_string("2147483647"));
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *synth_tables(rng_t *r, int n)
{
    json_t *rows = json_array();
    for (int t = 0; t < n; t++) {
        char name[64];
        table_name(t, name, sizeof name);
        int64_t live = rng_below(r, 50000000);
        int64_t pages = live / 60 + 1;
        draws_t x = draw(r);
        json_t *row = json_pack(
            "{s:s, s:s, s:I, s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
            "s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:n, s:s, s:I, s:I, s:n, s:s, "
            "s:b}",
            "schema", "public", "name", name, "oid", (json_int_t)(16384 + t * 3), "kind", "r",
            "reltuples", (double)live, "relpages", (json_int_t)pages, "total_bytes",
            (json_int_t)(pages * 8192 * 3 / 2), "table_bytes", (json_int_t)(pages * 8192),
            "index_bytes", (json_int_t)(pages * 8192 / 2), "toast_bytes", (json_int_t)8192,
            "seq_scan", (json_int_t)below(&x, 0, 100000), "seq_tup_read",
            (json_int_t)below(&x, 1, INT64_C(1) << 40), "idx_scan",
            (json_int_t)below(&x, 2, INT64_C(1) << 32), "idx_tup_fetch",
            (json_int_t)below(&x, 3, INT64_C(1) << 36), "n_tup_ins", (json_int_t)live, "n_tup_upd",
            (json_int_t)below(&x, 4, live + 1), "n_tup_del",
            (json_int_t)below(&x, 5, live / 10 + 1), "n_tup_hot_upd",
            (json_int_t)below(&x, 6, live / 2 + 1), "n_live_tup", (json_int_t)live, "n_dead_tup",
            (json_int_t)below(&x, 7, live / 5 + 1), "n_mod_since_analyze",
            (json_int_t)below(&x, 8, 100000), "vacuum_count", (json_int_t)below(&x, 9, 10),
            "autovacuum_count", (json_int_t)below(&x, 10, 500), "analyze_count",
            (json_int_t)below(&x, 11, 10), "autoanalyze_count", (json_int_t)below(&x, 12, 500),
            "last_vacuum", below(&x, 13, 2) ? json_string("2024-04-30T03:12:44Z") : json_null(),
            "last_autovacuum", "2024-04-30T08:01:02Z", "last_analyze", "last_autoanalyze",
            "2024-04-30T08:01:05Z", "heap_blks_read", (json_int_t)below(&x, 14, 1000000000),
            "heap_blks_hit", (json_int_t)below(&x, 15, INT64_C(1) << 40), "reloptions",
            "replica_identity", "d", "has_primary_key", 1);
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *synth_columns(rng_t *r, int n, int tables)
{
    json_t *rows = json_array();
    for (int c = 0; c < n; c++) {
        char tname[64], cname[64];
        int t = c % tables;
        table_name(t, tname, sizeof tname);
        column_name(c / tables, cname, sizeof cname);
        int nmcv = (int)rng_below(r, 11);
        json_t *mcv = json_array(), *freqs = json_array(), *hist = json_array();
        double left = 1.0;
        for (int k = 0; k < nmcv; k++) {
            char v[32];
            snprintf(v, sizeof v, "value-%lld", (long long)rng_below(r, 100000));
            json_array_append_new(mcv, json_string(v));
            double f = left * (0.1 + 0.4 * rng_unit(r));
            left -= f;
            json_array_append_new(freqs, json_real(f));
        }
        int nhist = (int)rng_below(r, 2) ? 101 : 0;
        for (int k = 0; k < nhist; k++) {
            char v[32];
            snprintf(v, sizeof v, "%lld", (long long)(k * 1000 + rng_below(r, 1000)));
            json_array_append_new(hist, json_string(v));
        }
        draws_t x = draw(r);
        json_t *row = json_pack(
            "{s:s, s:s, s:s, s:i, s:s, s:b, s:o, s:f, s:f, s:f, s:f, s:o, s:o, s:o}", "schema",
            "public", "table", tname, "name", cname, "attnum", c / tables + 1, "type",
            below(&x, 0, 2) ? "bigint" : "text", "not_null", (int)below(&x, 1, 2), "default",
            c / tables == 0 ? json_string("nextval('seq'::regclass)") : json_null(), "null_frac",
            unit(&x, 5) * 0.2, "avg_width", (double)(4 + below(&x, 2, 60)), "n_distinct",
            below(&x, 3, 2) ? -unit(&x, 6) : (double)below(&x, 4, 10000), "correlation",
            unit(&x, 7) * 2 - 1, "most_common_vals", nmcv ? mcv : json_null(), "most_common_freqs",
            nmcv ? freqs : json_null(), "histogram_bounds", nhist ? hist : json_null());
        if (!nmcv) {
            json_decref(mcv);
            json_decref(freqs);
        }
        if (!nhist)
            json_decref(hist);
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *synth_indexes(rng_t *r, int n, int tables)
{
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        char tname[64], iname[96], c1[64], c2[64], def[512];
        int t = i % tables;
        table_name(t, tname, sizeof tname);
        int primary = i < tables;
        column_name(primary ? 0 : (int)rng_below(r, 10), c1, sizeof c1);
        column_name((int)rng_below(r, 10), c2, sizeof c2);
        int two = !primary && rng_below(r, 3) == 0;
        snprintf(iname, sizeof iname, primary ? "%s_pkey" : "%s_idx_%d", tname, i);
        snprintf(def, sizeof def, "CREATE %sINDEX %s ON public.%s USING btree (%s%s%s)",
                 primary ? "UNIQUE " : "", iname, tname, c1, two ? ", " : "", two ? c2 : "");
        json_t *cols = two ? json_pack("[s, s]", c1, c2) : json_pack("[s]", c1);
        draws_t x = draw(r);
        json_t *row = json_pack(
            "{s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:[], s:n, s:b, s:b, s:b, s:b, s:b, s:b, s:b, "
            "s:o, s:I, s:I, s:I, s:I}",
            "schema", "public", "table", tname, "name", iname, "oid", (json_int_t)(100000 + i),
            "definition", def, "method", "btree", "columns", cols, "include", "predicate",
            "is_unique", primary, "is_primary", primary, "is_valid", 1, "is_ready", 1,
            "is_exclusion", 0, "backs_constraint", primary, "is_replica_identity", 0, "constraint",
            primary ? json_string(iname) : json_null(), "idx_scan",
            (json_int_t)below(&x, 0, INT64_C(1) << 30), "idx_tup_read",
            (json_int_t)below(&x, 1, INT64_C(1) << 34), "idx_tup_fetch",
            (json_int_t)below(&x, 2, INT64_C(1) << 34), "size_bytes",
            (json_int_t)(8192 * (1 + below(&x, 3, 100000))));
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *synth_constraints(int tables)
{
    json_t *rows = json_array();
    for (int t = 0; t < tables; t++) {
        char tname[64], cname[96], def[64];
        table_name(t, tname, sizeof tname);
        snprintf(cname, sizeof cname, "%s_pkey", tname);
        snprintf(def, sizeof def, "PRIMARY KEY (id_0)");
        json_array_append_new(rows,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:n, s:n, s:n, "
                                        "s:b}",
                                        "schema", "public", "table", tname, "name", cname, "type",
                                        "p", "definition", def, "columns", "id_0", "ref_schema",
                                        "ref_table", "ref_columns", "validated", 1));
    }
    return rows;
}

/* A normalized statement of 60 to ~700 bytes, like pg_stat_statements'. */
static void synth_query(rng_t *r, int tables, char *buf, size_t cap)
{
    char t1[64], t2[64], c1[64], c2[64];
    table_name((int)rng_below(r, tables > 0 ? tables : 1), t1, sizeof t1);
    table_name((int)rng_below(r, tables > 0 ? tables : 1), t2, sizeof t2);
    column_name((int)rng_below(r, 10), c1, sizeof c1);
    column_name((int)rng_below(r, 10), c2, sizeof c2);
    size_t used = 0;
    switch (rng_below(r, 4)) {
    case 0:
        used = (size_t)snprintf(buf, cap, "SELECT %s, %s FROM %s WHERE %s = $1", c1, c2, t1, c1);
        break;
    case 1:
        used = (size_t)snprintf(buf, cap,
                                "SELECT a.%s, b.%s, count(*) FROM %s a JOIN %s b ON b.%s = a.id_0 "
                                "WHERE a.%s > $1 AND b.%s IN ($2, $3, $4) GROUP BY 1, 2 "
                                "ORDER BY 3 DESC LIMIT $5",
                                c1, c2, t1, t2, c2, c1, c2);
        break;
    case 2:
        used = (size_t)snprintf(
            buf, cap, "UPDATE %s SET %s = $1, updated_at_2 = now() WHERE id_0 = $2", t1, c1);
        break;
    default:
        used = (size_t)snprintf(buf, cap, "INSERT INTO %s (%s, %s) VALUES ($1, $2) RETURNING id_0",
                                t1, c1, c2);
    }
    /* Some ORMs spell out long column lists. */
    int extra = (int)rng_below(r, 12);
    for (int k = 0; k < extra && used + 64 < cap; k++) {
        char c[64];
        column_name((int)rng_below(r, 18), c, sizeof c);
        used += (size_t)snprintf(buf + used, cap - used, " /* %s.%s */", t1, c);
    }
}

static json_t *synth_statements(rng_t *r, int n, int tables)
{
    json_t *rows = json_array();
    for (int s = 0; s < n; s++) {
        char query[1024];
        synth_query(r, tables, query, sizeof query);
        int64_t calls = 1 + (int64_t)rng_skewed(r, 10000.0);
        double mean = 0.01 + rng_skewed(r, 2.0);
        double total = mean * (double)calls;
        draws_t x = draw(r);
        json_t *row = json_pack(
            "{s:I, s:I, s:I, s:b, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, "
            "s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:n}",
            "queryid", (json_int_t)x.d[9], "userid", (json_int_t)10, "dbid", (json_int_t)16384,
            "toplevel", 1, "query", query, "calls", (json_int_t)calls, "rows",
            (json_int_t)(calls * below(&x, 0, 50)), "total_exec_time", total, "mean_exec_time",
            mean, "min_exec_time", mean * 0.1, "max_exec_time", mean * (2 + unit(&x, 10) * 50),
            "stddev_exec_time", mean * unit(&x, 11), "total_plan_time", total * 0.05 * unit(&x, 12),
            "shared_blks_hit", (json_int_t)(calls * below(&x, 1, 200)), "shared_blks_read",
            (json_int_t)(calls * below(&x, 2, 5)), "shared_blks_dirtied",
            (json_int_t)below(&x, 3, 10000), "shared_blks_written", (json_int_t)below(&x, 4, 1000),
            "local_blks_hit", (json_int_t)0, "local_blks_read", (json_int_t)0, "temp_blks_read",
            (json_int_t)below(&x, 5, 3) * 128, "temp_blks_written",
            (json_int_t)below(&x, 6, 3) * 128, "blk_read_time", unit(&x, 13) * total * 0.2,
            "blk_write_time", unit(&x, 14) * total * 0.01, "wal_records",
            (json_int_t)below(&x, 7, 100000), "wal_bytes",
            (json_int_t)below(&x, 8, INT64_C(1) << 30), "plan");
        json_array_append_new(rows, row);
    }
    return rows;
}

json_t *synth_snapshot(int statements, int tables, int columns, int indexes, unsigned seed)
{
    if (tables < 1 && (columns > 0 || indexes > 0))
        return NULL;
    rng_t r = {.state = (uint64_t)seed * UINT64_C(0x2545f4914f6cdd1d) + 1};
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    json_object_set_new(doc, "meta", synth_meta());
    json_object_set_new(doc, "host",
                        json_pack("{s:i, s:I, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}", "cpus",
                                  8, "memory_bytes", (json_int_t)34359738368, "storage", "ssd",
                                  "cloud", "provider", "aws", "instance_class", "db.r6g.xlarge",
                                  "region", "eu-west-1", "sources", "cpus", "flag", "memory_bytes",
                                  "flag", "storage", "cloud_catalog"));
    json_object_set_new(doc, "settings", synth_settings(&r));
    json_object_set_new(doc, "tables", synth_tables(&r, tables));
    json_object_set_new(doc, "columns", synth_columns(&r, columns, tables > 0 ? tables : 1));
    json_object_set_new(doc, "indexes", synth_indexes(&r, indexes, tables > 0 ? tables : 1));
    json_object_set_new(doc, "constraints", synth_constraints(tables));
    json_object_set_new(doc, "statements", synth_statements(&r, statements, tables));
    draws_t x = draw(&r);
    json_object_set_new(
        doc, "database",
        json_pack("{s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:I, "
                  "s:i, s:f, s:f, s:s, s:i}",
                  "name", "bench", "size_bytes", (json_int_t)858993459200, "numbackends", 42,
                  "xact_commit", (json_int_t)below(&x, 0, INT64_C(1) << 36), "xact_rollback",
                  (json_int_t)below(&x, 1, 100000), "blks_read",
                  (json_int_t)below(&x, 2, INT64_C(1) << 34), "blks_hit",
                  (json_int_t)below(&x, 3, INT64_C(1) << 40), "tup_returned",
                  (json_int_t)below(&x, 4, INT64_C(1) << 42), "tup_fetched",
                  (json_int_t)below(&x, 5, INT64_C(1) << 40), "tup_inserted",
                  (json_int_t)below(&x, 6, INT64_C(1) << 32), "tup_updated",
                  (json_int_t)below(&x, 7, INT64_C(1) << 32), "tup_deleted",
                  (json_int_t)below(&x, 8, INT64_C(1) << 28), "conflicts", 0, "temp_files", 311,
                  "temp_bytes", (json_int_t)below(&x, 9, INT64_C(1) << 36), "deadlocks", 2,
                  "blk_read_time", 123456.5, "blk_write_time", 2345.25, "stats_reset",
                  "2024-04-01T00:00:00Z", "age_datfrozenxid", 123456789));
    json_object_set_new(
        doc, "bgwriter",
        json_pack("{s:i, s:i, s:f, s:f, s:I, s:I, s:i, s:I, s:i, s:I, s:s, s:{s:I, s:I, s:I, "
                  "s:i, s:s}, s:f}",
                  "checkpoints_timed", 2870, "checkpoints_req", 112, "checkpoint_write_time",
                  9876543.0, "checkpoint_sync_time", 12345.0, "buffers_checkpoint",
                  (json_int_t)98765432, "buffers_clean", (json_int_t)1234567, "maxwritten_clean",
                  321, "buffers_backend", (json_int_t)7654321, "buffers_backend_fsync", 0,
                  "buffers_alloc", (json_int_t)87654321, "stats_reset", "2024-04-01T00:00:00Z",
                  "wal", "wal_records", (json_int_t)987654321, "wal_fpi", (json_int_t)1234567,
                  "wal_bytes", (json_int_t)456789012345, "wal_buffers_full", 1234, "stats_reset",
                  "2024-04-01T00:00:00Z", "seconds_since_reset", 2592000.0));
    json_object_set_new(
        doc, "activity",
        json_pack("{s:i, s:i, s:{s:i, s:i, s:i}, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}], s:f, "
                  "s:n, s:[{s:s, s:s, s:i}], s:[{s:s, s:b, s:i}], s:[]}",
                  "total", 42, "max_connections", 100, "by_state", "active", 6, "idle", 30,
                  "idle in transaction", 6, "by_application", "application_name", "web", "state",
                  "idle", "count", 30, "application_name", "worker", "state", "active", "count", 6,
                  "longest_transaction_s", 12.5, "longest_query_s", "waiting", "wait_event_type",
                  "Lock", "wait_event", "transactionid", "count", 2, "locks", "mode",
                  "RowExclusiveLock", "granted", 1, "count", 14, "replication"));
    return doc;
}
