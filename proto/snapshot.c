/*
 * snapshot.c - see snapshot.h; the model itself is docs/SNAPSHOT.md.
 *
 * Validation is a transcription of docs/SNAPSHOT.md into tables: for every
 * section its container, and for every listed field its JSON type (nested
 * maps and arrays of maps have their own tables). A value PostgreSQL reports
 * as NULL may be JSON null wherever a field or an array element is expected
 * (SNAPSHOT.md, "Conventions"); sections and rows themselves may not be null.
 * Integers are accepted where doubles are expected (JSON writers drop ".0"),
 * never the reverse: a counter with a fraction is a broken collector.
 */
#include "proto/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/jsonout.h"
#include "common/outfile.h"
#include "common/progress.h"
#include "proto/codec.h"

/* ---- validation tables ------------------------------------------------ */

enum {
    T_BOOL = 1 << 0,
    T_INT = 1 << 1,
    T_DOUBLE = 1 << 2, /* integers accepted too */
    T_STRING = 1 << 3,
    T_ARRAY = 1 << 4,
    T_MAP = 1 << 5,
};

typedef struct field_spec {
    const char *name;
    unsigned types;                /* what the value may be (null is always allowed) */
    unsigned elem;                 /* arrays: type of every element (0: not checked) */
    const struct field_spec *rows; /* arrays of maps: the rows' fields; maps: the map's fields */
    unsigned values;               /* maps: type of every value (0: not checked) */
} field_spec_t;

#define F_INT(n)                                                                                   \
    {                                                                                              \
        n, T_INT, 0, NULL, 0                                                                       \
    }
#define F_DBL(n)                                                                                   \
    {                                                                                              \
        n, T_DOUBLE, 0, NULL, 0                                                                    \
    }
#define F_STR(n)                                                                                   \
    {                                                                                              \
        n, T_STRING, 0, NULL, 0                                                                    \
    }
#define F_BOOL(n)                                                                                  \
    {                                                                                              \
        n, T_BOOL, 0, NULL, 0                                                                      \
    }
#define F_ANYMAP(n)                                                                                \
    {                                                                                              \
        n, T_MAP, 0, NULL, 0                                                                       \
    }
#define F_STRS(n)                                                                                  \
    {                                                                                              \
        n, T_ARRAY, T_STRING, NULL, 0                                                              \
    }
#define F_DBLS(n)                                                                                  \
    {                                                                                              \
        n, T_ARRAY, T_DOUBLE, NULL, 0                                                              \
    }
#define F_ROWS(n, r)                                                                               \
    {                                                                                              \
        n, T_ARRAY, T_MAP, r, 0                                                                    \
    }
#define F_MAP(n, r)                                                                                \
    {                                                                                              \
        n, T_MAP, 0, r, 0                                                                          \
    }
#define F_MAPOF(n, t)                                                                              \
    {                                                                                              \
        n, T_MAP, 0, NULL, t                                                                       \
    }
#define F_END                                                                                      \
    {                                                                                              \
        NULL, 0, 0, NULL, 0                                                                        \
    }

static const field_spec_t name_version_fields[] = {F_STR("name"), F_STR("version"), F_END};
static const field_spec_t skipped_file_fields[] = {F_STR("path"), F_STR("reason"), F_END};

/* meta.redaction: what the collector redacted (coordinator/collect/redact.h). */
static const field_spec_t redaction_fields[] = {
    F_INT("statements"), F_INT("literals"), F_INT("fallback"), F_DBL("ms"), F_END,
};

static const field_spec_t meta_fields[] = {
    F_INT("format_version"),
    F_STR("collected_at"),
    F_STR("collector"),
    F_INT("server_version_num"),
    F_STR("server_version"),
    F_STR("database"),
    F_STR("system_identifier"),
    F_DBL("collection_ms"),
    F_MAPOF("stats_reset", T_STRING),
    F_STRS("notes"),
    F_ROWS("skipped_files", skipped_file_fields),
    F_ROWS("extensions", name_version_fields),
    F_MAP("redaction", redaction_fields),
    F_END,
};

