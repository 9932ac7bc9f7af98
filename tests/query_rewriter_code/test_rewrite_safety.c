/*
 * test_rewrite_safety.c - the rules that keep the ORM rewrites behaviour-
 * preserving (issue 14, "Rewrites must preserve behaviour"; RULES.md, "ORM
 * code rewrites"): for each rule a case it must catch (the rewrite is
 * reported without code, or changed to one that is safe) and a look-alike
 * it must leave alone. The differential execution test
 * (differential/run.py) runs the rewrites themselves against PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"

static const char *MODELS =
    "from sqlalchemy import Column, ForeignKey, Integer, String, text\n"
    "from sqlalchemy.orm import declarative_base, relationship\n"
    "\n"
    "Base = declarative_base()\n"
    "\n"
    "\n"
    "class Parent(Base):\n"
    "    __tablename__ = \"parents\"\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    name = Column(String)\n"
    "    kids = relationship(\"Child\", back_populates=\"parent\")\n"
    "    notes = relationship(\"Note\", lazy=\"dynamic\")\n"
    "\n"
    "\n"
    "class Child(Base):\n"
    "    __tablename__ = \"children\"\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    name = Column(String)\n"
    "    parent_id = Column(Integer, ForeignKey(\"parents.id\"))\n"
    "    parent = relationship(\"Parent\", back_populates=\"kids\")\n"
    "\n"
    "\n"
    "class Note(Base):\n"
    "    __tablename__ = \"notes\"\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    parent_id = Column(Integer, ForeignKey(\"parents.id\"))\n"
    "\n"
    "\n"
    "class Animal(Base):\n"
    "    __tablename__ = \"animals\"\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    name = Column(String)\n"
    "\n"
    "\n"
    "class Dog(Animal):\n"
    "    __tablename__ = \"dogs\"\n"
    "    id = Column(Integer, ForeignKey(\"animals.id\"), primary_key=True)\n"
    "\n"
    "\n";

/* The one finding of kind for MODELS + body (NULL when none; more than one
 * fails the test); the caller decrefs. */
static json_t *finding(const char *body, const char *kind, json_t **notes_out)
{
    char *content = NULL;
    if (asprintf(&content, "%s%s", MODELS, body) < 0)
        fail();
    json_t *code = json_pack("[{s:s, s:s}]", "path", "app.py", "content", content);
    free(content);
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    json_t *out = NULL;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "kind")), kind) != 0)
            continue;
        assert_null(out);
        out = json_incref(f);
        /* every finding: a safety, code that parses unless manual */
        const char *safety = json_string_value(json_object_get(f, "safety"));
        assert_non_null(safety);
        if (strcmp(safety, "manual") == 0) {
            assert_true(json_is_null(json_object_get(f, "optimized")));
            assert_non_null(json_string_value(json_object_get(f, "manual_reason")));
        } else {
            assert_true(sqla_snippet_parses(json_string_value(json_object_get(f, "optimized"))));
        }
    }
    if (notes_out)
        *notes_out = json_incref(notes);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
    return out;
}

static const char *str(const json_t *f, const char *key)
{
    const char *s = json_string_value(json_object_get(f, key));
    return s ? s : "";
}

static void expect_manual(const char *body, const char *kind, const char *reason_part)
{
    json_t *f = finding(body, kind, NULL);
    if (!f || strcmp(str(f, "safety"), "manual") != 0 ||
        !strstr(str(f, "manual_reason"), reason_part))
        printf("wanted %s without code (%s), got %s: %s\n%s\n", kind, reason_part,
               f ? str(f, "safety") : "no finding", f ? str(f, "manual_reason") : "",
               f ? str(f, "optimized") : "");
    assert_non_null(f);
    assert_string_equal(str(f, "safety"), "manual");
    assert_non_null(strstr(str(f, "manual_reason"), reason_part));
    json_decref(f);
}

/* The finding's code, which must exist; the caller frees. */
static char *expect_code(const char *body, const char *kind)
{
    json_t *f = finding(body, kind, NULL);
    if (!f || json_is_null(json_object_get(f, "optimized")))
        printf("wanted %s with code, got %s\n", kind, f ? str(f, "manual_reason") : "no finding");
    assert_non_null(f);
    assert_false(json_is_null(json_object_get(f, "optimized")));
    char *code = strdup(str(f, "optimized"));
    json_decref(f);
    return code;
}

