/* test_pgtune.c - workers/config_tuner/pgtune against PGTune's published
 * algorithm.
 *
 * The expected values come from an independent transcription of
 * le0pard/pgtune src/features/configuration/configurationSlice.js (commit
 * 01bb6447113831159c5f14fafe11f59cf2ba0964, Linux branch), written here in
 * integer arithmetic (floor(floor(a/b)/n) == a/(b*n) for positive integers),
 * not copied from the implementation. A dozen literal rows were computed by
 * hand (and three come from pgtune's own jest tests), so a shared mistake
 * in both transcriptions still fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workers/config_tuner/pgtune.h"

#define KB_MB 1024LL
#define KB_GB (1024LL * 1024LL)

typedef struct {
    int64_t sb, ecs, mwm, wm, walbuf, minwal, maxwal, avwm;
    int stats, mwp, pgather, mpw, pmaint, avworkers, has_parallel, eic;
    double rpc;
    const char *huge;
} expect_t;

/* The independent transcription. */
static expect_t transcribe(pgtune_profile_t prof, int64_t mem, int cpus, int conns,
                           pgtune_storage_t st)
{
    expect_t e;
    memset(&e, 0, sizeof e);
    int desktop = prof == PGTUNE_DESKTOP, dw = prof == PGTUNE_DW;
    if (conns == 0) /* selectMaxConnections defaults */
        conns = prof == PGTUNE_WEB ? 200 : prof == PGTUNE_OLTP ? 300 : dw ? 40 : desktop ? 20 : 100;
    e.sb = desktop ? mem / 16 : mem / 4;
    e.ecs = desktop ? mem / 4 : mem * 3 / 4;
    e.mwm = dw ? mem / 8 : mem / 16;
    if (e.mwm > 8 * KB_GB)
        e.mwm = 8 * KB_GB;
    e.huge = e.sb >= 2 * KB_GB ? "try" : "off";
    e.walbuf = 3 * e.sb / 100;
    if (e.walbuf > 16 * KB_MB)
        e.walbuf = 16 * KB_MB;
    if (e.walbuf > 14 * KB_MB && e.walbuf < 16 * KB_MB)
        e.walbuf = 16 * KB_MB;
    if (e.walbuf < 32)
        e.walbuf = 32;
    static const int64_t minw[] = {1024, 2048, 4096, 100, 1024};
    static const int64_t maxw[] = {4096, 8192, 16384, 2048, 4096};
    e.minwal = minw[prof] * KB_MB;
    e.maxwal = maxw[prof] * KB_MB;
    e.stats = dw ? 500 : 100;
    e.has_parallel = cpus >= 4;
    int workers = 8;
    if (e.has_parallel) {
        int half = cpus / 2 + cpus % 2;
        e.mwp = cpus;
        e.mpw = cpus;
        e.pgather = (!dw && half > 4) ? 4 : half;
        e.pmaint = half > 4 ? 4 : half;
        workers = cpus;
    }
    int64_t num = mem - e.sb, den = (int64_t)(conns + workers) * 3;
    int divisor = (dw || prof == PGTUNE_MIXED) ? 2 : desktop ? 6 : 1;
    e.wm = num / (den * divisor);
    if (e.wm < 4 * KB_MB)
        e.wm = 4 * KB_MB;
    e.avworkers = cpus >= 32 ? 5 : cpus >= 16 ? 4 : 0;
    e.avwm = e.mwm >= 2 * KB_GB ? 2 * KB_GB : 0;
    switch (st) {
    case PGTUNE_HDD:
        e.rpc = 4, e.eic = 2;
        break;
    case PGTUNE_SSD:
        e.rpc = 1.1, e.eic = 200;
        break;
    case PGTUNE_SAN:
        e.rpc = 1.1, e.eic = 300;
        break;
    case PGTUNE_NVME:
        e.rpc = 1.1, e.eic = 1000;
        break;
    default:
        break;
    }
    return e;
}

