/*
 * fuzz_header.c - msg_header_decode() on any bytes (header frames come
 * straight off the network).
 *
 * Refusals must carry a message. An accepted header of our major version
 * must encode, and encode -> decode -> encode must give the same bytes (the
 * fields a type carries survive; the type and job id are kept).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_targets.h"
#include "proto/message.h"

#define NAME "header"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    msg_header_t h;
    err_t err = {{0}};
    if (msg_header_decode(data, size, &h, &err) != 0) {
        if (err.msg[0] == '\0')
            fuzz_fail(NAME, "refusal without a message", NULL);
        return 0;
    }
    if (h.v_major != PROTO_VERSION_MAJOR)
        return 0; /* the receiver answers ERROR "version"; nothing else to check */
    if (h.type <= MSG_INVALID || h.type > MSG_TYPE_LAST)
        fuzz_fail(NAME, "accepted a header without a valid type", NULL);
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (msg_header_encode(&h, &a, &alen, &err) != 0)
        fuzz_fail(NAME, "accepted header does not encode", err.msg);
    msg_header_t h2;
    if (msg_header_decode(a, alen, &h2, &err) != 0)
        fuzz_fail(NAME, "re-encoded header does not decode", err.msg);
    if (h2.type != h.type || strcmp(h2.job, h.job) != 0 || h2.v_minor != h.v_minor)
        fuzz_fail(NAME, "re-encoded header lost its type, job or minor version", NULL);
    if (msg_header_encode(&h2, &b, &blen, &err) != 0 || alen != blen || memcmp(a, b, alen) != 0)
        fuzz_fail(NAME, "header encoding is not stable", NULL);
    free(a);
    free(b);
    return 0;
}