static const field_spec_t cloud_fields[] = {
    F_STR("provider"),
    F_STR("instance_class"),
    F_STR("region"),
    F_END,
};

static const field_spec_t host_fields[] = {
    F_INT("cpus"),
    F_INT("memory_bytes"),
    F_STR("storage"),
    F_MAP("cloud", cloud_fields),
    F_MAPOF("sources", T_STRING),
    F_END,
};

static const field_spec_t settings_fields[] = {
    F_STR("name"),     F_STR("setting"),   F_STR("unit"),
    F_STR("vartype"),  F_STR("source"),    F_STR("context"),
    F_STR("boot_val"), F_STR("reset_val"), F_BOOL("pending_restart"),
    F_STR("min_val"),  F_STR("max_val"),   F_END,
};

static const field_spec_t tables_fields[] = {
    F_STR("schema"),
    F_STR("name"),
    F_INT("oid"),
    F_STR("kind"),
    F_DBL("reltuples"),
    F_INT("relpages"),
    F_INT("total_bytes"),
    F_INT("table_bytes"),
    F_INT("index_bytes"),
    F_INT("toast_bytes"),
    F_INT("seq_scan"),
    F_INT("seq_tup_read"),
    F_INT("idx_scan"),
    F_INT("idx_tup_fetch"),
    F_INT("n_tup_ins"),
    F_INT("n_tup_upd"),
    F_INT("n_tup_del"),
    F_INT("n_tup_hot_upd"),
    F_INT("n_live_tup"),
    F_INT("n_dead_tup"),
    F_INT("n_mod_since_analyze"),
    F_INT("vacuum_count"),
    F_INT("autovacuum_count"),
    F_INT("analyze_count"),
    F_INT("autoanalyze_count"),
    F_STR("last_vacuum"),
    F_STR("last_autovacuum"),
    F_STR("last_analyze"),
    F_STR("last_autoanalyze"),
    F_INT("heap_blks_read"),
    F_INT("heap_blks_hit"),
    F_STRS("reloptions"),
    F_STR("replica_identity"),
    F_BOOL("has_primary_key"),
    F_END,
};

static const field_spec_t columns_fields[] = {
    F_STR("schema"),
    F_STR("table"),
    F_STR("name"),
    F_INT("attnum"),
    F_STR("type"),
    F_BOOL("not_null"),
    F_STR("default"),
    F_DBL("null_frac"),
    F_DBL("avg_width"),
    F_DBL("n_distinct"),
    F_DBL("correlation"),
    F_STRS("most_common_vals"),
    F_DBLS("most_common_freqs"),
    F_STRS("histogram_bounds"),
    F_END,
};

static const field_spec_t indexes_fields[] = {
    F_STR("schema"),
    F_STR("table"),
    F_STR("name"),
    F_INT("oid"),
    F_STR("definition"),
    F_STR("method"),
    F_STRS("columns"),
    F_STRS("include"),
    F_STR("predicate"),
    F_BOOL("is_unique"),
    F_BOOL("is_primary"),
    F_BOOL("is_valid"),
    F_BOOL("is_ready"),
    F_BOOL("is_exclusion"),
    F_BOOL("backs_constraint"),
    F_BOOL("is_replica_identity"),
    F_STR("constraint"),
    F_INT("idx_scan"),
    F_INT("idx_tup_read"),
    F_INT("idx_tup_fetch"),
    F_INT("size_bytes"),
    F_END,
};

static const field_spec_t constraints_fields[] = {
    F_STR("schema"),
    F_STR("table"),
    F_STR("name"),
    F_STR("type"),
    F_STR("definition"),
    F_STRS("columns"),
    F_STR("ref_schema"),
    F_STR("ref_table"),
    F_STRS("ref_columns"),
    F_BOOL("validated"),
    F_END,
};

