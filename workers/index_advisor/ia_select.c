/* ia_select.c - workload-level index selection.
 *
 * Greedy by benefit per byte, after "Extend" (Schlosser et al.; Kossmann et
 * al., VLDB 2020), with one more move: each step adds a new candidate,
 * extends a chosen index (its keys are a prefix of the candidate's) or
 * replaces a chosen index by a candidate holding its leading key at another
 * position (a better leading order: (at) -> (kind, at)), whichever gains the
 * most weighted time per byte of extra storage. The gain of a configuration
 * C is
 *
 *     sum over statements s of  weight(s) x (1 - cost(s | C) / cost(s | {}))
 *
 * with weight = total_exec_time (calls x mean time) from pg_stat_statements,
 * so the unit is milliseconds of the stats window. Both costs of a ratio come
 * from the same evaluator. Steps stop when the best gain is below
 * min_gain_fraction of the time the workload still spends, when the storage
 * budget is spent, or when no candidate passes the write-overhead limit.
 * Every move must also save min_index_improvement of the cost of the
 * statements it changes; an extend/replace move that makes no statement
 * costlier is exempt from the step threshold (it adds no index).
 * After each step and at the end, chosen indexes that no longer lower any
 * statement's cost in the configuration leave (interactions: a later, wider
 * index may make an earlier one useless). The claim reported for each index
 * (affected statements) is exactly that test: removing it from the final
 * configuration raises the statement's cost by at least 1%, under the
 * representative-valued and the plain generic what-if plans alike; the
 * final check (verify_claims) removes indexes whose claimed statements gain
 * less than min_index_improvement under either costing (METHOD.md). The
 * bytes such a drop frees are filled again (refill_after_claims: the same
 * fill, without the dropped indexes) and what that adds is checked the same
 * way, until nothing changes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/index_advisor/ia_internal.h"

/* A statement is claimed by a chosen index when removing the index from the
 * configuration raises the statement's cost by at least this fraction. */
#define IA_CLAIM_MIN_RAISE 0.01
/* A move "makes no statement worse" within this tolerance. */
#define IA_WORSE_TOLERANCE 0.001
/* A budget-filling step must lower the workload's planner cost (calls x
 * what-if cost) by more than this fraction of what is left of it, and the
 * second start must beat the greedy's configuration by as much. Extend
 * stops only when nothing lowers the cost; on TPC-H a floor of 0.0001
 * instead of 0.001 lowered the cost by 0.1-0.2% for 2x the what-if calls
 * (bench/RESULTS-index-advisor.md). */
#define IA_FILL_MIN_SHARE       0.001
#define IA_FILL_MIN_SHARE_SMALL 0.0001
/* Rounds of refill + claims check after the first check; each round bars
 * at least one more candidate (the one the check dropped), so the loop
 * ends anyway; the cap bounds the what-if work on a pathological model. */
#define IA_REFILL_MAX_ROUNDS 4

/* The fill's floor for a change of delta bytes: IA_FILL_MIN_SHARE, lower
 * for an index that takes a small share of the budget (a tenth of that
 * share, at least IA_FILL_MIN_SHARE_SMALL). */
static double fill_floor_share(double delta, double budget)
{
    double f = budget > 0 ? 0.1 * fmax(delta, 8192.0) / budget : IA_FILL_MIN_SHARE;
    return fmax(IA_FILL_MIN_SHARE_SMALL, fmin(IA_FILL_MIN_SHARE, f));
}

static int stmt_has_table(const ia_statement_t *st, int t)
{
    for (size_t i = 0; i < st->ntables; i++)
        if (st->tables[i] == t)
            return 1;
    return 0;
}

static double sw(const ia_statement_t *st)
{
    return st->sel_weight > 0 ? st->sel_weight : st->weight;
}

static int considered(const ia_statement_t *st)
{
    return st->parsed && (st->command == 0 || st->command == 2 || st->command == 3) &&
           st->weight > 0 && st->ntables > 0;
}

/* cost(s | config) / cost(s | {}) from one evaluator. */
static int ratio(ia_model_t *m, int s, const int *config, size_t n, double *r, int *method,
                 double *c_with, double *c_without)
{
    double c, b;
    int meth, bm;
    ia_statement_cost(m, s, config, n, 0, &c, &meth);
    ia_statement_cost(m, s, NULL, 0, meth == 0, &b, &bm);
    if (bm != meth) /* the base could not be costed by the same evaluator */
        ia_statement_cost(m, s, config, n, 1, &c, &meth);
    if (b <= 0)
        return -1;
    *r = c / b;
    if (*r > 1)
        *r = 1; /* the planner never picks a plan costlier than without the index */
    *method = meth;
    if (c_with)
        *c_with = c;
    if (c_without)
        *c_without = b;
    return 0;
}

/* Statements a candidate may change: they touch its table and use its
 * leading key in a filter, join, sort or group. */
static int candidate_touches(ia_model_t *m, const ia_candidate_t *c, int s)
{
    return considered(&m->stmts[s]) && ia_candidate_serves(m, (int)(c - m->cands), s);
}

/* Whether chosen index o may give way to candidate c in one step: same
 * table, method, operator class and predicate, and either
 *  - c extends o (o's keys are a prefix of c's; Extend's move), or
 *  - c holds o's leading key at another position (a wider index with a
 *    better leading order: for "kind = $1 AND at BETWEEN ..." the btree
 *    (kind, at) reads only the matching kind inside the range, while (at)
 *    reads the whole range; Extend can only append, so it reaches (at, kind)
 *    but never (kind, at)).
 * Returns 0 (no), 1 (prefix extension) or 2 (replacement). */
static int replaceable(const ia_candidate_t *o, const ia_candidate_t *c)
{
    if (o == c || o->table != c->table || o->method != c->method || o->nkeys > c->nkeys)
        return 0;
    if ((o->predicate == NULL) != (c->predicate == NULL) ||
        (o->predicate && strcmp(o->predicate, c->predicate) != 0))
        return 0;
    if ((o->opclass == NULL) != (c->opclass == NULL) ||
        (o->opclass && strcmp(o->opclass, c->opclass) != 0))
        return 0;
    int prefix = 1;
    for (int k = 0; k < o->nkeys && prefix; k++)
        prefix = strcmp(o->keys[k], c->keys[k]) == 0;
    if (prefix)
        return o->nkeys == c->nkeys && o->ninclude >= c->ninclude ? 0 : 1;
    for (int k = 1; k < c->nkeys; k++)
        if (strcmp(o->keys[0], c->keys[k]) == 0)
            return 2;
    return 0;
}

/* Reports selection progress to the model's callback, if any. Returns 1 (and
 * marks the model cancelled) when the callback asks to stop, else 0. */
static int progress(ia_model_t *m, const char *stage, int64_t done, int64_t total)
{
    if (m->progress && m->progress(m->progress_user, stage, done, total)) {
        m->cancelled = 1;
        return 1;
    }
    return 0;
}

/* Time the workload spends writing a table (its INSERT/UPDATE/DELETE
 * statements), ms: what a new index's extra write volume slows down. */
static double write_time_ms(const ia_model_t *m, int table)
{
    double w = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        const ia_statement_t *st = &m->stmts[s];
        if (st->command >= 1 && st->command <= 3 && st->update_table == table)
            w += st->weight;
    }
    return w;
}

/* The storage budget in bytes: the option, else 25% of the database size
 * (of the tables' total size when unknown, with a note). */
static double budget_for(ia_model_t *m)
{
    if (m->opts->budget_bytes > 0)
        return (double)m->opts->budget_bytes;
    double total = 0;
    for (size_t t = 0; t < m->ntables; t++)
        total += (double)m->tables[t].total_bytes;
    double db = m->database_bytes > 0 ? (double)m->database_bytes : total;
    if (m->database_bytes <= 0)
        ia_note(m, "database size unknown: the storage budget is 25%% of the tables' total size");
    return db * 0.25;
}

/* The claim the report makes for a chosen index: statement s is affected by
 * config[i] when removing config[i] from the configuration raises its cost
 * (both costs from one evaluator, 0.1% tolerance). *with / *without receive
 * the two costs, *method the evaluator. */
static int lowers(ia_model_t *m, int s, const int *config, size_t n, size_t i, double *with,
                  double *without, int *method)
{
    const ia_statement_t *st = &m->stmts[s];
    if (!considered(st) || !stmt_has_table(st, m->cands[config[i]].table))
        return 0;
    int *rest = xcalloc(n + 1, sizeof(int));
    size_t nr = 0;
    for (size_t k = 0; k < n; k++)
        if (k != i)
            rest[nr++] = config[k];
    double a, b;
    int ma, mb;
    ia_statement_cost(m, s, config, n, 0, &a, &ma);
    ia_statement_cost(m, s, rest, nr, ma == 0, &b, &mb);
    if (ma != mb) /* the smaller set could only be costed by the model */
        ia_statement_cost(m, s, config, n, 1, &a, &ma);
    free(rest);
    *with = a;
    *without = b;
    *method = ma;
    /* the baseline (Supabase's method) keeps every index that lowers a
     * cost at all */
    return a < b * (1 - (m->opts->baseline_single_column ? 0.001 : IA_CLAIM_MIN_RAISE));
}

