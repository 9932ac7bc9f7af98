/*
 * result_schema.c - see result_schema.h.
 *
 * A schema is a table of rules. A rule's path walks the result: "key"
 * selects a member of a map, "key[]" every element of an array member, "*"
 * every member of a map; the value(s) reached must have one of the rule's
 * types. A required rule also fails when its last key is missing from a map
 * that the earlier segments reached (a missing parent is the parent rule's
 * business). Rules run in table order, parents first, so the first
 * violation reported is the outermost one.
 */
#include "proto/result_schema.h"

#include <stdio.h>
#include <string.h>

#include "proto/codec.h"

enum {
    T_OBJ = 1 << 0,
    T_ARR = 1 << 1,
    T_STR = 1 << 2,
    T_INT = 1 << 3,
    T_REAL = 1 << 4,
    T_BOOL = 1 << 5,
    T_NULL = 1 << 6,
};

typedef struct {
    const char *path;
    unsigned types;
    int required;
} rule_t;

#define REQ 1
#define OPT 0

static const rule_t common_rules[] = {
    {"phase", T_STR, REQ},   {"agent", T_STR, REQ}, {"notes", T_ARR, OPT},
    {"notes[]", T_STR, OPT}, {NULL, 0, 0},
};

static const rule_t index_advisor_rules[] = {
    {"recommendations", T_ARR, REQ},
    {"recommendations[]", T_OBJ, REQ},
    {"recommendations[].id", T_STR, REQ},
    {"recommendations[].create_statement", T_STR, REQ},
    {"recommendations[].type", T_STR, OPT},
    {"recommendations[].table", T_STR, OPT},
    {"recommendations[].drop_statement", T_STR | T_NULL, OPT},
    {"recommendations[].estimated_improvement", T_STR | T_NULL, OPT},
    {"recommendations[].affected_queries", T_INT, OPT},
    {"recommendations[].storage_impact", T_STR | T_NULL, OPT},
    {"recommendations[].write_overhead", T_STR | T_NULL, OPT},
    {"recommendations[].priority", T_STR, OPT},
    {"recommendations[].risk", T_STR, OPT},
    {"recommendations[].rollback", T_STR | T_NULL, OPT},
    {"unused_indexes_to_drop", T_ARR, REQ},
    {"unused_indexes_to_drop[]", T_OBJ | T_STR, REQ},
    {"duplicate_indexes", T_ARR, REQ},
    {"duplicate_indexes[]", T_OBJ | T_STR, REQ},
    {"invalid_indexes", T_ARR, OPT},
    {"evaluation", T_OBJ, OPT},
    {NULL, 0, 0},
};

static const rule_t query_rewriter_rules[] = {
    {"rewrites", T_ARR, REQ},
    {"rewrites[]", T_OBJ, REQ},
    {"rewrites[].id", T_STR, REQ},
    {"rewrites[].file", T_STR | T_NULL, OPT},
    {"rewrites[].line", T_INT | T_NULL, OPT},
    {"rewrites[].type", T_STR, OPT},
    {"rewrites[].original", T_STR | T_NULL, OPT},
    {"rewrites[].optimized", T_STR | T_NULL, OPT},
    {"rewrites[].explanation", T_STR | T_NULL, OPT},
    {"rewrites[].estimated_gain", T_STR | T_NULL, OPT},
    {"rewrites[].priority", T_STR | T_NULL, OPT},
    {"sql_rewrites", T_ARR, REQ},
    {"sql_rewrites[]", T_OBJ, REQ},
    {"sql_rewrites[].original_query", T_STR, REQ},
    {"sql_rewrites[].optimized_query", T_STR | T_NULL, OPT},
    {"sql_rewrites[].changes", T_ARR, OPT},
    {"sql_rewrites[].changes[]", T_STR, OPT},
    {"sql_rewrites[].estimated_gain", T_STR | T_NULL, OPT},
    {NULL, 0, 0},
};

static const rule_t config_tuner_rules[] = {
    {"postgresql", T_OBJ, REQ},
    {"postgresql.*", T_OBJ, REQ},   /* groups: memory, autovacuum, ... */
    {"postgresql.*.*", T_OBJ, REQ}, /* settings: {current, recommended, reason} */
    {"postgresql.*.*.reason", T_STR | T_NULL, OPT},
    {"sqlalchemy", T_OBJ, REQ},
    {"pgbouncer", T_OBJ, REQ},
    {"timescaledb", T_OBJ, REQ},
    {"apply_script", T_STR, REQ},
    {"rollback_script", T_STR, OPT},
    {NULL, 0, 0},
};

static const rule_t ai_tuning_rules[] = {
    {"workload_analysis", T_OBJ, REQ},
    {"workload_analysis.classification", T_STR | T_NULL, OPT},
    {"workload_analysis.peak_hours", T_ARR, OPT},
    {"workload_analysis.query_clusters", T_ARR, OPT},
    {"predictions", T_OBJ, REQ},
    {"predictions.growth_rate", T_STR | T_NULL, OPT},
    {"predictions.scaling_trigger", T_STR | T_NULL, OPT},
    {"predictions.proactive_actions", T_ARR, OPT},
    {"cloud_native", T_OBJ, REQ},
    {"cloud_native.provider", T_STR | T_NULL, OPT},
    {"cloud_native.recommendations", T_ARR, OPT},
    {"cloud_native.cost_impact", T_OBJ | T_NULL, OPT},
    {"ml_insights", T_OBJ, REQ},
    {"ml_insights.regressions", T_ARR, OPT},
    {"ml_insights.anomalies", T_ARR, OPT},
    {"ml_insights.auto_scaling", T_OBJ | T_NULL, OPT},
    {"cost_optimization", T_OBJ, REQ},
    {"cost_optimization.current_monthly", T_STR | T_NULL, OPT},
    {"cost_optimization.projected_savings", T_STR | T_NULL, OPT},
    {"cost_optimization.recommendations", T_ARR, OPT},
    {NULL, 0, 0},
};