static const field_spec_t statements_fields[] = {
    F_INT("queryid"),
    F_INT("userid"),
    F_INT("dbid"),
    F_BOOL("toplevel"),
    F_STR("query"),
    F_INT("calls"),
    F_INT("rows"),
    F_DBL("total_exec_time"),
    F_DBL("mean_exec_time"),
    F_DBL("min_exec_time"),
    F_DBL("max_exec_time"),
    F_DBL("stddev_exec_time"),
    F_DBL("total_plan_time"),
    F_INT("shared_blks_hit"),
    F_INT("shared_blks_read"),
    F_INT("shared_blks_dirtied"),
    F_INT("shared_blks_written"),
    F_INT("local_blks_hit"),
    F_INT("local_blks_read"),
    F_INT("temp_blks_read"),
    F_INT("temp_blks_written"),
    F_DBL("blk_read_time"),
    F_DBL("blk_write_time"),
    F_INT("wal_records"),
    F_INT("wal_bytes"),
    F_ANYMAP("plan"),
    F_END,
};

static const field_spec_t qualstats_fields[] = {
    F_INT("queryid"),
    F_STR("schema"),
    F_STR("table"),
    F_STR("column"),
    F_INT("opno"),
    F_STR("operator"),
    F_INT("qualnodeid"),
    F_INT("occurences"),
    F_INT("execution_count"),
    F_INT("nbfiltered"),
    F_INT("constant_position"),
    F_STR("eval_type"),
    F_END,
};

static const field_spec_t database_fields[] = {
    F_STR("name"),         F_INT("size_bytes"),       F_INT("numbackends"),
    F_INT("xact_commit"),  F_INT("xact_rollback"),    F_INT("blks_read"),
    F_INT("blks_hit"),     F_INT("tup_returned"),     F_INT("tup_fetched"),
    F_INT("tup_inserted"), F_INT("tup_updated"),      F_INT("tup_deleted"),
    F_INT("conflicts"),    F_INT("temp_files"),       F_INT("temp_bytes"),
    F_INT("deadlocks"),    F_DBL("blk_read_time"),    F_DBL("blk_write_time"),
    F_STR("stats_reset"),  F_INT("age_datfrozenxid"), F_END,
};

static const field_spec_t wal_fields[] = {
    F_INT("wal_records"),      F_INT("wal_fpi"),     F_INT("wal_bytes"),
    F_INT("wal_buffers_full"), F_STR("stats_reset"), F_END,
};

static const field_spec_t bgwriter_fields[] = {
    F_INT("checkpoints_timed"),     F_INT("checkpoints_req"),
    F_DBL("checkpoint_write_time"), F_DBL("checkpoint_sync_time"),
    F_INT("buffers_checkpoint"),    F_INT("buffers_clean"),
    F_INT("maxwritten_clean"),      F_INT("buffers_backend"),
    F_INT("buffers_backend_fsync"), F_INT("buffers_alloc"),
    F_STR("stats_reset"),           F_MAP("wal", wal_fields),
    F_DBL("seconds_since_reset"),   F_END,
};

static const field_spec_t by_application_fields[] = {F_STR("application_name"), F_STR("state"),
                                                     F_INT("count"), F_END};
static const field_spec_t waiting_fields[] = {F_STR("wait_event_type"), F_STR("wait_event"),
                                              F_INT("count"), F_END};
static const field_spec_t locks_fields[] = {F_STR("mode"), F_BOOL("granted"), F_INT("count"),
                                            F_END};
static const field_spec_t replication_fields[] = {
    F_STR("application_name"), F_STR("state"),        F_DBL("write_lag_s"),
    F_DBL("flush_lag_s"),      F_DBL("replay_lag_s"), F_END,
};

static const field_spec_t activity_fields[] = {
    F_INT("total"),
    F_INT("max_connections"),
    F_MAPOF("by_state", T_INT),
    F_ROWS("by_application", by_application_fields),
    F_DBL("longest_transaction_s"),
    F_DBL("longest_query_s"),
    F_ROWS("waiting", waiting_fields),
    F_ROWS("locks", locks_fields),
    F_ROWS("replication", replication_fields),
    F_END,
};

static const field_spec_t code_fields[] = {F_STR("path"), F_STR("content"), F_INT("bytes"), F_END};

