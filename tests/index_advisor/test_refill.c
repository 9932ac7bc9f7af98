/* test_refill.c - a budget-fill pick the claims check would drop (issue
 * 15), on a planted schema in the fixture's PostgreSQL 15 with hypopg and
 * pg_qualstats, the snapshot collected by the real collector.
 *
 * ev.at is physically ordered (correlation 1); the application reads
 * `at > 20000`, which 90% of the rows pass (pg_qualstats measures it).
 * Under plain generic plans the planner assumes a third of the rows, and
 * an index on ev (at) makes that a cheap ordered index scan: the budget
 * fill (generic planner cost per byte; the greedy's threshold is set out
 * of reach) ranks it first, and the index the small tags filter needs
 * does not fit next to it. With the representative value (90%) the
 * planner keeps the sequential scan: ev (at) lowers nothing, so the
 * claims check (both costings) would drop it. The fill holds its picks to
 * that check when it makes them: ev (at) is rejected at the pick
 * (`fill_claim_rejected`) and the fill spends the bytes on the tags
 * index. Before that check the fill took ev (at), the final prune dropped
 * it and the refill after the claims check spent the freed bytes on the
 * tags index: the same set, by a longer path, and only where the freed
 * bytes happened to suffice (test_select.c's
 * test_fill_pick_under_both_costings is a case where they did not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/index_advisor/plant.h"
#include "tests/support/pgtest.h"
#include "workers/index_advisor/ia_internal.h"
#include "workers/index_advisor/index_advisor.h"

#define DB "pgopt_ia_refill"

static char conninfo[512];
static json_t *g_snap;

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE EXTENSION IF NOT EXISTS pg_qualstats;"
    "CREATE TABLE ev (id int PRIMARY KEY, at int NOT NULL, note text NOT NULL);"
    "INSERT INTO ev SELECT i, i, md5(i::text) || md5((i + 1)::text)"
    "  FROM generate_series(1, 200000) i;"
    "CREATE TABLE tags (id int PRIMARY KEY, color int NOT NULL, note text NOT NULL);"
    "INSERT INTO tags SELECT i, i % 997, md5(i::text) FROM generate_series(1, 20000) i;";

/* the wide range read ten times (its planner cost dominates), the small
 * filter once */
#define Q_RANGE "SELECT count(note) FROM ev WHERE at > 20000"
#define Q_TAGS  "SELECT count(note) FROM tags WHERE color = 5"

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, false, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    for (int k = 0; k < 10; k++)
        pgtest_exec(c, Q_RANGE);
    pgtest_exec(c, Q_TAGS);
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

static void test_fill_rejects_pick_claims_would_drop(void **state)
{
    (void)state;
    /* room for ev (at), not for it and tags (color) together */
    double at = plant_btree_bytes(g_snap, "ev", (const char *const[]){"at"}, 1, NULL, 0),
           color = plant_btree_bytes(g_snap, "tags", (const char *const[]){"color"}, 1, NULL, 0);
    int64_t budget = (int64_t)(at + 0.5 * color);
    json_t *res = plant_advise(g_snap, budget, json_pack("{s:f}", "index_min_gain_fraction", 0.9));

    /* the steps: ev (at) rejected at the fill's pick (nothing under
     * representative values), never added; a tags index led by color
     * added by the fill */
    json_t *steps = json_object_get(json_object_get(res, "evaluation"), "selection_steps");
    int at_rejected = 0, at_added = 0, filled = 0;
    size_t k;
    json_t *r;
    json_array_foreach(steps, k, r)
    {
        const char *mv = json_string_value(json_object_get(r, "move"));
        const char *ph = json_string_value(json_object_get(r, "phase"));
        const char *ix = json_string_value(json_object_get(r, "index"));
        if (!mv || !ix)
            continue;
        int is_at = strcmp(ix, "idx_ev_at") == 0;
        if (strcmp(mv, "fill_claim_rejected") == 0 && is_at)
            at_rejected = json_number_value(json_object_get(r, "improvement")) < 0.05;
        if (strcmp(mv, "add") == 0 && is_at)
            at_added = 1;
        if (strcmp(mv, "add") == 0 && strncmp(ix, "idx_tags_color", 14) == 0 && ph &&
            strcmp(ph, "fill") == 0)
            filled = 1;
    }
    if (!at_rejected || at_added)
        plant_fail_with("the fill must reject ev (at) at its pick (below 5% under representative "
                        "values) and never add it",
                        res);
    if (!filled)
        plant_fail_with("the fill must add the tags index", res);

    json_t *recs = json_object_get(res, "recommendations");
    int tags = 0, ev = 0;
    json_array_foreach(recs, k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        tags += strstr(ddl, "tags") && strstr(ddl, "(color") ? 1 : 0;
        ev += strstr(ddl, " ev ") || strstr(ddl, ".ev ") ? 1 : 0;
    }
    if (tags != 1 || ev != 0)
        plant_fail_with("expected the one tags (color ...) index, none on ev", res);
    json_t *ev_o = json_object_get(res, "evaluation");
    double used = json_number_value(json_object_get(ev_o, "storage_used_bytes"));
    if (!(used > 0 && used <= (double)budget))
        fail_msg("storage used %.0f, budget %lld", used, (long long)budget);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_rejects_pick_claims_would_drop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
