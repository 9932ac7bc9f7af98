/* host.c - see host.h. */
#include "coordinator/collect/host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ---- parsing flags ---- */

int host_parse_memory(const char *text, int64_t *bytes, err_t *err)
{
    if (!text || !*text)
        return err_set(err, "--memory: empty value (expected e.g. 16GB, 512MB or bytes)");
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p) && *p != '.')
        return err_set(
            err, "--memory \"%s\": expected a number with an optional unit (16GB, 512MB)", text);
    errno = 0;
    char *end;
    double v = strtod(p, &end);
    if (errno != 0 || end == p || !isfinite(v) || v <= 0)
        return err_set(err, "--memory \"%s\": not a positive number", text);
    while (isspace((unsigned char)*end))
        end++;
    static const struct {
        const char *unit;
        double factor;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1024.0},
        {"kb", 1024.0},
        {"kib", 1024.0},
        {"m", 1048576.0},
        {"mb", 1048576.0},
        {"mib", 1048576.0},
        {"g", 1073741824.0},
        {"gb", 1073741824.0},
        {"gib", 1073741824.0},
        {"t", 1099511627776.0},
        {"tb", 1099511627776.0},
        {"tib", 1099511627776.0},
    };
    char unit[8];
    size_t n = strlen(end);
    while (n > 0 && isspace((unsigned char)end[n - 1]))
        n--;
    if (n >= sizeof unit)
        return err_set(err, "--memory \"%s\": unknown unit (use B, kB, MB, GB or TB)", text);
    memcpy(unit, end, n);
    unit[n] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].unit) == 0) {
            double b = floor(v * units[i].factor);
            if (b < 1)
                return err_set(err, "--memory \"%s\": less than one byte", text);
            if (b >= 9.2e18)
                return err_set(err, "--memory \"%s\": too large", text);
            if (units[i].factor == 1 && b != v)
                return err_set(err, "--memory \"%s\": a byte count must be whole", text);
            *bytes = (int64_t)b;
            return 0;
        }
    }
    return err_set(err, "--memory \"%s\": unknown unit \"%s\" (use B, kB, MB, GB or TB)", text,
                   unit);
}

int host_parse_cpus(const char *text, int *cpus, err_t *err)
{
    if (!text || !*text)
        return err_set(err, "--cpus: empty value (expected a positive integer)");
    errno = 0;
    char *end;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 1 || v > 65536)
        return err_set(err, "--cpus \"%s\": expected an integer from 1 to 65536", text);
    *cpus = (int)v;
    return 0;
}

int host_parse_storage(const char *text, const char **canonical, err_t *err)
{
    static const char *const kinds[] = {"hdd", "ssd", "nvme", "san", "network"};
    if (text) {
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            if (strcasecmp(text, kinds[i]) == 0) {
                *canonical = kinds[i];
                return 0;
            }
        }
    }
    return err_set(err, "--storage \"%s\": expected one of hdd, ssd, nvme, san, network",
                   text ? text : "");
}

int host_parse_cloud(const char *text, json_t **cloud, err_t *err)
{
    *cloud = NULL;
    const char *usage =
        "expected PROVIDER:INSTANCE_CLASS[:REGION], e.g. aws:db.r6g.xlarge:eu-west-1";
    if (!text || !*text)
        return err_set(err, "--cloud: empty value (%s)", usage);
    const char *c1 = strchr(text, ':');
    if (!c1 || c1 == text)
        return err_set(err, "--cloud \"%s\": missing provider (%s)", text, usage);
    const char *cls = c1 + 1;
    const char *c2 = strchr(cls, ':');
    size_t cls_len = c2 ? (size_t)(c2 - cls) : strlen(cls);
    if (cls_len == 0)
        return err_set(err, "--cloud \"%s\": missing instance class (%s)", text, usage);
    if (c2 && (c2[1] == '\0' || strchr(c2 + 1, ':')))
        return err_set(err, "--cloud \"%s\": bad region (%s)", text, usage);
    json_t *o = json_object();
    json_object_set_new(o, "provider", json_stringn(text, (size_t)(c1 - text)));
    json_object_set_new(o, "instance_class", json_stringn(cls, cls_len));
    if (c2)
        json_object_set_new(o, "region", json_string(c2 + 1));
    /* json_stringn returns NULL on invalid UTF-8, and set_new then fails:
     * check that all members made it. */
    if (json_object_size(o) != (c2 ? 3u : 2u)) {
        json_decref(o);
        return err_set(err, "--cloud \"%s\": not valid UTF-8", text);
    }
    *cloud = o;
    return 0;
}

