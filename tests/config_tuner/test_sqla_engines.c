/*
 * test_sqla_engines.c - exact extraction of SQLAlchemy engines and
 * session-state features from the small applications in tests/data/sqla/.
 *
 * Each application directory is loaded the way the collector ships code (a
 * `code` section of {path, content, bytes}, paths relative to the app) and
 * scanned as one project.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/jsonout.h"
#include "workers/config_tuner/sqla_engines.h"

static void load_dir(const char *root, const char *rel, json_t *code)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    /* readdir order is arbitrary: collect and sort so results are stable */
    char *names[256];
    size_t n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && n < 256)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char relpath[4096], full[8192];
        snprintf(relpath, sizeof(relpath), "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(full, sizeof(full), "%s/%s", root, relpath);
        free(names[i]);
        struct stat st;
        assert_int_equal(stat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            load_dir(root, relpath, code);
            continue;
        }
        FILE *f = fopen(full, "rb");
        assert_non_null(f);
        char *buf = malloc((size_t)st.st_size + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
        fclose(f);
        json_array_append_new(code, json_pack("{s:s, s:s%, s:I}", "path", relpath, "content", buf,
                                              (size_t)st.st_size, "bytes", (json_int_t)st.st_size));
        free(buf);
    }
}

static json_t *load_app(const char *app)
{
    const char *src = getenv("PGOPT_SOURCE_DIR");
    assert_non_null(src);
    char root[4096];
    snprintf(root, sizeof(root), "%s/tests/data/sqla/%s", src, app);
    json_t *code = json_array();
    load_dir(root, "", code);
    assert_true(json_array_size(code) > 0);
    return code;
}

typedef struct {
    json_t *engines, *features, *diagnostics;
    size_t files;
} scan_result_t;

static scan_result_t scan_app(const char *app)
{
    json_t *code = load_app(app);
    err_t err = {{0}};
    sqla_scan_t *scan = sqla_scan_new(code, &err);
    if (!scan)
        fail_msg("sqla_scan_new(%s): %s", app, err.msg);
    scan_result_t r = {0};
    assert_int_equal(sqla_scan_engines(scan, &r.engines, &err), 0);
    assert_int_equal(sqla_scan_session_features(scan, &r.features, &err), 0);
    r.diagnostics = sqla_scan_diagnostics(scan);
    r.files = sqla_scan_file_count(scan);
    sqla_scan_destroy(&scan);
    sqla_scan_destroy(&scan); /* safe twice */
    assert_null(scan);
    json_decref(code);
    return r;
}

static void scan_result_free(scan_result_t *r)
{
    json_decref(r->engines);
    json_decref(r->features);
    json_decref(r->diagnostics);
}

/* Compares actual with the JSON text expected; prints both on mismatch. */
static void assert_json(const json_t *actual, const char *expected_text, const char *what)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_text, JSON_DECODE_ANY, &jerr);
    if (!expected)
        fail_msg("bad expected JSON for %s: %s", what, jerr.text);
    if (!json_equal(actual, expected)) {
        char *a = jsonout_string(actual, 0, NULL);
        char *e = jsonout_string(expected, 0, NULL);
        print_error("%s:\n  expected %s\n  actual   %s\n", what, e ? e : "?", a ? a : "?");
        free(a);
        free(e);
        json_decref(expected);
        fail();
    }
    json_decref(expected);
}

static json_t *engine_at(const json_t *engines, const char *file, int line)
{
    size_t i;
    json_t *e;
    json_array_foreach(engines, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "file")), file) == 0 &&
            json_integer_value(json_object_get(e, "line")) == line)
            return e;
    }
    fail_msg("no engine at %s:%d", file, line);
    return NULL;
}

/* The feature entries reduced to [line, feature, snippet] for comparison. */
static json_t *feature_triples(const json_t *features)
{
    json_t *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_array_append_new(out, json_pack("[O, O, O]", json_object_get(f, "line"),
                                             json_object_get(f, "feature"),
                                             json_object_get(f, "snippet")));
    }
    return out;
}

/* ---- plain SQLAlchemy 2.0 with every pool option, and an async engine -- */

