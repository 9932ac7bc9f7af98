/*
 * test_outfile.c - -o PATH means the same for every output (common/outfile):
 * `pgopt-coordinator report` in each format (json, text, html, sql with its
 * .rollback.sql) and the analysis itself, run as real processes, to a FIFO,
 * /dev/null, /dev/full (the test's own nodes, made with mknod), a symlink (to an existing and to a
 * missing file), a directory and a regular file; plus saved snapshots. A device or FIFO is written
 * in place and never replaced (no companion file beside it), a write error (/dev/full) fails the
 * run naming the path, a symlink stays a link, a directory is refused, files are 0600 and replaced
 * atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/outfile.h"
#include "proto/snapshot.h"
#include "tests/support/proc.h"

static char dir[256], in[1024], snap[1024], devnull[300], devfull[300];

static const char *const FORMATS[] = {"json", "text", "html", "sql"};

/* Runs `pgopt-coordinator report IN -f fmt -o out`; stderr kept in dir. */
static int report(const char *fmt, const char *out, char **err_text)
{
    char *argv[] = {(char *)proc_bin("pgopt-coordinator"),
                    "report",
                    in,
                    "-f",
                    (char *)fmt,
                    "-o",
                    (char *)out,
                    NULL};
    char errp[512];
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    int rc = proc_run(argv, NULL, NULL, errp);
    if (err_text)
        *err_text = proc_slurp(errp);
    return rc;
}

/* The test's own /dev/null and /dev/full (same device numbers) in its
 * directory: if a regression replaced a device node by a file, it must be
 * this test's node, not the machine's. Not root: the real ones are safe
 * (renaming over them is refused). Root without mknod: "" (skipped). */
static void make_device(const char *name, unsigned minor, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", dir, name);
    if (mknod(out, S_IFCHR | 0666, makedev(1, minor)) == 0)
        return;
    if (geteuid() == 0)
        out[0] = '\0';
    else
        snprintf(out, len, "/dev/%s", name);
}

