/*
 * message.c - see message.h; proto/PROTOCOL.md is the normative text.
 *
 * One table says, for every header key, its type, where it lives in
 * msg_header_t and which message types carry it (required or optional).
 * Encoding and decoding both walk that table, so they cannot disagree, and
 * PROTOCOL.md's key table is a transcription of it.
 */
#include "proto/message.h"

#include <jansson.h>
#include <limits.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"

#define BIT(t) (1u << (t))

typedef enum { KEY_STR, KEY_INT } key_kind_t;

typedef struct {
    const char *key;
    key_kind_t kind;
    size_t offset;   /* into msg_header_t */
    size_t size;     /* char buffer size (strings: max length + 1) */
    unsigned needs;  /* types that must carry it */
    unsigned allows; /* types that may carry it (encoded when non-empty) */
    int identifier;  /* strings: must not be empty where required */
} header_key_t;

#define STR_KEY(name, req, opt, ident)                                                             \
    {                                                                                              \
#name, KEY_STR, offsetof(msg_header_t, name), sizeof(((msg_header_t *)0)->name), req, opt, \
            ident                                                                                  \
    }
#define INT_KEY(name, req)                                                                         \
    {                                                                                              \
#name, KEY_INT, offsetof(msg_header_t, name), sizeof(int64_t), req, 0, 0                   \
    }

static const header_key_t header_keys[] = {
    STR_KEY(job,
            BIT(MSG_JOB) | BIT(MSG_PROGRESS) | BIT(MSG_RESULT) | BIT(MSG_BUSY) | BIT(MSG_CANCEL),
            BIT(MSG_ERROR), 1),
    STR_KEY(agent, BIT(MSG_JOB) | BIT(MSG_PONG) | BIT(MSG_COUNTERS), BIT(MSG_RESULT), 1),
    STR_KEY(worker, BIT(MSG_PONG) | BIT(MSG_RESULT) | BIT(MSG_COUNTERS),
            BIT(MSG_BUSY) | BIT(MSG_ERROR), 1),
    INT_KEY(deadline_ms, BIT(MSG_JOB)),
    INT_KEY(progress_ms, BIT(MSG_JOB)),
    INT_KEY(elapsed_ms, BIT(MSG_PROGRESS) | BIT(MSG_RESULT)),
    INT_KEY(seq, BIT(MSG_PROGRESS)),
    STR_KEY(stage, BIT(MSG_PROGRESS), 0, 0),
    INT_KEY(done, BIT(MSG_PROGRESS)),
    INT_KEY(total, BIT(MSG_PROGRESS)),
    INT_KEY(load, BIT(MSG_PONG) | BIT(MSG_BUSY) | BIT(MSG_COUNTERS)),
    INT_KEY(capacity, BIT(MSG_PONG) | BIT(MSG_BUSY) | BIT(MSG_COUNTERS)),
    INT_KEY(served, BIT(MSG_PONG) | BIT(MSG_COUNTERS)),
    INT_KEY(received, BIT(MSG_COUNTERS)),
    INT_KEY(failed, BIT(MSG_COUNTERS)),
    INT_KEY(cancelled, BIT(MSG_COUNTERS)),
    INT_KEY(busy, BIT(MSG_COUNTERS)),
    INT_KEY(refused, BIT(MSG_COUNTERS)),
    INT_KEY(auth_refused, BIT(MSG_COUNTERS)),
    INT_KEY(uptime_ms, BIT(MSG_COUNTERS)),
    INT_KEY(total_ms, BIT(MSG_COUNTERS)),
    INT_KEY(max_ms, BIT(MSG_COUNTERS)),
    STR_KEY(code, BIT(MSG_ERROR), 0, 1),
    STR_KEY(message, BIT(MSG_ERROR), 0, 0),
};
#define N_HEADER_KEYS (sizeof header_keys / sizeof header_keys[0])

static const char *const type_names[] = {
    [MSG_INVALID] = "INVALID", [MSG_PING] = "PING",         [MSG_PONG] = "PONG",
    [MSG_JOB] = "JOB",         [MSG_PROGRESS] = "PROGRESS", [MSG_RESULT] = "RESULT",
    [MSG_ERROR] = "ERROR",     [MSG_BUSY] = "BUSY",         [MSG_CANCEL] = "CANCEL",
    [MSG_STATS] = "STATS",     [MSG_COUNTERS] = "COUNTERS",
};

const char *msg_type_name(msg_type_t type)
{
    if ((int)type <= MSG_INVALID || type > MSG_TYPE_LAST)
        return "INVALID";
    return type_names[type];
}

msg_type_t msg_type_parse(const char *name)
{
    if (!name)
        return MSG_INVALID;
    for (int t = MSG_PING; t <= MSG_TYPE_LAST; t++)
        if (strcmp(name, type_names[t]) == 0)
            return (msg_type_t)t;
    return MSG_INVALID;
}

int msg_type_has_body(msg_type_t type)
{
    return type == MSG_JOB || type == MSG_RESULT;
}

