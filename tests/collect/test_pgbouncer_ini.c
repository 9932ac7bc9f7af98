/* test_pgbouncer_ini.c - reading PgBouncer's settings for the snapshot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/collect/pgbouncer_ini.h"

static char path[] = "/tmp/pgopt-ini-XXXXXX";

static json_t *read_text(const char *text, err_t *err)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    json_t *out = NULL;
    int rc = pgbouncer_ini_read(path, &out, err);
    unlink(path);
    strcpy(path, "/tmp/pgopt-ini-XXXXXX");
    assert_true((rc == 0) == (out != NULL));
    return out;
}

static void test_reads_pgbouncer_section_only(void **state)
{
    (void)state;
    err_t err;
    json_t *m = read_text("; comment\n[databases]\nshop = host=db1 password=hunter2\n\n"
                          "[pgbouncer]\n  pool_mode = transaction\nMAX_CLIENT_CONN=500\n"
                          "default_pool_size = 25 \nauth_password = x\n# done\n[users]\n"
                          "alice = pool_mode=session\n",
                          &err);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "pool_mode")), "transaction");
    assert_string_equal(json_string_value(json_object_get(m, "max_client_conn")), "500");
    assert_string_equal(json_string_value(json_object_get(m, "default_pool_size")), "25");
    assert_null(json_object_get(m, "auth_password")); /* secrets never copied */
    assert_null(json_object_get(m, "shop"));          /* [databases] never copied */
    assert_int_equal(json_object_size(m), 3);
    json_decref(m);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    err_t err;
    assert_null(read_text("[pgbouncer]\npool_mode transaction\n", &err));
    assert_non_null(strstr(err.msg, ":2: expected 'name = value'"));
    assert_null(read_text("[databases]\nx = y\n", &err));
    assert_non_null(strstr(err.msg, "no [pgbouncer] section"));
    assert_null(read_text("[pgbouncer\n", &err));
    assert_non_null(strstr(err.msg, ":1: section header without ']'"));
    json_t *m = NULL;
    assert_int_equal(pgbouncer_ini_read("/nonexistent/pgbouncer.ini", &m, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/pgbouncer.ini: No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_pgbouncer_section_only),
        cmocka_unit_test(test_errors_name_file_and_line),
    };
    return cmocka_run_group_tests_name("pgbouncer_ini", tests, NULL, NULL);
}