void host_set(json_t *host, const char *field, json_t *value, const char *source)
{
    json_object_set_new(host, field, value);
    json_t *sources = json_object_get(host, "sources");
    if (!sources) {
        sources = json_object();
        json_object_set_new(host, "sources", sources);
    }
    json_object_set_new(sources, field, json_string(source));
}

/* ---- small file helpers ---- */

static void note(json_t *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a note on a host fact that is unknown or doubtful, and why. */
static void note(json_t *notes, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(notes, json_string(buf));
}

/* Reads a small text file into buf (NUL-terminated); returns its length or
 * -1 (errno set). */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    buf[n] = '\0';
    return (ssize_t)n;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* "0-3,8,10-11" -> 7; -1 when malformed. */
static int count_cpu_list(const char *s)
{
    int count = 0;
    while (*s && *s != '\n') {
        char *end;
        long a = strtol(s, &end, 10);
        if (end == s || a < 0)
            return -1;
        long b = a;
        s = end;
        if (*s == '-') {
            s++;
            b = strtol(s, &end, 10);
            if (end == s || b < a)
                return -1;
            s = end;
        }
        count += (int)(b - a + 1);
        if (*s == ',')
            s++;
        else if (*s && *s != '\n')
            return -1;
    }
    return count;
}

static void proc_path(char *buf, size_t len, const host_roots_t *r, pid_t pid, const char *file)
{
    if (pid > 0)
        snprintf(buf, len, "%s/%ld/%s", r->proc, (long)pid, file);
    else
        snprintf(buf, len, "%s/self/%s", r->proc, file);
}

/* ---- cgroups ---- */

typedef struct {
    char v2[PATH_MAX];     /* cgroup path in the unified hierarchy, "" if none */
    char v1_cpu[PATH_MAX]; /* path in the v1 cpu controller hierarchy */
    char v1_cpu_ctl[64];   /* its controller list as mounted ("cpu,cpuacct") */
    char v1_mem[PATH_MAX];
    int found;
} cgroup_paths_t;

/* The cgroup v2 path and the v1 cpu and memory paths of process pid (from /proc/PID/cgroup). -1
 * when that file cannot be read. */
static int read_cgroup_paths(const host_roots_t *r, pid_t pid, cgroup_paths_t *cg)
{
    memset(cg, 0, sizeof *cg);
    char path[PATH_MAX];
    proc_path(path, sizeof path, r, pid, "cgroup");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[PATH_MAX + 128];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* hierarchy-ID:controller-list:cgroup-path */
        char *c1 = strchr(line, ':');
        if (!c1)
            continue;
        char *c2 = strchr(c1 + 1, ':');
        if (!c2)
            continue;
        *c2 = '\0';
        const char *ctls = c1 + 1;
        const char *cgpath = c2 + 1;
        if (strncmp(line, "0:", 2) == 0 && *ctls == '\0') {
            snprintf(cg->v2, sizeof cg->v2, "%s", cgpath);
            cg->found = 1;
            continue;
        }
        /* Split the controller list to match "cpu" exactly, not "cpuset". */
        char list[256];
        snprintf(list, sizeof list, "%s", ctls);
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            if (strcmp(tok, "cpu") == 0) {
                snprintf(cg->v1_cpu, sizeof cg->v1_cpu, "%s", cgpath);
                snprintf(cg->v1_cpu_ctl, sizeof cg->v1_cpu_ctl, "%s", ctls);
                cg->found = 1;
            } else if (strcmp(tok, "memory") == 0) {
                snprintf(cg->v1_mem, sizeof cg->v1_mem, "%s", cgpath);
                cg->found = 1;
            }
        }
    }
    fclose(f);
    return 0;
}

/* Calls visit(dir) for the process's cgroup directory under mount and each
 * ancestor up to the mount itself: limits are hierarchical, the strictest
 * one applies. When the process's path is not visible (a container without
 * a cgroup namespace sees its host path), only the mount root is read: that
 * is the container's own cgroup. */
typedef void (*cg_visit_fn)(const char *dir, void *ctx);

