/*
 * history.c - the history store (history.h, docs/HISTORY.md).
 */
#include "coordinator/history/history.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pg_query.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "coordinator/history/histframe.h"
#include "proto/codec.h"

#define SEGMENT_ROTATE (64 << 20) /* start a new segment past this size */
#define MAX_SEGMENTS   100000

struct history_store {
    char path[PATH_MAX];
    int lock_fd;
};

/* ---- small helpers ----------------------------------------------------- */

/* Writes all len bytes of buf to fd, resuming after short writes and EINTR.
 * 0, or -1 with errno set by the failed write(). */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes at offset off of fd into buf, resuming after short
 * reads and EINTR. 0, or -1 on a read error (errno set) or when the file ends
 * first (a truncated frame). */
static int read_at(int fd, void *buf, size_t len, off_t off)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return -1;
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

/* Flushes directory path's entries (a new or renamed segment) to disk. 0, or
 * -1 with errno set when it cannot be opened or synced. */
static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Creates the store directory path and its missing parents (mode 0755). 0, or
 * -1 with err naming the path that is too long, cannot be created or exists
 * as something other than a directory. */
static int mkdir_p(const char *path, err_t *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return err_set(err, "history store path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return err_set(err, "cannot create %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return err_set(err, "cannot create %s: %s", tmp, strerror(errno));
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(err, "history store %s is not a directory", tmp);
    return 0;
}

/* Database names may hold any character: keep [A-Za-z0-9_-], escape the
 * rest as %XX so the name maps to one directory and back. */
static void escape_name(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < len; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-')
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, len - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

int history_parse_time(const char *text, double *epoch, err_t *err)
{
    return clock_parse_iso8601(text, epoch, err);
}

void history_format_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- records ----------------------------------------------------------- */

static const char *const STATEMENT_FIELDS[] = {
    "queryid",
    "userid",
    "toplevel",
    "calls",
    "rows",
    "total_exec_time",
    "stddev_exec_time",
    "total_plan_time",
    "shared_blks_hit",
    "shared_blks_read",
    "shared_blks_dirtied",
    "shared_blks_written",
    "temp_blks_read",
    "temp_blks_written",
    "blk_read_time",
    "wal_bytes",
    "plan_hash", /* generic-plan shape (coordinator/collect/planprint.h), top statements only */
    "text_fingerprint", /* libpg_query fingerprint of the text (history_fingerprint) */
    NULL,
};

static const char *const TABLE_FIELDS[] = {
    "schema",
    "name",
    "total_bytes",
    "table_bytes",
    "index_bytes",
    "seq_scan",
    "seq_tup_read",
    "idx_scan",
    "idx_tup_fetch",
    "n_tup_ins",
    "n_tup_upd",
    "n_tup_del",
    "n_live_tup",
    "n_dead_tup",
    "heap_blks_read",
    "heap_blks_hit",
    "last_analyze",
    "last_autoanalyze",
    NULL,
};

/* Index definitions and validity: what the agent diffs to see an index
 * created, dropped or made invalid between two records. */
static const char *const INDEX_FIELDS[] = {
    /* idx_scan: applied.c tells an index no plan used (a time change of
     * its statements is then not its doing) */
    "schema", "table", "name", "definition", "is_valid", "idx_scan", NULL,
};

/* At most this many indexes per record (by name order, as collected). */
#define HISTORY_MAX_INDEXES 2000

/* pg_settings rows reduced to {name: "setting[ unit]"} for the settings
 * not at their built-in default: a diff of two such maps shows every
 * setting changed (a name missing on one side is at its default there). */
static json_t *settings_map(const json_t *rows)
{
    json_t *m = json_object();
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *set = json_string_value(json_object_get(r, "setting"));
        const char *src = json_string_value(json_object_get(r, "source"));
        const char *unit = json_string_value(json_object_get(r, "unit"));
        if (!name || !set || (src && !strcmp(src, "default")))
            continue;
        /* Per-session noise: the collector's own session settings. */
        if (src && (!strcmp(src, "session") || !strcmp(src, "client")))
            continue;
        char v[300];
        snprintf(v, sizeof v, "%s%s%s", set, unit ? " " : "", unit ? unit : "");
        json_object_set_new(m, name, json_string(v));
    }
    return m;
}

int history_fingerprint(const char *sql, char *out, size_t len)
{
    if (len)
        out[0] = 0;
    if (!sql || !*sql || len < 17)
        return -1;
    PgQueryFingerprintResult r = pg_query_fingerprint(sql);
    int ok = !r.error && r.fingerprint_str && strlen(r.fingerprint_str) == 16;
    if (ok)
        snprintf(out, len, "%s", r.fingerprint_str);
    pg_query_free_fingerprint_result(r);
    return ok ? 0 : -1;
}

/* The text_fingerprint column: one per statement row, from its query text
 * (null when the text is missing or does not parse, e.g. cut by
 * track_activity_query_size). The text itself is not kept. */
static json_t *fingerprint_column(const json_t *rows)
{
    json_t *col = json_array();
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        char fp[32];
        json_array_append_new(
            col,
            history_fingerprint(json_string_value(json_object_get(r, "query")), fp, sizeof fp) == 0
                ? json_string(fp)
                : json_null());
    }
    return col;
}

json_t *history_rewrite_fingerprints(const json_t *result)
{
    json_t *out = json_array();
    size_t i;
    const json_t *rw;
    json_array_foreach(json_object_get(json_object_get(result, "query_rewriter"), "rewrites"), i,
                       rw)
    {
        char fp[32];
        if (history_fingerprint(json_string_value(json_object_get(rw, "optimized")), fp,
                                sizeof fp) == 0)
            json_array_append_new(out, json_string(fp));
    }
    return out;
}

/* Rows (array of maps) to columns (map of arrays); absent values -> null. */
static json_t *to_columns(const json_t *rows, const char *const *fields)
{
    json_t *cols = json_object();
    for (const char *const *f = fields; *f; f++)
        json_object_set_new(cols, *f, json_array());
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (const char *const *f = fields; *f; f++) {
            json_t *v = json_object_get(row, *f);
            json_array_append_new(json_object_get(cols, *f), v ? json_incref(v) : json_null());
        }
    }
    return cols;
}

/* Copies src's key into dst (a deep copy) when present and not null. */
static void copy_field(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v && !json_is_null(v))
        json_object_set_new(dst, key, json_deep_copy(v));
}

