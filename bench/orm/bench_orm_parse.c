/*
 * bench_orm_parse.c - lines of Python analysed per second by the query
 * rewriter's ORM analysis (common/python: parse with tree-sitter, models,
 * function index, every detection), on one core.
 *
 *   pgopt-bench-orm-parse [MODULES [REPEATS]]
 *   pgopt-bench-orm-parse --tree DIR [REPEATS]
 *
 * With --tree, the tree is every *.py file under DIR (symlinks not
 * followed, files over 8 MiB skipped), so the figures can be read on real
 * code too: a generated tree is all dense ORM code, real trees carry
 * docstrings, comments and code that never touches a database.
 *
 * The tree is generated here, deterministically: MODULES model modules
 * (two related models each, Flask-SQLAlchemy or 2.0 style alternating) and
 * MODULES service modules (route handlers with loops, comprehensions, lazy
 * loads through helpers in the model module, bulk writes, commits, raw SQL,
 * plus plain non-ORM Python: parsing, string handling, small classes), so
 * cross-module following and the model index are exercised at scale. The
 * figure is total lines / wall time of sqla_project_new + sqla_detect,
 * median of REPEATS runs. The number of findings is printed as a check that
 * the analysis did its work.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"

typedef struct {
    char *d;
    size_t n, cap;
} sb_t;

static void sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->d ? b->d + b->n : NULL, b->d ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if (b->d && b->n + (size_t)n < b->cap) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + (size_t)n + 1)
            cap *= 2;
        b->d = realloc(b->d, cap);
        if (!b->d)
            abort();
        b->cap = cap;
    }
}

static void model_module(sb_t *b, int i)
{
    if (i % 2 == 0) {
        sb_printf(b, "from app.ext import db\n\n\n");
        sb_printf(b,
                  "class Parent%d(db.Model):\n"
                  "    id = db.Column(db.Integer, primary_key=True)\n"
                  "    name = db.Column(db.String(80), nullable=False)\n"
                  "    created = db.Column(db.DateTime)\n"
                  "    children = db.relationship(\"Child%d\", back_populates=\"parent\")\n\n"
                  "    @property\n"
                  "    def child_count(self):\n"
                  "        return len(self.children)\n\n"
                  "    def label(self):\n"
                  "        return f\"{self.name} ({self.id})\"\n\n\n",
                  i, i);
        sb_printf(b,
                  "class Child%d(db.Model):\n"
                  "    id = db.Column(db.Integer, primary_key=True)\n"
                  "    parent%d_id = db.Column(db.Integer, db.ForeignKey(\"parent%d.id\"))\n"
                  "    amount = db.Column(db.Numeric(10, 2))\n"
                  "    note = db.Column(db.Text)\n"
                  "    parent = db.relationship(\"Parent%d\", back_populates=\"children\")\n\n\n",
                  i, i, i, i);
    } else {
        sb_printf(b, "from typing import List\n\nfrom sqlalchemy import ForeignKey, String\n"
                     "from sqlalchemy.orm import Mapped, mapped_column, relationship\n\n"
                     "from app.base import Base\n\n\n");
        sb_printf(
            b,
            "class Parent%d(Base):\n"
            "    __tablename__ = \"parents_%d\"\n\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str] = mapped_column(String(80))\n"
            "    children: Mapped[List[\"Child%d\"]] = "
            "relationship(back_populates=\"parent\")\n\n\n"
            "class Child%d(Base):\n"
            "    __tablename__ = \"children_%d\"\n\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    parent_id: Mapped[int] = mapped_column(ForeignKey(\"parents_%d.id\"))\n"
            "    amount: Mapped[int]\n"
            "    parent: Mapped[\"Parent%d\"] = relationship(back_populates=\"children\")\n\n\n",
            i, i, i, i, i, i, i);
    }
    sb_printf(b,
              "def total_of%d(parent):\n"
              "    total = 0\n"
              "    for child in parent.children:\n"
              "        total += child.amount\n"
              "    return total\n\n\n",
              i);
    /* plain Python that an application also has */
    for (int k = 0; k < 6; k++)
        sb_printf(b,
                  "def normalize_%d_%d(value, *, strip=True, lower=False):\n"
                  "    \"\"\"Normalizes one input value.\"\"\"\n"
                  "    if value is None:\n"
                  "        return \"\"\n"
                  "    text = str(value)\n"
                  "    if strip:\n"
                  "        text = text.strip()\n"
                  "    if lower:\n"
                  "        text = text.lower()\n"
                  "    parts = [p for p in text.split(\",\") if p]\n"
                  "    return \",\".join(sorted(set(parts)))\n\n\n",
                  i, k);
}

