/*
 * progress.c - one redrawn status line on stderr (progress.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/escape.h"
#include "coordinator/report/progress.h"

#define MAX_TASKS    8
#define REDRAW_MS    100
#define LINE_COLUMNS 79 /* one less than the terminal, so the cursor never wraps */

typedef struct {
    char name[33];
    char stage[49];
    int64_t done, total;
    char status[17];
} task_t;

struct progress {
    int enabled;
    FILE *out;
    int64_t t0, step_t0, last_draw;
    char step[65];
    int64_t done, total;
    task_t tasks[MAX_TASKS];
    int ntasks;
    int drawn; /* a line is on screen */
};

int progress_wanted(int quiet)
{
    return !quiet && isatty(STDERR_FILENO);
}

progress_t *progress_new_to(int enabled, FILE *out)
{
    progress_t *p = xcalloc(1, sizeof *p);
    p->enabled = enabled;
    p->out = out ? out : stderr;
    p->t0 = p->step_t0 = clock_mono_ms();
    p->last_draw = -REDRAW_MS;
    return p;
}

progress_t *progress_new(int enabled)
{
    return progress_new_to(enabled, NULL);
}

void progress_destroy(progress_t **p)
{
    if (!p || !*p)
        return;
    if ((*p)->drawn)
        progress_done(*p, NULL);
    free(*p);
    *p = NULL;
}

int64_t progress_elapsed_ms(const progress_t *p)
{
    return p ? clock_mono_ms() - p->t0 : 0;
}

/* Appends formatted text (two numbers) to the 512-byte progress line at
 * *len, truncating at its end and advancing *len. Cannot fail. */
static void append(char *line, size_t *len, const char *fmt, long long a, long long b)
{
    if (*len >= 512)
        return;
    int n = snprintf(line + *len, 512 - *len, fmt, a, b);
    if (n > 0)
        *len += (size_t)n < 512 - *len ? (size_t)n : 512 - *len - 1;
}

/* Redraws the progress line in place (at most every REDRAW_MS unless forced): elapsed time, the
 * step with its counts, each agent's task. */
static void draw(progress_t *p, int force)
{
    int64_t now = clock_mono_ms();
    if (!force && now - p->last_draw < REDRAW_MS)
        return;
    p->last_draw = now;
    char line[512];
    size_t len = 0;
    double s = (double)(now - p->t0) / 1000.0;
    len = (size_t)snprintf(line, sizeof line, "[%6.1fs] %s", s, p->step);
    if (p->total > 0)
        append(line, &len, " %lld/%lld", (long long)p->done, (long long)p->total);
    else if (p->done > 0)
        len += (size_t)snprintf(line + len, sizeof line - len, " %lld", (long long)p->done);
    int shown = 0;
    for (int i = 0; i < p->ntasks && len < sizeof line - 80; i++) {
        const task_t *t = &p->tasks[i];
        /* finished fine: counted in done/total, no room taken on the line */
        if (!strcmp(t->status, "ok"))
            continue;
        len +=
            (size_t)snprintf(line + len, sizeof line - len, "%s %s", shown++ ? "," : ":", t->name);
        if (t->status[0])
            len += (size_t)snprintf(line + len, sizeof line - len, " %s", t->status);
        else {
            if (t->stage[0])
                len += (size_t)snprintf(line + len, sizeof line - len, " %s", t->stage);
            if (t->total > 0)
                append(line, &len, " %lld/%lld", (long long)t->done, (long long)t->total);
        }
    }
    if (len > LINE_COLUMNS) {
        len = LINE_COLUMNS;
        memcpy(line + len - 3, "...", 3);
        line[len] = '\0';
    }
    /* \r, the line, erase to its end: the old line may have been longer */
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = 1;
}

void progress_step(progress_t *p, const char *step, int64_t done, int64_t total)
{
    if (!p || !p->enabled)
        return;
    int same = strncmp(p->step, step ? step : "", sizeof p->step - 1) == 0;
    if (!same) {
        snprintf(p->step, sizeof p->step, "%s", step ? step : "");
        p->ntasks = 0;
        p->step_t0 = clock_mono_ms();
    }
    p->done = done;
    p->total = total;
    draw(p, !same || (total > 0 && done >= total));
}

void progress_task(progress_t *p, const char *task, const char *stage, int64_t done, int64_t total,
                   const char *status)
{
    if (!p || !p->enabled || !task)
        return;
    task_t *t = NULL;
    for (int i = 0; i < p->ntasks; i++)
        if (!strcmp(p->tasks[i].name, task))
            t = &p->tasks[i];
    if (!t) {
        if (p->ntasks == MAX_TASKS)
            return;
        t = &p->tasks[p->ntasks++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", task);
    }
    /* The stage comes from a worker's PROGRESS: escaped for the terminal. */
    esc_str(stage, 0, t->stage, sizeof t->stage);
    t->done = done;
    t->total = total;
    snprintf(t->status, sizeof t->status, "%s", status ? status : "");
    draw(p, status != NULL);
}

void progress_done(progress_t *p, const char *message)
{
    if (!p || !p->enabled)
        return;
    if (message) {
        double s = (double)(clock_mono_ms() - p->t0) / 1000.0;
        fprintf(p->out, "\r[%6.1fs] %s\033[K\n", s, message);
    } else if (p->drawn) {
        fputs("\r\033[K", p->out);
    }
    fflush(p->out);
    p->drawn = 0;
    p->step[0] = '\0';
    p->ntasks = 0;
}