/* The claim checked under both hypopg costings: with representative values
 * for range parameters (what the selection used) and with plain generic
 * plans (only the constants the application sends bound). An index whose
 * benefit appears under one costing and not the other depends on the
 * evaluator. Costs: rep[0] with, rep[1] without; gen[] likewise (equal to
 * rep[] for statements costed by the model). */
static int lowers_both(ia_model_t *m, int s, const int *config, size_t n, size_t i, double rep[2],
                       double gen[2], int *method)
{
    if (!lowers(m, s, config, n, i, &rep[0], &rep[1], method))
        return 0;
    gen[0] = rep[0];
    gen[1] = rep[1];
    if (*method != 1 || m->generic_costing || m->opts->baseline_single_column)
        return 1;
    int gm;
    m->generic_costing = 1;
    int ok = lowers(m, s, config, n, i, &gen[0], &gen[1], &gm);
    m->generic_costing = 0;
    return ok;
}

/* Removes chosen indexes that no longer lower any statement's cost in the
 * configuration (a later, wider or better-ordered index took their
 * statements), until none is left; only indexes on table (or all when
 * table < 0). Their bytes return to the budget. When barred is set, each
 * removed candidate is marked there (the final prune: the refill must not
 * take it again). Returns the number removed. */
static int prune_useless(ia_model_t *m, int *config, size_t *n, ia_selection_t *sel, int table,
                         unsigned char *barred)
{
    int changed = 1, removed = 0;
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < *n && !changed; i++) {
            if (table >= 0 && m->cands[config[i]].table != table)
                continue;
            int useful = 0;
            for (size_t s = 0; s < m->nstmts && !useful; s++) {
                double a, b;
                int meth;
                useful = lowers(m, (int)s, config, *n, i, &a, &b, &meth);
            }
            if (!useful) {
                json_array_append_new(sel->trace, json_pack("{s:s, s:s}", "move", "drop_useless",
                                                            "index", m->cands[config[i]].name));
                m->cands[config[i]].chosen = 0;
                sel->used_bytes -= m->cands[config[i]].size_bytes;
                if (barred)
                    barred[config[i]] = 1;
                config[i] = config[--*n];
                changed = 1;
                removed++;
            }
        }
    }
    return removed;
}

/* Scratch arrays of one selection run, sized once (ncands / nstmts). */
typedef struct {
    int *config; /* chosen candidates */
    size_t n;
    int *list;     /* statements a move may change (move_gain) */
    int *targets;  /* chosen indexes a candidate may replace, -1 = add */
    double *rnow;  /* each statement's cost ratio under config */
    double *most;  /* scratch of move_gain / change_gain (nstmts) */
    double *rnew;  /* scratch of move_gain / change_gain (3 x nstmts) */
    double *bound; /* each candidate's gain upper bound */
    int *order;    /* candidates by bound per byte */
    /* per candidate: dropped by the claims check, so the refill does not
     * take it again (it would fail the same check) */
    unsigned char *barred;
    /* per costing (0 representative values, 1 plain generic) and
     * statement: the lowest cost ratio any configuration can give it
     * (low_ratio), -1 until computed */
    double *low[2];
    double *base[2];   /* and its cost with no index, where low > 0 */
    double budget;     /* bytes: a larger candidate is in no configuration */
    int both_costings; /* the planner-cost passes will run: floors under both */
} sel_work_t;

/* The lowest cost ratio (cost with indexes / cost without) statement s
 * can reach under the current costing, less IA_LOW_SLACK: its ratio with
 * every candidate that can serve it and fits the budget (a larger one is
 * in no configuration). The planner picks the cheapest plan
 * among the paths it builds, and more indexes only add paths, so no
 * subset of the candidates plans s cheaper - up to the fuzz with which
 * add_path keeps one path in place of a nearly as cheap one (1% per
 * comparison, hence the slack). The bounds of every move and change use
 * it: what a statement can still give is its cost now less this floor,
 * not its whole cost (a TPC-H scan no index serves kept every lineitem
 * candidate's bound high; bench/RESULTS-index-advisor.md, ia-snap12).
 * One what-if plan per statement and costing, computed on first use,
 * both costings at once when the planner-cost passes will need the
 * second (the same hypothetical indexes serve both plans); 0 (no floor)
 * for a statement the planner does not cost, and offline (the cost model
 * is not shown to fall with more indexes). */
#define IA_LOW_SLACK 0.02
static double low_ratio(ia_model_t *m, sel_work_t *w, int s)
{
    int g = m->generic_costing ? 1 : 0;
    if (w->low[g][s] >= 0)
        return w->low[g][s];
    if (!m->whatif && !m->cost_hook) /* the offline model: no floor */
        return w->low[0][s] = w->low[1][s] = 0;
    int *all = xcalloc(m->ncands + 1, sizeof(int));
    size_t n = 0;
    for (size_t ci = 0; ci < m->ncands; ci++)
        if (m->cands[ci].size_bytes <= w->budget && ia_candidate_serves(m, (int)ci, s))
            all[n++] = (int)ci;
    int saved_costing = m->generic_costing;
    for (int k = 0; k < 2; k++) {
        int gk = k == 0 ? g : !g;
        if (k == 1 && (!w->both_costings || w->low[gk][s] >= 0))
            break;
        m->generic_costing = gk;
        double r;
        int meth;
        w->low[gk][s] =
            n > 0 && ratio(m, s, all, n, &r, &meth, NULL, &w->base[gk][s]) == 0 && meth == 1
                ? fmax(0, r * (1 - IA_LOW_SLACK))
                : 0;
    }
    m->generic_costing = saved_costing;
    free(all);
    return w->low[g][s];
}

/* What statement s can still give from its planner cost pc (calls x cost
 * under the configuration; change_gain's and the bounds' unit): pc less
 * its floor (low_ratio, of the cost with no index low_ratio kept), at
 * least 0. Called per statement for every candidate's bound, so nothing
 * here asks the cost cache. */
static double pc_room(ia_model_t *m, sel_work_t *w, int s, double pc)
{
    if (pc <= 0)
        return 0;
    double lr = low_ratio(m, w, s);
    if (lr <= 0)
        return pc;
    return fmax(0, pc - m->stmts[s].calls * w->base[m->generic_costing ? 1 : 0][s] * lr);
}

/* One move: candidate ci added (rep < 0) or put in place of config[rep].
 * The statements that can change are those touching the candidate or the
 * index it replaces. Out:
 *  - gain: weighted time saved (ms of the stats window), net of the write
 *    overhead (the candidate's minus the replaced index's);
 *  - rel: over the statements the move changes (cost down by at least
 *    IA_CLAIM_MIN_RAISE), the weighted fraction of their cost it saves;
 *  - dominates: no statement's cost rises and at least one falls. */
typedef struct {
    double gain, rel;
    int dominates;
} move_t;

/* A move can no longer be taken once the most its gain can still reach is
 * at most what it must beat; the relative margin keeps a sum taken in
 * another order (floating point) on the side of costing. */
static int cannot_reach(double most, double need)
{
    return most + 1e-9 * fabs(most) + 1e-9 <= need;
}

/* Orders list[0..nl) by key[] of each statement, largest first, the
 * statement index breaking ties (insertion sort: a few dozen statements). */
static void order_by_key(int *list, size_t nl, const double *key)
{
    for (size_t i = 1; i < nl; i++) {
        int v = list[i];
        size_t j = i;
        while (j > 0 &&
               (key[list[j - 1]] < key[v] || (key[list[j - 1]] == key[v] && list[j - 1] > v))) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = v;
    }
}

/* Counts one move judged by move_gain or change_gain from what it
 * returned: 2 = not one statement planned (its best case could not win:
 * skipped by the bound), else costed, and 1 = cut part-way. */
static void count_move(ia_model_t *m, ia_selection_t *sel, int result)
{
    if (result == 2) {
        sel->moves_bounded++;
        m->tally.moves_bounded++;
        return;
    }
    sel->moves_costed++;
    m->tally.moves_costed++;
    if (result == 1)
        m->tally.moves_cut++;
}

/* The gain of one greedy move (see move_t) from w's configuration.
 * Statements are costed in order of the most they can give (weight x
 * their cost ratio now: a cost cannot fall below zero); once what is
 * costed plus that most for the rest cannot reach need_score per extra
 * byte (the best move found so far), or need_gain (the step threshold,
 * for an add move), the move cannot be taken and the other statements are
 * not planned: returns 2 when none was, 1 otherwise. The gain of a move
 * costed whole is summed in statement order, as without the cut. Returns
 * -1 when no statement can change, else 0. */