/* Calls visit on the process's cgroup directory and each parent up to the mount point: a limit set
 * on any ancestor applies. */
static void cg_walk(const char *mount, const char *cgpath, cg_visit_fn visit, void *ctx)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s", mount, cgpath);
    size_t mlen = strlen(mount);
    if (!is_dir(dir))
        snprintf(dir, sizeof dir, "%s", mount);
    for (;;) {
        visit(dir, ctx);
        size_t len = strlen(dir);
        if (len <= mlen)
            break;
        char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) < mlen)
            break;
        *slash = '\0';
        while (strlen(dir) > mlen && dir[strlen(dir) - 1] == '/')
            dir[strlen(dir) - 1] = '\0';
    }
}

typedef struct {
    double cpus; /* strictest quota/period, 0 = none */
    int64_t mem; /* strictest memory limit, 0 = none */
} cg_limits_t;

/* cgroup v2: the CPU quota (cpu.max) and memory limit (memory.max) of one directory, the tightest
 * kept in ctx. */
static void visit_v2(const char *dir, void *ctx)
{
    cg_limits_t *l = ctx;
    char path[PATH_MAX + 32], buf[128];
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    if (read_small(path, buf, sizeof buf) > 0 && strncmp(buf, "max", 3) != 0) {
        double quota, period;
        if (sscanf(buf, "%lf %lf", &quota, &period) == 2 && quota > 0 && period > 0) {
            double c = quota / period;
            if (l->cpus == 0 || c < l->cpus)
                l->cpus = c;
        }
    }
    snprintf(path, sizeof path, "%s/memory.max", dir);
    if (read_small(path, buf, sizeof buf) > 0 && strncmp(buf, "max", 3) != 0) {
        long long m = strtoll(buf, NULL, 10);
        if (m > 0 && (l->mem == 0 || m < l->mem))
            l->mem = m;
    }
}

/* cgroup v1: the CPU quota (cfs_quota_us / cfs_period_us) of one directory, the tightest kept. */
static void visit_v1_cpu(const char *dir, void *ctx)
{
    cg_limits_t *l = ctx;
    char path[PATH_MAX + 32], buf[64];
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    if (read_small(path, buf, sizeof buf) <= 0)
        return;
    long long quota = strtoll(buf, NULL, 10);
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    if (quota <= 0 || read_small(path, buf, sizeof buf) <= 0)
        return;
    long long period = strtoll(buf, NULL, 10);
    if (period <= 0)
        return;
    double c = (double)quota / (double)period;
    if (l->cpus == 0 || c < l->cpus)
        l->cpus = c;
}

/* cgroup v1: the memory limit of one directory, the tightest kept. */
static void visit_v1_mem(const char *dir, void *ctx)
{
    cg_limits_t *l = ctx;
    char path[PATH_MAX + 32], buf[64];
    snprintf(path, sizeof path, "%s/memory.limit_in_bytes", dir);
    if (read_small(path, buf, sizeof buf) <= 0)
        return;
    long long m = strtoll(buf, NULL, 10);
    if (m > 0 && (l->mem == 0 || m < l->mem))
        l->mem = m;
}

/* The CPU and memory limits of the cgroups the process is in (v2, else v1), zero where none is
 * set. */
static void cgroup_limits(const host_roots_t *r, const cgroup_paths_t *cg, cg_limits_t *l)
{
    memset(l, 0, sizeof *l);
    char mount[PATH_MAX];
    if (cg->v2[0]) {
        snprintf(mount, sizeof mount, "%s/fs/cgroup", r->sys);
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/cgroup.controllers", mount);
        if (!exists(probe)) /* hybrid layout: v2 hierarchy without controllers */
            snprintf(mount, sizeof mount, "%s/fs/cgroup/unified", r->sys);
        snprintf(probe, sizeof probe, "%s/cgroup.controllers", mount);
        if (exists(probe))
            cg_walk(mount, strcmp(cg->v2, "/") == 0 ? "" : cg->v2, visit_v2, l);
    }
    if (cg->v1_cpu[0]) {
        snprintf(mount, sizeof mount, "%s/fs/cgroup/%s", r->sys, cg->v1_cpu_ctl);
        if (!is_dir(mount))
            snprintf(mount, sizeof mount, "%s/fs/cgroup/cpu", r->sys);
        if (is_dir(mount))
            cg_walk(mount, strcmp(cg->v1_cpu, "/") == 0 ? "" : cg->v1_cpu, visit_v1_cpu, l);
    }
    if (cg->v1_mem[0]) {
        snprintf(mount, sizeof mount, "%s/fs/cgroup/memory", r->sys);
        if (is_dir(mount))
            cg_walk(mount, strcmp(cg->v1_mem, "/") == 0 ? "" : cg->v1_mem, visit_v1_mem, l);
    }
}

