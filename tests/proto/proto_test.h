/*
 * proto_test.h - small helpers shared by the tests in tests/proto/.
 */
#ifndef PGOPT_TESTS_PROTO_TEST_H
#define PGOPT_TESTS_PROTO_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

/* Fails the test unless the error text contains sub: the tests check that
 * messages say what and where, not merely that something failed. */
#define assert_err_contains(err, sub)                                                              \
    do {                                                                                           \
        if (!strstr((err).msg, (sub)))                                                             \
            fail_msg("error \"%s\" does not contain \"%s\"", (err).msg, (sub));                    \
    } while (0)

#endif
