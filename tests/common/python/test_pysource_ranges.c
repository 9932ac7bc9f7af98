/*
 * test_pysource_ranges.c - parsing a function's lines alone
 * (pysource_def_ranges + pysource_parse_ranges): the function's subtree must
 * be the one the whole file's parse has, node for node (type, bytes, lines,
 * columns), so that an analysis reading a helper's body gives the same
 * answers from either tree.
 *
 * Without arguments it runs the unit tests. With file arguments it checks
 * every function of those files the same way and prints how many parsed
 * alike, how many could not be parsed alone (pysource_def_ranges says no),
 * and each mismatch: `pysource_ranges_tests $(find DIR -name '*.py')` is how
 * the real packages of bench/orm/real were checked (bench/RESULTS-orm.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/python/pysource.h"

#define MAX_RANGES 16

static pysource_t *parse(const char *code)
{
    err_t err = {{0}};
    pysource_t *src = pysource_parse("test.py", code, strlen(code), &err);
    if (!src)
        fail_msg("pysource_parse: %s", err.msg);
    return src;
}

/* Whether two subtrees are the same node for node: symbol, bytes, points,
 * missing/named flags and children. *where gets the first byte that differs. */
static bool same_tree(TSNode a, TSNode b, uint32_t *where)
{
    TSPoint as = ts_node_start_point(a), bs = ts_node_start_point(b);
    TSPoint ae = ts_node_end_point(a), be = ts_node_end_point(b);
    if (ts_node_symbol(a) != ts_node_symbol(b) || ts_node_start_byte(a) != ts_node_start_byte(b) ||
        ts_node_end_byte(a) != ts_node_end_byte(b) || as.row != bs.row || as.column != bs.column ||
        ae.row != be.row || ae.column != be.column ||
        ts_node_is_missing(a) != ts_node_is_missing(b) ||
        ts_node_is_named(a) != ts_node_is_named(b) ||
        ts_node_child_count(a) != ts_node_child_count(b)) {
        *where = ts_node_start_byte(a);
        return false;
    }
    uint32_t n = ts_node_child_count(a);
    for (uint32_t i = 0; i < n; i++)
        if (!same_tree(ts_node_child(a, i), ts_node_child(b, i), where))
            return false;
    return true;
}

/* The outermost function_definition starting at byte start, or a null node. */
static TSNode def_at(const pysource_t *src, uint32_t start)
{
    TSNode n = pysource_root(src);
    while (!ts_node_is_null(n)) {
        if (ts_node_start_byte(n) == start && pysource_node_is(n, "function_definition"))
            return n;
        n = ts_node_first_child_for_byte(n, start);
    }
    return n;
}

/* The n-th function_definition in pre-order. */
typedef struct {
    unsigned skip;
    TSNode found;
    bool ok;
} nth_t;

