/*
 * test_sqla_words.c - where words stand in a source text (sqla_words.h),
 * which the ORM walks use to skip subtrees: a word missed there is a
 * finding lost, so the cases are the ways a name can begin in Python;
 * and whether a text holds any of some words (sqla_text_has_any), which
 * must answer as memmem does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, the reference for sqla_text_has_any */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workers/query_rewriter/orm/sqla_words.h"

static const char *const one[] = {"for", NULL};
static const char *const many[] = {"for", "add", "add_all", "execute", "text", NULL};

/* Whether a word stands at offset at of text's first len bytes, by the index built from
 * words. */
static bool stands_at_n(const char *text, size_t len, const char *const *words, size_t at)
{
    sqla_words_t *w = sqla_words_new(text, len, words);
    bool in = sqla_words_in(w, (uint32_t)at, (uint32_t)at + 1);
    sqla_words_destroy(&w);
    return in;
}

static bool stands_at(const char *text, const char *const *words, size_t at)
{
    return stands_at_n(text, strlen(text), words, at);
}

/* Both scans (memchr on one first byte, the walk over every name) read the
 * same places. */
static void both(const char *text, size_t at, bool expect)
{
    assert_int_equal(stands_at(text, one, at), expect);
    assert_int_equal(stands_at(text, many, at), expect);
}

/* len bytes of text drawn from the n bytes of alphabet (a linear congruential generator on
 * *seed: the same texts on every run). */
static void random_text(char *text, size_t len, const char *alphabet, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < len; i++) {
        *seed = *seed * 1103515245u + 12345u;
        text[i] = alphabet[(*seed >> 16) % n];
    }
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
    assert_true(sqla_words_in(w, 0, 15));        /* add */
    assert_true(sqla_words_in(w, 15, 34));       /* add_all */
    assert_false(sqla_words_in(w, 0, 8));        /* "session." */
    assert_false(sqla_words_in(w, 11, 23));      /* between add and add_all */
    assert_false(sqla_words_in(w, 5, 5));        /* empty range */
    assert_int_equal(sqla_words_next(w, 0), 8);  /* add */
    assert_int_equal(sqla_words_next(w, 8), 8);  /* at from counts */
    assert_int_equal(sqla_words_next(w, 9), 23); /* add_all */
    assert_int_equal(sqla_words_next(w, 100), UINT32_MAX);
    /* next and in agree: nothing in [from, next), a word at next */
    for (uint32_t from = 0; from <= (uint32_t)strlen(t); from++) {
        uint32_t next = sqla_words_next(w, from);
        assert_false(sqla_words_in(w, from, next == UINT32_MAX ? (uint32_t)strlen(t) : next));
        if (next != UINT32_MAX)
            assert_true(sqla_words_in(w, next, next + 1));
    }
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
    assert_int_equal(sqla_words_next(NULL, 0), UINT32_MAX);
    const uint32_t at[] = {3, 7, 7, 20};
    assert_int_equal(sqla_offsets_next(at, 4, 0), 3);
    assert_int_equal(sqla_offsets_next(at, 4, 4), 7);
    assert_int_equal(sqla_offsets_next(at, 4, 20), 20);
    assert_int_equal(sqla_offsets_next(at, 4, 21), UINT32_MAX);
    assert_int_equal(sqla_offsets_next(at, 0, 0), UINT32_MAX);
}

/* The walk over every name reads the text 64 bytes at a time: runs that cross a block's end,
 * end at it, or fill a whole block; texts whose length is a block's or not. The memchr scan
 * (one first byte, byte by byte) is the reference: with a second word that the text cannot
 * hold, the walk over every name must find the same places. */
static void test_blocks_against_memchr(void **state)
{
    (void)state;
    static const char *const two[] = {"for", "zq", NULL};
    const char alphabet[] = "for fr1x_\xc3(F9.\n";
    char text[400];
    unsigned seed = 14;
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)(round % 300);
        random_text(text, len, alphabet, sizeof alphabet - 1, &seed);
        /* now and then a run longer than a block, over two blocks' ends: a number, then a
         * name that ends in a word (`1xx...xfor`: `for` begins after the number's end) */
        if (round % 7 == 0 && len > 140) {
            size_t at = 50 + (size_t)round % 20;
            memset(text + at, 'x', 80);
            text[at] = '1';
            memcpy(text + at + 77, "for", 3);
        }
        sqla_words_t *a = sqla_words_new(text, len, one);
        sqla_words_t *b = sqla_words_new(text, len, two);
        assert_int_equal(sqla_words_count(a), sqla_words_count(b));
        for (size_t at = 0; at < len; at++)
            assert_int_equal(sqla_words_in(a, (uint32_t)at, (uint32_t)at + 1),
                             sqla_words_in(b, (uint32_t)at, (uint32_t)at + 1));
        sqla_words_destroy(&a);
        sqla_words_destroy(&b);
    }
    /* a word at every place around the first two blocks' ends */
    for (size_t at = 54; at < 140; at++) {
        char t[200];
        memset(t, ' ', sizeof t);
        memcpy(t + at, "text", 4);
        for (size_t len = at + 4; len <= at + 6 && len <= sizeof t; len++) {
            assert_true(stands_at_n(t, len, many, at));
            assert_false(stands_at_n(t, len, many, at + 1));
        }
        memcpy(t + at - 1, "_text", 5); /* the tail of a name */
        assert_false(stands_at_n(t, at + 4, many, at));
    }
}