static pgtune_result_t compute(pgtune_profile_t prof, int64_t mem, int cpus, int conns,
                               pgtune_storage_t st)
{
    pgtune_input_t in = {.profile = prof,
                         .memory_kb = mem,
                         .cpus = cpus,
                         .max_connections = conns,
                         .storage = st,
                         .pg_major = 15};
    pgtune_result_t r;
    err_t err;
    if (pgtune_compute(&in, &r, &err) != 0)
        fail_msg("pgtune_compute failed: %s", err.msg);
    return r;
}

#define CHECK(what, got, want)                                                                     \
    do {                                                                                           \
        if ((int64_t)(got) != (int64_t)(want))                                                     \
            fail_msg("%s: %s = %lld, want %lld (RAM %lld kB, %d CPUs, %s, %s, conns %d)", ctx,     \
                     what, (long long)(got), (long long)(want), (long long)mem, cpus,              \
                     pgtune_profile_name(prof), pgtune_storage_name(st), conns);                   \
    } while (0)

static void compare(const char *ctx, pgtune_profile_t prof, int64_t mem, int cpus, int conns,
                    pgtune_storage_t st)
{
    expect_t e = transcribe(prof, mem, cpus, conns, st);
    pgtune_result_t r = compute(prof, mem, cpus, conns, st);
    CHECK("shared_buffers", r.shared_buffers_kb, e.sb);
    CHECK("effective_cache_size", r.effective_cache_size_kb, e.ecs);
    CHECK("maintenance_work_mem", r.maintenance_work_mem_kb, e.mwm);
    CHECK("work_mem", r.work_mem_kb, e.wm);
    CHECK("wal_buffers", r.wal_buffers_kb, e.walbuf);
    CHECK("min_wal_size", r.min_wal_size_kb, e.minwal);
    CHECK("max_wal_size", r.max_wal_size_kb, e.maxwal);
    CHECK("default_statistics_target", r.default_statistics_target, e.stats);
    CHECK("has_parallel", r.has_parallel, e.has_parallel);
    if (e.has_parallel) {
        CHECK("max_worker_processes", r.max_worker_processes, e.mwp);
        CHECK("max_parallel_workers_per_gather", r.max_parallel_workers_per_gather, e.pgather);
        CHECK("max_parallel_workers", r.max_parallel_workers, e.mpw);
        CHECK("max_parallel_maintenance_workers", r.max_parallel_maintenance_workers, e.pmaint);
    }
    CHECK("autovacuum_max_workers", r.autovacuum_max_workers, e.avworkers);
    CHECK("autovacuum_work_mem", r.autovacuum_work_mem_kb, e.avwm);
    CHECK("effective_io_concurrency", r.effective_io_concurrency, e.eic);
    CHECK("random_page_cost x10", (int64_t)(r.random_page_cost * 10 + 0.5),
          (int64_t)(e.rpc * 10 + 0.5));
    if (strcmp(r.huge_pages, e.huge) != 0)
        fail_msg("%s: huge_pages %s, want %s", ctx, r.huge_pages, e.huge);
    CHECK("checkpoint_completion_target x10", (int64_t)(r.checkpoint_completion_target * 10 + 0.5),
          9);
    /* selectJit: off for web, oltp, mixed on PG12+; selectWalCompression: lz4 on PG15+. */
    int want_jit_off = prof == PGTUNE_WEB || prof == PGTUNE_OLTP || prof == PGTUNE_MIXED;
    CHECK("jit off", r.jit != NULL && strcmp(r.jit, "off") == 0, want_jit_off);
    if (!r.wal_compression || strcmp(r.wal_compression, "lz4") != 0)
        fail_msg("%s: wal_compression should be lz4 on PostgreSQL 15", ctx);
}

static void test_grid(void **state)
{
    (void)state;
    static const int64_t ram_gb[] = {1, 2, 4, 8, 16, 32, 64, 256};
    static const int cpus[] = {1, 2, 4, 8, 16, 32};
    static const pgtune_storage_t storage[] = {PGTUNE_HDD, PGTUNE_SSD, PGTUNE_SAN};
    static const pgtune_profile_t profiles[] = {PGTUNE_WEB, PGTUNE_OLTP, PGTUNE_DW, PGTUNE_DESKTOP,
                                                PGTUNE_MIXED};
    static const int conns[] = {0, 100, 500};
    int n = 0;
    for (size_t a = 0; a < 8; a++)
        for (size_t b = 0; b < 6; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t d = 0; d < 5; d++)
                    for (size_t k = 0; k < 3; k++) {
                        compare("grid", profiles[d], ram_gb[a] * KB_GB, cpus[b], conns[k],
                                storage[c]);
                        n++;
                    }
    assert_int_equal(n, 8 * 6 * 3 * 5 * 3);
}