static pysource_walk_t nth_visit(const pysource_t *src, TSNode node, void *ctx)
{
    (void)src;
    nth_t *f = ctx;
    if (pysource_node_is(node, "function_definition") && f->skip-- == 0) {
        f->found = node;
        f->ok = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

static TSNode nth_def(const pysource_t *src, unsigned n)
{
    nth_t f = {.skip = n};
    pysource_walk(src, pysource_root(src), nth_visit, &f);
    if (!f.ok)
        fail_msg("no function_definition %u", n);
    return f.found;
}

/* Parses def's ranges of whole's text; *nranges gets how many (0: NULL). */
static pysource_t *parse_alone(const pysource_t *whole, TSNode def,
                               const pysource_imports_t *imports, size_t *nranges)
{
    TSRange r[MAX_RANGES];
    *nranges = pysource_def_ranges(whole, def, r, MAX_RANGES);
    if (*nranges == 0)
        return NULL;
    size_t len;
    const char *content = pysource_content(whole, &len);
    err_t err = {{0}};
    pysource_t *part =
        pysource_parse_ranges(pysource_path(whole), content, len, r, *nranges, imports, &err);
    if (!part)
        fail_msg("pysource_parse_ranges: %s", err.msg);
    return part;
}

/* def's subtree alone is the whole file's; returns the number of ranges. */
static size_t assert_alone_same(const pysource_t *whole, TSNode def)
{
    size_t nranges;
    pysource_t *part = parse_alone(whole, def, NULL, &nranges);
    assert_non_null(part);
    TSNode d = def_at(part, ts_node_start_byte(def));
    assert_false(ts_node_is_null(d));
    uint32_t where = 0;
    if (!same_tree(def, d, &where))
        fail_msg("function at line %u differs at byte %u", pysource_node_line(def), where);
    pysource_destroy(&part);
    return nranges;
}

static const char nested[] = "import os\n"
                             "from sqlalchemy import orm as o\n"
                             "\n"
                             "X = 1\n"
                             "\n"
                             "\n"
                             "@decorator(arg)\n"
                             "class Outer(Base,\n"
                             "            Mixin):  # a comment after the colon\n"
                             "    \"\"\"The docstring.\"\"\"\n"
                             "    attr = 1\n"
                             "\n"
                             "    class Inner(object, \\\n"
                             "                Other):\n"
                             "        def other(self):\n"
                             "            return 1\n"
                             "\n"
                             "        # a comment before the decorators\n"
                             "        @property\n"
                             "        @staticmethod\n"
                             "        def target(self, a,\n"
                             "                   b=2):\n"
                             "            '''a docstring'''\n"
                             "            return o.query(a).filter(\n"
                             "                os.path.join(b))\n"
                             "\n"
                             "    async def after(self): pass\n"
                             "\n"
                             "    @classmethod\n"
                             "    def outer_method(cls,\n"
                             "                     x):  # a comment\n"
                             "        y = 1\n"
                             "\n"
                             "        @synchronized(x)\n"
                             "        def locked():\n"
                             "            return y\n"
                             "        return locked()\n"
                             "\n"
                             "\n"
                             "def top_level(a, b):\n"
                             "    import json\n"
                             "    def inner():\n"
                             "        return json\n"
                             "    return json.dumps(a)\n"
                             "\n"
                             "\n"
                             "if X:\n"
                             "    def conditional():\n"
                             "        pass\n";

/* Nested classes, decorators on classes and methods, multi-line class
 * headers (parentheses and a backslash), a method after an inner class,
 * functions nested in a method and in a function. */
static void test_nested_classes(void **state)
{
    (void)state;
    pysource_t *whole = parse(nested);
    assert_false(pysource_has_error(whole));
    /* other, target, after, outer_method, locked, top_level, inner, conditional */
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 0)), 3);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 1)), 3);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 2)), 2);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 3)), 2);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 5)), 1);
    /* a def in a method, in a function: their headers and the def */
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 4)), 3);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 6)), 2);
    TSRange r[MAX_RANGES];
    /* a def in an if needs more of the file */
    assert_int_equal(pysource_def_ranges(whole, nth_def(whole, 7), r, MAX_RANGES), 0);
    /* too few ranges allowed */
    assert_int_equal(pysource_def_ranges(whole, nth_def(whole, 1), r, 2), 0);
    /* target's ranges: Outer from its decorator's line, Inner from its
     * indentation, target from its first decorator's line */
    assert_int_equal(pysource_def_ranges(whole, nth_def(whole, 1), r, MAX_RANGES), 3);
    const char *text = pysource_content(whole, NULL);
    assert_int_equal(strncmp(text + r[0].start_byte, "@decorator(arg)\n", 16), 0);
    assert_int_equal(r[0].start_point.row, 6);
    assert_int_equal(strncmp(text + r[0].end_byte, "    \"\"\"The", 10), 0);
    assert_int_equal(r[0].end_point.row, 9);
    assert_int_equal(strncmp(text + r[1].start_byte, "    class Inner", 15), 0);
    assert_int_equal(strncmp(text + r[1].end_byte, "        def other", 17), 0);
    assert_int_equal(strncmp(text + r[2].start_byte, "        @property", 17), 0);
    assert_int_equal(r[2].start_point.column, 0);
    assert_int_equal(strncmp(text + r[2].end_byte - 8, "join(b))", 8), 0);

    /* the part answers imports with the whole file's bindings when given
     * them (json is imported in another function), else with its own */
    pysource_imports_t *imports = pysource_imports_copy(whole);
    assert_true(pysource_imports_bytes(imports) > 0);
    size_t n;
    pysource_t *part = parse_alone(whole, nth_def(whole, 1), imports, &n);
    assert_string_equal(pysource_import_of(part, "o"), "sqlalchemy.orm");
    assert_string_equal(pysource_import_of(part, "json"), "json");
    TSNode d = def_at(part, ts_node_start_byte(nth_def(whole, 1)));
    assert_int_equal(pysource_node_line(d), 21);
    assert_int_equal(pysource_node_column(d), 9);
    pysource_destroy(&part);
    part = parse_alone(whole, nth_def(whole, 1), NULL, &n);
    assert_null(pysource_import_of(part, "o"));
    assert_false(pysource_has_error(part));
    /* nothing but the classes and the method: no module statement */
    assert_int_equal(ts_node_named_child_count(pysource_root(part)), 1);
    pysource_destroy(&part);
    pysource_destroy(&part); /* twice is safe */
    pysource_imports_destroy(&imports);
    pysource_imports_destroy(&imports);
    pysource_destroy(&whole);
}