static const field_spec_t engine_fields[] = {
    F_STR("file"), F_INT("line"), F_STR("url_expr"), F_ANYMAP("options"), F_END,
};
static const field_spec_t sqlalchemy_fields[] = {F_ROWS("engines", engine_fields), F_END};

static const field_spec_t chunk_fields[] = {
    F_STR("name"),
    F_INT("total_bytes"),
    F_INT("index_bytes"),
    F_END,
};
static const field_spec_t hypertable_fields[] = {
    F_STR("schema"),
    F_STR("name"),
    F_STR("time_column"),
    F_INT("chunk_time_interval_us"),
    F_INT("num_chunks"),
    F_INT("total_bytes"),
    F_INT("index_bytes"),
    F_ROWS("chunks", chunk_fields),
    F_END,
};
static const field_spec_t timescaledb_fields[] = {
    F_STR("version"),
    F_ROWS("hypertables", hypertable_fields),
    F_ANYMAP("settings"),
    F_END,
};

static const field_spec_t history_fields[] = {
    F_STR("collected_at"),
    F_ROWS("statements", statements_fields),
    F_ROWS("tables", tables_fields),
    F_MAP("database", database_fields),
    F_MAP("bgwriter", bgwriter_fields),
    F_MAP("activity", activity_fields),
    F_END,
};

static const field_spec_t target_fields[] = {F_STR("dsn"), F_END};

/* options: the user's analysis choices the agents read (docs/SNAPSHOT.md,
 * "options"; workers/agent.h: a worker reads options from nowhere else). */
static const field_spec_t options_fields[] = {
    F_INT("index_budget_bytes"),
    F_BOOL("index_offline"),
    F_DBL("index_max_write_overhead"),
    F_DBL("index_min_gain_fraction"),
    F_DBL("index_min_improvement"),
    F_DBL("index_min_unused_window_s"),
    F_BOOL("verify"),
    F_BOOL("rewriter_offline"),
    F_END,
};

/* The sections: a section may be absent but never null. */
static const field_spec_t sections[] = {
    F_MAP("meta", meta_fields),
    F_MAP("host", host_fields),
    F_ROWS("settings", settings_fields),
    F_ROWS("tables", tables_fields),
    F_ROWS("columns", columns_fields),
    F_ROWS("indexes", indexes_fields),
    F_ROWS("constraints", constraints_fields),
    F_ROWS("statements", statements_fields),
    F_ROWS("qualstats", qualstats_fields),
    F_MAP("database", database_fields),
    F_MAP("bgwriter", bgwriter_fields),
    F_MAP("activity", activity_fields),
    F_ROWS("code", code_fields),
    F_MAP("sqlalchemy", sqlalchemy_fields),
    F_MAPOF("pgbouncer", T_STRING),
    F_MAP("timescaledb", timescaledb_fields),
    F_ROWS("history", history_fields),
    F_MAP("target", target_fields),
    F_MAP("options", options_fields),
    F_END,
};

/* ---- validation ------------------------------------------------------- */

/* The T_* type bits a JSON value satisfies (an integer also counts as a
 * double). Returns 0 for null and other types. */
static unsigned type_bit(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return T_MAP;
    case JSON_ARRAY:
        return T_ARRAY;
    case JSON_STRING:
        return T_STRING;
    case JSON_INTEGER:
        return T_INT | T_DOUBLE;
    case JSON_REAL:
        return T_DOUBLE;
    case JSON_TRUE:
    case JSON_FALSE:
        return T_BOOL;
    default:
        return 0;
    }
}

/* The type bits as words for a message ("integer or number"). */
static void expected_words(unsigned types, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *word;
    } words[] = {{T_BOOL, "boolean"},  {T_INT, "integer"}, {T_DOUBLE, "number"},
                 {T_STRING, "string"}, {T_ARRAY, "array"}, {T_MAP, "map"}};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!(types & words[i].bit))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s", used ? " or " : "", words[i].word);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

typedef struct {
    char path[256];
    size_t len;
    err_t *err;
} vctx_t;

