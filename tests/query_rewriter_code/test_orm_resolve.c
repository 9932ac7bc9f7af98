/*
 * test_orm_resolve.c - how the ORM code analysis resolves a called name to
 * one of the project's functions (sqla_project_function, sqla_models.h),
 * and what the one-pass scan (sqla_analyze) answers early. Python's rule:
 * a bare name is local, enclosing, the module's own global (defined or
 * imported in that module, or brought by a star import), then a builtin;
 * a name imported from a module outside the project is not the project's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"

/* A model, a helper module whose `list` and `match` query per call, and
 * callers: one calling the builtin list() and re.match(), one importing the
 * helpers' names, one with a star import. */
static json_t *resolve_project(void)
{
    return json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path",
                     "app/models.py", "content",
                     "from sqlalchemy import Column, Integer\n"
                     "from sqlalchemy.orm import declarative_base\n"
                     "Base = declarative_base()\n\n\n"
                     "class Item(Base):\n"
                     "    __tablename__ = 'items'\n"
                     "    id = Column(Integer, primary_key=True)\n",
                     "path", "app/helpers.py", "content",
                     "from app.models import Item\n\n\n"
                     "def list(session, key):\n"
                     "    return session.query(Item).filter_by(id=key).all()\n\n\n"
                     "def match(session, key):\n"
                     "    return session.query(Item).filter_by(id=key).first()\n",
                     /* list() is the builtin and re.match is the library's: no query per key */
                     "path", "app/builtin.py", "content",
                     "import re\n\n\n"
                     "def refresh(session, keys):\n"
                     "    for key in keys:\n"
                     "        list(session, key)\n"
                     "        re.match(session, key)\n",
                     /* the helpers imported by name: a query per key each */
                     "path", "app/imported.py", "content",
                     "from app.helpers import list, match\n\n\n"
                     "def refresh(session, keys):\n"
                     "    for key in keys:\n"
                     "        list(session, key)\n"
                     "        match(session, key)\n",
                     "path", "app/star.py", "content",
                     "from app.helpers import *\n\n\n"
                     "def refresh(session, keys):\n"
                     "    for key in keys:\n"
                     "        list(session, key)\n");
}

/* The look-ups themselves. */
static void test_resolve_rules(void **state)
{
    (void)state;
    json_t *code = resolve_project();
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    const sqla_function_t *helpers_list = sqla_project_function(p, "list", NULL, 1, NULL);
    /* the module's own def */
    assert_non_null(helpers_list);
    assert_int_equal(helpers_list->file, 1);
    /* a bare name another module defines is not this module's: the builtin */
    assert_null(sqla_project_function(p, "list", NULL, 2, NULL));
    /* imported from the module that defines it, by its full name or a suffix */
    assert_ptr_equal(sqla_project_function(p, "list", NULL, 3, "app.helpers"), helpers_list);
    assert_ptr_equal(sqla_project_function(p, "list", NULL, SIZE_MAX, "helpers"), helpers_list);
    /* a star import may bring it in */
    assert_ptr_equal(sqla_project_function(p, "list", NULL, 4, NULL), helpers_list);
    /* imported from a module the project does not have (re.match) */
    assert_null(sqla_project_function(p, "match", NULL, SIZE_MAX, "re"));
    assert_null(sqla_project_function(p, "match", NULL, 2, "re"));
    assert_non_null(sqla_project_function(p, "match", NULL, SIZE_MAX, "app.helpers"));
    sqla_project_destroy(&p);
    json_decref(code);
}

/* A code root below the package root (the collection pointed at the package directory): the
 * files are helpers.py and views.py while the imports say pkg.helpers. The import still names a
 * module the project may have, so the name is not taken for a library's. */