/* Rule 1: a loop that reads a database-generated value of the object it
 * added keeps a flush per item; one that reads only what it set does not. */
static void test_rule1_generated_value(void **state)
{
    (void)state;
    char *code = expect_code("def f(session, names):\n"
                             "    for name in names:\n"
                             "        p = Parent(name=name)\n"
                             "        session.add(p)\n"
                             "        session.commit()\n"
                             "        session.add(Child(parent_id=p.id, name=name))\n"
                             "    session.commit()\n",
                             "commit_in_loop");
    assert_non_null(strstr(code, "        session.flush()\n"));
    assert_non_null(strstr(code, "\n    session.commit()"));
    assert_null(strstr(code, "        session.commit()"));
    free(code);
    /* look-alike: p.name was set by the constructor, no flush needed */
    code = expect_code("def f(session, names):\n"
                       "    for name in names:\n"
                       "        p = Parent(name=name)\n"
                       "        session.add(p)\n"
                       "        session.commit()\n"
                       "        print(p.name)\n",
                       "commit_in_loop");
    assert_null(strstr(code, "flush"));
    assert_null(strstr(code, "        session.commit()"));
    free(code);
}

/* Rule 2: no bulk INSERT where the ORM does more than an INSERT. */
static void test_rule2_bulk_insert(void **state)
{
    (void)state;
    expect_manual("def f(session, names):\n"
                  "    for name in names:\n"
                  "        session.add(Dog(name=name))\n",
                  "add_in_loop", "inherits from the mapped class Animal");
    expect_manual("def f(session, names, p):\n"
                  "    for name in names:\n"
                  "        session.add(Child(name=name, parent=p))\n",
                  "add_in_loop", "sets a relationship");
    expect_manual("def f(session, names):\n"
                  "    for name in names:\n"
                  "        c = Child(name=name)\n"
                  "        if name:\n"
                  "            c.parent_id = 1\n"
                  "        session.add(c)\n",
                  "add_in_loop", "only on some paths");
    expect_manual("def f(session, names):\n"
                  "    for name in names:\n"
                  "        c = Child(name=name)\n"
                  "        session.add(c)\n"
                  "    return c\n",
                  "add_in_loop", "used after the loop");
    /* look-alike: plain columns, set on every path */
    char *code = expect_code("def f(session, names):\n"
                             "    for name in names:\n"
                             "        c = Child(name=name)\n"
                             "        c.parent_id = 1\n"
                             "        session.add(c)\n",
                             "add_in_loop");
    assert_non_null(strstr(code, "c[\"parent_id\"] = 1"));
    assert_non_null(strstr(code, "child_rows.append(c)"));
    free(code);
}

/* Rule 3: no prefetch before a loop that writes what the query reads, or
 * whose query uses the loop variable beyond its key or has LIMIT. */
static void test_rule3_prefetch(void **state)
{
    (void)state;
    expect_manual("def f(session, names):\n"
                  "    names = list(names)\n"
                  "    for name in names:\n"
                  "        c = session.query(Child).filter(Child.name == name).first()\n"
                  "        if c is None:\n"
                  "            session.add(Child(name=name))\n",
                  "query_in_loop", "also writes Child rows");
    expect_manual(
        "def f(session, parents):\n"
        "    parents = list(parents)\n"
        "    for p in parents:\n"
        "        c = session.query(Child).filter(Child.parent_id == p.id).limit(3).all()\n",
        "query_in_loop", "limit()");
    expect_manual("def f(session, parents):\n"
                  "    parents = list(parents)\n"
                  "    for p in parents:\n"
                  "        c = session.query(Child).filter(Child.parent_id == p.id, Child.name == "
                  "p.name).all()\n",
                  "query_in_loop", "in more than its key");
    /* look-alike: the loop updates the row its query returned (placement's
     * root-provider update), not a column the query filters on */
    char *upd = expect_code("def f(session, kids):\n"
                            "    kids = list(kids)\n"
                            "    for k in kids:\n"
                            "        row = session.query(Child).filter_by(id=k.id).first()\n"
                            "        row.name = 'x'\n"
                            "        session.add(row)\n",
                            "query_in_loop");
    free(upd);
    expect_manual("def f(session, kids):\n"
                  "    kids = list(kids)\n"
                  "    for k in kids:\n"
                  "        row = session.query(Child).filter_by(name=k.name).first()\n"
                  "        row.name = 'x'\n"
                  "        session.add(row)\n",
                  "query_in_loop", "also writes");
    /* look-alike: the loop writes another model */
    char *code = expect_code("def f(session, names):\n"
                             "    names = list(names)\n"
                             "    for name in names:\n"
                             "        c = session.query(Child).filter(Child.name == name).first()\n"
                             "        session.add(Note(parent_id=1))\n",
                             "query_in_loop");
    assert_non_null(strstr(code, "children_by_name"));
    free(code);
}

