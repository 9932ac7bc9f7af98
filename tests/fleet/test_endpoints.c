/*
 * test_endpoints.c - endpoint parsing and name resolution of the fleet:
 * a host name that resolves to several addresses is several endpoints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "coordinator/fleet/fleet.h"

/* Distinct addresses getaddrinfo gives for a name, counted independently. */
static int count_addresses(const char *host)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, "5555", &hints, &res) != 0)
        return -1;
    int n = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int dup = 0;
        for (struct addrinfo *b = res; b != a; b = b->ai_next)
            dup |= b->ai_addrlen == a->ai_addrlen &&
                   memcmp(b->ai_addr, a->ai_addr, a->ai_addrlen) == 0;
        n += !dup && (a->ai_family == AF_INET || a->ai_family == AF_INET6);
    }
    freeaddrinfo(res);
    return n;
}

static void test_name_with_several_addresses(void **state)
{
    (void)state;
    fleet_t *f = fleet_new(NULL);
    int expected = count_addresses("localhost");
    assert_true(expected >= 1);
    assert_int_equal(fleet_add_endpoint(f, "tcp://localhost:5555"), expected);
    assert_int_equal(fleet_endpoint_count(f), expected);
    /* The same addresses again add nothing. */
    assert_int_equal(fleet_add_endpoint(f, "tcp://localhost:5555"), 0);
    fleet_destroy(&f);
    fleet_destroy(&f); /* safe twice */
    assert_null(f);
}

static void test_lists_and_literals(void **state)
{
    (void)state;
    fleet_t *f = fleet_new(NULL);
    assert_int_equal(
        fleet_add_endpoint_list(f, "tcp://127.0.0.1:6001, tcp://[::1]:6002\nipc:///tmp/x.sock"), 3);
    assert_int_equal(fleet_endpoint_count(f), 3);
    fleet_destroy(&f);
}

static void test_bad_endpoints(void **state)
{
    (void)state;
    fleet_t *f = fleet_new(NULL);
    assert_int_equal(fleet_add_endpoint(f, "tcp://127.0.0.1"), -1);
    assert_non_null(strstr(fleet_error(f), "missing :PORT"));
    assert_int_equal(fleet_add_endpoint(f, "tcp://127.0.0.1:99999"), -1);
    assert_non_null(strstr(fleet_error(f), "bad port"));
    assert_int_equal(fleet_add_endpoint(f, "udp://x:1"), -1);
    assert_non_null(strstr(fleet_error(f), "expected tcp://"));
    assert_int_equal(fleet_add_endpoint(f, "tcp://no-such-host.invalid:1"), -1);
    assert_non_null(strstr(fleet_error(f), "cannot resolve 'no-such-host.invalid'"));
    assert_int_equal(fleet_endpoint_count(f), 0);
    fleet_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_with_several_addresses),
        cmocka_unit_test(test_lists_and_literals),
        cmocka_unit_test(test_bad_endpoints),
    };
    return cmocka_run_group_tests_name("fleet_endpoints", tests, NULL, NULL);
}
