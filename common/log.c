/* log.c - see log.h. */
#include "common/log.h"

#include "common/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_component[64] = "pgopt";
static log_level_t log_threshold = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

int log_level_parse(const char *name, log_level_t *level)
{
    for (int i = 0; i <= LOG_OFF; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *level = (log_level_t)i;
            return 0;
        }
    }
    return -1;
}

void log_init(const char *component, log_level_t level)
{
    snprintf(log_component, sizeof log_component, "%s", component);
    log_threshold = level;
    const char *env = getenv("PGOPT_LOG_LEVEL");
    if (env && *env)
        log_level_parse(env, &log_threshold);
}

int log_enabled(log_level_t level)
{
    return level >= log_threshold && level != LOG_OFF;
}

void log_event(log_level_t level, const char *msg, const char *fields, ...)
{
    if (!log_enabled(level))
        return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s comp=%s pid=%d msg=\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (long)(tv.tv_usec / 1000), level_names[level], log_component, (int)getpid());
    /* The message is one quoted value; the fields were formatted by the
     * caller, who escapes quotes in the peer strings it passes (ESC()).
     * Control characters, C1 controls and bidi overrides are escaped here
     * in the whole line whatever the caller did, so no string can end the
     * line early, forge the next one or drive the reader's terminal. */
    esc_str(msg, ESC_QUOTE, line + n, sizeof line - (size_t)n - 3);
    n += (int)strlen(line + n);
    line[n++] = '"';
    if (fields && *fields) {
        char raw[sizeof line];
        va_list ap;
        va_start(ap, fields);
        int m = vsnprintf(raw, sizeof raw, fields, ap);
        va_end(ap);
        if (m > 0 && n < (int)sizeof line - 6) {
            line[n++] = ' ';
            esc_str(raw, 0, line + n, sizeof line - (size_t)n - 1);
            n += (int)strlen(line + n);
        }
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}
