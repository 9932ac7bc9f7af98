/* proc.c - see proc.h. */
#include "tests/support/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_MAX 128

static pid_t children[PROC_MAX];

const char *proc_bin(const char *name)
{
    static char path[4096];
    const char *dir = getenv("PGOPT_BIN_DIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
    return path;
}

static void redirect(const char *path, int fd)
{
    if (!path)
        return;
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f >= 0) {
        dup2(f, fd);
        close(f);
    }
}

pid_t proc_start(char *const argv[], char *const env[], const char *stdout_path,
                 const char *stderr_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        for (int i = 0; env && env[i]; i++)
            putenv(env[i]);
        redirect(stdout_path, STDOUT_FILENO);
        redirect(stderr_path, STDERR_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "proc_start: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < PROC_MAX; i++)
        if (children[i] == 0) {
            children[i] = pid;
            break;
        }
    return pid;
}

int proc_wait(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    for (int i = 0; i < PROC_MAX; i++)
        if (children[i] == pid)
            children[i] = 0;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int proc_run(char *const argv[], char *const env[], const char *stdout_path,
             const char *stderr_path)
{
    pid_t pid = proc_start(argv, env, stdout_path, stderr_path);
    return pid < 0 ? -1 : proc_wait(pid);
}

void proc_kill_all(int sig)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (children[i] > 0) {
            kill(children[i], sig);
            /* A stopped child must be continued to die of SIGTERM. */
            kill(children[i], SIGCONT);
        }
    for (int i = 0; i < PROC_MAX; i++)
        if (children[i] > 0)
            proc_wait(children[i]);
}

char *proc_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
    size_t got = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    if (buf)
        buf[got] = '\0';
    return buf;
}

int proc_wait_for_text(const char *path, const char *text, int timeout_ms)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        char *s = proc_slurp(path);
        int found = s && strstr(s, text);
        free(s);
        if (found)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= timeout_ms)
            return 0;
        struct timespec step = {0, 10 * 1000 * 1000};
        nanosleep(&step, NULL);
    }
}

int proc_tmpdir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/pgopt-test-XXXXXX");
    return mkdtemp(buf) ? 0 : -1;
}

void proc_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}