static const struct {
    const char *agent;
    const rule_t *rules;
} schemas[] = {
    {"index_advisor", index_advisor_rules},
    {"query_rewriter", query_rewriter_rules},
    {"config_tuner", config_tuner_rules},
    {"ai_tuning", ai_tuning_rules},
};

/* The schema's type bit of v (T_OBJ, T_ARR, ...). */
static unsigned type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return T_OBJ;
    case JSON_ARRAY:
        return T_ARR;
    case JSON_STRING:
        return T_STR;
    case JSON_INTEGER:
        return T_INT;
    case JSON_REAL:
        return T_REAL;
    case JSON_TRUE:
    case JSON_FALSE:
        return T_BOOL;
    default:
        return T_NULL;
    }
}

/* The type bits as words for a message ("string or null"). */
static void types_text(unsigned types, char *out, size_t len)
{
    static const char *const names[] = {"map",    "array",   "string", "integer",
                                        "double", "boolean", "null"};
    out[0] = '\0';
    for (int i = 0; i < 7; i++) {
        if (!(types & (1u << i)))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%s", n ? " or " : "", names[i]);
    }
}

typedef struct {
    const rule_t *rule;
    const char *agent;
    err_t *err;
} walk_t;

/* Appends a path element to where (a JSON-ish path for the message). */
static void path_push(char *where, size_t len, const char *fmt, const char *key, size_t index)
{
    size_t n = strlen(where);
    if (n >= len - 1)
        return;
    if (key)
        snprintf(where + n, len - n, fmt, n ? "." : "", key);
    else
        snprintf(where + n, len - n, "[%zu]", index);
}

/* Walks the rest of the rule's path (seg, NUL- or '.'-terminated segments)
 * from v; where is the path so far. Returns -1 with the error set on the
 * first violation. */
static int walk(const walk_t *w, const json_t *v, const char *seg, char *where, size_t len)
{
    size_t mark = strlen(where);
    if (*seg == '\0') {
        if (!(type_of(v) & w->rule->types)) {
            char want[80];
            types_text(w->rule->types, want, sizeof want);
            return err_set(w->err, "%s result: %s: expected %s, got %s", w->agent, where, want,
                           codec_type_name(v));
        }
        return 0;
    }
    const char *dot = strchr(seg, '.');
    size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
    const char *next = dot ? dot + 1 : seg + n;
    int each = n >= 2 && seg[n - 2] == '[' && seg[n - 1] == ']';
    char key[64];
    size_t kn = each ? n - 2 : n;
    if (kn >= sizeof key)
        kn = sizeof key - 1;
    memcpy(key, seg, kn);
    key[kn] = '\0';

    if (!json_is_object(v))
        return 0; /* the parent's own rule says what is wrong with it */
    if (strcmp(key, "*") == 0) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            path_push(where, len, "%s%s", k, 0);
            int rc = walk(w, x, next, where, len);
            where[mark] = '\0';
            if (rc != 0)
                return -1;
        }
        return 0;
    }
    const json_t *x = json_object_get(v, key);
    path_push(where, len, "%s%s", key, 0);
    int rc = 0;
    if (!x) {
        /* only the rule whose last segment this is may require the key */
        if (w->rule->required && *next == '\0' && !each)
            rc = err_set(w->err, "%s result: %s: missing", w->agent, where);
    } else if (each) {
        if (json_is_array(x)) {
            size_t i;
            json_t *e;
            json_array_foreach(x, i, e)
            {
                size_t m2 = strlen(where);
                path_push(where, len, NULL, NULL, i);
                rc = walk(w, e, next, where, len);
                where[m2] = '\0';
                if (rc != 0)
                    break;
            }
        }
    } else {
        rc = walk(w, x, next, where, len);
    }
    where[mark] = '\0';
    return rc;
}

/* Checks result against each rule's path and types. -1 with err (agent,
 * path, what was expected) at the first mismatch. */
static int apply(const rule_t *rules, const json_t *result, const char *agent, err_t *err)
{
    for (const rule_t *r = rules; r->path; r++) {
        char where[512] = "";
        walk_t w = {r, agent, err};
        if (walk(&w, result, r->path, where, sizeof where) != 0)
            return -1;
    }
    return 0;
}

int result_validate(const json_t *result, const char *agent, err_t *err)
{
    if (!agent || !*agent)
        return err_set(err, "result: no agent to check it against");
    if (!json_is_object(result))
        return err_set(err, "%s result: expected a map, got %s", agent, codec_type_name(result));
    if (apply(common_rules, result, agent, err) != 0)
        return -1;
    const char *phase = json_string_value(json_object_get(result, "phase"));
    if (strcmp(phase, "OPTIMIZE") != 0)
        return err_set(err, "%s result: phase: expected \"OPTIMIZE\", got \"%.64s\"", agent, phase);
    const char *label = json_string_value(json_object_get(result, "agent"));
    if (strcmp(label, agent) != 0)
        return err_set(err, "%s result: agent: the result is labelled \"%.64s\"", agent, label);
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
        if (strcmp(schemas[i].agent, agent) == 0)
            return apply(schemas[i].rules, result, agent, err);
    return 0;
}
