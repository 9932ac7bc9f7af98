/* progress.c - see progress.h. */
#include "common/progress.h"

#include <stddef.h>

static _Thread_local progress_fn thread_fn;
static _Thread_local void *thread_user;

void progress_set_thread(progress_fn fn, void *user)
{
    thread_fn = fn;
    thread_user = fn ? user : NULL;
}

int progress_beat(const char *stage, int64_t done, int64_t total)
{
    return thread_fn ? thread_fn(thread_user, stage, done, total) : 0;
}

int progress_alive(void)
{
    return thread_fn ? thread_fn(thread_user, NULL, -1, -1) : 0;
}