static void test_app20(void **state)
{
    (void)state;
    scan_result_t r = scan_app("app20");
    assert_int_equal(r.files, 4);
    assert_int_equal(json_array_size(r.engines), 2);

    json_t *e = engine_at(r.engines, "db.py", 8);
    assert_json(json_object_get(e, "call"), "\"create_engine\"", "db.py call");
    assert_json(json_object_get(e, "url_expr"), "\"DATABASE_URL\"", "db.py url_expr");
    assert_json(json_object_get(e, "options"),
                "{\"poolclass\": \"QueuePool\", \"pool_size\": 20, \"max_overflow\": 5,"
                " \"pool_timeout\": 10.5, \"pool_recycle\": 1800, \"pool_pre_ping\": true,"
                " \"pool_use_lifo\": true, \"echo_pool\": false,"
                " \"isolation_level\": \"READ COMMITTED\","
                " \"connect_args\": {\"connect_timeout\": 5,"
                " \"options\": \"-c statement_timeout=30000\"}}",
                "db.py options");
    assert_json(json_object_get(e, "dynamic"), "[]", "db.py dynamic");
    assert_json(json_object_get(e, "style"), "\"2.0\"", "db.py style");
    /* db.py has no style marker of its own: the project's decide, one line
     * per marker and file */
    assert_json(json_object_get(e, "style_evidence"),
                "[{\"marker\": \"DeclarativeBase\", \"file\": \"models.py\", \"line\": 7},"
                " {\"marker\": \"Mapped[]\", \"file\": \"models.py\", \"line\": 13},"
                " {\"marker\": \"mapped_column()\", \"file\": \"models.py\", \"line\": 13},"
                " {\"marker\": \"select()\", \"file\": \"service.py\", \"line\": 9}]",
                "db.py style_evidence");
    json_t *sources = json_object_get(e, "option_sources");
    assert_int_equal(json_array_size(sources), 10);
    assert_json(json_array_get(sources, 1),
                "{\"option\": \"pool_size\", \"file\": \"db.py\", \"line\": 11, \"expr\": \"20\"}",
                "db.py pool_size source");
    assert_null(json_object_get(e, "file_has_syntax_errors"));

    /* constants, negative numbers, arithmetic, nested connect_args */
    e = engine_at(r.engines, "async_db.py", 7);
    assert_json(json_object_get(e, "call"), "\"create_async_engine\"", "async call");
    assert_json(json_object_get(e, "url_expr"), "\"url\"", "async url_expr");
    assert_json(json_object_get(e, "options"),
                "{\"pool_size\": 8, \"max_overflow\": -1, \"pool_recycle\": 1800,"
                " \"connect_args\": {\"server_settings\":"
                " {\"application_name\": \"orders-async\", \"jit\": \"off\"}}}",
                "async options");
    assert_json(json_object_get(e, "dynamic"), "[]", "async dynamic");
    assert_json(json_object_get(e, "style"), "\"2.0\"", "async style");

    assert_json(r.features, "[]", "app20 features");
    assert_json(r.diagnostics, "[]", "app20 diagnostics");
    scan_result_free(&r);
}

/* ---- 1.x style: sa.create_engine with constants and **dict literal ------ */

static void test_legacy1x(void **state)
{
    (void)state;
    scan_result_t r = scan_app("legacy1x");
    assert_int_equal(json_array_size(r.engines), 1);
    json_t *e = engine_at(r.engines, "database.py", 14);
    assert_json(json_object_get(e, "url_expr"), "\"\\\"postgresql://legacy@localhost/shop\\\"\"",
                "legacy url_expr");
    /* OVERFLOW = POOL_SIZE // 3 through ENGINE_KWARGS; echo is no pool option */
    assert_json(json_object_get(e, "options"),
                "{\"pool_size\": 15, \"pool_timeout\": 30, \"poolclass\": \"QueuePool\","
                " \"max_overflow\": 5, \"pool_recycle\": 3600}",
                "legacy options");
    assert_json(json_object_get(e, "dynamic"), "[]", "legacy dynamic");
    assert_json(json_object_get(e, "style"), "\"1.x\"", "legacy style");
    assert_json(json_object_get(e, "style_evidence"),
                "[{\"marker\": \"declarative_base()\", \"file\": \"database.py\", \"line\": 17}]",
                "legacy style_evidence");
    /* the splatted options point at the dict literal's lines */
    assert_json(json_array_get(json_object_get(e, "option_sources"), 3),
                "{\"option\": \"max_overflow\", \"file\": \"database.py\", \"line\": 9,"
                " \"expr\": \"OVERFLOW\"}",
                "legacy max_overflow source");
    assert_json(r.features, "[]", "legacy features");
    scan_result_free(&r);
}