static int move_gain(ia_model_t *m, sel_work_t *w, int ci, int rep, double need_score,
                     double need_gain, move_t *mv)
{
    int *config = w->config, *list = w->list;
    size_t n = w->n;
    const double *rnow = w->rnow;
    double *most = w->most, *rnew = w->rnew;
    ia_candidate_t *c = &m->cands[ci];
    ia_candidate_t *o = rep >= 0 ? &m->cands[config[rep]] : NULL;
    size_t nl = 0;
    for (size_t s = 0; s < m->nstmts; s++)
        if (candidate_touches(m, c, (int)s) || (o && candidate_touches(m, o, (int)s)))
            list[nl++] = (int)s;
    if (!nl)
        return -1;
    double wo = c->write_overhead;
    if (o) {
        ia_candidate_write_overhead(m, o, config, n);
        wo -= o->write_overhead;
    }
    double wo_ms = wo * write_time_ms(m, c->table);
    double delta = c->size_bytes - (o ? o->size_bytes : 0);
    double left = 0;
    for (size_t k = 0; k < nl; k++) {
        int s = list[k];
        most[s] = sw(&m->stmts[s]) * fmax(0, rnow[s] - low_ratio(m, w, s));
        left += most[s];
    }
    order_by_key(list, nl, most);
    int saved = rep >= 0 ? config[rep] : -1;
    double g = 0;
    for (size_t k = 0; k < nl; k++) {
        int s = list[k];
        double r_now, r_new;
        int meth;
        double reach = g + (left > 0 ? left : 0) - wo_ms;
        if (cannot_reach(reach, 0) || cannot_reach(reach / fmax(delta, 8192.0), need_score) ||
            (rep < 0 && cannot_reach(reach, need_gain)))
            return k == 0 ? 2 : 1;
        rnew[s] = -1;
        left -= most[s];
        if (ratio(m, s, config, n, &r_now, &meth, NULL, NULL) != 0)
            continue;
        if (rep >= 0)
            config[rep] = ci;
        else
            config[n] = ci;
        int rc = ratio(m, s, config, rep >= 0 ? n : n + 1, &r_new, &meth, NULL, NULL);
        if (rep >= 0)
            config[rep] = saved;
        if (rc != 0)
            continue;
        rnew[s] = r_new;
        rnew[m->nstmts + (size_t)s] = r_now;
        g += sw(&m->stmts[s]) * (r_now - r_new);
    }
    /* the whole move: its figures in statement order */
    g = 0;
    double w_changed = 0, w_saved = 0;
    int worse = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        if (!(candidate_touches(m, c, (int)s) || (o && candidate_touches(m, o, (int)s))) ||
            rnew[s] < 0)
            continue;
        double r_now = rnew[m->nstmts + s], r_new = rnew[s];
        double ws = sw(&m->stmts[s]);
        g += ws * (r_now - r_new);
        if (r_new > r_now * (1 + IA_WORSE_TOLERANCE))
            worse = 1;
        if (r_now > 0 && r_new < r_now * (1 - IA_CLAIM_MIN_RAISE)) {
            w_changed += ws;
            w_saved += ws * (1 - r_new / r_now);
        }
    }
    mv->gain = g - wo_ms;
    mv->rel = w_changed > 0 ? w_saved / w_changed : 0;
    mv->dominates = !worse && w_changed > 0;
    return 0;
}

/* Final check of every chosen index's claim, under both costings
 * (lowers_both): the statements it claims and, over them, the weighted
 * fraction of their cost it saves, the smaller of the two costings'. The
 * index with the smallest fraction below opts->min_index_improvement (or
 * with no statement) leaves, and the check starts over on the smaller
 * configuration, until every index passes. Each dropped candidate is
 * marked in barred[]. Returns the number of indexes dropped. */
/* The claims check's measure of config[i] (verify_claims): over the
 * statements it claims under both costings (lowers_both), the weighted
 * fraction of their cost it saves, the smaller of the two costings'; -1
 * when it claims no statement. Judged with representative values first
 * whatever costing the caller runs under (the fill runs under generic
 * plans), which is restored. */
static double claim_rel(ia_model_t *m, const int *config, size_t n, size_t i)
{
    int saved_costing = m->generic_costing;
    m->generic_costing = 0;
    double w = 0, w_rep = 0, w_gen = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        double rep[2], gen[2];
        int meth;
        if (!lowers_both(m, (int)s, config, n, i, rep, gen, &meth))
            continue;
        double ws = sw(&m->stmts[s]);
        w += ws;
        w_rep += ws * (1 - rep[0] / rep[1]);
        w_gen += ws * (1 - gen[0] / gen[1]);
    }
    m->generic_costing = saved_costing;
    return w > 0 ? fmin(w_rep, w_gen) / w : -1;
}

static int verify_claims(ia_model_t *m, int *config, size_t *n, ia_selection_t *sel,
                         unsigned char *barred)
{
    double min_rel = m->opts->min_index_improvement;
    for (int dropped = 0;; dropped++) {
        int worst = -1;
        double worst_rel = INFINITY;
        for (size_t i = 0; i < *n; i++) {
            double rel = claim_rel(m, config, *n, i);
            if (rel < min_rel && rel < worst_rel) {
                worst = (int)i;
                worst_rel = rel;
            }
        }
        if (worst < 0)
            return dropped;
        barred[config[worst]] = 1;
        ia_candidate_t *c = &m->cands[config[worst]];
        json_array_append_new(sel->trace,
                              json_pack("{s:s, s:s, s:f, s:f}", "move", "drop_unverified", "index",
                                        c->name, "improvement", worst_rel < 0 ? 0.0 : worst_rel,
                                        "min_improvement", min_rel));
        c->chosen = 0;
        sel->used_bytes -= c->size_bytes;
        config[worst] = config[--*n];
    }
}

/* qsort order of candidates: upper bound of the gain per byte, highest
 * first; the candidate index breaks ties (deterministic). qsort has no user
 * pointer; the selection runs on one thread per model, these are set just
 * before each sort. */
static _Thread_local const ia_model_t *g_bound_model;
static _Thread_local const double *g_bound;

/* qsort comparator over candidate indices using g_bound and g_bound_model
 * (see above): returns <0, 0 or >0. */
static int cmp_bound(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    double px = g_bound[x] / fmax(g_bound_model->cands[x].size_bytes, 8192.0);
    double py = g_bound[y] / fmax(g_bound_model->cands[y].size_bytes, 8192.0);
    if (px != py)
        return px > py ? -1 : 1;
    return (x > y) - (x < y);
}

/* See ia_internal.h. */
size_t ia_set_selection_weights(ia_model_t *m)
{
    double W = 0, C = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        const ia_statement_t *st = &m->stmts[s];
        if (!considered(st))
            continue;
        double c;
        int meth;
        if (ia_statement_cost(m, (int)s, NULL, 0, 0, &c, &meth) != 0 || meth != 1)
            return 0; /* only with what-if plans of every statement */
        W += st->weight;
        C += st->calls * c;
    }
    if (W <= 0 || C <= 0)
        return 0;
    size_t up = 0;
    double total = m->total_weight;
    for (size_t s = 0; s < m->nstmts; s++) {
        ia_statement_t *st = &m->stmts[s];
        if (!considered(st))
            continue;
        double c;
        int meth;
        ia_statement_cost(m, (int)s, NULL, 0, 0, &c, &meth);
        double share = fmax(st->weight / W, st->calls * c / C);
        st->sel_weight = W * share;
        if (st->sel_weight > st->weight * 1.0001)
            up++;
        total += st->sel_weight - st->weight;
    }
    m->sel_total = total;
    return up;
}

/* Frees a selection run's scratch arrays. */
static void work_free(sel_work_t *w)
{
    free(w->config);
    free(w->list);
    free(w->targets);
    free(w->rnow);
    free(w->most);
    free(w->rnew);
    free(w->bound);
    free(w->order);
    free(w->barred);
    free(w->low[0]);
    free(w->low[1]);
    free(w->base[0]);
    free(w->base[1]);
    memset(w, 0, sizeof *w);
}

/* The best move of one greedy step (cand < 0: none). */
typedef struct {
    int cand, replace;
    int t; /* fill_budget: the move's place among its candidate's targets */
    double score, gain, delta, rel;
    int dom; /* taken below the step threshold (a dominating key change) */
} best_move_t;

/* Each unchosen candidate's gain upper bound (the weighted time its
 * statements still spend under the configuration, minus its write
 * overhead) into w->bound, and the candidates sorted by bound per byte
 * into w->order. Returns the number of candidates ordered. */
static size_t order_by_bound(ia_model_t *m, sel_work_t *w)
{
    for (size_t s = 0; s < m->nstmts; s++) {
        double r;
        int meth;
        w->rnow[s] = considered(&m->stmts[s]) &&
                             ratio(m, (int)s, w->config, w->n, &r, &meth, NULL, NULL) == 0
                         ? r
                         : 0;
    }
    size_t norder = 0;
    for (size_t ci = 0; ci < m->ncands; ci++) {
        ia_candidate_t *c = &m->cands[ci];
        if (c->chosen)
            continue;
        double ub = 0;
        for (size_t s = 0; s < m->nstmts; s++)
            if (candidate_touches(m, c, (int)s))
                ub += sw(&m->stmts[s]) * fmax(0, w->rnow[s] - low_ratio(m, w, (int)s));
        ia_candidate_write_overhead(m, c, w->config, w->n);
        ub -= c->write_overhead * write_time_ms(m, c->table);
        w->bound[ci] = ub;
        w->order[norder++] = (int)ci;
    }
    g_bound_model = m;
    g_bound = w->bound;
    qsort(w->order, norder, sizeof(int), cmp_bound);
    return norder;
}

/* One greedy step's search: every candidate's add and replace moves, in
 * bound order, the best score (gain per extra byte) kept in *best.
 * Returns -1 when the progress callback cancelled the run. */
