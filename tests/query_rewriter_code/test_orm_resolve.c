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
#include "orm_two_pass.h"

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
    json_t *want, *want_notes;
    orm_two_pass(code, &want, &want_notes, NULL);
    err_t err;
    sqla_project_t *p = NULL;
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

/* ---- model names resolved the same way (sqla_project_model_ref) ---------- */

/* heat's and nova's look-alikes: a DB model Resource next to the engine's class Resource that
 * plugins subclass (resource.Resource), and a DB model RequestSpec next to a versioned object
 * the objects package registers at run time (objects.RequestSpec: no import binds it). The DB
 * package re-exports Stack from its models module; a module with a star import; a relative
 * import; a library's models module of the same last name; magnum's API types, deriving from
 * wsme's Base while the DB models module calls its declarative base Base. */
static json_t *lookalike_project(void)
{
    return json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
        " {s:s, s:s}, {s:s, s:s}]",
        "path", "app/db/models.py", "content",
        "from oslo_db.sqlalchemy import models as oslo_models\n"
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import declarative_base, relationship\n"
        "Base = declarative_base()\n\n\n"
        "class Stack(Base, oslo_models.ModelBase):\n"
        "    __tablename__ = 'stack'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    name = Column(Integer)\n\n\n"
        "class Resource(Base):\n"
        "    __tablename__ = 'resource'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    stack_id = Column(Integer, ForeignKey('stack.id'))\n"
        "    stack = relationship(Stack)\n\n\n"
        "class RequestSpec(Base):\n"
        "    __tablename__ = 'request_specs'\n"
        "    id = Column(Integer, primary_key=True)\n",
        "path", "app/db/__init__.py", "content", "from app.db.models import Stack\n", "path",
        "app/engine/resource.py", "content",
        "class Resource(object):\n"
        "    def __init__(self, name):\n"
        "        self.name = name\n\n\n"
        "def own():\n"
        "    return Resource('x')\n",
        "path", "app/engine/resources/server.py", "content",
        "from app.engine import resource\n\n\n"
        "class Server(resource.Resource):\n"
        "    pass\n",
        "path", "app/objects/__init__.py", "content",
        "def register_all():\n"
        "    __import__('app.objects.request_spec')\n",
        "path", "app/objects/request_spec.py", "content",
        "class RequestSpec(object):\n"
        "    pass\n",
        "path", "app/conductor.py", "content",
        "from oslo_db.sqlalchemy import models as oslo_models\n"
        "from app import db, objects\n"
        "from app.db import models\n"
        "from app.engine import resource\n"
        "from .db import models as rel_models\n\n\n"
        "def use():\n"
        "    return (objects.RequestSpec, models.RequestSpec, resource.Resource,\n"
        "            models.Resource, db.Stack, rel_models.Stack, oslo_models.ModelBase,\n"
        "            Unbound)\n\n\n"
        "def stacks(session):\n"
        "    for r in session.query(models.Resource).all():\n"
        "        print(r.stack.name)\n\n\n"
        "def engine_stacks(session):\n"
        "    for r in session.query(resource.Resource).all():\n"
        "        print(r.stack.name)\n",
        "path", "app/star.py", "content",
        "from app.db.models import *\n\n\n"
        "def use():\n"
        "    return Resource\n",
        "path", "app/api/types.py", "content",
        "from wsme import types as wtypes\n\n\n"
        "class APIBase(wtypes.Base):\n"
        "    pass\n\n\n"
        "class Stack(APIBase):\n"
        "    pass\n");
}

typedef struct {
    const char *text;
    TSNode found;
} find_t;

