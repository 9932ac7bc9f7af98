/*
 * test_worker.c - pgopt-test-worker: a TEST DOUBLE of an agent on the real
 * worker runtime (workers/runtime), for runtime and fleet tests. It is not an
 * agent and is never installed.
 *
 * Everything but the agent function is the production code path: option
 * parsing, the ROUTER socket, the job pool, PROGRESS, deadlines, CANCEL,
 * signals. The agent function's behaviour comes from the environment:
 *
 *   PGOPT_TEST_AGENT      the agent name to serve. When unset it is derived
 *                         from the name the program was run as, so tests can
 *                         symlink it: pgopt-index-advisor -> index_advisor,
 *                         pgopt-query-rewriter -> query_rewriter,
 *                         pgopt-config-tuner -> config_tuner,
 *                         pgopt-ai-tuning -> ai_tuning.
 *   PGOPT_TEST_BEHAVIOUR  what a job does:
 *     ok (default)   returns a small map computed from the snapshot:
 *                    {"phase":"OPTIMIZE", "agent":<agent>,
 *                     "snapshot_sections":[top-level keys in order],
 *                     "statements":<length of the statements array, or null
 *                     when the snapshot has none>, "worker":"host:pid"}
 *                    plus the containers the agent's result schema requires
 *                    (docs/RESULTS.md), empty, and a note saying so
 *     wrong-shape    as ok, but the agent's first required container has
 *                    the wrong type (a string)
 *     wrong-agent    as ok, but labelled with another agent
 *     slow:MS        beats every 50 ms for MS ms (stopping early when
 *                    cancelled), then as ok
 *     hang           beats once, then loops forever without beating or
 *                    checking for cancellation: a hung job loop
 *     crash          beats once, then abort()s the whole process mid-job
 *     fail           returns an error (the coordinator sees agent_failed)
 *     not-a-map      "succeeds" with an array instead of a result map (the
 *                    runtime must turn that into agent_failed)
 *     exit-after-job as ok, then asks its own process to stop (SIGTERM), so
 *                    the runtime delivers the RESULT and exits 0: one job
 *                    per process, for restart tests
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "workers/runtime/runtime.h"

typedef enum {
    BEHAVE_OK,
    BEHAVE_SLOW,
    BEHAVE_HANG,
    BEHAVE_CRASH,
    BEHAVE_FAIL,
    BEHAVE_NOT_MAP,
    BEHAVE_EXIT,
    BEHAVE_WRONG_SHAPE,
    BEHAVE_WRONG_AGENT
} behaviour_t;

static behaviour_t behaviour = BEHAVE_OK;
static long slow_ms;
static char agent_name[33];

static const struct {
    const char *executable;
    const char *agent;
} known_agents[] = {
    {"pgopt-index-advisor", "index_advisor"},
    {"pgopt-query-rewriter", "query_rewriter"},
    {"pgopt-config-tuner", "config_tuner"},
    {"pgopt-ai-tuning", "ai_tuning"},
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Builds the test double's result for snapshot: the snapshot's section
 * names, statement count, worker name, and the empty containers the agent's
 * result schema requires (bent as PGOPT_TEST_BEHAVIOUR asks). Returns a new
 * object, or NULL when json_pack fails. */
static json_t *summarise(const json_t *snapshot)
{
    json_t *sections = json_array();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)snapshot, key, value)
    {
        json_array_append_new(sections, json_string(key));
    }
    const json_t *statements = json_object_get(snapshot, "statements");
    char host[256] = "unknown";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    char worker[300];
    snprintf(worker, sizeof worker, "%s:%d", host, (int)getpid());
    json_t *r = json_pack(
        "{s:s, s:s, s:o, s:o, s:s, s:[s]}", "phase", "OPTIMIZE", "agent", agent_name,
        "snapshot_sections", sections, "statements",
        json_is_array(statements) ? json_integer((json_int_t)json_array_size(statements))
                                  : json_null(),
        "worker", worker, "notes", "pgopt-test-worker: a test double, no analysis was made");
    /* The containers each agent's result schema requires, empty: the
     * coordinator refuses a result without them. */
    static const struct {
        const char *agent;
        const char *keys[6];
        int map; /* 1: the containers are maps, 0: arrays */
    } required[] = {
        {"index_advisor", {"recommendations", "unused_indexes_to_drop", "duplicate_indexes"}, 0},
        {"query_rewriter", {"rewrites", "sql_rewrites"}, 0},
        {"config_tuner", {"postgresql", "sqlalchemy", "pgbouncer", "timescaledb"}, 1},
        {"ai_tuning",
         {"workload_analysis", "predictions", "cloud_native", "ml_insights", "cost_optimization"},
         1},
    };
    for (size_t i = 0; r && i < sizeof required / sizeof required[0]; i++) {
        if (strcmp(required[i].agent, agent_name) != 0)
            continue;
        for (int k = 0; k < 6 && required[i].keys[k]; k++)
            json_object_set_new(r, required[i].keys[k],
                                (behaviour == BEHAVE_WRONG_SHAPE && k == 0)
                                    ? json_string("wrong shape on purpose")
                                : required[i].map ? json_object()
                                                  : json_array());
        if (!strcmp(agent_name, "config_tuner"))
            json_object_set_new(r, "apply_script", json_string(""));
    }
    if (r && behaviour == BEHAVE_WRONG_AGENT)
        json_object_set_new(
            r, "agent",
            json_string(strcmp(agent_name, "index_advisor") ? "index_advisor" : "config_tuner"));
    return r;
}