void msg_header_init(msg_header_t *h, msg_type_t type)
{
    memset(h, 0, sizeof *h);
    h->v_major = PROTO_VERSION_MAJOR;
    h->v_minor = PROTO_VERSION_MINOR;
    h->type = type;
}

/* ---- encoding --------------------------------------------------------- */

static int pack_cstr(msgpack_packer *pk, const char *s, size_t n)
{
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

/* The n bytes at s are valid UTF-8 (jansson's check, the one the decoder
 * applies). */
static int utf8_ok(const char *s, size_t n)
{
    json_t *probe = json_stringn(s, n); /* NULL on invalid UTF-8 */
    if (!probe)
        return 0;
    json_decref(probe);
    return 1;
}

/* Free text (stage, message) often quotes other errors, which may quote
 * bytes from anywhere; a header with invalid UTF-8 would be refused by the
 * peer, so such text is repaired rather than lost.
 * Returns the length to send: a multi-byte character cut by a caller's
 * snprintf is dropped; otherwise invalid bytes become '?'. */
static size_t sanitize_text(char *s, size_t n)
{
    if (utf8_ok(s, n))
        return n;
    for (size_t cut = 1; cut <= 3 && cut <= n; cut++)
        if (utf8_ok(s, n - cut))
            return n - cut;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            s[i] = '?';
    return n;
}

int msg_header_encode(const msg_header_t *h, char **buf, size_t *len, err_t *err)
{
    *buf = NULL;
    *len = 0;
    if (h->type <= MSG_INVALID || h->type > MSG_TYPE_LAST)
        return err_set(err, "encoding header: invalid message type %d", (int)h->type);
    const char *tname = msg_type_name(h->type);
    unsigned bit = BIT(h->type);

    /* Decide the keys first: a msgpack map states its size up front. */
    int carry[N_HEADER_KEYS];
    size_t nkeys = 3; /* v, vm, type */
    for (size_t i = 0; i < N_HEADER_KEYS; i++) {
        const header_key_t *k = &header_keys[i];
        carry[i] = 0;
        if (k->needs & bit) {
            if (k->kind == KEY_STR) {
                const char *s = (const char *)h + k->offset;
                if (k->identifier && s[0] == '\0')
                    return err_set(err, "encoding %s header: \"%s\" is required", tname, k->key);
            } else {
                int64_t v = *(const int64_t *)(const void *)((const char *)h + k->offset);
                if (v < 0)
                    return err_set(err, "encoding %s header: \"%s\" is %lld, must be >= 0", tname,
                                   k->key, (long long)v);
            }
            carry[i] = 1;
        } else if ((k->allows & bit) && k->kind == KEY_STR) {
            carry[i] = ((const char *)h + k->offset)[0] != '\0';
        }
        nkeys += (size_t)carry[i];
    }

    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, nkeys);
    rc = rc || pack_cstr(&pk, "v", 1) || msgpack_pack_int64(&pk, h->v_major);
    rc = rc || pack_cstr(&pk, "vm", 2) || msgpack_pack_int64(&pk, h->v_minor);
    rc = rc || pack_cstr(&pk, "type", 4) || pack_cstr(&pk, tname, strlen(tname));
    for (size_t i = 0; rc == 0 && i < N_HEADER_KEYS; i++) {
        if (!carry[i])
            continue;
        const header_key_t *k = &header_keys[i];
        rc = pack_cstr(&pk, k->key, strlen(k->key));
        if (rc)
            break;
        if (k->kind == KEY_STR) {
            char text[sizeof h->message];
            const char *s = (const char *)h + k->offset;
            size_t n = strnlen(s, k->size - 1);
            memcpy(text, s, n);
            if (!k->identifier)
                n = sanitize_text(text, n);
            else if (!utf8_ok(text, n)) {
                msgpack_sbuffer_destroy(&sbuf);
                return err_set(err, "encoding %s header: \"%s\" is not valid UTF-8", tname, k->key);
            }
            rc = pack_cstr(&pk, text, n);
        } else {
            rc = msgpack_pack_int64(&pk,
                                    *(const int64_t *)(const void *)((const char *)h + k->offset));
        }
    }
    if (rc) {
        msgpack_sbuffer_destroy(&sbuf);
        return err_set(err, "encoding %s header: out of memory", tname);
    }
    if (sbuf.size > MSG_HEADER_MAX_BYTES) {
        size_t n = sbuf.size;
        msgpack_sbuffer_destroy(&sbuf);
        return err_set(err, "encoding %s header: %zu bytes exceed the %d-byte limit", tname, n,
                       MSG_HEADER_MAX_BYTES);
    }
    *len = sbuf.size;
    *buf = msgpack_sbuffer_release(&sbuf);
    return 0;
}

/* ---- decoding --------------------------------------------------------- */

/* Copies a string value into a fixed buffer of size cap; -1 when it does not
 * fit or holds a NUL (the struct keeps C strings). */
