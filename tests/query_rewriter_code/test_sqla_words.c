/*
 * test_sqla_words.c - where words stand in a source text (sqla_words.h),
 * which the ORM walks use to skip subtrees: a word missed there is a
 * finding lost, so the cases are the ways a name can begin in Python.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workers/query_rewriter/orm/sqla_words.h"

static const char *const one[] = {"for", NULL};
static const char *const many[] = {"for", "add", "add_all", "execute", "text", NULL};

/* Whether a word stands at offset at, by the index built from words. */
static bool stands_at(const char *text, const char *const *words, size_t at)
{
    sqla_words_t *w = sqla_words_new(text, strlen(text), words);
    bool in = sqla_words_in(w, (uint32_t)at, (uint32_t)at + 1);
    sqla_words_destroy(&w);
    return in;
}

/* Both scans (memchr on one first byte, the walk over every name) read the
 * same places. */
static void both(const char *text, size_t at, bool expect)
{
    assert_int_equal(stands_at(text, one, at), expect);
    assert_int_equal(stands_at(text, many, at), expect);
}

static void test_names(void **state)
{
    (void)state;
    both("for x in y:", 0, true);
    both("[a for a in b]", 3, true);
    both("x = fort(for_x)", 4, false); /* longer names */
    both("x = fort(for_x)", 9, false);
    both("xfor = 1", 1, false); /* the tail of a name */
    both("\xc3\xa9"
         "for = 1",
         2, false);                 /* after a non-ASCII letter */
    both("(a)for b in c", 3, true); /* after punctuation */
    both("s = 'for'", 5, true);     /* in a string: counted, a walk at worst */
    /* after a number the tokenizer ends the number: a name may begin */
    both("[x for x in y if x>1for z in w]", 20, true);
    both("[x for x in y if x>0xffor z in w]", 22, true);
    both("[x for x in y if x>1jfor z in w]", 21, true);
}

static void test_attribute_and_words(void **state)
{
    (void)state;
    const char *t = "session.add(x)\nsession.add_all(y)\nconn.execute(text('x'))\n";
    sqla_words_t *w = sqla_words_new(t, strlen(t), many);
    assert_int_equal(sqla_words_count(w), 4);
    assert_true(sqla_words_in(w, 0, 15));   /* add */
    assert_true(sqla_words_in(w, 15, 34));  /* add_all */
    assert_false(sqla_words_in(w, 0, 8));   /* "session." */
    assert_false(sqla_words_in(w, 11, 23)); /* between add and add_all */
    assert_false(sqla_words_in(w, 5, 5));   /* empty range */
    sqla_words_destroy(&w);
    sqla_words_destroy(&w); /* safe twice */
    assert_null(w);
}

static void test_none(void **state)
{
    (void)state;
    sqla_words_t *w = sqla_words_new("x = 1\n", 6, many);
    assert_int_equal(sqla_words_count(w), 0);
    assert_false(sqla_words_in(w, 0, 6));
    sqla_words_destroy(&w);
    w = sqla_words_new("", 0, one);
    assert_false(sqla_words_in(w, 0, 1));
    sqla_words_destroy(&w);
    assert_false(sqla_words_in(NULL, 0, 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_attribute_and_words),
        cmocka_unit_test(test_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
