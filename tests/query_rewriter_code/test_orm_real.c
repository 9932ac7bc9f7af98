/*
 * test_orm_real.c - the ORM code analysis on shapes met in real
 * applications (bench/orm/real/: Debian's OpenStack services and mailman),
 * each reduced to the smallest code that showed the problem: a hang, a
 * missed problem or a finding that was noise.
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
#include "orm_two_pass.h"
#include "workers/query_rewriter/qr_code.h"

/* The head of a models module of the fixtures below (a declarative Base, the column types
 * their models use), up to the first class. */
#define MODELS_PRELUDE                                                                             \
    "from sqlalchemy import Column, Integer, String\n"                                             \
    "from sqlalchemy.orm import declarative_base\n"                                                \
    "Base = declarative_base()\n"                                                                  \
    "\n"                                                                                           \
    "\n"

/* cinder's models: a self-referential relationship with a backref (the
 * backref's owner is the model that declares it) used to loop forever
 * while backrefs were moved to their owners. */
static void test_self_referential_backref(void **state)
{
    (void)state;
    const char *models =
        "from sqlalchemy import Column, ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import declarative_base, relationship\n"
        "Base = declarative_base()\n\n\n"
        "class Volume(Base):\n"
        "    __tablename__ = 'volumes'\n"
        "    id = Column(String(36), primary_key=True)\n"
        "    source_volid = Column(String(36), ForeignKey('volumes.id'))\n"
        "    source = relationship('Volume', backref='clones', remote_side=[id])\n"
        "    group_id = Column(String(36), ForeignKey('groups.id'))\n"
        "    group = relationship('Group', backref='volumes')\n\n\n"
        "class Group(Base):\n"
        "    __tablename__ = 'groups'\n"
        "    id = Column(String(36), primary_key=True)\n"
        "    parent_id = Column(String(36), ForeignKey('groups.id'))\n"
        "    parent = relationship('Group', backref='children', remote_side=[id])\n";
    json_t *code = json_pack("[{s:s, s:s}]", "path", "cinder/db/models.py", "content", models);
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    const sqla_model_t *v = sqla_project_model(p, "Volume");
    const sqla_model_t *g = sqla_project_model(p, "Group");
    assert_non_null(v);
    assert_non_null(g);
    const sqla_relationship_t *clones = sqla_model_relationship(v, "clones");
    assert_non_null(clones);
    assert_true(clones->from_backref);
    assert_non_null(sqla_model_relationship(v, "source"));
    assert_non_null(sqla_model_relationship(g, "volumes"));
    assert_non_null(sqla_model_relationship(g, "children"));
    assert_non_null(sqla_model_relationship(g, "parent"));
    /* each backref exactly once */
    size_t nclones = 0;
    for (size_t i = 0; i < v->nrels; i++)
        nclones += strcmp(v->rels[i].name, "clones") == 0;
    assert_int_equal(nclones, 1);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* octavia: models derive from base_models.BASE, a declarative base named
 * through its module. */
static void test_base_through_module(void **state)
{
    (void)state;
    json_t *code =
        json_pack("[{s:s, s:s}, {s:s, s:s}]", "path", "app/db/base_models.py", "content",
                  "from sqlalchemy.ext import declarative\nBASE = declarative.declarative_base()\n",
                  "path", "app/db/models.py", "content",
                  "import sqlalchemy as sa\nfrom app.db import base_models\n\n\n"
                  "class Pool(base_models.BASE):\n    __tablename__ = 'pool'\n"
                  "    id = sa.Column(sa.String(36), primary_key=True)\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    const sqla_model_t *m = sqla_project_model(p, "Pool");
    assert_non_null(m);
    assert_string_equal(m->table, "pool");
    sqla_project_destroy(&p);
    json_decref(code);
}

/* Findings of one kind in a project of files (path, content, ...). */
static json_t *findings_of(const char *const *files, size_t n)
{
    json_t *code = json_array();
    for (size_t i = 0; i + 1 < n; i += 2)
        json_array_append_new(code,
                              json_pack("{s:s, s:s}", "path", files[i], "content", files[i + 1]));
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
    return findings;
}

static const json_t *finding_at(const json_t *findings, const char *file, int line,
                                const char *kind)
{
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i,
                       f) if (strcmp(json_string_value(json_object_get(f, "file")), file) == 0 &&
                              json_integer_value(json_object_get(f, "line")) == line &&
                              strcmp(json_string_value(json_object_get(f, "kind")), kind) ==
                                  0) return f;
    return NULL;
}

/* OpenStack's shapes: a query per key through a helper in another module,
 * a tuple loop target, context.session, save() of a row built per item;
 * reported without code (the fix changes the helper's contract). */
static void test_per_item_through_helpers(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/db/api.py",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def model_query(context, model):\n"
        "    return context.session.query(model).filter_by(deleted=False)\n"
        "\n"
        "\n"
        "def _spec_get_item(context, type_id, key):\n"
        "    return model_query(context, models.Spec).filter_by(type_id=type_id, key=key).first()\n"
        "\n"
        "\n"
        "def specs_update(context, type_id, specs):\n"
        "    for key, value in specs.items():\n" /* 13 */
        "        ref = _spec_get_item(context, type_id, key)\n"
        "        if ref is None:\n"
        "            ref = models.Spec()\n"
        "        ref.update({'key': key, 'value': value})\n"
        "        ref.save(context.session)\n"
        "\n"
        "\n"
        "def projects_add(context, type_id, projects):\n"
        "    for project in set(projects):\n" /* 22 */
        "        access = models.Access()\n"
        "        access.update({'type_id': type_id, 'project_id': project})\n"
        "        access.save(context.session)\n"
        "\n"
        "\n"
        "def purge(context):\n"
        "    for model in (models.Spec, models.Access):\n" /* 29: constants */
        "        model_query(context, model).delete()\n"
        "    for table in context.tables:\n" /* 31: per table */
        "        context.session.query(table).filter_by(deleted=True).delete()\n"
        "    for attempt in range(3):\n" /* 33: not keyed */
        "        rows = model_query(context, models.Spec).all()\n"
        "    cache = {}\n"
        "    for key in context.keys:\n" /* 36: a dict */
        "        cache.get(key) or [s.get(key) for s in context.signals] + [connection.get(key) "
        "for connection in context.conns]\n"
        "    return rows\n"
        "\n"
        "\n"
        "def nested(context, groups):\n"
        "    for group in groups:\n"       /* 42 */
        "        for key in group.keys:\n" /* 43: innermost keyed */
        "            _spec_get_item(context, group.id, key)\n",
        "svc/manager.py",
        "from svc.db import api as db_api\n"
        "\n"
        "\n"
        "def sync(context, type_ids):\n"
        "    return [db_api._spec_get_item(context, t, 'x') for t in type_ids]\n", /* 5 */
        "svc/driver.py",
        "def unlink(sessions):\n"
        "    for session in sessions:\n" /* 2: a dict named session */
        "        session.get('target')\n"
        "\n"
        "\n"
        "def unlink_one(session, array):\n"
        "    return session.get('snap_name', array)\n"
        "\n"
        "\n"
        "def unlink_all(sessions, array):\n"
        "    for s in sessions:\n" /* 12: the helper reads a dict named session */
        "        unlink_one(s, array)\n"
        "\n"
        "\n"
        "def remove(context, ids):\n"
        "    for chunk in chunks(ids, 500):\n" /* 17: one DELETE per batch */
        "        context.session.query(Alloc).filter(Alloc.id.in_(chunk)).delete()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    const json_t *q = finding_at(f, "svc/db/api.py", 13, "query_in_loop");
    assert_non_null(q);
    assert_true(json_is_null(json_object_get(q, "optimized")));
    assert_string_equal(json_string_value(json_object_get(q, "safety")), "manual");
    assert_string_equal(json_string_value(json_object_get(q, "query_file")), "svc/db/api.py");
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 5);
    assert_non_null(finding_at(f, "svc/db/api.py", 13, "add_in_loop"));
    assert_non_null(finding_at(f, "svc/db/api.py", 22, "add_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 22, "query_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 29, "query_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 31, "query_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 33, "query_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 36, "query_in_loop"));
    assert_null(finding_at(f, "svc/db/api.py", 37, "query_in_loop")); /* dict get() */
    assert_null(finding_at(f, "svc/db/api.py", 42, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/db/api.py", 43, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/manager.py", 5, "query_in_loop"));
    assert_null(finding_at(f, "svc/driver.py", 2, "query_in_loop"));
    assert_null(finding_at(f, "svc/driver.py", 12, "query_in_loop"));
    assert_null(finding_at(f, "svc/driver.py", 17, "query_in_loop"));
    json_decref(f);
}

/* A helper's per-item summary does not depend on which loop asks first (issue 14, the
 * depth-dependent memo; each helper has two statements, so that each call costs a depth: rule
 * 17): a loop calling h1 directly reaches h4's query 4 calls deep
 * (h1 h2 h3 h4, MAX_DEPTH 4), a loop calling x reaches h2 two calls deeper and is cut before h4.
 * Each order of visiting the two loops' files gives the same findings: the direct loop's, not
 * the deep one's. A memo per function kept the depth of whichever loop asked first: the deep
 * loop first left h2 without its query for the direct loop, the direct loop first gave h2's query
 * to the deep loop. */
static void test_summary_any_order(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/db/chain.py",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def h4(context, key):\n"
        "    ref = context.session.query(models.Spec).filter_by(key=key).first()\n" /* 5 */
        "    return ref\n"
        "\n"
        "\n"
        "def h3(context, key):\n"
        "    ref = h4(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def h2(context, key):\n"
        "    ref = h3(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def h1(context, key):\n"
        "    ref = h2(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def y(context, key):\n"
        "    ref = h2(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def x(context, key):\n"
        "    ref = y(context, key)\n"
        "    return ref\n",
        "svc/direct.py",
        "from svc.db.chain import h1\n"
        "\n"
        "\n"
        "def direct(context, keys):\n"
        "    for key in keys:\n" /* 5 */
        "        h1(context, key)\n",
        "svc/deep.py",
        "from svc.db.chain import x\n"
        "\n"
        "\n"
        "def deep(context, keys):\n"
        "    for key in keys:\n" /* 5 */
        "        x(context, key)\n",
    };
    json_t *code = json_array();
    for (size_t i = 0; i + 1 < sizeof files / sizeof *files; i += 2)
        json_array_append_new(code,
                              json_pack("{s:s, s:s}", "path", files[i], "content", files[i + 1]));
    /* the helpers' module first in both, so that each loop's file is scanned once */
    const size_t orders[2][3] = {{0, 1, 2}, {0, 2, 1}};
    json_t *got[2];
    for (int k = 0; k < 2; k++) {
        err_t err;
        sqla_project_t *p = NULL;
        json_t *notes = NULL;
        assert_int_equal(sqla_analyze(code, orders[k], &p, &got[k], &notes, &err), 0);
        const json_t *q = finding_at(got[k], "svc/direct.py", 5, "query_in_loop");
        if (!q)
            fail_msg("order %d: no query_in_loop for the loop calling h1", k);
        assert_string_equal(json_string_value(json_object_get(q, "query_file")), "svc/db/chain.py");
        assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 5);
        if (finding_at(got[k], "svc/deep.py", 5, "query_in_loop"))
            fail_msg("order %d: a finding past MAX_DEPTH for the loop calling x", k);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    assert_true(json_equal(got[0], got[1]));
    /* the two-pass analysis agrees */
    json_t *two = findings_of(files, sizeof files / sizeof *files);
    assert_true(json_equal(two, got[0]));
    json_decref(two);
    json_decref(got[0]);
    json_decref(got[1]);
    json_decref(code);
}

/* Rule 17: a call of a wrapper - a function whose body is one statement, docstring aside -
 * costs no depth: neutron's _make_log_dict and _get_port_log_dict (`return {..., 'rules':
 * _get_sg_rules(...)}`) put its security group query 5 calls below the loop. Kept apart: the
 * same chain through functions of two statements is cut at MAX_DEPTH 4. A cycle of wrappers
 * ends (each is walked once per depth) with the same findings in either order: the query in
 * r1's one statement is found from both loops. */
static void test_wrapper_costs_no_depth(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/db/chain.py",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def h4(context, key):\n"
        "    rows = context.session.query(models.Spec).filter_by(key=key).all()\n" /* 5 */
        "    return rows\n"
        "\n"
        "\n"
        "def h3(context, key):\n"
        "    ref = h4(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def h2(context, key):\n"
        "    ref = h3(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def h1(context, key):\n"
        "    ref = h2(context, key)\n"
        "    return ref\n"
        "\n"
        "\n"
        "def w2(context, key):\n"
        "    \"\"\"The key's rules.\"\"\"\n"
        "    return {'key': key, 'rules': h1(context, key)}\n"
        "\n"
        "\n"
        "def w1(context, keys):\n"
        "    return [w2(context, key) for key in keys]\n"
        "\n"
        "\n"
        "def t2(context, key):\n"
        "    key = str(key)\n"
        "    return {'key': key, 'rules': h1(context, key)}\n"
        "\n"
        "\n"
        "def t1(context, keys):\n"
        "    keys = list(keys)\n"
        "    return [t2(context, key) for key in keys]\n"
        "\n"
        "\n"
        "def r1(context, key):\n"
        "    return r2(context, key) or context.session.query(models.Spec).get(key)\n" /* 44 */
        "\n"
        "\n"
        "def r2(context, key):\n"
        "    return r1(context, key)\n",
        "svc/logs.py",
        "from svc.db import chain\n"
        "\n"
        "\n"
        "def logs(context, logs):\n"
        "    for log in logs:\n" /* 5: w1 w2 h1 h2 h3 h4, the wrappers free */
        "        chain.w1(context, [log.key])\n"
        "\n"
        "\n"
        "def logs_two(context, logs):\n"
        "    for log in logs:\n" /* 10: t1 t2 h1 ... h4, 6 deep */
        "        chain.t1(context, [log.key])\n"
        "\n"
        "\n"
        "def cycle(context, keys):\n"
        "    for key in keys:\n" /* 15: r1's query, the cycle cut */
        "        chain.r1(context, key)\n"
        "    for key in keys:\n" /* 17: the same from r2 */
        "        chain.r2(context, key)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    const json_t *q = finding_at(f, "svc/logs.py", 5, "query_in_loop");
    assert_non_null(q);
    assert_string_equal(json_string_value(json_object_get(q, "query_file")), "svc/db/chain.py");
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 5);
    assert_null(finding_at(f, "svc/logs.py", 10, "query_in_loop"));
    q = finding_at(f, "svc/logs.py", 15, "query_in_loop");
    assert_non_null(q);
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 44);
    assert_non_null(finding_at(f, "svc/logs.py", 17, "query_in_loop"));
    /* the one pass in both orders of the two files agrees */
    json_t *code = json_array();
    for (size_t i = 0; i + 1 < sizeof files / sizeof *files; i += 2)
        json_array_append_new(code,
                              json_pack("{s:s, s:s}", "path", files[i], "content", files[i + 1]));
    const size_t orders[2][2] = {{0, 1}, {1, 0}};
    for (int k = 0; k < 2; k++) {
        err_t err;
        sqla_project_t *p = NULL;
        json_t *got = NULL, *notes = NULL;
        assert_int_equal(sqla_analyze(code, orders[k], &p, &got, &notes, &err), 0);
        assert_true(json_equal(got, f));
        json_decref(got);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    json_decref(code);
    json_decref(f);
}