/* ---- cpus and memory ---- */

/* The CPUs the process may run on (Cpus_allowed_list of /proc/PID/status), else the processor
 * lines of /proc/cpuinfo. 0 with a note when neither reads. */
static int cpus_from_proc(const host_roots_t *r, pid_t pid, json_t *notes)
{
    char path[PATH_MAX], buf[8192];
    proc_path(path, sizeof path, r, pid, "status");
    if (read_small(path, buf, sizeof buf) > 0) {
        const char *k = strstr(buf, "Cpus_allowed_list:");
        if (k) {
            k += strlen("Cpus_allowed_list:");
            while (*k == ' ' || *k == '\t')
                k++;
            int n = count_cpu_list(k);
            if (n > 0)
                return n;
        }
    }
    /* No affinity information: count the machine's processors. */
    snprintf(path, sizeof path, "%s/cpuinfo", r->proc);
    FILE *f = fopen(path, "r");
    if (!f) {
        note(notes, "host.cpus unknown: cannot read %s: %s (pass --cpus)", path, strerror(errno));
        return 0;
    }
    int n = 0;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "processor", 9) == 0 && (line[9] == ' ' || line[9] == '\t'))
            n++;
    fclose(f);
    if (n == 0)
        note(notes, "host.cpus unknown: no processor lines in %s (pass --cpus)", path);
    return n;
}

/* MemTotal of /proc/meminfo in bytes. 0 with a note when it cannot be read. */
static int64_t memtotal_from_proc(const host_roots_t *r, json_t *notes)
{
    char path[PATH_MAX], buf[8192];
    snprintf(path, sizeof path, "%s/meminfo", r->proc);
    if (read_small(path, buf, sizeof buf) <= 0) {
        note(notes, "host.memory_bytes unknown: cannot read %s: %s (pass --memory)", path,
             strerror(errno));
        return 0;
    }
    const char *k = strstr(buf, "MemTotal:");
    long long kb = k ? strtoll(k + strlen("MemTotal:"), NULL, 10) : 0;
    if (kb <= 0) {
        note(notes, "host.memory_bytes unknown: no MemTotal in %s (pass --memory)", path);
        return 0;
    }
    return (int64_t)kb * 1024;
}

void host_probe_cpus_memory(const host_roots_t *roots, pid_t pid, json_t *host, json_t *notes)
{
    int want_cpus = json_object_get(host, "cpus") == NULL;
    int want_mem = json_object_get(host, "memory_bytes") == NULL;
    if (!want_cpus && !want_mem)
        return;
    cgroup_paths_t cg;
    cg_limits_t lim = {0, 0};
    if (read_cgroup_paths(roots, pid, &cg) == 0)
        cgroup_limits(roots, &cg, &lim);
    else
        note(notes,
             "host: cannot read the cgroup of process %ld: %s; cgroup CPU and memory limits "
             "were not considered",
             (long)pid, strerror(errno));

    if (want_cpus) {
        int n = cpus_from_proc(roots, pid, notes);
        if (n > 0) {
            const char *src = "proc";
            if (lim.cpus > 0 && ceil(lim.cpus) < n) {
                n = (int)ceil(lim.cpus);
                src = "cgroup";
                /* The quota may be fractional (1.5 CPUs): keep it exact too. */
                json_object_set_new(host, "cpu_quota", json_real(lim.cpus));
            }
            host_set(host, "cpus", json_integer(n), src);
        }
    }
    if (want_mem) {
        int64_t m = memtotal_from_proc(roots, notes);
        if (m > 0) {
            const char *src = "proc";
            if (lim.mem > 0 && lim.mem < m) {
                m = lim.mem;
                src = "cgroup";
            }
            host_set(host, "memory_bytes", json_integer(m), src);
        }
    }
}

/* ---- storage ---- */

