/*
 * error.h - the error discipline shared by every pgopt module.
 *
 * Functions return 0 on success and -1 on failure. Stateless functions take
 * an err_t * and fill it with one line saying what failed and where (a file
 * offset, a field path, an endpoint). Classes ("thing_t") keep their own
 * err_t and expose it through thing_error(). Callers may pass NULL when they
 * do not care about the text.
 */
#ifndef PGOPT_COMMON_ERROR_H
#define PGOPT_COMMON_ERROR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

typedef struct {
    char msg[ERR_MSG_MAX];
} err_t;

/* Formats the message into err (when not NULL) and returns -1, so that a
 * failing path reads "return err_set(err, "...", ...);". */
int err_set(err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message with context ("reading x.json: " + old). */
int err_prefix(err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears err (when not NULL). */
void err_clear(err_t *err);

#endif
