/*
 * test_config_file.c - config file + PGOPT_* + command line merged into the
 * argv getopt parses: precedence per option, repeatable and exclusive
 * options, flags, quoting, file selection, and errors that name file and
 * line. Also the progress lines (silent when disabled, counts and elapsed
 * time when enabled).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/config_file.h"
#include "coordinator/report/progress.h"

/* A subset of pgopt-coordinator's table, same shapes. */
static const struct option LONGOPTS[] = {
    {"dsn", required_argument, NULL, 'd'},
    {"snapshot", required_argument, NULL, 's'},
    {"output", required_argument, NULL, 'o'},
    {"worker", required_argument, NULL, 'w'},
    {"timeout", required_argument, NULL, 't'},
    {"index-budget", required_argument, NULL, 300},
    {"verify", no_argument, NULL, 301},
    {"verbose", no_argument, NULL, 'v'},
    {"config", required_argument, NULL, 302},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char *const NOT_CONFIGURABLE[] = {"help", "config", NULL};
static const char *const REPEATABLE[] = {"worker", NULL};
static const char *const EXCLUSIVE[] = {"dsn", "snapshot", NULL};
static const config_spec_t SPEC = {LONGOPTS,  ":d:s:o:w:t:vh", NOT_CONFIGURABLE, REPEATABLE,
                                   EXCLUSIVE, "PGOPT_",        "pgopt"};

static char g_dir[] = "/tmp/pgopt-config-XXXXXX";

static const char *write_conf(const char *name, const char *text)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void clear_env(void)
{
    static const char *const vars[] = {
        "PGOPT_DSN",          "PGOPT_SNAPSHOT", "PGOPT_OUTPUT",  "PGOPT_WORKER", "PGOPT_TIMEOUT",
        "PGOPT_INDEX_BUDGET", "PGOPT_VERIFY",   "PGOPT_VERBOSE", "PGOPT_CONFIG", "PGOPT_HELP"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    /* no user or system file unless a test writes one */
    setenv("XDG_CONFIG_HOME", g_dir, 1);
}

/* Merges and joins the result with '|' (argv[0] dropped). */
static char *merge(int argc, const char **argv, int expect_rc, char *errbuf)
{
    char *copy[32];
    for (int i = 0; i < argc; i++)
        copy[i] = (char *)argv[i];
    copy[argc] = NULL;
    int oc = 0;
    char **ov = NULL;
    err_t err;
    char used[4096];
    int rc = config_merge_argv(&SPEC, argc, copy, &oc, &ov, used, &err);
    assert_int_equal(rc, expect_rc);
    if (rc != 0) {
        snprintf(errbuf, ERR_MSG_MAX, "%s", err.msg);
        return NULL;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    for (int i = 1; i < oc; i++)
        fprintf(m, "%s%s", i > 1 ? "|" : "", ov[i]);
    fclose(m);
    config_free_argv(oc, &ov);
    assert_null(ov);
    return out;
}

static void test_precedence(void **state)
{
    (void)state;
    clear_env();
    const char *conf = write_conf("a.conf", "# pgopt\n"
                                            "timeout = 30s\n"
                                            "index_budget = 1GB\n"
                                            "output = from-file.json\n"
                                            "verify = yes\n"
                                            "\n"
                                            "  dsn = \"host=db1 dbname=shop\"  \n");
    setenv("PGOPT_INDEX_BUDGET", "2GB", 1);
    setenv("PGOPT_OUTPUT", "from-env.json", 1);
    const char *argv[] = {"pgopt", "--config", conf, "-o", "cli.json", "--timeout=5s"};
    char err[ERR_MSG_MAX];
    char *got = merge(6, argv, 0, err);
    /* file: dsn and verify only (the others are set higher); env: budget
     * (output is on the command line); then the command line unchanged */
    char want[8192];
    snprintf(want, sizeof want,
             "--verify|--dsn=host=db1 dbname=shop|--index-budget=2GB|--config|%s|-o|cli.json|"
             "--timeout=5s",
             conf);
    assert_string_equal(got, want);
    assert_non_null(strstr(got, "--dsn=host=db1 dbname=shop"));
    assert_non_null(strstr(got, "--verify"));
    assert_non_null(strstr(got, "--index-budget=2GB"));
    assert_null(strstr(got, "1GB"));
    assert_null(strstr(got, "from-file.json"));
    assert_null(strstr(got, "from-env.json"));
    assert_null(strstr(got, "30s"));
    /* order: file, env, command line - so getopt's last-wins agrees */
    assert_true(strstr(got, "--dsn=") < strstr(got, "--index-budget=2GB"));
    assert_true(strstr(got, "--index-budget=2GB") < strstr(got, "-o|cli.json"));
    free(got);
    clear_env();
}

static void test_exclusive_and_repeatable(void **state)
{
    (void)state;
    clear_env();
    const char *conf = write_conf("b.conf", "dsn = host=db1\n"
                                            "worker = tcp://a:7001\n"
                                            "worker = tcp://b:7001\n");
    const char *argv[] = {"pgopt", "--config=", "-s", "saved.msgpack"};
    char cfg[4300];
    snprintf(cfg, sizeof cfg, "--config=%s", conf);
    argv[1] = cfg;
    char err[ERR_MSG_MAX];
    char *got = merge(4, argv, 0, err);
    /* --snapshot on the command line silences the file's dsn */
    assert_null(strstr(got, "--dsn"));
    assert_non_null(strstr(got, "--worker=tcp://a:7001|--worker=tcp://b:7001"));
    free(got);
    /* a worker on the command line replaces the file's list */
    const char *argv2[] = {"pgopt", cfg, "-w", "tcp://c:1"};
    got = merge(4, argv2, 0, err);
    assert_null(strstr(got, "tcp://a"));
    free(got);
    /* PGOPT_SNAPSHOT silences the file's dsn too */
    setenv("PGOPT_SNAPSHOT", "env.msgpack", 1);
    const char *argv3[] = {"pgopt", cfg};
    got = merge(2, argv3, 0, err);
    assert_null(strstr(got, "--dsn"));
    assert_non_null(strstr(got, "--snapshot=env.msgpack"));
    free(got);
    clear_env();
}

static void test_file_selection(void **state)
{
    (void)state;
    clear_env();
    char err[ERR_MSG_MAX];
    /* nothing anywhere: argv unchanged */
    const char *argv[] = {"pgopt", "-v"};
    char *got = merge(2, argv, 0, err);
    assert_string_equal(got, "-v");
    free(got);
    /* $XDG_CONFIG_HOME/pgopt/pgopt.conf */
    char d[4200];
    snprintf(d, sizeof d, "%s/pgopt", g_dir);
    mkdir(d, 0755);
    write_conf("pgopt/pgopt.conf", "timeout = 9s\n");
    got = merge(2, argv, 0, err);
    assert_string_equal(got, "--timeout=9s|-v");
    free(got);
    /* PGOPT_CONFIG wins over it */
    setenv("PGOPT_CONFIG", write_conf("c.conf", "timeout = 8s\n"), 1);
    got = merge(2, argv, 0, err);
    assert_string_equal(got, "--timeout=8s|-v");
    free(got);
    /* a named file must exist */
    setenv("PGOPT_CONFIG", "/nonexistent/pgopt.conf", 1);
    assert_null(merge(2, argv, -1, err));
    assert_non_null(strstr(err, "/nonexistent/pgopt.conf"));
    clear_env();
    char path[4300];
    snprintf(path, sizeof path, "%s/pgopt/pgopt.conf", g_dir);
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    clear_env();
    char err[ERR_MSG_MAX];
    struct {
        const char *text, *want;
    } cases[] = {
        {"timeout = 1s\ntimout = 2s\n", "e.conf:2: unknown key 'timout'"},
        {"help = true\n", "e.conf:1: unknown key 'help'"},
        {"timeout\n", "e.conf:1: expected 'key = value'"},
        {"verify = maybe\n", "e.conf:1: verify is a flag"},
        {"timeout = 1s\ntimeout = 2s\n", "e.conf:2: timeout given twice"},
        {"dsn = \"unterminated\n", "e.conf:1: unterminated quoted value"},
        {"dsn = \"a\" b\n", "e.conf:1: text after the closing quote"},
        {"timeout =\n", "e.conf:1: timeout needs a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *conf = write_conf("e.conf", cases[i].text);
        const char *argv[] = {"pgopt", "--config", conf};
        assert_null(merge(3, argv, -1, err));
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, cases[i].want);
    }
    setenv("PGOPT_VERIFY", "sometimes", 1);
    const char *argv[] = {"pgopt"};
    assert_null(merge(1, argv, -1, err));
    assert_non_null(strstr(err, "PGOPT_VERIFY: verify is a flag"));
    clear_env();
    /* a false flag adds nothing; quotes keep escaped characters */
    const char *conf = write_conf("f.conf", "verbose = off\ndsn = \"a \\\"b\\\" \\\\c\"\n");
    const char *argv2[] = {"pgopt", "--config", conf};
    char *got = merge(3, argv2, 0, err);
    char want[8192];
    snprintf(want, sizeof want, "--dsn=a \"b\" \\c|--config|%s", conf);
    assert_string_equal(got, want);
    assert_null(strstr(got, "--verbose"));
    free(got);
}

static void test_progress(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    progress_t *off = progress_new_to(0, m);
    progress_step(off, "collecting", 1, 10);
    progress_task(off, "index_advisor", "what-if", 3, 28, NULL);
    progress_done(off, "done");
    progress_destroy(&off);
    assert_null(off);
    progress_destroy(&off); /* safe twice */
    fflush(m);
    assert_int_equal(len, 0); /* disabled: silent */

    progress_t *p = progress_new_to(1, m);
    progress_step(p, "waiting for agents", 1, 4);
    progress_task(p, "index_advisor", "what-if", 12, 28, NULL);
    progress_task(p, "config_tuner", NULL, 0, 0, "ok");
    progress_task(p, "ai_tuning", NULL, 0, 0, "timeout");
    progress_done(p, "3 of 4 agents answered");
    progress_destroy(&p);
    fclose(m);
    assert_non_null(strstr(buf, "\r["));
    assert_non_null(strstr(buf, "s] waiting for agents 1/4: index_advisor what-if 12/28\033"));
    assert_null(strstr(buf, "config_tuner")); /* done fine: off the line */
    /* 80 columns with the failure: cut to 79 with "..." */
    assert_non_null(strstr(buf, ": index_advisor what-if 12/28, ai_tuning tim...\033[K"));
    assert_non_null(strstr(buf, "3 of 4 agents answered\033[K\n"));
    /* no drawn line is longer than 79 columns */
    for (char *l = buf; *l;) {
        size_t n = strcspn(l, "\r\n");
        char *esc = memchr(l, '\033', n);
        assert_true((esc ? (size_t)(esc - l) : n) <= 79);
        l += n;
        while (*l == '\r' || *l == '\n')
            l++;
    }
    free(buf);
    assert_int_equal(progress_wanted(1), 0); /* --quiet */
}

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(g_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),     cmocka_unit_test(test_exclusive_and_repeatable),
        cmocka_unit_test(test_file_selection), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_progress),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