int history_record_from_snapshot(const json_t *snapshot, json_t **out, err_t *err)
{
    const json_t *meta = json_object_get(snapshot, "meta");
    const char *at = json_string_value(json_object_get(meta, "collected_at"));
    double t;
    if (history_parse_time(at, &t, err) != 0)
        return err_prefix(err, "snapshot meta.collected_at: ");
    json_t *header = json_object();
    json_object_set_new(header, "v", json_integer(1));
    json_object_set_new(header, "collected_at", json_string(at));
    json_object_set_new(header, "t", json_integer((json_int_t)floor(t)));
    /* Microseconds: two collections within one second are two records. */
    json_object_set_new(header, "t_us", json_integer((json_int_t)llround(t * 1e6)));
    copy_field(header, meta, "system_identifier");
    copy_field(header, meta, "database");
    copy_field(header, meta, "stats_reset");
    copy_field(header, meta, "server_started_at");
    if (json_is_array(json_object_get(snapshot, "settings")))
        json_object_set_new(header, "settings",
                            settings_map(json_object_get(snapshot, "settings")));
    copy_field(header, snapshot, "database");
    copy_field(header, snapshot, "bgwriter");
    const json_t *act = json_object_get(snapshot, "activity");
    if (json_is_object(act)) {
        json_t *a = json_object();
        copy_field(a, act, "total");
        copy_field(a, act, "max_connections");
        copy_field(a, act, "by_state");
        copy_field(a, act, "waiting");
        copy_field(a, act, "waiting_here");
        json_object_set_new(header, "activity", a);
    }
    const json_t *host = json_object_get(snapshot, "host");
    if (json_is_object(host)) {
        json_t *h = json_object();
        copy_field(h, host, "cpus");
        copy_field(h, host, "memory_bytes");
        copy_field(h, host, "cloud");
        json_object_set_new(header, "host", h);
    }
    json_t *body = json_object();
    const json_t *st = json_object_get(snapshot, "statements");
    if (json_is_array(st)) {
        json_t *cols = to_columns(st, STATEMENT_FIELDS);
        json_object_set_new(cols, "text_fingerprint", fingerprint_column(st));
        json_object_set_new(body, "statements", cols);
    }
    const json_t *tb = json_object_get(snapshot, "tables");
    if (json_is_array(tb))
        json_object_set_new(body, "tables", to_columns(tb, TABLE_FIELDS));
    const json_t *ix = json_object_get(snapshot, "indexes");
    if (json_is_array(ix)) {
        json_t *cut = json_array();
        for (size_t i = 0; i < json_array_size(ix) && i < HISTORY_MAX_INDEXES; i++)
            json_array_append(cut, json_array_get(ix, i));
        json_object_set_new(body, "indexes", to_columns(cut, INDEX_FIELDS));
        json_decref(cut);
    }
    *out = json_pack("{s:o, s:o}", "header", header, "body", body);
    return *out ? 0 : err_set(err, "out of memory");
}

