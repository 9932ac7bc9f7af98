/* test_codedir.c - the --code directory walker: which *.py files are taken,
 * in which order, within which budgets, and why the others are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/collect/codedir.h"
#include "tests/collect/snaputil.h"

static const char *reason_of(json_t *skipped, const char *path)
{
    json_t *e = snap_find(skipped, "path", path, NULL, NULL);
    return e ? json_string_value(json_object_get(e, "reason")) : NULL;
}

static void expect_reason(json_t *skipped, const char *path, const char *substring)
{
    const char *r = reason_of(skipped, path);
    if (!r || !strstr(r, substring))
        fail_msg("skipped %s: reason \"%s\", want \"%s\"", path, r ? r : "(not skipped)",
                 substring);
}

static void test_tree(void **state)
{
    (void)state;
    const char *root = snap_tempdir(0, "pgopt-codedir");
    const char *outside = snap_tempdir(1, "pgopt-codedir-outside");
    char big[300];
    memset(big, 'x', sizeof big);

    snap_write(root, "app.py", "import os\n", 10);
    snap_write(root, "pkg/models.py", "class User: pass\n", 17);
    snap_write(root, "pkg/z_last.py", "Z = 1\n", 6);
    snap_write(root, "pkg/big.py", big, sizeof big);
    snap_write(root, "pkg/readme.txt", "not python\n", 11);
    snap_write(root, ".git/hooks/x.py", "x\n", 2);
    snap_write(root, ".hidden.py", "h\n", 2);
    snap_write(root, "venv/lib/site.py", "v\n", 2);
    snap_write(root, "myenv/pyvenv.cfg", "home = /usr/bin\n", 16);
    snap_write(root, "myenv/lib/mod.py", "m\n", 2);
    snap_write(root, "pkg/__pycache__/models.cpython-311.py", "c\n", 2);
    snap_write(root, "web/node_modules/a.py", "n\n", 2);
    snap_write(root, "lib/site-packages/sqlalchemy.py", "s\n", 2);
    snap_write(root, "bin.py", "a\0b\n", 4);
    snap_write(root, "latin1.py", "caf\xe9\n", 5);
    snap_write(outside, "secret.py", "PASSWORD = 1\n", 13);

    char path[1024], target[1024];
    snprintf(path, sizeof path, "%s/escape.py", root);
    snprintf(target, sizeof target, "%s/secret.py", outside);
    assert_int_equal(symlink(target, path), 0);
    snprintf(path, sizeof path, "%s/escape_dir", root);
    assert_int_equal(symlink(outside, path), 0);
    snprintf(path, sizeof path, "%s/alias.py", root);
    assert_int_equal(symlink("app.py", path), 0);
    snprintf(path, sizeof path, "%s/pkg_link", root);
    assert_int_equal(symlink("pkg", path), 0);
    snprintf(path, sizeof path, "%s/broken.py", root);
    assert_int_equal(symlink("does-not-exist.py", path), 0);

    /* Budget: app.py (10) + alias.py (10) + pkg/models.py (17) = 37 fit
     * into 40; pkg/z_last.py (6) does not fit any more. */
    json_t *skipped = json_array();
    json_t *files = NULL;
    err_t err = {{0}};
    assert_int_equal(codedir_collect(root, 40, 100, &files, skipped, &err), 0);

    assert_int_equal(json_array_size(files), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 0), "path")),
                        "alias.py");
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 1), "path")),
                        "app.py");
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 2), "path")),
                        "pkg/models.py");
    json_t *models = json_array_get(files, 2);
    assert_string_equal(json_string_value(json_object_get(models, "content")),
                        "class User: pass\n");
    assert_int_equal(json_integer_value(json_object_get(models, "bytes")), 17);

    expect_reason(skipped, "pkg/z_last.py", "total --code budget of 40 bytes exhausted");
    expect_reason(skipped, "pkg/big.py", "larger than the per-file limit of 100 bytes");
    expect_reason(skipped, ".git/", "hidden directory");
    expect_reason(skipped, ".hidden.py", "hidden file");
    expect_reason(skipped, "venv/", "virtualenv");
    expect_reason(skipped, "myenv/", "pyvenv.cfg");
    expect_reason(skipped, "pkg/__pycache__/", "cache");
    expect_reason(skipped, "web/node_modules/", "dependency");
    expect_reason(skipped, "lib/site-packages/", "dependency");
    expect_reason(skipped, "bin.py", "binary");
    expect_reason(skipped, "latin1.py", "not valid UTF-8");
    expect_reason(skipped, "escape.py", "outside the code directory");
    expect_reason(skipped, "escape_dir/", "outside the code directory");
    expect_reason(skipped, "pkg_link/", "symlinked directory");
    expect_reason(skipped, "broken.py", "broken symlink");
    /* Non-Python files are neither taken nor listed. */
    assert_null(reason_of(skipped, "pkg/readme.txt"));
    assert_int_equal(json_array_size(skipped), 15);
    /* Skipped entries come in path order too. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(skipped, 0), "path")),
                        ".git/");

    json_decref(files);
    json_decref(skipped);
    snap_rmtree(root);
    snap_rmtree(outside);
}

static void test_bad_dir(void **state)
{
    (void)state;
    json_t *skipped = json_array();
    json_t *files = (json_t *)1;
    err_t err = {{0}};
    assert_int_equal(codedir_collect("/nonexistent/pgopt-code", 100, 100, &files, skipped, &err),
                     -1);
    assert_null(files);
    assert_string_equal(err.msg, "--code /nonexistent/pgopt-code: No such file or directory");

    const char *root = snap_tempdir(0, "pgopt-codedir-file");
    snap_write(root, "f.py", "x\n", 2);
    char path[1024];
    snprintf(path, sizeof path, "%s/f.py", root);
    assert_int_equal(codedir_collect(path, 100, 100, &files, skipped, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));
    assert_int_equal(json_array_size(skipped), 0);

    /* An empty directory is fine: no files, nothing skipped. */
    snprintf(path, sizeof path, "%s/empty", root);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(codedir_collect(path, 100, 100, &files, skipped, &err), 0);
    assert_int_equal(json_array_size(files), 0);
    json_decref(files);
    json_decref(skipped);
    snap_rmtree(root);
}

