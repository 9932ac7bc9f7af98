/*
 * host.h - the snapshot's `host` section: CPUs, memory and storage of the
 * machine the PostgreSQL server runs on, plus the cloud instance.
 *
 * Values come from flags first (--cpus, --memory, --storage, --cloud). A
 * field without a flag is probed only when the server is local (the
 * collector can see its /proc and /sys); a value that cannot be known is
 * left out and a note says why. host.sources records, per field, where each
 * value came from: "flag", "proc", "cgroup", "sysfs", "statfs".
 *
 *   cpus:    CPUs the server process may run on (/proc/PID/status
 *            Cpus_allowed_list, else /proc/cpuinfo), lowered to
 *            ceil(quota/period) when a cgroup CPU quota is stricter
 *            (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us, every
 *            ancestor of the process's cgroup).
 *   memory:  /proc/meminfo MemTotal, lowered to the strictest cgroup memory
 *            limit (v2 memory.max, v1 memory.limit_in_bytes, ancestors too).
 *   storage: the block device holding the data directory: stat() it, map
 *            st_dev to /sys/dev/block/MAJ:MIN, walk to the whole disk (and
 *            through device-mapper slaves), read queue/rotational; nvme by
 *            name; network file systems by statfs type. Virtual disks
 *            (vd*, xvd*) that report rotational=1 are left unknown: that is
 *            the hypervisor's default, not a fact about the medium.
 *
 * The probes read files under configurable roots so tests can point them at
 * a fabricated /proc and /sys tree.
 */
#ifndef PGOPT_COORDINATOR_HOST_H
#define PGOPT_COORDINATOR_HOST_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* Where /proc and /sys are: "/proc" and "/sys" normally. */
typedef struct {
    const char *proc;
    const char *sys;
} host_roots_t;

/* "16GB", "512MB", "1.5GiB", "2T", "1048576" (bytes). Units are binary
 * (1 kB = 1024 bytes), as in postgresql.conf; B/K/KB/KiB/M/MB/MiB/G/GB/GiB/
 * T/TB/TiB, case-insensitive. */
int host_parse_memory(const char *text, int64_t *bytes, err_t *err);

/* A positive CPU count (1..65536). */
int host_parse_cpus(const char *text, int *cpus, err_t *err);

/* hdd|ssd|nvme|san|network (case-insensitive); *canonical is the lowercase
 * static string. */
int host_parse_storage(const char *text, const char **canonical, err_t *err);

/* "PROVIDER:INSTANCE_CLASS[:REGION]" -> {provider, instance_class[, region]}. */
int host_parse_cloud(const char *text, json_t **cloud, err_t *err);

/* Fills host.cpus and host.memory_bytes, unless already present, from the
 * process pid (0 = the calling process) and its cgroups; appends a note to
 * notes (array of strings) for what it cannot know. */
void host_probe_cpus_memory(const host_roots_t *roots, pid_t pid, json_t *host, json_t *notes);

/* Fills host.storage, unless already present, for the device holding path. */
void host_probe_storage(const host_roots_t *roots, const char *path, json_t *host, json_t *notes);

/* The same for a known block device number (what host_probe_storage does
 * after stat()); separate so the sysfs walk can be tested on a fabricated
 * tree. */
void host_probe_storage_device(const host_roots_t *roots, unsigned maj, unsigned min, json_t *host,
                               json_t *notes);

/* Sets host[field] = value and host.sources[field] = source. */
void host_set(json_t *host, const char *field, json_t *value, const char *source);

#endif