/* Rule 4: deliberate per-item commits stay. */
static void test_rule4_isolation(void **state)
{
    (void)state;
    json_t *f = finding("def f(session, parents):\n"
                        "    for p in parents:\n"
                        "        try:\n"
                        "            p.name = 'x'\n"
                        "            session.commit()\n"
                        "        except Exception:\n"
                        "            session.rollback()\n",
                        "commit_in_loop", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "safety"), "manual");
    assert_true(json_is_true(json_object_get(f, "deliberate")));
    json_decref(f);
    /* mailman's runner: the except rolls the failed item back (abort), the
     * commit after the try ends every item */
    expect_manual("def f(session, parents):\n"
                  "    for p in parents:\n"
                  "        try:\n"
                  "            p.name = 'x'\n"
                  "        except Exception:\n"
                  "            session.abort()\n"
                  "        session.commit()\n",
                  "commit_in_loop", "rolls the failed item back");
    expect_manual("def f(session, parents):\n"
                  "    for p in parents:\n"
                  "        p.name = 'x'\n"
                  "        # commit per item: a crash must keep the progress\n"
                  "        session.commit()\n",
                  "commit_in_loop", "a comment says");
    expect_manual("def f(session, parents):\n"
                  "    for p in parents:\n"
                  "        with lock:\n"
                  "            p.name = 'x'\n"
                  "            session.commit()\n",
                  "commit_in_loop", "inside a with block");
    /* a remote call per item: no finding, a note */
    json_t *notes = NULL;
    f = finding("import requests\n"
                "def f(session, parents):\n"
                "    for p in parents:\n"
                "        session.commit()\n"
                "        requests.post('http://x', json={'id': p.id})\n",
                "commit_in_loop", &notes);
    assert_null(f);
    size_t i;
    json_t *n;
    int noted = 0;
    json_array_foreach(notes, i, n) noted += strstr(json_string_value(n), "network call") != NULL;
    assert_true(noted == 1);
    json_decref(notes);
    /* look-alike: a comment that says nothing about the commit's intent */
    char *code = expect_code("def f(session, parents):\n"
                             "    for p in parents:\n"
                             "        # rename the parent\n"
                             "        p.name = 'x'\n"
                             "        session.commit()\n",
                             "commit_in_loop");
    free(code);
}

/* Rule 5: where values come from; names are not values; the fix runs on
 * 1.4 and 2.0 (text()). */