/* ---- Flask-SQLAlchemy: config classes, app.config, old 2.x keys --------- */

static void test_flask(void **state)
{
    (void)state;
    scan_result_t r = scan_app("flaskapp");
    assert_int_equal(json_array_size(r.engines), 1);
    json_t *e = engine_at(r.engines, "app.py", 9);
    assert_json(json_object_get(e, "call"), "\"flask_sqlalchemy\"", "flask call");
    assert_json(json_object_get(e, "url_expr"),
                "\"os.environ.get(\\\"DATABASE_URL\\\", \\\"postgresql://localhost/blog\\\")\"",
                "flask url_expr");
    assert_json(json_object_get(e, "options"),
                "{\"pool_pre_ping\": true, \"pool_size\": 10,"
                " \"connect_args\": {\"sslmode\": \"require\"}, \"max_overflow\": 20,"
                " \"pool_timeout\": 15}",
                "flask options");
    /* DevelopmentConfig and ProductionConfig disagree on SQLALCHEMY_POOL_RECYCLE */
    assert_json(json_object_get(e, "dynamic"), "[\"pool_recycle\"]", "flask dynamic");
    json_t *sources = json_object_get(e, "option_sources");
    assert_int_equal(json_array_size(sources), 8);
    assert_json(json_array_get(sources, 5),
                "{\"option\": \"pool_recycle\", \"file\": \"config.py\", \"line\": 15,"
                " \"expr\": \"280\"}",
                "flask recycle source 1");
    assert_json(json_array_get(sources, 6),
                "{\"option\": \"pool_recycle\", \"file\": \"config.py\", \"line\": 19,"
                " \"expr\": \"1800\"}",
                "flask recycle source 2");
    /* Flask-SQLAlchemy 3's db.select() is the 2.0 select() */
    assert_json(json_object_get(e, "style"), "\"2.0\"", "flask style");
    assert_json(json_object_get(e, "style_evidence"),
                "[{\"marker\": \"select()\", \"file\": \"app.py\", \"line\": 24}]",
                "flask style_evidence");
    json_t *triples = feature_triples(r.features);
    assert_json(triples, "[[23, \"advisory_lock\", \"SELECT pg_advisory_lock(42)\"]]",
                "flask features");
    json_decref(triples);
    assert_json(json_object_get(json_array_get(r.features, 0), "call"), "\"db.text\"",
                "flask feature call");
    scan_result_free(&r);
}

/* ---- dynamic values, engine_from_config, future=True -------------------- */

