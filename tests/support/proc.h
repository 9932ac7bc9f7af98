/*
 * proc.h - child processes for integration tests: start real pgopt
 * executables with arguments and extra environment, run one to completion
 * capturing its output, signal and reap them. Every child is remembered so
 * proc_kill_all() (call it from teardown) leaves nothing running.
 */
#ifndef PGOPT_TESTS_PROC_H
#define PGOPT_TESTS_PROC_H

#include <sys/types.h>

/* Path of an executable of the build: $PGOPT_BIN_DIR/name (static buffer). */
const char *proc_bin(const char *name);

/* Starts argv[0] with argv; env is a NULL-terminated list of "K=V" added to
 * the environment (may be NULL); stdout/stderr go to the given files when not
 * NULL (else inherited). Returns the pid or -1. */
pid_t proc_start(char *const argv[], char *const env[], const char *stdout_path,
                 const char *stderr_path);

/* Runs to completion; returns the exit status (128+signal if killed, -1 on
 * failure to start). Output captured as in proc_start. */
int proc_run(char *const argv[], char *const env[], const char *stdout_path,
             const char *stderr_path);

/* Waits for pid; returns the exit status as proc_run does. */
int proc_wait(pid_t pid);

/* Sends sig to every child still running, waits for them. */
void proc_kill_all(int sig);

/* Reads a whole file into a malloc()ed NUL-terminated string (NULL if none). */
char *proc_slurp(const char *path);

/* Waits until the file at path contains text (a log line the test waits
 * for: "job received", "shutdown requested"); polls every 10 ms for at most
 * timeout_ms. Returns 1 when found, 0 on timeout. Tests synchronise on such
 * events, never on a fixed sleep. */
int proc_wait_for_text(const char *path, const char *text, int timeout_ms);

/* A fresh private temporary directory (mkdtemp) in buf; removes it (and its
 * files, one level) with proc_rmdir. */
int proc_tmpdir(char *buf, size_t len);
void proc_rmdir(const char *dir);

#endif