static int find_best_move(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, double min_gain,
                          int64_t *evals, best_move_t *best)
{
    memset(best, 0, sizeof *best);
    best->cand = best->replace = -1;
    /* Early stop (branch and bound): a move's gain is at most the
     * weighted time its statements still spend (their cost cannot fall
     * below zero) minus the new index's write overhead. Candidates are
     * tried in order of that bound per byte; an add move whose bound
     * cannot pass the step threshold, or cannot beat the best score
     * found so far, is not costed. Exact: the chosen move is the one
     * the full scan would choose (ties go to the earlier candidate of
     * the deterministic order). */
    size_t norder = order_by_bound(m, w);
    for (size_t oi = 0; oi < norder; oi++) {
        size_t ci = (size_t)w->order[oi];
        ia_candidate_t *c = &m->cands[ci];
        if (progress(m, "select", (*evals)++, (int64_t)m->ncands * (sel->steps + 1)))
            return -1;
        /* moves: add, or take the place of a chosen index it extends
         * (then adding it alongside is pointless: the chosen one would
         * be prefix-redundant) or reorders */
        size_t nt = 0;
        int has_prefix = 0;
        for (size_t i = 0; i < w->n; i++) {
            int r = replaceable(&m->cands[w->config[i]], c);
            if (r)
                w->targets[nt++] = (int)i;
            has_prefix |= r == 1;
        }
        if (!has_prefix)
            w->targets[nt++] = -1;
        ia_candidate_write_overhead(m, c, w->config, w->n);
        if (c->write_overhead > m->opts->max_write_overhead)
            continue;
        for (size_t t = 0; t < nt; t++) {
            int rep = w->targets[t];
            double delta = c->size_bytes - (rep >= 0 ? m->cands[w->config[rep]].size_bytes : 0);
            if (sel->used_bytes + delta > sel->budget_bytes)
                continue;
            if (rep < 0 &&
                (w->bound[ci] <= min_gain || w->bound[ci] / fmax(delta, 8192.0) <= best->score)) {
                sel->moves_bounded++;
                m->tally.moves_bounded++;
                continue;
            }
            move_t mv;
            int mg = move_gain(m, w, (int)ci, rep, best->score, min_gain, &mv);
            count_move(m, sel, mg);
            if (mg != 0)
                continue;
            double gain = mv.gain;
            /* the statements a move changes must gain a clear share of
             * their cost (a smaller one is within the evaluators'
             * disagreement) */
            if (gain <= 0 || mv.rel < m->opts->min_index_improvement)
                continue;
            /* the threshold stops adding indexes; a move that changes a
             * chosen index's keys into ones no worse for any statement
             * and clearly better for some (an extension by a key, or
             * (kind, at) in place of (at)) adds none and is not held to
             * it; adding INCLUDE columns (covering) is, like any other
             * extra bytes for a small gain */
            int exempt =
                rep >= 0 && mv.dominates && m->cands[w->config[rep]].ninclude == c->ninclude;
            if (gain <= min_gain && !exempt)
                continue;
            double score = gain / fmax(delta, 8192.0);
            if (score > best->score) {
                best->score = score;
                best->cand = (int)ci;
                best->replace = rep;
                best->gain = gain;
                best->delta = delta;
                best->rel = mv.rel;
                best->dom = gain <= min_gain;
            }
        }
    }
    return 0;
}

/* Applies a greedy step's move to the configuration and traces it. */
static void take_move(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, const best_move_t *b,
                      double min_gain)
{
    json_array_append_new(
        sel->trace,
        json_pack("{s:s, s:s, s:s?, s:f, s:f, s:f, s:f, s:b}", "move",
                  b->replace < 0 ? "add"
                  : replaceable(&m->cands[w->config[b->replace]], &m->cands[b->cand]) == 1
                      ? "extend"
                      : "replace",
                  "index", m->cands[b->cand].name, "replaces",
                  b->replace >= 0 ? m->cands[w->config[b->replace]].name : NULL, "gain_ms", b->gain,
                  "extra_bytes", b->delta, "min_gain_ms", min_gain, "improvement", b->rel,
                  "dominates_below_threshold", b->dom));
    if (b->replace >= 0) {
        m->cands[w->config[b->replace]].chosen = 0;
        w->config[b->replace] = b->cand;
    } else {
        w->config[w->n++] = b->cand;
    }
    m->cands[b->cand].chosen = 1;
    sel->used_bytes += b->delta;
    sel->steps++;
}

/* ---- budget filling and swaps (after the greedy) ----------------------- */

/* Planner-cost figures of a configuration change cur -> next over the
 * statements the changed candidates chg[] may touch: pc_gain, the drop of
 * calls x cost summed over them (the workload's planner cost, the unit the
 * report's workload_cost uses); pc_changed, the calls x cost before the
 * change of the statements it lowers by at least IA_CLAIM_MIN_RAISE; time
 * gain, the weighted time saved (the greedy's unit, before write
 * overhead). */
typedef struct {
    double pc_gain, pc_changed, time_gain;
} change_t;

/* Fills *out with the change_t figures of going from w's configuration to
 * next (chg lists the candidates that differ). Statements whose cost ratio
 * cannot be computed are left out of the sums. Statements are planned in
 * order of the most each can give: its planner cost under the
 * configuration (pc[]; a cost cannot fall below zero); once the drop so
 * far plus that most for the rest cannot exceed need_drop, nor need_score
 * per byte of delta (the best change found so far), the change cannot be
 * taken and the rest is not planned: returns 2 when nothing was, else 1.
 * A change planned whole is summed in statement order, as without the
 * cut; returns 0. */
static int change_gain(ia_model_t *m, sel_work_t *w, const int *next, size_t nnext, const int *chg,
                       size_t nchg, const double *pc, double need_drop, double need_score,
                       double delta, change_t *out)
{
    memset(out, 0, sizeof *out);
    const int *cur = w->config;
    size_t ncur = w->n;
    int *list = w->list;
    double *most = w->most, *rr = w->rnew;
    size_t nl = 0, N = m->nstmts;
    double left = 0;
    for (size_t s = 0; s < N; s++) {
        int touched = 0;
        for (size_t k = 0; k < nchg && !touched; k++)
            touched = candidate_touches(m, &m->cands[chg[k]], (int)s);
        if (!touched)
            continue;
        list[nl++] = (int)s;
        most[s] = pc_room(m, w, (int)s, pc[s]); /* what it can still give */
        left += most[s];
    }
    order_by_key(list, nl, most);
    double drop = 0;
    for (size_t k = 0; k < nl; k++) {
        int s = list[k];
        double r0, r1, b;
        int meth;
        double reach = drop + (left > 0 ? left : 0);
        if (cannot_reach(reach, need_drop) || cannot_reach(reach / fmax(delta, 8192.0), need_score))
            return k == 0 ? 2 : 1;
        rr[s] = -1;
        left -= most[s];
        if (ratio(m, s, cur, ncur, &r0, &meth, NULL, &b) != 0 ||
            ratio(m, s, next, nnext, &r1, &meth, NULL, NULL) != 0)
            continue;
        rr[s] = r1;
        rr[N + (size_t)s] = r0;
        rr[2 * N + (size_t)s] = b;
        drop += m->stmts[s].calls * b * r0 - m->stmts[s].calls * b * r1;
    }
    for (size_t s = 0; s < N; s++) {
        int touched = 0;
        for (size_t k = 0; k < nchg && !touched; k++)
            touched = candidate_touches(m, &m->cands[chg[k]], (int)s);
        if (!touched || rr[s] < 0)
            continue;
        double r0 = rr[N + s], r1 = rr[s], b = rr[2 * N + s];
        const ia_statement_t *st = &m->stmts[s];
        double pc0 = st->calls * b * r0, pc1 = st->calls * b * r1;
        out->pc_gain += pc0 - pc1;
        if (r1 < r0 * (1 - IA_CLAIM_MIN_RAISE))
            out->pc_changed += pc0;
        out->time_gain += sw(st) * (r0 - r1);
    }
    return 0;
}

/* Each considered statement's planner cost (calls x cost) under config
 * into pc[]; returns their sum. */
static double planner_costs(ia_model_t *m, const int *config, size_t n, double *pc)
{
    double total = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        double r, b;
        int meth;
        pc[s] = 0;
        if (considered(&m->stmts[s]) && ratio(m, (int)s, config, n, &r, &meth, NULL, &b) == 0)
            pc[s] = m->stmts[s].calls * b * r;
        total += pc[s];
    }
    return total;
}

/* Upper bound of the planner cost candidate c can save: the cost its
 * statements still have (pc[] under the current configuration). */
static double pc_bound(ia_model_t *m, sel_work_t *w, const ia_candidate_t *c, const double *pc)
{
    double ub = 0;
    for (size_t s = 0; s < m->nstmts; s++)
        if (candidate_touches(m, c, (int)s))
            ub += pc_room(m, w, (int)s, pc[s]);
    return ub;
}

/* Whether a fill or swap change qualifies: it saves at least
 * floor_share (fill_floor_share) of the workload's remaining planner cost (total), the
 * statements it changes gain min_index_improvement of their cost, and,
 * when it adds write time (wo_ms > 0: the new index's extra write volume
 * on a table the workload writes), the weighted read time it saves is
 * larger than that. */
static int change_passes(const ia_model_t *m, const change_t *ch, double total, double wo_ms,
                         double floor_share)
{
    return ch->pc_gain > floor_share * total && ch->pc_changed > 0 &&
           ch->pc_gain / ch->pc_changed >= m->opts->min_index_improvement &&
           (wo_ms <= 0 || ch->time_gain > wo_ms);
}