/* Appends a path segment; returns the length to restore afterwards. */
static size_t push_key(vctx_t *c, const char *key)
{
    size_t old = c->len;
    int n = snprintf(c->path + c->len, sizeof c->path - c->len, "%s%s", c->len ? "." : "", key);
    if (n > 0)
        c->len += (size_t)n < sizeof c->path - c->len ? (size_t)n : sizeof c->path - c->len - 1;
    return old;
}

/* Appends [i] to the path of the value being checked; returns the old
 * length, to pop it back. */
static size_t push_index(vctx_t *c, size_t i)
{
    size_t old = c->len;
    int n = snprintf(c->path + c->len, sizeof c->path - c->len, "[%zu]", i);
    if (n > 0)
        c->len += (size_t)n < sizeof c->path - c->len ? (size_t)n : sizeof c->path - c->len - 1;
    return old;
}

static void pop(vctx_t *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

static int type_error(vctx_t *c, unsigned types, const json_t *v)
{
    char want[64];
    expected_words(types, want, sizeof want);
    return err_set(c->err, "%s: expected %s, got %s", c->path, want, codec_type_name(v));
}

static int check_fields(vctx_t *c, const json_t *map, const field_spec_t *fields);

/* Checks one value against a spec; null is allowed when nullable. */
static int check_value(vctx_t *c, const json_t *v, const field_spec_t *spec, int nullable)
{
    if (json_is_null(v)) {
        if (nullable)
            return 0;
        return type_error(c, spec->types, v);
    }
    if (!(type_bit(v) & spec->types))
        return type_error(c, spec->types, v);
    if (json_is_array(v) && (spec->elem || spec->rows)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            /* Validating a large snapshot takes seconds on a loaded machine:
             * a worker beats through it (a no-op without a progress sink). */
            if (i % 256 == 255)
                progress_alive();
            size_t old = push_index(c, i);
            int rc = 0;
            if (spec->rows) {
                if (!json_is_object(e))
                    rc = type_error(c, T_MAP, e);
                else
                    rc = check_fields(c, e, spec->rows);
            } else if (!json_is_null(e) && !(type_bit(e) & spec->elem)) {
                rc = type_error(c, spec->elem, e);
            }
            if (rc != 0)
                return -1;
            pop(c, old);
        }
    } else if (json_is_object(v)) {
        if (spec->rows && check_fields(c, v, spec->rows) != 0)
            return -1;
        if (spec->values) {
            const char *key;
            const json_t *member;
            json_object_foreach((json_t *)v, key, member)
            {
                size_t old = push_key(c, key);
                if (!json_is_null(member) && !(type_bit(member) & spec->values))
                    return type_error(c, spec->values, member);
                pop(c, old);
            }
        }
    }
    return 0;
}

/* Checks the members of map that fields names (types, nullability, nested
 * specs). -1 with c's error (path and expected types) at the first mismatch;
 * absent members and members not named are left alone. */
static int check_fields(vctx_t *c, const json_t *map, const field_spec_t *fields)
{
    for (const field_spec_t *f = fields; f->name; f++) {
        const json_t *v = json_object_get(map, f->name);
        if (!v)
            continue;
        size_t old = push_key(c, f->name);
        if (check_value(c, v, f, 1) != 0)
            return -1;
        pop(c, old);
    }
    return 0;
}

int snapshot_validate(const json_t *doc, err_t *err)
{
    if (!json_is_object(doc))
        return err_set(err, "snapshot must be a map, got %s",
                       doc ? codec_type_name(doc) : "nothing");
    const json_t *meta = json_object_get(doc, "meta");
    if (!meta)
        return err_set(err, "meta: section is required");
    if (!json_is_object(meta))
        return err_set(err, "meta: expected map, got %s", codec_type_name(meta));
    const json_t *fv = json_object_get(meta, "format_version");
    if (!fv)
        return err_set(err, "meta.format_version: required");
    if (!json_is_integer(fv))
        return err_set(err, "meta.format_version: expected integer, got %s", codec_type_name(fv));
    if (json_integer_value(fv) != SNAPSHOT_FORMAT_VERSION)
        return err_set(err, "meta.format_version: unsupported version %lld (this pgopt reads %d)",
                       (long long)json_integer_value(fv), SNAPSHOT_FORMAT_VERSION);

    vctx_t c = {.len = 0, .err = err};
    c.path[0] = '\0';
    for (const field_spec_t *s = sections; s->name; s++) {
        const json_t *v = json_object_get(doc, s->name);
        if (!v)
            continue;
        size_t old = push_key(&c, s->name);
        if (check_value(&c, v, s, 0) != 0)
            return -1;
        pop(&c, old);
    }
    return 0;
}

