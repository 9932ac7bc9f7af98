/*
 * ai_tuning.c - the agent's entry point: builds the series, then each
 * section in turn (workload, ml insights, predictions, cloud and cost).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "workers/ai_tuning/ai_internal.h"
#include "common/jsonget.h"

void ai_tuning_options_init(ai_tuning_options_t *o)
{
    o->min_calls = 5;
    o->min_share = 0.005;
    o->z_threshold = 3.5;
    o->min_segment = 6;
    o->seed = 42;
    o->step_min_ratio = 1.5;
    o->step_alpha = 0.05;
    o->load_step_min_ratio = 2.0;
}

/* Both rows name the same table (schema and name present and equal). */
static int table_key_eq(const json_t *a, const json_t *b)
{
    const char *s1 = json_string_value(json_object_get(a, "schema"));
    const char *s2 = json_string_value(json_object_get(b, "schema"));
    const char *n1 = json_string_value(json_object_get(a, "name"));
    const char *n2 = json_string_value(json_object_get(b, "name"));
    return s1 && s2 && n1 && n2 && !strcmp(s1, s2) && !strcmp(n1, n2);
}

/* Working set: tables (with their indexes and TOAST) read during the
 * history window (scan counters grew between its first and last entries
 * carrying tables), else those read since the statistics reset. */
static double working_set(const json_t *snapshot, const char **basis)
{
    const json_t *hist = json_object_get(snapshot, "history");
    const json_t *first = NULL, *last = NULL;
    size_t i;
    const json_t *e;
    json_array_foreach(hist, i, e)
    {
        if (json_is_array(json_object_get(e, "tables"))) {
            if (!first)
                first = json_object_get(e, "tables");
            last = json_object_get(e, "tables");
        }
    }
    double ws = 0;
    int found = 0;
    if (first && last && first != last) {
        size_t a, b;
        const json_t *tl, *tf;
        json_array_foreach(last, a, tl)
        {
            double scans = jget_num_or(tl, "seq_scan", 0) + jget_num_or(tl, "idx_scan", 0);
            json_array_foreach(first, b, tf)
            {
                if (table_key_eq(tl, tf)) {
                    if (scans > jget_num_or(tf, "seq_scan", 0) + jget_num_or(tf, "idx_scan", 0))
                        ws += jget_num_or(tl, "total_bytes", 0);
                    found = 1;
                    break;
                }
            }
        }
        *basis = "tables read during the history window (largest tables shipped)";
        if (found)
            return ws;
    }
    const json_t *tables = json_object_get(snapshot, "tables");
    if (!json_is_array(tables) || json_array_size(tables) == 0)
        return NAN;
    json_array_foreach(tables, i, e)
    {
        if (jget_num_or(e, "seq_scan", 0) + jget_num_or(e, "idx_scan", 0) > 0)
            ws += jget_num_or(e, "total_bytes", 0);
    }
    *basis = "tables read since the statistics reset";
    return ws;
}