typedef struct {
    const char *what;
    pgtune_profile_t prof;
    int64_t mem_kb;
    int cpus, conns;
    pgtune_storage_t st;
    int64_t sb, ecs, mwm, wm, walbuf;
    int pgather, avworkers;
    int64_t avwm;
    int eic;
} literal_t;

/* Computed by hand from the formulas (arithmetic in the comments). */
static const literal_t literals[] = {
    /* 16GB web: (16777216-4194304)/((100+4)*3) = 12582912/312 = 40329.8 */
    {"16GB web 4cpu", PGTUNE_WEB, 16 * KB_GB, 4, 100, PGTUNE_SSD, 4194304, 12582912, 1048576, 40329,
     16384, 2, 0, 0, 200},
    /* 2GB web: wal 3% of 524288 = 15728 > 14MB -> 16MB; 1572864/324 = 4854.5 */
    {"2GB web 1cpu", PGTUNE_WEB, 2 * KB_GB, 1, 100, PGTUNE_SSD, 524288, 1572864, 131072, 4854,
     16384, 0, 0, 0, 200},
    /* 1GB dw: 786432/144 = 5461.3, /2 = 2730 -> floor 4MB; wal 7864 */
    {"1GB dw 2cpu", PGTUNE_DW, 1 * KB_GB, 2, 40, PGTUNE_HDD, 262144, 786432, 131072, 4096, 7864, 0,
     0, 0, 2},
    /* 64GB oltp: 50331648/948 = 53092.4; mwm 4GB >= 2GB -> autovacuum_work_mem 2GB */
    {"64GB oltp 16cpu", PGTUNE_OLTP, 64 * KB_GB, 16, 300, PGTUNE_SAN, 16777216, 50331648, 4194304,
     53092, 16384, 4, 4, 2097152, 300},
    /* 256GB dw: mwm 32GB capped 8GB; 201326592/216 = 932067.5, /2 = 466033 */
    {"256GB dw 32cpu", PGTUNE_DW, 256 * KB_GB, 32, 40, PGTUNE_SSD, 67108864, 201326592, 8388608,
     466033, 16384, 16, 5, 2097152, 200},
    /* 8GB desktop: sb RAM/16, ecs RAM/4; 7864320/84 = 93622.8, /6 = 15603 */
    {"8GB desktop 8cpu", PGTUNE_DESKTOP, 8 * KB_GB, 8, 20, PGTUNE_SSD, 524288, 2097152, 524288,
     15603, 16384, 4, 0, 0, 200},
    /* pgtune jest: 4GB web, 9999 connections, 4 CPUs -> work_mem floors at 4096 */
    {"4GB web 9999 conns", PGTUNE_WEB, 4 * KB_GB, 4, 9999, PGTUNE_SSD, 1048576, 3145728, 262144,
     4096, 16384, 2, 0, 0, 200},
    /* 32GB mixed: 25165824/324 = 77672.3, /2 = 38836; mwm exactly 2GB -> avwm 2GB */
    {"32GB mixed 8cpu", PGTUNE_MIXED, 32 * KB_GB, 8, 100, PGTUNE_HDD, 8388608, 25165824, 2097152,
     38836, 16384, 4, 0, 2097152, 2},
    /* pgtune jest: 256GB web -> maintenance_work_mem 8388608;
     * 201326592/612 = 328965.0 */
    {"256GB web 4cpu", PGTUNE_WEB, 256 * KB_GB, 4, 200, PGTUNE_SSD, 67108864, 201326592, 8388608,
     328965, 16384, 2, 0, 2097152, 200},
    /* pgtune jest: 256GB web, 20 conns, 4 CPUs -> 2796202 (201326592/72) */
    {"256GB web 20 conns", PGTUNE_WEB, 256 * KB_GB, 4, 20, PGTUNE_SSD, 67108864, 201326592, 8388608,
     2796202, 16384, 2, 0, 2097152, 200},
    /* 1GB web hdd: 786432/324 = 2427 -> 4096 */
    {"1GB web hdd", PGTUNE_WEB, 1 * KB_GB, 1, 100, PGTUNE_HDD, 262144, 786432, 65536, 4096, 7864, 0,
     0, 0, 2},
    /* nvme: effective_io_concurrency 1000; 8GB oltp default 300 conns + 8 workers:
     * 6291456/924 = 6808.9 */
    {"8GB oltp nvme", PGTUNE_OLTP, 8 * KB_GB, 8, 0, PGTUNE_NVME, 2097152, 6291456, 524288, 6808,
     16384, 4, 0, 0, 1000},
};

