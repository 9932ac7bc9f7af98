/*
 * log.h - structured logs on stderr, one line per event, logfmt style:
 *
 *   ts=2026-11-26T16:30:01.123Z level=info comp=worker pid=4242 msg="job done" job=ab12 ms=153
 *
 * Lines are written with a single write(2) so that concurrent threads and
 * processes sharing a terminal never interleave within a line. The level
 * threshold comes from log_init() or the PGOPT_LOG_LEVEL environment variable
 * (debug, info, warn, error, off).
 */
#ifndef PGOPT_COMMON_LOG_H
#define PGOPT_COMMON_LOG_H

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level_t;

/* Sets the component name (e.g. "coordinator", "worker/config_tuner") and the
 * threshold; PGOPT_LOG_LEVEL, when set, wins over level. */
void log_init(const char *component, log_level_t level);

/* Parses "debug" / "info" / "warn" / "error" / "off"; returns -1 if unknown. */
int log_level_parse(const char *name, log_level_t *level);

int log_enabled(log_level_t level);

/* msg is quoted for you; fields is a printf format of further key=value pairs
 * (may be NULL). Values containing spaces should be passed through %s with
 * quotes added by the caller. */
void log_event(log_level_t level, const char *msg, const char *fields, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(msg, ...) log_event(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...)  log_event(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)  log_event(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_event(LOG_ERROR, msg, __VA_ARGS__)

#endif