/* Budget filling: the greedy stops when no step saves min_gain_fraction of
 * the workload's remaining measured time, which can leave budget unspent
 * while the planner still costs statements high (a statement the stats
 * window saw cheap, a correlated subquery probed per outer row). While the
 * budget allows, add (or extend / reorder into, as the greedy does) the
 * candidate with the largest drop of the workload's planner cost (calls x
 * what-if cost) per extra byte, as long as that drop passes change_passes.
 * Returns the number of indexes taken. */
static int fill_budget(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, double *pc, int *next)
{
    int taken = 0;
    /* candidates with a pick the claims' measure rejected (traced once) */
    unsigned char *failed = xcalloc(m->ncands + 1, 1);
    for (int round = 0; round < (int)m->ncands; round++) {
        double total = planner_costs(m, w->config, w->n, pc);
        double floor = IA_FILL_MIN_SHARE * total;
        best_move_t b;
        memset(&b, 0, sizeof b);
        b.cand = b.replace = -1;
        /* candidates in order of their bound per byte, so that a good move
         * is found early and the bound and the cut in change_gain spare
         * the planning of the others; the choice is the one a scan in
         * candidate order makes (the best score, ties to the earliest
         * candidate and target) */
        size_t norder = 0;
        for (size_t ci = 0; ci < m->ncands; ci++) {
            ia_candidate_t *c = &m->cands[ci];
            if (c->chosen || w->barred[ci])
                continue;
            ia_candidate_write_overhead(m, c, w->config, w->n);
            if (c->write_overhead > m->opts->max_write_overhead)
                continue;
            w->bound[ci] = pc_bound(m, w, c, pc);
            if (w->bound[ci] <= IA_FILL_MIN_SHARE_SMALL * total)
                continue;
            w->order[norder++] = (int)ci;
        }
        g_bound_model = m;
        g_bound = w->bound;
        qsort(w->order, norder, sizeof(int), cmp_bound);
        for (size_t oi = 0; oi < norder; oi++) {
            size_t ci = (size_t)w->order[oi];
            ia_candidate_t *c = &m->cands[ci];
            double ub = w->bound[ci];
            size_t nt = 0;
            int has_prefix = 0;
            for (size_t i = 0; i < w->n; i++) {
                int r = replaceable(&m->cands[w->config[i]], c);
                if (r)
                    w->targets[nt++] = (int)i;
                has_prefix |= r == 1;
            }
            if (!has_prefix)
                w->targets[nt++] = -1;
            for (size_t t = 0; t < nt; t++) {
                int rep = w->targets[t];
                double delta = c->size_bytes - (rep >= 0 ? m->cands[w->config[rep]].size_bytes : 0);
                if (sel->used_bytes + delta > sel->budget_bytes)
                    continue;
                if (rep < 0 && ub / fmax(delta, 8192.0) <= b.score) {
                    sel->moves_bounded++;
                    m->tally.moves_bounded++;
                    continue;
                }
                memcpy(next, w->config, w->n * sizeof(int));
                size_t nn = w->n;
                int chg[2] = {(int)ci, rep >= 0 ? w->config[rep] : -1};
                if (rep >= 0)
                    next[rep] = (int)ci;
                else
                    next[nn++] = (int)ci;
                change_t ch;
                /* change_passes needs a drop above the floor, the choice a
                 * score above the best one */
                double fl = fill_floor_share(delta, sel->budget_bytes);
                int cg = change_gain(m, w, next, nn, chg, rep >= 0 ? 2 : 1, pc, fl * total, b.score,
                                     delta, &ch);
                count_move(m, sel, cg);
                if (cg != 0)
                    continue;
                double wo = c->write_overhead;
                if (rep >= 0) {
                    ia_candidate_write_overhead(m, &m->cands[w->config[rep]], w->config, w->n);
                    wo -= m->cands[w->config[rep]].write_overhead;
                }
                if (!change_passes(m, &ch, total, wo * write_time_ms(m, c->table), fl))
                    continue;
                double score = ch.pc_gain / fmax(delta, 8192.0);
                int earlier =
                    b.cand >= 0 && ((int)ci < b.cand || ((int)ci == b.cand && (int)t < b.t));
                if (!(score > b.score || (score == b.score && earlier)))
                    continue;
                /* the claims check will hold the pick to the minimum
                 * improvement under both costings (this pass judges under
                 * one): a pick that would fail it now is not taken, so its
                 * bytes do not go to it and then to a refill around the
                 * rest of the set */
                double cr = claim_rel(m, next, nn, rep >= 0 ? (size_t)rep : nn - 1);
                if (cr < m->opts->min_index_improvement) {
                    if (!failed[ci])
                        json_array_append_new(sel->trace,
                                              json_pack("{s:s, s:s, s:s, s:f, s:f}", "move",
                                                        "fill_claim_rejected", "index", c->name,
                                                        "phase", "fill", "improvement",
                                                        cr < 0 ? 0.0 : cr, "min_improvement",
                                                        m->opts->min_index_improvement));
                    failed[ci] = 1;
                    continue;
                }
                {
                    b.score = score;
                    b.cand = (int)ci;
                    b.replace = rep;
                    b.t = (int)t;
                    b.gain = ch.time_gain;
                    b.delta = delta;
                    b.rel = ch.pc_gain / ch.pc_changed;
                }
            }
        }
        if (b.cand < 0)
            break;
        take_move(m, sel, w, &b, floor);
        json_t *last = json_array_get(sel->trace, json_array_size(sel->trace) - 1);
        json_object_set_new(last, "phase", json_string("fill"));
        json_object_set_new(last, "planner_cost_saved", json_real(b.score * fmax(b.delta, 8192.0)));
        prune_useless(m, w->config, &w->n, sel, m->cands[b.cand].table, NULL);
        taken++;
    }
    free(failed);
    return taken;
}

/* The selection state the second start may have to restore. */
typedef struct {
    int *config;
    size_t n;
    double used;
    int steps;
    size_t ntrace;
    unsigned char *chosen; /* per candidate */
} sel_state_t;

/* Snapshots the selection state (configuration, used bytes, steps, trace
 * length, chosen flags) into st so a tried move can be undone with
 * state_restore. Cannot fail. */
static void state_save(const ia_model_t *m, const ia_selection_t *sel, const sel_work_t *w,
                       sel_state_t *st)
{
    memcpy(st->config, w->config, w->n * sizeof(int));
    st->n = w->n;
    st->used = sel->used_bytes;
    st->steps = sel->steps;
    st->ntrace = json_array_size(sel->trace);
    for (size_t ci = 0; ci < m->ncands; ci++)
        st->chosen[ci] = (unsigned char)m->cands[ci].chosen;
}

/* Puts back a state saved by state_save, dropping trace entries added since.
 * Cannot fail. */
static void state_restore(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, const sel_state_t *st)
{
    memcpy(w->config, st->config, st->n * sizeof(int));
    w->n = st->n;
    sel->used_bytes = st->used;
    sel->steps = st->steps;
    while (json_array_size(sel->trace) > st->ntrace)
        json_array_remove(sel->trace, json_array_size(sel->trace) - 1);
    for (size_t ci = 0; ci < m->ncands; ci++)
        m->cands[ci].chosen = st->chosen[ci];
}

/* Swaps: the greedy, the fill and the second start only ever add (or
 * turn a chosen index into a wider one), each pick the best per byte at
 * its step; an index taken early can hold bytes another candidate would
 * use better now that the rest of the set is known. Each round tries
 * every (chosen index out, unchosen candidate in) pair that fits the
 * budget and takes the one that lowers the workload's planner cost
 * (generic plans, as the fill) the most, when it lowers it by more than
 * IA_FILL_MIN_SHARE of the cost; the candidate in is held to the fill's
 * rules (change_passes) and to the claims' measure (claim_rel) in the
 * configuration without the index out. A pair is not planned when the
 * most the candidate can save (the cost its statements have without the
 * index out) cannot repay what removing the index out costs plus the best
 * net drop found so far, and its planning stops as soon as it cannot
 * (change_gain): bounded what-if work, reported as phase "swap". At most
 * IA_SWAP_MAX_ROUNDS rounds. Returns the number of swaps. */
#define IA_SWAP_MAX_ROUNDS 4
/* swap_pairs_pass's what-if work: at most this share of the EXPLAINs the
 * selection made before it (on TPC-H uncapped it took 1.3-2.3x the
 * EXPLAINs of all before it, more wall time than Extend at 65%:
 * bench/RESULTS-index-advisor.md, ia-swap2) */
#define IA_SWAP_PAIRS_WORK 0.5

