/*
 * test_orm_corpus.c - the SQLAlchemy code analysis on the labeled corpus
 * (tests/data/orm/, labels in labels.txt: "path line type" per true
 * problem). Precision and recall are computed over (file, line, type) and
 * must reach 0.9 and 0.85; every finding's optimized snippet must parse
 * without error nodes and its original must be the file's exact lines.
 * Set PGOPT_ORM_DUMP=1 to print the findings.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"
#include "orm_two_pass.h"
#include "workers/query_rewriter/qr_code.h"

static char corpus_dir[1024];

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .py file under dir, as the snapshot's code section (paths relative
 * to the corpus root). */
static void add_dir(json_t *code, const char *rel)
{
    char path[2048];
    snprintf(path, sizeof path, "%s%s%s", corpus_dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char r[1024], full[3072];
        snprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", corpus_dir, r);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            add_dir(code, r);
        } else if (strlen(r) > 3 && strcmp(r + strlen(r) - 3, ".py") == 0) {
            size_t len = 0;
            char *content = read_file(full, &len);
            assert_non_null(content);
            json_array_append_new(code, json_pack("{s:s, s:s%, s:i}", "path", r, "content", content,
                                                  len, "bytes", (int)len));
            free(content);
        }
        free(names[i]);
    }
}

static json_t *load_code(void)
{
    json_t *code = json_array();
    add_dir(code, "");
    return code;
}

typedef struct {
    char file[256];
    unsigned line;
    char type[32];
    int hit;
} label_t;

static size_t load_labels(label_t *labels, size_t max)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/labels.txt", corpus_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        label_t *l = &labels[n];
        memset(l, 0, sizeof *l);
        if (sscanf(line, "%255s %u %31s", l->file, &l->line, l->type) == 3)
            n++;
    }
    fclose(f);
    return n;
}

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("PGOPT_SOURCE_DIR");
    snprintf(corpus_dir, sizeof corpus_dir, "%s/tests/data/orm", src ? src : ".");
    return 0;
}

static void test_models(void **state)
{
    (void)state;
    json_t *code = load_code();
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    /* Flask-SQLAlchemy: snake_case table names, FK-decided direction */
    const sqla_model_t *order = sqla_project_model(p, "Order");
    assert_non_null(order);
    assert_string_equal(order->table, "order");
    assert_true(order->flask);
    const sqla_relationship_t *user = sqla_model_relationship(order, "user");
    assert_non_null(user);
    assert_false(user->collection); /* many-to-one: order.user_id -> user.id */
    assert_true(sqla_model_relationship(sqla_project_model(p, "User"), "orders")->collection);
    /* backref="order" on Order.items adds OrderItem.order (scalar) */
    const sqla_relationship_t *back =
        sqla_model_relationship(sqla_project_model(p, "OrderItem"), "order");
    assert_non_null(back);
    assert_true(back->from_backref);
    assert_false(back->collection);
    /* backref(...) call form on the 1.x side: Customer.invoices, a collection */
    const sqla_relationship_t *inv =
        sqla_model_relationship(sqla_project_model(p, "Customer"), "invoices");
    assert_non_null(inv);
    assert_true(inv->collection);
    assert_int_equal(inv->lazy, SQLA_LAZY_SELECT);
    /* 2.0 Mapped annotations and lazy= */
    const sqla_model_t *book = sqla_project_model(p, "Book");
    assert_string_equal(book->table, "books");
    assert_false(book->flask);
    assert_false(sqla_model_relationship(book, "author")->collection);
    assert_true(sqla_model_relationship(book, "reviews")->collection);
    assert_int_equal(sqla_model_relationship(book, "reviews")->lazy, SQLA_LAZY_NONE);
    assert_int_equal(sqla_model_relationship(book, "publisher")->lazy, SQLA_LAZY_EAGER);
    const sqla_column_t *fk = sqla_model_column(book, "author_id");
    assert_string_equal(fk->fk_table, "authors");
    /* secondary= */
    assert_non_null(sqla_model_relationship(sqla_project_model(p, "Product"), "tags")->secondary);
    /* declarative_base() */
    assert_string_equal(sqla_project_model(p, "Invoice")->table, "invoices");
    /* not models */
    assert_null(sqla_project_model(p, "Base"));
    bool is_async = false;
    assert_true(sqla_project_session_factory(p, "AsyncSessionLocal", &is_async));
    assert_true(is_async);
    assert_true(sqla_project_session_factory(p, "SessionLocal", &is_async));
    assert_false(is_async);
    sqla_project_destroy(&p);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The exact lines of a file, from line `line`, as many as text has. */
static int original_matches(json_t *code, const char *file, const char *original)
{
    size_t i;
    json_t *e;
    json_array_foreach(code, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "path")), file) != 0)
            continue;
        const char *c = json_string_value(json_object_get(e, "content"));
        /* the original must start at a line start and end at a line end */
        const char *at = strstr(c, original);
        while (at) {
            size_t n = strlen(original);
            if ((at == c || at[-1] == '\n') && (at[n] == '\n' || at[n] == 0))
                return 1;
            at = strstr(at + 1, original);
        }
        return 0;
    }
    return 0;
}

