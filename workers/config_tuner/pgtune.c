/*
 * pgtune.c - see pgtune.h. Each function mirrors one selector of
 * le0pard/pgtune src/features/configuration/configurationSlice.js
 * (commit 01bb6447), Linux branch; the selector's name is given above it.
 */
#include "workers/config_tuner/pgtune.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KB_PER_MB 1024LL
#define KB_PER_GB (1024LL * 1024LL)

/* selectMaxConnections */
int pgtune_default_connections(pgtune_profile_t profile)
{
    switch (profile) {
    case PGTUNE_WEB:
        return 200;
    case PGTUNE_OLTP:
        return 300;
    case PGTUNE_DW:
        return 40;
    case PGTUNE_DESKTOP:
        return 20;
    case PGTUNE_MIXED:
        return 100;
    }
    return 200;
}

/* selectSharedBuffers: RAM/4, desktop RAM/16. */
static int64_t shared_buffers_kb(const pgtune_input_t *in)
{
    return in->profile == PGTUNE_DESKTOP ? in->memory_kb / 16 : in->memory_kb / 4;
}

/* selectEffectiveCacheSize: 3/4 RAM, desktop 1/4. */
static int64_t effective_cache_size_kb(const pgtune_input_t *in)
{
    return in->profile == PGTUNE_DESKTOP ? in->memory_kb / 4 : (in->memory_kb * 3) / 4;
}

/* selectMaintenanceWorkMem: RAM/16, dw RAM/8, capped at 8GB on Linux. */
static int64_t maintenance_work_mem_kb(const pgtune_input_t *in)
{
    int64_t v = in->profile == PGTUNE_DW ? in->memory_kb / 8 : in->memory_kb / 16;
    const int64_t limit = 8 * KB_PER_GB;
    if (v >= limit)
        v = limit;
    return v;
}

/* selectCheckpointSegments */
static void wal_sizes_kb(pgtune_profile_t p, int64_t *min_kb, int64_t *max_kb)
{
    static const int64_t min_mb[] = {[PGTUNE_WEB] = 1024,
                                     [PGTUNE_OLTP] = 2048,
                                     [PGTUNE_DW] = 4096,
                                     [PGTUNE_DESKTOP] = 100,
                                     [PGTUNE_MIXED] = 1024};
    static const int64_t max_mb[] = {[PGTUNE_WEB] = 4096,
                                     [PGTUNE_OLTP] = 8192,
                                     [PGTUNE_DW] = 16384,
                                     [PGTUNE_DESKTOP] = 2048,
                                     [PGTUNE_MIXED] = 4096};
    *min_kb = min_mb[p] * KB_PER_MB;
    *max_kb = max_mb[p] * KB_PER_MB;
}

/* selectWalBuffers: 3% of shared_buffers, at most 16MB, rounded up to 16MB
 * above 14MB, at least 32kB. */
static int64_t wal_buffers_kb(int64_t sb_kb)
{
    int64_t v = (int64_t)floor((3.0 * (double)sb_kb) / 100.0);
    const int64_t max = 16 * KB_PER_MB;
    if (v > max)
        v = max;
    const int64_t near = 14 * KB_PER_MB;
    if (v > near && v < max)
        v = max;
    if (v < 32)
        v = 32;
    return v;
}

/* selectParallelSettings */
static void parallel_settings(const pgtune_input_t *in, pgtune_result_t *out)
{
    out->has_parallel = 0;
    if (in->cpus < 4)
        return;
    out->has_parallel = 1;
    int per_gather = (in->cpus + 1) / 2; /* Math.ceil(cpuNum / 2) */
    if (in->profile != PGTUNE_DW && per_gather > 4)
        per_gather = 4;
    out->max_worker_processes = in->cpus;
    out->max_parallel_workers_per_gather = per_gather;
    out->max_parallel_workers = in->pg_major >= 10 ? in->cpus : 0;
    int maint = (in->cpus + 1) / 2;
    if (maint > 4)
        maint = 4;
    out->max_parallel_maintenance_workers = in->pg_major >= 11 ? maint : 0;
}

/* selectWorkMem: (RAM - shared_buffers) / ((max_connections +
 * max_worker_processes) * 3), where max_worker_processes is the parallel
 * setting (cpus) or the PostgreSQL default 8; dw and mixed halve it, desktop
 * divides by 6; floored at 4MB. */
static int64_t work_mem_kb(const pgtune_input_t *in, int64_t sb_kb, int connections, int workers)
{
    double v = (double)(in->memory_kb - sb_kb) / ((double)(connections + workers) * 3.0);
    int64_t r;
    switch (in->profile) {
    case PGTUNE_DW:
    case PGTUNE_MIXED:
        r = (int64_t)floor(v / 2.0);
        break;
    case PGTUNE_DESKTOP:
        r = (int64_t)floor(v / 6.0);
        break;
    default:
        r = (int64_t)floor(v);
        break;
    }
    const int64_t min = 4 * KB_PER_MB;
    if (r < min)
        r = min;
    return r;
}

