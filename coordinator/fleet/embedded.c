/* embedded.c - see embedded.h. */
#include "coordinator/fleet/embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/agents.h"

#define EMBEDDED_MAX 16

/* ipc:// paths must fit sun_path (108 bytes), so these sizes are ample. */
#define EMBEDDED_DIR_MAX  200
#define EMBEDDED_PATH_MAX 256

struct embedded {
    char dir[EMBEDDED_DIR_MAX];
    int n;
    pid_t pid[EMBEDDED_MAX];
    char endpoint[EMBEDDED_MAX][EMBEDDED_PATH_MAX + 8];
    char sockpath[EMBEDDED_MAX][EMBEDDED_PATH_MAX];
    int nmissing;
    char missing_agent[EMBEDDED_MAX][33];
    char missing[EMBEDDED_MAX][EMBEDDED_PATH_MAX + 64];
};

const char *embedded_executable_for(const char *agent)
{
    const agent_info_t *info = agent_info(agent);
    return info ? info->executable : NULL;
}

/* The directory holding the worker executables into buf: $PGOPT_WORKER_DIR
 * when set, else the coordinator's own directory (the build and install put
 * them side by side). Returns 0, or -1 with err set when /proc/self/exe
 * cannot be read. */
static int worker_dir(char *buf, size_t len, err_t *err)
{
    const char *env = getenv("PGOPT_WORKER_DIR");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return err_set(err, "cannot locate own executable (/proc/self/exe): %s", strerror(errno));
    self[n] = '\0';
    snprintf(buf, len, "%s", dirname(self));
    return 0;
}

/* Starts the worker executable path bound to endpoint with jobs slots and the
 * log level, stdin on /dev/null; the child dies with the coordinator. Returns
 * its pid, or -1 with err set when fork fails; an exec failure shows as the
 * child exiting with 127 (its message on stderr). */
static pid_t spawn_worker(const char *path, const char *endpoint, int jobs, const char *level,
                          err_t *err)
{
    char jobs_arg[16];
    snprintf(jobs_arg, sizeof jobs_arg, "%d", jobs);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        err_set(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Die with the coordinator, even if it is SIGKILLed. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            close(devnull);
        }
        execl(path, path, "--bind", endpoint, "--jobs", jobs_arg, "--log-level", level,
              (char *)NULL);
        fprintf(stderr, "pgopt-coordinator: cannot start %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    return pid;
}

embedded_t *embedded_start(const char *const *agents, int n, int worker_jobs, const char *log_level,
                           err_t *err)
{
    embedded_t *self = xcalloc(1, sizeof *self);
    char bindir[PATH_MAX];
    if (worker_dir(bindir, sizeof bindir, err) != 0) {
        free(self);
        return NULL;
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 60)
        tmp = "/tmp"; /* a long TMPDIR would not fit a unix socket path */
    snprintf(self->dir, sizeof self->dir, "%s/pgopt-XXXXXX", tmp);
    if (!mkdtemp(self->dir)) { /* mkdtemp creates it 0700: the endpoints are private */
        err_set(err, "cannot create a private directory for worker sockets (%s): %s", self->dir,
                strerror(errno));
        free(self);
        return NULL;
    }
    for (int k = 0; k < n && self->n < EMBEDDED_MAX; k++) {
        const char *exe = embedded_executable_for(agents[k]);
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", bindir, exe ? exe : agents[k]);
        if (!exe || access(path, X_OK) != 0) {
            if (self->nmissing < EMBEDDED_MAX) {
                int m = self->nmissing++;
                snprintf(self->missing_agent[m], sizeof self->missing_agent[m], "%s", agents[k]);
                snprintf(self->missing[m], sizeof self->missing[m], "%s not found in %s",
                         exe ? exe : "no executable for this agent", bindir);
            }
            continue;
        }
        int i = self->n;
        char sock[EMBEDDED_PATH_MAX];
        snprintf(sock, sizeof sock, "%s/%.32s.sock", self->dir, agents[k]);
        memcpy(self->sockpath[i], sock, sizeof sock);
        snprintf(self->endpoint[i], sizeof self->endpoint[i], "ipc://%s", sock);
        pid_t pid =
            spawn_worker(path, self->endpoint[i], worker_jobs, log_level ? log_level : "warn", err);
        if (pid < 0) {
            embedded_stop(&self);
            return NULL;
        }
        self->pid[i] = pid;
        self->n++;
        log_debug("embedded worker started", "agent=%s pid=%d endpoint=%s", agents[k], (int)pid,
                  self->endpoint[i]);
    }
    return self;
}

int embedded_count(const embedded_t *self)
{
    return self ? self->n : 0;
}

const char *embedded_endpoint(const embedded_t *self, int i)
{
    return (self && i >= 0 && i < self->n) ? self->endpoint[i] : NULL;
}

const char *embedded_missing(const embedded_t *self, const char *agent)
{
    for (int m = 0; self && m < self->nmissing; m++)
        if (strcmp(self->missing_agent[m], agent) == 0)
            return self->missing[m];
    return NULL;
}

void embedded_stop(embedded_t **pself)
{
    if (!pself || !*pself)
        return;
    embedded_t *self = *pself;
    for (int i = 0; i < self->n; i++)
        if (self->pid[i] > 0)
            kill(self->pid[i], SIGTERM);
    int64_t deadline = clock_mono_ms() + 5000;
    for (int i = 0; i < self->n; i++) {
        while (self->pid[i] > 0) {
            int status;
            pid_t w = waitpid(self->pid[i], &status, WNOHANG);
            if (w == self->pid[i] || (w < 0 && errno == ECHILD)) {
                self->pid[i] = 0;
                break;
            }
            if (clock_mono_ms() >= deadline) {
                log_warn("embedded worker did not stop, killing it", "pid=%d", (int)self->pid[i]);
                kill(self->pid[i], SIGKILL);
                waitpid(self->pid[i], &status, 0);
                self->pid[i] = 0;
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        unlink(self->sockpath[i]);
    }
    rmdir(self->dir);
    free(self);
    *pself = NULL;
}