/* memmem's answer for any of words: what sqla_text_has_any must say. */
static bool memmem_any(const char *text, size_t len, const char *const *words)
{
    for (size_t k = 0; words[k]; k++)
        if (memmem(text, len, words[k], strlen(words[k])))
            return true;
    return false;
}

/* sqla_text_has_any against memmem: words inside names ("def" in "default"), at
 * the text's first and last places, across the 16-byte blocks and in the places after the last
 * block, in random texts of every length up to 200 that hold them now and then. */
static void test_has_any_against_memmem(void **state)
{
    (void)state;
    static const char *const idx[] = {"def", "class", "_base", "sessionmaker", NULL};
    static const char *const one_long[] = {"__tablename__", NULL};
    static const char *const single[] = {"x", NULL};
    assert_true(sqla_text_has_any("x = default", 11, idx)); /* inside a name */
    assert_true(sqla_text_has_any("def", 3, idx));
    assert_false(sqla_text_has_any("de", 2, idx));
    assert_false(sqla_text_has_any("sessionmake", 11, idx));
    assert_false(sqla_text_has_any("", 0, idx));
    assert_false(sqla_text_has_any("abc", 3, (const char *const[]){NULL}));
    assert_false(sqla_text_has_any("abc", 3, NULL));
    const char alphabet[] = "defclas_bsionmkr x\n_tT";
    char text[240];
    unsigned seed = 7;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(round % 201);
        random_text(text, len, alphabet, sizeof alphabet - 1, &seed);
        if (round % 5 == 0 && len >= 12) {
            /* a whole word at a random place, the last one included */
            seed = seed * 1103515245u + 12345u;
            const char *w = idx[(seed >> 16) % 4];
            size_t wl = strlen(w);
            size_t at = (seed >> 8) % (len - wl + 1);
            memcpy(text + at, w, wl);
        }
        if (round % 11 == 0 && len >= 13)
            memcpy(text + len - 13, "__tablename__", 13);
        assert_int_equal(sqla_text_has_any(text, len, idx), memmem_any(text, len, idx));
        assert_int_equal(sqla_text_has_any(text, len, one_long), memmem_any(text, len, one_long));
        assert_int_equal(sqla_text_has_any(text, len, single), memmem_any(text, len, single));
    }
    /* one word at every place of a text of every length around the block sizes */
    for (size_t len = 12; len < 80; len++)
        for (size_t at = 0; at + 12 <= len; at++) {
            memset(text, ' ', len);
            memcpy(text + at, "sessionmaker", 12);
            assert_true(sqla_text_has_any(text, len, idx));
            assert_false(sqla_text_has_any(text, at + 11, idx)); /* cut before its end */
        }
}

/* sqla_count_byte against a count byte by byte: texts of every length up to 5000 (its
 * 16-byte blocks are summed every 255 blocks, 4080 bytes), the byte everywhere or nowhere. */
static void test_count_byte(void **state)
{
    (void)state;
    static char text[5000];
    unsigned seed = 3;
    for (size_t len = 0; len < sizeof text; len += 1 + len / 16) {
        for (int fill = 0; fill < 3; fill++) {
            size_t expect = 0;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                text[i] = fill == 0 ? '\n' : fill == 1 ? 'x' : "ab\n\xff"[(seed >> 16) % 4];
                expect += text[i] == '\n';
            }
            assert_int_equal(sqla_count_byte(text, len, '\n'), expect);
        }
    }
    assert_int_equal(sqla_count_byte("\xff\xff", 2, (char)0xff), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_attribute_and_words),
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_blocks_against_memchr),
        cmocka_unit_test(test_has_any_against_memmem),
        cmocka_unit_test(test_count_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