static void service_module(sb_t *b, int i)
{
    bool flask = i % 2 == 0;
    sb_printf(b,
              "from flask import jsonify, request\n"
              "from sqlalchemy import select, text\n\n"
              "from app.ext import db, session\n"
              "from app.models%d import Child%d, Parent%d, total_of%d\n\n\n",
              i, i, i, i);
    if (flask)
        sb_printf(
            b,
            "def list_parents_%d():\n"
            "    parents = Parent%d.query.all()\n"
            "    out = []\n"
            "    for p in parents:\n"
            "        out.append({\"name\": p.name, \"n\": len(p.children)})\n"
            "    return jsonify(out)\n\n\n"
            "def totals_%d():\n"
            "    return jsonify({p.id: str(total_of%d(p)) for p in Parent%d.query.all()})\n\n\n",
            i, i, i, i, i);
    else
        sb_printf(
            b,
            "def list_parents_%d():\n"
            "    parents = session.scalars(select(Parent%d)).all()\n"
            "    return [{\"name\": p.name, \"n\": len(p.children)} for p in parents]\n\n\n"
            "def totals_%d():\n"
            "    return {p.id: total_of%d(p) for p in session.scalars(select(Parent%d))}\n\n\n",
            i, i, i, i, i);
    sb_printf(
        b,
        "def import_children_%d(rows):\n"
        "    for row in rows:\n"
        "        session.add(Child%d(amount=row[\"amount\"], note=row.get(\"note\")))\n"
        "    session.commit()\n\n\n"
        "def lookup_%d(ids):\n"
        "    found = []\n"
        "    for pid in ids:\n"
        "        found.append(session.get(Parent%d, pid))\n"
        "    return found\n\n\n"
        "def search_%d(q):\n"
        "    return session.execute(text(f\"SELECT id FROM parents WHERE name = '{q}'\"))\n\n\n",
        i, i, i, i, i);
    for (int k = 0; k < 8; k++)
        sb_printf(b,
                  "class Helper%d_%d:\n"
                  "    def __init__(self, items):\n"
                  "        self.items = list(items)\n"
                  "        self.index = {}\n\n"
                  "    def build(self):\n"
                  "        for n, item in enumerate(self.items):\n"
                  "            key = (item.get(\"kind\"), item.get(\"name\", \"\").lower())\n"
                  "            self.index.setdefault(key, []).append(n)\n"
                  "        return {k: len(v) for k, v in self.index.items() if v}\n\n\n",
                  i, k);
}

/* A function of its own so that callgrind reports its instructions
 * (bench/orm/run.sh reads them as the parse-only yardstick). */
__attribute__((noinline)) static void parse_only(const json_t *code)
{
    size_t i;
    const json_t *e;
    err_t err;
    json_array_foreach(code, i, e)
    {
        const json_t *c = json_object_get(e, "content");
        pysource_t *src = pysource_parse("x.py", json_string_value(c), json_string_length(c), &err);
        pysource_destroy(&src);
    }
}

/* --tree DIR: the *.py files under a real directory. */
static json_t *tree_files;
static size_t tree_bytes;