int pgtune_compute(const pgtune_input_t *in, pgtune_result_t *out, err_t *err)
{
    if (!in || !out)
        return err_set(err, "pgtune_compute: missing input or output");
    if (in->memory_kb <= 0)
        return err_set(err, "pgtune_compute: memory must be positive (got %lld kB)",
                       (long long)in->memory_kb);
    if (in->cpus < 0)
        return err_set(err, "pgtune_compute: negative CPU count %d", in->cpus);
    if ((int)in->profile < PGTUNE_WEB || (int)in->profile > PGTUNE_MIXED)
        return err_set(err, "pgtune_compute: unknown profile %d", (int)in->profile);
    memset(out, 0, sizeof *out);
    int pg_major = in->pg_major > 0 ? in->pg_major : 15;
    pgtune_input_t eff = *in;
    eff.pg_major = pg_major;

    out->max_connections =
        in->max_connections > 0 ? in->max_connections : pgtune_default_connections(in->profile);
    out->shared_buffers_kb = shared_buffers_kb(&eff);
    /* selectHugePages: "try" once shared_buffers reaches 2GB (Linux). */
    out->huge_pages = out->shared_buffers_kb >= 2 * KB_PER_GB ? "try" : "off";
    out->effective_cache_size_kb = effective_cache_size_kb(&eff);
    out->maintenance_work_mem_kb = maintenance_work_mem_kb(&eff);
    wal_sizes_kb(in->profile, &out->min_wal_size_kb, &out->max_wal_size_kb);
    out->checkpoint_completion_target = 0.9; /* selectCheckpointCompletionTarget */
    out->wal_buffers_kb = wal_buffers_kb(out->shared_buffers_kb);
    /* selectDefaultStatisticsTarget */
    out->default_statistics_target = in->profile == PGTUNE_DW ? 500 : 100;

    /* selectRandomPageCost, selectEffectiveIoConcurrency (Linux) */
    switch (in->storage) {
    case PGTUNE_HDD:
        out->has_storage = 1;
        out->random_page_cost = 4;
        out->effective_io_concurrency = 2;
        break;
    case PGTUNE_SSD:
        out->has_storage = 1;
        out->random_page_cost = 1.1;
        out->effective_io_concurrency = 200;
        break;
    case PGTUNE_SAN:
        out->has_storage = 1;
        out->random_page_cost = 1.1;
        out->effective_io_concurrency = 300;
        break;
    case PGTUNE_NVME:
        out->has_storage = 1;
        out->random_page_cost = 1.1;
        out->effective_io_concurrency = 1000;
        break;
    default:
        out->has_storage = 0;
        break;
    }

    parallel_settings(&eff, out);
    /* parallelForWorkMem: the parallel max_worker_processes, else the
     * default 8 from DEFAULT_DB_SETTINGS. */
    out->work_mem_worker_count =
        out->has_parallel && out->max_worker_processes > 0 ? out->max_worker_processes : 8;
    out->work_mem_kb =
        work_mem_kb(&eff, out->shared_buffers_kb, out->max_connections, out->work_mem_worker_count);

    /* selectJit: off for web, oltp, mixed on PG12+. */
    out->jit = pg_major >= 12 && (in->profile == PGTUNE_WEB || in->profile == PGTUNE_OLTP ||
                                  in->profile == PGTUNE_MIXED)
                   ? "off"
                   : NULL;
    /* selectWalCompression */
    out->wal_compression = pg_major >= 15 ? "lz4" : pg_major >= 10 ? "on" : NULL;
    /* selectAutovacuumMaxWorkers: 5 from 32 CPUs, 4 from 16, else default. */
    out->autovacuum_max_workers = in->cpus >= 32 ? 5 : in->cpus >= 16 ? 4 : 0;
    /* selectAutovacuumWorkMem: cap each autovacuum worker at 2GB once
     * maintenance_work_mem reaches 2GB. */
    out->autovacuum_work_mem_kb = out->maintenance_work_mem_kb >= 2 * KB_PER_GB ? 2 * KB_PER_GB : 0;
    /* selectWalLevel */
    out->wal_level = in->profile == PGTUNE_DESKTOP ? "minimal" : NULL;
    return 0;
}

/* The profile's name as PGTune spells it ("web" for an unknown value). */
const char *pgtune_profile_name(pgtune_profile_t profile)
{
    switch (profile) {
    case PGTUNE_WEB:
        return "web";
    case PGTUNE_OLTP:
        return "oltp";
    case PGTUNE_DW:
        return "dw";
    case PGTUNE_DESKTOP:
        return "desktop";
    case PGTUNE_MIXED:
        return "mixed";
    }
    return "web";
}

int pgtune_profile_parse(const char *name, pgtune_profile_t *out)
{
    static const pgtune_profile_t all[] = {PGTUNE_WEB, PGTUNE_OLTP, PGTUNE_DW, PGTUNE_DESKTOP,
                                           PGTUNE_MIXED};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++) {
        if (strcasecmp(name, pgtune_profile_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

/* The storage kind's name as PGTune spells it ("unknown" for an unknown value). */
const char *pgtune_storage_name(pgtune_storage_t storage)
{
    switch (storage) {
    case PGTUNE_HDD:
        return "hdd";
    case PGTUNE_SSD:
        return "ssd";
    case PGTUNE_SAN:
        return "san";
    case PGTUNE_NVME:
        return "nvme";
    default:
        return "unknown";
    }
}

int pgtune_storage_parse(const char *name, pgtune_storage_t *out)
{
    if (!name)
        return -1;
    if (strcasecmp(name, "hdd") == 0)
        *out = PGTUNE_HDD;
    else if (strcasecmp(name, "ssd") == 0)
        *out = PGTUNE_SSD;
    else if (strcasecmp(name, "san") == 0 || strcasecmp(name, "network") == 0)
        *out = PGTUNE_SAN;
    else if (strcasecmp(name, "nvme") == 0)
        *out = PGTUNE_NVME;
    else
        return -1;
    return 0;
}

void pgtune_format_kb(int64_t kb, char *buf, size_t len)
{
    if (kb != 0 && kb % KB_PER_GB == 0)
        snprintf(buf, len, "%lldGB", (long long)(kb / KB_PER_GB));
    else if (kb != 0 && kb % KB_PER_MB == 0)
        snprintf(buf, len, "%lldMB", (long long)(kb / KB_PER_MB));
    else
        snprintf(buf, len, "%lldkB", (long long)kb);
}