static void test_literal_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++) {
        const literal_t *l = &literals[i];
        pgtune_result_t r = compute(l->prof, l->mem_kb, l->cpus, l->conns, l->st);
        const char *ctx = l->what;
        int64_t mem = l->mem_kb;
        int cpus = l->cpus, conns = l->conns;
        pgtune_profile_t prof = l->prof;
        pgtune_storage_t st = l->st;
        CHECK("shared_buffers", r.shared_buffers_kb, l->sb);
        CHECK("effective_cache_size", r.effective_cache_size_kb, l->ecs);
        CHECK("maintenance_work_mem", r.maintenance_work_mem_kb, l->mwm);
        CHECK("work_mem", r.work_mem_kb, l->wm);
        CHECK("wal_buffers", r.wal_buffers_kb, l->walbuf);
        CHECK("max_parallel_workers_per_gather",
              r.has_parallel ? r.max_parallel_workers_per_gather : 0, l->pgather);
        CHECK("autovacuum_max_workers", r.autovacuum_max_workers, l->avworkers);
        CHECK("autovacuum_work_mem", r.autovacuum_work_mem_kb, l->avwm);
        CHECK("effective_io_concurrency", r.effective_io_concurrency, l->eic);
        /* The literal rows also check the transcription. */
        compare(ctx, prof, mem, cpus, conns, st);
    }
}

static void test_formatting_and_names(void **state)
{
    (void)state;
    char buf[32];
    pgtune_format_kb(4194304, buf, sizeof buf);
    assert_string_equal(buf, "4GB");
    pgtune_format_kb(524288, buf, sizeof buf);
    assert_string_equal(buf, "512MB");
    pgtune_format_kb(40329, buf, sizeof buf);
    assert_string_equal(buf, "40329kB");
    pgtune_format_kb(1572864, buf, sizeof buf);
    assert_string_equal(buf, "1536MB");
    pgtune_profile_t p;
    assert_int_equal(pgtune_profile_parse("DW", &p), 0);
    assert_int_equal(p, PGTUNE_DW);
    assert_int_equal(pgtune_profile_parse("olap", &p), -1);
    pgtune_storage_t s;
    assert_int_equal(pgtune_storage_parse("network", &s), 0);
    assert_int_equal(s, PGTUNE_SAN);
    assert_int_equal(pgtune_storage_parse("floppy", &s), -1);
    assert_int_equal(pgtune_default_connections(PGTUNE_OLTP), 300);
}

static void test_bad_input(void **state)
{
    (void)state;
    pgtune_input_t in = {.profile = PGTUNE_WEB, .memory_kb = 0, .cpus = 4};
    pgtune_result_t r;
    err_t err;
    assert_int_equal(pgtune_compute(&in, &r, &err), -1);
    assert_non_null(strstr(err.msg, "memory"));
    in.memory_kb = 1024;
    in.cpus = -1;
    assert_int_equal(pgtune_compute(&in, &r, &err), -1);
    in.cpus = 1;
    in.profile = (pgtune_profile_t)42;
    assert_int_equal(pgtune_compute(&in, &r, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_literal_rows),
        cmocka_unit_test(test_formatting_and_names),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
