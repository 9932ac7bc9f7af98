/* ia_report.c - the seed's index_advisor JSON from the selection, plus the
 * drop advice (unused, duplicate, invalid indexes) read from the snapshot.
 *
 * Priority: by the execution time the index saves in the measured window
 * (each affected statement's measured time x (1 - cost ratio)), as a share
 * of the workload's measured time: P1 >= 10%, P2 >= 2%, P3 below (the
 * speed-up factor is supporting evidence: a 200x speed-up of a statement
 * that runs 66 ms in total matters less than 1.3x on one that runs 7 s). Risk (seed): low for a
 * btree on a table under 1 GB, medium up to 10 GB (a CONCURRENTLY build takes minutes and holds a
 * SHARE UPDATE EXCLUSIVE lock, blocking DDL and VACUUM), high above; GIN builds are several times
 * slower, so a GIN on a table over 100 MB is one step up.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "workers/index_advisor/ia_internal.h"

#define GB (1024.0 * 1024.0 * 1024.0)
#define MB (1024.0 * 1024.0)

/* "12.3 MB" / "+120 kB" (sign: with a leading + or -). malloc()ed. */
static char *human_bytes(double b, int sign)
{
    const char *pre = sign ? (b >= 0 ? "+" : "-") : "";
    b = fabs(b);
    if (b >= GB)
        return ia_printf("%s%.1f GB", pre, b / GB);
    if (b >= MB)
        return ia_printf("%s%.1f MB", pre, b / MB);
    return ia_printf("%s%.0f kB", pre, ceil(b / 1024.0));
}

static void set_str(json_t *o, const char *k, char *v)
{
    json_object_set_new(o, k, json_string(v));
    free(v);
}

static char *qualified(const char *schema, const char *name)
{
    char a[200], b[200];
    ia_quote_ident(schema, a, sizeof a);
    ia_quote_ident(name, b, sizeof b);
    return ia_printf("%s.%s", a, b);
}

static int name_taken(const ia_model_t *m, const char *schema, const char *name, json_t *used)
{
    for (size_t i = 0; i < m->nindexes; i++)
        if (strcmp(m->indexes[i].name, name) == 0 && strcmp(m->indexes[i].schema, schema) == 0)
            return 1;
    return json_object_get(used, name) != NULL;
}

/* Build risk of a candidate from its table's total size: "low" under 1 GB,
 * "medium" under 10 GB, else "high"; GIN on a table of 100 MB or more is one
 * level higher. Always returns one of the three strings. */
static const char *risk_of(const ia_model_t *m, const ia_candidate_t *c)
{
    double bytes = (double)m->tables[c->table].total_bytes;
    int level = bytes < 1 * GB ? 0 : bytes < 10 * GB ? 1 : 2;
    if (c->method == CAND_GIN && bytes >= 100 * MB && level < 2)
        level++;
    return level == 0 ? "low" : level == 1 ? "medium" : "high";
}

static int ranks_before(const ia_choice_t *a, const ia_choice_t *b)
{
    if (a->method != b->method)
        return a->method > b->method;
    return a->benefit_ms > b->benefit_ms;
}

/* Priority from the time the index saves in the measured window, as a share
 * of the workload's measured time (METHOD.md section 5). */
const char *ia_priority(double saved_share, int planner_verified, int have_planner)
{
    if (have_planner && !planner_verified)
        return "P3";
    return saved_share >= IA_P1_SAVED_SHARE ? "P1" : saved_share >= IA_P2_SAVED_SHARE ? "P2" : "P3";
}

/* The seed's recommendations array: one entry per chosen index (DDL,
 * size, affected statements with their before/after costs, time saved,
 * priority, method, write overhead): planner-verified ones first, then by
 * time saved. */