static int has_path(json_t *files, const char *path)
{
    return snap_find(files, "path", path, NULL, NULL) != NULL;
}

/* Tests, migrations and seed scripts are left out by default, counted;
 * --code-include keeps them, --code-exclude wins over it. */
static void test_not_runtime(void **state)
{
    (void)state;
    const char *root = snap_tempdir(0, "pgopt-codedir-runtime");
    snap_write(root, "app/models.py", "M = 1\n", 6);
    snap_write(root, "app/tests/test_models.py", "T = 1\n", 6);
    snap_write(root, "app/tests/unit/test_api.py", "T = 1\n", 6);
    snap_write(root, "app/test_helpers.py", "T = 1\n", 6);
    snap_write(root, "app/db/migrations/versions/0001_init.py", "V = 1\n", 6);
    snap_write(root, "app/alembic/env.py", "E = 1\n", 6);
    snap_write(root, "scripts/seed_db.py", "S = 1\n", 6);
    snap_write(root, "app/contest.py", "C = 1\n", 6); /* not a test file */
    snap_write(root, "app/legacy/old.py", "L = 1\n", 6);
    snap_write(root, "heat_integrationtests/common.py", "I = 1\n", 6);

    json_t *files = NULL, *skipped = json_array();
    err_t err;
    assert_int_equal(codedir_collect_opts(root, NULL, &files, skipped, &err), 0);
    assert_int_equal(json_array_size(files), 3);
    assert_true(has_path(files, "app/models.py"));
    assert_true(has_path(files, "app/contest.py"));
    assert_true(has_path(files, "app/legacy/old.py"));
    expect_reason(skipped, "app/tests/", "not runtime code (tests)");
    json_t *e = snap_find(skipped, "path", "app/tests/", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(e, "files")), 2);
    expect_reason(skipped, "app/test_helpers.py", "not runtime code (tests)");
    expect_reason(skipped, "app/db/migrations/", "not runtime code (migrations)");
    expect_reason(skipped, "app/alembic/", "(migrations)");
    expect_reason(skipped, "scripts/seed_db.py", "(seed scripts)");
    expect_reason(skipped, "heat_integrationtests/", "(tests)");
    json_decref(files);
    json_decref(skipped);

    const char *inc[] = {"app/tests/*"}, *exc[] = {"legacy", "*/unit/*"};
    codedir_opts_t o = {.include = inc, .ninclude = 1, .exclude = exc, .nexclude = 2};
    skipped = json_array();
    assert_int_equal(codedir_collect_opts(root, &o, &files, skipped, &err), 0);
    assert_true(has_path(files, "app/tests/test_models.py"));
    assert_false(has_path(files, "app/tests/unit/test_api.py")); /* exclude wins */
    expect_reason(skipped, "app/tests/unit/test_api.py", "--code-exclude");
    expect_reason(skipped, "app/legacy/", "--code-exclude");
    /* with include globs, default-excluded directories are walked file by file */
    expect_reason(skipped, "app/test_helpers.py", "(tests)");
    expect_reason(skipped, "app/db/migrations/versions/0001_init.py", "(migrations)");
    assert_int_equal(json_array_size(files), 3);
    json_decref(files);
    json_decref(skipped);

    assert_string_equal(codedir_not_runtime("a/tests/x.py"), "tests");
    assert_string_equal(codedir_not_runtime("a/b/conftest.py"), "tests");
    assert_null(codedir_not_runtime("a/testimony/x.py"));
    assert_null(codedir_not_runtime("a/latest.py"));
    assert_true(codedir_glob_match("*.py", "a/b.py"));
    assert_true(codedir_glob_match("b.py", "a/b.py"));
    assert_false(codedir_glob_match("a/c*", "a/b.py"));
    snap_rmtree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_bad_dir),
        cmocka_unit_test(test_not_runtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