static void test_dynamic(void **state)
{
    (void)state;
    scan_result_t r = scan_app("dynamic");
    assert_int_equal(json_array_size(r.engines), 3);

    json_t *e = engine_at(r.engines, "settings.py", 13);
    assert_json(json_object_get(e, "url_expr"), "\"os.environ[\\\"DATABASE_URL\\\"]\"",
                "dynamic url_expr");
    assert_json(json_object_get(e, "options"),
                "{\"pool_pre_ping\": true, \"connect_args\": {\"connect_timeout\": 10}}",
                "dynamic options");
    /* opts is mutated under a condition, engine_options() is a call */
    assert_json(json_object_get(e, "dynamic"),
                "[\"pool_size\", \"connect_args.application_name\", \"**opts\","
                " \"**engine_options()\"]",
                "dynamic dynamic");
    assert_json(json_object_get(e, "style"), "\"unknown\"", "dynamic style");

    /* ini-style strings coerced like SQLAlchemy's engine_config_types;
     * other.* keys ignored; the keyword argument wins */
    e = engine_at(r.engines, "settings.py", 30);
    assert_json(json_object_get(e, "call"), "\"engine_from_config\"", "efc call");
    assert_json(json_object_get(e, "url_expr"),
                "\"\\\"postgresql://reports@warehouse/reports\\\"\"", "efc url_expr");
    assert_json(json_object_get(e, "options"),
                "{\"pool_size\": 4, \"pool_pre_ping\": true, \"poolclass\": \"NullPool\","
                " \"max_overflow\": 0}",
                "efc options");
    assert_json(json_object_get(e, "dynamic"), "[]", "efc dynamic");

    /* a parameter is not static; future=True decides the style */
    e = engine_at(r.engines, "settings.py", 34);
    assert_json(json_object_get(e, "options"), "{\"poolclass\": \"NullPool\"}", "batch options");
    assert_json(json_object_get(e, "dynamic"), "[\"pool_size\"]", "batch dynamic");
    assert_json(json_object_get(e, "style"), "\"2.0\"", "batch style");
    assert_json(json_object_get(e, "style_evidence"),
                "[{\"marker\": \"future=True\", \"file\": \"settings.py\", \"line\": 34}]",
                "batch style_evidence");
    scan_result_free(&r);
}

/* ---- a file with a syntax error is still analysed, and reported --------- */

static void test_broken(void **state)
{
    (void)state;
    scan_result_t r = scan_app("broken");
    assert_int_equal(json_array_size(r.engines), 1);
    json_t *e = engine_at(r.engines, "db.py", 3);
    assert_json(json_object_get(e, "options"), "{\"pool_size\": 3}", "broken options");
    assert_json(json_object_get(e, "file_has_syntax_errors"), "true", "broken flag");
    assert_json(r.diagnostics,
                "[{\"file\": \"db.py\", \"line\": 6, \"column\": 1, \"kind\": \"python_syntax\","
                " \"message\": \"syntax error; the rest of the file was analysed\"}]",
                "broken diagnostics");
    /* the function after the broken one still counts */
    json_t *triples = feature_triples(r.features);
    assert_json(triples, "[[11, \"SET\", \"SET search_path TO tenant_1\"]]", "broken features");
    json_decref(triples);
    scan_result_free(&r);
}

/* ---- session-state features and their look-alikes ---------------------- */

static void test_session_features(void **state)
{
    (void)state;
    scan_result_t r = scan_app("session_state");
    assert_json(r.engines, "[]", "session_state engines");
    json_t *triples = feature_triples(r.features);
    /* Lines 47-48: bind parameters next to slices, casts, comments and
     * dollar quotes parse and hold nothing. Lines 31-42 (SET LOCAL, SET TRANSACTION, xact locks, ON
     * COMMIT DROP, keywords inside literals and comments, a cursor without HOLD, set_config(...,
     * true), print()) must not appear. */
    assert_json(triples,
                "[[9, \"advisory_lock\", \"SELECT pg_advisory_lock(:job_id)\"],"
                " [10, \"advisory_lock\", \"func.pg_try_advisory_lock(job_id)\"],"
                " [11, \"SET\", \"SET TIME ZONE 'UTC'\"],"
                " [12, \"LISTEN\", \"LISTEN job_events\"],"
                " [13, \"PREPARE\", \"PREPARE fetch_job AS SELECT * FROM jobs WHERE id = $1\"],"
                " [14, \"temp_table\", \"CREATE TEMP TABLE staging (id int)\"],"
                " [15, \"with_hold_cursor\","
                " \"DECLARE big CURSOR WITH HOLD FOR SELECT * FROM jobs\"],"
                " [16, \"SET\", \"SELECT set_config('app.user', :user, false)\"],"
                " [20, \"SET\", \"f\\\"SET search_path TO {schema}\\\"\"],"
                " [26, \"SET\", \"SET statement_timeout = %s\"],"
                " [46, \"SET\", \"SET search_path TO :schema\"]]",
                "session features");
    json_decref(triples);

    json_t *f = json_array_get(r.features, 8); /* the f-string */
    assert_json(json_object_get(f, "dynamic"), "true", "f-string dynamic");
    assert_json(json_object_get(f, "call"), "\"text\"", "f-string call");
    assert_json(json_object_get(json_array_get(r.features, 3), "call"), "\"conn.exec_driver_sql\"",
                "exec_driver_sql call");
    assert_json(json_object_get(json_array_get(r.features, 9), "call"), "\"cur.execute\"",
                "cursor call");
    assert_null(json_object_get(json_array_get(r.features, 0), "dynamic"));

    /* log.execute("SET") is not SQL PostgreSQL accepts: reported, not counted */
    assert_json(r.diagnostics,
                "[{\"file\": \"jobs.py\", \"line\": 42, \"column\": 17, \"kind\": \"sql_syntax\","
                " \"message\": \"SQL passed to log.execute does not parse: syntax error at end"
                " of input (at character 4)\"}]",
                "session diagnostics");
    scan_result_free(&r);
}