static void test_precision_recall(void **state)
{
    (void)state;
    json_t *code = load_code();
    err_t err;
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    label_t labels[256];
    size_t nl = load_labels(labels, 256);
    assert_true(nl >= 30);
    int dump = getenv("PGOPT_ORM_DUMP") != NULL;
    size_t tp = 0, fp = 0, i;
    json_t *f;
    int types[4] = {0};
    const char *tnames[4] = {"n1_fix", "bulk_op", "query_opt", "session_fix"};
    json_array_foreach(findings, i, f)
    {
        const char *file = json_string_value(json_object_get(f, "file"));
        unsigned line = (unsigned)json_integer_value(json_object_get(f, "line"));
        const char *type = json_string_value(json_object_get(f, "type"));
        const char *opt = json_string_value(json_object_get(f, "optimized"));
        const char *orig = json_string_value(json_object_get(f, "original"));
        const char *safety = json_string_value(json_object_get(f, "safety"));
        if (dump)
            printf("---- %s:%u %s %s [%s: %s]\n%s\n==>\n%s\n# %s\n# sql %s\n", file, line, type,
                   json_string_value(json_object_get(f, "kind")), safety,
                   json_string_value(json_object_get(f, "safety_condition"))
                       ? json_string_value(json_object_get(f, "safety_condition"))
                       : json_string_value(json_object_get(f, "manual_reason")),
                   orig, opt ? opt : "(no code)",
                   json_string_value(json_object_get(f, "explanation")),
                   json_dumps(json_object_get(f, "sql"), JSON_COMPACT));
        /* every finding says how safe its rewrite is; a manual one has no
         * code and says why, a conditional one says on what */
        assert_non_null(safety);
        if (strcmp(safety, "manual") == 0) {
            assert_true(json_is_null(json_object_get(f, "optimized")));
            assert_non_null(json_string_value(json_object_get(f, "manual_reason")));
        } else {
            assert_true(strcmp(safety, "proven") == 0 || strcmp(safety, "conditional") == 0);
            if (strcmp(safety, "conditional") == 0)
                assert_non_null(json_string_value(json_object_get(f, "safety_condition")));
            /* the rewrite is valid Python */
            assert_non_null(opt);
            assert_true(sqla_snippet_parses(opt));
            assert_string_not_equal(orig, opt);
        }
        /* the original is the file's text */
        assert_true(original_matches(code,
                                     json_string_value(json_object_get(f, "query_file"))
                                         ? json_string_value(json_object_get(f, "query_file"))
                                         : file,
                                     orig));
        for (int t = 0; t < 4; t++)
            if (strcmp(type, tnames[t]) == 0)
                types[t]++;
        int matched = 0;
        for (size_t k = 0; k < nl; k++)
            if (!labels[k].hit && labels[k].line == line && strcmp(labels[k].file, file) == 0 &&
                strcmp(labels[k].type, type) == 0) {
                labels[k].hit = 1;
                matched = 1;
                break;
            }
        if (matched)
            tp++;
        else {
            fp++;
            printf("false positive: %s:%u %s (%s)\n", file, line, type,
                   json_string_value(json_object_get(f, "kind")));
        }
    }
    for (size_t k = 0; k < nl; k++)
        if (!labels[k].hit)
            printf("missed: %s:%u %s\n", labels[k].file, labels[k].line, labels[k].type);
    if (dump) {
        json_array_foreach(notes, i, f) printf("note: %s\n", json_string_value(f));
    }
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    double recall = nl ? (double)tp / (double)nl : 0;
    printf("orm corpus: %zu labels, %zu findings, %zu true positives: precision %.3f, recall "
           "%.3f\n",
           nl, tp + fp, tp, precision, recall);
    /* every type is represented in the findings */
    for (int t = 0; t < 4; t++)
        assert_true(types[t] > 0);
    assert_true(precision >= 0.9);
    assert_true(recall >= 0.85);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
}