/* Kinds a disk can be classified as; UNKNOWN carries a note. */
typedef enum { DISK_UNKNOWN = 0, DISK_HDD, DISK_SSD, DISK_NVME } disk_kind_t;

/* The storage kind's name in the snapshot (hdd, ssd, nvme, ...). */
static const char *kind_name(disk_kind_t k)
{
    switch (k) {
    case DISK_HDD:
        return "hdd";
    case DISK_SSD:
        return "ssd";
    case DISK_NVME:
        return "nvme";
    default:
        return NULL;
    }
}

/* For a /sys/devices/.../block/sda/sda1 directory returns the whole disk's
 * directory (.../block/sda) in out. */
static void whole_disk(const char *devdir, char *out, size_t len)
{
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/partition", devdir);
    snprintf(out, len, "%s", devdir);
    if (exists(probe)) {
        char *slash = strrchr(out, '/');
        if (slash)
            *slash = '\0';
    }
}

/* A block device's kind from sysfs: device-mapper and md by the devices underneath (when they
 * agree), else queue/rotational (nvme by name); a virtual disk reporting rotational says nothing
 * (why says so). DISK_UNKNOWN when it cannot tell. */
static disk_kind_t classify_disk(const host_roots_t *r, const char *diskdir, int depth, char *why,
                                 size_t why_len)
{
    const char *name = strrchr(diskdir, '/');
    name = name ? name + 1 : diskdir;

    /* Device mapper / md: classify by the devices underneath. */
    char slaves[PATH_MAX + 16];
    snprintf(slaves, sizeof slaves, "%s/slaves", diskdir);
    DIR *d = depth < 4 ? opendir(slaves) : NULL;
    if (d) {
        disk_kind_t agreed = DISK_UNKNOWN;
        int count = 0, mixed = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char link[PATH_MAX], real[PATH_MAX], disk[PATH_MAX];
            snprintf(link, sizeof link, "%s/class/block/%s", r->sys, e->d_name);
            if (!realpath(link, real))
                continue;
            whole_disk(real, disk, sizeof disk);
            disk_kind_t k = classify_disk(r, disk, depth + 1, why, why_len);
            if (count++ == 0)
                agreed = k;
            else if (k != agreed)
                mixed = 1;
        }
        closedir(d);
        if (count > 0) {
            if (mixed || agreed == DISK_UNKNOWN) {
                if (mixed)
                    snprintf(why, why_len, "%s is built on devices of different kinds", name);
                return DISK_UNKNOWN;
            }
            return agreed;
        }
    }

    char path[PATH_MAX + 32], buf[16];
    snprintf(path, sizeof path, "%s/queue/rotational", diskdir);
    if (read_small(path, buf, sizeof buf) <= 0) {
        snprintf(why, why_len, "cannot read %s", path);
        return DISK_UNKNOWN;
    }
    if (buf[0] == '0')
        return strncmp(name, "nvme", 4) == 0 ? DISK_NVME : DISK_SSD;
    if (buf[0] == '1') {
        if (strncmp(name, "vd", 2) == 0 || strncmp(name, "xvd", 3) == 0) {
            snprintf(why, why_len,
                     "virtual disk %s reports rotational=1, which is the hypervisor's default "
                     "and says nothing about the medium",
                     name);
            return DISK_UNKNOWN;
        }
        return DISK_HDD;
    }
    snprintf(why, why_len, "unexpected content in %s", path);
    return DISK_UNKNOWN;
}

/* Classifies block device MAJ:MIN through sysfs; -1 and a note otherwise. */
static int storage_of_device(const host_roots_t *r, unsigned maj, unsigned min, const char *what,
                             json_t *host, json_t *notes)
{
    char link[PATH_MAX], real[PATH_MAX], disk[PATH_MAX];
    snprintf(link, sizeof link, "%s/dev/block/%u:%u", r->sys, maj, min);
    if (!realpath(link, real)) {
        note(notes,
             "host.storage unknown: %s is on device %u:%u, but %s is not readable (%s); "
             "pass --storage",
             what, maj, min, link, strerror(errno));
        return -1;
    }
    whole_disk(real, disk, sizeof disk);
    char why[PATH_MAX + 128] = "";
    disk_kind_t k = classify_disk(r, disk, 0, why, sizeof why);
    if (k == DISK_UNKNOWN) {
        note(notes, "host.storage unknown: %s (%s); pass --storage", why[0] ? why : "unclassified",
             what);
        return -1;
    }
    host_set(host, "storage", json_string(kind_name(k)), "sysfs");
    return 0;
}