static int swap_pass(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, double *pc, int *next)
{
    size_t N = m->nstmts;
    double *pci = pc + N; /* planner costs without the index out */
    int *cfgi = xcalloc(m->ncands + 2, sizeof(int));
    int swaps = 0;
    for (int round = 0; round < IA_SWAP_MAX_ROUNDS && w->n > 0; round++) {
        double total = planner_costs(m, w->config, w->n, pc);
        double floor = IA_FILL_MIN_SHARE * total;
        int best_pos = -1, best_cand = -1;
        double best_net = 0, best_rel = 0, best_loss = 0;
        for (size_t p = 0; p < w->n; p++) {
            int out = w->config[p];
            size_t ni = 0;
            for (size_t k = 0; k < w->n; k++)
                if (k != p)
                    cfgi[ni++] = w->config[k];
            double loss = planner_costs(m, cfgi, ni, pci) - total;
            double room = sel->budget_bytes - sel->used_bytes + m->cands[out].size_bytes;
            /* change_gain measures from w's configuration: the one without
             * the index out, for this pair */
            int *saved_config = w->config;
            size_t saved_n = w->n;
            w->config = cfgi;
            w->n = ni;
            for (size_t ci = 0; ci < m->ncands; ci++) {
                ia_candidate_t *c = &m->cands[ci];
                if (c->chosen || w->barred[ci] || c->size_bytes > room)
                    continue;
                ia_candidate_write_overhead(m, c, cfgi, ni);
                if (c->write_overhead > m->opts->max_write_overhead)
                    continue;
                double need = loss + fmax(best_net, floor);
                if (pc_bound(m, w, c, pci) <= need) {
                    sel->moves_bounded++;
                    m->tally.moves_bounded++;
                    continue;
                }
                memcpy(next, cfgi, ni * sizeof(int));
                next[ni] = (int)ci;
                int chg[1] = {(int)ci};
                change_t ch;
                int cg = change_gain(m, w, next, ni + 1, chg, 1, pci, need, 0, c->size_bytes, &ch);
                count_move(m, sel, cg);
                if (cg != 0)
                    continue;
                double net = ch.pc_gain - loss;
                if (net <= fmax(best_net, floor) ||
                    !change_passes(m, &ch, 0, c->write_overhead * write_time_ms(m, c->table), 0))
                    continue;
                double cr = claim_rel(m, next, ni + 1, ni);
                if (cr < m->opts->min_index_improvement)
                    continue;
                best_pos = (int)p;
                best_cand = (int)ci;
                best_net = net;
                best_rel = cr;
                best_loss = loss;
            }
            w->config = saved_config;
            w->n = saved_n;
        }
        if (best_cand < 0)
            break;
        ia_candidate_t *in = &m->cands[best_cand], *out = &m->cands[w->config[best_pos]];
        json_array_append_new(sel->trace,
                              json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f}", "move", "swap",
                                        "phase", "swap", "index", in->name, "replaces", out->name,
                                        "planner_cost_saved", best_net, "planner_cost_of_removal",
                                        best_loss, "extra_bytes", in->size_bytes - out->size_bytes,
                                        "improvement", best_rel));
        out->chosen = 0;
        in->chosen = 1;
        sel->used_bytes += in->size_bytes - out->size_bytes;
        w->config[best_pos] = best_cand;
        prune_useless(m, w->config, &w->n, sel, in->table, NULL);
        swaps++;
    }
    free(cfgi);
    return swaps;
}

/* Swaps of another shape (swap_pairs_pass): a one-for-one exchange cannot
 * move bytes that two chosen indexes hold together, nor give the bytes of
 * one to two candidates. Two more exchanges, after the one-for-one rounds:
 *  - two chosen indexes out, one candidate in, only for a candidate that
 *    fits once both are out and not with either out alone (the
 *    one-for-one step tried the others);
 *  - one chosen index out, two candidates in, only for a pair that does
 *    not fit without the index out (otherwise the fill could add them).
 * Each is bounded before any planning like the one-for-one swap: the cost
 * the candidates' statements still have without the indexes out (their
 * union: one statement counts once) must exceed what removing the indexes
 * costs plus the best net drop found so far, and change_gain stops
 * planning once it cannot. The exchange with the largest net drop of the
 * workload's planner cost is taken when it exceeds IA_FILL_MIN_SHARE of
 * it; every candidate in is held to the write limit (the second in
 * measured next to the first), the budget, the fill's rules
 * (change_passes, with both candidates' write time) and the claims'
 * measure (claim_rel, both costings, min_index_improvement) in the new
 * configuration. At most IA_SWAP_MAX_ROUNDS rounds; phase "swap_pairs". */
typedef struct {
    int out[2], in[2]; /* candidates */
    size_t nout, nin;
    double net, loss, rel;
} swap_t;

/* Whether candidate ci may come in by a swap into config: unchosen, not
 * barred by the claims check, under the write-overhead limit there. */
static int swap_eligible(ia_model_t *m, const sel_work_t *w, size_t ci, const int *config, size_t n)
{
    ia_candidate_t *c = &m->cands[ci];
    if (c->chosen || w->barred[ci])
        return 0;
    ia_candidate_write_overhead(m, c, config, n);
    return c->write_overhead <= m->opts->max_write_overhead;
}

/* Tries ins[0..nin) into w's configuration (the one without outs[]; pcb[]
 * its planner costs, loss what removing the outs costs over the current
 * one; touch[ci x nstmts + s] = candidate ci may change statement s);
 * kept in *best when its net drop passes (see above) and is the largest
 * so far. */
static void swap_try(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, const unsigned char *touch,
                     const double *pcb, double loss, double floor, const int *ins, size_t nin,
                     const int *outs, size_t nout, int *next, swap_t *best)
{
    size_t N = m->nstmts, nb = w->n;
    double need = loss + fmax(best->net, floor);
    double ub = 0;
    for (size_t s = 0; s < N; s++) {
        int t = 0;
        for (size_t k = 0; k < nin && !t; k++)
            t = touch[(size_t)ins[k] * N + s];
        if (t)
            ub += pc_room(m, w, (int)s, pcb[s]);
    }
    if (ub <= need) {
        sel->moves_bounded++;
        m->tally.moves_bounded++;
        return;
    }
    memcpy(next, w->config, nb * sizeof(int));
    double bytes = 0, wo_ms = 0;
    for (size_t k = 0; k < nin; k++) {
        ia_candidate_t *c = &m->cands[ins[k]];
        ia_candidate_write_overhead(m, c, next, nb + k);
        if (c->write_overhead > m->opts->max_write_overhead)
            return;
        wo_ms += c->write_overhead * write_time_ms(m, c->table);
        next[nb + k] = ins[k];
        bytes += c->size_bytes;
    }
    change_t ch;
    int cg = change_gain(m, w, next, nb + nin, ins, nin, pcb, need, 0, bytes, &ch);
    count_move(m, sel, cg);
    if (cg != 0)
        return;
    double net = ch.pc_gain - loss;
    if (net <= fmax(best->net, floor) || !change_passes(m, &ch, 0, wo_ms, 0))
        return;
    double rel = INFINITY;
    for (size_t k = 0; k < nin; k++) {
        double cr = claim_rel(m, next, nb + nin, nb + k);
        if (cr < m->opts->min_index_improvement)
            return;
        rel = fmin(rel, cr);
    }
    best->nin = nin;
    best->nout = nout;
    for (size_t k = 0; k < nin; k++)
        best->in[k] = ins[k];
    for (size_t k = 0; k < nout; k++)
        best->out[k] = outs[k];
    best->net = net;
    best->loss = loss;
    best->rel = rel;
}

/* config without its positions p and q (q < 0: only p) into base;
 * returns its length. */
static size_t config_without(const int *config, size_t n, size_t p, long q, int *base)
{
    size_t nb = 0;
    for (size_t k = 0; k < n; k++)
        if (k != p && (long)k != q)
            base[nb++] = config[k];
    return nb;
}