static int copy_str(const json_t *v, char *dst, size_t cap, const char *key, err_t *err)
{
    if (!json_is_string(v))
        return err_set(err, "header key \"%s\": expected string, got %s", key, codec_type_name(v));
    size_t n = json_string_length(v);
    if (n > cap - 1)
        return err_set(err, "header key \"%s\": string of %zu bytes exceeds %zu", key, n, cap - 1);
    if (memchr(json_string_value(v), '\0', n))
        return err_set(err, "header key \"%s\": string contains a NUL byte", key);
    memcpy(dst, json_string_value(v), n);
    dst[n] = '\0';
    return 0;
}

/* A header field that must be an integer in 0..INT_MAX into *out; -1 with
 * err naming the key otherwise. */
static int get_small_int(const json_t *v, const char *key, int *out, err_t *err)
{
    if (!json_is_integer(v))
        return err_set(err, "header key \"%s\": expected integer, got %s", key, codec_type_name(v));
    json_int_t i = json_integer_value(v);
    if (i < 0 || i > INT_MAX)
        return err_set(err, "header key \"%s\": %lld is out of range", key, (long long)i);
    *out = (int)i;
    return 0;
}

/* A header of another major version: keep what is needed to answer it
 * (its version, and its job id and type when they read as ours do) and do
 * not judge the rest, which that version may define differently. */
static void decode_foreign(const json_t *root, msg_header_t *h)
{
    const json_t *t = json_object_get(root, "type");
    if (json_is_string(t))
        h->type = msg_type_parse(json_string_value(t));
    const json_t *vm = json_object_get(root, "vm");
    int minor = 0;
    if (vm && get_small_int(vm, "vm", &minor, NULL) == 0)
        h->v_minor = minor;
    const json_t *job = json_object_get(root, "job");
    if (job && copy_str(job, h->job, sizeof h->job, "job", NULL) != 0)
        h->job[0] = '\0';
}

int msg_header_decode(const void *buf, size_t len, msg_header_t *h, err_t *err)
{
    memset(h, 0, sizeof *h);
    json_t *root = NULL;
    if (codec_decode(buf, len, &CODEC_LIMITS_HEADER, &root, err) != 0)
        return -1;
    int rc = -1;
    if (!json_is_object(root)) {
        err_set(err, "header must be a map, got %s", codec_type_name(root));
        goto done;
    }
    const json_t *v = json_object_get(root, "v");
    if (!v) {
        err_set(err, "header has no \"v\" (protocol version)");
        goto done;
    }
    if (get_small_int(v, "v", &h->v_major, err) != 0)
        goto done;
    if (h->v_major != PROTO_VERSION_MAJOR) {
        decode_foreign(root, h);
        rc = 0;
        goto done;
    }
    const json_t *vm = json_object_get(root, "vm");
    if (vm && get_small_int(vm, "vm", &h->v_minor, err) != 0)
        goto done;
    const json_t *t = json_object_get(root, "type");
    if (!t) {
        err_set(err, "header has no \"type\"");
        goto done;
    }
    if (!json_is_string(t)) {
        err_set(err, "header key \"type\": expected string, got %s", codec_type_name(t));
        goto done;
    }
    h->type = msg_type_parse(json_string_value(t));
    if (h->type == MSG_INVALID) {
        err_set(err, "header key \"type\": unknown message type \"%.40s\"", json_string_value(t));
        goto done;
    }
    unsigned bit = BIT(h->type);
    for (size_t i = 0; i < N_HEADER_KEYS; i++) {
        const header_key_t *k = &header_keys[i];
        const json_t *val = json_object_get(root, k->key);
        if (!val) {
            if (k->needs & bit) {
                err_set(err, "%s header has no \"%s\"", msg_type_name(h->type), k->key);
                goto done;
            }
            continue;
        }
        /* Known keys are checked even on types that do not use them: a
         * wrong type there is still a broken peer. They are kept only when
         * the type carries them (as msg_header_encode does), so that what
         * was decoded encodes to the same fields: a PING with a "job" is a
         * PING. */
        int carried = (k->needs & bit) || (k->kind == KEY_STR && (k->allows & bit));
        if (k->kind == KEY_STR) {
            char scratch[sizeof h->message];
            char *dst = carried ? (char *)h + k->offset : scratch;
            if (copy_str(val, dst, k->size, k->key, err) != 0)
                goto done;
            if ((k->needs & bit) && k->identifier && dst[0] == '\0') {
                err_set(err, "%s header: \"%s\" is empty", msg_type_name(h->type), k->key);
                goto done;
            }
        } else {
            if (!json_is_integer(val)) {
                err_set(err, "header key \"%s\": expected integer, got %s", k->key,
                        codec_type_name(val));
                goto done;
            }
            json_int_t iv = json_integer_value(val);
            if (iv < 0) {
                err_set(err, "header key \"%s\": %lld is negative", k->key, (long long)iv);
                goto done;
            }
            if (carried)
                *(int64_t *)(void *)((char *)h + k->offset) = (int64_t)iv;
        }
    }
    rc = 0;
done:
    json_decref(root);
    return rc;
}