/* Rule 16: work reached only when a configuration option is set away from its default is not a
 * per-item query every deployment pays (nova's VolumeUsage save under `if
 * CONF.volume_usage_poll_interval <= 0: return`, 0 by default). The default comes from the
 * option's definition in the project (oslo.config `cfg.IntOpt('name', default=0)`), read past
 * its help text. Kept: the same shapes with an option on by default (60, True), a string option
 * (an unset connection URL is a setting the service needs, not a feature left off), and an
 * option defined nowhere in the project. */
static void test_option_off_by_default(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/conf.py",
        "from oslo_config import cfg\n"
        "\n"
        "opts = [\n"
        "    cfg.IntOpt('usage_poll_interval',\n"
        "               default=0,\n"
        "               help=\"\"\"Seconds between polls (0: off, as default=60 was).\"\"\"),\n"
        "    cfg.BoolOpt('audit', help='(default=True before) audit (each change)',\n"
        "                default=False),\n"
        "    cfg.IntOpt('sync_interval', default=60),\n"
        "    cfg.BoolOpt('track_changes', default=True),\n"
        "    cfg.StrOpt('connection', default=''),\n"
        "]\n",
        "svc/api.py",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def _record_usage(context, item):\n"
        "    if CONF.usage_poll_interval <= 0:\n"
        "        return\n"
        "    usage = models.Usage()\n"
        "    usage.update({'item': item})\n"
        "    usage.save(context.session)\n"
        "\n"
        "\n"
        "def _audit(context, item):\n"
        "    if item and CONF.audit:\n"
        "        return context.session.query(models.Spec).filter_by(key=item).first()\n"
        "\n"
        "\n"
        "def _sync(context, item):\n"
        "    if CONF.sync_interval <= 0:\n"
        "        return\n"
        "    usage = models.Usage()\n"
        "    usage.update({'item': item})\n"
        "    usage.save(context.session)\n"
        "\n"
        "\n"
        "def _changes(context, item):\n"
        "    if not CONF.filter.track_changes:\n"
        "        return None\n"
        "    return context.session.query(models.Spec).filter_by(key=item).first()\n"
        "\n"
        "\n"
        "def _lookup(context, item):\n"
        "    if not cfg.CONF.database.connection or not CONF.undefined_flag:\n"
        "        return None\n"
        "    return context.session.query(models.Spec).filter_by(key=item).first()\n"
        "\n"
        "\n"
        "def detach_all(context, items):\n"
        "    for item in items:\n" /* 38: dropped, polling is off by default */
        "        _record_usage(context, item)\n"
        "\n"
        "\n"
        "def audit_all(context, items):\n"
        "    for item in items:\n" /* 43: dropped, audit is off by default */
        "        _audit(context, item)\n"
        "\n"
        "\n"
        "def sync_all(context, items):\n"
        "    for item in items:\n" /* 48: kept, 60 by default */
        "        _sync(context, item)\n"
        "\n"
        "\n"
        "def changes_all(context, items):\n"
        "    for item in items:\n" /* 53: kept, True by default */
        "        _changes(context, item)\n"
        "\n"
        "\n"
        "def lookup_all(context, items):\n"
        "    for item in items:\n" /* 58: kept, a string and an unknown option */
        "        _lookup(context, item)\n"
        "\n"
        "\n"
        "def direct(context, items):\n"
        "    for item in items:\n" /* 63: dropped, every item leaves by default */
        "        if CONF.filter.track_changes:\n"
        "            continue\n"
        "        context.session.query(models.Spec).filter_by(key=item).first()\n"
        "    for item in items:\n" /* 67: kept, the else runs by default */
        "        if CONF.usage_poll_interval > 0:\n"
        "            pass\n"
        "        else:\n"
        "            context.session.query(models.Spec).filter_by(key=item).first()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "svc/api.py", 38, "add_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 43, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 48, "add_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 53, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 58, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 63, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 67, "query_in_loop"));
    json_decref(f);
}

