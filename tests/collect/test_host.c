/* test_host.c - host probes: the real /proc of this machine, and fabricated
 * /proc and /sys trees for cgroup v1/v2 limits and the storage walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/collect/host.h"
#include "tests/collect/snaputil.h"

static void put(const char *root, const char *rel, const char *text)
{
    snap_write(root, rel, text, strlen(text));
}

static void link_at(const char *root, const char *rel, const char *target)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    /* parent directory */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
    mkdir(dir, 0755);
    assert_int_equal(symlink(target, path), 0);
}

static const char *source_of(json_t *host, const char *field)
{
    return json_string_value(json_object_get(json_object_get(host, "sources"), field));
}

static void test_real_proc(void **state)
{
    (void)state;
    host_roots_t roots = {"/proc", "/sys"};
    json_t *host = json_object(), *notes = json_array();
    host_probe_cpus_memory(&roots, getpid(), host, notes);
    json_int_t cpus = json_integer_value(json_object_get(host, "cpus"));
    json_int_t mem = json_integer_value(json_object_get(host, "memory_bytes"));
    assert_true(cpus > 0);
    assert_true(cpus <= sysconf(_SC_NPROCESSORS_CONF));
    assert_true(mem > 0);
    /* Never more than the machine has. */
    assert_true(mem <= (json_int_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
    const char *cs = source_of(host, "cpus"), *ms = source_of(host, "memory_bytes");
    assert_non_null(cs);
    assert_non_null(ms);
    assert_true(strcmp(cs, "proc") == 0 || strcmp(cs, "cgroup") == 0);
    assert_true(strcmp(ms, "proc") == 0 || strcmp(ms, "cgroup") == 0);

    /* The root file system: either a classified device or a note why not. */
    host_probe_storage(&roots, "/", host, notes);
    json_t *storage = json_object_get(host, "storage");
    if (storage) {
        const char *s = json_string_value(storage);
        assert_true(strcmp(s, "hdd") == 0 || strcmp(s, "ssd") == 0 || strcmp(s, "nvme") == 0 ||
                    strcmp(s, "network") == 0);
        assert_non_null(source_of(host, "storage"));
    } else {
        assert_true(json_array_size(notes) >= 1);
        const char *last = json_string_value(json_array_get(notes, json_array_size(notes) - 1));
        assert_non_null(strstr(last, "host.storage unknown"));
    }
    json_decref(host);
    json_decref(notes);
}

/* Flags win: a field already present is not probed again. */
static void test_flags_win(void **state)
{
    (void)state;
    host_roots_t roots = {"/proc", "/sys"};
    json_t *host = json_object(), *notes = json_array();
    host_set(host, "cpus", json_integer(64), "flag");
    host_set(host, "memory_bytes", json_integer(1), "flag");
    host_set(host, "storage", json_string("san"), "flag");
    host_probe_cpus_memory(&roots, 0, host, notes);
    host_probe_storage(&roots, "/", host, notes);
    assert_int_equal(json_integer_value(json_object_get(host, "cpus")), 64);
    assert_int_equal(json_integer_value(json_object_get(host, "memory_bytes")), 1);
    assert_string_equal(json_string_value(json_object_get(host, "storage")), "san");
    assert_string_equal(source_of(host, "cpus"), "flag");
    assert_int_equal(json_array_size(notes), 0);
    json_decref(host);
    json_decref(notes);
}

static void test_cgroup_v2(void **state)
{
    (void)state;
    const char *t = snap_tempdir(0, "pgopt-host-v2");
    char proc[600], sys[600];
    snprintf(proc, sizeof proc, "%s/proc", t);
    snprintf(sys, sizeof sys, "%s/sys", t);
    put(t, "proc/42/status", "Name:\tpostgres\nCpus_allowed_list:\t0-7\n");
    put(t, "proc/42/cgroup", "0::/system.slice/postgresql.service\n");
    put(t, "proc/meminfo", "MemTotal:       16777216 kB\nMemFree: 1 kB\n");
    put(t, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
    /* The service itself is unlimited; its parent slice is not: the
     * strictest ancestor wins. */
    put(t, "sys/fs/cgroup/system.slice/postgresql.service/cpu.max", "max 100000\n");
    put(t, "sys/fs/cgroup/system.slice/postgresql.service/memory.max", "max\n");
    put(t, "sys/fs/cgroup/system.slice/cpu.max", "150000 100000\n");
    put(t, "sys/fs/cgroup/system.slice/memory.max", "4294967296\n");

    host_roots_t roots = {proc, sys};
    json_t *host = json_object(), *notes = json_array();
    host_probe_cpus_memory(&roots, 42, host, notes);
    assert_int_equal(json_integer_value(json_object_get(host, "cpus")), 2); /* ceil(1.5) */
    assert_true(json_real_value(json_object_get(host, "cpu_quota")) == 1.5);
    assert_string_equal(source_of(host, "cpus"), "cgroup");
    assert_int_equal(json_integer_value(json_object_get(host, "memory_bytes")), 4294967296LL);
    assert_string_equal(source_of(host, "memory_bytes"), "cgroup");
    assert_int_equal(json_array_size(notes), 0);
    json_decref(host);

    /* A limit above the machine's memory does not count. */
    put(t, "sys/fs/cgroup/system.slice/memory.max", "68719476736\n");
    put(t, "sys/fs/cgroup/system.slice/cpu.max", "max 100000\n");
    host = json_object();
    host_probe_cpus_memory(&roots, 42, host, notes);
    assert_int_equal(json_integer_value(json_object_get(host, "cpus")), 8);
    assert_string_equal(source_of(host, "cpus"), "proc");
    assert_null(json_object_get(host, "cpu_quota"));
    assert_int_equal(json_integer_value(json_object_get(host, "memory_bytes")), 16777216LL * 1024);
    assert_string_equal(source_of(host, "memory_bytes"), "proc");
    json_decref(host);
    json_decref(notes);
    snap_rmtree(t);
}

static void test_cgroup_v1_and_missing(void **state)
{
    (void)state;
    const char *t = snap_tempdir(0, "pgopt-host-v1");
    char proc[600], sys[600];
    snprintf(proc, sizeof proc, "%s/proc", t);
    snprintf(sys, sizeof sys, "%s/sys", t);
    /* No Cpus_allowed_list: count /proc/cpuinfo. */
    put(t, "proc/7/status", "Name:\tpostgres\n");
    put(t, "proc/cpuinfo", "processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n\nprocessor\t: 2\n");
    put(t, "proc/7/cgroup", "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n1:cpuset:/\n");
    put(t, "proc/meminfo", "MemTotal:       8388608 kB\n");
    put(t, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
    put(t, "sys/fs/cgroup/memory/docker/memory.limit_in_bytes", "2147483648\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_quota_us", "100000\n");
    put(t, "sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n");

    host_roots_t roots = {proc, sys};
    json_t *host = json_object(), *notes = json_array();
    host_probe_cpus_memory(&roots, 7, host, notes);
    assert_int_equal(json_integer_value(json_object_get(host, "cpus")), 1);
    assert_string_equal(source_of(host, "cpus"), "cgroup");
    assert_int_equal(json_integer_value(json_object_get(host, "memory_bytes")), 2147483648LL);
    assert_string_equal(source_of(host, "memory_bytes"), "cgroup");
    json_decref(host);

    /* A process whose /proc entry is gone, on a machine without cpuinfo or
     * meminfo: nothing is guessed, notes say why. */
    char gone[700];
    snprintf(gone, sizeof gone, "%s/cpuinfo", proc);
    assert_int_equal(unlink(gone), 0);
    snprintf(gone, sizeof gone, "%s/meminfo", proc);
    assert_int_equal(unlink(gone), 0);
    host = json_object();
    json_array_clear(notes);
    host_probe_cpus_memory(&roots, 99, host, notes);
    assert_null(json_object_get(host, "cpus"));
    assert_null(json_object_get(host, "memory_bytes"));
    assert_int_equal(json_array_size(notes), 3);
    assert_non_null(strstr(json_string_value(json_array_get(notes, 0)), "cgroup"));
    assert_non_null(strstr(json_string_value(json_array_get(notes, 1)), "host.cpus unknown"));
    assert_non_null(
        strstr(json_string_value(json_array_get(notes, 2)), "host.memory_bytes unknown"));
    json_decref(host);
    json_decref(notes);
    snap_rmtree(t);
}

static const char *storage_for(const host_roots_t *roots, unsigned maj, unsigned min, json_t *notes)
{
    static char kind[16];
    json_t *host = json_object();
    host_probe_storage_device(roots, maj, min, host, notes);
    const char *s = json_string_value(json_object_get(host, "storage"));
    snprintf(kind, sizeof kind, "%s", s ? s : "");
    if (s)
        assert_string_equal(source_of(host, "storage"), "sysfs");
    json_decref(host);
    return kind;
}

static void test_storage_sysfs(void **state)
{
    (void)state;
    const char *t = snap_tempdir(0, "pgopt-host-sys");
    char sys[600];
    snprintf(sys, sizeof sys, "%s/sys", t);
    /* sda1 is a partition of a rotating disk. */
    put(t, "sys/devices/pci0/block/sda/queue/rotational", "1\n");
    put(t, "sys/devices/pci0/block/sda/sda1/partition", "1\n");
    link_at(t, "sys/dev/block/8:1", "../../devices/pci0/block/sda/sda1");
    /* An NVMe namespace. */
    put(t, "sys/devices/pci1/nvme/nvme0/nvme0n1/queue/rotational", "0\n");
    link_at(t, "sys/dev/block/259:0", "../../devices/pci1/nvme/nvme0/nvme0n1");
    /* LVM volume on top of one SSD. */
    put(t, "sys/devices/virtual/block/dm-0/queue/rotational", "1\n");
    put(t, "sys/devices/virtual/block/dm-0/slaves/sdb", "");
    put(t, "sys/devices/pci0/block/sdb/queue/rotational", "0\n");
    link_at(t, "sys/class/block/sdb", "../../devices/pci0/block/sdb");
    link_at(t, "sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
    /* A RAID over an SSD and an HDD: no single answer. */
    put(t, "sys/devices/virtual/block/md0/queue/rotational", "0\n");
    put(t, "sys/devices/virtual/block/md0/slaves/sdb", "");
    put(t, "sys/devices/virtual/block/md0/slaves/sda", "");
    link_at(t, "sys/class/block/sda", "../../devices/pci0/block/sda");
    link_at(t, "sys/dev/block/9:0", "../../devices/virtual/block/md0");
    /* A virtio disk with the hypervisor's default flag. */
    put(t, "sys/devices/pci2/virtio1/block/vda/queue/rotational", "1\n");
    link_at(t, "sys/dev/block/254:0", "../../devices/pci2/virtio1/block/vda");

    host_roots_t roots = {"/proc", sys};
    json_t *notes = json_array();
    assert_string_equal(storage_for(&roots, 8, 1, notes), "hdd");
    assert_string_equal(storage_for(&roots, 259, 0, notes), "nvme");
    assert_string_equal(storage_for(&roots, 253, 0, notes), "ssd");
    assert_int_equal(json_array_size(notes), 0);
    assert_string_equal(storage_for(&roots, 9, 0, notes), "");
    assert_non_null(strstr(json_string_value(json_array_get(notes, 0)), "different kinds"));
    assert_string_equal(storage_for(&roots, 254, 0, notes), "");
    assert_non_null(strstr(json_string_value(json_array_get(notes, 1)), "virtual disk vda"));
    assert_string_equal(storage_for(&roots, 1, 99, notes), "");
    assert_non_null(strstr(json_string_value(json_array_get(notes, 2)), "device 1:99"));
    assert_int_equal(json_array_size(notes), 3);
    json_decref(notes);
    snap_rmtree(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_proc),     cmocka_unit_test(test_flags_win),
        cmocka_unit_test(test_cgroup_v2),     cmocka_unit_test(test_cgroup_v1_and_missing),
        cmocka_unit_test(test_storage_sysfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
