/*
 * pgtune.h - PGTune's formulas, reproduced exactly, as the baseline the
 * config tuner starts from (and reports next to its measured deviations).
 *
 * Source mirrored: le0pard/pgtune, src/features/configuration/
 * configurationSlice.js at commit 01bb6447113831159c5f14fafe11f59cf2ba0964
 * (the revision that knows PostgreSQL 18; its jest tests are in
 * src/features/configuration/__tests__/configurationSlice.test.js). Only the
 * Linux branch is reproduced: PostgreSQL here runs on Linux, and the Windows
 * and macOS special cases (512MB shared_buffers before PG10, 2GB-1MB caps,
 * no huge pages on macOS) never apply.
 *
 * Older pgtune revisions (e.g. 7d204bdb) differ: maintenance_work_mem was
 * capped at 2GB (now 8GB), work_mem was floored at 64kB (now 4MB), there was
 * no nvme storage type, and jit / wal_compression / autovacuum_max_workers /
 * autovacuum_work_mem were not emitted. DESIGN.md quotes the old caps.
 *
 * All memory values are in kB, as in pgtune.
 */
#ifndef PGOPT_CONFIG_TUNER_PGTUNE_H
#define PGOPT_CONFIG_TUNER_PGTUNE_H

#include <stdint.h>

#include "common/error.h"

typedef enum {
    PGTUNE_WEB = 0, /* web application: many short queries */
    PGTUNE_OLTP,    /* online transaction processing: very many short transactions */
    PGTUNE_DW,      /* data warehouse: few long analytical queries */
    PGTUNE_DESKTOP, /* developer machine */
    PGTUNE_MIXED,   /* both OLTP and analytics */
} pgtune_profile_t;

typedef enum {
    PGTUNE_STORAGE_UNKNOWN = 0,
    PGTUNE_HDD,
    PGTUNE_SSD,
    PGTUNE_SAN,
    PGTUNE_NVME,
} pgtune_storage_t;

typedef struct {
    pgtune_profile_t profile;
    int64_t memory_kb;        /* total RAM in kB; must be > 0 */
    int cpus;                 /* 0 = unknown (pgtune: "cpuNum" left empty) */
    int max_connections;      /* 0 = pgtune's default for the profile */
    pgtune_storage_t storage; /* UNKNOWN: random_page_cost / effective_io_concurrency not set */
    int pg_major;             /* e.g. 15 */
} pgtune_input_t;

typedef struct {
    int max_connections;
    int64_t shared_buffers_kb;
    int64_t effective_cache_size_kb;
    int64_t maintenance_work_mem_kb;
    int64_t work_mem_kb;
    int64_t wal_buffers_kb;
    int64_t min_wal_size_kb;
    int64_t max_wal_size_kb;
    double checkpoint_completion_target;
    int default_statistics_target;
    const char *huge_pages; /* "try" or "off" */
    /* Storage (set only when storage is known). */
    int has_storage;
    double random_page_cost;
    int effective_io_concurrency;
    /* Parallel settings: pgtune emits them only with 4 or more CPUs. */
    int has_parallel;
    int max_worker_processes;
    int max_parallel_workers_per_gather;
    int max_parallel_workers;
    int max_parallel_maintenance_workers; /* PG11+ */
    int work_mem_worker_count;            /* max_worker_processes used in work_mem */
    const char *jit;                      /* "off" or NULL (leave the default) */
    const char *wal_compression;          /* "lz4" (PG15+), "on" (PG10-14) or NULL */
    int autovacuum_max_workers;           /* 0 = leave the default */
    int64_t autovacuum_work_mem_kb;       /* 0 = leave the default (-1) */
    const char *wal_level;                /* "minimal" for desktop, else NULL */
} pgtune_result_t;

/* Computes every value; -1 with err when memory_kb <= 0 or cpus < 0. */
int pgtune_compute(const pgtune_input_t *in, pgtune_result_t *out, err_t *err);

/* pgtune's default max_connections per profile (200, 300, 40, 20, 100). */
int pgtune_default_connections(pgtune_profile_t profile);

const char *pgtune_profile_name(pgtune_profile_t profile);         /* "web", ... */
int pgtune_profile_parse(const char *name, pgtune_profile_t *out); /* 0 or -1 */

const char *pgtune_storage_name(pgtune_storage_t storage); /* "hdd", ... ; "unknown" */
/* "hdd", "ssd", "san", "nvme"; "network" maps to san (remote block storage,
 * which pgtune calls SAN). Returns -1 for anything else. */
int pgtune_storage_parse(const char *name, pgtune_storage_t *out);

/* Formats kB the way pgtune prints it (and PostgreSQL's SHOW): GB when the
 * value is a whole number of GB, else MB when whole MB, else kB. */
void pgtune_format_kb(int64_t kb, char *buf, size_t len);

#endif