/* statfs f_type values of network file systems (linux/magic.h and the
 * file systems' own sources; not all are in every libc's headers). */
static const char *network_fs(long type)
{
    switch ((unsigned long)type) {
    case 0x6969UL:
        return "nfs";
    case 0xFF534D42UL:
        return "cifs";
    case 0xFE534D42UL:
        return "smb2";
    case 0x517BUL:
        return "smb";
    case 0x00C36400UL:
        return "ceph";
    case 0x47504653UL:
        return "gpfs";
    case 0x0BD00BD0UL:
        return "lustre";
    case 0x6B414653UL:
        return "afs";
    case 0x65735546UL:
        return "fuse"; /* not always network (sshfs is, others are not) */
    default:
        return NULL;
    }
}

/* Finds the mount holding path in mountinfo: its source device (when it is
 * a /dev node) and file system type. */
static int mount_of(const host_roots_t *r, const char *path, char *source, size_t slen,
                    char *fstype, size_t flen)
{
    char mi[PATH_MAX];
    snprintf(mi, sizeof mi, "%s/self/mountinfo", r->proc);
    FILE *f = fopen(mi, "r");
    if (!f)
        return -1;
    char line[4096];
    size_t best = 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint options [optional...] - fstype source superopts */
        char mnt[PATH_MAX];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
            continue;
        size_t ml = strlen(mnt);
        int covers = strcmp(mnt, "/") == 0 ||
                     (strncmp(path, mnt, ml) == 0 && (path[ml] == '/' || path[ml] == '\0'));
        if (!covers || (found && ml < best))
            continue;
        const char *dash = strstr(line, " - ");
        if (!dash)
            continue;
        char t[64], s[PATH_MAX];
        if (sscanf(dash + 3, "%63s %4095s", t, s) != 2)
            continue;
        best = strcmp(mnt, "/") == 0 ? 1 : ml;
        snprintf(fstype, flen, "%s", t);
        snprintf(source, slen, "%s", s);
        found = 1;
    }
    fclose(f);
    return found ? 0 : -1;
}

void host_probe_storage(const host_roots_t *roots, const char *path, json_t *host, json_t *notes)
{
    if (json_object_get(host, "storage"))
        return;
    struct statfs sf;
    if (statfs(path, &sf) == 0) {
        const char *net = network_fs((long)sf.f_type);
        if (net && strcmp(net, "fuse") != 0) {
            host_set(host, "storage", json_string("network"), "statfs");
            return;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        note(notes, "host.storage unknown: cannot stat the data directory %s: %s; pass --storage",
             path, strerror(errno));
        return;
    }
    char what[PATH_MAX + 32];
    snprintf(what, sizeof what, "data directory %s", path);
    if (major(st.st_dev) != 0) {
        storage_of_device(roots, major(st.st_dev), minor(st.st_dev), what, host, notes);
        return;
    }
    /* Anonymous device numbers (btrfs subvolumes, overlay, tmpfs): the
     * mount table may still name a real device. */
    char real[PATH_MAX], source[PATH_MAX], fstype[64];
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    if (mount_of(roots, real, source, sizeof source, fstype, sizeof fstype) != 0) {
        note(notes,
             "host.storage unknown: the data directory %s has no block device and its "
             "mount was not found in mountinfo; pass --storage",
             path);
        return;
    }
    struct stat dev;
    if (strncmp(source, "/dev/", 5) == 0 && stat(source, &dev) == 0 && S_ISBLK(dev.st_mode)) {
        storage_of_device(roots, major(dev.st_rdev), minor(dev.st_rdev), what, host, notes);
        return;
    }
    note(notes,
         "host.storage unknown: the data directory %s is on a %s file system (source %s) "
         "without a block device of its own; pass --storage",
         path, fstype, source);
}

void host_probe_storage_device(const host_roots_t *roots, unsigned maj, unsigned min, json_t *host,
                               json_t *notes)
{
    if (json_object_get(host, "storage"))
        return;
    char what[64];
    snprintf(what, sizeof what, "device %u:%u", maj, min);
    storage_of_device(roots, maj, min, what, host, notes);
}