static void test_resolve_root_below_package(void **state)
{
    (void)state;
    json_t *code = json_pack("[{s:s, s:s}, {s:s, s:s}]", "path", "helpers.py", "content",
                             "def fetch(session, key):\n"
                             "    return session.query(Item).get(key)\n",
                             "path", "views.py", "content",
                             "from pkg.helpers import fetch\n\n\n"
                             "def show(session, keys):\n"
                             "    for key in keys:\n"
                             "        fetch(session, key)\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    const sqla_function_t *fetch = sqla_project_function(p, "fetch", NULL, 1, "pkg.helpers");
    assert_non_null(fetch);
    assert_int_equal(fetch->file, 0);
    assert_null(sqla_project_function(p, "fetch", NULL, 1, "requests.adapters"));
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The findings follow the same rule: the helpers reached by import are per-item queries, the
 * builtin list() and re.match() are not. */
static void test_resolve_findings(void **state)
{
    (void)state;
    json_t *code = resolve_project();
    err_t err;
    sqla_project_t *p = NULL;
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_analyze(code, NULL, &p, &findings, &notes, &err), 0);
    size_t i, builtin = 0, imported = 0, star = 0;
    const json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *file = json_string_value(json_object_get(f, "file"));
        builtin += strcmp(file, "app/builtin.py") == 0;
        imported += strcmp(file, "app/imported.py") == 0;
        star += strcmp(file, "app/star.py") == 0;
    }
    assert_int_equal(builtin, 0);
    assert_true(imported >= 1);
    assert_true(star >= 1);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The one pass indexes early what a look-up needs from a file not visited yet: the module an
 * import names (an import cycle: utils imports the manager that calls it) and a class's method
 * (objects.VolumeObject.get_by_id, whose module the caller never imports by name). The manager,
 * visited before both, finds both helpers in its own scan, so nothing is scanned again: one
 * parse per file, and the findings of the two-pass analysis. */
static void test_early_index(void **state)
{
    (void)state;
    json_t *code = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path",
                             "svc/models.py", "content",
                             "from sqlalchemy import Column, Integer\n"
                             "from sqlalchemy.orm import declarative_base\n"
                             "Base = declarative_base()\n\n\n"
                             "class Volume(Base):\n"
                             "    __tablename__ = 'volumes'\n"
                             "    id = Column(Integer, primary_key=True)\n",
                             "path", "svc/manager.py", "content",
                             "from svc import objects\n"
                             "from svc import utils\n\n\n"
                             "def refresh(session, ids):\n"
                             "    for vid in ids:\n"
                             "        utils.fetch(session, vid)\n\n\n"
                             "def reload(session, ids):\n"
                             "    for vid in ids:\n"
                             "        objects.VolumeObject.get_by_id(session, vid)\n",
                             "path", "svc/utils.py", "content",
                             "from svc import manager\n"
                             "from svc.models import Volume\n\n\n"
                             "def fetch(session, vid):\n"
                             "    return session.query(Volume).filter_by(id=vid).first()\n",
                             "path", "svc/objects/volume.py", "content",
                             "from svc.models import Volume\n\n\n"
                             "class VolumeObject(object):\n"
                             "    @classmethod\n"
                             "    def get_by_id(cls, session, vid):\n"
                             "        return session.query(Volume).filter_by(id=vid).first()\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *want = NULL, *want_notes = NULL;
    assert_int_equal(sqla_detect(p, &want, &want_notes, &err), 0);
    sqla_project_destroy(&p);
    const size_t order[4] = {0, 1, 2, 3};
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_analyze(code, order, &p, &findings, &notes, &err), 0);
    assert_int_equal(sqla_project_parse_count(p), 4);
    assert_true(json_equal(findings, want));
    assert_true(json_equal(notes, want_notes));
    size_t i, manager = 0;
    const json_t *f;
    json_array_foreach(findings, i, f) manager +=
        strcmp(json_string_value(json_object_get(f, "file")), "svc/manager.py") == 0;
    assert_int_equal(manager, 2);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(want);
    json_decref(want_notes);
    json_decref(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_rules),
        cmocka_unit_test(test_resolve_findings),
        cmocka_unit_test(test_resolve_root_below_package),
        cmocka_unit_test(test_early_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