static void test_rule5_sql_strings(void **state)
{
    (void)state;
    json_t *f = finding("from flask import request\n"
                        "@app.route('/s')\n"
                        "def s(session):\n"
                        "    q = request.args['q']\n"
                        "    return session.execute(text(f\"SELECT id FROM t WHERE a = '{q}'\"))\n",
                        "sql_string_formatting", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "input"), "request");
    json_decref(f);
    f = finding("def s(session):\n"
                "    for p in session.query(Parent).all():\n"
                "        session.execute(text(f\"UPDATE t SET n = 1 WHERE name = '{p.name}'\"))\n",
                "sql_string_formatting", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "input"), "database");
    assert_non_null(strstr(str(f, "explanation"), "come from the database"));
    json_decref(f);
    f = finding("import os\n"
                "SCHEMA_ID = os.environ['SCHEMA_ID']\n"
                "def s(session):\n"
                "    session.execute(text(f\"DELETE FROM t WHERE k = {SCHEMA_ID}\"))\n",
                "sql_string_formatting", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "input"), "request");
    json_decref(f);
    expect_manual("def s(session, table):\n"
                  "    return session.execute(text(f\"SELECT count(*) FROM {table}\")).scalar()\n",
                  "sql_string_formatting", "SQL takes a name");
    expect_manual("def s(session, col):\n"
                  "    return session.execute(text(f\"SELECT id FROM t ORDER BY {col}\")).all()\n",
                  "sql_string_formatting", "SQL takes a name");
    expect_manual("def s(session, ids):\n"
                  "    return session.execute(text(f\"SELECT id FROM t WHERE id IN "
                  "({','.join(ids)})\")).all()\n",
                  "sql_string_formatting", "joined into the SQL text");
    expect_manual("def s(session, clause):\n"
                  "    return session.execute(text(f\"SELECT id FROM t WHERE {clause}\")).all()\n",
                  "sql_string_formatting", "SQL takes a name");
    expect_manual(
        "def s(session, ids):\n"
        "    return session.execute(text(f\"SELECT id FROM t WHERE id IN ({ids})\")).all()\n",
        "sql_string_formatting", "the whole IN (...) list");
    /* look-alikes: values after an operator, in a function call, in LIMIT */
    json_t *ok = finding("def s(session, a, n):\n"
                         "    return session.execute(text(f\"SELECT id FROM t WHERE lower(x) = "
                         "lower('{a}') AND y IN (1, {n}) LIMIT {n}\")).all()\n",
                         "sql_string_formatting", NULL);
    assert_non_null(ok);
    assert_string_equal(str(ok, "safety"), "proven");
    json_decref(ok);
    /* execute() of a plain string: the fix wraps text() and says the import */
    f = finding("def d(session, customer_id):\n"
                "    session.execute(\"DELETE FROM t WHERE id = %s\" % customer_id)\n",
                "sql_string_formatting", NULL);
    assert_non_null(f);
    assert_non_null(strstr(str(f, "optimized"),
                           "session.execute(text(\"DELETE FROM t WHERE id = :customer_id\"), "
                           "{\"customer_id\": customer_id})"));
    assert_string_equal(str(f, "input"), "parameter");
    json_decref(f);
}

/* Rule 6: the loader fits the relationship; dynamic ones get none. */
static void test_rule6_loaders(void **state)
{
    (void)state;
    expect_manual("def f(session):\n"
                  "    for p in session.query(Parent).all():\n"
                  "        print(p.notes.count())\n",
                  "lazy_load_in_loop", "dynamic");
    json_t *f = finding("def f(session):\n"
                        "    for c in session.query(Child).all():\n"
                        "        print(c.parent.name)\n",
                        "lazy_load_in_loop", NULL);
    assert_non_null(f);
    assert_non_null(strstr(str(f, "optimized"), ".options(joinedload(Child.parent))"));
    assert_null(strstr(str(f, "explanation"), "selectinload"));
    json_decref(f);
    f = finding("def f(session):\n"
                "    for p in session.query(Parent).all():\n"
                "        print(len(p.kids))\n",
                "lazy_load_in_loop", NULL);
    assert_non_null(f);
    assert_non_null(strstr(str(f, "optimized"), ".options(selectinload(Parent.kids))"));
    assert_null(strstr(str(f, "explanation"), "joinedload"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(f, "imports"), 0)),
                        "from sqlalchemy.orm import selectinload");
    json_decref(f);
}

/* Rule 7: the code re-parses in its file; a multi-line iterable of a for
 * gets parentheses; generated names read well and do not shadow. */
