/*
 * test_history.c - the history store (coordinator/history/history.h): round trip,
 * torn tails, a writer killed with SIGKILL in mid-write, concurrent
 * writers, retention and compaction (including a compaction interrupted
 * between its rename and its unlinks), --store attachment, every byte of a
 * small store flipped in turn, and records collected within one second.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "coordinator/history/history.h"

#define SYSID "7000000000000000042"
#define T0    1704067200 /* 2024-01-01T00:00:00Z */

static char root[256];

static void make_root_in(const char *parent, const char *name)
{
    snprintf(root, sizeof root, "%s/pgopt-history-test-%d-%s", parent, (int)getpid(), name);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(mkdir(root, 0755), 0);
}

static void make_root(const char *name)
{
    make_root_in("/tmp", name);
}

static void remove_root(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

/* A snapshot at time t with nstmt statements whose counters grow with k. */
static json_t *snapshot_at(int64_t t, int nstmt, int64_t k)
{
    char at[32];
    history_format_time(t, at, sizeof at);
    json_t *st = json_array();
    for (int i = 0; i < nstmt; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT c%d FROM t WHERE k = $1", i);
        json_array_append_new(
            st,
            json_pack("{s:I, s:I, s:b, s:s, s:I, s:I, s:f, s:f, s:I, s:I}", "queryid",
                      (json_int_t)(100 + i), "userid", (json_int_t)10, "toplevel", 1, "query", q,
                      "calls", (json_int_t)(k * (i + 1)), "rows", (json_int_t)(k * 3),
                      "total_exec_time", 1.5 * (double)k * (i + 1), "stddev_exec_time", 0.25,
                      "shared_blks_hit", (json_int_t)(k * 7), "shared_blks_read", (json_int_t)k));
    }
    return json_pack("{s:{s:i, s:s, s:s, s:s}, s:{s:s, s:I, s:I}, s:{s:i, s:i}, s:o, "
                     "s:[{s:s, s:s, s:I, s:I}]}",
                     "meta", "format_version", 1, "collected_at", at, "database", "app",
                     "system_identifier", SYSID, "database", "name", "app", "size_bytes",
                     (json_int_t)(1000000 + k), "xact_commit", (json_int_t)(k * 10), "activity",
                     "total", 5, "max_connections", 100, "statements", st, "tables", "schema",
                     "public", "name", "t", "total_bytes", (json_int_t)(5000 + k), "seq_scan",
                     (json_int_t)k);
}

static void append_at(history_store_t *s, int64_t t, int nstmt, int64_t k)
{
    json_t *snap = snapshot_at(t, nstmt, k), *rec;
    err_t err;
    if (history_record_from_snapshot(snap, &rec, &err) != 0 || history_append(s, rec, &err) != 0)
        fail_msg("append: %s", err.msg);
    json_decref(rec);
    json_decref(snap);
}

static history_store_t *open_store(void)
{
    history_store_t *s;
    err_t err;
    if (history_open(root, SYSID, "app", &s, &err) != 0)
        fail_msg("open: %s", err.msg);
    return s;
}

static json_t *build_all(history_store_t *s, history_read_stats_t *st)
{
    history_build_opts_t o;
    history_build_opts_init(&o);
    o.max_points = 100000;
    o.max_statements = 100000;
    json_t *h, *info;
    err_t err;
    if (history_build(s, &o, &h, &info, st, &err) != 0)
        fail_msg("build: %s", err.msg);
    json_decref(info);
    return h;
}

static void test_round_trip(void **state)
{
    (void)state;
    make_root("rt");
    history_store_t *s = open_store();
    for (int k = 0; k < 50; k++)
        append_at(s, T0 + 300 * k, 20, k);
    history_read_stats_t st;
    json_t *h = build_all(s, &st);
    assert_int_equal(json_array_size(h), 50);
    assert_int_equal(st.torn_tails + st.bad_frames + st.duplicates, 0);
    json_t *e = json_array_get(h, 17);
    assert_string_equal(json_string_value(json_object_get(e, "collected_at")),
                        "2024-01-01T01:25:00Z");
    json_t *stmts = json_object_get(e, "statements");
    assert_int_equal(json_array_size(stmts), 20);
    /* Values and types survive the columnar round trip. */
    json_t *row = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(stmts, i, r)
    {
        if (json_integer_value(json_object_get(r, "queryid")) == 103)
            row = r;
    }
    assert_non_null(row);
    assert_int_equal(json_integer_value(json_object_get(row, "calls")), 17 * 4);
    assert_true(json_is_true(json_object_get(row, "toplevel")));
    assert_true(json_real_value(json_object_get(row, "total_exec_time")) == 1.5 * 17 * 4);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(e, "database"), "xact_commit")), 170);
    assert_int_equal(json_array_size(json_object_get(e, "tables")), 1);
    json_decref(h);
    /* Thinning: at most max_points entries carry statements, the newest does. */
    history_build_opts_t o;
    history_build_opts_init(&o);
    o.max_points = 10;
    o.max_statements = 5;
    json_t *info;
    err_t err;
    assert_int_equal(history_build(s, &o, &h, &info, &st, &err), 0);
    assert_int_equal(json_array_size(h), 50);
    size_t with = 0;
    json_array_foreach(h, i, r)
    {
        if (json_object_get(r, "statements")) {
            with++;
            assert_int_equal(json_array_size(json_object_get(r, "statements")), 5);
        }
    }
    assert_true(with <= 10 && with >= 8);
    assert_non_null(json_object_get(json_array_get(h, 49), "statements"));
    /* The 5 kept are those with most time: queryids 115..119. */
    json_array_foreach(json_object_get(json_array_get(h, 49), "statements"), i, r)
    {
        assert_true(json_integer_value(json_object_get(r, "queryid")) >= 115);
    }
    json_decref(h);
    json_decref(info);
    /* A statement listed by fingerprint (a recommended rewrite, written
     * with a literal) is shipped too, though it has little time. */
    char fp[32];
    assert_int_equal(history_fingerprint("SELECT c3 FROM t WHERE k = 7", fp, sizeof fp), 0);
    json_t *keep = json_pack("[s]", fp);
    o.keep_fingerprints = keep;
    assert_int_equal(history_build(s, &o, &h, &info, &st, &err), 0);
    int have103 = 0;
    json_array_foreach(json_object_get(json_array_get(h, 49), "statements"), i, r)
    {
        if (json_integer_value(json_object_get(r, "queryid")) == 103) {
            have103 = 1;
            assert_string_equal(json_string_value(json_object_get(r, "text_fingerprint")), fp);
        }
    }
    assert_true(have103);
    assert_int_equal(json_array_size(json_object_get(json_array_get(h, 49), "statements")), 6);
    json_decref(keep);
    json_decref(h);
    json_decref(info);
    history_close(&s);
    history_close(&s); /* safe twice */
    remove_root();
}