/* The job function: acts as PGOPT_TEST_BEHAVIOUR says (slow, hang, crash,
 * fail, ...) then stores summarise()'s result in *result. Returns 0, or -1
 * with err set when told to fail, cancelled while slow, or the result cannot
 * be built. */
static int test_agent(const json_t *snapshot, progress_fn progress, void *progress_user,
                      json_t **result, err_t *err)
{
    switch (behaviour) {
    case BEHAVE_SLOW: {
        int64_t start = mono_ms();
        for (;;) {
            int64_t spent = mono_ms() - start;
            if (spent >= slow_ms)
                break;
            if (progress(progress_user, "slow", spent, slow_ms))
                return err_set(err, "cancelled after %lld of %ld ms", (long long)spent, slow_ms);
            sleep_ms(50);
        }
        break;
    }
    case BEHAVE_HANG:
        progress(progress_user, "hang", 0, 0);
        /* A hung loop: no beats, no cancellation checks. Sleeping rather than
         * spinning keeps the shared test machine's CPUs free. */
        for (;;)
            sleep_ms(10);
    case BEHAVE_CRASH: {
        progress(progress_user, "crash", 0, 0);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        abort();
    }
    case BEHAVE_FAIL:
        return err_set(err, "test worker told to fail (PGOPT_TEST_BEHAVIOUR=fail)");
    case BEHAVE_NOT_MAP:
        *result = json_pack("[s]", "a list is not a result map");
        return *result ? 0 : err_set(err, "cannot build the array");
    case BEHAVE_OK:
    case BEHAVE_EXIT:
    case BEHAVE_WRONG_SHAPE:
    case BEHAVE_WRONG_AGENT:
        break;
    }
    *result = summarise(snapshot);
    if (!*result)
        return err_set(err, "cannot build the result map");
    if (behaviour == BEHAVE_EXIT)
        kill(getpid(), SIGTERM); /* process-directed: the runtime's main thread takes it */
    return 0;
}

/* Sets behaviour (and slow_ms) from the PGOPT_TEST_BEHAVIOUR value s; NULL
 * or empty means ok. Returns 0, or -1 for an unknown value or a bad slow:MS. */
static int parse_behaviour(const char *s)
{
    if (!s || !*s || strcmp(s, "ok") == 0)
        behaviour = BEHAVE_OK;
    else if (strncmp(s, "slow:", 5) == 0) {
        char *end = NULL;
        errno = 0;
        slow_ms = strtol(s + 5, &end, 10);
        if (errno || end == s + 5 || *end || slow_ms < 0 || slow_ms > 86400000L)
            return -1;
        behaviour = BEHAVE_SLOW;
    } else if (strcmp(s, "hang") == 0)
        behaviour = BEHAVE_HANG;
    else if (strcmp(s, "crash") == 0)
        behaviour = BEHAVE_CRASH;
    else if (strcmp(s, "fail") == 0)
        behaviour = BEHAVE_FAIL;
    else if (strcmp(s, "not-a-map") == 0)
        behaviour = BEHAVE_NOT_MAP;
    else if (strcmp(s, "exit-after-job") == 0)
        behaviour = BEHAVE_EXIT;
    else if (strcmp(s, "wrong-shape") == 0)
        behaviour = BEHAVE_WRONG_SHAPE;
    else if (strcmp(s, "wrong-agent") == 0)
        behaviour = BEHAVE_WRONG_AGENT;
    else
        return -1;
    return 0;
}

/* Entry point: picks the agent from PGOPT_TEST_AGENT or the executable name
 * and the behaviour from PGOPT_TEST_BEHAVIOUR, then runs the worker runtime.
 * Returns worker_main's status, or 2 after printing a usage error. */
int main(int argc, char **argv)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "pgopt-test-worker";
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;

    const char *agent = getenv("PGOPT_TEST_AGENT");
    if (agent && *agent) {
        if (strlen(agent) >= sizeof agent_name) {
            fprintf(stderr, "%s: PGOPT_TEST_AGENT: longer than %zu bytes\n", base,
                    sizeof agent_name - 1);
            return 2;
        }
        snprintf(agent_name, sizeof agent_name, "%s", agent);
    } else {
        for (size_t i = 0; i < sizeof known_agents / sizeof known_agents[0]; i++)
            if (strcmp(base, known_agents[i].executable) == 0)
                snprintf(agent_name, sizeof agent_name, "%s", known_agents[i].agent);
        if (!agent_name[0]) {
            fprintf(stderr,
                    "%s: which agent? Set PGOPT_TEST_AGENT or run this program under an agent's "
                    "name (pgopt-index-advisor, pgopt-query-rewriter, pgopt-config-tuner, "
                    "pgopt-ai-tuning)\n",
                    base);
            return 2;
        }
    }
    const char *b = getenv("PGOPT_TEST_BEHAVIOUR");
    if (parse_behaviour(b) != 0) {
        fprintf(stderr,
                "%s: PGOPT_TEST_BEHAVIOUR: expected ok, slow:MS, hang, crash, fail, "
                "not-a-map, exit-after-job, wrong-shape or wrong-agent, got '%s'\n",
                base, b);
        return 2;
    }

    agent_def_t def = {
        .agent = agent_name,
        .executable = base,
        .description = "Test double of a pgopt agent (PGOPT_TEST_AGENT, PGOPT_TEST_BEHAVIOUR): "
                       "real runtime, scripted job behaviour. Not an agent.",
        .run = test_agent,
    };
    return worker_main(argc, argv, &def);
}