static void test_rule7_context(void **state)
{
    (void)state;
    char *code = expect_code("def f(session, parents):\n"
                             "    parents = list(parents)\n"
                             "    for p in parents:\n"
                             "        kids = session.query(Child).filter(\n"
                             "            Child.parent_id == p.id\n"
                             "        ).all()\n",
                             "query_in_loop");
    assert_non_null(strstr(code, "for row in (session.query(Child)"));
    free(code);
    code =
        expect_code("def f(session, parents):\n"
                    "    parents = list(parents)\n"
                    "    for p in parents:\n"
                    "        kids = session.query(Child).filter(Child.parent_id == p.id).all()\n",
                    "query_in_loop");
    assert_non_null(strstr(code, "for row in session.query(Child)"));
    assert_non_null(strstr(code, "children_by_parent_id = {}"));
    free(code);
    /* a name the file uses already is not taken */
    code =
        expect_code("children_by_parent_id = None\n"
                    "def f(session, parents):\n"
                    "    parents = list(parents)\n"
                    "    for p in parents:\n"
                    "        kids = session.query(Child).filter(Child.parent_id == p.id).all()\n",
                    "query_in_loop");
    assert_non_null(strstr(code, "children_by_parent_id_2 = {}"));
    free(code);
    /* a file indented with two spaces keeps two */
    code = expect_code("def f(session, parents):\n"
                       "  parents = list(parents)\n"
                       "  for p in parents:\n"
                       "    kids = session.query(Child).filter(Child.parent_id == p.id).all()\n",
                       "query_in_loop");
    assert_non_null(strstr(code, ":\n    children_by_parent_id.setdefault"));
    free(code);
}

/* Names in the code: the rewrite names models and SQLAlchemy functions the
 * way the file does (models.Parent, orm.selectinload), or lists the import
 * it needs; a commit on a session made per item is not moved. */
static void test_names_in_context(void **state)
{
    (void)state;
    json_t *code = json_pack(
        "[{s:s, s:s}, {s:s, s:s}]", "path", "app/models.py", "content", MODELS, "path",
        "app/api.py", "content",
        "from sqlalchemy import orm\n"
        "from app import models\n"
        "\n"
        "\n"
        "def names(session):\n"
        "    out = []\n"
        "    for p in session.query(models.Parent).all():\n"
        "        out.append(len(p.kids))\n"
        "    return out\n"
        "\n"
        "\n"
        "def touch(session, ids):\n"
        "    ids = list(ids)\n"
        "    for i in ids:\n"
        "        c = session.query(models.Child).filter(models.Child.parent_id == i).all()\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    int seen = 0;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *kind = str(f, "kind");
        if (strcmp(kind, "lazy_load_in_loop") == 0) {
            if (!strstr(str(f, "optimized"), ".options(orm.selectinload(models.Parent.kids))"))
                printf("%s\n", str(f, "optimized"));
            assert_non_null(
                strstr(str(f, "optimized"), ".options(orm.selectinload(models.Parent.kids))"));
            assert_null(json_object_get(f, "imports"));
            seen++;
        } else if (strcmp(kind, "query_in_loop") == 0) {
            assert_non_null(strstr(str(f, "optimized"), "models.Child.parent_id.in_("));
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
    expect_manual("def f(factory, names):\n"
                  "    for name in names:\n"
                  "        session = factory()\n"
                  "        session.add(Note(parent_id=1))\n"
                  "        session.commit()\n",
                  "commit_in_loop", "a new session per item");
}

/* Closing a session detaches what it loaded: a with-block rewrite of a
 * function that returns what the session loaded is conditional. */
static void test_session_closed(void **state)
{
    (void)state;
    json_t *f = finding("from sqlalchemy.orm import sessionmaker\n"
                        "SessionLocal = sessionmaker()\n"
                        "def parents():\n"
                        "    s = SessionLocal()\n"
                        "    return s.query(Parent).all()\n",
                        "session_not_closed", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "safety"), "conditional");
    assert_non_null(strstr(str(f, "safety_condition"), "DetachedInstanceError"));
    json_decref(f);
    f = finding("from sqlalchemy.orm import sessionmaker\n"
                "SessionLocal = sessionmaker()\n"
                "def add_one():\n"
                "    s = SessionLocal()\n"
                "    s.add(Parent(name='x'))\n"
                "    s.commit()\n",
                "session_not_closed", NULL);
    assert_non_null(f);
    assert_string_equal(str(f, "safety"), "proven");
    assert_non_null(strstr(str(f, "optimized"), "with SessionLocal() as s:"));
    json_decref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule1_generated_value), cmocka_unit_test(test_rule2_bulk_insert),
        cmocka_unit_test(test_rule3_prefetch),        cmocka_unit_test(test_rule4_isolation),
        cmocka_unit_test(test_rule5_sql_strings),     cmocka_unit_test(test_rule6_loaders),
        cmocka_unit_test(test_rule7_context),         cmocka_unit_test(test_names_in_context),
        cmocka_unit_test(test_session_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