static void test_bad_input(void **state)
{
    (void)state;
    err_t err;
    json_t *bad = json_pack("[{s:i}]", "path", 3);
    assert_null(sqla_project_new(bad, &err));
    assert_non_null(strstr(err.msg, "code[0]"));
    json_decref(bad);
    json_t *notarray = json_object();
    assert_null(sqla_project_new(notarray, &err));
    json_decref(notarray);
    /* no code: an empty project, no findings */
    sqla_project_t *p = sqla_project_new(NULL, &err);
    assert_non_null(p);
    json_t *findings, *notes;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    /* a file with syntax errors is analysed for what parsed, never crashes */
    json_t *code = json_pack("[{s:s, s:s}]", "path", "broken.py", "content",
                             "def f(:\n    for u in session.query(User).all(:\n        u.x\n");
    p = sqla_project_new(code, &err);
    assert_non_null(p);
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
}

/* The optimized code of one finding of a kind in a one-file project, or
 * NULL when there is none; malloc'ed. */
static char *kind_rewrite(const char *content, const char *kind)
{
    err_t err;
    json_t *code = json_pack("[{s:s, s:s}]", "path", "q.py", "content", content);
    sqla_project_t *p = sqla_project_new(code, &err);
    assert_non_null(p);
    json_t *findings = NULL, *notes = NULL;
    assert_int_equal(sqla_detect(p, &findings, &notes, &err), 0);
    char *out = NULL;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "kind")), kind) != 0)
            continue;
        const char *opt = json_string_value(json_object_get(f, "optimized"));
        if (!opt)
            continue; /* reported without code (safety: manual) */
        assert_true(sqla_snippet_parses(opt));
        out = strdup(opt);
    }
    json_decref(findings);
    json_decref(notes);
    sqla_project_destroy(&p);
    json_decref(code);
    return out;
}

static void expect_rewrite(const char *content, const char *want)
{
    char *got = kind_rewrite(content, "sql_string_formatting");
    if (!want) {
        if (got)
            printf("unexpected rewrite:\n%s\n", got);
        assert_null(got);
        return;
    }
    if (!got || !strstr(got, want))
        printf("rewrite of:\n%s\ngot:\n%s\nwanted it to contain:\n%s\n", content,
               got ? got : "(none)", want);
    assert_non_null(got);
    assert_non_null(strstr(got, want));
    free(got);
}

/* Values inside quoted SQL literals: the whole literal becomes one bound
 * value built in Python; quotes, %% and braces keep their meaning. */
static void test_raw_sql_literals(void **state)
{
    (void)state;
    /* '{q}': the quotes go, the value is q */
    expect_rewrite("def f(session, q):\n"
                   "    return session.execute(text(f\"SELECT id FROM t WHERE a = '{q}'\"))\n",
                   "text(\"SELECT id FROM t WHERE a = :q\").bindparams(q=q)");
    /* '%{q}%': the pattern is the value; a literal without values stays */
    expect_rewrite("def f(session, q):\n"
                   "    return session.execute(text(f\"SELECT id FROM t WHERE a ILIKE "
                   "'%{q}%' AND b <> 'x''y'\"))\n",
                   "text(\"SELECT id FROM t WHERE a ILIKE :q AND b <> 'x''y'\")"
                   ".bindparams(q=f\"%{q}%\")");
    /* two values in one literal, braces in its text doubled in the f-string */
    expect_rewrite("def f(session, a, b):\n"
                   "    return session.execute(text(f\"SELECT 1 FROM t WHERE k = "
                   "'{a}-{{x}}-{b}'\"))\n",
                   "text(\"SELECT 1 FROM t WHERE k = :a\").bindparams(a=f\"{a}-{{x}}-{b}\")");
    /* %-formatting for a DB-API driver: %% was one %, the value is data */
    expect_rewrite("def f(cur, t):\n"
                   "    cur.execute(\"SELECT id FROM b WHERE title LIKE '%%%s%%'\" % t)\n",
                   "cur.execute(\"SELECT id FROM b WHERE title LIKE %(t)s\", {\"t\": f\"%{t}%\"})");
    /* an expression holding the string's quote: str.format instead */
    expect_rewrite("def f(cur, d):\n"
                   "    cur.execute(\"SELECT id FROM b WHERE title LIKE '%%%s%%'\" % d[\"k\"])\n",
                   "{\"k\": \"%{}%\".format(d[\"k\"])}");
    /* an f-string for a driver: a bare % outside values is now doubled */
    expect_rewrite("def f(cur, x):\n"
                   "    cur.execute(f\"SELECT id FROM b WHERE n LIKE 'a%' AND id = {x}\")\n",
                   "cur.execute(\"SELECT id FROM b WHERE n LIKE 'a%%' AND id = %(x)s\", "
                   "{\"x\": x})");
    /* an unterminated literal or a backslash-escaped quote: no rewrite
     * rather than a wrong one */
    expect_rewrite("def f(session, q):\n"
                   "    return session.execute(text(f\"SELECT id FROM t WHERE a = '{q}\"))\n",
                   NULL);
    expect_rewrite("def f(session, q):\n"
                   "    return session.execute(text(f'SELECT id FROM t WHERE a = \\'{q}\\''))\n",
                   NULL);
}