/* pysource_walk visitor: the first identifier or attribute whose text is f->text. */
static pysource_walk_t find_visit(const pysource_t *src, TSNode n, void *ctx)
{
    find_t *f = ctx;
    if ((PYSOURCE_NODE_IS(n, "identifier") || PYSOURCE_NODE_IS(n, "attribute")) &&
        pysource_node_text_is(src, n, f->text)) {
        f->found = n;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The model that text (its first occurrence in file i's tree) names. */
static const sqla_model_t *ref_in(const sqla_project_t *p, size_t i, const char *text)
{
    const pysource_t *src = sqla_project_file(p, i);
    assert_non_null(src);
    find_t f = {.text = text};
    assert_true(pysource_walk(src, pysource_root(src), find_visit, &f));
    return sqla_project_model_ref(p, src, f.found);
}

/* The model named name defined in file path, or NULL. */
static const sqla_model_t *model_in(const sqla_project_t *p, const char *name, const char *path)
{
    for (size_t i = 0; i < sqla_project_model_count(p); i++) {
        const sqla_model_t *m = sqla_project_model_at(p, i);
        if (strcmp(m->name, name) == 0 && strcmp(sqla_project_path(p, m->file), path) == 0)
            return m;
    }
    return NULL;
}

/* A class whose superclass shares only its last name with a model is no model: heat's
 * `class Server(resource.Resource)` derives from the engine's Resource, not the DB model's
 * (before, every engine plugin was a model, found by the last name). Checked through the model
 * list alone, so that the same assertions ran against the code before resolution: they failed
 * there (Server was a model). */
static void test_lookalike_superclass(void **state)
{
    (void)state;
    json_t *code = lookalike_project();
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    assert_non_null(model_in(p, "Resource", "app/db/models.py"));
    assert_non_null(model_in(p, "Stack", "app/db/models.py"));
    assert_non_null(model_in(p, "RequestSpec", "app/db/models.py"));
    assert_null(model_in(p, "Server", "app/engine/resources/server.py"));
    assert_null(model_in(p, "Resource", "app/engine/resource.py"));
    assert_null(model_in(p, "RequestSpec", "app/objects/request_spec.py"));
    /* a library's class of a declarative base's name is no base */
    assert_null(model_in(p, "APIBase", "app/api/types.py"));
    assert_null(model_in(p, "Stack", "app/api/types.py"));
    assert_int_equal(sqla_project_model_count(p), 3);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* Names in code resolve through the file's imports to the module that defines the class. */
static void test_lookalike_names(void **state)
{
    (void)state;
    json_t *code = lookalike_project();
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    const sqla_model_t *resource = model_in(p, "Resource", "app/db/models.py");
    const sqla_model_t *stack = model_in(p, "Stack", "app/db/models.py");
    const sqla_model_t *spec = model_in(p, "RequestSpec", "app/db/models.py");
    assert_non_null(resource);
    assert_non_null(stack);
    assert_non_null(spec);
    /* by name alone each look-alike is the model */
    assert_ptr_equal(sqla_project_model(p, "RequestSpec"), spec);
    assert_ptr_equal(sqla_project_model(p, "Resource"), resource);
    const size_t conductor = 6;
    assert_string_equal(sqla_project_path(p, conductor), "app/conductor.py");
    /* the objects package never binds RequestSpec (registered at run time): no model */
    assert_null(ref_in(p, conductor, "objects.RequestSpec"));
    assert_ptr_equal(ref_in(p, conductor, "models.RequestSpec"), spec);
    /* the engine's class */
    assert_null(ref_in(p, conductor, "resource.Resource"));
    assert_ptr_equal(ref_in(p, conductor, "models.Resource"), resource);
    /* re-exported by the package, and reached by a relative import */
    assert_ptr_equal(ref_in(p, conductor, "db.Stack"), stack);
    assert_ptr_equal(ref_in(p, conductor, "rel_models.Stack"), stack);
    /* a library's module of the same last name */
    assert_null(ref_in(p, conductor, "oslo_models.ModelBase"));
    /* a bare name the module neither imports nor defines: by its last name (none here) */
    assert_null(ref_in(p, conductor, "Unbound"));
    /* the module's own class of that name */
    assert_null(ref_in(p, 2, "Resource"));
    /* a star import may bring it: by its last name */
    assert_ptr_equal(ref_in(p, 7, "Resource"), resource);
    sqla_project_scan_end(p);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The findings follow: a lazy load per row of the DB model's query, none for the engine class's
 * (which the last name made the DB model before). */
static void test_lookalike_findings(void **state)
{
    (void)state;
    json_t *code = lookalike_project();
    err_t err;
    sqla_project_t *p = NULL;
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_analyze(code, NULL, &p, &findings, &notes, &err), 0);
    size_t i, lazy = 0, at_db = 0, at_engine = 0;
    const json_t *f;
    json_array_foreach(findings, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "kind")), "lazy_load_in_loop") != 0)
            continue;
        lazy++;
        json_int_t line = json_integer_value(json_object_get(f, "line"));
        at_db += line == 15;
        at_engine += line == 20;
    }
    assert_int_equal(lazy, 1);
    assert_int_equal(at_db, 1);
    assert_int_equal(at_engine, 0);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The one-pass scan answers as the two-pass analysis in any order, the engine module scanned
 * before or after the models (a look-up made before the module that tells is in is checked
 * against the complete index). */
static void test_lookalike_one_pass(void **state)
{
    (void)state;
    json_t *code = lookalike_project();
    json_t *want, *want_notes, *want_models;
    orm_two_pass(code, &want, &want_notes, &want_models);
    err_t err;
    sqla_project_t *p = NULL;
    const size_t orders[2][9] = {{0, 1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 3, 5, 4, 2, 1, 0}};
    for (size_t o = 0; o < 2; o++) {
        json_t *findings = NULL, *notes = NULL;
        assert_int_equal(sqla_analyze(code, orders[o], &p, &findings, &notes, &err), 0);
        assert_true(json_equal(findings, want));
        assert_true(json_equal(notes, want_notes));
        json_t *models = sqla_project_models_json(p);
        assert_true(json_equal(models, want_models));
        json_decref(models);
        json_decref(findings);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    json_decref(want);
    json_decref(want_notes);
    json_decref(want_models);
    json_decref(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_rules),
        cmocka_unit_test(test_resolve_findings),
        cmocka_unit_test(test_resolve_root_below_package),
        cmocka_unit_test(test_early_index),
        cmocka_unit_test(test_lookalike_superclass),
        cmocka_unit_test(test_lookalike_names),
        cmocka_unit_test(test_lookalike_findings),
        cmocka_unit_test(test_lookalike_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
