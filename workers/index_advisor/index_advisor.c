/* index_advisor.c - see index_advisor.h: load, extract, generate, evaluate,
 * select, report. */
#include "workers/index_advisor/index_advisor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "workers/index_advisor/ia_internal.h"

void index_advisor_options_init(index_advisor_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->max_write_overhead = 0.5;
    o->min_gain_fraction = 0.005;
    o->min_index_improvement = 0.05;
    o->min_unused_window_s = 7 * 86400.0;
    o->statement_timeout_ms = 5000;
}

/* snapshot.options overrides (when the coordinator passes them) */
static void apply_snapshot_options(const json_t *snapshot, index_advisor_options_t *o)
{
    const json_t *opt = json_object_get(snapshot, "options");
    json_t *v;
    if ((v = json_object_get(opt, "index_budget_bytes")) && json_is_integer(v) &&
        json_integer_value(v) > 0 && o->budget_bytes == 0)
        o->budget_bytes = json_integer_value(v);
    if ((v = json_object_get(opt, "index_max_write_overhead")) && json_is_number(v) &&
        json_number_value(v) > 0)
        o->max_write_overhead = json_number_value(v);
    if ((v = json_object_get(opt, "index_min_gain_fraction")) && json_is_number(v) &&
        json_number_value(v) >= 0)
        o->min_gain_fraction = json_number_value(v);
    if ((v = json_object_get(opt, "index_min_improvement")) && json_is_number(v) &&
        json_number_value(v) >= 0)
        o->min_index_improvement = json_number_value(v);
    if ((v = json_object_get(opt, "index_min_unused_window_s")) && json_is_number(v) &&
        json_number_value(v) >= 0)
        o->min_unused_window_s = json_number_value(v);
    if ((v = json_object_get(opt, "index_offline")) && json_is_true(v))
        o->offline = 1;
}

/* See index_advisor.h: load, extract, generate candidates, plan every
 * statement, weight, select, report. */
int index_advisor_analyze(const json_t *snapshot, const index_advisor_options_t *opts_in,
                          progress_fn progress, void *progress_user, json_t **result, err_t *err)
{
    if (!result)
        return err_set(err, "index advisor: no result pointer");
    *result = NULL;
    int64_t t0 = clock_mono_us();
    index_advisor_options_t opts;
    if (opts_in)
        opts = *opts_in;
    else
        index_advisor_options_init(&opts);
    apply_snapshot_options(snapshot, &opts);
    ia_model_t m;
    memset(&m, 0, sizeof m);
    m.opts = &opts;
    m.progress = progress;
    m.progress_user = progress_user;
    if (ia_model_load(&m, snapshot, err) != 0) {
        ia_model_free(&m);
        return -1;
    }
    ia_phase_mark(&m, "extract");
    size_t unparsed = 0;
    for (size_t s = 0; s < m.nstmts; s++) {
        if (progress && progress(progress_user, "parse", (int64_t)s, (int64_t)m.nstmts)) {
            ia_model_free(&m);
            return err_set(err, "cancelled");
        }
        err_t perr;
        if (ia_extract_statement(&m, &m.stmts[s], &perr) != 0)
            unparsed++;
    }
    /* the workload an index can serve: statements that read or write
     * tables (utility statements such as EXPLAIN, SET or VACUUM do not
     * count toward the total that gains are measured against) */
    for (size_t s = 0; s < m.nstmts; s++)
        if (m.stmts[s].parsed && m.stmts[s].command >= 0)
            m.total_weight += m.stmts[s].weight;
    if (unparsed)
        ia_note(&m, "%zu statements could not be parsed by libpg_query and were skipped", unparsed);
    ia_phase_mark(&m, "candidates");
    if (ia_generate_candidates(&m, err) != 0) {
        ia_model_free(&m);
        return -1;
    }
    /* connecting to the target counts in plan_statements */
    ia_phase_mark(&m, "plan_statements");
    ia_cost_begin(&m);
    for (size_t s = 0; s < m.nstmts; s++)
        ia_choose_param_values(&m, &m.stmts[s]);
    /* every statement an index could serve is planned once without new
     * indexes, so that each one is either planned or named with a reason
     * (evaluation.statements_not_planned), whether or not a candidate
     * touches it */
    for (size_t s = 0; m.whatif && s < m.nstmts; s++) {
        const ia_statement_t *st = &m.stmts[s];
        if (st->parsed && st->command >= 0 && st->ntables > 0 && st->weight > 0) {
            double c;
            int meth;
            ia_statement_cost(&m, (int)s, NULL, 0, 0, &c, &meth);
        }
    }
    if (m.whatif && !m.cost_hook) {
        size_t up = ia_set_selection_weights(&m);
        if (up)
            ia_note(&m,
                    "%zu statements weighted by their share of the workload's planner cost, "
                    "larger than their share of the measured time (the window may have seen "
                    "cheap parameter values; METHOD.md section 4)",
                    up);
    }
    ia_phase_mark(&m, "greedy");
    ia_selection_t sel;
    if (ia_select(&m, &sel, err) != 0) {
        ia_selection_free(&sel);
        ia_model_free(&m);
        return -1;
    }
    ia_phase_mark(&m, NULL);
    ia_cost_end(&m);
    *result = ia_report(&m, &sel, (double)(clock_mono_us() - t0) / 1000.0);
    ia_selection_free(&sel);
    ia_model_free(&m);
    return 0;
}