/* A loop whose last statement is the per-row commit: the rewrite must take
 * the commit out of the loop, not leave it there next to the one after it
 * (the edit deleting it used to reach past the rewritten lines and be
 * dropped). */
static void test_commit_last_in_loop(void **state)
{
    (void)state;
    const char *src = "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
                      "\n"
                      "\n"
                      "class Base(DeclarativeBase):\n"
                      "    pass\n"
                      "\n"
                      "\n"
                      "class Item(Base):\n"
                      "    __tablename__ = \"items\"\n"
                      "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                      "    product_id: Mapped[int]\n"
                      "    quantity: Mapped[int]\n"
                      "\n"
                      "\n"
                      "def save(session, cart):\n"
                      "    for product_id, quantity in cart:\n"
                      "        item = Item(product_id=product_id, quantity=quantity)\n"
                      "        session.add(item)\n"
                      "        session.commit()\n"
                      "\n"
                      "\n"
                      "def mark(conn, rows):\n"
                      "    for row in rows:\n"
                      "        conn.execute(text(\"UPDATE t SET done = true WHERE id = :id\"), "
                      "{\"id\": row.id})\n"
                      "        conn.commit()\n";
    const char *kinds[] = {"add_in_loop", "commit_in_loop"};
    const char *after[] = {"\n    session.commit()", "\n    conn.commit()"};
    for (size_t k = 0; k < 2; k++) {
        char *opt = kind_rewrite(src, kinds[k]);
        if (!opt || !strstr(opt, after[k]) || strstr(opt, "        session.commit()") ||
            strstr(opt, "        conn.commit()"))
            printf("%s rewrite:\n%s\n", kinds[k], opt ? opt : "(none)");
        assert_non_null(opt);
        /* one commit, after the loop (loop body lines are indented 8) */
        assert_non_null(strstr(opt, after[k]));
        assert_null(strstr(opt, "        session.commit()"));
        assert_null(strstr(opt, "        conn.commit()"));
        free(opt);
    }
}

static json_t *find_rewrite(json_t *rewrites, const char *file, int line, const char *type)
{
    size_t i;
    json_t *r;
    json_array_foreach(rewrites, i, r)
    {
        const char *f = json_string_value(json_object_get(r, "file"));
        if (f && strcmp(f, file) == 0 && json_integer_value(json_object_get(r, "line")) == line &&
            strcmp(json_string_value(json_object_get(r, "type")), type) == 0)
            return r;
    }
    return NULL;
}