/* ---- JSON text -------------------------------------------------------- */

/* The same bounds as msgpack documents (proto/codec.h), so a snapshot that
 * loads from one format loads from the other. */
#define JSON_MAX_BYTES CODEC_LIMITS_DOCUMENT.max_bytes
#define JSON_MAX_DEPTH CODEC_LIMITS_DOCUMENT.max_depth

/* jansson accepts 2048 levels; checking depth on the text (not on the tree)
 * gives the line and column of the offending bracket. Columns count
 * characters, like jansson's. */
static int check_json_depth(const char *text, size_t len, err_t *err)
{
    size_t depth = 0;
    int line = 1, col = 0, in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            line++;
            col = 0;
        } else if ((ch & 0xc0) != 0x80) {
            col++;
        }
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (ch == '\\')
                escaped = 1;
            else if (ch == '"')
                in_string = 0;
            continue;
        }
        if (ch == '"') {
            in_string = 1;
        } else if (ch == '{' || ch == '[') {
            if (++depth > JSON_MAX_DEPTH)
                return err_set(err, "line %d, column %d: nesting deeper than %zu levels", line, col,
                               JSON_MAX_DEPTH);
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

typedef struct {
    size_t items;
    err_t *err;
} jlimits_t;

/* What codec_decode checks that jansson does not: string length and the
 * number of values (keys count, as in the codec). jansson already refuses
 * NaN, integers outside int64, invalid UTF-8 and NUL bytes in keys. */
static int check_json_limits(jlimits_t *l, vctx_t *c, const json_t *v)
{
    if (++l->items > CODEC_LIMITS_DOCUMENT.max_items)
        return err_set(l->err, "%s: more than %zu values in the document", c->len ? c->path : "$",
                       CODEC_LIMITS_DOCUMENT.max_items);
    if (json_is_string(v) && json_string_length(v) > CODEC_LIMITS_DOCUMENT.max_str)
        return err_set(l->err, "%s: string of %zu bytes exceeds the limit of %zu bytes",
                       c->len ? c->path : "$", json_string_length(v),
                       CODEC_LIMITS_DOCUMENT.max_str);
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t old = push_index(c, i);
            if (check_json_limits(l, c, json_array_get(v, i)) != 0)
                return -1;
            pop(c, old);
        }
    } else if (json_is_object(v)) {
        const char *key;
        const json_t *member;
        json_object_foreach((json_t *)v, key, member)
        {
            size_t old = push_key(c, key);
            l->items++; /* the key */
            if (check_json_limits(l, c, member) != 0)
                return -1;
            pop(c, old);
        }
    }
    return 0;
}

int snapshot_parse_json(const char *text, size_t len, json_t **doc, err_t *err)
{
    *doc = NULL;
    if (len > JSON_MAX_BYTES)
        return err_set(err, "JSON text of %zu bytes exceeds the limit of %zu bytes", len,
                       JSON_MAX_BYTES);
    if (check_json_depth(text, len, err) != 0)
        return -1;
    json_error_t je;
    /* JSON_ALLOW_NUL: msgpack strings may hold NUL, and the two formats
     * must carry the same documents. EOF check stays on: trailing garbage is
     * an error. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!root)
        return err_set(err, "line %d, column %d: %s%s", je.line, je.column,
                       json_error_code(&je) == json_error_invalid_utf8 ? "invalid UTF-8: " : "",
                       je.text);
    jlimits_t l = {.items = 0, .err = err};
    vctx_t c = {.len = 0, .err = err};
    c.path[0] = '\0';
    if (check_json_limits(&l, &c, root) != 0) {
        json_decref(root);
        return -1;
    }
    *doc = root;
    return 0;
}

/* ---- files ------------------------------------------------------------ */

typedef enum { FMT_UNKNOWN, FMT_JSON, FMT_MSGPACK } file_format_t;

/* The snapshot format a file name says (.json, .msgpack), or FMT_UNKNOWN. */
static file_format_t format_from_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return FMT_UNKNOWN;
    if (strcmp(dot, ".json") == 0)
        return FMT_JSON;
    if (strcmp(dot, ".msgpack") == 0)
        return FMT_MSGPACK;
    return FMT_UNKNOWN;
}