/* A method that ends the file without a newline, and tab indentation. */
static void test_end_of_file_and_tabs(void **state)
{
    (void)state;
    pysource_t *whole = parse("class A:\n"
                              "\tx = 1\n"
                              "\tdef f(self):\n"
                              "\t\tif self.x:\n"
                              "\t\t\treturn 1\n"
                              "\t\treturn 2\n"
                              "\tdef g(self):\n"
                              "\t\treturn [i for i in self.x]");
    assert_false(pysource_has_error(whole));
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 0)), 2);
    assert_int_equal(assert_alone_same(whole, nth_def(whole, 1)), 2);
    pysource_destroy(&whole);
}

/* A syntax error elsewhere in the file does not reach the function parsed
 * alone: its tree is the one of the file without the error. */
static void test_error_elsewhere(void **state)
{
    (void)state;
    static const char good[] = "class A(Base):\n"
                               "    def f(self, q):\n"
                               "        return q.all()\n"
                               "\n"
                               "def broken():\n"
                               "    pass\n";
    static const char bad[] = "class A(Base):\n"
                              "    def f(self, q):\n"
                              "        return q.all()\n"
                              "\n"
                              "def broken(:\n"
                              "    pass\n";
    pysource_t *clean = parse(good), *whole = parse(bad);
    assert_true(pysource_has_error(whole));
    size_t n;
    pysource_t *part = parse_alone(clean, nth_def(clean, 0), NULL, &n);
    assert_int_equal(n, 2);
    pysource_destroy(&part);
    /* the ranges of the clean file, parsed in the broken one's text */
    TSRange r[MAX_RANGES];
    n = pysource_def_ranges(clean, nth_def(clean, 0), r, MAX_RANGES);
    err_t err = {{0}};
    part = pysource_parse_ranges("bad.py", bad, strlen(bad), r, n, NULL, &err);
    assert_non_null(part);
    assert_false(pysource_has_error(part));
    uint32_t where;
    assert_true(same_tree(nth_def(clean, 0), def_at(part, r[1].start_byte + 4), &where));
    pysource_destroy(&part);
    pysource_destroy(&whole);
    pysource_destroy(&clean);
}

/* Ranges out of order, overlapping or beyond the text, and text that is
 * not terminated, are refused with a message; whole-file parses after a
 * parse of ranges see the whole file again (the thread's parser is shared). */