static json_t *recommendations(ia_model_t *m, const ia_selection_t *sel)
{
    json_t *out = json_array();
    json_t *used_names = json_object();
    /* planner-verified first, then by time saved in the measured window: a
     * claim of pgopt's offline model never ranks above one the server's
     * planner confirmed (the model can overstate a speed-up by 100x) */
    size_t n = sel->nchoices;
    int *order = xmalloc((n + 1) * sizeof(int));
    int *final = xmalloc((n + 1) * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        order[i] = (int)i;
        final[i] = sel->choices[i].cand;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && ranks_before(&sel->choices[order[j]], &sel->choices[order[j - 1]]); j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t oi = 0; oi < n; oi++) {
        const ia_choice_t *ch = &sel->choices[order[oi]];
        ia_candidate_t *c = &m->cands[ch->cand];
        const ia_table_t *t = &m->tables[c->table];
        /* unique name within the schema */
        char name[80];
        snprintf(name, sizeof name, "%s", c->name);
        for (int k = 2; name_taken(m, t->schema, name, used_names) && k < 100; k++) {
            char base[64];
            snprintf(base, sizeof base, "%.58s", c->name);
            snprintf(name, sizeof name, "%s_%d", base, k);
        }
        json_object_set_new(used_names, name, json_true());
        free(c->name);
        c->name = xstrdup_or_null(name);

        json_t *r = json_object();
        set_str(r, "id", ia_printf("idx-%03zu", oi + 1));
        json_object_set_new(r, "type", json_string(c->type));
        set_str(r, "table", ia_printf("%s.%s", t->schema, t->name));
        char *ddl = ia_candidate_ddl(m, c, 1);
        set_str(r, "create_statement", ia_printf("%s;", ddl));
        free(ddl);
        char *q = qualified(t->schema, c->name);
        set_str(r, "drop_statement", ia_printf("DROP INDEX CONCURRENTLY IF EXISTS %s;", q));
        set_str(r, "estimated_improvement", ia_printf("%.1fx faster", ch->improvement));
        json_object_set_new(r, "affected_queries", json_integer((json_int_t)ch->naffected));
        json_t *qids = json_array();
        for (size_t k = 0; k < ch->naffected; k++) {
            const ia_statement_t *st = &m->stmts[ch->affected[k]];
            if (st->has_queryid)
                json_array_append_new(qids, json_integer(st->queryid));
        }
        json_object_set_new(r, "affected_queryids", qids);
        set_str(r, "storage_impact", human_bytes(c->size_bytes, 1));
        json_object_set_new(r, "storage_bytes", json_integer((json_int_t)c->size_bytes));
        int has_counters = t->has_counters;
        /* against the recommended set (the others count as existing
         * indexes): the value the selection last computed belongs to
         * whichever configuration it last judged a move in */
        ia_candidate_write_overhead(m, c, final, n);
        if (has_counters)
            set_str(r, "write_overhead", ia_printf("+%.1f%%", c->write_overhead * 100));
        else
            json_object_set_new(r, "write_overhead", json_null());
        double share = m->total_weight > 0 ? ch->affected_weight / m->total_weight : 0;
        double saved_share = m->total_weight > 0 ? ch->benefit_ms / m->total_weight : 0;
        const char *prio = ia_priority(saved_share, ch->method == 1, m->whatif != NULL);
        json_object_set_new(r, "priority", json_string(prio));
        json_object_set_new(r, "risk", json_string(risk_of(m, c)));
        set_str(r, "rollback", ia_printf("DROP INDEX CONCURRENTLY IF EXISTS %s;", q));
        free(q);
        json_object_set_new(r, "method", json_string(ch->method ? "hypopg_whatif" : "cost_model"));
        if (c->needs_trgm && !ia_has_extension(m, "pg_trgm"))
            json_object_set_new(r, "prerequisite",
                                json_string("CREATE EXTENSION IF NOT EXISTS pg_trgm;"));
        json_t *ev = json_object();
        json_object_set_new(ev, "weighted_cost_before", json_real(ch->cost_before));
        json_object_set_new(ev, "weighted_cost_after", json_real(ch->cost_after));
        json_object_set_new(ev, "workload_time_share", json_real(share));
        json_object_set_new(ev, "estimated_time_saved_ms", json_real(ch->benefit_ms));
        json_object_set_new(ev, "workload_time_saved_share", json_real(saved_share));
        json_object_set_new(ev, "size_estimate", json_string(c->size_method ? c->size_method : ""));
        if (c->hypo_size > 0)
            json_object_set_new(ev, "hypopg_size_bytes", json_integer((json_int_t)c->hypo_size));
        if (has_counters) {
            json_object_set_new(ev, "table_inserts", json_integer(t->n_tup_ins));
            json_object_set_new(ev, "table_updates", json_integer(t->n_tup_upd));
            json_object_set_new(ev, "table_hot_updates", json_integer(t->n_tup_hot_upd));
            json_object_set_new(ev, "update_statements_losing_hot",
                                json_integer(c->hot_lost_stmts));
        }
        json_t *bindings = json_array();
        for (size_t k = 0; k < ch->naffected; k++) {
            const ia_statement_t *st = &m->stmts[ch->affected[k]];
            json_t *b = json_object_get(st->param_evidence, "bound_constants");
            size_t bi;
            json_t *e;
            json_array_foreach(b, bi, e)
            {
                json_t *x = json_deep_copy(e);
                if (st->has_queryid)
                    json_object_set_new(x, "queryid", json_integer(st->queryid));
                json_array_append_new(bindings, x);
            }
        }
        if (json_array_size(bindings))
            json_object_set_new(ev, "bound_parameters", bindings);
        else
            json_decref(bindings);
        json_object_set_new(
            ev, "priority_rule",
            json_string("by time saved in the measured window (measured time x cost ratio): P1 "
                        ">= 10% of the workload's time, P2 >= 2%, P3 below; a cost-model "
                        "estimate next to what-if plans is P3"));
        json_object_set_new(r, "evidence", ev);
        json_array_append_new(out, r);
    }
    free(order);
    free(final);
    json_decref(used_names);
    return out;
}

