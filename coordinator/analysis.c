/* analysis.c - see analysis.h. */
#include "coordinator/analysis.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/escape.h"
#include "common/jsonout.h"
#include "common/log.h"
#include "common/outfile.h"
#include "coordinator/collect/pgbouncer_ini.h"
#include "coordinator/collect/redact.h"
#include "coordinator/fleet/embedded.h"
#include "coordinator/history/applied.h"
#include "coordinator/history/history.h"
#include "coordinator/report/progress.h"
#include "coordinator/report/report.h"
#include "proto/codec.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

void analysis_opts_init(analysis_opts_t *o)
{
    memset(o, 0, sizeof *o);
    fleet_opts_init(&o->fleet);
    collect_opts_init(&o->collect);
    o->worker_jobs = 2;
}

/* The JSON document to path (NULL or "-": standard output). Returns -1
 * after printing why on standard error. */
static int write_output(const char *path, const json_t *doc)
{
    err_t err;
    if (!path || strcmp(path, "-") == 0) {
        if (jsonout_file(stdout, doc, JSONOUT_PRETTY, &err) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "pgopt-coordinator: writing standard output: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        return 0;
    }
    /* common/outfile: a file is replaced atomically (mode 0600), a device or
     * FIFO written in place, a directory refused. */
    outfile_t *f;
    if (outfile_open(path, &f, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    if (jsonout_file(outfile_stream(f), doc, JSONOUT_PRETTY, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: writing %s: %s\n", ESC_LINE(outfile_path(f)),
                ESC_LINE(err.msg));
        outfile_destroy(&f);
        return -1;
    }
    if (outfile_commit(&f, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

/* The user's analysis choices travel inside the snapshot, so remote
 * workers see them too: snapshot.options (index_budget_bytes, verify,
 * index_offline and rewriter_offline; docs/SNAPSHOT.md),
 * sqlalchemy.app_processes and the pgbouncer section. -1 when the
 * pgbouncer.ini cannot be read. */
static int apply_user_options(const analysis_opts_t *o, json_t *snap, err_t *err)
{
    json_t *options = json_object_get(snap, "options");
    if (!json_is_object(options)) {
        options = json_object();
        json_object_set_new(snap, "options", options);
    }
    if (o->index_budget > 0)
        json_object_set_new(options, "index_budget_bytes", json_integer(o->index_budget));
    if (o->verify)
        json_object_set_new(options, "verify", json_true());
    if (o->offline) {
        json_object_set_new(options, "index_offline", json_true());
        json_object_set_new(options, "rewriter_offline", json_true());
    }
    if (o->app_processes > 0) {
        json_t *sqla = json_object_get(snap, "sqlalchemy");
        if (!json_is_object(sqla)) {
            sqla = json_object();
            json_object_set_new(snap, "sqlalchemy", sqla);
        }
        json_object_set_new(sqla, "app_processes", json_integer(o->app_processes));
    }
    if (o->pgbouncer_ini) {
        json_t *pgb = NULL;
        if (pgbouncer_ini_read(o->pgbouncer_ini, &pgb, err) != 0)
            return err_prefix(err, "--pgbouncer-ini: ");
        json_object_set_new(snap, "pgbouncer", pgb);
    }
    return 0;
}

/* A saved snapshot, redacted like a collected one (an older pgopt's, or
 * made by hand, may hold secrets): coordinator/collect/redact.h. NULL with
 * err on failure. */
static json_t *read_saved(const char *path, err_t *err)
{
    json_t *snap = NULL;
    if (snapshot_read_file(path, &snap, err) != 0)
        return NULL;
    redact_stats_t rs;
    redact_snapshot(snap, &rs);
    json_t *meta = json_object_get(snap, "meta");
    if (rs.literals && json_is_object(meta)) {
        char msg[400];
        redact_note(&rs, msg, sizeof msg);
        json_t *notes = json_object_get(meta, "notes");
        if (!json_is_array(notes)) {
            notes = json_array();
            json_object_set_new(meta, "notes", notes);
        }
        json_array_append_new(notes, json_string(msg));
    }
    return snap;
}

/* The snapshot to analyse: read or collected, then the history (--store)
 * and live samples attached, then saved (--save-snapshot). NULL with err
 * on failure. */
static json_t *obtain_snapshot(const analysis_opts_t *o, err_t *err)
{
    json_t *snap = NULL;
    if (o->snapshot_path) {
        if (!(snap = read_saved(o->snapshot_path, err)))
            return NULL;
    } else {
        collect_opts_t c = o->collect;
        c.conninfo = o->dsn;
        /* Workers reach the database for what-if analysis through
         * target.dsn (never with a password). It is sent to workers on
         * other hosts only over CURVE; in plaintext it stays on this
         * machine (withhold_target). */
        c.include_target_dsn = 1;
        if (collect_snapshot(&c, &snap, err) != 0)
            return NULL;
        if (snapshot_validate(snap, err) != 0) {
            /* The collector produced something the model rejects: a bug. */
            err_prefix(err, "collected snapshot is invalid: ");
            json_decref(snap);
            return NULL;
        }
    }
    if (o->store && history_attach(snap, o->store, err) != 0) {
        err_prefix(err, "--store: ");
        json_decref(snap);
        return NULL;
    }
    if (o->samples >= 2) {
        collect_opts_t sc = o->collect;
        sc.conninfo = o->dsn;
        sc.include_target_dsn = 1;
        if (history_sample_live(&sc, o->samples, o->interval_s ? o->interval_s : 10, snap, err) !=
            0) {
            err_prefix(err, "--samples: ");
            json_decref(snap);
            return NULL;
        }
    }
    if (o->save_snapshot && snapshot_write_file(o->save_snapshot, snap, err) != 0) {
        err_prefix(err, "--save-snapshot: ");
        json_decref(snap);
        return NULL;
    }
    return snap;
}

/* target.dsn leaves this machine only over CURVE: without it the snapshot
 * loses its target and says so in meta.notes. */
static void withhold_target(json_t *snap, const fleet_t *fleet)
{
    if (!json_object_get(snap, "target") || fleet_is_secure(fleet))
        return;
    json_object_del(snap, "target");
    json_t *notes = json_object_get(json_object_get(snap, "meta"), "notes");
    if (json_is_array(notes))
        json_array_append_new(notes, json_string("target DSN withheld: workers on other hosts "
                                                 "are reached without encryption, so what-if "
                                                 "analysis on the database is not possible"));
    log_warn("target DSN withheld from remote workers (plaintext tcp)", NULL);
}

typedef struct {
    progress_t *progress;
    int finished, total;
} fleet_progress_t;

/* fleet_opts_t.on_progress: one progress line for all agents. */
static void on_fleet_progress(void *arg, const char *agent, const char *stage, int64_t done,
                              int64_t total, const char *status)
{
    fleet_progress_t *fp = arg;
    if (status)
        fp->finished++;
    progress_step(fp->progress, "waiting for agents", fp->finished, fp->total);
    progress_task(fp->progress, agent, stage, done, total, status);
}

/* phase3_output in the chosen format, to the output or standard output.
 * Returns -1 after printing why on standard error. */
static int write_report(const analysis_opts_t *o, const json_t *out, const json_t *summary,
                        int64_t total_ms, int64_t collect_ms)
{
    err_t err;
    report_format_t fmt;
    if (o->format)
        report_format_parse(o->format, &fmt, &err);
    else
        fmt = report_format_default(o->output, isatty(STDOUT_FILENO));
    if (fmt == REPORT_JSON)
        return write_output(o->output, out);
    report_opts_t ro;
    report_opts_init(&ro);
    ro.snapshot_summary = summary;
    ro.source = o->snapshot_path ? o->snapshot_path : "--dsn (live collection)";
    ro.total_ms = total_ms;
    ro.collect_ms = collect_ms;
    int to_stdout = !o->output || !strcmp(o->output, "-");
    ro.color = to_stdout && report_color_wanted(stdout);
    if (report_write_path(out, fmt, o->output, &ro, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

/* The fleet for these options: CURVE keys, the endpoints given and those
 * of workers_list. NULL with err on failure; *usage is set when the options
 * themselves were wrong (EXIT_USAGE). */
static fleet_t *make_fleet(const analysis_opts_t *o, const fleet_opts_t *fo, int *usage, err_t *err)
{
    fleet_opts_t f = *fo;
    if ((o->curve_secret && *o->curve_secret) || (o->curve_server && *o->curve_server)) {
        if (fleet_opts_load_curve(&f, o->curve_secret, o->curve_server, err) != 0) {
            *usage = 1;
            err_prefix(err, "CURVE keys: ");
            return NULL;
        }
    }
    fleet_t *fleet = fleet_new(&f);
    if (!fleet) {
        err_set(err, "creating the ZeroMQ context: %s", strerror(errno));
        return NULL;
    }
    for (int i = 0; i < o->nworkers; i++)
        if (fleet_add_endpoint(fleet, o->workers[i]) < 0) {
            *usage = 1;
            err_set(err, "--worker: %s", fleet_error(fleet));
            fleet_destroy(&fleet);
            return NULL;
        }
    if (o->workers_list && *o->workers_list &&
        fleet_add_endpoint_list(fleet, o->workers_list) < 0) {
        *usage = 1;
        err_set(err, "PGOPT_WORKERS: %s", fleet_error(fleet));
        fleet_destroy(&fleet);
        return NULL;
    }
    return fleet;
}

/* The snapshot encoded once into body (every worker gets a reference to
 * the same bytes). -1 with err on failure. */
static int encode_snapshot(const json_t *snap, zmq_msg_t *body, err_t *err)
{
    char *buf = NULL;
    size_t len = 0;
    if (codec_encode(snap, &buf, &len, err) != 0 ||
        transport_body_from_buffer(body, buf, len, err) != 0)
        return err_prefix(err, "encoding the snapshot: ");
    return 0;
}

/* Local workers for the agents, their endpoints added to the fleet. NULL
 * with err on failure. */
static embedded_t *start_local(const analysis_opts_t *o, const char *const *agents, int nagents,
                               fleet_t *fleet, err_t *err)
{
    embedded_t *local = embedded_start(agents, nagents, o->worker_jobs,
                                       o->worker_log_level ? o->worker_log_level : "warn", err);
    if (!local) {
        err_prefix(err, "starting local workers: ");
        return NULL;
    }
    for (int i = 0; i < embedded_count(local); i++)
        if (fleet_add_endpoint(fleet, embedded_endpoint(local, i)) < 0) {
            err_set(err, "%s", fleet_error(fleet));
            embedded_stop(&local);
            return NULL;
        }
    return local;
}

int analysis_run(const analysis_opts_t *opts, json_t **result, err_t *err)
{
    if (result)
        *result = NULL;
    err_clear(err);
    const char *agents[AGENT_COUNT];
    int nagents = opts->nagents;
    for (int a = 0; a < nagents; a++)
        agents[a] = opts->agents[a];
    if (nagents == 0)
        for (int a = 0; a < AGENT_COUNT; a++)
            agents[nagents++] = AGENT_NAMES[a];

    int status = EXIT_ERROR, usage = 0;
    progress_t *progress = progress_new(progress_wanted(opts->quiet));
    fleet_progress_t fp = {progress, 0, nagents};
    fleet_opts_t fo = opts->fleet;
    fo.on_progress = on_fleet_progress;
    fo.on_progress_arg = &fp;
    int distributed = opts->nworkers > 0 || (opts->workers_list && *opts->workers_list);
    fleet_opts_t defaults;
    fleet_opts_init(&defaults);
    if (!distributed && fo.discover_ms == defaults.discover_ms)
        fo.discover_ms = 10000; /* local workers need a moment to bind; PONGs end it early */
    json_t *summary = NULL, *snap = NULL, *kept = NULL;
    int64_t collect_ms = -1;
    embedded_t *local = NULL;
    zmq_msg_t body;
    zmq_msg_init(&body);

    fleet_t *fleet = make_fleet(opts, &fo, &usage, err);
    if (!fleet)
        goto done;
    progress_step(progress, opts->snapshot_path ? "reading the snapshot" : "collecting", 0, 0);
    snap = obtain_snapshot(opts, err);
    if (!opts->snapshot_path)
        collect_ms = progress_elapsed_ms(progress);
    progress_done(progress, NULL);
    if (!snap)
        goto done;
    summary = report_snapshot_summary(snap);
    if (apply_user_options(opts, snap, err) != 0)
        goto done;
    withhold_target(snap, fleet);
    if (encode_snapshot(snap, &body, err) != 0)
        goto done;
    /* --store verifies the previous result against this snapshot's
     * history after the agents answer: keep only what that needs. */
    if (opts->store)
        kept = json_pack("{s:{s:O?, s:O?}, s:O?}", "meta", "system_identifier",
                         json_object_get(json_object_get(snap, "meta"), "system_identifier"),
                         "database", json_object_get(json_object_get(snap, "meta"), "database"),
                         "history", json_object_get(snap, "history"));
    json_decref(snap);
    snap = NULL;
    if (!distributed && !(local = start_local(opts, agents, nagents, fleet, err)))
        goto done;

    agent_outcome_t outcomes[AGENT_COUNT];
    if (fleet_run(fleet, agents, nagents, &body, outcomes) != 0) {
        err_set(err, "%s", fleet_error(fleet));
        fleet_outcomes_clear(outcomes, nagents);
        goto done;
    }
    for (int k = 0; local && k < nagents; k++) {
        const char *why = embedded_missing(local, outcomes[k].agent);
        if (outcomes[k].status == AGENT_UNAVAILABLE && why)
            snprintf(outcomes[k].error, sizeof outcomes[k].error, "no local worker: %s", why);
    }
    json_t *out = phase3_assemble(outcomes, nagents);
    status = phase3_exit_status(outcomes, nagents);
    /* With --store: check the previous result's advice against the history
     * and keep this result for the next run (coordinator/history/applied.h). */
    if (opts->store) {
        err_t verr;
        if (applied_with_store(out, kept, opts->store, &verr) != 0)
            fprintf(stderr, "pgopt-coordinator: --store: %s\n", ESC_LINE(verr.msg));
    }
    fleet_outcomes_clear(outcomes, nagents);
    progress_done(progress, NULL);
    if (write_report(opts, out, summary, progress_elapsed_ms(progress), collect_ms) != 0)
        status = EXIT_ERROR;
    if (result)
        *result = out;
    else
        json_decref(out);
    for (int k = 0; k < nagents; k++)
        if (outcomes[k].status != AGENT_OK)
            fprintf(stderr, "pgopt-coordinator: %s: %s: %s\n", outcomes[k].agent,
                    agent_status_name(outcomes[k].status), ESC_LINE(outcomes[k].error));

done:
    if (usage)
        status = EXIT_USAGE;
    json_decref(kept);
    progress_destroy(&progress);
    json_decref(summary);
    json_decref(snap);
    fleet_destroy(&fleet);
    embedded_stop(&local);
    zmq_msg_close(&body);
    return status;
}