int ai_tuning_analyze(const json_t *snapshot, const ai_tuning_options_t *opts, progress_fn progress,
                      void *arg, json_t **result, err_t *err)
{
    *result = NULL;
    if (!json_is_object(snapshot))
        return err_set(err, "ai_tuning: the snapshot is not a map");
    ai_tuning_options_t defaults;
    if (!opts) {
        ai_tuning_options_init(&defaults);
        opts = &defaults;
    }
    ai_ctx_t c;
    memset(&c, 0, sizeof c);
    c.snapshot = snapshot;
    c.opt = opts;
    c.notes = json_array();
    c.load_p50 = c.load_p95 = c.load_p99 = c.load_max = NAN;
    c.olap_share = c.oltp_share = NAN;
    const json_t *hist = json_object_get(snapshot, "history");
    if (progress && progress(arg, "series", 0, 5))
        goto cancelled;
    if (!json_is_array(hist) || json_array_size(hist) < 2)
        json_array_append_new(c.notes,
                              json_string("history: fewer than 2 entries, so peak hours, growth, "
                                          "regressions, anomalies and auto-scaling cannot be "
                                          "measured; run `pgopt-coordinator snapshot --store DIR` "
                                          "every few minutes and analyse with --store DIR, or "
                                          "sample live with --samples N --interval S"));
    if (ai_series_build(hist, &c.series, c.notes) != 0) {
        ai_series_free(&c.series);
        json_decref(c.notes);
        return err_set(err, "ai_tuning: out of memory building the history series");
    }
    /* Snapshots seconds apart (a demo, --samples): every per-hour rate,
     * monthly growth and peak hour is extrapolated from minutes. */
    int compressed = c.series.n >= 2 && c.series.step_s > 0 && c.series.step_s < 60;
    if (compressed)
        json_array_append_new(
            c.notes, json_sprintf("history: snapshots %.0f s apart, a compressed time scale: "
                                  "rates per hour, growth per month, peak hours and trends are "
                                  "extrapolated from %.0f s of history",
                                  c.series.step_s, c.series.t[c.series.n - 1] - c.series.t[0]));
    const char *ws_basis = "unknown";
    c.working_set_bytes = working_set(snapshot, &ws_basis);
    json_t *out = json_object();
    json_object_set_new(out, "phase", json_string("OPTIMIZE"));
    json_object_set_new(out, "agent", json_string("ai_tuning"));
    if (progress && progress(arg, "workload", 1, 5))
        goto cancelled_out;
    json_object_set_new(out, "workload_analysis", ai_workload(&c));
    if (progress && progress(arg, "ml_insights", 2, 5))
        goto cancelled_out;
    json_t *ml = ai_ml(&c);
    if (progress && progress(arg, "predictions", 3, 5)) {
        json_decref(ml);
        goto cancelled_out;
    }
    json_object_set_new(out, "predictions", ai_predictions(&c));
    json_t *cost = NULL;
    json_object_set_new(out, "cloud_native", ai_cloud(&c, &cost));
    json_object_set_new(out, "ml_insights", ml);
    json_object_set_new(out, "cost_optimization", cost);
    json_t *ev = json_object();
    const ai_series_t *s = &c.series;
    char a[32] = "", b[32] = "";
    if (s->n) {
        ai_format_time(s->t[0], a, sizeof a);
        ai_format_time(s->t[s->n - 1], b, sizeof b);
    }
    json_object_set_new(ev, "history",
                        json_pack("{s:I, s:o, s:o, s:f, s:I, s:I, s:I, s:I, s:I}", "entries",
                                  (json_int_t)s->n, "from", s->n ? json_string(a) : json_null(),
                                  "to", s->n ? json_string(b) : json_null(), "step_s", s->step_s,
                                  "entries_with_statements", (json_int_t)s->stmt_entries,
                                  "statements_tracked", (json_int_t)s->nst, "gaps",
                                  (json_int_t)s->gaps, "resets", (json_int_t)s->resets,
                                  "intervals_dropped", (json_int_t)s->invalid));
    json_object_set_new(
        ev, "working_set",
        json_pack("{s:o, s:s}", "bytes",
                  isfinite(c.working_set_bytes) ? json_real(c.working_set_bytes) : json_null(),
                  "basis", ws_basis));
    json_object_set_new(json_object_get(ev, "history"), "compressed_time_scale",
                        json_boolean(compressed));
    json_object_set_new(json_object_get(ev, "history"), "restarts",
                        s->restarts ? json_incref(s->restarts) : json_array());
    const json_t *mh = json_object_get(json_object_get(snapshot, "meta"), "history");
    if (mh)
        json_object_set_new(ev, "history_source", json_deep_copy(mh));
    json_object_set_new(out, "evidence", ev);
    json_object_set_new(out, "notes", c.notes);
    ai_series_free(&c.series);
    if (progress)
        progress(arg, "done", 5, 5);
    *result = out;
    return 0;
cancelled_out:
    json_decref(out);
cancelled:
    ai_series_free(&c.series);
    json_decref(c.notes);
    return err_set(err, "cancelled");
}