static int tree_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 3 || strcmp(path + n - 3, ".py") != 0 || st->st_size > (8 << 20))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *buf = malloc((size_t)st->st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st->st_size, f) : 0;
    fclose(f);
    if (buf) {
        json_t *content = json_stringn_nocheck(buf, got);
        json_array_append_new(tree_files,
                              json_pack("{s:s, s:o}", "path", path, "content", content));
        tree_bytes += got;
    }
    free(buf);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *tree = argc > 2 && strcmp(argv[1], "--tree") == 0 ? argv[2] : NULL;
    int modules = tree ? 0 : argc > 1 ? atoi(argv[1]) : 500;
    int repeats = tree ? (argc > 3 ? atoi(argv[3]) : 3) : argc > 2 ? atoi(argv[2]) : 3;
    if ((!tree && modules < 1) || repeats < 1 || repeats > 50) {
        fprintf(stderr, "usage: %s [MODULES >= 1 [REPEATS 1..50]] | --tree DIR [REPEATS 1..50]\n",
                argv[0]);
        return 2;
    }
    json_t *code = json_array();
    size_t bytes = 0;
    if (tree) {
        tree_files = code;
        if (nftw(tree, tree_visit, 32, FTW_PHYS) != 0 || json_array_size(code) == 0) {
            fprintf(stderr, "bench_orm_parse: no readable *.py files under %s\n", tree);
            return 1;
        }
        bytes = tree_bytes;
        goto measure;
    }
    json_array_append_new(code, json_pack("{s:s, s:s}", "path", "app/ext.py", "content",
                                          "from flask_sqlalchemy import SQLAlchemy\n"
                                          "db = SQLAlchemy()\nsession = db.session\n"));
    json_array_append_new(code, json_pack("{s:s, s:s}", "path", "app/base.py", "content",
                                          "from sqlalchemy.orm import DeclarativeBase\n\n\n"
                                          "class Base(DeclarativeBase):\n    pass\n"));
    for (int i = 0; i < modules; i++) {
        sb_t m = {0}, s = {0};
        model_module(&m, i);
        service_module(&s, i);
        char p1[64], p2[64];
        snprintf(p1, sizeof p1, "app/models%d.py", i);
        snprintf(p2, sizeof p2, "app/services%d.py", i);
        json_array_append_new(code, json_pack("{s:s, s:s%}", "path", p1, "content", m.d, m.n));
        json_array_append_new(code, json_pack("{s:s, s:s%}", "path", p2, "content", s.d, s.n));
        bytes += m.n + s.n;
        free(m.d);
        free(s.d);
    }
measure:;
    double t[50], tp[50], traw[50];
    size_t lines = 0, nfind = 0, nmodels = 0;
    json_t *kinds = json_object();
    for (int r = 0; r < repeats; r++) {
        err_t err;
        /* the ceiling: tree-sitter parsing alone (pysource_parse per file) */
        double t0 = now_s();
        parse_only(code);
        traw[r] = now_s() - t0;
        t0 = now_s();
        sqla_project_t *p = sqla_project_new(code, &err);
        if (!p) {
            fprintf(stderr, "bench_orm_parse: %s\n", err.msg);
            return 1;
        }
        tp[r] = now_s() - t0;
        json_t *f = NULL, *notes = NULL;
        if (sqla_detect(p, &f, &notes, &err) != 0) {
            fprintf(stderr, "bench_orm_parse: %s\n", err.msg);
            return 1;
        }
        t[r] = now_s() - t0;
        lines = sqla_project_line_count(p);
        nmodels = sqla_project_model_count(p);
        nfind = json_array_size(f);
        if (r == 0) {
            size_t i;
            json_t *e;
            json_array_foreach(f, i, e)
            {
                const char *k = json_string_value(json_object_get(e, "kind"));
                json_object_set_new(
                    kinds, k, json_integer(json_integer_value(json_object_get(kinds, k)) + 1));
            }
        }
        json_decref(f);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    qsort(t, (size_t)repeats, sizeof *t, cmp_d);
    qsort(tp, (size_t)repeats, sizeof *tp, cmp_d);
    qsort(traw, (size_t)repeats, sizeof *traw, cmp_d);
    double med = t[repeats / 2];
    char *k = json_dumps(kinds, JSON_COMPACT | JSON_SORT_KEYS);
    printf("files %zu, lines %zu, bytes %zu, models %zu, findings %zu %s\n", json_array_size(code),
           lines, bytes, nmodels, nfind, k);
    printf("median %.3f s of %d runs (min %.3f, max %.3f): %.0f lines/s, %.1f MB/s\n", med, repeats,
           t[0], t[repeats - 1], (double)lines / med, (double)bytes / med / 1e6);
    printf("of which parsing + models + function index (sqla_project_new): median %.3f s; "
           "detection (sqla_detect): %.3f s\n",
           tp[repeats / 2], med - tp[repeats / 2]);
    printf("tree-sitter parsing alone: median %.3f s, %.0f lines/s (the ceiling for any analysis "
           "on this parser)\n",
           traw[repeats / 2], (double)lines / traw[repeats / 2]);
    free(k);
    json_decref(kinds);
    json_decref(code);
    return 0;
}
