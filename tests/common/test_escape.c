/*
 * test_escape.c - common/escape.c: what a peer's string looks like once it
 * is escaped for a log line, a terminal or a report, and that the log
 * writer escapes a whole line whatever its caller passed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "proto_test.h"

#include "common/escape.h"
#include "common/log.h"

static void expect(const char *in, unsigned flags, const char *want)
{
    char out[256];
    assert_string_equal(esc_str(in, flags, out, sizeof out), want);
    char *dup = esc_dup(in, flags);
    assert_string_equal(dup, want);
    free(dup);
    assert_int_equal(esc_needed(in, strlen(in), flags), strcmp(in, want) != 0);
}

static void test_controls(void **state)
{
    (void)state;
    expect("plain job-1", 0, "plain job-1");
    expect("a\nts=forged level=error", 0, "a\\nts=forged level=error");
    expect("a\r\tb", 0, "a\\r\\tb");
    expect("a\n\tb\rc", ESC_KEEP_NL, "a\n\tb\\rc");
    expect("\x1b]0;pwned\x07title", 0, "\\x1b]0;pwned\\x07title");
    expect("del\x7f", 0, "del\\x7f");
    expect("say \"hi\" \\o/", 0, "say \"hi\" \\o/");
    expect("say \"hi\" \\o/", ESC_QUOTE, "say \\\"hi\\\" \\\\o/");
}

static void test_unicode(void **state)
{
    (void)state;
    /* ordinary non-ASCII text stays */
    expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    /* C1: NEL and CSI */
    expect("x\xc2\x85y\xc2\x9b", 0, "x\\u0085y\\u009b");
    /* bidi overrides and isolates (Trojan Source), marks, line separators */
    expect("admin\xe2\x80\xae"
           "fdp.exe",
           0, "admin\\u202efdp.exe");
    expect("\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8", 0,
           "\\u2066\\u2069\\u200f\\u061c\\u2028");
    /* invalid UTF-8: stray continuation, overlong '/', a surrogate, cut */
    expect("a\x80"
           "b",
           0, "a\\x80b");
    expect("\xc0\xaf", 0, "\\xc0\\xaf");
    expect("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
    expect("end\xe2\x82", 0, "end\\xe2\\x82");
}

static void test_truncation(void **state)
{
    (void)state;
    char out[8];
    assert_string_equal(esc_str("abcdefgh", 0, out, sizeof out), "abcd...");
    assert_string_equal(esc_str("abcdefg", 0, out, sizeof out), "abcdefg");
    /* an escape is never cut in half */
    assert_string_equal(esc_str("ab\x1b"
                                "cdefg",
                                0, out, sizeof out),
                        "ab...");
    /* nor a UTF-8 character */
    assert_string_equal(esc_str("abc\xe2\x82\xac"
                                "def",
                                0, out, sizeof out),
                        "abc...");
    assert_string_equal(esc_str(NULL, 0, out, sizeof out), "");
    /* ESC() holds the longest header field with every byte escaped */
    char msg[513];
    memset(msg, '\x1b', 512);
    msg[512] = '\0';
    const char *e = ESC(msg);
    assert_int_equal(strlen(e), 512 * 4);
}

/* The log writer escapes the formatted fields even when the caller forgot:
 * a peer's newline cannot start a forged line. */
static void test_log_line(void **state)
{
    (void)state;
    char path[] = "/tmp/pgopt-escape-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    log_init("test", LOG_INFO);
    log_info("peer said\nhi", "job=\"%s\" worker=\"%s\"",
             "x\nts=2026-01-01T00:00:00.000Z level=error msg=\"forged\"", ESC("a\"b\x1b[2J"));
    dup2(saved, STDERR_FILENO);
    close(saved);
    char buf[4096] = {0};
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    /* one line, ending in its newline */
    assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
    assert_non_null(strstr(buf, "msg=\"peer said\\nhi\""));
    assert_non_null(strstr(buf, "job=\"x\\nts=2026"));
    assert_non_null(strstr(buf, "worker=\"a\\\"b\\x1b[2J\""));
    assert_null(strchr(buf, '\x1b'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_log_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
