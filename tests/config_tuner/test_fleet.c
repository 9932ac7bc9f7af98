/* test_fleet.c - pgopt-config-tuner as a worker process: the coordinator
 * (pgopt-coordinator --snapshot, embedded fleet) starts the executable,
 * ships the snapshot as msgpack, and the answer that comes back equals the
 * library's answer on the same snapshot (msgpack keeps every type and
 * bit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/snapshot.h"
#include "workers/config_tuner/config_tuner.h"

static const char *snapshot_text =
    "{\"meta\": {\"format_version\": 1, \"collected_at\": \"2026-11-26T12:00:00Z\","
    " \"server_version_num\": 150018, \"database\": \"app\","
    " \"stats_reset\": {\"database\": \"2026-11-26T10:00:00Z\"}},"
    " \"host\": {\"cpus\": 8, \"memory_bytes\": 34359738368, \"storage\": \"nvme\","
    "  \"sources\": {\"cpus\": \"flag\", \"memory_bytes\": \"flag\", \"storage\": \"flag\"}},"
    " \"settings\": ["
    "  {\"name\": \"shared_buffers\", \"setting\": \"16384\", \"unit\": \"8kB\","
    "   \"vartype\": \"integer\", \"source\": \"default\", \"context\": \"postmaster\"},"
    "  {\"name\": \"work_mem\", \"setting\": \"4096\", \"unit\": \"kB\","
    "   \"vartype\": \"integer\", \"source\": \"default\", \"context\": \"user\"},"
    "  {\"name\": \"max_connections\", \"setting\": \"200\", \"unit\": null,"
    "   \"vartype\": \"integer\", \"source\": \"configuration file\", \"context\": \"postmaster\"},"
    "  {\"name\": \"max_wal_size\", \"setting\": \"1024\", \"unit\": \"MB\","
    "   \"vartype\": \"integer\", \"source\": \"default\", \"context\": \"sighup\"}],"
    " \"bgwriter\": {\"checkpoints_timed\": 20, \"checkpoints_req\": 30,"
    "  \"seconds_since_reset\": 7200.0, \"wal\": {\"wal_records\": 1000000,"
    "  \"wal_fpi\": 100000, \"wal_bytes\": 4294967296}},"
    " \"tables\": [{\"schema\": \"public\", \"name\": \"orders\", \"reltuples\": 3000000.0,"
    "  \"n_live_tup\": 3000000, \"n_dead_tup\": 400000, \"n_tup_upd\": 500000,"
    "  \"n_tup_del\": 1000, \"reloptions\": null}],"
    " \"statements\": [{\"queryid\": 99, \"query\": \"SELECT * FROM orders ORDER BY total\","
    "  \"calls\": 1000, \"total_exec_time\": 30000.0, \"mean_exec_time\": 30.0,"
    "  \"temp_blks_written\": 2560000, \"shared_blks_hit\": 100, \"shared_blks_read\": 0}]}";

static void test_worker_answer_equals_library(void **state)
{
    (void)state;
    const char *bin = getenv("PGOPT_BIN_DIR");
    assert_non_null(bin);
    char coordinator[1024];
    snprintf(coordinator, sizeof coordinator, "%s/pgopt-coordinator", bin);
    if (access(coordinator, X_OK) != 0)
        fail_msg("%s not built (build the pgopt-coordinator target)", coordinator);

    char dir[] = "/tmp/pgopt-ct-fleet-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char snap_path[256], out_path[256];
    snprintf(snap_path, sizeof snap_path, "%s/snapshot.json", dir);
    snprintf(out_path, sizeof out_path, "%s/out.json", dir);
    json_t *snap = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json(snapshot_text, strlen(snapshot_text), &snap, &err) != 0)
        fail_msg("test snapshot: %s", err.msg);
    if (snapshot_write_file(snap_path, snap, &err) != 0)
        fail_msg("writing %s: %s", snap_path, err.msg);

    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "PGOPT_WORKER_DIR='%s' '%s' --snapshot '%s' --agents config_tuner -t 60s -o '%s' "
             ">'%s/stderr' 2>&1",
             bin, coordinator, snap_path, out_path, dir);
    int rc = system(cmd);
    json_error_t je;
    json_t *phase3 = json_load_file(out_path, 0, &je);
    if (rc != 0 || !phase3)
        fail_msg("coordinator exit %d, output %s (see %s/stderr)", rc, phase3 ? "ok" : je.text,
                 dir);
    json_t *fleet = json_object_get(json_object_get(phase3, "fleet"), "config_tuner");
    assert_string_equal(json_string_value(json_object_get(fleet, "status")), "ok");
    json_t *remote = json_object_get(phase3, "config_tuner");

    json_t *read_back = NULL;
    if (snapshot_read_file(snap_path, &read_back, &err) != 0)
        fail_msg("reading back: %s", err.msg);
    json_t *local = NULL;
    if (config_tuner_analyze(read_back, NULL, NULL, NULL, &local, &err) != 0)
        fail_msg("library: %s", err.msg);
    if (!json_equal(remote, local)) {
        char *a = json_dumps(remote, JSON_SORT_KEYS), *b = json_dumps(local, JSON_SORT_KEYS);
        fprintf(stderr, "worker:  %.2000s\nlibrary: %.2000s\n", a, b);
        free(a);
        free(b);
        fail_msg("the worker's answer differs from the library's");
    }
    /* And it is the real analysis: the spill of queryid 99 sized work_mem. */
    json_t *wm = json_object_get(json_object_get(json_object_get(remote, "postgresql"), "memory"),
                                 "work_mem");
    assert_string_equal(json_string_value(json_object_get(wm, "method")), "measured");

    json_decref(local);
    json_decref(read_back);
    json_decref(phase3);
    json_decref(snap);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_answer_equals_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