static int setup(void **state)
{
    (void)state;
    if (proc_tmpdir(dir, sizeof dir) != 0)
        return -1;
    make_device("null", 3, devnull, sizeof devnull);
    make_device("full", 7, devfull, sizeof devfull);
    snprintf(in, sizeof in, "%s/tests/report/data/shop-phase3.json", getenv("PGOPT_SOURCE_DIR"));
    snprintf(snap, sizeof snap, "%s/tests/report/data/shop-snapshot.json",
             getenv("PGOPT_SOURCE_DIR"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    proc_kill_all(9);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void assert_chr(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void assert_absent(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        fail_msg("%s was created", path);
}

/* No temporary files left next to the outputs. */
static void assert_no_tmp(const char *d)
{
    DIR *dd = opendir(d);
    assert_non_null(dd);
    struct dirent *de;
    while ((de = readdir(dd)))
        if (strstr(de->d_name, ".tmp"))
            fail_msg("temporary file left behind: %s/%s", d, de->d_name);
    closedir(dd);
}

static void test_devices(void **state)
{
    (void)state;
    if (!devnull[0] || !devfull[0])
        skip(); /* root without mknod: never risk the machine's /dev/full */
    char companion[400];
    for (size_t i = 0; i < sizeof FORMATS / sizeof *FORMATS; i++) {
        char *err = NULL;
        assert_int_equal(report(FORMATS[i], devnull, &err), 0);
        free(err);
        assert_chr(devnull);
        snprintf(companion, sizeof companion, "%s.rollback.sql", devnull);
        assert_absent(companion);
        /* /dev/full: ENOSPC must fail the run and name the device. */
        int rc = report(FORMATS[i], devfull, &err);
        if (rc == 0 || !err || !strstr(err, devfull) || !strstr(err, "No space left"))
            fail_msg("-f %s -o %s: exit %d, stderr: %s", FORMATS[i], devfull, rc,
                     err ? err : "(none)");
        free(err);
        assert_chr(devfull);
        snprintf(companion, sizeof companion, "%s.rollback.sql", devfull);
        assert_absent(companion);
    }
}

/* A reader on the FIFO (a child process) copies what it gets to a file. */
static pid_t fifo_reader(const char *fifo, const char *copy)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(fifo, O_RDONLY);
        int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || out < 0)
            _exit(2);
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(3);
        _exit(n == 0 ? 0 : 4);
    }
    return pid;
}

static void test_fifo(void **state)
{
    (void)state;
    char fifo[400], copy[400], companion[420];
    snprintf(fifo, sizeof fifo, "%s/pipe.sql", dir);
    snprintf(copy, sizeof copy, "%s/copy", dir);
    snprintf(companion, sizeof companion, "%s/pipe.rollback.sql", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    for (size_t i = 0; i < sizeof FORMATS / sizeof *FORMATS; i++) {
        pid_t r = fifo_reader(fifo, copy);
        int rc = report(FORMATS[i], fifo, NULL);
        if (rc != 0) {
            kill(r, SIGKILL); /* it would wait for a writer for ever */
            waitpid(r, NULL, 0);
            fail_msg("-f %s -o FIFO: exit %d", FORMATS[i], rc);
        }
        int status;
        assert_int_equal(waitpid(r, &status, 0), r);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        struct stat st;
        assert_int_equal(lstat(fifo, &st), 0);
        assert_true(S_ISFIFO(st.st_mode)); /* still a FIFO */
        char *got = proc_slurp(copy);
        assert_non_null(got);
        const char *expect = i == 0 ? "\"index_advisor\"" : i == 3 ? "CREATE INDEX" : "shop";
        if (!strstr(got, expect))
            fail_msg("-f %s through a FIFO: '%s' not in what the reader got", FORMATS[i], expect);
        free(got);
        assert_absent(companion);
    }
    unlink(fifo);
    unlink(copy);
}

static void test_symlink_and_files(void **state)
{
    (void)state;
    char sub[400], target[450], link[450], missing[450], dlink[450], rb[500];
    snprintf(sub, sizeof sub, "%s/runs", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    for (size_t i = 0; i < sizeof FORMATS / sizeof *FORMATS; i++) {
        /* A link to an existing file: the file is replaced, the link stays. */
        snprintf(target, sizeof target, "%s/42.%s", sub, FORMATS[i]);
        snprintf(link, sizeof link, "%s/latest.%s", dir, FORMATS[i]);
        FILE *f = fopen(target, "w");
        assert_non_null(f);
        fputs("old", f);
        fclose(f);
        assert_int_equal(chmod(target, 0644), 0);
        char rel[64]; /* relative, resolved from the link's directory */
        snprintf(rel, sizeof rel, "runs/42.%s", FORMATS[i]);
        assert_int_equal(symlink(rel, link), 0);
        assert_int_equal(report(FORMATS[i], link, NULL), 0);
        struct stat st;
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(target, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0600);
        char *got = proc_slurp(target);
        assert_non_null(got);
        assert_true(strcmp(got, "old") != 0 && strlen(got) > 100);
        free(got);
        if (i == 3) {
            /* rollback beside the file written: the link's target */
            snprintf(rb, sizeof rb, "%s/42.rollback.sql", sub);
            assert_int_equal(stat(rb, &st), 0);
            assert_int_equal(st.st_mode & 0777, 0600);
        }
        /* A dangling link: its target is created. */
        snprintf(missing, sizeof missing, "%s/new.%s", sub, FORMATS[i]);
        snprintf(dlink, sizeof dlink, "%s/next.%s", dir, FORMATS[i]);
        assert_int_equal(symlink(missing, dlink), 0);
        assert_int_equal(report(FORMATS[i], dlink, NULL), 0);
        assert_int_equal(lstat(dlink, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(missing, &st), 0);
        assert_true(S_ISREG(st.st_mode) && st.st_size > 100);
    }
    assert_no_tmp(dir);
    assert_no_tmp(sub);
}

static void test_directory(void **state)
{
    (void)state;
    char d[400];
    snprintf(d, sizeof d, "%s/adir", dir);
    assert_int_equal(mkdir(d, 0755), 0);
    for (size_t i = 0; i < 3; i++) {
        char *err = NULL;
        int rc = report(FORMATS[i], d, &err);
        if (rc == 0 || !err || !strstr(err, "is a directory"))
            fail_msg("-f %s -o DIR: exit %d, stderr: %s", FORMATS[i], rc, err ? err : "(none)");
        free(err);
    }
    /* sql: a directory is where apply.sql and rollback.sql go (documented). */
    assert_int_equal(report("sql", d, NULL), 0);
    char p[450];
    struct stat st;
    snprintf(p, sizeof p, "%s/apply.sql", d);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(p, sizeof p, "%s/rollback.sql", d);
    assert_int_equal(stat(p, &st), 0);
    assert_no_tmp(d);
}

/* The analysis's own -o (a real run on a saved snapshot with the embedded
 * workers) and saved snapshots go through the same function. */
static void test_analysis_and_snapshot(void **state)
{
    (void)state;
    if (!devfull[0])
        skip();
    char errp[450];
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    char *argv[] = {(char *)proc_bin("pgopt-coordinator"),
                    "--snapshot",
                    snap,
                    "-f",
                    "json",
                    "-o",
                    devfull,
                    NULL};
    int rc = proc_run(argv, NULL, NULL, errp);
    char *err = proc_slurp(errp);
    if (rc == 0 || !err || !strstr(err, devfull))
        fail_msg("analysis -o %s: exit %d, stderr: %s", devfull, rc, err ? err : "(none)");
    free(err);
    assert_chr(devfull);

    json_t *doc = json_pack("{s:{s:i}}", "meta", "format_version", 1);
    err_t e;
    assert_int_equal(snapshot_write_file(devnull, doc, &e), -1); /* no .json/.msgpack */
    char p[450];
    snprintf(p, sizeof p, "%s/s.msgpack", dir);
    assert_int_equal(symlink(devfull, p), 0);
    assert_int_equal(snapshot_write_file(p, doc, &e), -1);
    assert_non_null(strstr(e.msg, devfull));
    assert_chr(devfull);
    snprintf(p, sizeof p, "%s/s.json", dir);
    assert_int_equal(snapshot_write_file(p, doc, &e), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(snapshot_write_file(dir, doc, &e), -1);
    json_decref(doc);
    assert_no_tmp(dir);
}

/* The API on its own: a failed write leaves the old file whole. */
static void test_api(void **state)
{
    (void)state;
    char p[450];
    snprintf(p, sizeof p, "%s/keep.txt", dir);
    err_t e;
    assert_int_equal(outfile_write(p, "first", 5, &e), 0);
    outfile_t *o;
    assert_int_equal(outfile_open(p, &o, &e), 0);
    assert_int_equal(outfile_kind(o), OUTFILE_REGULAR);
    fputs("half of a second vers", outfile_stream(o));
    outfile_destroy(&o); /* abandoned */
    outfile_destroy(&o); /* safe twice */
    char *got = proc_slurp(p);
    assert_string_equal(got, "first");
    free(got);
    assert_no_tmp(dir);
    outfile_kind_t k;
    assert_int_equal(outfile_classify("/dev/null", &k, NULL, 0, &e), 0);
    assert_int_equal(k, OUTFILE_STREAM);
    assert_int_equal(outfile_classify(dir, &k, NULL, 0, &e), -1);
    assert_non_null(strstr(e.msg, "is a directory"));
    snprintf(p, sizeof p, "%s/loop", dir);
    assert_int_equal(symlink(p, p), 0);
    assert_int_equal(outfile_open(p, &o, &e), -1);
    assert_non_null(strstr(e.msg, "symbolic links"));
    assert_int_equal(outfile_open("/nonexistent-dir/x.json", &o, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent-dir"));
    if (devfull[0]) {
        assert_int_equal(outfile_write(devfull, "x", 1, &e), -1);
        assert_non_null(strstr(e.msg, "No space left"));
        assert_chr(devfull);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),       cmocka_unit_test(test_devices),
        cmocka_unit_test(test_fifo),      cmocka_unit_test(test_symlink_and_files),
        cmocka_unit_test(test_directory), cmocka_unit_test(test_analysis_and_snapshot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