/* ---- the code section itself -------------------------------------------- */

static void test_code_section_errors(void **state)
{
    (void)state;
    err_t err = {{0}};
    json_t *out = NULL;

    json_t *not_array = json_object();
    assert_int_equal(sqla_find_engines(not_array, &out, &err), -1);
    assert_null(out);
    assert_non_null(strstr(err.msg, "expected an array"));
    json_decref(not_array);

    json_t *bad_entry =
        json_pack("[{s:s, s:s}, {s:s}]", "path", "a.py", "content", "x = 1", "path", "b.py");
    assert_int_equal(sqla_find_session_features(bad_entry, &out, &err), -1);
    assert_non_null(strstr(err.msg, "code[1]"));
    json_decref(bad_entry);

    /* no code collected: empty answers, not an error */
    assert_int_equal(sqla_find_engines(NULL, &out, &err), 0);
    assert_json(out, "[]", "NULL code engines");
    json_decref(out);

    /* only .py files are read; an embedded NUL does not stop the parser */
    static const char with_nul[] = "from sqlalchemy import create_engine\n# \0\n"
                                   "engine = create_engine('postgresql://y', pool_size=2)\n";
    json_t *mixed = json_pack("[{s:s, s:s}, {s:s, s:s%}]", "path", "notes.txt", "content",
                              "create_engine('postgresql://x', pool_size=1)", "path", "db.py",
                              "content", with_nul, sizeof(with_nul) - 1);
    assert_int_equal(sqla_find_engines(mixed, &out, &err), 0);
    assert_int_equal(json_array_size(out), 1);
    assert_json(json_object_get(json_array_get(out, 0), "options"), "{\"pool_size\": 2}",
                "mixed options");
    assert_json(json_object_get(json_array_get(out, 0), "line"), "3", "mixed line");
    json_decref(out);
    json_decref(mixed);
}

/* Wrappers and functions of other origins are not engines. */
static void test_origin(void **state)
{
    (void)state;
    err_t err = {{0}};
    json_t *out = NULL;
    json_t *code = json_pack("[{s:s, s:s}]", "path", "svc.py", "content",
                             "from myapp.db import create_engine\n"
                             "import sqlalchemy\n"
                             "from sqlalchemy import *\n"
                             "a = create_engine('x', pool_size=1)\n" /* imported from myapp: no */
                             "b = self.create_engine('x', pool_size=2)\n"         /* a method: no */
                             "c = sqlalchemy.create_engine('x', pool_size=3)\n"); /* yes */
    assert_int_equal(sqla_find_engines(code, &out, &err), 0);
    assert_int_equal(json_array_size(out), 1);
    assert_json(json_object_get(json_array_get(out, 0), "line"), "6", "origin line");
    json_decref(out);
    json_decref(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app20),
        cmocka_unit_test(test_legacy1x),
        cmocka_unit_test(test_flask),
        cmocka_unit_test(test_dynamic),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_session_features),
        cmocka_unit_test(test_code_section_errors),
        cmocka_unit_test(test_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