/* Columns back to rows, keeping row i when keep is NULL or keep[i]. */
static json_t *to_rows(const json_t *cols, const char *const *fields, const unsigned char *keep)
{
    json_t *rows = json_array();
    if (!json_is_object(cols))
        return rows;
    size_t n = json_array_size(json_object_get(cols, fields[0]));
    for (size_t i = 0; i < n; i++) {
        if (keep && !keep[i])
            continue;
        json_t *row = json_object();
        for (const char *const *f = fields; *f; f++) {
            json_t *v = json_array_get(json_object_get(cols, *f), i);
            if (v && !json_is_null(v))
                json_object_set(row, *f, v);
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

/* A history entry holding the header's per-snapshot facts (collected_at,
 * database, bgwriter, activity, host, stats_reset, server_started_at,
 * settings), those it has; history_entry_from_record adds the body's rows. */
static json_t *entry_from_header(const json_t *header)
{
    json_t *e = json_object();
    copy_field(e, header, "collected_at");
    copy_field(e, header, "database");
    copy_field(e, header, "bgwriter");
    copy_field(e, header, "activity");
    copy_field(e, header, "host");
    copy_field(e, header, "stats_reset");
    copy_field(e, header, "server_started_at");
    copy_field(e, header, "settings");
    return e;
}

json_t *history_entry_from_record(const json_t *header, const json_t *body, int with_rows)
{
    json_t *e = entry_from_header(header);
    if (with_rows && json_is_object(body)) {
        if (json_object_get(body, "statements"))
            json_object_set_new(
                e, "statements",
                to_rows(json_object_get(body, "statements"), STATEMENT_FIELDS, NULL));
        if (json_object_get(body, "tables"))
            json_object_set_new(e, "tables",
                                to_rows(json_object_get(body, "tables"), TABLE_FIELDS, NULL));
        if (json_object_get(body, "indexes"))
            json_object_set_new(e, "indexes",
                                to_rows(json_object_get(body, "indexes"), INDEX_FIELDS, NULL));
    }
    return e;
}

/* ---- store ------------------------------------------------------------- */

int history_open(const char *dir, const char *system_identifier, const char *database,
                 history_store_t **out, err_t *err)
{
    *out = NULL;
    if (!dir || !*dir)
        return err_set(err, "history store: no directory given");
    if (!system_identifier || !*system_identifier)
        return err_set(err, "history store: the snapshot has no meta.system_identifier");
    if (!database || !*database)
        return err_set(err, "history store: the snapshot has no meta.database");
    char sys[128], db[256];
    escape_name(system_identifier, sys, sizeof sys);
    escape_name(database, db, sizeof db);
    history_store_t *s = xcalloc(1, sizeof *s);
    s->lock_fd = -1;
    if (snprintf(s->path, sizeof s->path, "%s/%s/%s", dir, sys, db) >= (int)sizeof s->path) {
        free(s);
        return err_set(err, "history store path too long under %s", dir);
    }
    if (mkdir_p(s->path, err) != 0) {
        free(s);
        return -1;
    }
    char lock[PATH_MAX + 8];
    snprintf(lock, sizeof lock, "%s/lock", s->path);
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        err_set(err, "cannot open %s: %s", lock, strerror(errno));
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void history_close(history_store_t **store)
{
    if (!store || !*store)
        return;
    if ((*store)->lock_fd >= 0)
        close((*store)->lock_fd);
    free(*store);
    *store = NULL;
}

const char *history_path(const history_store_t *store)
{
    return store->path;
}

/* Takes the store's lock file with flock (how: LOCK_SH to read, LOCK_EX to
 * append or compact), waiting for other processes. 0, or -1 with err set. */
static int lock_store(history_store_t *s, int how, err_t *err)
{
    while (flock(s->lock_fd, how) != 0) {
        if (errno != EINTR)
            return err_set(err, "cannot lock %s/lock: %s", s->path, strerror(errno));
    }
    return 0;
}

static void unlock_store(history_store_t *s)
{
    flock(s->lock_fd, LOCK_UN);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Segment numbers present, sorted. */
static int list_segments(const history_store_t *s, uint32_t **nums, size_t *count, err_t *err)
{
    *nums = NULL;
    *count = 0;
    DIR *d = opendir(s->path);
    if (!d)
        return err_set(err, "cannot list %s: %s", s->path, strerror(errno));
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        unsigned n;
        char tail[8];
        if (sscanf(de->d_name, "seg-%8u.%7s", &n, tail) != 2 || strcmp(tail, "phs") != 0 ||
            strlen(de->d_name) != 16)
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            *nums = xreallocarray(*nums, cap, sizeof **nums);
        }
        (*nums)[(*count)++] = n;
    }
    closedir(d);
    if (*count)
        qsort(*nums, *count, sizeof **nums, cmp_u32);
    return 0;
}

static void segment_path(const history_store_t *s, uint32_t n, char *buf, size_t len)
{
    snprintf(buf, len, "%s/seg-%08u.phs", s->path, n);
}

/* One frame located in a segment. */
typedef struct {
    uint32_t seg;
    off_t off;
    uint32_t hlen, blen, body_crc, header_crc;
    int64_t t;    /* epoch seconds (retention, thinning) */
    int64_t t_us; /* epoch microseconds (order, duplicates) */
    json_t *header;
} frame_t;

typedef struct {
    frame_t *v;
    size_t n, cap;
} frames_t;

/* Releases the frame list and its decoded headers; f is empty afterwards. */
static void frames_free(frames_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        json_decref(f->v[i].header);
    free(f->v);
    memset(f, 0, sizeof *f);
}

/* A record's time in microseconds: the header's t_us; for records written
 * before it existed, collected_at (which keeps the fraction); else t. */
static int64_t header_time_us(const json_t *h)
{
    json_t *us = json_object_get(h, "t_us");
    if (json_is_integer(us))
        return json_integer_value(us);
    double e;
    if (history_parse_time(json_string_value(json_object_get(h, "collected_at")), &e, NULL) == 0)
        return (int64_t)llround(e * 1e6);
    return json_integer_value(json_object_get(h, "t")) * 1000000;
}

/* What one segment's scan found (histframe.h), plus headers that passed
 * their checksum but do not decode as a record header. */
typedef struct {
    histframe_scan_t frames;
    size_t bad_headers;
} segment_scan_t;

typedef struct {
    uint32_t seg;
    frames_t *out;
    segment_scan_t *scan;
    err_t *err;
} scan_ctx_t;

/* histframe scan callback: decodes one frame's header and appends the frame's
 * place, sizes, checksums and time to c->out. A header that does not decode or
 * has no integer t is counted in bad_headers and skipped. Always 0: no frame
 * stops the scan. */
static int on_frame(void *arg, const histframe_t *hf)
{
    scan_ctx_t *c = arg;
    json_t *h = NULL;
    if (codec_decode(hf->header, hf->hlen, &CODEC_LIMITS_DOCUMENT, &h, NULL) != 0 ||
        !json_is_integer(json_object_get(h, "t"))) {
        json_decref(h);
        c->scan->bad_headers++;
        return 0;
    }
    frames_t *out = c->out;
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 256;
        out->v = xreallocarray(out->v, cap, sizeof *out->v);
        out->cap = cap;
    }
    frame_t *f = &out->v[out->n++];
    f->seg = c->seg;
    f->off = (off_t)hf->off;
    f->hlen = hf->hlen;
    f->blen = hf->blen;
    f->body_crc = hf->body_crc;
    f->header_crc = hf->header_crc;
    f->t = json_integer_value(json_object_get(h, "t"));
    f->t_us = header_time_us(h);
    f->header = h;
    return 0;
}

/* Walks the frames of one open segment (mapped, so damage anywhere can be
 * stepped over: histframe_scan resynchronises on the next good frame).
 * Appends frames with decoded headers to out when out is not NULL. */
static int scan_segment(int fd, uint32_t seg, frames_t *out, segment_scan_t *scan, err_t *err)
{
    memset(scan, 0, sizeof *scan);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return err_set(err, "stat segment %u: %s", seg, strerror(errno));
    if (st.st_size == 0) {
        scan->frames.clean_end = 1;
        return 0;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return err_set(err, "cannot map segment %u (%zu bytes): %s", seg, size, strerror(errno));
    frames_t none = {0};
    scan_ctx_t c = {seg, out ? out : &none, scan, err};
    int rc = histframe_scan(map, size, out ? on_frame : NULL, &c, &scan->frames);
    munmap(map, size);
    return rc == 0 ? 0 : -1;
}

/* qsort order of frames: by collection time (us), then segment, then offset,
 * so equal times keep the order they were written in. */
static int cmp_frame(const void *a, const void *b)
{
    const frame_t *x = a, *y = b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    if (x->seg != y->seg)
        return x->seg < y->seg ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Per-segment findings of scan_store, for compaction. */
typedef struct {
    uint32_t *num;
    unsigned char *damaged; /* damaged regions or undecodable headers */
    unsigned char *torn;
    size_t n;
} segments_t;

/* Releases the segment list's arrays; g is empty afterwards. */
static void segments_free(segments_t *g)
{
    free(g->num);
    free(g->damaged);
    free(g->torn);
    memset(g, 0, sizeof *g);
}

/* Adds one segment's scan counts (bytes, torn tails, bad frames, damaged
 * bytes) to the read stats. Cannot fail. */
static void add_scan_stats(history_read_stats_t *stats, const segment_scan_t *sc)
{
    stats->bytes += sc->frames.good_bytes + sc->frames.damaged_bytes + sc->frames.torn_bytes;
    stats->torn_tails += (size_t)sc->frames.torn;
    stats->bad_frames += sc->frames.damaged + sc->bad_headers;
    stats->damaged_bytes += sc->frames.damaged_bytes;
}

/* Every good frame of the store, sorted by time. The same record seen twice
 * (same time and header checksum: a compaction interrupted after its
 * rename) is dropped as a duplicate; a different record with the very same
 * microsecond is dropped too and counted apart (same_time), so that it is
 * reported, not silently merged. segs (optional) gets per-segment damage. */
static int scan_store(history_store_t *s, frames_t *out, history_read_stats_t *stats,
                      segments_t *segs, err_t *err)
{
    uint32_t *nums;
    size_t nseg;
    memset(out, 0, sizeof *out);
    if (segs)
        memset(segs, 0, sizeof *segs);
    if (list_segments(s, &nums, &nseg, err) != 0)
        return -1;
    if (segs) {
        segs->num = nums;
        segs->n = nseg;
        segs->damaged = xcalloc(nseg ? nseg : 1, 1);
        segs->torn = xcalloc(nseg ? nseg : 1, 1);
    }
    for (size_t i = 0; i < nseg; i++) {
        char path[PATH_MAX + 32];
        segment_path(s, nums[i], path, sizeof path);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                continue; /* removed by a compaction we raced (impossible under the lock) */
            err_set(err, "cannot open %s: %s", path, strerror(errno));
            goto fail;
        }
        segment_scan_t sc;
        int rc = scan_segment(fd, nums[i], out, &sc, err);
        close(fd);
        if (rc != 0) {
            err_prefix(err, "%s: ", path);
            goto fail;
        }
        add_scan_stats(stats, &sc);
        if (segs) {
            segs->damaged[i] = sc.frames.damaged + sc.bad_headers > 0;
            segs->torn[i] = (unsigned char)sc.frames.torn;
        }
    }
    if (!segs)
        free(nums);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_frame);
    size_t w = 0;
    for (size_t r = 0; r < out->n; r++) {
        if (w > 0 && out->v[w - 1].t_us == out->v[r].t_us) {
            if (out->v[w - 1].header_crc == out->v[r].header_crc)
                stats->duplicates++;
            else
                stats->same_time++;
            json_decref(out->v[r].header);
            continue;
        }
        out->v[w++] = out->v[r];
    }
    out->n = w;
    stats->records = w;
    return 0;
fail:
    if (segs)
        segments_free(segs);
    else
        free(nums);
    frames_free(out);
    return -1;
}

/* Reads one frame's body bytes; *crc_ok says whether they match the
 * recorded checksum. */
static int read_body_bytes(history_store_t *s, const frame_t *f, char **buf, int *crc_ok,
                           err_t *err)
{
    char path[PATH_MAX + 32];
    segment_path(s, f->seg, path, sizeof path);
    *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, "cannot open %s: %s", path, strerror(errno));
    char *b = xmalloc(f->blen ? f->blen : 1);
    int rc = read_at(fd, b, f->blen, f->off + HISTFRAME_FIXED + f->hlen);
    close(fd);
    if (rc != 0) {
        free(b);
        return err_set(err, "%s offset %lld: cannot read record body", path, (long long)f->off);
    }
    *crc_ok = histframe_crc(0, b, f->blen) == f->body_crc;
    *buf = b;
    return 0;
}

/* Reads and checks one frame's body. */
static int read_body(history_store_t *s, const frame_t *f, json_t **body, err_t *err)
{
    char *buf;
    int ok;
    if (read_body_bytes(s, f, &buf, &ok, err) != 0)
        return -1;
    if (!ok) {
        free(buf);
        return err_set(err, "seg-%08u.phs offset %lld: record body checksum mismatch", f->seg,
                       (long long)f->off);
    }
    int rc = codec_decode(buf, f->blen, &CODEC_LIMITS_DOCUMENT, body, err);
    free(buf);
    if (rc != 0)
        return err_prefix(err, "seg-%08u.phs offset %lld: ", f->seg, (long long)f->off);
    return 0;
}

/* Encodes a {header: {t, ...}, body: {...}} record as one history frame into
 * a new *frame (caller frees) of *len bytes. 0, or -1 with err set for a
 * record of another shape or an encoding failure. */
static int encode_frame(const json_t *record, char **frame, size_t *len, err_t *err)
{
    const json_t *header = json_object_get(record, "header");
    const json_t *body = json_object_get(record, "body");
    if (!json_is_object(header) || !json_is_object(body) ||
        !json_is_integer(json_object_get(header, "t")))
        return err_set(err, "history record: expected {header: {t, ...}, body: {...}}");
    char *hb = NULL, *bb = NULL;
    size_t hl, bl;
    if (codec_encode(header, &hb, &hl, err) != 0)
        return -1;
    if (codec_encode(body, &bb, &bl, err) != 0) {
        free(hb);
        return -1;
    }
    int rc = histframe_encode(hb, hl, bb, bl, frame, len, err);
    free(hb);
    free(bb);
    return rc;
}

int history_append(history_store_t *s, const json_t *record, err_t *err)
{
    char *frame = NULL;
    size_t len = 0;
    if (encode_frame(record, &frame, &len, err) != 0)
        return -1;
    if (lock_store(s, LOCK_EX, err) != 0) {
        free(frame);
        return -1;
    }
    int rc = -1, fd = -1;
    uint32_t *segs = NULL;
    size_t nseg;
    char path[PATH_MAX + 32];
    if (list_segments(s, &segs, &nseg, err) != 0)
        goto out;
    uint32_t cur = nseg ? segs[nseg - 1] : 1;
    segment_path(s, cur, path, sizeof path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    segment_scan_t sc;
    if (scan_segment(fd, cur, NULL, &sc, err) != 0)
        goto out;
    off_t end = (off_t)sc.frames.append_off;
    /* A writer killed mid-frame left a torn tail (and only that: see
     * histframe.h): cut it so this frame starts on a frame boundary. */
    if (sc.frames.torn && (ftruncate(fd, end) != 0 || fsync(fd) != 0)) {
        err_set(err, "cannot truncate the torn tail of %s: %s", path, strerror(errno));
        goto out;
    }
    int new_segment = nseg == 0;
    /* A segment ending in damage is left as it is (compaction moves it
     * aside): appending after the damage would bury it mid-segment. */
    if (end >= SEGMENT_ROTATE || !sc.frames.clean_end) {
        close(fd);
        segment_path(s, ++cur, path, sizeof path);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            err_set(err, "cannot create %s: %s", path, strerror(errno));
            goto out;
        }
        end = 0;
        new_segment = 1;
    }
    if (lseek(fd, end, SEEK_SET) < 0 || write_all(fd, frame, len) != 0 || fsync(fd) != 0) {
        err_set(err, "writing %s: %s", path, strerror(errno));
        /* Leave no partial frame behind when we can help it. */
        if (ftruncate(fd, end) == 0)
            fsync(fd);
        goto out;
    }
    if (new_segment && fsync_dir(s->path) != 0) {
        err_set(err, "fsync %s: %s", s->path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(segs);
    free(frame);
    unlock_store(s);
    return rc;
}

/* Fills p with the default retention: 35 days kept, every entry of the last
 * 7 days, one an hour before that. Cannot fail. */
void history_policy_init(history_policy_t *p)
{
    p->retention_s = 35 * 86400;
    p->full_s = 7 * 86400;
    p->thin_step_s = 3600;
}

/* Marks which frames the policy keeps; returns how many. */
static size_t policy_keep(const frames_t *f, const history_policy_t *p, int64_t now,
                          unsigned char *keep)
{
    size_t kept = 0;
    int64_t last_bucket = INT64_MIN;
    for (size_t i = 0; i < f->n; i++) {
        int64_t age = now - f->v[i].t;
        keep[i] = 0;
        if (p->retention_s > 0 && age > p->retention_s)
            continue;
        if (p->full_s > 0 && age > p->full_s && p->thin_step_s > 0) {
            int64_t bucket = f->v[i].t / p->thin_step_s;
            if (bucket == last_bucket)
                continue;
            last_bucket = bucket;
        }
        keep[i] = 1;
        kept++;
    }
    return kept;
}

/* Deletes the seg-*.tmp files an interrupted compaction left in the store
 * (called under the exclusive lock). Best effort: an unreadable directory or
 * a failed unlink is ignored, the next compaction tries again. */
static void remove_tmp_files(const history_store_t *s)
{
    DIR *d = opendir(s->path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 8 && strncmp(de->d_name, "seg-", 4) == 0 &&
            strcmp(de->d_name + l - 4, ".tmp") == 0) {
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", s->path, de->d_name);
            unlink(p);
        }
    }
    closedir(d);
}

/* Copies one frame into the compacted segment. A frame whose body fails its
 * checksum keeps its header (the database-level counters are intact) with
 * an empty body; *body_bad says so. */
static int copy_frame(history_store_t *s, const frame_t *f, int out_fd, size_t *written,
                      int *body_bad, err_t *err)
{
    char path[PATH_MAX + 32];
    segment_path(s, f->seg, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, "cannot open %s: %s", path, strerror(errno));
    size_t len = HISTFRAME_FIXED + f->hlen + f->blen;
    char *buf = xmalloc(len);
    int rc = read_at(fd, buf, len, f->off);
    close(fd);
    if (rc != 0) {
        free(buf);
        return err_set(err, "cannot read %s offset %lld", path, (long long)f->off);
    }
    *body_bad = histframe_crc(0, buf + HISTFRAME_FIXED + f->hlen, f->blen) != f->body_crc;
    char *out = buf, *rebuilt = NULL;
    size_t out_len = len;
    if (*body_bad) {
        const unsigned char empty_map = 0x80; /* msgpack {} */
        if (histframe_encode(buf + HISTFRAME_FIXED, f->hlen, &empty_map, 1, &rebuilt, &out_len,
                             err) != 0) {
            free(buf);
            return -1;
        }
        out = rebuilt;
    }
    rc = write_all(out_fd, out, out_len);
    free(buf);
    free(rebuilt);
    if (rc != 0)
        return err_set(err, "writing compacted segment: %s", strerror(errno));
    *written += out_len;
    return 0;
}

/* Moves a damaged segment out of the store's way (it is no longer listed)
 * without destroying it: seg-N.damaged, or seg-N.damaged.K when taken. */
static int move_aside(const history_store_t *s, uint32_t n, err_t *err)
{
    char from[PATH_MAX + 32], to[PATH_MAX + 48];
    segment_path(s, n, from, sizeof from);
    for (int k = 0; k < 1000; k++) {
        if (k == 0)
            snprintf(to, sizeof to, "%s/seg-%08u.damaged", s->path, n);
        else
            snprintf(to, sizeof to, "%s/seg-%08u.damaged.%d", s->path, n, k);
        if (link(from, to) == 0)
            return unlink(from) == 0 ? 0
                                     : err_set(err, "cannot remove %s: %s", from, strerror(errno));
        if (errno != EEXIST)
            return err_set(err, "cannot move %s aside: %s", from, strerror(errno));
    }
    return err_set(err, "cannot move %s aside: too many damaged copies", from);
}

int history_compact(history_store_t *s, const history_policy_t *p, int64_t now, size_t min_drop,
                    history_compact_stats_t *stats, err_t *err)
{
    history_compact_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (lock_store(s, LOCK_EX, err) != 0)
        return -1;
    int rc = -1, out_fd = -1;
    frames_t f = {0};
    unsigned char *keep = NULL;
    segments_t segs = {0};
    char tmp[PATH_MAX + 32], final[PATH_MAX + 32];
    tmp[0] = '\0';
    history_read_stats_t rs;
    memset(&rs, 0, sizeof rs);
    remove_tmp_files(s);
    if (scan_store(s, &f, &rs, &segs, err) != 0)
        goto out;
    stats->segments_before = segs.n;
    stats->records_before = f.n;
    stats->bytes_before = rs.bytes;
    stats->duplicates_dropped = rs.duplicates;
    stats->same_time_dropped = rs.same_time;
    stats->torn_tails = rs.torn_tails;
    stats->damaged_regions = rs.bad_frames;
    keep = xmalloc(f.n ? f.n : 1);
    size_t kept = policy_keep(&f, p, now, keep);
    size_t drop = f.n - kept;
    /* Duplicates, torn tails and bad frames are garbage worth a rewrite. */
    size_t garbage = rs.duplicates + rs.same_time + rs.torn_tails + rs.bad_frames;
    if ((drop == 0 && garbage == 0) || (drop + garbage < min_drop && garbage == 0)) {
        stats->records_after = f.n;
        stats->bytes_after = rs.bytes;
        rc = 0;
        goto out;
    }
    uint32_t next = segs.n ? segs.num[segs.n - 1] + 1 : 1;
    snprintf(tmp, sizeof tmp, "%s/seg-%08u.tmp", s->path, next);
    segment_path(s, next, final, sizeof final);
    out_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out_fd < 0) {
        err_set(err, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t written = 0, after = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (!keep[i])
            continue;
        int body_bad = 0;
        if (copy_frame(s, &f.v[i], out_fd, &written, &body_bad, err) != 0)
            goto out;
        after++;
        if (body_bad) {
            stats->bodies_damaged++;
            /* The original bytes go aside with their segment. */
            for (size_t k = 0; k < segs.n; k++)
                if (segs.num[k] == f.v[i].seg)
                    segs.damaged[k] = 1;
        }
    }
    if (fsync(out_fd) != 0 || close(out_fd) != 0) {
        out_fd = -1;
        err_set(err, "fsync %s: %s", tmp, strerror(errno));
        goto out;
    }
    out_fd = -1;
    /* Durable new segment first; only then are the old ones redundant. */
    if (rename(tmp, final) != 0 || fsync_dir(s->path) != 0) {
        err_set(err, "installing %s: %s", final, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    for (size_t i = 0; i < segs.n; i++) {
        char old[PATH_MAX + 32];
        segment_path(s, segs.num[i], old, sizeof old);
        if (!segs.damaged[i]) {
            unlink(old);
            continue;
        }
        if (move_aside(s, segs.num[i], err) != 0)
            goto out; /* the kept records are installed; the damaged copy stays listed */
        stats->segments_moved_aside++;
    }
    fsync_dir(s->path);
    stats->records_after = after;
    stats->bytes_after = written;
    stats->rewritten = 1;
    rc = 0;
out:
    if (out_fd >= 0)
        close(out_fd);
    if (tmp[0])
        unlink(tmp);
    frames_free(&f);
    free(keep);
    segments_free(&segs);
    unlock_store(s);
    return rc;
}

/* ---- building the snapshot's history ------------------------------------ */

/* Fills o with the defaults for history_build: the whole history (since 0),
 * at most 1500 points, 100 statements and 30 tables, no fingerprints forced
 * in. Cannot fail. */
void history_build_opts_init(history_build_opts_t *o)
{
    o->since = 0;
    o->max_points = 1500;
    o->max_statements = 100;
    o->max_tables = 30;
    o->keep_fingerprints = NULL;
}

/* A statement's identity in pg_stat_statements: (queryid, userid, toplevel). */
typedef struct {
    int64_t queryid, userid;
    int toplevel;
    double score;
    const char *fp; /* text_fingerprint, or NULL (owned by the body) */
} stmt_key_t;

/* The key (text fingerprint, queryid, userid, toplevel) of row i of the
 * column-wise statements table cols, score 0; a row without toplevel counts
 * as top level, a missing column reads as NULL or 0. */
static stmt_key_t key_at(const json_t *cols, size_t i)
{
    stmt_key_t k;
    k.fp = json_string_value(json_array_get(json_object_get(cols, "text_fingerprint"), i));
    k.queryid = json_integer_value(json_array_get(json_object_get(cols, "queryid"), i));
    k.userid = json_integer_value(json_array_get(json_object_get(cols, "userid"), i));
    json_t *tl = json_array_get(json_object_get(cols, "toplevel"), i);
    k.toplevel = tl ? json_is_true(tl) : 1;
    k.score = 0;
    return k;
}

/* qsort / bsearch order of statement keys: queryid, userid, then toplevel. */
static int cmp_key(const void *a, const void *b)
{
    const stmt_key_t *x = a, *y = b;
    if (x->queryid != y->queryid)
        return x->queryid < y->queryid ? -1 : 1;
    if (x->userid != y->userid)
        return x->userid < y->userid ? -1 : 1;
    return x->toplevel - y->toplevel;
}

/* qsort order of statement keys by score, highest first, then as cmp_key. */
static int cmp_score_desc(const void *a, const void *b)
{
    const stmt_key_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return cmp_key(a, b);
}

static double num_at(const json_t *cols, const char *field, size_t i)
{
    json_t *v = json_array_get(json_object_get(cols, field), i);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* Whether s is one of the strings in the array strings: 1 or 0 (a NULL s is
 * never listed). */
static int listed(const json_t *strings, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(strings, i, v)
    {
        if (s && json_is_string(v) && !strcmp(json_string_value(v), s))
            return 1;
    }
    return 0;
}

/* The statements with most execution time between the oldest and newest
 * bodies (the newest value when the statement is new or was reset), and
 * those whose fingerprint is in keep_fp. */
static stmt_key_t *select_statements(const json_t *first, const json_t *last, size_t max,
                                     const json_t *keep_fp, size_t *count, size_t *total)
{
    const json_t *lc = json_object_get(last, "statements");
    const json_t *fc = json_object_get(first, "statements");
    size_t n = json_array_size(json_object_get(lc, "queryid"));
    size_t nf = json_array_size(json_object_get(fc, "queryid"));
    *total = n;
    stmt_key_t *fk = xmalloc((nf ? nf : 1) * sizeof *fk);
    stmt_key_t *lk = xmalloc((n ? n : 1) * sizeof *lk);
    for (size_t i = 0; i < nf; i++) {
        fk[i] = key_at(fc, i);
        fk[i].score = num_at(fc, "total_exec_time", i);
    }
    qsort(fk, nf, sizeof *fk, cmp_key);
    for (size_t i = 0; i < n; i++) {
        lk[i] = key_at(lc, i);
        double now = num_at(lc, "total_exec_time", i);
        stmt_key_t *old = nf ? bsearch(&lk[i], fk, nf, sizeof *fk, cmp_key) : NULL;
        lk[i].score = old && now >= old->score ? now - old->score : now;
    }
    free(fk);
    qsort(lk, n, sizeof *lk, cmp_score_desc);
    *count = n < max ? n : max;
    for (size_t i = *count; i < n; i++)
        if (listed(keep_fp, lk[i].fp)) {
            stmt_key_t t = lk[*count];
            lk[(*count)++] = lk[i];
            lk[i] = t;
        }
    qsort(lk, *count, sizeof *lk, cmp_key);
    return lk;
}

/* Body columns of one record reduced to the chosen statements and tables. */
static json_t *rows_kept(const json_t *body, const stmt_key_t *keys, size_t nkeys,
                         size_t max_tables, json_t *entry)
{
    const json_t *sc = json_object_get(body, "statements");
    if (json_is_object(sc)) {
        size_t n = json_array_size(json_object_get(sc, "queryid"));
        unsigned char *keep = xcalloc(n ? n : 1, 1);
        for (size_t i = 0; i < n; i++) {
            stmt_key_t k = key_at(sc, i);
            keep[i] = bsearch(&k, keys, nkeys, sizeof *keys, cmp_key) != NULL;
        }
        json_object_set_new(entry, "statements", to_rows(sc, STATEMENT_FIELDS, keep));
        free(keep);
    }
    const json_t *tc = json_object_get(body, "tables");
    if (json_is_object(tc)) {
        size_t n = json_array_size(json_object_get(tc, "name"));
        unsigned char *keep = xcalloc(n ? n : 1, 1);
        double *sz = xmalloc((n ? n : 1) * sizeof *sz);
        for (size_t i = 0; i < n; i++)
            sz[i] = num_at(tc, "total_bytes", i);
        /* The max_tables largest: a partial selection by repeated max,
         * cheap for the tens of tables kept. */
        for (size_t k = 0; k < max_tables && k < n; k++) {
            size_t best = n;
            for (size_t i = 0; i < n; i++)
                if (!keep[i] && (best == n || sz[i] > sz[best]))
                    best = i;
            if (best < n)
                keep[best] = 1;
        }
        json_object_set_new(entry, "tables", to_rows(tc, TABLE_FIELDS, keep));
        free(keep);
        free(sz);
    }
    const json_t *ic = json_object_get(body, "indexes");
    if (json_is_object(ic))
        json_object_set_new(entry, "indexes", to_rows(ic, INDEX_FIELDS, NULL));
    return entry;
}

/* Which of the n entries from f->v[lo] carry statement and table rows:
 * at most max_points, spread evenly over the window, always the newest. */
static void spread_rows(unsigned char *rows, const frames_t *f, size_t lo, size_t n,
                        size_t max_points)
{
    size_t maxp = max_points ? max_points : 1;
    if (n <= maxp) {
        memset(rows, 1, n);
    } else {
        double span = (double)(f->v[f->n - 1].t - f->v[lo].t);
        double step = span / (double)(maxp - 1);
        double next = (double)f->v[lo].t;
        for (size_t i = 0; i < n; i++)
            if ((double)f->v[lo + i].t >= next) {
                rows[i] = 1;
                next = (double)f->v[lo + i].t + step;
            }
        rows[n - 1] = 1;
    }
}

/* The newest and the oldest bodies of the window that read (one damaged
 * body must not empty every entry): *last_body (empty when none reads, its
 * index in *last_idx, f->n when none) and *first_body. A newest record
 * that does not read gets a note. */
static void window_bodies(history_store_t *s, const frames_t *f, size_t lo, json_t *notes,
                          json_t **first_body, json_t **last_body, size_t *last_idx)
{
    err_t berr;
    *last_idx = f->n;
    for (size_t i = f->n; i-- > lo && !*last_body;) {
        if (read_body(s, &f->v[i], last_body, &berr) == 0)
            *last_idx = i;
        else if (i == f->n - 1)
            json_array_append_new(
                notes, json_sprintf("newest record's statements unreadable: %s", berr.msg));
    }
    for (size_t i = lo; i < *last_idx && !*first_body; i++)
        if (read_body(s, &f->v[i], first_body, &berr) != 0)
            *first_body = NULL;
    if (!*last_body)
        *last_body = json_object();
    if (!*first_body)
        *first_body = json_object();
}

/* The history's notes on what it left out or could not read. */
static void build_notes(json_t *notes, const history_read_stats_t *stats, size_t bodies_bad,
                        size_t nkeys, size_t nstmt_total, size_t n, size_t with_rows)
{
    if (bodies_bad)
        json_array_append_new(notes,
                              json_sprintf("%zu records had an unreadable statements/tables part "
                                           "(checksum or decode failure); their database-level "
                                           "counters are kept",
                                           bodies_bad));
    if (stats->torn_tails)
        json_array_append_new(notes, json_sprintf("%zu segment(s) end in an incomplete record "
                                                  "(a writer was interrupted); ignored",
                                                  stats->torn_tails));
    if (stats->bad_frames)
        json_array_append_new(notes, json_sprintf("%zu damaged stretch(es) of the store (%zu "
                                                  "bytes) skipped; every intact record after "
                                                  "them is read",
                                                  stats->bad_frames, stats->damaged_bytes));
    if (stats->same_time)
        json_array_append_new(notes,
                              json_sprintf("%zu record(s) dropped: another record has the same "
                                           "collection time to the microsecond (first kept)",
                                           stats->same_time));
    if (nstmt_total > nkeys)
        json_array_append_new(notes,
                              json_sprintf("statements: the %zu of %zu with most execution time "
                                           "in the window are shipped",
                                           nkeys, nstmt_total));
    if (n > with_rows && with_rows > 0)
        json_array_append_new(notes,
                              json_sprintf("statements and tables shipped for %zu of %zu records "
                                           "(evenly spaced); database counters for all",
                                           with_rows, n));
}

/* history_build's info: where the history came from, what it holds, what
 * was dropped, the window and the notes. */
static json_t *build_info(const history_store_t *s, const frames_t *f, size_t lo, size_t n,
                          size_t with_rows, size_t nkeys, size_t nstmt_total,
                          const history_read_stats_t *stats, json_t *notes)
{
    char from[32] = "", to[32] = "";
    if (n) {
        history_format_time(f->v[lo].t, from, sizeof from);
        history_format_time(f->v[f->n - 1].t, to, sizeof to);
    }
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "source",
                     "store", "store", s->path, "records", (json_int_t)n, "records_with_statements",
                     (json_int_t)with_rows, "statements_kept", (json_int_t)nkeys,
                     "statements_in_newest", (json_int_t)nstmt_total, "duplicates_dropped",
                     (json_int_t)stats->duplicates, "same_time_dropped",
                     (json_int_t)stats->same_time, "damaged_regions", (json_int_t)stats->bad_frames,
                     "from", n ? json_string(from) : json_null(), "to",
                     n ? json_string(to) : json_null(), "notes", json_incref(notes));
}

/* history.h. The window from o->since, read under a shared lock: every
 * entry's database counters, statement and table rows for the entries
 * spread_rows picks, the statements select_statements keeps. */
int history_build(history_store_t *s, const history_build_opts_t *o, json_t **history,
                  json_t **info, history_read_stats_t *stats, err_t *err)
{
    history_build_opts_t defaults;
    if (!o) {
        history_build_opts_init(&defaults);
        o = &defaults;
    }
    history_read_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    *history = NULL;
    if (info)
        *info = NULL;
    if (lock_store(s, LOCK_SH, err) != 0)
        return -1;
    frames_t f;
    json_t *out = json_array(), *notes = json_array(), *first_body = NULL, *last_body = NULL;
    stmt_key_t *keys = NULL;
    size_t nkeys = 0, nstmt_total = 0, with_rows = 0, bodies_bad = 0, last_idx = 0;
    unsigned char *rows = NULL;
    if (scan_store(s, &f, stats, NULL, err) != 0) {
        unlock_store(s);
        json_decref(out);
        json_decref(notes);
        return -1;
    }
    size_t lo = 0;
    while (lo < f.n && o->since > 0 && f.v[lo].t < o->since)
        lo++;
    size_t n = f.n - lo;
    rows = xcalloc(n ? n : 1, 1);
    if (n > 0) {
        spread_rows(rows, &f, lo, n, o->max_points);
        window_bodies(s, &f, lo, notes, &first_body, &last_body, &last_idx);
        keys = select_statements(first_body, last_body, o->max_statements, o->keep_fingerprints,
                                 &nkeys, &nstmt_total);
    }
    for (size_t i = 0; i < n; i++) {
        const frame_t *fr = &f.v[lo + i];
        json_t *e = entry_from_header(fr->header);
        if (rows[i]) {
            json_t *body = NULL;
            err_t berr;
            if (lo + i == last_idx)
                body = json_incref(last_body);
            else if (read_body(s, fr, &body, &berr) != 0) {
                bodies_bad++;
                body = NULL;
            }
            if (body) {
                rows_kept(body, keys, nkeys, o->max_tables, e);
                with_rows++;
            }
            json_decref(body);
        }
        json_array_append_new(out, e);
    }
    build_notes(notes, stats, bodies_bad, nkeys, nstmt_total, n, with_rows);
    if (info)
        *info = build_info(s, &f, lo, n, with_rows, nkeys, nstmt_total, stats, notes);
    *history = out;
    out = NULL;
    unlock_store(s);
    frames_free(&f);
    json_decref(out);
    json_decref(notes);
    json_decref(first_body);
    json_decref(last_body);
    free(keys);
    free(rows);
    return 0;
}

/* Keeps in entry only the statements present in the previous entry with
 * statements, so the current snapshot's point matches the shipped set. */
static void filter_like(json_t *entry, const json_t *like)
{
    const json_t *ls = json_object_get(like, "statements");
    json_t *es = json_object_get(entry, "statements");
    if (!json_is_array(ls) || !json_is_array(es))
        return;
    size_t nk = json_array_size(ls);
    stmt_key_t *keys = xmalloc((nk ? nk : 1) * sizeof *keys);
    size_t i;
    const json_t *row;
    json_array_foreach(ls, i, row)
    {
        keys[i].queryid = json_integer_value(json_object_get(row, "queryid"));
        keys[i].userid = json_integer_value(json_object_get(row, "userid"));
        json_t *tl = json_object_get(row, "toplevel");
        keys[i].toplevel = tl ? json_is_true(tl) : 1;
    }
    qsort(keys, nk, sizeof *keys, cmp_key);
    json_t *kept = json_array();
    json_array_foreach(es, i, row)
    {
        stmt_key_t k;
        k.queryid = json_integer_value(json_object_get(row, "queryid"));
        k.userid = json_integer_value(json_object_get(row, "userid"));
        json_t *tl = json_object_get(row, "toplevel");
        k.toplevel = tl ? json_is_true(tl) : 1;
        if (bsearch(&k, keys, nk, sizeof *keys, cmp_key))
            json_array_append(kept, (json_t *)row);
    }
    free(keys);
    json_object_set_new(entry, "statements", kept);
}

/* The snapshot's meta.notes array, created when meta is an object without
 * one. NULL when the snapshot has no meta object (the note is then dropped). */
static json_t *meta_notes(json_t *snapshot)
{
    json_t *meta = json_object_get(snapshot, "meta");
    json_t *notes = json_object_get(meta, "notes");
    if (!json_is_array(notes) && json_is_object(meta)) {
        notes = json_array();
        json_object_set_new(meta, "notes", notes);
    }
    return notes;
}

int history_attach(json_t *snapshot, const char *store_dir, err_t *err)
{
    json_t *meta = json_object_get(snapshot, "meta");
    const char *sysid = json_string_value(json_object_get(meta, "system_identifier"));
    const char *db = json_string_value(json_object_get(meta, "database"));
    if (!sysid || !db)
        return err_set(err, "--store: the snapshot has no meta.system_identifier/database to "
                            "find its history by");
    struct stat st;
    if (stat(store_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(err, "--store %s: not a directory", store_dir);
    history_store_t *s;
    if (history_open(store_dir, sysid, db, &s, err) != 0)
        return -1;
    json_t *hist, *info;
    history_read_stats_t rs;
    history_build_opts_t bo;
    history_build_opts_init(&bo);
    char kept[PATH_MAX + 32];
    snprintf(kept, sizeof kept, "%s/result-latest.json", history_path(s));
    json_t *prev = json_load_file(kept, 0, NULL);
    json_t *keep = prev ? history_rewrite_fingerprints(prev) : NULL;
    bo.keep_fingerprints = keep;
    int rc = history_build(s, &bo, &hist, &info, &rs, err);
    json_decref(keep);
    json_decref(prev);
    history_close(&s);
    if (rc != 0)
        return err_prefix(err, "--store %s: ", store_dir);
    /* The snapshot being analysed is the newest point. */
    json_t *rec;
    double now;
    size_t n = json_array_size(hist);
    const char *at = json_string_value(json_object_get(meta, "collected_at"));
    if (history_parse_time(at, &now, NULL) == 0 &&
        history_record_from_snapshot(snapshot, &rec, NULL) == 0) {
        json_t *last = json_array_get(hist, n ? n - 1 : 0);
        double tl = 0;
        if (!last || (history_parse_time(json_string_value(json_object_get(last, "collected_at")),
                                         &tl, NULL) == 0 &&
                      now > tl)) {
            json_t *e = history_entry_from_record(json_object_get(rec, "header"),
                                                  json_object_get(rec, "body"), 1);
            const json_t *like = NULL;
            for (size_t i = n; i-- > 0 && !like;)
                if (json_object_get(json_array_get(hist, i), "statements"))
                    like = json_array_get(hist, i);
            if (like)
                filter_like(e, like);
            json_array_append_new(hist, e);
            json_object_set_new(info, "includes_current_snapshot", json_true());
        }
        json_decref(rec);
    }
    if (n == 0)
        json_array_append_new(meta_notes(snapshot),
                              json_sprintf("history: no records stored in %s for system %s, "
                                           "database %s (run `pgopt-coordinator snapshot` "
                                           "periodically)",
                                           store_dir, sysid, db));
    json_object_set_new(snapshot, "history", hist);
    json_object_set_new(meta, "history", info);
    return 0;
}

int history_sample_live(const collect_opts_t *o, int samples, int interval_s, json_t *snapshot,
                        err_t *err)
{
    if (samples < 2)
        return err_set(err, "--samples must be at least 2 (got %d)", samples);
    if (interval_s < 1)
        return err_set(err, "--interval must be at least 1 second (got %d)", interval_s);
    json_t *hist = json_array();
    json_t *rec;
    if (history_record_from_snapshot(snapshot, &rec, err) != 0) {
        json_decref(hist);
        return -1;
    }
    json_array_append_new(hist, history_entry_from_record(json_object_get(rec, "header"),
                                                          json_object_get(rec, "body"), 1));
    json_decref(rec);
    collect_opts_t c = *o;
    c.code_dir = NULL; /* counters only */
    c.include_target_dsn = 0;
    for (int i = 1; i < samples; i++) {
        sleep((unsigned)interval_s);
        json_t *snap;
        if (collect_snapshot(&c, &snap, err) != 0 ||
            history_record_from_snapshot(snap, &rec, err) != 0) {
            json_decref(hist);
            return err_prefix(err, "--samples: sample %d of %d: ", i + 1, samples);
        }
        json_array_append_new(hist, history_entry_from_record(json_object_get(rec, "header"),
                                                              json_object_get(rec, "body"), 1));
        json_decref(rec);
        json_decref(snap);
    }
    json_object_set_new(snapshot, "history", hist);
    json_t *meta = json_object_get(snapshot, "meta");
    if (json_is_object(meta))
        json_object_set_new(meta, "history",
                            json_pack("{s:s, s:i, s:i}", "source", "live", "samples", samples,
                                      "interval_s", interval_s));
    return 0;
}