/* nova: lookups cached per key (host_mapping_cache, cell_contexts_by_host,
 * simple_tenant_usage's flavors_cache passed to a helper) run once per
 * distinct key, not per item: no finding. Look-alikes that stay findings: a
 * membership test that only filters (nothing stored in the container), a
 * cache local to the helper (empty at each call), and a query per item in
 * a loop inside the guarded code. */
static void test_lookup_cached_per_key(void **state)
{
    (void)state;
    const char *const files[] = {
        "nova/api.py",
        "def schedule(context, hosts):\n"
        "    cache = {}\n"
        "    for host in hosts:\n" /* 3: guarded by `not in`, stored */
        "        if host.name not in cache:\n"
        "            hm = context.session.query(HostMapping).filter_by(host=host.name).first()\n"
        "            cache[host.name] = hm\n"
        "\n"
        "\n"
        "def by_host(context, hosts, moving):\n"
        "    ctxs = {}\n"
        "    for host in hosts:\n" /* 11: the else of `in`, nested if */
        "        if host in ctxs:\n"
        "            pass\n"
        "        else:\n"
        "            if moving:\n"
        "                hm = context.session.query(HostMapping).filter_by(host=host).one()\n"
        "                ctxs[host] = hm\n"
        "\n"
        "\n"
        "def _get_flavor(context, instance, flavors_cache):\n"
        "    if instance.type_id in flavors_cache:\n"
        "        return flavors_cache[instance.type_id]\n"
        "    ref = context.session.query(Flavor).filter_by(id=instance.type_id).first()\n"
        "    flavors_cache[instance.type_id] = ref\n"
        "    return ref\n"
        "\n"
        "\n"
        "def usage(context, instances):\n"
        "    flavors = {}\n"
        "    for instance in instances:\n" /* 30: helper with the caller's cache */
        "        _get_flavor(context, instance, flavors)\n"
        "\n"
        "\n"
        "def filtered(context, hosts, wanted):\n"
        "    for host in hosts:\n" /* 35: filter only, nothing stored */
        "        if host not in wanted:\n"
        "            context.session.query(HostMapping).filter_by(host=host).first()\n"
        "\n"
        "\n"
        "def _local(context, instance):\n"
        "    seen = {}\n"
        "    if instance.type_id in seen:\n"
        "        return seen[instance.type_id]\n"
        "    ref = context.session.query(Flavor).filter_by(id=instance.type_id).first()\n"
        "    seen[instance.type_id] = ref\n"
        "    return ref\n"
        "\n"
        "\n"
        "def usage_local(context, instances):\n"
        "    for instance in instances:\n" /* 50: the cache is the helper's local */
        "        _local(context, instance)\n"
        "\n"
        "\n"
        "def per_member(context, groups):\n"
        "    cache = {}\n"
        "    if 'k' not in cache:\n"
        "        for g in groups:\n" /* 57: a loop inside the guarded code */
        "            context.session.query(Member).filter_by(group=g).all()\n"
        "        cache['k'] = 1\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "nova/api.py", 3, "query_in_loop"));
    assert_null(finding_at(f, "nova/api.py", 11, "query_in_loop"));
    assert_null(finding_at(f, "nova/api.py", 30, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/api.py", 35, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/api.py", 50, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/api.py", 57, "query_in_loop"));
    json_decref(f);
}

/* neutron's update_devices_list and OVN maintenance: each item handed to
 * one handler in a try whose `except Exception` logs and goes on - a
 * failure stays that item's on purpose (issue 14 rule 4): no finding.
 * Kept: a try holding the loop's own several statements (heat's
 * properties_data migration), a handler for one error (NotFound), a
 * catch-all that re-raises (oslo's save_and_reraise_exception). */
static void test_per_item_isolation(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/db.py",
        "def get_port(context, device):\n"
        "    return context.session.query(Port).filter_by(device=device).first()\n",
        "svc/rpc.py",
        "from svc.db import get_port\n"
        "\n"
        "\n"
        "def devices_up(context, devices, failed):\n"
        "    for device in devices:\n" /* 5: isolated per item */
        "        try:\n"
        "            get_port(context, device)\n"
        "        except Exception:\n"
        "            failed.append(device)\n"
        "\n"
        "\n"
        "def repair(context, rows):\n"
        "    for row in rows:\n" /* 13: if/else of handlers, bare except */
        "        try:\n"
        "            # a comment\n"
        "            if row.kind == 'x':\n"
        "                get_port(context, row.id)\n"
        "            else:\n"
        "                get_port(context, row.other)\n"
        "        except:\n"
        "            pass\n"
        "\n"
        "\n"
        "def migrate(context, rows):\n"
        "    for row in rows:\n" /* 25: the loop's own work in the try */
        "        try:\n"
        "            p = get_port(context, row.id)\n"
        "            p.migrated = True\n"
        "        except Exception:\n"
        "            pass\n"
        "\n"
        "\n"
        "def lookup(context, devices):\n"
        "    for device in devices:\n" /* 34: one error handled */
        "        try:\n"
        "            get_port(context, device)\n"
        "        except NotFound:\n"
        "            pass\n"
        "\n"
        "\n"
        "def ensure(context, devices):\n"
        "    for device in devices:\n" /* 42: catch-all that re-raises */
        "        try:\n"
        "            get_port(context, device)\n"
        "        except Exception:\n"
        "            with excutils.save_and_reraise_exception():\n"
        "                cleanup(device)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "svc/rpc.py", 5, "query_in_loop"));
    assert_null(finding_at(f, "svc/rpc.py", 13, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/rpc.py", 25, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/rpc.py", 34, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/rpc.py", 42, "query_in_loop"));
    json_decref(f);
}

/* nova's _metadata_add_to_db: `for attempt in range(max_retries): try:
 * ... return except DBDuplicateEntry:` does its work once, retrying on a
 * failure: no finding. Kept: range() loops that write per iteration (no
 * try with a success exit) and a try whose exit is a nested loop's. */
static void test_retry_loop(void **state)
{
    (void)state;
    const char *const files[] = {
        "m.py",
        MODELS_PRELUDE "class Meta(Base):\n"
                       "    __tablename__ = 'meta'\n"
                       "    id = Column(Integer, primary_key=True)\n"
                       "    key = Column(String)\n",
        "api.py",
        "from sqlalchemy import insert\nfrom m import Meta\n"
        "\n"
        "\n"
        "def add_meta(session, key, max_retries=10):\n"
        "    for attempt in range(max_retries):\n" /* 6: retry loop */
        "        try:\n"
        "            session.execute(insert(Meta), [{'key': key}])\n"
        "            session.flush()\n"
        "            return\n"
        "        except DuplicateEntry:\n"
        "            pass\n"
        "\n"
        "\n"
        "def add_many(session, n):\n"
        "    for i in range(n):\n" /* 16: one row per iteration */
        "        session.execute(insert(Meta), [{'key': str(i)}])\n"
        "        session.flush()\n"
        "\n"
        "\n"
        "def add_keys(session, n, keys):\n"
        "    for i in range(n):\n" /* 22: the break leaves the inner loop */
        "        try:\n"
        "            session.execute(insert(Meta), [{'key': str(i)}])\n"
        "            session.flush()\n"
        "            for k in keys:\n"
        "                break\n"
        "        except DuplicateEntry:\n"
        "            pass\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "api.py", 6, "add_in_loop"));
    assert_non_null(finding_at(f, "api.py", 16, "add_in_loop"));
    assert_non_null(finding_at(f, "api.py", 22, "add_in_loop"));
    json_decref(f);
}

/* Rule 11: an UPDATE whose outcome the code reads is a compare-and-swap per item (cinder's
 * _conditional_update, heat's atomic_key update, oslo.db's update_on_match in nova's uuid
 * migrations): no query_in_loop. Kept: a per-item UPDATE whose count is thrown away, a query that
 * is read before its update, and a lookup next to a CAS. */
static void test_compare_and_swap(void **state)
{
    (void)state;
    const char *const files[] = {
        "svc/db.py",
        "def model_query(context, model):\n"
        "    return context.session.query(model)\n"
        "\n"
        "\n"
        "def conditional_update(context, model, values, expected):\n"
        "    query = model_query(context, model).filter_by(**expected)\n"
        "    result = query.update(values, synchronize_session=False)\n"
        "    return 0 != result\n"
        "\n"
        "\n"
        "def resource_update(context, rid, values, atomic_key):\n"
        "    with context.session.begin(subtransactions=True):\n"
        "        rows = context.session.query(Resource).filter_by(\n"
        "            id=rid, atomic_key=atomic_key).update(values)\n"
        "        return bool(rows)\n"
        "\n"
        "\n"
        "def create_uuid(context, bdm_id):\n"
        "    compare = Bdm(id=bdm_id, uuid=None)\n"
        "    query = context.session.query(Bdm).filter_by(id=bdm_id)\n"
        "    try:\n"
        "        query.update_on_match(compare, 'id', {'uuid': 'u'})\n"
        "    except NoRowsMatched:\n"
        "        return query.one()['uuid']\n"
        "\n"
        "\n"
        "def soft_delete(context, rid):\n"
        "    context.session.query(Resource).filter_by(id=rid).update({'deleted': 1})\n"
        "\n"
        "\n"
        "def read_then_update(context, rid):\n"
        "    query = context.session.query(Resource).filter_by(id=rid)\n"
        "    row = query.first()\n"
        "    return query.update({'n': row.n + 1})\n"
        "\n"
        "\n"
        "def set_state(context, rid):\n"
        "    query = context.session.query(Resource).filter(Resource.deleted == 0)\n"
        "    count = query.filter_by(id=rid, state='a').update({'state': 'b'})\n"
        "    if count == 0:\n"
        "        raise Conflict(rid)\n"
        "\n"
        "\n"
        "def delete_spec(context, key):\n"
        "    result = context.session.query(Spec).filter_by(key=key).delete()\n"
        "    if result == 0:\n"
        "        raise SpecNotFound(key=key)\n"
        "\n"
        "\n"
        "def touch(context, rid):\n"
        "    n = context.session.query(Resource).filter_by(id=rid).update({'t': 1})\n"
        "    LOG.info('%d rows', n)\n"
        "\n"
        "\n"
        "def lookup_and_swap(context, rid):\n"
        "    row = context.session.query(Resource).filter_by(id=rid).first()\n"
        "    return conditional_update(context, Resource, {'n': row.n}, {'id': rid})\n",
        "svc/api.py",
        "from svc.db import conditional_update, resource_update, create_uuid\n"
        "from svc.db import soft_delete, read_then_update, lookup_and_swap, set_state\n"
        "from svc.db import delete_spec, touch\n"
        "\n"
        "\n"
        "def transfer(context, snapshots):\n"
        "    for s in snapshots:\n" /* 7: CAS through a helper, tested */
        "        if not conditional_update(context, Snapshot, {'u': 1}, {'id': s}):\n"
        "            raise Invalid()\n"
        "\n"
        "\n"
        "def encrypt(context, resources):\n"
        "    for r in resources:\n" /* 13: CAS whose helper returns the count */
        "        resource_update(context, r.id, {'p': 1}, r.atomic_key)\n"
        "\n"
        "\n"
        "def populate(context, bdms):\n"
        "    for b in bdms:\n" /* 18: update_on_match */
        "        create_uuid(context, b['id'])\n"
        "\n"
        "\n"
        "def direct(context, ids):\n"
        "    for i in ids:\n" /* 23: a CAS in the loop itself */
        "        n = context.session.query(Resource).filter_by(id=i, state='a').update({'state': "
        "'b'})\n"
        "        if not n:\n"
        "            raise Conflict(i)\n"
        "\n"
        "\n"
        "def purge(context, ids):\n"
        "    for i in ids:\n" /* 30: count thrown away: one UPDATE ... IN would do */
        "        soft_delete(context, i)\n"
        "\n"
        "\n"
        "def bump(context, ids):\n"
        "    for i in ids:\n" /* 35: reads the row first */
        "        read_then_update(context, i)\n"
        "\n"
        "\n"
        "def swap_all(context, ids):\n"
        "    for i in ids:\n" /* 40: a lookup before the CAS */
        "        lookup_and_swap(context, i)\n"
        "\n"
        "\n"
        "def set_states(context, ids):\n"
        "    for i in ids:\n" /* 45: CAS on a chain that starts on a name */
        "        set_state(context, i)\n"
        "\n"
        "\n"
        "def delete_specs(context, keys):\n"
        "    for key in keys:\n" /* 50: a DELETE whose count raises NotFound for the item */
        "        delete_spec(context, key)\n"
        "\n"
        "\n"
        "def delete_names(session, names):\n"
        "    missing = []\n"
        "    for name in names:\n" /* 56: the count is only collected: DELETE ... IN does it */
        "        count = session.query(Spec).filter_by(name=name).delete()\n"
        "        if count == 0:\n"
        "            missing.append(name)\n"
        "    if missing:\n"
        "        raise NotFound(missing)\n"
        "\n"
        "\n"
        "def touch_all(context, ids):\n"
        "    for i in ids:\n" /* 65: the count is only logged */
        "        touch(context, i)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "svc/api.py", 7, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 13, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 18, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 23, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 30, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 35, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 40, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 45, "query_in_loop"));
    assert_null(finding_at(f, "svc/api.py", 50, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 56, "query_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 65, "query_in_loop"));
    json_decref(f);
}

/* Rule 11 for inserts: a helper that turns its insert's duplicate-key error into an error naming
 * the item (nova's _flavor_add_project) reads the outcome per item: no add_in_loop. Kept: a
 * duplicate handler that only logs, a try around the whole loop (the batch fails as one). */
static void test_duplicate_checked_insert(void **state)
{
    (void)state;
    const char *const files[] = {
        "m.py",
        MODELS_PRELUDE "class Spec(Base):\n"
                       "    __tablename__ = 'spec'\n"
                       "    id = Column(Integer, primary_key=True)\n"
                       "    key = Column(String)\n",
        "svc/db.py",
        "from m import Spec\n"
        "\n"
        "\n"
        "def add_project(context, project_id):\n"
        "    spec = Spec(key=project_id)\n"
        "    try:\n"
        "        spec.save(context.session)\n"
        "    except db_exc.DBDuplicateEntry:\n"
        "        raise AccessExists(project_id=project_id)\n"
        "\n"
        "\n"
        "def add_logged(context, project_id):\n"
        "    spec = Spec(key=project_id)\n"
        "    try:\n"
        "        spec.save(context.session)\n"
        "    except db_exc.DBDuplicateEntry:\n"
        "        LOG.info('exists')\n",
        "svc/api.py",
        "from m import Spec\n"
        "from svc.db import add_project, add_logged\n"
        "\n"
        "\n"
        "def add_access(context, projects):\n"
        "    for p in projects:\n" /* 6: duplicate named per item */
        "        add_project(context, p)\n"
        "\n"
        "\n"
        "def add_quietly(context, projects):\n"
        "    for p in projects:\n" /* 11: the duplicate is only logged */
        "        add_logged(context, p)\n"
        "\n"
        "\n"
        "def add_all(session, keys):\n"
        "    try:\n"
        "        for key in keys:\n" /* 17: the try is around the whole loop */
        "            session.add(Spec(key=key))\n"
        "            session.flush()\n"
        "    except db_exc.DBDuplicateEntry:\n"
        "        raise Exists()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "svc/api.py", 6, "add_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 11, "add_in_loop"));
    assert_non_null(finding_at(f, "svc/api.py", 17, "add_in_loop"));
    json_decref(f);
}

/* session.add() per item is a round trip of its own only when the
 * database generates the key: composite keys set by the code go out in one
 * executemany at flush (SQLAlchemy 1.4). */
static void test_add_needs_generated_key(void **state)
{
    (void)state;
    const char *const files[] = {
        "m.py",
        MODELS_PRELUDE "class Tag(Base):\n"
                       "    __tablename__ = 'tags'\n"
                       "    node_id = Column(Integer, primary_key=True)\n"
                       "    tag = Column(String, primary_key=True)\n"
                       "\n"
                       "\n"
                       "class Iface(Base):\n"
                       "    __tablename__ = 'ifaces'\n"
                       "    id = Column(Integer, primary_key=True)\n"
                       "    name = Column(String)\n",
        "api.py",
        "from m import Iface, Tag\n"
        "\n"
        "\n"
        "def set_tags(store, node_id, tags):\n"
        "    for tag in tags:\n" /* 5: composite key, batched */
        "        ref = Tag(tag=tag, node_id=node_id)\n"
        "        store.add(ref)\n"
        "\n"
        "\n"
        "def add_ifaces(store, names):\n"
        "    for name in names:\n" /* 11: generated key */
        "        ref = Iface(name=name)\n"
        "        store.add(ref)\n"
        "\n"
        "\n"
        "def add_given(store, pairs):\n"
        "    for i, name in pairs:\n" /* 17: key given */
        "        store.add(Iface(id=i, name=name))\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    /* (sqla_patterns' own bulk rewrite may still offer a bulk insert for a
     * resolved model; the per-item report is this module's, "manual") */
    const json_t *t = finding_at(f, "api.py", 5, "add_in_loop");
    assert_true(!t || strcmp(json_string_value(json_object_get(t, "safety")), "manual") != 0);
    assert_non_null(finding_at(f, "api.py", 11, "add_in_loop"));
    t = finding_at(f, "api.py", 17, "add_in_loop");
    assert_true(!t || strcmp(json_string_value(json_object_get(t, "safety")), "manual") != 0);
    json_decref(f);
}

/* The per-item pass skips the statements before a loop that hold no loop, but not one that
 * builds a row object a later loop saves: a plain assignment, one in an if, one whose call is
 * split over lines by a comment (the scan for such calls cannot read the name before it). */
static void test_built_before_loop(void **state)
{
    (void)state;
    const char *const files[] = {
        "m.py",
        MODELS_PRELUDE "class Iface(Base):\n"
                       "    __tablename__ = 'ifaces'\n"
                       "    id = Column(Integer, primary_key=True)\n"
                       "    name = Column(String)\n",
        "api.py",
        "import m as models\n"
        "from m import Iface\n"
        "\n"
        "\n"
        "def save_each(names):\n"
        "    ref = Iface(name='first')\n"
        "    for name in names:\n" /* 7 */
        "        ref.name = name\n"
        "        ref.save()\n"
        "\n"
        "\n"
        "def save_guarded(names):\n"
        "    if names:\n"
        "        ref = models.Iface(name='first')\n"
        "    for name in names:\n" /* 15 */
        "        ref.name = name\n"
        "        ref.save()\n"
        "\n"
        "\n"
        "def save_split(names):\n"
        "    ref = (Iface  # the row\n"
        "           (name='first'))\n"
        "    for name in names:\n" /* 23 */
        "        ref.name = name\n"
        "        ref.save()\n"
        "\n"
        "\n"
        "def save_other(names):\n"
        "    ref = make(name='first')\n"
        "    for name in names:\n" /* 30: not built here */
        "        ref.name = name\n"
        "        ref.save()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_non_null(finding_at(f, "api.py", 7, "add_in_loop"));
    assert_non_null(finding_at(f, "api.py", 15, "add_in_loop"));
    assert_non_null(finding_at(f, "api.py", 23, "add_in_loop"));
    assert_null(finding_at(f, "api.py", 30, "add_in_loop"));
    json_decref(f);
}

static const char *note_with(const json_t *notes, const char *needle)
{
    size_t i;
    const json_t *n;
    json_array_foreach(notes, i,
                       n) if (strstr(json_string_value(n), needle)) return json_string_value(n);
    return NULL;
}

/* What the analysis did not read is counted in the agent's notes: files
 * the collection left out (tests, migrations, --code-exclude), skipped
 * (too big...), and files with syntax errors. */
static void test_skipped_counted(void **state)
{
    (void)state;
    json_t *snap = json_pack(
        "{s:[{s:s, s:s}, {s:s, s:s}], s:{s:[{s:s, s:s, s:i}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
        "{s:s, s:s}]}}",
        "code", "path", "app/ok.py", "content",
        "from neutron_lib.db import model_base\n\n\nclass Port(model_base.BASEV2):\n"
        "    __tablename__ = 'ports'\n",
        "path", "app/broken.py", "content", "X = 1\ndef f(:\n    pass\n", "meta", "skipped_files",
        "path", "app/tests/", "reason",
        "not runtime code (tests): left out by default, --code-include GLOB keeps them", "files",
        12, "path", "app/test_x.py", "reason",
        "not runtime code (tests): left out by default, --code-include GLOB keeps it", "path",
        "app/db/migrations/", "reason",
        "not runtime code (migrations): left out by default, --code-include GLOB keeps them",
        "path", "big.py", "reason", "larger than the per-file limit of 1048576 bytes", "path",
        "venv/", "reason", "virtualenv directory");
    json_t *rewrites = json_array(), *notes = json_array();
    int next = 0;
    err_t err;
    assert_int_equal(qr_code_rewrites(snap, rewrites, notes, &next, &err), 0);
    const char *n = note_with(notes, "not runtime code");
    assert_non_null(n);
    assert_non_null(strstr(n, "13 files left out as not runtime code (tests 13, migrations 0"));
    n = note_with(notes, "files skipped");
    assert_non_null(n);
    assert_non_null(strstr(n, "code: 1 files skipped"));
    n = note_with(notes, "syntax errors");
    assert_non_null(n);
    assert_non_null(strstr(n, "1 files have syntax errors (the first: app/broken.py:2)"));
    n = note_with(notes, "__tablename__");
    assert_non_null(n);
    assert_non_null(strstr(n, "1 classes declare __tablename__"));
    assert_non_null(strstr(n, "app/ok.py:4 Port"));
    json_decref(rewrites);
    json_decref(notes);
    json_decref(snap);
}

/* Trees are not kept (issue 14: memory bounded): the first pass frees each
 * file's tree (the cache's budget is an eighth of this small project, less
 * than any file), so the scans parse each module again, and the per-item
 * summary of the helper it follows parses the helper's lines alone
 * (sqla_function_tree), not its module; the findings are those of a project
 * whose trees were all kept. The project holds its own reference to the
 * code section: the caller's may go first (ASan would catch a file parsed
 * again from freed text). */
static void test_trees_parsed_again_on_demand(void **state)
{
    (void)state;
    json_t *code = json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path", "svc/db/api.py", "content",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def volume_get(context, volume_id):\n"
        "    return context.session.query(models.Volume).filter_by(id=volume_id).first()\n",
        "path", "svc/db/models.py", "content",
        "from sqlalchemy import Column, String\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n\n\n"
        "class Volume(Base):\n"
        "    __tablename__ = 'volumes'\n"
        "    id = Column(String(36), primary_key=True)\n",
        "path", "svc/manager.py", "content",
        "from svc.db import api\n"
        "\n"
        "\n"
        "def refresh(context, ids):\n"
        "    for vid in ids:\n" /* 5 */
        "        api.volume_get(context, vid)\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_decref(code);
    assert_int_equal(sqla_project_file_count(p), 3);
    /* the first pass parsed each file once and kept no tree; Volume's
     * body was read in that pass, not by parsing models.py again */
    assert_int_equal(sqla_project_parse_count(p), 3);
    assert_non_null(sqla_project_model(p, "Volume"));
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    /* each file once more for the scans, and volume_get's lines alone for the per-item
     * summary (sqla_function_tree), not api.py again */
    assert_int_equal(sqla_project_parse_count(p), 3 + 3);
    assert_int_equal(sqla_project_fn_parse_count(p), 1);
    const json_t *q = finding_at(findings, "svc/manager.py", 5, "query_in_loop");
    assert_non_null(q);
    assert_string_equal(json_string_value(json_object_get(q, "query_file")), "svc/db/api.py");
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 5);
    /* the same through the facts kept without trees */
    unsigned line, col;
    assert_false(sqla_project_file_error(p, 0, &line, &col));
    assert_string_equal(sqla_project_path(p, 2), "svc/manager.py");
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    sqla_project_destroy(&p);
}

/* A helper none of whose calls can do anything, told from its text (no call of a name the
 * project defines, none of a session's methods: sqla_perloop.c's inert_text), is answered
 * without parsing its lines again; a helper calling a name some file defines (in a string too:
 * the text scan cannot tell), or a session method, is parsed alone as before, and so is one in
 * a file with a syntax error (whose whole tree then answers), whatever its text, as recovery may
 * make a call of text without its "(". Same findings as when every helper is walked: the
 * queries through volume_get and lookup only. */
static void test_inert_helper_not_parsed(void **state)
{
    (void)state;
    json_t *code = json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path", "svc/db/api.py", "content",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def volume_get(context, volume_id):\n"
        "    return context.session.query(models.Volume).filter_by(id=volume_id).first()\n"
        "\n"
        "\n"
        "def format_id(volume_id):\n" /* 8 */
        "    # str(x) and strip() are not the project's\n"
        "    return str(volume_id).strip()\n"
        "\n"
        "\n"
        "def touch(volume_id):\n" /* 13 */
        "    return normalize (volume_id)\n"
        "\n"
        "\n"
        "def lookup(context, volume_id):\n" /* 17 */
        "    return context.session.get(models.Volume, volume_id)\n",
        "path", "svc/db/models.py", "content",
        "from sqlalchemy import Column, String\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n"
        "DOC = 'def normalize(x): never run'\n\n\n"
        "class Volume(Base):\n"
        "    __tablename__ = 'volumes'\n"
        "    id = Column(String(36), primary_key=True)\n",
        "path", "svc/broken.py", "content",
        "def label(volume_id):\n"
        "    return str(volume_id)\n"
        "\n"
        "\n"
        "def oops(:\n"
        "    pass\n"
        "\n"
        "\n"
        "def $ stray(v):\n"
        "    pass\n"
        "\n"
        "\n"
        "def 9lives(v):\n"
        "    pass\n",
        "path", "svc/manager.py", "content",
        "from svc.db import api\n"
        "from svc import broken\n"
        "\n"
        "def refresh(context, ids):\n"
        "    for vid in ids:\n" /* 5 */
        "        api.volume_get(context, vid)\n"
        "\n"
        "\n"
        "def show(ids):\n"
        "    for vid in ids:\n" /* 10 */
        "        api.format_id(vid)\n"
        "\n"
        "\n"
        "def poke(ids):\n"
        "    for vid in ids:\n" /* 15 */
        "        api.touch(vid)\n"
        "\n"
        "\n"
        "def fetch(context, ids):\n"
        "    for vid in ids:\n" /* 20 */
        "        api.lookup(context, vid)\n"
        "\n"
        "\n"
        "def tag(ids):\n"
        "    for vid in ids:\n" /* 25 */
        "        broken.label(vid)\n");
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_decref(code);
    assert_true(sqla_project_may_define(p, "volume_get", 10));
    assert_true(sqla_project_may_define(p, "normalize", 9)); /* in a string */
    assert_false(sqla_project_may_define(p, "strip", 5));
    assert_false(sqla_project_may_define(p, "declarative_base", 16)); /* imported, not defined */
    /* what recovery may make a function of: every name between `def` and its "(" */
    assert_true(sqla_project_may_define(p, "stray", 5));
    assert_true(sqla_project_may_define(p, "lives", 5));
    json_t *findings = NULL, *notes = NULL;
    /* the cache holds an eighth of so small a project: no tree is kept between scans */
    assert_int_equal(sqla_project_parse_count(p), 4);
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    /* volume_get, touch and lookup parsed alone; format_id not; label's whole file parsed once
     * more for its summary (after its scan and manager.py's: 4 + 4 + 1) */
    assert_int_equal(sqla_project_fn_parse_count(p), 3);
    assert_int_equal(sqla_project_parse_count(p), 4 + 4 + 1);
    const json_t *q = finding_at(findings, "svc/manager.py", 5, "query_in_loop");
    assert_non_null(q);
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 5);
    q = finding_at(findings, "svc/manager.py", 20, "query_in_loop");
    assert_non_null(q);
    assert_int_equal(json_integer_value(json_object_get(q, "query_line")), 18);
    assert_null(finding_at(findings, "svc/manager.py", 10, "query_in_loop"));
    assert_null(finding_at(findings, "svc/manager.py", 15, "query_in_loop"));
    assert_null(finding_at(findings, "svc/manager.py", 25, "query_in_loop"));
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
}

/* nova's archive: one pass per table of the schema (`meta.sorted_tables`), and the tables that
 * refer to one table by foreign key (a helper that appends while walking
 * `models.BASE.metadata.tables.values()`): the count is the schema's, each table its own
 * statements (rule 12): no finding. Kept: the same statements over a list the caller passes, a
 * list that also takes items from elsewhere, and a name bound to the schema's tables on one path
 * only. */
static void test_schema_walk(void **state)
{
    (void)state;
    const char *const files[] = {
        "nova/db/api.py",
        "from nova.db import models\n"
        "\n"
        "\n"
        "def _fk_tables(table):\n"
        "    tables = []\n"
        "    for t in models.BASE.metadata.tables.values():\n"
        "        for fk in t.foreign_keys:\n"
        "            if fk.references(table):\n"
        "                tables.append(t)\n"
        "    return tables\n"
        "\n"
        "\n"
        "def _rows(conn, table, records):\n"
        "    return conn.execute(table.select().where(table.c.id.in_(records))).fetchall()\n"
        "\n"
        "\n"
        "def archive_fk(conn, table, records):\n"
        "    fk_tables = _fk_tables(table)\n"
        "    for fk_table in fk_tables:\n" /* 19: tables of the schema, through a helper */
        "        _rows(conn, fk_table, records)\n"
        "\n"
        "\n"
        "def archive(conn, meta, records):\n"
        "    for table in reversed(meta.sorted_tables):\n" /* 24: the schema's tables */
        "        _rows(conn, table, records)\n"
        "\n"
        "\n"
        "def purge(conn, tables, records):\n"
        "    for table in tables:\n" /* 29: a list the caller passes */
        "        _rows(conn, table, records)\n"
        "\n"
        "\n"
        "def _mixed(table, extra):\n"
        "    tables = []\n"
        "    for t in models.BASE.metadata.sorted_tables:\n"
        "        tables.append(t)\n"
        "    tables.append(extra)\n"
        "    return tables\n"
        "\n"
        "\n"
        "def archive_mixed(conn, table, extra, records):\n"
        "    for t in _mixed(table, extra):\n" /* 42: not only the schema's */
        "        _rows(conn, t, records)\n"
        "\n"
        "\n"
        "def archive_some(conn, meta, chosen, records):\n"
        "    if chosen:\n"
        "        tables = chosen\n"
        "    else:\n"
        "        tables = meta.sorted_tables\n"
        "    for t in tables:\n" /* 51: the caller's list on one path */
        "        _rows(conn, t, records)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "nova/db/api.py", 19, "query_in_loop"));
    assert_null(finding_at(f, "nova/db/api.py", 24, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/db/api.py", 29, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/db/api.py", 42, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/db/api.py", 51, "query_in_loop"));
    json_decref(f);
}

/* The schema through helpers in other files, one name of the schema each (a helper whose
 * file names none is not read), and bindings the schema test finds by their text: annotated
 * (one binding), augmented (a second one). */
static void test_schema_walk_across_files(void **state)
{
    (void)state;
    const char *const files[] = {
        "nova/db/tables.py",
        "from nova.db import models\n\n\ndef all_tables():\n"
        "    return models.BASE.metadata.sorted_tables\n",
        "nova/db/mappers.py",
        "from nova.db import models\n\n\ndef all_mappers():\n"
        "    return models.BASE.registry.mappers\n",
        "nova/db/classes.py",
        "from nova.db import models\n\n\ndef all_models():\n"
        "    return models.BASE.__subclasses__()\n",
        "nova/db/names.py",
        "from sqlalchemy import inspect\n\n\ndef all_names(engine):\n"
        "    return inspect(engine).get_table_names()\n",
        "nova/db/chosen.py",
        "def chosen_ones(conn):\n    return conn.chosen\n",
        "nova/db/api.py",
        "from nova.db.chosen import chosen_ones\n"
        "from nova.db.classes import all_models\n"
        "from nova.db.mappers import all_mappers\n"
        "from nova.db.names import all_names\n"
        "from nova.db.tables import all_tables\n"
        "\n"
        "\n"
        "def _rows(conn, table, records):\n"
        "    return conn.execute(table.select().where(table.c.id.in_(records))).fetchall()\n"
        "\n"
        "\n"
        "def archive(conn, meta, records):\n"
        "    for t in all_tables():\n" /* 13 */
        "        _rows(conn, t, records)\n"
        "    for t in all_mappers():\n" /* 15 */
        "        _rows(conn, t, records)\n"
        "    for t in all_models():\n" /* 17 */
        "        _rows(conn, t, records)\n"
        "    for t in all_names(conn):\n" /* 19 */
        "        _rows(conn, t, records)\n"
        "    for t in chosen_ones(conn):\n" /* 21: not the schema */
        "        _rows(conn, t, records)\n"
        "\n"
        "\n"
        "def archive_annotated(conn, meta, records):\n"
        "    tables: list = meta.sorted_tables\n"
        "    for t in tables:\n" /* 27 */
        "        _rows(conn, t, records)\n"
        "\n"
        "\n"
        "def archive_more(conn, meta, extra, records):\n"
        "    tables = meta.sorted_tables\n"
        "    tables += extra\n"
        "    for t in tables:\n" /* 34: not only the schema's */
        "        _rows(conn, t, records)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    const char *api = "nova/db/api.py";
    assert_null(finding_at(f, api, 13, "query_in_loop"));
    assert_null(finding_at(f, api, 15, "query_in_loop"));
    assert_null(finding_at(f, api, 17, "query_in_loop"));
    assert_null(finding_at(f, api, 19, "query_in_loop"));
    assert_non_null(finding_at(f, api, 21, "query_in_loop"));
    assert_null(finding_at(f, api, 27, "query_in_loop"));
    assert_non_null(finding_at(f, api, 34, "query_in_loop"));
    json_decref(f);
}

/* nova's cells: `with context.target_cell(ctxt, cell) as cctxt:` sends each iteration's
 * statements to that cell's database (rule 13): no finding for them. Kept: a query of the same
 * loop outside the block (the API database every cell shares: populate_queued_for_delete), and
 * a per-item transaction that is no other database. */
static void test_database_per_item(void **state)
{
    (void)state;
    const char *const files[] = {
        "nova/cmd.py",
        "from nova import context\n"
        "\n"
        "\n"
        "def discover(ctxt, cells):\n"
        "    for cm in cells:\n" /* 5: a database per item */
        "        with context.target_cell(ctxt, cm) as cctxt:\n"
        "            cctxt.session.query(ComputeNode).filter_by(cell=cm.uuid).all()\n"
        "\n"
        "\n"
        "def queued(ctxt, cells):\n"
        "    for cell in cells:\n" /* 11: the shared database, per cell */
        "        ctxt.session.query(InstanceMapping).filter_by(cell_id=cell.id).all()\n"
        "        with context.target_cell(ctxt, cell) as cctxt:\n"
        "            cctxt.session.query(Instance).filter_by(cell=cell.uuid).all()\n"
        "\n"
        "\n"
        "def per_item(ctxt, hosts):\n"
        "    for host in hosts:\n" /* 18: a transaction, not a database, per item */
        "        with ctxt.session.begin():\n"
        "            ctxt.session.query(HostMapping).filter_by(host=host).first()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "nova/cmd.py", 5, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/cmd.py", 11, "query_in_loop"));
    assert_non_null(finding_at(f, "nova/cmd.py", 18, "query_in_loop"));
    json_decref(f);
}

/* The one-pass scan (sqla_analyze) on the code above: in its own order
 * (models.py, then api.py which imports it, then manager.py) each file is
 * parsed once and the helper manager.py follows, volume_get, has its lines
 * parsed alone (the tree cache holds an eighth of so small a project:
 * nothing; sqla_function_tree); in the reverse order manager.py's look-up
 * of volume_get indexes api.py early, whose tree the summary reads. Same
 * findings either way, and the same as the two-pass analysis's. */
static void test_one_pass_parses(void **state)
{
    (void)state;
    json_t *code = json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path", "svc/db/api.py", "content",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def volume_get(context, volume_id):\n"
        "    return context.session.query(models.Volume).filter_by(id=volume_id).first()\n",
        "path", "svc/db/models.py", "content",
        "from sqlalchemy import Column, String\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n\n\n"
        "class Volume(Base):\n"
        "    __tablename__ = 'volumes'\n"
        "    id = Column(String(36), primary_key=True)\n",
        "path", "svc/manager.py", "content",
        "from svc.db import api\n"
        "\n"
        "\n"
        "def refresh(context, ids):\n"
        "    for vid in ids:\n"
        "        api.volume_get(context, vid)\n");
    json_t *want, *want_notes;
    orm_two_pass(code, &want, &want_notes, NULL);
    err_t err;
    sqla_project_t *p = NULL;
    size_t visit[3];
    p = sqla_project_open(code, &err);
    assert_non_null(p);
    sqla_project_visit_order(p, visit);
    sqla_project_destroy(&p);
    assert_int_equal(visit[0], 1);
    assert_int_equal(visit[1], 0);
    assert_int_equal(visit[2], 2);
    const size_t reverse[3] = {2, 1, 0};
    const size_t *orders[2] = {NULL, reverse};
    /* forward: volume_get's lines parsed alone for the helper (sqla_function_tree), not api.py
     * again; reverse: none, manager.py's look-up of api.volume_get indexed api.py early
     * (sqla_project_next_early) and the scan of api.py came next, so nothing is scanned again
     * and the summary read api.py's tree while it was held */
    const size_t parses[2] = {3, 3};
    const size_t fn_parses[2] = {1, 0};
    for (int k = 0; k < 2; k++) {
        json_t *findings = NULL, *notes = NULL;
        assert_int_equal(sqla_analyze(code, orders[k], &p, &findings, &notes, &err), 0);
        assert_int_equal(sqla_project_parse_count(p), parses[k]);
        assert_int_equal(sqla_project_fn_parse_count(p), fn_parses[k]);
        assert_true(json_equal(findings, want));
        assert_true(json_equal(notes, want_notes));
        assert_non_null(finding_at(findings, "svc/manager.py", 5, "query_in_loop"));
        json_decref(findings);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    json_decref(want);
    json_decref(want_notes);
    json_decref(code);
}

/* The one-pass scan keeps a module's tree past its scan when the text of a module that imports
 * it and is still to be scanned calls functions making up at least half of its text
 * (sqla_models.c, predicted_asks): manager.py's loops call api.py's two helpers, whose summaries
 * then read api.py's kept tree instead of parsing their lines alone. Not kept: report.py, of
 * whose text manager.py calls only the small helper (a sixth), which is parsed alone. The
 * filler module makes the cache's budget (an eighth of the project) hold api.py. Same findings
 * as the two-pass analysis's. */
static void test_tree_kept_for_predicted_scan(void **state)
{
    (void)state;
    char filler[9000];
    size_t n = (size_t)snprintf(filler, sizeof filler, "DOC = '''");
    while (n + 64 < sizeof filler)
        n += (size_t)snprintf(filler + n, sizeof filler - n, "%s",
                              "padding to make the project large enough for the budget\n");
    snprintf(filler + n, sizeof filler - n, "'''\n");
    json_t *code = json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "path", "svc/db/api.py",
        "content",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def volume_get(context, volume_id):\n"
        "    return context.session.query(models.Volume).filter_by(id=volume_id).first()\n"
        "\n"
        "\n"
        "def volume_count(context, host):\n"
        "    return context.session.query(models.Volume).filter_by(host=host).count()\n",
        "path", "svc/db/models.py", "content",
        "from sqlalchemy import Column, String\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n\n\n"
        "class Volume(Base):\n"
        "    __tablename__ = 'volumes'\n"
        "    id = Column(String(36), primary_key=True)\n"
        "    host = Column(String(255))\n",
        "path", "svc/report.py", "content",
        "from svc.db import models\n"
        "\n"
        "\n"
        "def one(context, volume_id):\n"
        "    return context.session.get(models.Volume, volume_id)\n"
        "\n"
        "\n"
        "def summary(context, hosts):\n"
        "    lines = []\n"
        "    total = 0\n"
        "    for host in hosts:\n"
        "        count = context.session.query(models.Volume).filter_by(host=host).count()\n"
        "        total += count\n"
        "        lines.append('%s: %d volumes' % (host, count))\n"
        "    lines.append('total: %d volumes' % total)\n"
        "    lines.append('hosts: %d' % len(hosts))\n"
        "    lines.append('average: %.2f' % (total / max(1, len(hosts))))\n"
        "    lines.sort()\n"
        "    return ', '.join(lines)\n",
        "path", "svc/manager.py", "content",
        "from svc import report\n"
        "from svc.db import api\n"
        "\n"
        "\n"
        "def refresh(context, ids):\n"
        "    for vid in ids:\n" /* 6 */
        "        api.volume_get(context, vid)\n"
        "\n"
        "\n"
        "def counts(context, hosts):\n"
        "    for host in hosts:\n" /* 11 */
        "        api.volume_count(context, host)\n"
        "\n"
        "\n"
        "def show(context, ids):\n"
        "    for vid in ids:\n" /* 16 */
        "        report.one(context, vid)\n",
        "path", "svc/notes.py", "content", filler);
    json_t *want, *want_notes;
    orm_two_pass(code, &want, &want_notes, NULL);
    err_t err;
    sqla_project_t *p = NULL;
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_analyze(code, NULL, &p, &findings, &notes, &err), 0);
    /* each file parsed once; report.one's lines parsed alone, api.py's helpers not */
    assert_int_equal(sqla_project_parse_count(p), 5);
    assert_int_equal(sqla_project_fn_parse_count(p), 1);
    assert_true(json_equal(findings, want));
    assert_true(json_equal(notes, want_notes));
    assert_non_null(finding_at(findings, "svc/manager.py", 6, "query_in_loop"));
    assert_non_null(finding_at(findings, "svc/manager.py", 11, "query_in_loop"));
    assert_non_null(finding_at(findings, "svc/manager.py", 16, "query_in_loop"));
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(want);
    json_decref(want_notes);
    json_decref(code);
}

/* nova's populate_missing_availability_zones: `instance.save(session)` on a models.Instance row
 * is oslo.db's save, not the save() of objects.Instance (another class of the same name in
 * another module) that reads metadata: no lazy_load_in_loop. Kept: a method of the model's own
 * class that reads a lazy collection. */
static void test_model_method_own_class(void **state)
{
    (void)state;
    const char *const files[] = {
        "nova/db/models.py",
        "from sqlalchemy import Column, ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import declarative_base, relationship\n"
        "Base = declarative_base()\n"
        "\n"
        "\n"
        "class Instance(Base):\n"
        "    __tablename__ = 'instances'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    host = Column(String)\n"
        "    metadata_items = relationship('Meta')\n"
        "\n"
        "    def describe(self):\n"
        "        return [m.key for m in self.metadata_items]\n"
        "\n"
        "\n"
        "class Meta(Base):\n"
        "    __tablename__ = 'meta'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    instance_id = Column(Integer, ForeignKey('instances.id'))\n"
        "    key = Column(String)\n",
        "nova/objects/instance.py",
        "from nova.db import models\n"
        "\n"
        "\n"
        "class Instance(NovaObject):\n"
        "    def save(self, session=None):\n"
        "        return [m.key for m in self.metadata_items]\n"
        "\n"
        "\n"
        "def populate(context):\n"
        "    instances = context.session.query(models.Instance).all()\n"
        "    for instance in instances:\n" /* 11: oslo.db's save, not objects.Instance's */
        "        instance.host = 'h'\n"
        "        instance.save(context.session)\n"
        "\n"
        "\n"
        "def report(context):\n"
        "    instances = context.session.query(models.Instance).all()\n"
        "    for instance in instances:\n" /* 18: the model's own method reads the collection */
        "        instance.describe()\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "nova/objects/instance.py", 11, "lazy_load_in_loop"));
    assert_non_null(finding_at(f, "nova/objects/instance.py", 18, "lazy_load_in_loop"));
    json_decref(f);
}

/* octavia's AdditionalVip: its key is a PrimaryKeyConstraint of two columns in
 * __table_args__, set by the code, so the rows added in a loop go out in one executemany at
 * flush: no add_in_loop claiming a round trip per row. Kept: the same loop for a model whose
 * key the database generates (one INSERT per row, reading the key back). */
static void test_composite_key_in_table_args(void **state)
{
    (void)state;
    const char *const files[] = {
        "octavia/db/models.py",
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import declarative_base\n"
        "BASE = declarative_base()\n"
        "\n"
        "\n"
        "class AdditionalVip(BASE):\n"
        "    __tablename__ = 'additional_vip'\n"
        "    __table_args__ = (\n"
        "        sa.PrimaryKeyConstraint('load_balancer_id', 'subnet_id', name='pk_add_vip'),\n"
        "    )\n"
        "    load_balancer_id = sa.Column(sa.String(36), nullable=False)\n"
        "    subnet_id = sa.Column(sa.String(36), nullable=True)\n"
        "    ip_address = sa.Column(sa.String(64), nullable=True)\n"
        "\n"
        "\n"
        "class Member(BASE):\n"
        "    __tablename__ = 'member'\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    ip_address = sa.Column(sa.String(64), nullable=True)\n",
        "octavia/db/repositories.py",
        "from octavia.db import models\n"
        "\n"
        "\n"
        "def create_vips(session, lb_id, vip_dicts):\n"
        "    for vip_dict in vip_dicts:\n" /* 5: key set by the code */
        "        vip_dict['load_balancer_id'] = lb_id\n"
        "        add_vip = models.AdditionalVip(**vip_dict)\n"
        "        session.add(add_vip)\n"
        "\n"
        "\n"
        "def create_members(session, member_dicts):\n"
        "    for member_dict in member_dicts:\n" /* 12: generated key */
        "        member = models.Member(**member_dict)\n"
        "        session.add(member)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "octavia/db/repositories.py", 5, "add_in_loop"));
    assert_non_null(finding_at(f, "octavia/db/repositories.py", 12, "add_in_loop"));
    json_decref(f);
}

/* heat's _resource_from_db_resource: `elif cache and key in cache:` (a cache the caller may
 * not give), the load in the else, stored into the cache: once per key (rule 8). Kept: a guard
 * whose other condition is not about the cache (`if use_cache and key in cache`: without it,
 * every item queries). */
static void test_cache_guard_in_elif(void **state)
{
    (void)state;
    const char *const files[] = {
        "heat/stack.py",
        "class Stack(object):\n"
        "    def _load(self, db_res, cache=None):\n"
        "        tid = db_res.template_id\n"
        "        if tid == self.tid:\n"
        "            return self.defn\n"
        "        elif cache and tid in cache:\n"
        "            defn = cache[tid]\n"
        "        else:\n"
        "            defn = self.context.session.query(Template).filter_by(id=tid).one()\n"
        "            if cache is not None:\n"
        "                cache[tid] = defn\n"
        "        return defn\n"
        "\n"
        "    def _load_flag(self, db_res, use_cache, cache):\n"
        "        tid = db_res.template_id\n"
        "        if use_cache and tid in cache:\n"
        "            return cache[tid]\n"
        "        defn = self.context.session.query(Template).filter_by(id=tid).one()\n"
        "        cache[tid] = defn\n"
        "        return defn\n"
        "\n"
        "    def resources(self, rows):\n"
        "        cache = {}\n"
        "        for rsc in rows:\n" /* 24: once per template id */
        "            self._load(rsc, cache)\n"
        "\n"
        "    def resources_flag(self, rows, use_cache):\n"
        "        cache = {}\n"
        "        for rsc in rows:\n" /* 29: per item when use_cache is false */
        "            self._load_flag(rsc, use_cache, cache)\n",
    };
    json_t *f = findings_of(files, sizeof files / sizeof *files);
    assert_null(finding_at(f, "heat/stack.py", 24, "query_in_loop"));
    assert_non_null(finding_at(f, "heat/stack.py", 29, "query_in_loop"));
    json_decref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_referential_backref),
        cmocka_unit_test(test_one_pass_parses),
        cmocka_unit_test(test_skipped_counted),
        cmocka_unit_test(test_base_through_module),
        cmocka_unit_test(test_trees_parsed_again_on_demand),
        cmocka_unit_test(test_inert_helper_not_parsed),
        cmocka_unit_test(test_tree_kept_for_predicted_scan),
        cmocka_unit_test(test_per_item_through_helpers),
        cmocka_unit_test(test_summary_any_order),
        cmocka_unit_test(test_wrapper_costs_no_depth),
        cmocka_unit_test(test_option_off_by_default),
        cmocka_unit_test(test_add_needs_generated_key),
        cmocka_unit_test(test_built_before_loop),
        cmocka_unit_test(test_lookup_cached_per_key),
        cmocka_unit_test(test_per_item_isolation),
        cmocka_unit_test(test_retry_loop),
        cmocka_unit_test(test_compare_and_swap),
        cmocka_unit_test(test_schema_walk),
        cmocka_unit_test(test_schema_walk_across_files),
        cmocka_unit_test(test_database_per_item),
        cmocka_unit_test(test_model_method_own_class),
        cmocka_unit_test(test_composite_key_in_table_args),
        cmocka_unit_test(test_cache_guard_in_elif),
        cmocka_unit_test(test_duplicate_checked_insert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