static char *only_segment(void)
{
    static char path[600];
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s/app", root, SYSID);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    path[0] = '\0';
    while ((de = readdir(d)))
        if (strncmp(de->d_name, "seg-", 4) == 0)
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    closedir(d);
    assert_true(path[0] != '\0');
    return path;
}

/* A frame cut short (what a crash mid-write leaves) is ignored by readers
 * and cut off by the next writer. */
static void test_torn_tail(void **state)
{
    (void)state;
    make_root("torn");
    history_store_t *s = open_store();
    for (int k = 0; k < 10; k++)
        append_at(s, T0 + 300 * k, 5, k);
    const char *seg = only_segment();
    struct stat before;
    assert_int_equal(stat(seg, &before), 0);
    /* Append the first 37 bytes of a valid frame by hand. */
    int fd = open(seg, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(
        write(fd, "PGH1\x10\x00\x00\x00\x10\x00\x00\x00garbage-garbage-garbage-xx", 37), 37);
    close(fd);
    history_read_stats_t st;
    json_t *h = build_all(s, &st);
    assert_int_equal(json_array_size(h), 10);
    assert_int_equal(st.torn_tails + st.bad_frames, 1);
    json_decref(h);
    append_at(s, T0 + 300 * 10, 5, 10);
    h = build_all(s, &st);
    assert_int_equal(json_array_size(h), 11);
    assert_int_equal(st.torn_tails + st.bad_frames, 0);
    json_decref(h);
    history_close(&s);
    remove_root();
}

/* A real writer killed with SIGKILL at random points of its append loop:
 * every record it completed reads back whole, and writing goes on. */
static void test_kill_mid_write(void **state)
{
    (void)state;
    make_root("kill");
    srand(7);
    int64_t next = 0;
    size_t torn = 0;
    for (int round = 0; round < 6; round++) {
        int ready[2];
        assert_int_equal(pipe(ready), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(ready[0]);
            history_store_t *s;
            err_t err;
            if (history_open(root, SYSID, "app", &s, &err) != 0)
                _exit(2);
            /* Large records (1500 statements, ~100 KB) so kills land inside
             * write() and fsync() as well as in encoding. */
            for (int64_t k = next;; k++) {
                json_t *snap = snapshot_at(T0 + 300 * k, 1500, k), *rec;
                if (history_record_from_snapshot(snap, &rec, &err) != 0 ||
                    history_append(s, rec, &err) != 0)
                    _exit(3);
                json_decref(rec);
                json_decref(snap);
                if (write(ready[1], "r", 1) != 1)
                    _exit(4);
            }
        }
        /* Kill after the child says it completed 1-3 more records (an
         * event, not a guess at its speed), at a random moment of the next
         * one: encoding, write() or fsync(). */
        close(ready[1]);
        int want = 1 + rand() % 3;
        char c;
        for (int got = 0; got < want; got++)
            assert_int_equal(read(ready[0], &c, 1), 1);
        struct timespec jitter = {0, (long)(rand() % 100000) * 1000L};
        nanosleep(&jitter, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        close(ready[0]); /* only now: an earlier close would SIGPIPE the writer */
        history_store_t *s = open_store();
        history_read_stats_t st;
        json_t *h = build_all(s, &st);
        assert_int_equal(st.bad_frames, 0);
        torn += st.torn_tails;
        size_t n = json_array_size(h);
        assert_true(n >= (size_t)next);
        /* Every record is complete: all statements, strictly increasing times. */
        size_t i;
        json_t *e;
        json_array_foreach(h, i, e)
        {
            assert_int_equal(json_array_size(json_object_get(e, "statements")), 1500);
        }
        next = (int64_t)n;
        json_decref(h);
        history_close(&s);
    }
    print_message("kill -9 rounds: %lld complete records survived; %zu kills left a torn tail\n",
                  (long long)next, torn);
    assert_true(next > 6);
    remove_root();
}

static void test_concurrent_writers(void **state)
{
    (void)state;
    make_root("conc");
    enum { WRITERS = 4, EACH = 40 };
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            history_store_t *s;
            err_t err;
            if (history_open(root, SYSID, "app", &s, &err) != 0)
                _exit(2);
            for (int k = 0; k < EACH; k++) {
                json_t *snap = snapshot_at(T0 + 60 * (k * WRITERS + w), 200, k), *rec;
                if (history_record_from_snapshot(snap, &rec, &err) != 0 ||
                    history_append(s, rec, &err) != 0)
                    _exit(3);
                json_decref(rec);
                json_decref(snap);
            }
            history_close(&s);
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    history_store_t *s = open_store();
    history_read_stats_t st;
    json_t *h = build_all(s, &st);
    assert_int_equal(json_array_size(h), WRITERS * EACH);
    assert_int_equal(st.torn_tails + st.bad_frames + st.duplicates, 0);
    json_decref(h);
    history_close(&s);
    remove_root();
}

static size_t count_segments(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s/app", root, SYSID);
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, "seg-", 4) == 0;
    closedir(d);
    return n;
}

static void test_retention_compaction(void **state)
{
    (void)state;
    make_root("compact");
    history_store_t *s = open_store();
    /* 40 days every 30 minutes. */
    int n = 40 * 48;
    for (int k = 0; k < n; k++)
        append_at(s, T0 + 1800 * (int64_t)k, 1, k);
    int64_t now = T0 + 1800 * (int64_t)(n - 1);
    history_policy_t p;
    history_policy_init(&p); /* 35 days, full 7 days, thin to 1 hour */
    /* Expected: within 7 days all (7*48 + 1), 7..35 days one per hour. */
    size_t expect = 0;
    int64_t last_bucket = -1;
    for (int k = 0; k < n; k++) {
        int64_t t = T0 + 1800 * (int64_t)k, age = now - t;
        if (age > p.retention_s)
            continue;
        if (age > p.full_s) {
            if (t / 3600 == last_bucket)
                continue;
            last_bucket = t / 3600;
        }
        expect++;
    }
    history_compact_stats_t cs;
    err_t err;
    assert_int_equal(history_compact(s, &p, now, 0, &cs, &err), 0);
    assert_true(cs.rewritten);
    assert_int_equal(cs.records_before, (size_t)n);
    assert_int_equal(cs.records_after, expect);
    assert_int_equal(count_segments(), 1);
    history_read_stats_t st;
    json_t *h = build_all(s, &st);
    assert_int_equal(json_array_size(h), expect);
    double oldest;
    assert_int_equal(
        history_parse_time(json_string_value(json_object_get(json_array_get(h, 0), "collected_at")),
                           &oldest, &err),
        0);
    assert_true(now - oldest <= p.retention_s);
    json_decref(h);
    /* Nothing to do the second time. */
    assert_int_equal(history_compact(s, &p, now, 0, &cs, &err), 0);
    assert_false(cs.rewritten);
    /* A compaction interrupted after installing its segment but before
     * removing the old one leaves duplicates: readers drop them, the next
     * compaction removes them. */
    const char *seg = only_segment();
    char copy[700];
    snprintf(copy, sizeof copy, "%.*sseg-00000099.phs", (int)(strrchr(seg, '/') - seg + 1), seg);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", seg, copy);
    assert_int_equal(system(cmd), 0);
    h = build_all(s, &st);
    assert_int_equal(json_array_size(h), expect);
    assert_int_equal(st.duplicates, expect);
    json_decref(h);
    assert_int_equal(history_compact(s, &p, now, 0, &cs, &err), 0);
    assert_true(cs.rewritten);
    assert_int_equal(count_segments(), 1);
    h = build_all(s, &st);
    assert_int_equal(json_array_size(h), expect);
    assert_int_equal(st.duplicates, 0);
    json_decref(h);
    history_close(&s);
    remove_root();
}

static void test_attach(void **state)
{
    (void)state;
    make_root("attach");
    history_store_t *s = open_store();
    for (int k = 0; k < 30; k++)
        append_at(s, T0 + 300 * k, 3, k);
    history_close(&s);
    json_t *snap = snapshot_at(T0 + 300 * 30, 3, 30);
    err_t err;
    assert_int_equal(history_attach(snap, root, &err), 0);
    assert_int_equal(json_array_size(json_object_get(snap, "history")), 31);
    json_t *mh = json_object_get(json_object_get(snap, "meta"), "history");
    assert_string_equal(json_string_value(json_object_get(mh, "source")), "store");
    assert_int_equal(json_integer_value(json_object_get(mh, "records")), 30);
    assert_true(json_is_true(json_object_get(mh, "includes_current_snapshot")));
    json_decref(snap);
    /* Another database: no records, a note, no error. */
    snap = snapshot_at(T0, 3, 1);
    json_object_set_new(json_object_get(snap, "meta"), "database", json_string("other"));
    assert_int_equal(history_attach(snap, root, &err), 0);
    assert_int_equal(json_array_size(json_object_get(snap, "history")), 1);
    const char *note = json_string_value(
        json_array_get(json_object_get(json_object_get(snap, "meta"), "notes"), 0));
    assert_non_null(note);
    assert_non_null(strstr(note, "no records"));
    json_decref(snap);
    /* Bad input: no directory, no identity. */
    snap = snapshot_at(T0, 1, 1);
    assert_int_equal(history_attach(snap, "/nonexistent/pgopt", &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));
    json_object_del(json_object_get(snap, "meta"), "system_identifier");
    assert_int_equal(history_attach(snap, root, &err), -1);
    assert_non_null(strstr(err.msg, "system_identifier"));
    json_decref(snap);
    remove_root();
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void write_file(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void empty_store_dir(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -f '%s/%s/app/'seg-*", root, SYSID);
    assert_int_equal(system(cmd), 0);
}

/* Which records (k = database.size_bytes - 1000000) a build returned, and
 * whether each came with its statements. */
static void records_seen(const json_t *h, int *seen, int *with_rows, int n)
{
    for (int k = 0; k < n; k++)
        seen[k] = with_rows[k] = 0;
    size_t i;
    json_t *e;
    json_array_foreach(h, i, e)
    {
        json_int_t k =
            json_integer_value(json_object_get(json_object_get(e, "database"), "size_bytes")) -
            1000000;
        assert_true(k >= 0 && k < n); /* never a record that was not written */
        assert_false(seen[k]);
        seen[k] = 1;
        json_t *st = json_object_get(e, "statements");
        with_rows[k] = json_array_size(st) == 1 &&
                       json_integer_value(json_object_get(json_array_get(st, 0), "calls")) == k;
    }
}

/* One flipped byte anywhere in a store costs at most the record it hit:
 * readers resynchronise on the next frame, the next append and compaction
 * keep every intact record, cut nothing but a torn tail, and move the
 * damaged segment aside instead of deleting it. Every byte, in turn. */
static void test_flip_each_byte(void **state)
{
    (void)state;
    enum { N = 3 };
    /* Thousands of appends and compactions: on tmpfs when there is one,
     * where fsync() costs nothing (durability is test_kill_mid_write's). */
    struct stat shm;
    make_root_in(stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) &&
                         access("/dev/shm", W_OK) == 0
                     ? "/dev/shm"
                     : "/tmp",
                 "flip");
    history_store_t *s = open_store();
    size_t bound[N + 1] = {0};
    for (int k = 0; k < N; k++) {
        append_at(s, T0 + 300 * k, 1, k);
        struct stat st;
        assert_int_equal(stat(only_segment(), &st), 0);
        bound[k + 1] = (size_t)st.st_size;
    }
    char seg[600];
    snprintf(seg, sizeof seg, "%s", only_segment());
    size_t len;
    unsigned char *pristine = read_file(seg, &len);
    assert_int_equal(len, bound[N]);
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    history_policy_t p;
    history_policy_init(&p);
    size_t moved = 0, torn = 0, kept = 0;
    for (size_t i = 0; i < len; i++) {
        int hit = 0; /* the record whose frame holds byte i */
        while (bound[hit + 1] <= i)
            hit++;
        empty_store_dir();
        memcpy(bad, pristine, len);
        bad[i] ^= 0xFF;
        write_file(seg, bad, len);
        history_read_stats_t st;
        json_t *h = build_all(s, &st);
        int seen[N + 1], rows[N + 1];
        records_seen(h, seen, rows, N);
        for (int k = 0; k < N; k++)
            if (k != hit && !(seen[k] && rows[k]))
                fail_msg("byte %zu (record %d) flipped: intact record %d lost", i, hit, k);
        json_decref(h);
        /* Append, then compact: nothing intact may go, nothing but a torn
         * tail may be cut, and damage goes aside, not away. */
        append_at(s, T0 + 300 * N, 1, N);
        size_t now_len;
        int cut = 0;
        unsigned char *now = read_file(seg, &now_len);
        assert_non_null(now);
        if (now_len < len || memcmp(now, bad, len) != 0) {
            /* Cut (and appended after): only the hit record's frame, and
             * only when it is the last one, i.e. it looked like a torn tail. */
            assert_int_equal(hit, N - 1);
            assert_true(now_len >= bound[N - 1]);
            assert_memory_equal(now, bad, bound[N - 1]);
            torn++;
            cut = 1;
        }
        free(now);
        history_compact_stats_t cs;
        err_t err;
        if (history_compact(s, &p, T0 + 300 * N, 0, &cs, &err) != 0)
            fail_msg("byte %zu: compact: %s", i, err.msg);
        h = build_all(s, &st);
        records_seen(h, seen, rows, N + 1);
        for (int k = 0; k <= N; k++)
            if (k != hit && !(seen[k] && rows[k]))
                fail_msg("byte %zu flipped: record %d lost after append + compaction", i, k);
        assert_int_equal(st.bad_frames + st.torn_tails + st.duplicates, 0);
        json_decref(h);
        char aside[700];
        snprintf(aside, sizeof aside, "%s/%s/app/seg-00000001.damaged", root, SYSID);
        size_t alen;
        unsigned char *a = read_file(aside, &alen);
        if (cs.segments_moved_aside) {
            assert_non_null(a);
            assert_true(alen >= len);
            assert_memory_equal(a, bad, len);
            moved++;
        } else {
            assert_null(a);
            /* Not moved aside: the damage was a torn tail (cut), or a
             * record body that compaction had no reason to rewrite: the
             * damaged bytes are still in place, not deleted. */
            if (!cut) {
                assert_false(cs.rewritten);
                unsigned char *still = read_file(seg, &now_len);
                assert_non_null(still);
                assert_true(now_len >= len);
                assert_memory_equal(still, bad, len);
                free(still);
                kept++;
            }
        }
        free(a);
        unlink(aside);
    }
    print_message("%zu bytes flipped one at a time: %zu segments moved aside, %zu torn tails "
                  "cut, %zu damaged bodies left in place; no intact record lost\n",
                  len, moved, torn, kept);
    free(bad);
    free(pristine);
    history_close(&s);
    remove_root();
}

/* Records collected within the same second are two records: kept through
 * compaction. Old records without t_us fall back to collected_at's fraction. */
static void test_same_second(void **state)
{
    (void)state;
    make_root("subsec");
    history_store_t *s = open_store();
    const char *ats[] = {"2024-01-01T00:00:00.100000Z", "2024-01-01T00:00:00.600000Z",
                         "2024-01-01T00:00:00.900001Z"};
    for (int k = 0; k < 3; k++) {
        json_t *snap = snapshot_at(T0, 2, k), *rec;
        json_object_set_new(json_object_get(snap, "meta"), "collected_at", json_string(ats[k]));
        err_t err;
        assert_int_equal(history_record_from_snapshot(snap, &rec, &err), 0);
        if (k == 2) /* as written before t_us existed */
            json_object_del(json_object_get(rec, "header"), "t_us");
        assert_int_equal(history_append(s, rec, &err), 0);
        json_decref(rec);
        json_decref(snap);
    }
    history_read_stats_t st;
    json_t *h = build_all(s, &st);
    assert_int_equal(json_array_size(h), 3);
    assert_int_equal(st.duplicates + st.same_time, 0);
    json_decref(h);
    history_policy_t p;
    history_policy_init(&p);
    history_compact_stats_t cs;
    err_t err;
    assert_int_equal(history_compact(s, &p, T0 + 10, 0, &cs, &err), 0);
    assert_int_equal(cs.records_after, 3);
    /* The very same record twice is a duplicate; a different record with
     * the same microsecond is dropped and counted apart, never silently. */
    json_t *snap = snapshot_at(T0, 2, 7), *rec;
    json_object_set_new(json_object_get(snap, "meta"), "collected_at", json_string(ats[1]));
    assert_int_equal(history_record_from_snapshot(snap, &rec, &err), 0);
    assert_int_equal(history_append(s, rec, &err), 0);
    json_decref(rec);
    json_decref(snap);
    h = build_all(s, &st);
    assert_int_equal(json_array_size(h), 3);
    assert_int_equal(st.same_time, 1);
    json_decref(h);
    json_t *info;
    history_build_opts_t o;
    history_build_opts_init(&o);
    assert_int_equal(history_build(s, &o, &h, &info, &st, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(info, "same_time_dropped")), 1);
    json_decref(info);
    json_decref(h);
    assert_int_equal(history_compact(s, &p, T0 + 10, 0, &cs, &err), 0);
    assert_true(cs.rewritten);
    assert_int_equal(cs.same_time_dropped, 1);
    assert_int_equal(cs.records_after, 3);
    history_close(&s);
    remove_root();
}

static void test_parse_time(void **state)
{
    (void)state;
    double t;
    err_t err;
    assert_int_equal(history_parse_time("2024-01-01T00:00:00Z", &t, &err), 0);
    assert_true(t == T0);
    assert_int_equal(history_parse_time("2024-01-01T01:30:00.5+01:30", &t, &err), 0);
    assert_true(t == T0 + 0.5);
    assert_int_equal(history_parse_time("yesterday", &t, &err), -1);
    assert_non_null(strstr(err.msg, "yesterday"));
    assert_int_equal(history_parse_time("2024-13-01T00:00:00Z", &t, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_kill_mid_write),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_retention_compaction),
        cmocka_unit_test(test_attach),
        cmocka_unit_test(test_flip_each_byte),
        cmocka_unit_test(test_same_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