static int swap_pairs_pass(ia_model_t *m, ia_selection_t *sel, sel_work_t *w, double *pc, int *next)
{
    size_t N = m->nstmts, C = m->ncands;
    double *pcb = xcalloc(N + 1, sizeof(double));
    double *ub = xcalloc(C + 1, sizeof(double));
    int *base = xcalloc(C + 2, sizeof(int));
    int *elig = xcalloc(C + 1, sizeof(int));
    unsigned char *touch = xcalloc(C * N + 1, 1);
    /* each candidate's best case with no other new index: the cost its
     * statements have without any (cached since the greedy's first step);
     * a cost with fewer indexes is never lower (the cap in ratio()) */
    double *ub0 = xcalloc(C + 1, sizeof(double));
    double *lossp = xcalloc(C + 1, sizeof(double));
    planner_costs(m, NULL, 0, pcb);
    for (size_t ci = 0; ci < C; ci++)
        for (size_t s = 0; s < N; s++) {
            touch[ci * N + s] = (unsigned char)candidate_touches(m, &m->cands[ci], (int)s);
            if (touch[ci * N + s])
                ub0[ci] += pc_room(m, w, (int)s, pcb[s]);
        }
    int swaps = 0;
    /* the what-if work of this pass: at most IA_SWAP_PAIRS_WORK of the
     * EXPLAINs the selection made before it; past that no exchange is
     * planned (the order is fixed: the same snapshot gives the same set) */
    int64_t cap =
        m->whatif ? m->tally.explains + (int64_t)(IA_SWAP_PAIRS_WORK * (double)m->tally.explains)
                  : INT64_MAX; /* costs from a hook: no EXPLAIN */
    int capped = 0;
    for (int round = 0; round < IA_SWAP_MAX_ROUNDS && w->n > 0 && !capped; round++) {
        double total = planner_costs(m, w->config, w->n, pc);
        double floor = IA_FILL_MIN_SHARE * total;
        double free_b = sel->budget_bytes - sel->used_bytes;
        swap_t best;
        memset(&best, 0, sizeof best);
        int *cfg = w->config;
        size_t n = w->n;
        /* what removing each chosen index alone costs (the configurations
         * swap_pass costed: cached); removing two costs at least the larger */
        for (size_t p = 0; p < n; p++)
            lossp[p] = planner_costs(m, base, config_without(cfg, n, p, -1, base), pcb) - total;
        /* two out, one in */
        for (size_t p = 0; p < n && !capped; p++)
            for (size_t q = p + 1; q < n && !(capped = m->tally.explains >= cap); q++) {
                double sp = m->cands[cfg[p]].size_bytes, sq = m->cands[cfg[q]].size_bytes;
                double room = free_b + sp + sq, one = free_b + fmax(sp, sq);
                /* the pair is planned only for a candidate that fits with
                 * both out, not with one, and whose best case can repay
                 * that lower bound of the removal */
                double need0 = fmax(lossp[p], lossp[q]) + fmax(best.net, floor);
                int any = 0;
                for (size_t ci = 0; ci < C && !any; ci++)
                    any = !m->cands[ci].chosen && !w->barred[ci] && m->cands[ci].size_bytes > one &&
                          m->cands[ci].size_bytes <= room && !cannot_reach(ub0[ci], need0);
                if (!any) {
                    sel->moves_bounded++;
                    m->tally.moves_bounded++;
                    continue;
                }
                size_t nb = config_without(cfg, n, p, (long)q, base);
                double loss = planner_costs(m, base, nb, pcb) - total;
                int outs[2] = {cfg[p], cfg[q]};
                w->config = base;
                w->n = nb;
                for (size_t ci = 0; ci < C; ci++) {
                    double sz = m->cands[ci].size_bytes;
                    if (sz <= one || sz > room || !swap_eligible(m, w, ci, base, nb))
                        continue;
                    int ins[1] = {(int)ci};
                    swap_try(m, sel, w, touch, pcb, loss, floor, ins, 1, outs, 2, next, &best);
                }
                w->config = cfg;
                w->n = n;
            }
        /* one out, two in */
        for (size_t p = 0; p < n && !capped; p++) {
            double room = free_b + m->cands[cfg[p]].size_bytes;
            size_t nb = config_without(cfg, n, p, -1, base);
            size_t ne = 0;
            for (size_t ci = 0; ci < C; ci++)
                if (m->cands[ci].size_bytes <= room && swap_eligible(m, w, ci, base, nb))
                    elig[ne++] = (int)ci;
            if (ne < 2)
                continue;
            double loss = planner_costs(m, base, nb, pcb) - total;
            for (size_t k = 0; k < ne; k++) {
                ub[elig[k]] = 0;
                for (size_t s = 0; s < N; s++)
                    if (touch[(size_t)elig[k] * N + s])
                        ub[elig[k]] += pc_room(m, w, (int)s, pcb[s]);
            }
            int outs[1] = {cfg[p]};
            w->config = base;
            w->n = nb;
            for (size_t a = 0; a < ne && !capped; a++)
                for (size_t b = a + 1; b < ne && !(capped = m->tally.explains >= cap); b++) {
                    double sz = m->cands[elig[a]].size_bytes + m->cands[elig[b]].size_bytes;
                    if (sz > room || sz <= free_b)
                        continue;
                    /* the sum of the two bounds first: no planning, no
                     * statement list */
                    if (ub[elig[a]] + ub[elig[b]] <= loss + fmax(best.net, floor)) {
                        sel->moves_bounded++;
                        m->tally.moves_bounded++;
                        continue;
                    }
                    int ins[2] = {elig[a], elig[b]};
                    swap_try(m, sel, w, touch, pcb, loss, floor, ins, 2, outs, 1, next, &best);
                }
            w->config = cfg;
            w->n = n;
        }
        if (capped)
            json_array_append_new(sel->trace,
                                  json_pack("{s:s, s:s, s:I}", "move", "swap_pairs_capped", "phase",
                                            "swap_pairs", "whatif_explains_cap", (json_int_t)cap));
        if (best.nin == 0)
            break;
        json_t *in_names = json_array(), *out_names = json_array();
        double extra = 0;
        for (size_t k = 0; k < best.nout; k++) {
            ia_candidate_t *o = &m->cands[best.out[k]];
            json_array_append_new(out_names, json_string(o->name));
            extra -= o->size_bytes;
            o->chosen = 0;
            for (size_t i = 0; i < w->n; i++)
                if (w->config[i] == best.out[k]) {
                    w->config[i] = w->config[--w->n];
                    break;
                }
        }
        for (size_t k = 0; k < best.nin; k++) {
            ia_candidate_t *c = &m->cands[best.in[k]];
            json_array_append_new(in_names, json_string(c->name));
            extra += c->size_bytes;
            c->chosen = 1;
            w->config[w->n++] = best.in[k];
        }
        sel->used_bytes += extra;
        json_array_append_new(
            sel->trace, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:f}", "move",
                                  "swap", "phase", "swap_pairs", "shape",
                                  best.nout == 2 ? "two_out_one_in" : "one_out_two_in", "index",
                                  m->cands[best.in[0]].name, "replaces", m->cands[best.out[0]].name,
                                  "indexes_in", in_names, "indexes_out", out_names,
                                  "planner_cost_saved", best.net, "planner_cost_of_removal",
                                  best.loss, "extra_bytes", extra, "improvement", best.rel));
        for (size_t k = 0; k < best.nin; k++)
            if (k == 0 || m->cands[best.in[k]].table != m->cands[best.in[0]].table)
                prune_useless(m, w->config, &w->n, sel, m->cands[best.in[k]].table, NULL);
        swaps++;
    }
    free(pcb);
    free(ub);
    free(base);
    free(elig);
    free(touch);
    free(ub0);
    free(lossp);
    return swaps;
}

/* The passes after the greedy, judged by the workload's planner cost
 * (calls x what-if cost) under plain generic plans - the cost the planner
 * gives each prepared statement whatever its parameters, the costing the
 * claims are also checked under, and the quantity published selection
 * algorithms minimize:
 *  1. fill the budget the greedy left (fill_budget);
 *  2. a second start: from no index, fill_budget alone (a greedy by
 *     planner cost per byte over the same candidates, with the same
 *     extend / reorder moves); the configuration with the lower planner
 *     cost is kept (the greedy's unless the second is lower by more than
 *     IA_FILL_MIN_SHARE).
 * The greedy weights statements by measured time; where a statement's
 * planner cost is large but the window saw it run fast, or a large index
 * serves one statement's measured time, the bytes lower the planner cost
 * more elsewhere. Every pick is a what-if cost comparison; the final
 * claims check applies to all of them. */
static void planner_cost_passes(ia_model_t *m, ia_selection_t *sel, sel_work_t *w)
{
    int saved_costing = m->generic_costing;
    if (m->whatif)
        m->generic_costing = 1;
    double *pc = xcalloc(2 * m->nstmts + 1, sizeof(double));
    int *next = xcalloc(m->ncands + 2, sizeof(int));
    fill_budget(m, sel, w, pc, next);
    double cost_greedy = planner_costs(m, w->config, w->n, pc);
    sel_state_t greedy;
    greedy.config = xcalloc(m->ncands + 1, sizeof(int));
    greedy.chosen = xcalloc(m->ncands + 1, 1);
    state_save(m, sel, w, &greedy);
    json_array_append_new(sel->trace,
                          json_pack("{s:s, s:s, s:f}", "move", "restart", "phase",
                                    "planner_cost_start", "planner_cost_greedy", cost_greedy));
    for (size_t i = 0; i < w->n; i++)
        m->cands[w->config[i]].chosen = 0;
    w->n = 0;
    sel->used_bytes = 0;
    ia_phase_mark(m, "second_start");
    fill_budget(m, sel, w, pc, next);
    double cost_start = planner_costs(m, w->config, w->n, pc);
    int keep_start = cost_start < cost_greedy * (1 - IA_FILL_MIN_SHARE);
    if (!keep_start)
        state_restore(m, sel, w, &greedy);
    json_array_append_new(
        sel->trace, json_pack("{s:s, s:s, s:f, s:f}", "move", "keep", "configuration",
                              keep_start ? "planner_cost_start" : "greedy", "planner_cost_greedy",
                              cost_greedy, "planner_cost_start", cost_start));
    free(greedy.config);
    free(greedy.chosen);
    /* swaps, then the fill of what they leave */
    ia_phase_mark(m, "swap");
    int swapped = swap_pass(m, sel, w, pc, next);
    /* the exchanges of two for one and one for two (swap_pairs_pass) */
    ia_phase_mark(m, "swap_pairs");
    swapped += swap_pairs_pass(m, sel, w, pc, next);
    if (swapped > 0)
        fill_budget(m, sel, w, pc, next);
    m->generic_costing = saved_costing;
    free(pc);
    free(next);
}

/* The rejections worth telling (sel->rejected): unchosen candidates on a
 * table of a few pages, over the write-overhead limit, or that did not
 * fit the storage budget; not those the claims check dropped (barred: the
 * trace's drop_unverified says why). */
