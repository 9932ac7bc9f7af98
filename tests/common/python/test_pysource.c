/*
 * test_pysource.c - the Python source helpers: parsing and errors, walking,
 * calls and keyword arguments, name resolution and literal evaluation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/python/pysource.h"

static pysource_t *parse(const char *code)
{
    err_t err = {{0}};
    pysource_t *src = pysource_parse("test.py", code, strlen(code), &err);
    if (!src)
        fail_msg("pysource_parse: %s", err.msg);
    return src;
}

/* The first node of the given type in pre-order. */
typedef struct {
    const char *type;
    unsigned skip; /* how many matches to pass over */
    TSNode found;
    bool ok;
} find_t;

static pysource_walk_t find_visit(const pysource_t *src, TSNode node, void *ctx)
{
    (void)src;
    find_t *f = ctx;
    if (pysource_node_is(node, f->type) && f->skip-- == 0) {
        f->found = node;
        f->ok = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

static TSNode nth(const pysource_t *src, const char *type, unsigned n)
{
    find_t f = {.type = type, .skip = n};
    pysource_walk(src, pysource_root(src), find_visit, &f);
    if (!f.ok)
        fail_msg("no %u-th %s node", n, type);
    return f.found;
}

/* The right-hand side of the assignment to `name` at module level. */
static TSNode rhs(const pysource_t *src, const char *name)
{
    for (unsigned i = 0;; i++) {
        TSNode a = nth(src, "assignment", i);
        if (pysource_node_text_is(src, ts_node_child_by_field_name(a, "left", 4), name))
            return ts_node_child_by_field_name(a, "right", 5);
    }
}

static void assert_eval(const pysource_t *src, TSNode expr, const char *expected_json)
{
    json_t *v = pysource_eval(src, expr);
    char *text = pysource_node_text(src, expr);
    if (!expected_json) {
        if (v) {
            char *got = jsonout_string(v, 0, NULL);
            fail_msg("%s: expected not static, got %s", text, got);
        }
        free(text);
        return;
    }
    json_error_t jerr;
    json_t *expected = json_loads(expected_json, JSON_DECODE_ANY, &jerr);
    assert_non_null(expected);
    if (!v || !json_equal(v, expected) || json_typeof(v) != json_typeof(expected)) {
        char *got = v ? jsonout_string(v, 0, NULL) : NULL;
        /* fail() does not return: the strings go with the failing test */
        fail_msg("%s: expected %s, got %s", text, expected_json, got ? got : "not static");
    }
    free(text);
    json_decref(v);
    json_decref(expected);
}

/* ---- parsing ------------------------------------------------------------ */

static void test_grammar_and_lifecycle(void **state)
{
    (void)state;
    err_t err = {{0}};
    assert_int_equal(pysource_check_grammar(&err), 0);

    pysource_t *src = pysource_parse("empty.py", NULL, 0, &err);
    assert_non_null(src);
    assert_false(pysource_has_error(src));
    assert_string_equal(pysource_path(src), "empty.py");
    pysource_destroy(&src);
    assert_null(src);
    pysource_destroy(&src); /* twice is safe */
    pysource_destroy(NULL);

    assert_null(pysource_parse("x.py", NULL, 5, &err));
    assert_non_null(strstr(err.msg, "x.py"));
}

static void test_syntax_errors(void **state)
{
    (void)state;
    pysource_t *src = parse("import os\n\ndef f(x:\n    return x\n\ny = 1\n");
    assert_true(pysource_has_error(src));
    unsigned line = 0, column = 0;
    assert_true(pysource_first_error(src, &line, &column));
    assert_int_equal(line, 3);
    pysource_destroy(&src);

    src = parse("x = [1, 2\n");
    assert_true(pysource_has_error(src));
    assert_true(pysource_first_error(src, &line, &column));
    assert_int_equal(line, 1);
    pysource_destroy(&src);

    src = parse("def ok():\n    return 1\n");
    assert_false(pysource_has_error(src));
    assert_false(pysource_first_error(src, &line, &column));
    pysource_destroy(&src);
}

static void test_node_text_and_lines(void **state)
{
    (void)state;
    pysource_t *src = parse("a = 1\n\n\nbee = 'x'\n");
    TSNode b = rhs(src, "bee");
    char *text = pysource_node_text(src, b);
    assert_string_equal(text, "'x'");
    free(text);
    assert_int_equal(pysource_node_line(b), 4);
    assert_int_equal(pysource_node_column(b), 7);
    assert_true(pysource_node_text_is(src, b, "'x'"));
    assert_false(pysource_node_text_is(src, b, "'x"));
    pysource_destroy(&src);
}

/* ---- walking -------------------------------------------------------------- */

typedef struct {
    unsigned identifiers;
    bool skip_functions;
} count_t;

static pysource_walk_t count_visit(const pysource_t *src, TSNode node, void *ctx)
{
    (void)src;
    count_t *c = ctx;
    if (c->skip_functions && pysource_node_is(node, "function_definition"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (pysource_node_is(node, "identifier"))
        c->identifiers++;
    return PYSOURCE_WALK_CONTINUE;
}

static void test_walk(void **state)
{
    (void)state;
    pysource_t *src = parse("a = b\ndef f(c):\n    return d\ne = g\n");
    count_t all = {0, false}, outer = {0, true};
    assert_false(pysource_walk(src, pysource_root(src), count_visit, &all));
    assert_false(pysource_walk(src, pysource_root(src), count_visit, &outer));
    assert_int_equal(all.identifiers, 7); /* a b f c d e g */
    assert_int_equal(outer.identifiers, 4);
    /* a walk of a subtree never leaves it */
    count_t sub = {0, false};
    pysource_walk(src, nth(src, "function_definition", 0), count_visit, &sub);
    assert_int_equal(sub.identifiers, 3);
    pysource_destroy(&src);
}

/* ---- calls ---------------------------------------------------------------- */

static pysource_walk_t collect_call_lines(const pysource_t *src, TSNode call, void *ctx)
{
    (void)src;
    json_array_append_new(ctx, json_integer(pysource_node_line(call)));
    return PYSOURCE_WALK_CONTINUE;
}

static void test_calls(void **state)
{
    (void)state;
    pysource_t *src = parse("import sqlalchemy as sa\n"
                            "from sqlalchemy import text as t, create_engine\n"
                            "e1 = create_engine('a')\n"
                            "e2 = sqlalchemy.create_engine('b')\n"
                            "e3 = sa.create_engine('c', pool_size=5, echo=True)\n"
                            "e4 = create_engines('d')\n"
                            "def create_engine(x): pass\n"
                            "e5 = factory().create_engine(url='e')\n");
    json_t *lines = json_array();
    pysource_find_calls(src, pysource_root(src), "create_engine", collect_call_lines, lines);
    json_t *expected = json_pack("[i, i, i, i]", 3, 4, 5, 8);
    assert_true(json_equal(lines, expected));
    json_decref(lines);
    json_decref(expected);

    TSNode e3 = rhs(src, "e3");
    char *dotted = pysource_dotted_name(src, pysource_call_callee(e3));
    assert_string_equal(dotted, "sa.create_engine");
    free(dotted);
    bool imported = false;
    char *q = pysource_qualified_name(src, pysource_call_callee(e3), &imported);
    assert_string_equal(q, "sqlalchemy.create_engine");
    assert_true(imported);
    free(q);
    q = pysource_qualified_name(src, pysource_call_callee(rhs(src, "e1")), &imported);
    assert_string_equal(q, "sqlalchemy.create_engine");
    free(q);
    q = pysource_qualified_name(src, pysource_call_callee(rhs(src, "e4")), &imported);
    assert_string_equal(q, "create_engines");
    assert_false(imported);
    free(q);
    /* factory().create_engine has no dotted name */
    assert_null(pysource_dotted_name(src, pysource_call_callee(rhs(src, "e5"))));

    assert_true(pysource_node_text_is(src, pysource_call_arg(src, e3, 0), "'c'"));
    assert_true(ts_node_is_null(pysource_call_arg(src, e3, 1)));
    assert_true(pysource_node_text_is(src, pysource_call_kwarg(src, e3, "pool_size"), "5"));
    assert_true(ts_node_is_null(pysource_call_kwarg(src, e3, "pool")));
    assert_true(pysource_node_text_is(src, pysource_call_kwarg(src, rhs(src, "e5"), "url"), "'e'"));
    pysource_destroy(&src);
}

typedef struct {
    json_t *keys; /* key or null per entry */
} kw_t;

static int collect_kwargs(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                          void *ctx)
{
    (void)key_node;
    kw_t *k = ctx;
    if (key) {
        json_array_append_new(k->keys, json_string(key));
    } else {
        char *text = pysource_node_text(src, value);
        char buf[256];
        snprintf(buf, sizeof(buf), "?%s", text);
        free(text);
        json_array_append_new(k->keys, json_string(buf));
    }
    return 0;
}

static void test_kwargs_expansion(void **state)
{
    (void)state;
    pysource_t *src = parse("BASE = {'pool_size': 5}\n"
                            "OPTS = {**BASE, 'max_overflow': 2}\n"
                            "MORE = dict(pool_recycle=60, **{'echo_pool': True})\n"
                            "e = create_engine(url, pool_timeout=3, **OPTS, **MORE,\n"
                            "                  **{'pool_use_lifo': True}, **settings.X,\n"
                            "                  **{k: 1 for k in y})\n");
    kw_t k = {json_array()};
    TSNode call = nth(src, "call", 1); /* 0 is dict(...) */
    assert_int_equal(pysource_call_kwargs(src, call, collect_kwargs, &k), 0);
    json_t *expected = json_pack("[s, s, s, s, s, s, s, s]", "pool_timeout", "pool_size",
                                 "max_overflow", "pool_recycle", "echo_pool", "pool_use_lifo",
                                 "?settings.X", "?{k: 1 for k in y}");
    if (!json_equal(k.keys, expected)) {
        char *got = jsonout_string(k.keys, 0, NULL);
        print_error("kwargs: %s\n", got);
        free(got);
        fail();
    }
    json_decref(expected);
    json_decref(k.keys);
    pysource_destroy(&src);
}

/* ---- resolution ------------------------------------------------------------ */

static void test_resolution(void **state)
{
    (void)state;
    pysource_t *src = parse("import os\n"
                            "from conf import IMPORTED\n"
                            "POOL = 10\n"
                            "ALIAS = POOL\n"
                            "TWICE = 1\n"
                            "TWICE = 2\n"
                            "BUMPED = 1\n"
                            "BUMPED += 1\n"
                            "MUTATED = {'a': 1}\n"
                            "MUTATED['a'] = 2\n"
                            "UPDATED = {'a': 1}\n"
                            "UPDATED.update(a=2)\n"
                            "for LOOPED in range(3): pass\n"
                            "class Config:\n"
                            "    SIZE = POOL * 2\n"
                            "    OTHER = SIZE\n"
                            "    def method(self):\n"
                            "        r1 = SIZE\n"
                            "        return r1\n"
                            "def f(param):\n"
                            "    local = 7\n"
                            "    r2 = local\n"
                            "    r3 = param\n"
                            "    r4 = POOL\n"
                            "    return r2, r3, r4\n"
                            "r5 = ALIAS\n"
                            "r6 = TWICE\n"
                            "r7 = BUMPED\n"
                            "r8 = MUTATED\n"
                            "r9 = UPDATED\n"
                            "r10 = LOOPED\n"
                            "r11 = IMPORTED\n"
                            "r12 = os.environ['X']\n"
                            "r13 = undefined_name\n"
                            "CYCLE_A = CYCLE_B\n"
                            "CYCLE_B = CYCLE_A\n"
                            "r14 = CYCLE_A\n");
    assert_eval(src, rhs(src, "r5"), "10");
    assert_eval(src, rhs(src, "OTHER"), "20"); /* class scope sees class attrs */
    assert_eval(src, rhs(src, "r1"), NULL);    /* methods do not */
    assert_eval(src, rhs(src, "r2"), "7");
    assert_eval(src, rhs(src, "r3"), NULL); /* a parameter */
    assert_eval(src, rhs(src, "r4"), "10"); /* module constant from a function */
    assert_eval(src, rhs(src, "r6"), NULL);
    assert_eval(src, rhs(src, "r7"), NULL);
    assert_eval(src, rhs(src, "r8"), NULL);
    assert_eval(src, rhs(src, "r9"), NULL);
    assert_eval(src, rhs(src, "r10"), NULL);
    assert_eval(src, rhs(src, "r11"), NULL);
    assert_eval(src, rhs(src, "r12"), NULL);
    assert_eval(src, rhs(src, "r13"), NULL);
    assert_eval(src, rhs(src, "r14"), NULL);
    /* resolve returns the node of the single assignment */
    TSNode v = pysource_resolve(src, rhs(src, "r5"));
    assert_true(pysource_node_text_is(src, v, "10"));
    assert_int_equal(pysource_node_line(v), 3);
    assert_true(ts_node_is_null(pysource_resolve(src, rhs(src, "r6"))));
    pysource_destroy(&src);
}

/* ---- literal evaluation ----------------------------------------------------- */

static void test_literals(void **state)
{
    (void)state;
    pysource_t *src = parse("i1 = 1_000\n"
                            "i2 = 0x10\n"
                            "i3 = -5\n"
                            "i4 = 60 * 30\n"
                            "i5 = -7 // 2\n"
                            "i6 = 7 % -3\n"
                            "i7 = 9223372036854775807\n"
                            "i8 = 9223372036854775808\n"
                            "i9 = 2 ** 10\n"
                            "f1 = 10.5\n"
                            "f2 = 1e3\n"
                            "f3 = -0.25\n"
                            "f4 = 7 / 2\n"
                            "f5 = 1 / 0\n"
                            "b1 = True\n"
                            "b2 = False\n"
                            "n1 = None\n"
                            "s1 = 'it\\'s\\tok\\n'\n"
                            "s2 = r'raw\\n'\n"
                            "s3 = 'post' 'gres' \"ql\"\n"
                            "s4 = 'a' + 'b'\n"
                            "s5 = f'static {{braces}}'\n"
                            "s6 = f'dynamic {x}'\n"
                            "s7 = b'bytes'\n"
                            "s8 = '\\u00e9\\x41\\101'\n"
                            "s9 = '''multi\n"
                            "line'''\n"
                            "s10 = '\\N{BULLET}'\n"
                            "c1 = [1, 'two', (3.0, None)]\n"
                            "c2 = {'a': 1, 'b': {'c': False}}\n"
                            "c3 = dict(a=1, b=[2])\n"
                            "c4 = {1: 'int key'}\n"
                            "c5 = {'a': os.getenv('A')}\n"
                            "c6 = int('5')\n"
                            "c7 = 3j\n"
                            "c8 = ('x')\n");
    assert_eval(src, rhs(src, "i1"), "1000");
    assert_eval(src, rhs(src, "i2"), "16");
    assert_eval(src, rhs(src, "i3"), "-5");
    assert_eval(src, rhs(src, "i4"), "1800");
    assert_eval(src, rhs(src, "i5"), "-4"); /* Python floors */
    assert_eval(src, rhs(src, "i6"), "-2");
    assert_eval(src, rhs(src, "i7"), "9223372036854775807");
    assert_eval(src, rhs(src, "i8"), NULL); /* beyond int64 */
    assert_eval(src, rhs(src, "i9"), NULL); /* ** is not evaluated */
    assert_eval(src, rhs(src, "f1"), "10.5");
    assert_eval(src, rhs(src, "f2"), "1000.0");
    assert_eval(src, rhs(src, "f3"), "-0.25");
    assert_eval(src, rhs(src, "f4"), "3.5");
    assert_eval(src, rhs(src, "f5"), NULL);
    assert_eval(src, rhs(src, "b1"), "true");
    assert_eval(src, rhs(src, "b2"), "false");
    assert_eval(src, rhs(src, "n1"), "null");
    assert_eval(src, rhs(src, "s1"), "\"it's\\tok\\n\"");
    assert_eval(src, rhs(src, "s2"), "\"raw\\\\n\"");
    assert_eval(src, rhs(src, "s3"), "\"postgresql\"");
    assert_eval(src, rhs(src, "s4"), "\"ab\"");
    assert_eval(src, rhs(src, "s5"), "\"static {braces}\"");
    assert_eval(src, rhs(src, "s6"), NULL);
    assert_eval(src, rhs(src, "s7"), NULL);
    assert_eval(src, rhs(src, "s8"), "\"\\u00e9AA\"");
    assert_eval(src, rhs(src, "s9"), "\"multi\\nline\"");
    assert_eval(src, rhs(src, "s10"), NULL);
    assert_eval(src, rhs(src, "c1"), "[1, \"two\", [3.0, null]]");
    assert_eval(src, rhs(src, "c2"), "{\"a\": 1, \"b\": {\"c\": false}}");
    assert_eval(src, rhs(src, "c3"), "{\"a\": 1, \"b\": [2]}");
    assert_eval(src, rhs(src, "c4"), NULL); /* JSON keys are strings */
    assert_eval(src, rhs(src, "c5"), NULL);
    assert_eval(src, rhs(src, "c6"), NULL);
    assert_eval(src, rhs(src, "c7"), NULL);
    assert_eval(src, rhs(src, "c8"), "\"x\"");
    pysource_destroy(&src);
}

static void test_string_template(void **state)
{
    (void)state;
    pysource_t *src = parse("SCHEMA_SQL = 'SET search_path TO '\n"
                            "t1 = f'SET search_path TO {schema}; LISTEN {ch!r:>3}'\n"
                            "t2 = SCHEMA_SQL + 'public'\n"
                            "t3 = 'SELECT %s' % x\n"
                            "t4 = 'SELECT {}'.format(x)\n"
                            "t5 = ('SELECT 1'\n"
                            "      ' FROM t')\n");
    bool dynamic = false;
    size_t len = 0;
    char *s = pysource_string_template(src, rhs(src, "t1"), "X", &dynamic, &len);
    assert_string_equal(s, "SET search_path TO X; LISTEN X");
    assert_int_equal(len, strlen(s));
    assert_true(dynamic);
    free(s);
    s = pysource_string_template(src, rhs(src, "t2"), "X", &dynamic, NULL);
    assert_string_equal(s, "SET search_path TO public");
    assert_false(dynamic);
    free(s);
    assert_null(pysource_string_template(src, rhs(src, "t3"), "X", &dynamic, NULL));
    assert_null(pysource_string_template(src, rhs(src, "t4"), "X", &dynamic, NULL));
    s = pysource_string_template(src, rhs(src, "t5"), "X", &dynamic, NULL);
    assert_string_equal(s, "SELECT 1 FROM t");
    free(s);
    pysource_destroy(&src);
}

/* Hostile input: deep nesting and junk must neither crash nor hang. */
static void test_hostile_input(void **state)
{
    (void)state;
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 16);
    assert_non_null(deep);
    strcpy(deep, "x = ");
    size_t n = 4;
    for (size_t i = 0; i < depth; i++)
        deep[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[n++] = ']';
    deep[n++] = '\n';
    deep[n] = '\0';
    pysource_t *src = parse(deep);
    json_t *v = pysource_eval(src, rhs(src, "x"));
    assert_null(v); /* deeper than the evaluator follows */
    pysource_destroy(&src);
    free(deep);

    static const char junk[] = "\xff\xfe\x00 def (((( ''' \"\"\" \\ \x01 create_engine(**";
    err_t err = {{0}};
    src = pysource_parse("junk.py", junk, sizeof(junk) - 1, &err);
    assert_non_null(src);
    assert_true(pysource_has_error(src));
    count_t c = {0, false};
    pysource_walk(src, pysource_root(src), count_visit, &c);
    pysource_destroy(&src);
}

/* pysource_edit_parses (incremental from the file's tree) answers as a
 * fresh parse of the edited text does, for edits of every line by texts
 * that keep, break or shift the indentation; a range outside is an error. */
static void test_edit_parses(void **state)
{
    (void)state;
    const char *code = "import os\n"
                       "def f(s, rows):\n"
                       "    for r in rows:\n"
                       "        s.add(r)\n"
                       "        if r:\n"
                       "            s.flush()\n"
                       "    return [x for x in (1,\n"
                       "                        2)]\n"
                       "class C:\n"
                       "    y = 1\n";
    const char *texts[] = {"pass",      "    pass", "        s.add_all(rows)",
                           "x = (1,",   "",         "for a in b:\n    pass",
                           "    if a:", "  z = 2",  "        s.add(r)  # k\n        s.flush()",
                           "def g():",  "return 1", "    y = [\n        1]"};
    pysource_t *src = parse(code);
    size_t len = strlen(code);
    unsigned agree = 0;
    for (size_t ls = 0; ls < len; ls = (size_t)(strchr(code + ls, '\n') - code) + 1) {
        size_t le = (size_t)(strchr(code + ls, '\n') - code);
        for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
            err_t err = {{0}};
            bool ok = true;
            assert_int_equal(pysource_edit_parses(src, (uint32_t)ls, (uint32_t)le, texts[t],
                                                  strlen(texts[t]), &ok, &err),
                             0);
            char *whole = malloc(len + strlen(texts[t]) + 1);
            sprintf(whole, "%.*s%s%s", (int)ls, code, texts[t], code + le);
            pysource_t *fresh = parse(whole);
            if (ok != !pysource_has_error(fresh))
                fail_msg("line at %zu replaced by \"%s\": incremental %d, fresh %d", ls, texts[t],
                         ok, !pysource_has_error(fresh));
            agree += ok;
            pysource_destroy(&fresh);
            free(whole);
        }
    }
    /* both answers occur, so the comparison above means something */
    assert_true(agree > 0 && agree < 10 * (sizeof texts / sizeof *texts));
    err_t err = {{0}};
    bool ok = true;
    assert_int_equal(pysource_edit_parses(src, 5, (uint32_t)len + 1, "", 0, &ok, &err), -1);
    assert_false(ok);
    assert_non_null(strstr(err.msg, "outside"));
    pysource_destroy(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar_and_lifecycle),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_node_text_and_lines),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_kwargs_expansion),
        cmocka_unit_test(test_resolution),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_string_template),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_edit_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