/* The rewrites entries: linked to pg_stat_statements by tables/columns. */
static void test_rewrites_linked(void **state)
{
    (void)state;
    json_t *snap = json_object();
    json_object_set_new(snap, "code", load_code());
    json_t *st = json_array();
    /* the lazy load of Author.books (books by author_id) and its parent */
    json_array_append_new(
        st, json_pack("{s:I, s:s, s:f, s:f, s:f}", "queryid", (json_int_t)11, "query",
                      "SELECT books.id AS books_id, books.title AS books_title, books.author_id "
                      "AS books_author_id FROM books WHERE $1 = books.author_id",
                      "calls", 5000.0, "mean_exec_time", 0.05, "total_exec_time", 250.0));
    json_array_append_new(st,
                          json_pack("{s:I, s:s, s:f, s:f, s:f}", "queryid", (json_int_t)12, "query",
                                    "SELECT authors.id, authors.name FROM authors", "calls", 50.0,
                                    "mean_exec_time", 0.4, "total_exec_time", 20.0));
    json_array_append_new(
        st, json_pack("{s:I, s:s, s:f, s:f, s:f}", "queryid", (json_int_t)13, "query",
                      "INSERT INTO reviews (book_id, stars, body) VALUES ($1, $2, $3)", "calls",
                      12000.0, "mean_exec_time", 0.03, "total_exec_time", 360.0));
    json_object_set_new(snap, "statements", st);
    json_t *rewrites = json_array(), *notes = json_array();
    int next = 0;
    err_t err;
    assert_int_equal(qr_code_rewrites(snap, rewrites, notes, &next, &err), 0);
    assert_int_equal((int)json_array_size(rewrites), next);
    json_t *r = find_rewrite(rewrites, "bookapi/app/routes.py", 27, "n1_fix");
    assert_non_null(r);
    const char *gain = json_string_value(json_object_get(r, "estimated_gain"));
    /* 5000 per-row SELECTs against 50 parent queries: 4950 round trips */
    assert_non_null(strstr(gain, "4950 round trips saved"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(r, "evidence"), "statement"), "queryid")),
                     11);
    assert_string_equal(json_string_value(json_object_get(r, "priority")), "P1");
    r = find_rewrite(rewrites, "bookapi/app/routes.py", 82, "bulk_op");
    assert_non_null(r);
    gain = json_string_value(json_object_get(r, "estimated_gain"));
    assert_non_null(strstr(gain, "11988 round trips saved")); /* 12000 - ceil(12000/1000) */
    /* nothing in pg_stat_statements for the shop's tables */
    r = find_rewrite(rewrites, "shop/views.py", 20, "n1_fix");
    assert_non_null(r);
    assert_non_null(
        strstr(json_string_value(json_object_get(r, "estimated_gain")), "no matching statement"));
    assert_string_equal(json_string_value(json_object_get(r, "priority")), "P3");
    /* security findings are P1 whatever the traffic */
    r = find_rewrite(rewrites, "legacy/jobs.py", 81, "query_opt");
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "priority")), "P1");
    json_decref(rewrites);
    json_decref(notes);
    /* no code section: a note, no entries */
    json_object_del(snap, "code");
    rewrites = json_array();
    notes = json_array();
    assert_int_equal(qr_code_rewrites(snap, rewrites, notes, &next, &err), 0);
    assert_int_equal(json_array_size(rewrites), 0);
    assert_true(json_array_size(notes) == 1);
    json_decref(rewrites);
    json_decref(notes);
    json_decref(snap);
}

/* The one-pass scan (sqla_analyze) gives the two-pass analysis's
 * findings, notes and models whatever order it visits the files in: its
 * own (imports first), file order, the reverse, and an interleaving. */
static void test_one_pass_any_order(void **state)
{
    (void)state;
    json_t *code = load_code();
    json_t *want, *want_notes, *want_models;
    orm_two_pass(code, &want, &want_notes, &want_models);
    err_t err;
    sqla_project_t *p = NULL;
    size_t n = json_array_size(code);
    assert_true(n >= 10);
    assert_true(json_array_size(want) >= 30);
    size_t *orders[4];
    for (int k = 0; k < 4; k++)
        orders[k] = calloc(n, sizeof *orders[k]);
    for (size_t i = 0; i < n; i++) {
        orders[1][i] = i;
        orders[2][i] = n - 1 - i;
        /* even indexes from the end, then odd ones from the start */
        orders[3][i] = i < (n + 1) / 2 ? (n - 1) / 2 * 2 - 2 * i : (i - (n + 1) / 2) * 2 + 1;
    }
    for (int k = 0; k < 4; k++) {
        json_t *findings = NULL, *notes = NULL;
        assert_int_equal(sqla_analyze(code, k == 0 ? NULL : orders[k], &p, &findings, &notes, &err),
                         0);
        if (!json_equal(findings, want) || !json_equal(notes, want_notes))
            fail_msg("order %d: findings or notes differ from the two-pass analysis", k);
        json_t *models = sqla_project_models_json(p);
        assert_true(json_equal(models, want_models));
        json_decref(models);
        json_decref(findings);
        json_decref(notes);
        sqla_project_destroy(&p);
    }
    for (int k = 0; k < 4; k++)
        free(orders[k]);
    json_decref(want);
    json_decref(want_notes);
    json_decref(want_models);
    json_decref(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_models, setup),
        cmocka_unit_test_setup(test_precision_recall, setup),
        cmocka_unit_test_setup(test_one_pass_any_order, setup),
        cmocka_unit_test_setup(test_bad_input, setup),
        cmocka_unit_test_setup(test_raw_sql_literals, setup),
        cmocka_unit_test_setup(test_commit_last_in_loop, setup),
        cmocka_unit_test_setup(test_rewrites_linked, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