/* Reads at most limit bytes; a file that is larger is refused rather than
 * cut short. */
static int read_all(int fd, size_t limit, char **buf, size_t *len, err_t *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return err_set(err, "fstat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return err_set(err, "is a directory");
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > limit)
        return err_set(err, "file is %lld bytes, more than the %zu MiB a snapshot may have",
                       (long long)st.st_size, limit >> 20);
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    size_t n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > limit) {
                free(data);
                return err_set(err, "more than the %zu MiB a snapshot may have", limit >> 20);
            }
            size_t ncap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
            data = xrealloc(data, ncap);
            cap = ncap;
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(data);
            return err_set(err, "read: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > limit) {
        free(data);
        return err_set(err, "more than the %zu MiB a snapshot may have", limit >> 20);
    }
    *buf = data;
    *len = n;
    return 0;
}

int snapshot_read_file(const char *path, json_t **doc, err_t *err)
{
    *doc = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    char *data = NULL;
    size_t len = 0;
    int rc = read_all(fd, CODEC_LIMITS_DOCUMENT.max_bytes, &data, &len, err);
    close(fd);
    if (rc != 0)
        return err_prefix(err, "%s: ", path);

    file_format_t fmt = format_from_name(path);
    if (fmt == FMT_UNKNOWN) {
        /* A snapshot is a map: JSON text starts with '{' (after blanks),
         * msgpack with a map type byte. */
        size_t i = 0;
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
            i++;
        fmt = (i < len && data[i] == '{') ? FMT_JSON : FMT_MSGPACK;
    }
    json_t *root = NULL;
    if (fmt == FMT_JSON)
        rc = snapshot_parse_json(data, len, &root, err);
    else
        rc = codec_decode(data, len, &CODEC_LIMITS_DOCUMENT, &root, err);
    free(data);
    if (rc != 0)
        return err_prefix(err, "%s: %s: ", path, fmt == FMT_JSON ? "JSON" : "msgpack");
    if (snapshot_validate(root, err) != 0) {
        json_decref(root);
        return err_prefix(err, "%s: ", path);
    }
    *doc = root;
    return 0;
}

int snapshot_write_file(const char *path, const json_t *doc, err_t *err)
{
    file_format_t fmt = format_from_name(path);
    if (fmt == FMT_UNKNOWN)
        return err_set(err, "%s: unknown format: the name must end in .json or .msgpack", path);
    /* common/outfile: replaced atomically (readers see the old file or the
     * new one), mode 0600 (a snapshot holds query texts and may hold a DSN
     * with credentials), a device or FIFO written in place. */
    outfile_t *f;
    if (outfile_open(path, &f, err) != 0)
        return -1;
    int rc;
    if (fmt == FMT_MSGPACK) {
        char *buf = NULL;
        size_t len = 0;
        rc = codec_encode(doc, &buf, &len, err);
        if (rc == 0 && len && fwrite(buf, 1, len, outfile_stream(f)) != len)
            rc = err_set(err, "%s: write: %s", outfile_path(f), strerror(errno));
        free(buf);
    } else {
        rc = jsonout_file(outfile_stream(f), doc, JSONOUT_PRETTY, err);
        if (rc != 0)
            err_prefix(err, "%s: ", outfile_path(f));
    }
    if (rc != 0) {
        outfile_destroy(&f);
        return -1;
    }
    return outfile_commit(&f, err);
}