/* "YYYY-MM-DDTHH:MM:SS..." (UTC, as the collector writes) to epoch seconds. */
static int parse_time(const char *s, double *out)
{
    if (!s)
        return -1;
    struct tm tm = {0};
    int y, mo, d, h, mi;
    double sec;
    if (sscanf(s, "%d-%d-%d%*[T ]%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = (int)sec;
    double t = (double)timegm(&tm);
    /* a trailing offset like +02 or -05:30 */
    const char *z = s + 19;
    while (*z && (*z == '.' || (*z >= '0' && *z <= '9')))
        z++;
    if (*z == '+' || *z == '-') {
        int oh = 0, om = 0;
        sscanf(z + 1, "%2d:%2d", &oh, &om);
        double off = oh * 3600.0 + om * 60.0;
        t -= *z == '+' ? off : -off;
    }
    *out = t;
    return 0;
}

/* Seconds the index statistics cover; -1 when unknown. */
static double stats_window(ia_model_t *m, const char **source)
{
    const json_t *meta = json_object_get(m->snapshot, "meta");
    double now;
    if (parse_time(json_string_value(json_object_get(meta, "collected_at")), &now) != 0)
        return -1;
    const char *db_reset =
        json_string_value(json_object_get(json_object_get(meta, "stats_reset"), "database"));
    if (!db_reset)
        db_reset = json_string_value(
            json_object_get(json_object_get(m->snapshot, "database"), "stats_reset"));
    double t;
    if (db_reset && parse_time(db_reset, &t) == 0) {
        *source = "pg_stat_database.stats_reset";
        return now - t;
    }
    /* never reset: the counters are as old as the cluster's statistics,
     * which pg_stat_bgwriter.stats_reset dates (set when they were created) */
    json_t *bg = json_object_get(m->snapshot, "bgwriter");
    json_t *since = json_object_get(bg, "seconds_since_reset");
    if (json_is_number(since)) {
        *source = "database statistics never reset; cluster statistics age "
                  "(pg_stat_bgwriter.stats_reset)";
        return json_number_value(since);
    }
    return -1;
}

/* Existing indexes with no scan over at least min_unused_window_s that
 * back no constraint: drop advice with their size and write cost. */
static json_t *unused_indexes(ia_model_t *m)
{
    json_t *out = json_array();
    const char *source = NULL;
    double window = stats_window(m, &source);
    size_t candidates = 0;
    for (size_t i = 0; i < m->nindexes; i++) {
        const ia_index_t *x = &m->indexes[i];
        if (!x->has_idx_scan || x->idx_scan != 0 || !x->is_valid || x->is_primary || x->is_unique ||
            x->backs_constraint || x->is_replica_identity || x->is_exclusion)
            continue;
        candidates++;
        if (window < 0 || window < m->opts->min_unused_window_s)
            continue;
        json_t *r = json_object();
        set_str(r, "index", ia_printf("%s.%s", x->schema, x->name));
        set_str(r, "table", ia_printf("%s.%s", x->schema, x->table));
        json_object_set_new(r, "idx_scan", json_integer(0));
        json_object_set_new(r, "size_bytes", json_integer(x->size_bytes));
        set_str(r, "size", human_bytes((double)x->size_bytes, 0));
        json_object_set_new(r, "stats_window_days", json_real(window / 86400.0));
        json_object_set_new(r, "stats_window_source", json_string(source));
        char *q = qualified(x->schema, x->name);
        set_str(r, "drop_statement", ia_printf("DROP INDEX CONCURRENTLY IF EXISTS %s;", q));
        free(q);
        if (x->definition) {
            /* pg_get_indexdef text, rebuilt without blocking writes */
            const char *def = x->definition;
            const char *on = strstr(def, "INDEX ");
            if (on)
                set_str(r, "rollback",
                        ia_printf("%.*sINDEX CONCURRENTLY %s;", (int)(on - def), def, on + 6));
            else
                set_str(r, "rollback", ia_printf("%s;", def));
        }
        const ia_table_t *t = x->table_idx >= 0 ? &m->tables[x->table_idx] : NULL;
        if (t && t->has_counters)
            set_str(r, "reason",
                    ia_printf("never scanned in %.1f days while the table saw %lld inserts and "
                              "%lld updates that maintained it",
                              window / 86400.0, (long long)t->n_tup_ins,
                              (long long)(t->n_tup_upd - t->n_tup_hot_upd)));
        else
            set_str(r, "reason", ia_printf("never scanned in %.1f days", window / 86400.0));
        json_array_append_new(out, r);
    }
    if (candidates && window < 0)
        ia_note(m,
                "%zu indexes have idx_scan = 0 but the statistics window is unknown (no "
                "collected_at or stats_reset in the snapshot): not reported as unused",
                candidates);
    else if (candidates && window < m->opts->min_unused_window_s)
        ia_note(m,
                "%zu indexes have idx_scan = 0 over only %.1f hours of statistics (%s); at "
                "least %.1f days are needed before calling them unused",
                candidates, window / 3600.0, source, m->opts->min_unused_window_s / 86400.0);
    return out;
}

/* Whether two index keys or predicates are the same after ia_normalize_key;
 * two NULLs are equal, one NULL is not. Returns 1 or 0. */
static int same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    char x[1024], y[1024];
    ia_normalize_key(a, x, sizeof x);
    ia_normalize_key(b, y, sizeof y);
    return strcmp(x, y) == 0;
}

/* PgHero's rule (lib/pghero/methods/indexes.rb, duplicate_indexes): an index
 * that is valid, not primary and not unique is unneeded when another valid
 * index on the same table with the same method, expressions and predicate
 * starts with all of its columns - unless both have the same columns, in
 * which case the one with the greater name goes (or the non-unique one) -
 * except a used prefix at most half the size of the longer index (below). */
static json_t *duplicate_indexes(ia_model_t *m)
{
    json_t *out = json_array();
    for (size_t i = 0; i < m->nindexes; i++) {
        const ia_index_t *a = &m->indexes[i];
        if (!a->is_valid || a->is_primary || a->is_unique || a->backs_constraint ||
            a->ncolumns == 0)
            continue;
        for (size_t j = 0; j < m->nindexes; j++) {
            const ia_index_t *b = &m->indexes[j];
            if (i == j || !b->is_valid || strcmp(a->schema, b->schema) ||
                strcmp(a->table, b->table) || strcmp(a->method, b->method) ||
                b->ncolumns < a->ncolumns || !same_str(a->predicate, b->predicate))
                continue;
            int prefix = 1;
            for (size_t k = 0; k < a->ncolumns && prefix; k++)
                prefix = same_str(a->columns[k], b->columns[k]);
            if (!prefix)
                continue;
            /* INCLUDE columns of a must still be available from b */
            int inc = 1;
            for (size_t k = 0; k < a->ninclude && inc; k++) {
                int have = 0;
                for (size_t z = 0; z < b->ncolumns && !have; z++)
                    have = strcmp(a->include[k], b->columns[z]) == 0;
                for (size_t z = 0; z < b->ninclude && !have; z++)
                    have = strcmp(a->include[k], b->include[z]) == 0;
                inc = have;
            }
            if (!inc)
                continue;
            int identical = b->ncolumns == a->ncolumns;
            if (identical && !(strcmp(a->name, b->name) > 0 || b->is_primary || b->is_unique))
                continue;
            /* a prefix at most half the longer index's size that the
             * planner did use is not redundant: scans of many entries read
             * fewer pages of it (deduplicated where the longer key was
             * unique), and the advisor recommends such prefixes when the
             * what-if gain shows it (METHOD.md section 2) - the drop advice
             * must not undo them */
            if (!identical && a->has_size && b->has_size && 2 * a->size_bytes <= b->size_bytes &&
                a->has_idx_scan && a->idx_scan > 0)
                continue;
            json_t *r = json_object();
            set_str(r, "unneeded_index", ia_printf("%s.%s", a->schema, a->name));
            set_str(r, "covering_index", ia_printf("%s.%s", b->schema, b->name));
            set_str(r, "table", ia_printf("%s.%s", a->schema, a->table));
            json_object_set_new(r, "kind", json_string(identical ? "identical" : "prefix"));
            if (a->definition)
                json_object_set_new(r, "unneeded_definition", json_string(a->definition));
            if (b->definition)
                json_object_set_new(r, "covering_definition", json_string(b->definition));
            json_object_set_new(r, "size_bytes", json_integer(a->size_bytes));
            set_str(r, "size", human_bytes((double)a->size_bytes, 0));
            char *q = qualified(a->schema, a->name);
            set_str(r, "drop_statement", ia_printf("DROP INDEX CONCURRENTLY IF EXISTS %s;", q));
            free(q);
            json_array_append_new(out, r);
            break;
        }
    }
    return out;
}

/* Existing indexes left invalid (a failed CREATE INDEX CONCURRENTLY):
 * drop and rebuild advice. */
static json_t *invalid_indexes(ia_model_t *m)
{
    json_t *out = json_array();
    for (size_t i = 0; i < m->nindexes; i++) {
        const ia_index_t *x = &m->indexes[i];
        if (x->is_valid)
            continue;
        json_t *r = json_object();
        set_str(r, "index", ia_printf("%s.%s", x->schema, x->name));
        set_str(r, "table", ia_printf("%s.%s", x->schema, x->table));
        json_object_set_new(r, "size_bytes", json_integer(x->size_bytes));
        char *q = qualified(x->schema, x->name);
        set_str(r, "drop_statement", ia_printf("DROP INDEX CONCURRENTLY IF EXISTS %s;", q));
        free(q);
        json_object_set_new(
            r, "reason",
            json_string(x->is_ready ? "invalid (a failed CREATE INDEX CONCURRENTLY or REINDEX): "
                                      "maintained on every write, never used by the planner"
                                    : "not ready: a CREATE INDEX CONCURRENTLY is in progress or "
                                      "failed early"));
        if (x->definition)
            json_object_set_new(r, "definition", json_string(x->definition));
        json_array_append_new(out, r);
    }
    return out;
}

/* See ia_internal.h: the whole result (recommendations, drops,
 * duplicates, evaluation with the what-if counts and the selection
 * trace, notes). */
json_t *ia_report(ia_model_t *m, const ia_selection_t *sel, double run_ms)
{
    json_t *o = json_object();
    json_object_set_new(o, "phase", json_string("OPTIMIZE"));
    json_object_set_new(o, "agent", json_string("index_advisor"));
    json_object_set_new(o, "recommendations", recommendations(m, sel));
    json_object_set_new(o, "unused_indexes_to_drop", unused_indexes(m));
    json_object_set_new(o, "duplicate_indexes", duplicate_indexes(m));
    json_object_set_new(o, "invalid_indexes", invalid_indexes(m));
    json_t *ev = json_object();
    int hyp = 0, model = 0;
    for (size_t i = 0; i < sel->nchoices; i++)
        sel->choices[i].method ? hyp++ : model++;
    json_object_set_new(ev, "method",
                        json_string(m->whatif
                                        ? (model ? "hypopg_whatif+cost_model" : "hypopg_whatif")
                                        : "cost_model"));
    if (m->whatif)
        json_object_set_new(ev, "hypopg_version", json_string(whatif_hypopg_version(m->whatif)));
    size_t parsed = 0, unparsed = 0;
    for (size_t s = 0; s < m->nstmts; s++)
        m->stmts[s].parsed ? parsed++ : unparsed++;
    json_object_set_new(ev, "statements", json_integer((json_int_t)m->nstmts));
    json_object_set_new(ev, "statements_unparsed", json_integer((json_int_t)unparsed));
    json_object_set_new(ev, "candidates", json_integer((json_int_t)m->ncands));
    /* every statement an index could serve, planned with hypothetical
     * indexes or named here with the reason it was not */
    if (m->whatif) {
        json_t *np = json_array();
        size_t planned = 0;
        for (size_t s = 0; s < m->nstmts; s++) {
            const ia_statement_t *st = &m->stmts[s];
            if (st->weight <= 0 || (st->parsed && (st->command < 0 || st->ntables == 0)))
                continue;
            if (st->planned && !st->cost_error) {
                planned++;
                continue;
            }
            const char *why = !st->parsed      ? "libpg_query cannot parse the text"
                              : st->cost_error ? st->cost_error
                              : st->command == 1
                                  ? "INSERT: no index lowers its cost (write overhead only)"
                                  : "not evaluated: no candidate on its tables";
            json_t *r = json_pack("{s:s}", "reason", why);
            if (st->has_queryid)
                json_object_set_new(r, "queryid", json_integer(st->queryid));
            json_array_append_new(np, r);
        }
        json_object_set_new(ev, "statements_planned", json_integer((json_int_t)planned));
        json_object_set_new(ev, "statements_not_planned", np);
    }
    json_object_set_new(ev, "selection_steps", json_integer(sel->steps));
    json_object_set_new(ev, "whatif_explains",
                        json_integer(m->whatif ? whatif_explain_count(m->whatif) : 0));
    json_object_set_new(ev, "whatif_cache_hits", json_integer(m->tally.hits));
    json_object_set_new(ev, "phases", json_incref(m->phases));
    json_object_set_new(ev, "moves_costed", json_integer((json_int_t)sel->moves_costed));
    json_object_set_new(ev, "moves_skipped_by_bound", json_integer((json_int_t)sel->moves_bounded));
    json_object_set_new(ev, "hypothetical_indexes_created",
                        json_integer(m->whatif ? whatif_created_count(m->whatif) : 0));
    json_object_set_new(ev, "cost_model_evaluations", json_integer(m->model_calls));
    json_object_set_new(ev, "storage_budget_bytes", json_integer((json_int_t)sel->budget_bytes));
    /* binary units throughout: --index-budget 30MB is 30 MiB */
    set_str(ev, "storage_budget",
            ia_printf("%.1f MiB (%.0f bytes; budgets are in binary units: 1 MB = 1 MiB = "
                      "1048576 bytes)",
                      sel->budget_bytes / 1048576.0, sel->budget_bytes));
    json_object_set_new(ev, "storage_used_bytes", json_integer((json_int_t)sel->used_bytes));
    json_object_set_new(ev, "workload_cost_before", json_real(sel->workload_cost_before));
    json_object_set_new(ev, "workload_cost_after", json_real(sel->workload_cost_after));
    json_object_set_new(ev, "workload_time_ms", json_real(sel->workload_ms_before));
    json_object_set_new(ev, "workload_time_ms_after_estimated", json_real(sel->workload_ms_after));
    json_object_set_new(ev, "workload_weight_ms", json_real(m->total_weight));
    json_object_set_new(ev, "run_ms", json_real(run_ms));
    json_object_set_new(ev, "rejected", json_incref(sel->rejected));
    json_object_set_new(ev, "selection_steps", json_incref(sel->trace));
    json_object_set_new(o, "evaluation", ev);
    json_object_set_new(o, "notes", json_incref(m->notes));
    return o;
}