static void record_rejections(ia_model_t *m, ia_selection_t *sel, const unsigned char *barred)
{
    for (size_t ci = 0; ci < m->ncands; ci++) {
        ia_candidate_t *c = &m->cands[ci];
        if (c->chosen || barred[ci])
            continue;
        const ia_table_t *tb = &m->tables[c->table];
        double pages = tb->relpages > 0 ? (double)tb->relpages : (double)tb->table_bytes / 8192.0;
        if (pages <= IA_TINY_TABLE_PAGES && pages > 0) {
            /* the real reason, not the write ratio a tiny heap inflates */
            char *why = ia_printf("the table is %.0f page%s (%.0f kB): a sequential scan reads it "
                                  "whole in as many page reads, an index saves almost nothing",
                                  pages, pages == 1 ? "" : "s", pages * 8);
            json_array_append_new(sel->rejected, json_pack("{s:s, s:s, s:f}", "index", c->name,
                                                           "reason", why, "table_pages", pages));
            free(why);
        } else if (c->write_overhead > m->opts->max_write_overhead)
            json_array_append_new(sel->rejected,
                                  json_pack("{s:s, s:s, s:f}", "index", c->name, "reason",
                                            "write overhead above the limit", "write_overhead",
                                            c->write_overhead));
        else if (sel->used_bytes + c->size_bytes > sel->budget_bytes &&
                 c->size_bytes > sel->budget_bytes * 0.01)
            json_array_append_new(sel->rejected,
                                  json_pack("{s:s, s:s, s:f}", "index", c->name, "reason",
                                            "does not fit the storage budget", "size_bytes",
                                            c->size_bytes));
    }
}

/* Refill after the claims check (run when it or the final prune dropped
 * an index; the prune judges under representative values, the fill under
 * plain generic plans, so an index the fill took may lower nothing under
 * the former): the freed bytes go to fill_budget again, under the same
 * rules (planner cost of plain generic what-if plans, change_passes, the
 * budget, the write-overhead limit), without the candidates the check or
 * the prune dropped; the chosen indexes are pruned and the claims checked
 * again, and while that drops more, the loop goes on (at most
 * IA_REFILL_MAX_ROUNDS). Every pick is a fill step in the trace with phase
 * "refill". Returns the number of indexes the refill took (0: the
 * configuration is the checked one). */
static int refill_after_claims(ia_model_t *m, ia_selection_t *sel, sel_work_t *w)
{
    int saved_costing = m->generic_costing;
    double *pc = xcalloc(2 * m->nstmts + 1, sizeof(double));
    int *next = xcalloc(m->ncands + 2, sizeof(int));
    int taken = 0;
    for (int round = 0; round < IA_REFILL_MAX_ROUNDS; round++) {
        size_t ntrace = json_array_size(sel->trace);
        if (m->whatif)
            m->generic_costing = 1;
        int t = fill_budget(m, sel, w, pc, next);
        m->generic_costing = saved_costing;
        for (size_t k = ntrace; k < json_array_size(sel->trace); k++) {
            json_t *e = json_array_get(sel->trace, k);
            if (json_object_get(e, "phase"))
                json_object_set_new(e, "phase", json_string("refill"));
        }
        if (t == 0)
            break;
        taken += t;
        int gone = prune_useless(m, w->config, &w->n, sel, -1, w->barred);
        if (verify_claims(m, w->config, &w->n, sel, w->barred) + gone == 0)
            break;
    }
    free(pc);
    free(next);
    return taken;
}

/* The figures of each chosen index in the final configuration
 * (sel->choices: the statements it claims, time saved, costs) and the
 * workload's before/after totals. */
static void compute_figures(ia_model_t *m, const int *config, size_t n, ia_selection_t *sel)
{
    sel->choices = xcalloc(n + 1, sizeof *sel->choices);
    for (size_t i = 0; i < n; i++) {
        ia_choice_t *ch = &sel->choices[sel->nchoices++];
        ch->cand = config[i];
        ch->method = 1;
        double w_before = 0, w_after = 0;
        for (size_t s = 0; s < m->nstmts; s++) {
            const ia_statement_t *st = &m->stmts[s];
            double rep[2], gen[2];
            int ma;
            /* the test verify_claims applied: every listed statement
             * satisfies the claim under both costings, every kept index has
             * one; the figures are the representative-valued costs */
            if (!lowers_both(m, (int)s, config, n, i, rep, gen, &ma))
                continue;
            double a = rep[0], b = rep[1];
            ch->affected = xrealloc(ch->affected, (ch->naffected + 1) * sizeof(int));
            ch->affected[ch->naffected++] = (int)s;
            double r = a / b;
            w_before += st->weight;
            w_after += st->weight * r;
            ch->affected_weight += st->weight;
            ch->cost_before += st->calls * b;
            ch->cost_after += st->calls * a;
            ch->benefit_ms += st->weight * (1 - r);
            if (ma == 0)
                ch->method = 0;
        }
        ch->improvement = w_after > 0 ? w_before / w_after : 1;
    }
    /* the whole workload, before and after, by calls x cost */
    for (size_t s = 0; s < m->nstmts; s++) {
        const ia_statement_t *st = &m->stmts[s];
        if (!considered(st))
            continue;
        double r, a, b;
        int meth;
        if (ratio(m, (int)s, config, n, &r, &meth, &a, &b) != 0)
            continue;
        sel->workload_cost_before += st->calls * b;
        sel->workload_cost_after += st->calls * fmin(a, b);
        sel->workload_ms_before += st->weight;
        sel->workload_ms_after += st->weight * (b > 0 ? fmin(a, b) / b : 1);
    }
}

/* The selection (see the top of this file): greedy steps until no move
 * passes, then the final prune, the claims' check and the figures.
 * Returns -1 (err: "cancelled") when the progress callback cancels. */
int ia_select(ia_model_t *m, ia_selection_t *sel, err_t *err)
{
    memset(sel, 0, sizeof *sel);
    sel->rejected = json_array();
    sel->trace = json_array();
    sel->budget_bytes = budget_for(m);
    sel_work_t w = {0};
    w.config = xcalloc(m->ncands + 1, sizeof(int));
    w.list = xcalloc(m->nstmts + 1, sizeof(int));
    w.targets = xcalloc(m->ncands + 2, sizeof(int));
    w.rnow = xcalloc(m->nstmts + 1, sizeof(double));
    w.most = xcalloc(m->nstmts + 1, sizeof(double));
    w.rnew = xcalloc(3 * m->nstmts + 1, sizeof(double));
    w.bound = xcalloc(m->ncands + 1, sizeof(double));
    w.order = xcalloc(m->ncands + 1, sizeof(int));
    w.barred = xcalloc(m->ncands + 1, 1);
    w.budget = sel->budget_bytes;
    w.both_costings = m->whatif && !m->opts->baseline_single_column && !m->greedy_only;
    for (int g = 0; g < 2; g++) {
        w.low[g] = xcalloc(m->nstmts + 1, sizeof(double));
        w.base[g] = xcalloc(m->nstmts + 1, sizeof(double));
        for (size_t s = 0; s < m->nstmts; s++)
            w.low[g][s] = -1;
    }
    double min_fraction = m->opts->min_gain_fraction;
    /* weighted time left under the configuration */
    double remaining = m->sel_total > 0 ? m->sel_total : m->total_weight;
    int64_t evals = 0;
    /* every step raises the net gain, so the loop ends; the cap guards
     * against a replacement cycle through write-overhead rounding */
    int max_steps = (int)m->ncands * 2 + 16;
    while (sel->steps < max_steps) {
        /* a step must save min_gain_fraction of the time the workload still
         * spends: of the original total for the first indexes, of what is
         * left once they serve the hot statements (otherwise a better
         * index for a statement an earlier choice already sped up 50x can
         * never beat a threshold set by the time before any index) */
        double min_gain = min_fraction * remaining;
        best_move_t b;
        if (find_best_move(m, sel, &w, min_gain, &evals, &b) != 0) {
            work_free(&w);
            return err_set(err, "cancelled");
        }
        if (b.cand < 0) {
            json_array_append_new(sel->trace,
                                  json_pack("{s:s, s:f}", "move", "stop", "min_gain_ms", min_gain));
            break;
        }
        take_move(m, sel, &w, &b, min_gain);
        remaining -= b.gain;
        if (remaining < 0)
            remaining = 0;
        /* an index this step made useless leaves now, so that its bytes
         * count for the next moves */
        prune_useless(m, w.config, &w.n, sel, m->cands[b.cand].table, NULL);
    }
    /* the budget the greedy left, then swaps, then what a swap freed */
    int fill = !m->opts->baseline_single_column && !m->greedy_only;
    if (fill) {
        ia_phase_mark(m, "fill");
        planner_cost_passes(m, sel, &w);
    }
    record_rejections(m, sel, w.barred);

    /* interactions: each chosen index against the final configuration
     * without it; useless ones leave, until stable */
    ia_phase_mark(m, "prune");
    int dropped = prune_useless(m, w.config, &w.n, sel, -1, w.barred);
    /* every claim re-checked under both costings, every index held to the
     * minimum improvement */
    ia_phase_mark(m, "verify_claims");
    dropped += verify_claims(m, w.config, &w.n, sel, w.barred);
    /* the bytes the final prune and the check freed, filled again and
     * checked again; the rejections are then told against the final
     * configuration */
    if (fill && dropped > 0) {
        ia_phase_mark(m, "refill");
        if (refill_after_claims(m, sel, &w) > 0) {
            json_array_clear(sel->rejected);
            record_rejections(m, sel, w.barred);
        }
    }

    ia_phase_mark(m, "figures");
    compute_figures(m, w.config, w.n, sel);
    work_free(&w);
    return 0;
}

/* See ia_internal.h (safe twice). */
void ia_selection_free(ia_selection_t *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->nchoices; i++)
        free(sel->choices[i].affected);
    free(sel->choices);
    json_decref(sel->rejected);
    json_decref(sel->trace);
    memset(sel, 0, sizeof *sel);
}