static void test_bad_ranges(void **state)
{
    (void)state;
    static const char code[] = "def f():\n    return 1\n\ndef g():\n    return 2\n";
    size_t len = strlen(code);
    TSRange r[2] = {{{0, 0}, {2, 0}, 0, 22}, {{0, 0}, {1, 0}, 0, 10}};
    err_t err = {{0}};
    assert_null(pysource_parse_ranges("x.py", code, len, r, 2, NULL, &err));
    assert_non_null(strstr(err.msg, "range 1"));
    r[0].end_byte = (uint32_t)len + 1;
    assert_null(pysource_parse_ranges("x.py", code, len, r, 1, NULL, &err));
    assert_non_null(strstr(err.msg, "x.py"));
    assert_null(pysource_parse_ranges("x.py", code, len, r, 0, NULL, &err));
    assert_null(pysource_parse_ranges("x.py", code, len - 1, r, 1, NULL, &err));
    assert_non_null(strstr(err.msg, "NUL-terminated"));
    size_t before = pysource_range_parse_count(), parses = pysource_parse_count();
    r[0] = (TSRange){{0, 0}, {2, 0}, 0, 22};
    pysource_t *part = pysource_parse_ranges("x.py", code, len, r, 1, NULL, &err);
    assert_non_null(part);
    assert_int_equal(pysource_range_parse_count(), before + 1);
    assert_int_equal(pysource_parse_count(), parses);
    assert_int_equal(ts_node_named_child_count(pysource_root(part)), 1);
    pysource_destroy(&part);
    pysource_t *whole = parse(code);
    assert_int_equal(ts_node_named_child_count(pysource_root(whole)), 2);
    pysource_destroy(&whole);
}

/* Every function_definition of a tree, in pre-order. */
typedef struct {
    TSNode *defs;
    size_t n, cap;
} all_t;

static pysource_walk_t all_visit(const pysource_t *src, TSNode node, void *ctx)
{
    (void)src;
    all_t *a = ctx;
    if (pysource_node_is(node, "function_definition")) {
        if (a->n == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 64;
            a->defs = realloc(a->defs, a->cap * sizeof *a->defs);
            if (!a->defs)
                abort();
        }
        a->defs[a->n++] = node;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Check mode: every function of the files given. */
static int check_files(int argc, char **argv)
{
    size_t defs = 0, alone = 0, same = 0, differ = 0, unreadable = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            unreadable++;
            continue;
        }
        char *text = NULL;
        size_t len = 0, cap = 0, got;
        char buf[65536];
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
            if (len + got + 1 > cap) {
                cap = (len + got + 1) * 2;
                text = realloc(text, cap);
                if (!text)
                    abort();
            }
            memcpy(text + len, buf, got);
            len += got;
        }
        fclose(f);
        if (!text) {
            continue;
        }
        text[len] = 0;
        err_t err = {{0}};
        pysource_t *whole = pysource_parse(argv[i], text, len, &err);
        if (!whole) {
            unreadable++;
            free(text);
            continue;
        }
        all_t all = {0};
        pysource_walk(whole, pysource_root(whole), all_visit, &all);
        for (size_t k = 0; k < all.n; k++) {
            defs++;
            TSRange r[MAX_RANGES];
            size_t n = pysource_def_ranges(whole, all.defs[k], r, MAX_RANGES);
            if (n == 0)
                continue;
            alone++;
            pysource_t *part = pysource_parse_ranges(argv[i], text, len, r, n, NULL, &err);
            uint32_t where = 0;
            TSNode d = part ? def_at(part, ts_node_start_byte(all.defs[k])) : (TSNode){0};
            if (!ts_node_is_null(d) && same_tree(all.defs[k], d, &where)) {
                same++;
            } else {
                differ++;
                printf("differs: %s:%u (byte %u)%s\n", argv[i], pysource_node_line(all.defs[k]),
                       where, pysource_has_error(whole) ? " (the file has a syntax error)" : "");
            }
            pysource_destroy(&part);
        }
        free(all.defs);
        pysource_destroy(&whole);
        free(text);
    }
    printf("%zu functions, %zu parsed alone: %zu the same, %zu different; %zu files "
           "unreadable\n",
           defs, alone, same, differ, unreadable);
    return differ ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return check_files(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_classes),
        cmocka_unit_test(test_end_of_file_and_tabs),
        cmocka_unit_test(test_error_elsewhere),
        cmocka_unit_test(test_bad_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
