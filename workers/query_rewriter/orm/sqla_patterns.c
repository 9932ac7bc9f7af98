/*
 * sqla_patterns.c - see sqla_patterns.h.
 *
 * Everything here reads the tree-sitter tree; source text is only copied
 * (spans of nodes and whole lines) to build the rewritten snippets, which
 * are made by splicing text at node boundaries and then parsed again.
 */
#include "workers/query_rewriter/orm/sqla_patterns.h"
#include "workers/query_rewriter/orm/sqla_perloop.h"
#include "workers/query_rewriter/orm/sqla_words.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "common/alloc.h"
#include "common/progress.h"
#include "common/strbuf.h"

#define MAX_VARS  24
#define MAX_PATHS 16
#define MAX_ADDS  8
#define MAX_STACK 5

/* ---- text helpers ---------------------------------------------------- */

/* Types and fields are always spelled as literals here: the pysource
 * macros compare them as cached grammar symbols and field ids. */
#define field(n, name) PYSOURCE_FIELD(n, name)
#define is(n, type)    PYSOURCE_NODE_IS(n, type)

static bool same_node(TSNode a, TSNode b)
{
    return !ts_node_is_null(a) && !ts_node_is_null(b) && ts_node_eq(a, b);
}

/* The expression under await and parentheses. */
static TSNode unwrap(TSNode n)
{
    const pysource_syms_t *y = pysource_syms();
    while (!ts_node_is_null(n)) {
        TSSymbol t = ts_node_symbol(n);
        /* the keyword await (a leaf) counts too, as with is(): its
         * named child is none */
        if (t != y->await_ && t != y->parenthesized_expression &&
            (ts_node_is_named(n) || !is(n, "await")))
            break;
        n = ts_node_named_child(n, 0);
    }
    return n;
}

/* Copies a node's text into buf (truncated to size). */
static void text_of(const pysource_t *src, TSNode n, char *out, size_t size)
{
    size_t len;
    const char *s = pysource_node_span(src, n, &len);
    if (len >= size)
        len = size - 1;
    memcpy(out, s, len);
    out[len] = 0;
}

/* The offset where the line holding off begins in c. */
static uint32_t line_begin(const char *c, uint32_t off)
{
    while (off > 0 && c[off - 1] != '\n')
        off--;
    return off;
}

/* The offset of the newline ending the line holding off (or len). */
static uint32_t line_end(const char *c, size_t len, uint32_t off)
{
    while (off < len && c[off] != '\n')
        off++;
    return off;
}

/* Indentation (spaces/tabs) of the line that starts at off. */
static void indent_at(const char *c, uint32_t off, char *out, size_t size)
{
    size_t k = 0;
    while ((c[off] == ' ' || c[off] == '\t') && k + 1 < size)
        out[k++] = c[off++];
    out[k] = 0;
}

/* Appends text, each of its lines prefixed with indent, ending in '\n'. */
static void b_indented(strbuf_t *b, const char *text, const char *indent)
{
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n > 0)
            strbuf_add(b, indent);
        strbuf_addn(b, s, n);
        strbuf_add(b, "\n");
        s += n + (nl ? 1 : 0);
    }
}

typedef struct {
    uint32_t s, e;
    char *text;
} edit_t;

typedef struct {
    edit_t e[48];
    int n;
    bool overflow;
} edits_t;

/* Adds an edit replacing bytes s..e with text (copied); past 48 edits the set is marked
 * overflowed. */
static void ed_add(edits_t *ed, uint32_t s, uint32_t e, const char *text)
{
    if (ed->n >= 48) {
        ed->overflow = true;
        return;
    }
    ed->e[ed->n].s = s;
    ed->e[ed->n].e = e;
    ed->e[ed->n].text = xstrdup(text);
    ed->n++;
}

/* Frees the edits' texts and empties the set. */
static void ed_free(edits_t *ed)
{
    for (int i = 0; i < ed->n; i++)
        free(ed->e[i].text);
    ed->n = 0;
}

static int ed_cmp(const void *a, const void *b)
{
    const edit_t *x = a, *y = b;
    return (x->s > y->s) - (x->s < y->s);
}

/* content[rs, re) with the edits applied (edits outside are ignored; an
 * edit overlapping the previous one fails the whole splice). */
static char *ed_apply(const char *c, uint32_t rs, uint32_t re, edits_t *ed)
{
    qsort(ed->e, (size_t)ed->n, sizeof ed->e[0], ed_cmp);
    strbuf_t b = {0};
    uint32_t at = rs;
    for (int i = 0; i < ed->n; i++) {
        edit_t *e = &ed->e[i];
        if (e->s < rs || e->e > re)
            continue;
        if (e->s < at) {
            free(b.buf);
            return NULL;
        }
        strbuf_addn(&b, c + at, e->s - at);
        strbuf_add(&b, e->text);
        at = e->e;
    }
    strbuf_addn(&b, c + at, re - at);
    return strbuf_take(&b);
}

bool sqla_snippet_parses(const char *text)
{
    if (!text)
        return false;
    /* remove the common indentation of the non-blank lines */
    size_t min = SIZE_MAX;
    for (const char *s = text; *s;) {
        size_t k = 0;
        while (s[k] == ' ' || s[k] == '\t')
            k++;
        if (s[k] != '\n' && s[k] != 0 && s[k] != '#' && k < min)
            min = k;
        const char *nl = strchr(s, '\n');
        if (!nl)
            break;
        s = nl + 1;
    }
    if (min == SIZE_MAX)
        min = 0;
    strbuf_t b = {0};
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t k = 0;
        while (k < min && k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        strbuf_addn(&b, s + k, n - k);
        strbuf_add(&b, "\n");
        s += n + (nl ? 1 : 0);
    }
    err_t err;
    pysource_t *src = pysource_parse("<snippet>", b.buf ? b.buf : "", b.len, &err);
    free(b.buf);
    if (!src)
        return false;
    bool ok = !pysource_has_error(src);
    pysource_destroy(&src);
    return ok;
}

/* ---- context --------------------------------------------------------- */

typedef struct {
    const sqla_project_t *p;
    json_t *out, *notes;
    /* what event listeners are registered on, read once per run on the
     * first bulk-insert finding: [[target, path], ...] (scanning every
     * file per finding was quadratic in the project's size) */
    json_t *listened;
} det_t;

typedef struct {
    det_t *d;
    size_t file;
    const pysource_t *src;
    const char *c;
    size_t len;
    /* the file's style, read on its first finding (most files have none,
     * and reading it is a walk over the whole tree) */
    bool style_read;
    bool api2;       /* the file uses the 2.0 API (select(), scalars, Mapped) */
    bool flask;      /* the file uses Flask-SQLAlchemy (db.session, Model.query) */
    char unit[16];   /* one indentation level as the file writes it (rule 7: style) */
    json_t *imports; /* import lines the next finding's code needs (import_note) */
    /* where the names the file walk acts on stand (walk_child) */
    sqla_words_t *words;
    /* where `= name(` may assign a call of a plain name (call_assigns) */
    uint32_t *assigns;
    size_t nassigns;
} file_t;

/* The file's indentation unit: what the first block after a line ending
 * in ':' adds to that line's indentation ("    " when none is found). */
static void read_indent_unit(file_t *f)
{
    snprintf(f->unit, sizeof f->unit, "    ");
    const char *c = f->c;
    size_t n = f->len;
    for (size_t at = 0; at < n;) {
        size_t e = at;
        while (e < n && c[e] != '\n')
            e++;
        size_t last = e;
        while (last > at && (c[last - 1] == ' ' || c[last - 1] == '\t' || c[last - 1] == '\r'))
            last--;
        if (last > at && c[last - 1] == ':') {
            size_t ind = 0;
            while (at + ind < e && (c[at + ind] == ' ' || c[at + ind] == '\t'))
                ind++;
            /* the next non-blank line */
            size_t nx = e + 1;
            while (nx < n) {
                size_t k = 0;
                while (nx + k < n && (c[nx + k] == ' ' || c[nx + k] == '\t'))
                    k++;
                if (nx + k < n && c[nx + k] != '\n' && c[nx + k] != '#') {
                    if (k > ind && k - ind < sizeof f->unit && strncmp(c + at, c + nx, ind) == 0) {
                        memcpy(f->unit, c + nx + ind, k - ind);
                        f->unit[k - ind] = 0;
                        return;
                    }
                    break;
                }
                while (nx < n && c[nx] != '\n')
                    nx++;
                nx++;
            }
        }
        at = e + 1;
    }
}

static void read_style(file_t *f);

static bool file_api2(file_t *f)
{
    read_style(f);
    return f->api2;
}

static bool file_flask(file_t *f)
{
    read_style(f);
    return f->flask;
}

static void note(det_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a note (printf format) to the detection's notes; one that cannot be formatted is dropped. */
static void note(det_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(d->notes, json_string(s));
    free(s);
}

/* The model a name or attribute stands for: the class itself (User, models.User), or the object of
 * Model.attr; NULL when it is none. Resolved as the file's imports bind it (sqla_project_model_ref:
 * nova's objects.RequestSpec is no models.RequestSpec). */
static const sqla_model_t *model_named(const sqla_project_t *p, const pysource_t *src, TSNode n)
{
    n = unwrap(n);
    if (!is(n, "identifier") && !is(n, "attribute"))
        return NULL;
    const sqla_model_t *m = sqla_project_model_ref(p, src, n);
    if (!m && is(n, "attribute"))
        m = sqla_project_model_ref(p, src, field(n, "object")); /* User.id: the object */
    return m;
}

/* A receiver that holds a session or connection by name. */
static bool sessionish(const pysource_t *src, TSNode n)
{
    n = unwrap(n);
    char t[128];
    if (!is(n, "identifier") && !is(n, "attribute"))
        return false;
    text_of(src, n, t, sizeof t);
    const char *last = strrchr(t, '.');
    last = last ? last + 1 : t;
    size_t l = strlen(last);
    if (strcmp(last, "db") == 0 || strcmp(last, "s") == 0 || strcmp(last, "sess") == 0 ||
        strcmp(last, "conn") == 0 || strcmp(last, "connection") == 0 || strcmp(last, "dbs") == 0)
        return true;
    return (l >= 7 && strcasecmp(last + l - 7, "session") == 0);
}

/* For obj.method(...): sets *obj (when not NULL) and writes the method's name into buf; returns
 * buf, or NULL when the callee is not an attribute. */
static const char *method_of(const pysource_t *src, TSNode call, TSNode *obj, char *buf,
                             size_t size)
{
    TSNode callee = field(call, "function");
    if (!is(callee, "attribute"))
        return NULL;
    if (obj)
        *obj = field(callee, "object");
    text_of(src, field(callee, "attribute"), buf, size);
    return buf;
}

/* ---- query chains ---------------------------------------------------- */

typedef struct {
    TSNode source;        /* .options() goes after this node */
    TSNode options_args;  /* argument_list of an existing .options(...) */
    TSNode get_key;       /* api 4: the key expression */
    TSNode terminal_name; /* identifier of the outermost method */
    const sqla_model_t *model;
    int api; /* 1 session.query, 2 select(), 3 Model.query, 4 get */
    bool awaited;
    char session[128];
    char exec_method[32]; /* execute / scalars / scalar around a select */
    char terminal[32];
    char eager[600];     /* ",Model.rel" entries from options() */
    char model_ref[128]; /* how the code names the model (models.Resource) */
    TSNode base_ident;   /* the chain started at a name (result.scalars()) */
} chain_t;

/* pysource_walk visitor over a query's loader options: every Model.rel (or "rel" string, as *.rel)
 * named in them is added to ch->eager. */
static pysource_walk_t eager_visit(const pysource_t *src, TSNode n, void *ctx)
{
    chain_t *ch = ctx;
    if (is(n, "attribute") || is(n, "string")) {
        char t[160];
        if (is(n, "string")) {
            json_t *v = pysource_eval(src, n);
            if (json_is_string(v))
                snprintf(t, sizeof t, "*.%s", json_string_value(v));
            else
                t[0] = 0;
            json_decref(v);
        } else {
            text_of(src, n, t, sizeof t);
        }
        if (t[0] && strlen(ch->eager) + strlen(t) + 2 < sizeof ch->eager) {
            strcat(ch->eager, ",");
            strcat(ch->eager, t);
        }
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether the query already eager-loads model.rel (named by the model, or as a string). */
static bool chain_eager(const chain_t *ch, const char *model, const char *rel)
{
    char k[200];
    snprintf(k, sizeof k, ",%s.%s", model, rel);
    size_t kl = strlen(k);
    for (const char *s = strstr(ch->eager, k); s; s = strstr(s + 1, k))
        if (s[kl] == 0 || s[kl] == ',')
            return true;
    snprintf(k, sizeof k, ",*.%s", rel);
    kl = strlen(k);
    for (const char *s = strstr(ch->eager, k); s; s = strstr(s + 1, k))
        if (s[kl] == 0 || s[kl] == ',')
            return true;
    return false;
}

/* Reads a query expression from the outside in (at most 40 links): its API (session.query,
 * select() under execute/scalars, Model.query, session.get), model, session, terminal method,
 * existing options() and the relationships they eager-load. Returns whether node is such a query.
 */
static bool analyze_chain(const sqla_project_t *p, const pysource_t *src, TSNode node, chain_t *ch)
{
    const pysource_syms_t *y = pysource_syms();
    TSNode n = node;
    bool first = true;
    for (int guard = 0; guard < 40; guard++) {
        if (is(n, "await"))
            ch->awaited = true;
        n = unwrap(n);
        if (pysource_node_sym_is(n, y->call)) {
            TSNode callee = field(n, "function"), obj;
            char m[64];
            if (pysource_node_sym_is(callee, y->identifier)) {
                if (pysource_node_text_is(src, callee, "select")) {
                    ch->model = model_named(p, src, pysource_call_arg(src, n, 0));
                    text_of(src, unwrap(pysource_call_arg(src, n, 0)), ch->model_ref,
                            sizeof ch->model_ref);
                    ch->source = n;
                    ch->api = 2;
                    return ch->model != NULL;
                }
                return false;
            }
            if (!method_of(src, n, &obj, m, sizeof m))
                return false;
            if (first) {
                snprintf(ch->terminal, sizeof ch->terminal, "%s", m);
                ch->terminal_name = field(callee, "attribute");
            }
            first = false;
            if (strcmp(m, "options") == 0) {
                ch->options_args = field(n, "arguments");
                pysource_walk(src, ch->options_args, eager_visit, ch);
            } else if (strcmp(m, "select") == 0) {
                ch->model = model_named(p, src, pysource_call_arg(src, n, 0));
                text_of(src, unwrap(pysource_call_arg(src, n, 0)), ch->model_ref,
                        sizeof ch->model_ref);
                ch->source = n;
                ch->api = 2;
                return ch->model != NULL;
            } else if (strcmp(m, "query") == 0 && sessionish(src, obj)) {
                ch->model = model_named(p, src, pysource_call_arg(src, n, 0));
                text_of(src, unwrap(pysource_call_arg(src, n, 0)), ch->model_ref,
                        sizeof ch->model_ref);
                ch->source = n;
                ch->api = 1;
                text_of(src, obj, ch->session, sizeof ch->session);
                return ch->model != NULL;
            } else if ((strcmp(m, "execute") == 0 || strcmp(m, "scalars") == 0 ||
                        strcmp(m, "scalar") == 0 || strcmp(m, "paginate") == 0) &&
                       sessionish(src, obj)) {
                text_of(src, obj, ch->session, sizeof ch->session);
                snprintf(ch->exec_method, sizeof ch->exec_method, "%s", m);
                if (ts_node_is_null(ch->terminal_name) || strcmp(ch->terminal, m) == 0) {
                    ch->terminal[0] = 0;
                    memset(&ch->terminal_name, 0, sizeof ch->terminal_name);
                }
                n = pysource_call_arg(src, n, 0);
                continue;
            } else if (strcmp(m, "get") == 0 && sessionish(src, obj)) {
                const sqla_model_t *mm = model_named(p, src, pysource_call_arg(src, n, 0));
                if (!mm)
                    return false;
                ch->model = mm;
                text_of(src, unwrap(pysource_call_arg(src, n, 0)), ch->model_ref,
                        sizeof ch->model_ref);
                ch->api = 4;
                ch->get_key = pysource_call_arg(src, n, 1);
                ch->source = n;
                text_of(src, obj, ch->session, sizeof ch->session);
                return !ts_node_is_null(ch->get_key);
            } else if (strcmp(m, "get") == 0 && pysource_node_sym_is(obj, y->attribute) &&
                       pysource_node_text_is(src, field(obj, "attribute"), "query")) {
                const sqla_model_t *mm = model_named(p, src, field(obj, "object"));
                if (!mm)
                    return false;
                ch->model = mm;
                text_of(src, unwrap(field(obj, "object")), ch->model_ref, sizeof ch->model_ref);
                ch->api = 4;
                ch->get_key = pysource_call_arg(src, n, 0);
                ch->source = n;
                return !ts_node_is_null(ch->get_key);
            }
            n = obj;
        } else if (pysource_node_sym_is(n, y->attribute)) {
            TSNode obj = field(n, "object");
            if (pysource_node_text_is(src, field(n, "attribute"), "query")) {
                ch->model = model_named(p, src, obj);
                if (!ch->model)
                    return false;
                text_of(src, unwrap(obj), ch->model_ref, sizeof ch->model_ref);
                ch->source = n;
                ch->api = 3;
                return true;
            }
            first = false;
            n = obj;
        } else {
            if (pysource_node_sym_is(n, y->identifier))
                ch->base_ident = n;
            return false;
        }
    }
    return false;
}

/* ---- statements and scopes ------------------------------------------- */

/* enclosing_statement by ts_node_parent(): the answer it must give. */
static TSNode enclosing_statement_up(TSNode n)
{
    for (int guard = 0; guard < 200; guard++) {
        TSNode parent = ts_node_parent(n);
        if (ts_node_is_null(parent))
            return n;
        if (is(parent, "block") || is(parent, "module"))
            return n;
        n = parent;
    }
    return n;
}

/* The statement (child of a block or module) that contains n. Found in one descent from the root
 * with a cursor, then up its stack: ts_node_parent() descends from the root at every call, so
 * the walk up by it cost a descent per level (31 K instructions per comprehension on
 * python3-placement). For a zero-width node (no child holds it alone), or past 200 levels (where
 * the walk up stops), the walk up answers. */
static TSNode enclosing_statement(TSNode n)
{
    if (ts_node_is_null(n))
        return n;
    TSTreeCursor *c = pysource_cursor_take(ts_tree_root_node(n.tree));
    uint32_t at = ts_node_start_byte(n), end = ts_node_end_byte(n);
    int depth = 0;
    while (!ts_node_eq(ts_tree_cursor_current_node(c), n)) {
        /* the first child ending at or after at, then on to the one that
         * holds n (`any(x for x in y)`: any ends where the loop begins) */
        bool down =
            ++depth <= 200 && end > at && ts_tree_cursor_goto_first_child_for_byte(c, at) >= 0;
        while (down) {
            TSNode ch = ts_tree_cursor_current_node(c);
            if (ts_node_start_byte(ch) <= at && ts_node_end_byte(ch) >= end)
                break;
            down = ts_tree_cursor_goto_next_sibling(c);
        }
        if (!down) {
            pysource_cursor_give(c);
            return enclosing_statement_up(n);
        }
    }
    TSNode cur = n;
    while (ts_tree_cursor_goto_parent(c)) {
        TSNode parent = ts_tree_cursor_current_node(c);
        if (is(parent, "block") || is(parent, "module"))
            break;
        cur = parent;
    }
    pysource_cursor_give(c);
    /* -DPGOPT_CHECK_ENCLOSING: both ways at every call (same on bench/orm/real's 13 packages) */
#ifdef PGOPT_CHECK_ENCLOSING
    if (!ts_node_eq(cur, enclosing_statement_up(n)))
        abort();
#endif
    return cur;
}

/* Whether the name that begins at c[at] can be the identifier called name (nlen bytes): no ASCII
 * letter or underscore right before it and no ASCII letter, digit or underscore right after it
 * (other bytes may end a name, so they never rule one out). */
static bool name_stands_at(const char *c, size_t len, size_t at, size_t nlen)
{
    unsigned char b = at > 0 ? (unsigned char)c[at - 1] : ' ';
    unsigned char a = at + nlen < len ? (unsigned char)c[at + nlen] : ' ';
    return !(isalpha(b) || b == '_') && !(isalnum(a) || a == '_');
}

/* Whether what follows a name at c[at] can make it an assignment's target in a file that parsed
 * cleanly: "=" or ":" (an annotation) after blanks and line continuations (a byte beyond ASCII:
 * perhaps). Most places a name stands are uses, and each descent to one (assignment_at) costs a
 * few thousand instructions. */
static bool assignment_follows(const char *c, size_t len, size_t at)
{
    while (at < len) {
        unsigned char b = (unsigned char)c[at];
        if (b == ' ' || b == '\t' || b == '\f' || b == '\v') {
            at++;
        } else if (b == '\\') {
            at++;
            if (at < len && c[at] == '\r')
                at++;
            if (at < len && c[at] == '\n')
                at++;
        } else {
            return b >= 0x80 || b == '=' || b == ':';
        }
    }
    return false;
}

/* The assignment `name = value` whose name begins at byte at, if any, into *value and *assign:
 * the path from the scope down to that byte, entering only statements, what holds them and
 * assignments (not nested functions, classes or lambdas, nor expressions). */
static void assignment_at(const pysource_t *src, TSNode scope, uint32_t at, const char *name,
                          size_t nlen, TSNode *value, TSNode *assign)
{
    const pysource_syms_t *y = pysource_syms();
    TSTreeCursor *c = pysource_cursor_take(scope);
    bool top = true;
    while (ts_tree_cursor_goto_first_child_for_byte(c, at) >= 0) {
        /* the first child ending at or after at, then on to the one that
         * holds the whole name */
        TSNode ch = ts_tree_cursor_current_node(c);
        while (!(ts_node_start_byte(ch) <= at && ts_node_end_byte(ch) >= at + nlen)) {
            if (!ts_tree_cursor_goto_next_sibling(c))
                goto done;
            ch = ts_tree_cursor_current_node(c);
        }
        if (!ts_node_is_named(ch)) {
            if (top) /* the scope's statements are named */
                break;
            continue; /* a token: nothing below */
        }
        top = false;
        TSSymbol ty = ts_node_symbol(ch); /* named: the named lambda */
        if (ty == y->function_definition || ty == y->class_definition || ty == y->lambda)
            break;
        if (ty == y->assignment) {
            /* its fields only for one that begins at the name (most on
             * the way down begin before: their look-ups were a third of
             * the descents' cost) */
            if (ts_node_start_byte(ch) == at) {
                TSNode left = field(ch, "left"), right = field(ch, "right");
                if (pysource_node_sym_is(left, y->identifier) &&
                    pysource_node_text_is(src, left, name) && !ts_node_is_null(right)) {
                    *value = right;
                    *assign = ch;
                }
            }
            continue; /* a = b = value: the inner one */
        }
        if (ty != y->expression_statement && !pysource_holds_statements(ch))
            break;
    }
done:
    pysource_cursor_give(c);
}

/* The value last assigned to name in scope before byte offset before (and, when stmt is not NULL,
 * the statement that assigns it). An assignment of the name begins with the name, so only the
 * places where the name stands in the scope's text before that offset are looked at, each by
 * one descent to it: the walk of every statement that held the name (with their blocks) cost
 * 11.7 M instructions for 369 look-ups on python3-placement. The text is searched backwards
 * from that offset in windows of growing size (each searched forwards), and the search stops
 * with the first window that holds an assignment: the last one of that window is the last of
 * all, since every later place was looked at already. Searching the whole scope forwards from
 * its start, as before, read the text up to the loop again for each look-up (1.8 M
 * instructions of memmem on python3-placement, most iterables being assigned a few lines
 * before their loop). */
static TSNode last_assignment(const pysource_t *src, TSNode scope, const char *name,
                              uint32_t before, TSNode *stmt)
{
    TSNode value, assign;
    memset(&value, 0, sizeof value);
    memset(&assign, 0, sizeof assign);
    size_t len, nlen = strlen(name);
    const char *c = pysource_content(src, &len);
    bool clean = !pysource_has_error(src);
    /* the names that begin in [from, to) and end in the scope */
    size_t from = ts_node_start_byte(scope), end = ts_node_end_byte(scope), to = end;
    if (end > len)
        end = to = len;
    if (before < to)
        to = before;
    if (nlen > 0 && to + nlen - 1 < end)
        end = to + nlen - 1;
    /* the places looked at begin in [from, end - nlen], window [lo, hi) by window from the end;
     * a window's search reads on to hi + nlen - 1 (at most end) for a name beginning before hi.
     * value is set (with assign) only by a place that assigns the name */
    size_t hi = nlen > 0 && from + nlen <= end ? end - nlen + 1 : from, span = 512;
    while (hi > from && ts_node_is_null(value)) {
        size_t lo = hi - from > span ? hi - span : from, wend = hi + nlen - 1;
        for (size_t at0 = lo; at0 < hi;) {
            const char *hit = memmem(c + at0, wend - at0, name, nlen);
            if (!hit)
                break;
            size_t at = (size_t)(hit - c);
            if (name_stands_at(c, len, at, nlen) &&
                (!clean || assignment_follows(c, len, at + nlen)))
                assignment_at(src, scope, (uint32_t)at, name, nlen, &value, &assign);
            at0 = at + 1;
        }
        hi = lo;
        span *= 2;
    }
    if (stmt)
        *stmt = ts_node_is_null(assign) ? assign : enclosing_statement(assign);
    return value;
}

typedef struct {
    chain_t ch;
    bool found;
    bool const_literal;
    size_t file;
    const pysource_t *src;
    TSNode stmt; /* statement holding the query */
    bool other_function;
    char via[200];
} origin_t;

static TSNode function_body_scope(TSNode fn)
{
    return field(fn, "body");
}

/* pysource_each_named_child callback: the first return statement with a value into *ctx (a
 * TSNode), then stop. By index (ts_node_named_child) the search from each child's start made the
 * look-up quadratic in the body's statements. */
static bool first_return(TSNode st, void *ctx)
{
    if (is(st, "return_statement") && ts_node_named_child_count(st) > 0) {
        *(TSNode *)ctx = st;
        return false;
    }
    return true;
}

/* Where a loop's iterable comes from (into o): a query (found), a constant literal, or, followed
 * up to depth 4, a name's last assignment, list()/sorted()/enumerate() of something, or the first
 * return of a project function (then o->other_function). */
static void resolve_iterable(const sqla_project_t *p, size_t file, const pysource_t *src,
                             TSNode scope, TSNode iter, uint32_t before, origin_t *o, int depth)
{
    if (depth > 4 || ts_node_is_null(iter))
        return;
    const pysource_syms_t *y = pysource_syms();
    TSNode u = unwrap(iter);
    if (pysource_node_sym_is(u, y->identifier)) {
        char name[96];
        text_of(src, u, name, sizeof name);
        /* the value only: its statement would cost a walk up the tree */
        TSNode v = last_assignment(src, scope, name, before, NULL);
        if (!ts_node_is_null(v))
            resolve_iterable(p, file, src, scope, v, ts_node_start_byte(v), o, depth + 1);
        return;
    }
    if (is(u, "list") || is(u, "tuple") || is(u, "set")) {
        json_t *v = pysource_eval(src, u);
        o->const_literal = v != NULL;
        json_decref(v);
        return;
    }
    if (pysource_node_sym_is(u, y->call) &&
        pysource_node_sym_is(field(u, "function"), y->identifier)) {
        char name[96];
        text_of(src, field(u, "function"), name, sizeof name);
        if (strcmp(name, "list") == 0 || strcmp(name, "enumerate") == 0 ||
            strcmp(name, "sorted") == 0) {
            resolve_iterable(p, file, src, scope, pysource_call_arg(src, u, 0), before, o,
                             depth + 1);
            return;
        }
        const char *qual = pysource_import_of(src, name);
        char module[256] = "";
        if (qual) {
            snprintf(module, sizeof module, "%s", qual);
            char *dot = strrchr(module, '.');
            if (dot)
                *dot = 0;
        }
        const sqla_function_t *fn =
            sqla_project_function(p, name, NULL, file, module[0] ? module : NULL);
        if (fn) {
            /* the function's first return statement */
            const pysource_t *fsrc = NULL;
            TSNode def = sqla_function_node(p, fn, &fsrc);
            if (ts_node_is_null(def))
                return;
            TSNode body = function_body_scope(def);
            TSNode st;
            memset(&st, 0, sizeof st);
            pysource_each_named_child(body, first_return, &st);
            if (!ts_node_is_null(st)) {
                origin_t sub;
                memset(&sub, 0, sizeof sub);
                resolve_iterable(p, fn->file, fsrc, body, ts_node_named_child(st, 0),
                                 ts_node_start_byte(st), &sub, depth + 1);
                if (sub.found) {
                    *o = sub;
                    o->other_function = true;
                    snprintf(o->via, sizeof o->via, "%s() in %s:%u", fn->name, pysource_path(fsrc),
                             fn->line);
                }
            }
        }
        return;
    }
    chain_t ch;
    memset(&ch, 0, sizeof ch);
    if (analyze_chain(p, src, u, &ch) && ch.api != 4) {
        o->ch = ch;
        o->found = true;
        o->file = file;
        o->src = src;
        o->stmt = enclosing_statement(u);
    } else if (!ts_node_is_null(ch.base_ident) && !same_node(ch.base_ident, u)) {
        /* result = session.execute(select(M)); result.scalars().all() */
        resolve_iterable(p, file, src, scope, ch.base_ident, before, o, depth + 1);
    }
}

/* ---- loop scanning --------------------------------------------------- */

typedef struct {
    char name[64];
    const sqla_model_t *model;
    char path[200];
} var_t;

typedef struct {
    const sqla_project_t *p;
    const pysource_t *src;
    size_t file;
    int nvars;
    int depth;
    char via[300];
    TSNode skip;
    /* No variable of the scan has a model (the iterable is no query) and
     * the file parsed cleanly: then only calls record anything (lazy
     * loads, aliases and followed functions need a model; an if or a try
     * marks the calls in it), and the scan enters no expression without a
     * call. Statements are entered (a try marks the loop as handling
     * errors, calls or not). */
    bool calls_only;
    const sqla_function_t *stack[MAX_STACK];
    int nstack;
    /* results */
    int npaths;
    TSNode keyed;
    TSNode adds[MAX_ADDS];
    int nadds;
    TSNode commits[4];
    int ncommits;
    int in_modulo_if, in_try;
    bool commit_guarded, commit_in_try, rollback_in_except, in_except;
    TSNode rollbacks[4];
    int nrollbacks;
    bool network_seen, network_before_commit;
    TSNode session_new;
    /* session writes in the loop (add, merge, delete, bulk_*, execute of a
     * non-SELECT): a query prefetched before the loop would not see them */
    TSNode writes[8];
    int nwrites;
    bool writes_overflow;
    /* a with statement around the commit (session_scope(), begin()) */
    bool commit_in_with;
    bool except_in_loop; /* a try/except in the loop (not just try/finally) */
    /* Last, and only their first nvars / npaths entries are read: a new
     * scan clears what is before them (SCAN_CLEAR), not these 14 kB (per
     * loop, that clearing was 4 M instructions on python3-placement) */
    var_t vars[MAX_VARS];
    struct {
        char path[200];
        char via[300];
    } paths[MAX_PATHS];
} scan_t;

/* The bytes of a scan_t a new scan zeroes. */
#define SCAN_CLEAR offsetof(scan_t, vars)

/* The innermost tracked variable called name, or NULL. */
static var_t *var_find(scan_t *s, const char *name)
{
    for (int i = s->nvars - 1; i >= 0; i--)
        if (strcmp(s->vars[i].name, name) == 0)
            return &s->vars[i];
    return NULL;
}

/* Tracks name as an object of model m reached by path from the loop item (dropped past MAX_VARS).
 */
static void var_push(scan_t *s, const char *name, const sqla_model_t *m, const char *path)
{
    if (s->nvars >= MAX_VARS)
        return;
    var_t *v = &s->vars[s->nvars++];
    snprintf(v->name, sizeof v->name, "%s", name);
    v->model = m;
    snprintf(v->path, sizeof v->path, "%s", path);
}

/* Records a lazily loaded relationship path (prefix.rel) once, with the helper it was found
 * through (s->via); at most MAX_PATHS. */
static void add_path(scan_t *s, const char *prefix, const char *rel)
{
    char path[200];
    snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", rel);
    for (int i = 0; i < s->npaths; i++)
        if (strcmp(s->paths[i].path, path) == 0)
            return;
    if (s->npaths >= MAX_PATHS)
        return;
    snprintf(s->paths[s->npaths].path, sizeof s->paths[0].path, "%s", path);
    snprintf(s->paths[s->npaths].via, sizeof s->paths[0].via, "%s", s->via);
    s->npaths++;
}

/* Whether a call goes over the network: requests, httpx, urllib, aiohttp, smtplib, urllib3, boto3,
 * or a sendmail/send_message/urlopen method. */
static bool is_network_call(const pysource_t *src, TSNode call)
{
    TSNode callee = field(call, "function");
    char *q = pysource_qualified_name(src, callee, NULL);
    bool yes = false;
    if (q) {
        const char *prefixes[] = {"requests.", "httpx.",   "urllib.request.", "aiohttp.",
                                  "smtplib.",  "urllib3.", "boto3."};
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes && !yes; i++)
            yes = strncmp(q, prefixes[i], strlen(prefixes[i])) == 0;
        const char *last = strrchr(q, '.');
        last = last ? last + 1 : q;
        if (strcmp(last, "sendmail") == 0 || strcmp(last, "send_message") == 0 ||
            strcmp(last, "urlopen") == 0)
            yes = true;
        free(q);
    }
    return yes;
}

/* Which parameter name a function binds at positional index i (skipping
 * self/cls for methods when skip_first). */
static bool param_name(const pysource_t *src, TSNode fn, unsigned i, char *out, size_t size)
{
    TSNode params = field(fn, "parameters");
    uint32_t n = ts_node_named_child_count(params);
    unsigned k = 0;
    for (uint32_t j = 0; j < n; j++) {
        TSNode pnode = ts_node_named_child(params, j);
        TSNode id = pnode;
        if (is(pnode, "typed_parameter"))
            id = ts_node_named_child(pnode, 0);
        else if (is(pnode, "default_parameter") || is(pnode, "typed_default_parameter"))
            id = field(pnode, "name");
        if (!is(id, "identifier"))
            return false;
        if (k++ == i) {
            text_of(src, id, out, size);
            return true;
        }
    }
    return false;
}

static void scan_node(scan_t *s, TSNode n);

/* Whether a session method call writes rows: add, merge, delete, the bulk
 * methods, or execute() of anything but a SELECT. */
static bool is_write_method(const pysource_t *src, TSNode call, const char *m)
{
    const char *writes[] = {"add",
                            "add_all",
                            "merge",
                            "delete",
                            "bulk_save_objects",
                            "bulk_insert_mappings",
                            "bulk_update_mappings"};
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        if (strcmp(m, writes[i]) == 0)
            return true;
    if (strcmp(m, "execute") != 0 && strcmp(m, "exec_driver_sql") != 0)
        return false;
    TSNode a = unwrap(pysource_call_arg(src, call, 0));
    if (ts_node_is_null(a))
        return false;
    size_t n;
    const char *t = pysource_node_span(src, a, &n);
    /* insert(...) / update(...) / delete(...) anywhere in the statement
     * expression, or SQL text that starts like a write */
    const char *kw[] = {"insert(", "update(", "delete(", "INSERT",  "UPDATE",
                        "DELETE",  "insert ", "update ", "delete ", "MERGE"};
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
        size_t l = strlen(kw[i]);
        for (size_t k = 0; k + l <= n; k++)
            if (strncmp(t + k, kw[i], l) == 0)
                return true;
    }
    return false;
}

/* Whether n sits in a with statement (inside the loop body being scanned:
 * the walk stops at the enclosing function). */
static bool in_with_statement(TSNode n)
{
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p)) {
        if (is(p, "with_statement"))
            return true;
        if (is(p, "for_statement") || is(p, "while_statement") || is(p, "function_definition"))
            return false;
    }
    return false;
}

/* Follows a tracked object (model m at path prefix) into a project function fn as its parameter
 * param_index: scans the body there, keeping the lazy paths it finds and restoring the scan's
 * position. Recursion and more than MAX_STACK levels are not followed. */
static void follow(scan_t *s, const sqla_function_t *fn, unsigned param_index,
                   const sqla_model_t *m, const char *prefix)
{
    if (s->nstack >= MAX_STACK)
        return;
    for (int i = 0; i < s->nstack; i++)
        if (s->stack[i] == fn)
            return;
    const pysource_t *fsrc = NULL;
    TSNode def = sqla_function_node(s->p, fn, &fsrc);
    char pname[64];
    if (ts_node_is_null(def) || !param_name(fsrc, def, param_index, pname, sizeof pname))
        return;
    scan_t saved = *s;
    s->src = fsrc;
    s->file = fn->file;
    s->nvars = 0;
    var_push(s, pname, m, prefix);
    s->depth++;
    s->stack[s->nstack++] = fn;
    if (saved.depth == 0)
        snprintf(s->via, sizeof s->via, "%s%s%s() in %s:%u", fn->cls ? fn->cls : "",
                 fn->cls ? "." : "", fn->name, pysource_path(fsrc), fn->line);
    memset(&s->skip, 0, sizeof s->skip);
    scan_node(s, field(def, "body"));
    /* keep the results, restore the position */
    saved.npaths = s->npaths;
    memcpy(saved.paths, s->paths, sizeof s->paths);
    *s = saved;
}

static bool references_var(scan_t *s, const pysource_t *src, TSNode n);

typedef struct {
    scan_t *s;
    bool found;
} refs_t;

/* pysource_walk visitor: stops (r->found) at the first use of a tracked variable; keyword names
 * are not uses. */
static pysource_walk_t refs_visit(const pysource_t *src, TSNode n, void *ctx)
{
    refs_t *r = ctx;
    if (is(n, "identifier")) {
        char t[64];
        text_of(src, n, t, sizeof t);
        if (var_find(r->s, t)) {
            r->found = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    if (is(n, "keyword_argument")) {
        /* the keyword itself is not a reference */
        TSNode v = field(n, "value");
        if (!ts_node_is_null(v))
            pysource_walk(src, v, refs_visit, r);
        return r->found ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "attribute")) {
        pysource_walk(src, field(n, "object"), refs_visit, r);
        return r->found ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_SKIP_CHILDREN;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether node n uses a tracked loop variable. */
static bool references_var(scan_t *s, const pysource_t *src, TSNode n)
{
    refs_t r = {s, false};
    pysource_walk(src, n, refs_visit, &r);
    return r.found;
}

/* Whether call makes a session: a sessionmaker()(...) call or a call of one of the project's
 * session factories (*is_async says which kind). */
static bool session_factory_call(const sqla_project_t *p, const pysource_t *src, TSNode call,
                                 bool *is_async)
{
    const pysource_syms_t *y = pysource_syms();
    TSNode callee = field(call, "function");
    if (pysource_node_sym_is(callee, y->call))
        return pysource_call_is(src, callee, "sessionmaker") ||
               pysource_call_is(src, callee, "async_sessionmaker");
    if (!pysource_node_sym_is(callee, y->identifier))
        return false;
    char t[96];
    text_of(src, callee, t, sizeof t);
    return sqla_project_session_factory(p, t, is_async);
}

static bool scan_child(TSNode ch, void *ctx)
{
    scan_t *s = ctx;
    /* a node without named children is none of what scan_node acts on
     * (all of those have some) and holds nothing to scan: identifiers,
     * numbers, strings' parts, about half of a body's nodes, each of which
     * took a cursor of its own */
    if (ts_node_named_child_count(ch) == 0)
        return true;
    /* calls_only: an expression without "(" holds no call */
    if (s->calls_only && !pysource_holds_statements(ch)) {
        size_t len;
        const char *t = pysource_node_span(s->src, ch, &len);
        if (!memchr(t, '(', len))
            return true;
    }
    scan_node(s, ch);
    return true;
}

static void scan_children(scan_t *s, TSNode n)
{
    pysource_each_named_child(n, scan_child, s);
}

static bool is_comprehension_symbol(const pysource_syms_t *y, TSSymbol ty)
{
    return ty == y->list_comprehension || ty == y->set_comprehension ||
           ty == y->dictionary_comprehension || ty == y->generator_expression;
}

/* Pushes the variable of `for w in x.rel` when x is tracked. */
static void push_loop_var(scan_t *s, TSNode left, TSNode right)
{
    right = unwrap(right);
    if (!is(left, "identifier") || !is(right, "attribute"))
        return;
    TSNode obj = field(right, "object");
    char on[64], attr[64], ln[64];
    text_of(s->src, obj, on, sizeof on);
    text_of(s->src, field(right, "attribute"), attr, sizeof attr);
    text_of(s->src, left, ln, sizeof ln);
    var_t *v = is(obj, "identifier") ? var_find(s, on) : NULL;
    if (!v || !v->model)
        return;
    const sqla_relationship_t *r = sqla_model_relationship(v->model, attr);
    if (!r)
        return;
    const sqla_model_t *t = sqla_project_model(s->p, r->target);
    if (!t)
        return;
    char path[200];
    snprintf(path, sizeof path, "%s%s%s", v->path, v->path[0] ? "." : "", attr);
    var_push(s, ln, t, path);
}

/* The model and relationship path an expression stands for: a tracked
 * variable, or a many-to-one relationship of one (inv.customer.region);
 * `x.awaitable_attrs.rel` (AsyncAttrs) is the same as `x.rel`. */
static bool resolve_obj(scan_t *s, TSNode obj, const sqla_model_t **m, char *path, size_t size)
{
    if (is(obj, "identifier")) {
        char on[64];
        text_of(s->src, obj, on, sizeof on);
        var_t *v = var_find(s, on);
        if (!v || !v->model)
            return false;
        *m = v->model;
        snprintf(path, size, "%s", v->path);
        return true;
    }
    if (!is(obj, "attribute"))
        return false;
    const sqla_model_t *inner = NULL;
    char ipath[200];
    if (!resolve_obj(s, field(obj, "object"), &inner, ipath, sizeof ipath))
        return false;
    char attr[64];
    text_of(s->src, field(obj, "attribute"), attr, sizeof attr);
    if (strcmp(attr, "awaitable_attrs") == 0) {
        *m = inner;
        snprintf(path, size, "%s", ipath);
        return true;
    }
    const sqla_relationship_t *r = sqla_model_relationship(inner, attr);
    const sqla_model_t *t = r && !r->collection ? sqla_project_model(s->p, r->target) : NULL;
    if (!t)
        return false;
    if (r->lazy == SQLA_LAZY_SELECT || r->lazy == SQLA_LAZY_DYNAMIC)
        add_path(s, ipath, attr);
    *m = t;
    snprintf(path, size, "%s%s%s", ipath, ipath[0] ? "." : "", attr);
    return true;
}

/* A for loop: its iterable is scanned outside the loop variable's scope,
 * the body and else with the loop variable pushed (popped afterwards). */
static void scan_for(scan_t *s, TSNode n)
{
    int saved_nvars = s->nvars;
    scan_node(s, field(n, "right"));
    push_loop_var(s, field(n, "left"), field(n, "right"));
    scan_node(s, field(n, "body"));
    scan_node(s, field(n, "alternative"));
    s->nvars = saved_nvars;
}

/* A comprehension: its for clauses' iterables are scanned and their
 * variables pushed first, then the element and conditions. */
static void scan_comprehension(scan_t *s, TSNode n)
{
    int saved_nvars = s->nvars;
    uint32_t k = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(n, i);
        if (is(c, "for_in_clause")) {
            scan_node(s, field(c, "right"));
            push_loop_var(s, field(c, "left"), field(c, "right"));
        }
    }
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(n, i);
        if (!is(c, "for_in_clause"))
            scan_node(s, c);
    }
    s->nvars = saved_nvars;
}

/* obj.attr on a tracked model object: a lazy-loading relationship adds
 * its path; a model method that is called, or a property, is followed
 * into its body. Anything else is scanned as usual. */
static void scan_attribute(scan_t *s, TSNode n)
{
    TSNode obj = field(n, "object");
    const sqla_model_t *om = NULL;
    char opath[200];
    if (!resolve_obj(s, obj, &om, opath, sizeof opath)) {
        scan_children(s, n);
        return;
    }
    char attr[64];
    text_of(s->src, field(n, "attribute"), attr, sizeof attr);
    const sqla_relationship_t *r = sqla_model_relationship(om, attr);
    if (r) {
        if (r->lazy == SQLA_LAZY_SELECT || r->lazy == SQLA_LAZY_DYNAMIC)
            add_path(s, opath, attr);
    } else if (strcmp(attr, "awaitable_attrs") != 0) {
        /* a model's methods are in its class body, so in its file: a class of the same name
         * elsewhere (nova's objects.Instance next to models.Instance) is another class */
        const sqla_function_t *fn = sqla_project_function(s->p, attr, om->name, om->file, NULL);
        if (fn && fn->file != om->file)
            fn = NULL;
        TSNode parent = ts_node_parent(n);
        bool called = is(parent, "call") && same_node(field(parent, "function"), n);
        if (fn && (fn->property || called)) {
            char copy[200];
            snprintf(copy, sizeof copy, "%s", opath);
            follow(s, fn, 0, om, copy);
        }
    }
}

/* An assignment is scanned; `order = item.order` on a tracked object
 * tracks order too (a scalar relationship's target model), to the end of
 * the enclosing loop. */
static void scan_assignment(scan_t *s, TSNode n)
{
    TSNode left = field(n, "left"), right = unwrap(field(n, "right"));
    scan_children(s, n);
    if (!pysource_node_sym_is(left, pysource_syms()->identifier) ||
        !pysource_node_sym_is(right, pysource_syms()->attribute))
        return;
    TSNode obj = field(right, "object");
    char on[64], attr[64], ln[64];
    text_of(s->src, obj, on, sizeof on);
    var_t *v = is(obj, "identifier") ? var_find(s, on) : NULL;
    if (!v || !v->model)
        return;
    text_of(s->src, field(right, "attribute"), attr, sizeof attr);
    text_of(s->src, left, ln, sizeof ln);
    const sqla_relationship_t *r = sqla_model_relationship(v->model, attr);
    const sqla_model_t *t = r && !r->collection ? sqla_project_model(s->p, r->target) : NULL;
    if (t) {
        char path[200];
        snprintf(path, sizeof path, "%s%s%s", v->path, v->path[0] ? "." : "", attr);
        var_push(s, ln, t, path); /* the alias lives to the end of the loop */
    }
}

/* An if in the loop body itself: `if i % 500 == 0:` marks the commits
 * inside as batched. */
static void scan_if(scan_t *s, TSNode n)
{
    TSNode cond = field(n, "condition");
    bool modulo = false;
    size_t len;
    /* `if i % 500 == 0:` commits in batches */
    TSNode u = cond;
    for (int g = 0; g < 4 && !ts_node_is_null(u); g++) {
        if (is(u, "binary_operator")) {
            const char *op = pysource_node_span(s->src, field(u, "operator"), &len);
            if (len == 1 && op[0] == '%')
                modulo = true;
            break;
        }
        u = ts_node_named_child(u, 0);
    }
    if (modulo)
        s->in_modulo_if++;
    scan_children(s, n);
    if (modulo)
        s->in_modulo_if--;
}

/* A try in the loop body itself: the body is scanned as in_try, except
 * clauses as in_except (and the loop noted as handling errors per item). */
static void scan_try(scan_t *s, TSNode n)
{
    s->in_try++;
    scan_node(s, field(n, "body"));
    s->in_try--;
    uint32_t k = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(n, i);
        if (is(c, "except_clause")) {
            s->except_in_loop = true;
            bool saved = s->in_except;
            s->in_except = true;
            scan_node(s, c);
            s->in_except = saved;
        } else if (!same_node(c, field(n, "body"))) {
            scan_node(s, c);
        }
    }
}

/* A call in the loop body itself (n, the call or its await): the first
 * query keyed by a loop variable is kept (returns true: nothing more to
 * scan there); session writes, adds, commits and rollbacks, network calls
 * and session creation are recorded. Returns false otherwise. */
static bool scan_loop_call(scan_t *s, TSNode n, TSNode call)
{
    chain_t ch;
    memset(&ch, 0, sizeof ch);
    if (ts_node_is_null(s->keyed) && analyze_chain(s->p, s->src, n, &ch) &&
        references_var(s, s->src, n)) {
        s->keyed = n;
        return true;
    }
    char m[64];
    TSNode obj;
    if (method_of(s->src, call, &obj, m, sizeof m) && sessionish(s->src, obj)) {
        if (is_write_method(s->src, call, m)) {
            if (s->nwrites < 8)
                s->writes[s->nwrites++] = call;
            else
                s->writes_overflow = true;
        }
        if ((strcmp(m, "add") == 0 || strcmp(m, "add_all") == 0) && s->nadds < MAX_ADDS)
            s->adds[s->nadds++] = call;
        else if (strcmp(m, "execute") == 0 &&
                 pysource_call_is(s->src, unwrap(pysource_call_arg(s->src, call, 0)), "values") &&
                 s->nadds < MAX_ADDS)
            s->adds[s->nadds++] = call;
        else if (strcmp(m, "commit") == 0) {
            if (in_with_statement(call))
                s->commit_in_with = true;
            if (s->in_modulo_if)
                s->commit_guarded = true;
            else if (s->ncommits < 4)
                s->commits[s->ncommits++] = call;
            if (s->in_try)
                s->commit_in_try = true;
            if (s->network_seen)
                s->network_before_commit = true;
        } else if ((strcmp(m, "rollback") == 0 || strcmp(m, "abort") == 0) && s->in_except) {
            s->rollback_in_except = true;
            if (s->nrollbacks < 4)
                s->rollbacks[s->nrollbacks++] = call;
        }
    }
    if (is_network_call(s->src, call))
        s->network_seen = true;
    bool is_async;
    if (ts_node_is_null(s->session_new) && session_factory_call(s->p, s->src, call, &is_async))
        s->session_new = call;
    return false;
}

/* A call of one of the project's functions (by name, or module.name
 * through an import) that is passed tracked model objects: the function's
 * body is followed with each such argument. */
static void scan_project_call(scan_t *s, TSNode call)
{
    const pysource_syms_t *y = pysource_syms();
    TSNode callee = field(call, "function");
    const sqla_function_t *fn = NULL;
    if (pysource_node_sym_is(callee, y->identifier)) {
        char name[96];
        text_of(s->src, callee, name, sizeof name);
        const char *qual = pysource_import_of(s->src, name);
        char module[256] = "";
        if (qual) {
            snprintf(module, sizeof module, "%s", qual);
            char *dot = strrchr(module, '.');
            if (dot)
                *dot = 0;
        }
        fn = sqla_project_function(s->p, name, NULL, s->file, module[0] ? module : NULL);
    } else if (pysource_node_sym_is(callee, y->attribute) &&
               pysource_node_sym_is(field(callee, "object"), y->identifier)) {
        /* pricing.order_total(o) through `from app.services import pricing` */
        char on[96], name[96];
        text_of(s->src, field(callee, "object"), on, sizeof on);
        text_of(s->src, field(callee, "attribute"), name, sizeof name);
        const char *qual = pysource_import_of(s->src, on);
        if (qual && !var_find(s, on))
            fn = sqla_project_function(s->p, name, NULL, SIZE_MAX, qual);
    }
    if (!fn)
        return;
    TSNode args = field(call, "arguments");
    uint32_t k = ts_node_named_child_count(args);
    unsigned pos = 0;
    for (uint32_t i = 0; i < k; i++) {
        TSNode a = ts_node_named_child(args, i);
        if (is(a, "keyword_argument") || is(a, "list_splat") || is(a, "dictionary_splat"))
            continue;
        if (is(a, "identifier")) {
            char an[64];
            text_of(s->src, a, an, sizeof an);
            var_t *v = var_find(s, an);
            if (v && v->model) {
                var_t copy = *v;
                follow(s, fn, pos, copy.model, copy.path);
            }
        }
        pos++;
    }
}

/* A call or await: recorded when in the loop body itself (scan_loop_call),
 * followed into the project's functions, then its parts scanned. */
static void scan_call(scan_t *s, TSNode n)
{
    TSNode call = unwrap(n);
    bool is_call = pysource_node_sym_is(call, pysource_syms()->call);
    if (s->depth == 0 && is_call && scan_loop_call(s, n, call))
        return;
    if (is_call)
        scan_project_call(s, call);
    /* an await's call was handled here: scan its parts, not the call again */
    scan_children(s, is_call ? call : n);
}

/* The walk of one loop body (and of followed function bodies, at depth >
 * 0): records what the loop does per item into s. Nested function and
 * class definitions and lambdas are not entered. */
static void scan_node(scan_t *s, TSNode n)
{
    if (ts_node_is_null(n) || same_node(n, s->skip))
        return;
    const pysource_syms_t *y = pysource_syms();
    TSSymbol ty = ts_node_symbol(n);
    /* named symbols only: the keywords lambda and await are leaves, which
     * scan_children (named children) never hands here */
    if (ty == y->function_definition || ty == y->class_definition || ty == y->lambda ||
        ty == y->decorated_definition)
        return;
    if (ty == y->for_statement)
        scan_for(s, n);
    else if (is_comprehension_symbol(y, ty))
        scan_comprehension(s, n);
    else if (ty == y->attribute)
        scan_attribute(s, n);
    else if (ty == y->assignment)
        scan_assignment(s, n); /* order = item.order: order is tracked too */
    else if (s->depth == 0 && ty == y->if_statement)
        scan_if(s, n);
    else if (s->depth == 0 && ty == y->try_statement)
        scan_try(s, n);
    else if (ty == y->call || ty == y->await_)
        scan_call(s, n);
    else
        scan_children(s, n);
}

/* ---- emitting -------------------------------------------------------- */

/* How far a rewrite is shown to keep behaviour (sqla_patterns.h, "safety"):
 * proven, conditional on an exact condition the analysis cannot check
 * (written in the finding), or manual - no code, the explanation says how
 * to fix it by hand and why pgopt does not. */
typedef struct {
    const char *level; /* "proven" | "conditional" | "manual" */
    const char *text;  /* conditional: the condition; manual: why no code */
} safety_t;

static const safety_t SAFE_PROVEN = {"proven", NULL};

/* The innermost function definition whose text holds bytes [from, to) of
 * src, or a null node: one cursor descent. */
static TSNode def_around(const pysource_t *src, uint32_t from, uint32_t to)
{
    TSNode def;
    memset(&def, 0, sizeof def);
    TSTreeCursor *c = pysource_cursor_take(pysource_root(src));
    while (ts_tree_cursor_goto_first_child_for_byte(c, from) >= 0) {
        TSNode n = ts_tree_cursor_current_node(c);
        if (ts_node_start_byte(n) > from || ts_node_end_byte(n) < to)
            break;
        if (pysource_node_sym_is(n, pysource_syms()->function_definition))
            def = n;
    }
    pysource_cursor_give(c);
    return def;
}

/* Whether every line of text that holds more than blanks is indented
 * deeper than column col by spaces alone (a tab: no). */
static bool indented_past(const char *text, uint32_t col)
{
    for (const char *l = text; *l;) {
        uint32_t k = 0;
        while (l[k] == ' ')
            k++;
        if (l[k] == '\t')
            return false;
        if (l[k] != '\n' && l[k] != '\r' && l[k] != 0 && k <= col)
            return false;
        const char *nl = strchr(l + k, '\n');
        if (!nl)
            break;
        l = nl + 1;
    }
    return true;
}

/* The edited file's bytes [0, at) as a row and column. */
static TSPoint point_of(const char *c, uint32_t at)
{
    TSPoint p = {0, 0};
    const char *line = c;
    for (const char *q = c; (q = memchr(q, '\n', (size_t)(c + at - q))) != NULL; q++) {
        p.row++;
        line = q + 1;
    }
    p.column = (uint32_t)(c + at - line);
    return p;
}

/* parses_in_context for an edit inside a function definition of a whole
 * file that parsed cleanly: the edited definition parsed alone, with the
 * headers of the classes and functions around it (pysource_def_ranges, as
 * a helper's lines are parsed), when every line of the new text is
 * indented past the definition (a line at or left of it would end the
 * definition, and what follows it in the file is not in the parse). The
 * edit cannot reach past the definition: text parses alone (balanced
 * brackets and strings) and replaces whole lines. Returns -1 when this
 * does not apply (the whole file is parsed then), else 0 or 1. */
static int def_parses(const pysource_t *src, uint32_t rs, uint32_t re, const char *text)
{
    size_t len;
    const char *c = pysource_content(src, &len);
    uint32_t from = rs;
    while (from < re && (c[from] == ' ' || c[from] == '\t'))
        from++;
    TSNode def = def_around(src, from, re);
    if (ts_node_is_null(def) || !indented_past(text, ts_node_start_point(def).column))
        return -1;
    TSRange r[8];
    size_t n = pysource_def_ranges(src, def, r, sizeof r / sizeof *r);
    if (n == 0 || r[n - 1].start_byte > rs || r[n - 1].end_byte < re)
        return -1;
    size_t tlen = strlen(text), nlen = len - (re - rs) + tlen;
    if (nlen >= UINT32_MAX)
        return -1;
    char *buf = xmalloc(nlen + 1);
    memcpy(buf, c, rs);
    memcpy(buf + rs, text, tlen);
    memcpy(buf + rs + tlen, c + re, len - re);
    buf[nlen] = 0;
    r[n - 1].end_byte = (uint32_t)(r[n - 1].end_byte - (re - rs) + tlen);
    r[n - 1].end_point = point_of(buf, r[n - 1].end_byte);
    err_t err;
    pysource_t *t = pysource_parse_ranges(pysource_path(src), buf, nlen, r, n, NULL, &err);
    int ok = t ? !pysource_has_error(t) : -1;
    pysource_destroy(&t);
    free(buf);
    return ok;
}

/* Whether the file still parses (without error nodes) with content[rs, re)
 * replaced by text: a snippet that parses on its own can still break its
 * context (a multi-line iterable without parentheses in a for, a wrong
 * indentation level). A file that had syntax errors before is checked by
 * the snippet alone. whole: src is a whole file's parse (not a helper's
 * lines), which def_parses needs. */
static bool parses_in_context(const pysource_t *src, bool whole, uint32_t rs, uint32_t re,
                              const char *text)
{
    if (!sqla_snippet_parses(text))
        return false;
    if (pysource_has_error(src))
        return true;
    /* the edited function alone: the file's incremental parse after the
     * edit cost 8.8 M instructions for python3-placement's one rewrite of
     * a 45 kB file (a fifth of a whole parse), its method and class header 4.5 M */
    int alone = whole ? def_parses(src, rs, re, text) : -1;
#ifdef PGOPT_CHECK_DEF_PARSES
    if (alone >= 0) {
        err_t e;
        bool ok = false;
        if (pysource_edit_parses(src, rs, re, text, strlen(text), &ok, &e) != 0 || ok != alone)
            abort();
    }
#endif
    if (alone >= 0)
        return alone;
    /* incremental from the file's tree: a whole parse per finding was a
     * third of the detection's cost on python3-placement */
    err_t err;
    bool ok = false;
    return pysource_edit_parses(src, rs, re, text, strlen(text), &ok, &err) == 0 && ok;
}

/* Appends one finding of kind (type) over whole lines rs..re of rsrc: the original, the rewritten
 * code (pre, the edits ed applied, post; indented as the code) unless the safety is manual, the
 * explanation, SQL shape sql and extra fields (both taken over). Rule 7: a rewrite that does not
 * re-parse as Python in its file is reported without code (and a note). Frees the edits. */
static void emit(file_t *f, const pysource_t *rsrc, unsigned line, const char *type,
                 const char *kind, uint32_t rs, uint32_t re, edits_t *ed, const char *pre,
                 const char *post, const char *explanation, json_t *sql, bool security,
                 json_t *extra, const safety_t *sf)
{
    size_t clen;
    const char *c = pysource_content(rsrc, &clen);
    rs = line_begin(c, rs);
    re = line_end(c, clen, re);
    safety_t safety = sf ? *sf : SAFE_PROVEN;
    bool manual = strcmp(safety.level, "manual") == 0;
    char *optimized = NULL;
    if (!manual) {
        char indent[128];
        indent_at(c, rs, indent, sizeof indent);
        char *body = ed->overflow ? NULL : ed_apply(c, rs, re, ed);
        if (!body) {
            note(f->d, "%s:%u %s: the rewrite could not be spliced; not reported",
                 pysource_path(f->src), line, kind);
            json_decref(f->imports);
            f->imports = NULL;
            ed_free(ed);
            json_decref(sql);
            json_decref(extra);
            return;
        }
        strbuf_t b = {0};
        if (pre)
            b_indented(&b, pre, indent);
        strbuf_add(&b, body);
        free(body);
        if (post) {
            strbuf_add(&b, "\n");
            b_indented(&b, post, indent);
            if (b.len > 0 && b.buf[b.len - 1] == '\n')
                b.buf[--b.len] = 0;
        }
        optimized = strbuf_take(&b);
        /* rule 7: the rewrite re-parses in its file, or it is not shown */
        if (!optimized || !parses_in_context(rsrc, rsrc == f->src, rs, re, optimized)) {
            note(f->d,
                 "%s:%u %s: the rewritten code does not parse as Python in its file; reported "
                 "without code",
                 pysource_path(f->src), line, kind);
            free(optimized);
            optimized = NULL;
            manual = true;
            safety.level = "manual";
            safety.text = "the mechanical rewrite did not re-parse as Python in its file, so no "
                          "code is proposed: apply the fix described above by hand";
        }
    }
    ed_free(ed);
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(pysource_path(f->src)));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "original", json_stringn(c + rs, re - rs));
    /* the original's first line in its file (query_file when given): the
     * reports number the diff's lines from it */
    unsigned first = 1;
    for (uint32_t k = 0; k < rs; k++)
        first += c[k] == '\n';
    json_object_set_new(o, "original_line", json_integer(first));
    json_object_set_new(o, "optimized", optimized ? json_string(optimized) : json_null());
    json_object_set_new(o, "explanation", json_string(explanation));
    json_object_set_new(o, "safety", json_string(safety.level));
    if (safety.text)
        json_object_set_new(o, manual ? "manual_reason" : "safety_condition",
                            json_string(safety.text));
    json_object_set_new(o, "style", json_string(file_api2(f) ? "2.0" : "1.x"));
    json_object_set_new(o, "flask", json_boolean(file_flask(f)));
    json_object_set_new(o, "sql", sql ? sql : json_pack("{s:s}", "shape", "none"));
    if (security)
        json_object_set_new(o, "security", json_true());
    if (rsrc != f->src) {
        json_object_set_new(o, "query_file", json_string(pysource_path(rsrc)));
    }
    if (extra)
        json_object_update(o, extra);
    json_decref(extra);
    if (f->imports && !manual)
        json_object_set(o, "imports", f->imports);
    json_decref(f->imports);
    f->imports = NULL;
    free(optimized);
    json_array_append_new(f->d->out, o);
}

/* A name the rewrite uses: when the file does not import it, the finding's
 * "imports" lists the line to add (the differential test adds them; the
 * report shows them), and the explanation says so. */
static const char *import_note(file_t *f, const pysource_t *src, const char *name,
                               const char *module, char *buf, size_t size)
{
    if (pysource_import_of(src, name)) {
        buf[0] = 0;
        return buf;
    }
    char line[160];
    if (module)
        snprintf(line, sizeof line, "from %s import %s", module, name);
    else
        snprintf(line, sizeof line, "import %s", name);
    snprintf(buf, size, " Needs `%s`.", line);
    if (!f->imports)
        f->imports = json_array();
    json_array_append_new(f->imports, json_string(line));
    return buf;
}

/* How code in src names the SQLAlchemy function name of module
 * ("selectinload", "sqlalchemy.orm"): bare when imported, through a module
 * the file imports (orm.selectinload, sa.orm.selectinload), else bare with
 * the import line added to the finding (import_note; note gets the
 * explanation's sentence). A rewrite that names what its file does not
 * bind fails with NameError (issue 14: real code imports `models` and
 * `orm`, not the classes and functions). */
static void sqla_ref(file_t *f, const pysource_t *src, const char *name, const char *module,
                     char *out, size_t size, char *note, size_t nsize)
{
    if (note && nsize)
        note[0] = 0;
    if (pysource_import_of(src, name)) {
        snprintf(out, size, "%s", name);
        return;
    }
    const char *orm = pysource_import_of(src, "orm");
    if (strcmp(module, "sqlalchemy.orm") == 0 && orm && strcmp(orm, "sqlalchemy.orm") == 0) {
        snprintf(out, size, "orm.%s", name);
        return;
    }
    const char *aliases[] = {"sa", "sqlalchemy", "sqla", "db_sa"};
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        const char *q = pysource_import_of(src, aliases[i]);
        if (q && strcmp(q, "sqlalchemy") == 0) {
            snprintf(out, size, "%s%s.%s", aliases[i], module + strlen("sqlalchemy"), name);
            return;
        }
    }
    snprintf(out, size, "%s", name);
    if (note)
        import_note(f, src, name, module, note, nsize);
}

/* How code in src names model m: as the chain's own query did
 * (models.Resource), bare when src imports or defines it, or through the
 * chain's module prefix when m lives in the same module as the chain's
 * model. False when src has no name for it. */
static bool model_ref(file_t *f, const pysource_t *src, const chain_t *ch, const sqla_model_t *m,
                      char *out, size_t size)
{
    if (ch && ch->model == m && ch->model_ref[0]) {
        /* "User.id" in query(User.id): the class part */
        char t[128];
        snprintf(t, sizeof t, "%s", ch->model_ref);
        size_t nl = strlen(m->name);
        for (char *at = strstr(t, m->name); at; at = strstr(at + 1, m->name))
            if ((at == t || at[-1] == '.') && (at[nl] == 0 || at[nl] == '.')) {
                at[nl] = 0;
                snprintf(out, size, "%s", t);
                return true;
            }
    }
    if (pysource_import_of(src, m->name) || sqla_project_file_is(f->d->p, m->file, src)) {
        snprintf(out, size, "%s", m->name);
        return true;
    }
    if (ch && ch->model && ch->model->file == m->file) {
        char base[128];
        if (model_ref(f, src, ch, ch->model, base, sizeof base)) {
            char *dot = strrchr(base, '.');
            if (dot) {
                snprintf(out, size, "%.*s.%s", (int)(dot - base), base, m->name);
                return true;
            }
        }
    }
    return false;
}

/* A class name in snake_case: AuditLog -> audit_log, HTTPLog -> http_log. */
static void snake_name(const char *name, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; name[i] && k + 2 < size; i++) {
        bool up = isupper((unsigned char)name[i]);
        bool prev_low =
            i > 0 && (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]));
        bool next_low = name[i + 1] && islower((unsigned char)name[i + 1]);
        if (up && i > 0 && (prev_low || (next_low && isupper((unsigned char)name[i - 1]))) &&
            k > 0 && out[k - 1] != '_')
            out[k++] = '_';
        out[k++] = (char)tolower((unsigned char)name[i]);
    }
    out[k] = 0;
}

/* The English plural of a snake_case noun, for generated names that read
 * well (rule 7: keep the file's style): category -> categories, address ->
 * addresses, box -> boxes, analysis -> analyses, and a name that already
 * ends in a plural s (flags, news, series) stays as it is. */
static void plural_name(const char *name, char *out, size_t size)
{
    char base[96];
    snake_name(name, base, sizeof base);
    size_t n = strlen(base);
    /* irregular nouns, as the last word of the name (order_child -> order_children) */
    static const char *const irregular[][2] = {
        {"child", "children"}, {"person", "people"},     {"man", "men"},     {"woman", "women"},
        {"mouse", "mice"},     {"foot", "feet"},         {"tooth", "teeth"}, {"goose", "geese"},
        {"datum", "data"},     {"criterion", "criteria"}};
    for (size_t i = 0; i < sizeof irregular / sizeof *irregular; i++) {
        size_t il = strlen(irregular[i][0]);
        if (n >= il && strcmp(base + n - il, irregular[i][0]) == 0 &&
            (n == il || base[n - il - 1] == '_')) {
            snprintf(out, size, "%.*s%s", (int)(n - il), base, irregular[i][1]);
            return;
        }
    }
    const char *end = n ? base + n - 1 : base;
    bool vowel_before = n >= 2 && strchr("aeiou", base[n - 2]);
    if (n >= 2 && strcmp(base + n - 2, "is") == 0)
        snprintf(out, size, "%.*ses", (int)(n - 2), base);
    else if (n >= 2 && (strcmp(base + n - 2, "ss") == 0 || strcmp(base + n - 2, "us") == 0 ||
                        strcmp(base + n - 2, "as") == 0 || strcmp(base + n - 2, "ch") == 0 ||
                        strcmp(base + n - 2, "sh") == 0 || *end == 'x' || *end == 'z'))
        snprintf(out, size, "%ses", base);
    else if (*end == 's')
        snprintf(out, size, "%s", base);
    else if (*end == 'y' && n >= 2 && !vowel_before)
        snprintf(out, size, "%.*sies", (int)(n - 1), base);
    else
        snprintf(out, size, "%ss", base);
}

/* A name for generated code that the file does not use yet: base, else
 * base_2, base_3... (a generated name must not shadow the user's). */
static void fresh_name(file_t *f, const char *base, char *out, size_t size)
{
    snprintf(out, size, "%s", base);
    for (int k = 2; k < 100; k++) {
        size_t bl = strlen(out);
        bool used = false;
        for (const char *at = f->c; (at = strstr(at, out)) != NULL; at += bl) {
            bool left = at == f->c || !(isalnum((unsigned char)at[-1]) || at[-1] == '_');
            bool right = !(isalnum((unsigned char)at[bl]) || at[bl] == '_');
            if (left && right) {
                used = true;
                break;
            }
        }
        if (!used)
            return;
        snprintf(out, size, "%s_%d", base, k);
    }
}

/* The list a bulk insert collects rows in: product_rows for Product. */
static void rows_name(file_t *f, const char *model, char *out, size_t size)
{
    char base[96], r[112];
    snake_name(model, base, sizeof base);
    snprintf(r, sizeof r, "%s_rows", base);
    fresh_name(f, r, out, size);
}

/* The dictionary a grouped query fills: invoices_by_customer_id. */
static void by_name(file_t *f, const char *model, const char *key, char *out, size_t size)
{
    char plural[96], r[200];
    plural_name(model, plural, sizeof plural);
    snprintf(r, sizeof r, "%s_by_%s", plural, key);
    fresh_name(f, r, out, size);
}

/* The SQL shape loading relationship r of m issues: select_by_fk for a collection (the target's
 * foreign key columns to m), select by the target's primary key for a scalar one, a plain select
 * through a secondary table; {shape: none} when the target is unknown. */
static json_t *sql_hint_rel(const sqla_project_t *p, const sqla_model_t *m,
                            const sqla_relationship_t *r)
{
    const sqla_model_t *t = sqla_project_model(p, r->target);
    if (!t || !t->table)
        return json_pack("{s:s}", "shape", "none");
    json_t *cols = json_array();
    const char *shape = "select";
    if (!r->secondary && r->collection) {
        for (size_t i = 0; i < t->ncolumns; i++)
            if (t->columns[i].fk_table && m->table && strcmp(t->columns[i].fk_table, m->table) == 0)
                json_array_append_new(cols, json_string(t->columns[i].column));
        shape = json_array_size(cols) ? "select_by_fk" : "select";
    } else if (!r->secondary) {
        const sqla_column_t *pk = sqla_model_column(t, sqla_model_pk(t));
        json_array_append_new(cols, json_string(pk ? pk->column : "id"));
        shape = "select_by_pk";
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "shape", shape, "table", t->table, "columns", cols,
                     "parent_table", m->table ? json_string(m->table) : json_null());
}

/* The loader options emit_lazy builds for one origin query. */
typedef struct {
    file_t *f;
    origin_t *o;                  /* the query whose rows the loop reads */
    const sqla_model_t *root;     /* its model */
    strbuf_t opts, expl, loaders; /* the options, the explanation, the paths */
    json_t *sql;                  /* the SQL shape of the first relationship loaded */
    char imp_sel, imp_join;       /* selectinload / joinedload used */
    char dynamic[200];            /* a lazy="dynamic" relationship on a path (rule 6) */
    char unnamed[96];             /* a model the query's file has no name for */
} lazy_ctx_t;

/* The loader option chain for one lazily loaded path (a.b.c from the
 * root model): selectinload for collections, joinedload for scalar
 * relationships. Appends it (and the path and its explanation) when the
 * path resolves and is not already eager-loaded by the query; returns
 * whether it did. */
static bool lazy_path(lazy_ctx_t *lc, const char *path_text, const char *via)
{
    file_t *f = lc->f;
    origin_t *o = lc->o;
    /* walk the path's segments, building loader(Model.rel).loader(...) */
    const sqla_model_t *m = lc->root;
    char path[200];
    snprintf(path, sizeof path, "%s", path_text);
    strbuf_t one = {0};
    bool all_eager = true;
    char *save = NULL;
    for (char *seg = strtok_r(path, ".", &save); seg && m; seg = strtok_r(NULL, ".", &save)) {
        const sqla_relationship_t *r = sqla_model_relationship(m, seg);
        if (!r) {
            m = NULL;
            break;
        }
        if (!chain_eager(&o->ch, m->name, seg))
            all_eager = false;
        if (r->lazy == SQLA_LAZY_DYNAMIC && !lc->dynamic[0])
            snprintf(lc->dynamic, sizeof lc->dynamic, "%s.%s", m->name, seg);
        const char *loader = r->collection ? "selectinload" : "joinedload";
        char lref[64], mref[160];
        sqla_ref(f, o->src, loader, "sqlalchemy.orm", lref, sizeof lref, NULL, 0);
        if (r->collection)
            lc->imp_sel = 1;
        else
            lc->imp_join = 1;
        if (!model_ref(f, o->src, &o->ch, m, mref, sizeof mref)) {
            if (!lc->unnamed[0])
                snprintf(lc->unnamed, sizeof lc->unnamed, "%s", m->name);
            snprintf(mref, sizeof mref, "%s", m->name);
        }
        strbuf_printf(&one, "%s%s(%s.%s)", one.len ? "." : "", lref, mref, seg);
        if (!lc->sql)
            lc->sql = sql_hint_rel(f->d->p, m, r);
        m = sqla_project_model(f->d->p, r->target);
    }
    bool kept = false;
    if (m && !all_eager && one.buf) {
        strbuf_printf(&lc->opts, "%s%s", lc->opts.len ? ", " : "", one.buf);
        strbuf_printf(&lc->loaders, "%s%s", lc->loaders.len ? "; " : "", path_text);
        strbuf_printf(&lc->expl, "%s%s.%s is loaded lazily once per %s%s%s",
                      lc->expl.len ? "; " : "", lc->root->name, path_text, lc->root->name,
                      via[0] ? " (via " : "", via[0] ? via : "");
        if (via[0])
            strbuf_add(&lc->expl, ")");
        kept = true;
    }
    free(one.buf);
    return kept;
}

/* The explanation's end and the safety: the loader options to add (rule
 * 6: named exactly as the code will use them), or, without code, a model
 * the query's file cannot name or a dynamic relationship (no loader option
 * can eager-load it). why_unnamed holds the safety text of the first case. */
static void lazy_explain(lazy_ctx_t *lc, safety_t *sf, char *why_unnamed, size_t why_size)
{
    origin_t *o = lc->o;
    char imp[200] = "", imp2[200] = "", ref[64];
    if (lc->imp_sel)
        sqla_ref(lc->f, o->src, "selectinload", "sqlalchemy.orm", ref, sizeof ref, imp, sizeof imp);
    if (lc->imp_join)
        sqla_ref(lc->f, o->src, "joinedload", "sqlalchemy.orm", ref, sizeof ref, imp2, sizeof imp2);
    /* the explanation names exactly the loaders the code uses (rule 6):
     * selectinload for collections (a joinedload of a collection multiplies
     * the parent rows; several of them make a cartesian product),
     * joinedload for many-to-one / one-to-one */
    if (lc->unnamed[0] && !lc->dynamic[0]) {
        snprintf(why_unnamed, why_size,
                 "%s, which the loader option names, is neither imported nor defined in %s",
                 lc->unnamed, pysource_path(o->src));
        strbuf_printf(&lc->expl,
                      ": one SELECT per row of the query at %s:%u. Eager-load it in that query "
                      "with %s, after importing %s there (pgopt does not add imports of your "
                      "models).",
                      pysource_path(o->src), pysource_node_line(o->stmt), lc->opts.buf,
                      lc->unnamed);
        sf->level = "manual";
        sf->text = why_unnamed;
    } else if (lc->dynamic[0]) {
        strbuf_printf(&lc->expl,
                      ": one query per row of the query at %s:%u. %s is lazy=\"dynamic\": a "
                      "query object that no loader option can eager-load (SQLAlchemy raises). "
                      "Fix by hand: read the related rows for all parents in one query (WHERE "
                      "key IN (...)) grouped by key before the loop, or change the relationship "
                      "to lazy=\"select\" and eager-load it with selectinload.",
                      pysource_path(o->src), pysource_node_line(o->stmt), lc->dynamic);
        sf->level = "manual";
        sf->text = "a dynamic relationship cannot be eager-loaded";
    } else {
        strbuf_printf(&lc->expl,
                      ": one SELECT per row of the query at %s:%u. Eager-load it in that "
                      "query with %s (",
                      pysource_path(o->src), pysource_node_line(o->stmt), lc->opts.buf);
        if (lc->imp_sel)
            strbuf_add(&lc->expl, "selectinload: a collection, loaded with one extra SELECT ... "
                                  "WHERE key IN (...) for all rows");
        if (lc->imp_join)
            strbuf_printf(&lc->expl,
                          "%sjoinedload: a many-to-one or one-to-one, loaded in the same "
                          "SELECT with a LEFT OUTER JOIN",
                          lc->imp_sel ? "; " : "");
        strbuf_printf(&lc->expl, "). Loader options change how rows are loaded, not which.%s%s",
                      imp, imp2);
    }
}

/* The lines the finding covers: from the query through the loop when both
 * are in one function of this file within 40 lines, else the query's
 * statement alone (extra then says where the query is). */
static void lazy_range(file_t *f, TSNode anchor, const origin_t *o, json_t *extra, uint32_t *rs,
                       uint32_t *re)
{
    if (o->src == f->src && !o->other_function &&
        ts_node_start_byte(o->stmt) <= ts_node_start_byte(anchor) &&
        pysource_node_line(anchor) + 40 > pysource_node_line(o->stmt) &&
        ts_node_end_point(anchor).row + 1 - pysource_node_line(o->stmt) <= 40) {
        *rs = ts_node_start_byte(o->stmt);
        *re = ts_node_end_byte(anchor);
        if (ts_node_end_byte(o->stmt) > *re)
            *re = ts_node_end_byte(o->stmt);
    } else {
        *rs = ts_node_start_byte(o->stmt);
        *re = ts_node_end_byte(o->stmt);
        json_object_set_new(extra, "query_line", json_integer(pysource_node_line(o->stmt)));
        if (o->via[0])
            json_object_set_new(extra, "query_function", json_string(o->via));
    }
}

/* N+1 through lazy relationships: add loader options to the origin query. */
static void emit_lazy(file_t *f, TSNode anchor, unsigned line, origin_t *o, scan_t *s)
{
    lazy_ctx_t lc;
    memset(&lc, 0, sizeof lc);
    lc.f = f;
    lc.o = o;
    lc.root = o->ch.model;
    /* only the longest paths: a.b.c loads a.b on the way */
    bool keep[MAX_PATHS];
    int kept = 0;
    for (int i = 0; i < s->npaths; i++) {
        keep[i] = true;
        size_t l = strlen(s->paths[i].path);
        for (int j = 0; j < s->npaths; j++)
            if (j != i && strncmp(s->paths[j].path, s->paths[i].path, l) == 0 &&
                s->paths[j].path[l] == '.')
                keep[i] = false;
    }
    for (int i = 0; i < s->npaths; i++)
        if (keep[i] && lazy_path(&lc, s->paths[i].path, s->paths[i].via))
            kept++;
    if (!kept) {
        free(lc.opts.buf);
        free(lc.expl.buf);
        free(lc.loaders.buf);
        json_decref(lc.sql);
        return;
    }
    edits_t ed = {0};
    if (!ts_node_is_null(o->ch.options_args)) {
        char t[700];
        snprintf(t, sizeof t, ", %s", lc.opts.buf);
        uint32_t close = ts_node_end_byte(o->ch.options_args) - 1;
        ed_add(&ed, close, close, t);
    } else {
        char t[700];
        snprintf(t, sizeof t, ".options(%s)", lc.opts.buf);
        uint32_t at = ts_node_end_byte(o->ch.source);
        ed_add(&ed, at, at, t);
    }
    safety_t sf = SAFE_PROVEN;
    char why_unnamed[300];
    lazy_explain(&lc, &sf, why_unnamed, sizeof why_unnamed);
    uint32_t rs, re;
    const pysource_t *rsrc = o->src;
    json_t *extra = json_object();
    json_object_set_new(extra, "loaders", json_string(lc.opts.buf));
    lazy_range(f, anchor, o, extra, &rs, &re);
    emit(f, rsrc, line, "n1_fix", "lazy_load_in_loop", rs, re, &ed, NULL, NULL, lc.expl.buf, lc.sql,
         false, extra, &sf);
    free(lc.opts.buf);
    free(lc.expl.buf);
    free(lc.loaders.buf);
}

/* The == comparison (or filter_by keyword) of a keyed query that
 * references the loop variable. */
typedef struct {
    scan_t *s;
    TSNode cmp, col, key, kw, kwcall;
    const sqla_model_t *model;
} keyed_t;

/* pysource_walk visitor over a query: finds its key, Model.col == <uses the loop variable> (either
 * side) or filter_by(col=<uses it>), and the model; stops at the first. */
static pysource_walk_t keyed_visit(const pysource_t *src, TSNode n, void *ctx)
{
    keyed_t *k = ctx;
    if (is(n, "comparison_operator") && ts_node_named_child_count(n) == 2) {
        TSNode a = ts_node_named_child(n, 0), b = ts_node_named_child(n, 1);
        TSNode op = ts_node_child(n, 1);
        if (!pysource_node_text_is(src, op, "=="))
            return PYSOURCE_WALK_CONTINUE;
        for (int side = 0; side < 2; side++) {
            TSNode colside = side ? b : a, other = side ? a : b;
            const sqla_model_t *m = is(colside, "attribute")
                                        ? model_named(k->s->p, src, field(colside, "object"))
                                        : NULL;
            if (m && references_var(k->s, src, other)) {
                k->cmp = n;
                k->col = colside;
                k->key = other;
                k->model = m;
                return PYSOURCE_WALK_STOP;
            }
        }
    }
    if (is(n, "call") && pysource_call_is(src, n, "filter_by")) {
        TSNode args = field(n, "arguments");
        if (ts_node_named_child_count(args) == 1 &&
            is(ts_node_named_child(args, 0), "keyword_argument")) {
            TSNode kw = ts_node_named_child(args, 0);
            if (references_var(k->s, src, field(kw, "value"))) {
                k->kw = kw;
                k->kwcall = n;
                k->key = field(kw, "value");
                return PYSOURCE_WALK_STOP;
            }
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* One indentation level as the code around a loop writes it: its body's
 * indentation beyond the loop's own (the file's unit when that cannot be
 * read: a one-line loop, a comprehension). */
static void loop_unit(file_t *f, TSNode loop, char *out, size_t size)
{
    snprintf(out, size, "%s", f->unit);
    TSNode body = field(loop, "body");
    if (!is(loop, "for_statement") || ts_node_is_null(body))
        return;
    char li[128], bi[128];
    indent_at(f->c, line_begin(f->c, ts_node_start_byte(loop)), li, sizeof li);
    uint32_t bs = line_begin(f->c, ts_node_start_byte(body));
    if (bs <= line_begin(f->c, ts_node_start_byte(loop)))
        return;
    indent_at(f->c, bs, bi, sizeof bi);
    size_t ll = strlen(li), bl = strlen(bi);
    if (bl > ll && strncmp(li, bi, ll) == 0 && bl - ll < size)
        snprintf(out, size, "%s", bi + ll);
}

/* The model a session write in the loop writes (add(M(...)), add(x) with
 * x = M(...) in the loop, execute(insert/update/delete(M)...)), or NULL
 * when it cannot be told. */
static const sqla_model_t *write_model(file_t *f, TSNode loop_body, TSNode call)
{
    char m[32];
    TSNode obj;
    if (!method_of(f->src, call, &obj, m, sizeof m))
        return NULL;
    TSNode a = unwrap(pysource_call_arg(f->src, call, 0));
    if (ts_node_is_null(a))
        return NULL;
    if (strcmp(m, "add") == 0 || strcmp(m, "merge") == 0) {
        if (is(a, "identifier") && !ts_node_is_null(loop_body)) {
            char an[64];
            text_of(f->src, a, an, sizeof an);
            TSNode st;
            a = unwrap(last_assignment(f->src, loop_body, an, ts_node_start_byte(call), &st));
        }
        return is(a, "call") ? model_named(f->d->p, f->src, field(a, "function")) : NULL;
    }
    if (strcmp(m, "execute") == 0) {
        /* the innermost call of the chain: insert(M) in insert(M).values(...) */
        for (int g = 0; g < 20 && is(a, "call"); g++) {
            TSNode callee = field(a, "function");
            if (is(callee, "identifier")) {
                if (pysource_node_text_is(f->src, callee, "insert") ||
                    pysource_node_text_is(f->src, callee, "update") ||
                    pysource_node_text_is(f->src, callee, "delete"))
                    return model_named(f->d->p, f->src, pysource_call_arg(f->src, a, 0));
                return NULL;
            }
            if (!is(callee, "attribute"))
                return NULL;
            a = unwrap(field(callee, "object"));
        }
    }
    return NULL;
}

/* add(x) / merge(x) of the row the keyed query itself returned (x = the
 * query, earlier in the loop), with no column of x that the query filters
 * on assigned: an UPDATE of a row the prefetch finds just the same
 * (placement's root-provider update), not a row it would miss. */
typedef struct {
    const char *name;
    TSNode q;
    bool key_store;
} fetched_t;

/* pysource_walk visitor: whether the loop stores into a column of the fetched row that the query
 * names (then the row's key may change: ft->key_store). */
static pysource_walk_t keystore_visit(const pysource_t *src, TSNode n, void *ctx)
{
    fetched_t *ft = ctx;
    if (is(n, "assignment") || is(n, "augmented_assignment")) {
        TSNode left = field(n, "left");
        if (is(left, "attribute") && pysource_node_text_is(src, field(left, "object"), ft->name)) {
            /* a column the query names (filter_by(id=...), X.id == ...) */
            size_t al, ql;
            const char *a = pysource_node_span(src, field(left, "attribute"), &al);
            const char *qt = pysource_node_span(src, ft->q, &ql);
            for (size_t k = 0; k + al <= ql; k++)
                if (memcmp(qt + k, a, al) == 0 && (k == 0 || !isalnum((unsigned char)qt[k - 1])) &&
                    (k + al == ql || !isalnum((unsigned char)qt[k + al]))) {
                    ft->key_store = true;
                    return PYSOURCE_WALK_STOP;
                }
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether a write in the loop adds back the row the keyed query fetched (x = query...;
 * session.add(x)) without changing its key: then it writes no row a later item must find. */
static bool adds_fetched_row(file_t *f, TSNode loop_body, TSNode call, TSNode q)
{
    char m[32];
    TSNode obj;
    if (!method_of(f->src, call, &obj, m, sizeof m) ||
        (strcmp(m, "add") != 0 && strcmp(m, "merge") != 0))
        return false;
    TSNode a = unwrap(pysource_call_arg(f->src, call, 0));
    if (!is(a, "identifier"))
        return false;
    char name[64];
    text_of(f->src, a, name, sizeof name);
    TSNode st;
    TSNode v = unwrap(last_assignment(f->src, loop_body, name, ts_node_start_byte(call), &st));
    if (!same_node(v, unwrap(q)))
        return false;
    fetched_t ft = {name, q, false};
    pysource_walk(f->src, loop_body, keystore_visit, &ft);
    return !ft.key_store;
}

typedef struct {
    scan_t *s;
    TSNode allowed; /* the comparison / keyword the IN replaces */
    bool other;     /* the loop variable appears elsewhere in the query */
} otherref_t;

/* pysource_walk visitor over a query: sets o->other when a loop variable is used anywhere but the
 * allowed key comparison (x.c and c=... do not name c). */
static pysource_walk_t otherref_visit(const pysource_t *src, TSNode n, void *ctx)
{
    otherref_t *o = ctx;
    if (same_node(n, o->allowed))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (o->other)
        return PYSOURCE_WALK_STOP;
    /* only the object of an attribute and the value of a keyword are
     * references (x.c and c=... do not name c) */
    if (is(n, "attribute")) {
        pysource_walk(src, field(n, "object"), otherref_visit, o);
        return o->other ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "keyword_argument")) {
        pysource_walk(src, field(n, "value"), otherref_visit, o);
        return o->other ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "identifier")) {
        char t[64];
        text_of(src, n, t, sizeof t);
        if (var_find(o->s, t)) {
            o->other = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* A method in the query chain that applies per query, not per key:
 * LIMIT/OFFSET, slicing, DISTINCT, GROUP BY, a row lock. */
static const char *per_query_method(const pysource_t *src, TSNode q)
{
    TSNode n = unwrap(q);
    for (int g = 0; g < 40 && !ts_node_is_null(n); g++) {
        if (is(n, "subscript"))
            return "a slice";
        if (!is(n, "call") && !is(n, "attribute"))
            return NULL;
        TSNode callee = is(n, "call") ? field(n, "function") : n;
        if (!is(callee, "attribute")) {
            /* select(M).limit(...) reaches select(...): arguments may hold more */
            return NULL;
        }
        const char *bad[] = {"limit",  "offset",          "slice", "distinct", "group_by",
                             "having", "with_for_update", "fetch", "paginate", "yield_per"};
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
            if (pysource_node_text_is(src, field(callee, "attribute"), bad[i]))
                return bad[i];
        n = unwrap(field(callee, "object"));
    }
    return NULL;
}

/* Whether the iterable can be iterated twice with the same items: a name
 * bound in the function to a list/tuple/set display, a list comprehension,
 * list()/sorted()/tuple()/set() or a query's .all(). */
static bool iterable_is_sequence(file_t *f, TSNode scope, TSNode iter, uint32_t before)
{
    TSNode it = unwrap(iter);
    for (int g = 0; g < 4 && is(it, "identifier"); g++) {
        char name[96];
        text_of(f->src, it, name, sizeof name);
        TSNode st;
        TSNode v = last_assignment(f->src, scope, name, before, &st);
        if (ts_node_is_null(v))
            return false;
        before = ts_node_start_byte(v);
        it = unwrap(v);
    }
    if (is(it, "list") || is(it, "tuple") || is(it, "set") || is(it, "list_comprehension") ||
        is(it, "set_comprehension") || is(it, "dictionary"))
        return true;
    if (is(it, "call")) {
        TSNode callee = field(it, "function");
        if (is(callee, "identifier"))
            return pysource_node_text_is(f->src, callee, "list") ||
                   pysource_node_text_is(f->src, callee, "sorted") ||
                   pysource_node_text_is(f->src, callee, "tuple") ||
                   pysource_node_text_is(f->src, callee, "set");
        if (is(callee, "attribute"))
            return pysource_node_text_is(f->src, field(callee, "attribute"), "all");
    }
    return false;
}

/* One query_in_loop rewrite being built by emit_keyed. */
typedef struct {
    file_t *f;
    chain_t ch;          /* the keyed query's chain */
    TSNode q;            /* the query in the loop */
    const char *var;     /* the loop variable */
    char iter_text[256]; /* the iterable as written */
    char sess[128];      /* the session as written (or Flask's / the usual name) */
    const char *aw;      /* "await " for an awaited query */
    char mref[160];      /* the model as the code names it */
    edits_t ed;          /* the query replaced by a dictionary lookup */
    strbuf_t pre, expl;  /* the prefetch before the loop, the explanation */
    json_t *sql;         /* the SQL shape of the prefetch */
} keyed_ctx_t;

/* session.get(Model, key) per item: one query by primary key IN (...)
 * before the loop into a dictionary, the get replaced by a lookup. */
static void keyed_by_pk(keyed_ctx_t *kc)
{
    file_t *f = kc->f;
    const sqla_model_t *m = kc->ch.model;
    const char *pk = sqla_model_pk(m);
    char key[256], name[128], sel[64], imp[160] = "";
    text_of(f->src, kc->ch.get_key, key, sizeof key);
    by_name(f, m->name, pk, name, sizeof name);
    if (kc->ch.session[0] && file_api2(f)) {
        sqla_ref(f, f->src, "select", "sqlalchemy", sel, sizeof sel, imp, sizeof imp);
        strbuf_printf(&kc->pre,
                      "%s = {row.%s: row for row in (%s%s.scalars(%s(%s).where(%s.%s.in_({%s for "
                      "%s in %s}))))}",
                      name, pk, kc->aw, kc->sess, sel, kc->mref, kc->mref, pk, key, kc->var,
                      kc->iter_text);
    } else if (kc->ch.session[0])
        strbuf_printf(
            &kc->pre,
            "%s = {row.%s: row for row in %s.query(%s).filter(%s.%s.in_({%s for %s in %s}))}", name,
            pk, kc->sess, kc->mref, kc->mref, pk, key, kc->var, kc->iter_text);
    else
        strbuf_printf(&kc->pre,
                      "%s = {row.%s: row for row in %s.query.filter(%s.%s.in_({%s for %s in %s}))}",
                      name, pk, kc->mref, kc->mref, pk, key, kc->var, kc->iter_text);
    char rep[400];
    snprintf(rep, sizeof rep, "%s.get(%s)", name, key);
    ed_add(&kc->ed, ts_node_start_byte(kc->q), ts_node_end_byte(kc->q), rep);
    const sqla_column_t *pc = sqla_model_column(m, pk);
    kc->sql = json_pack("{s:s, s:s?, s:[s]}", "shape", "select_by_pk", "table", m->table, "columns",
                        pc ? pc->column : pk);
    strbuf_printf(
        &kc->expl,
        "%s is fetched by primary key once per iteration over %s: one round trip each. One "
        "query with %s.%s IN (...) before the loop fetches them all; the loop reads a "
        "dictionary.%s",
        m->name, kc->iter_text, m->name, pk, imp);
}

/* A query filtered by column == loop key (or filter_by(column=key)) per
 * item, ending in .all(), .first(), .one() or their scalar forms: the same
 * query with column IN (all keys) and .all() before the loop, grouped by
 * the column into a dictionary; the query replaced by a lookup. Returns
 * false, with a note, when the query has another form. */
static bool keyed_by_column(keyed_ctx_t *kc, TSNode anchor, unsigned line, scan_t *s)
{
    file_t *f = kc->f;
    const char *var = kc->var, *iter_text = kc->iter_text;
    keyed_t k;
    memset(&k, 0, sizeof k);
    k.s = s;
    pysource_walk(f->src, kc->q, keyed_visit, &k);
    const sqla_model_t *m = k.model ? k.model : kc->ch.model;
    if (ts_node_is_null(k.key) || !m) {
        note(f->d,
             "%s:%u query_in_loop: a query per iteration keyed by %s in a form pgopt "
             "does not rewrite (not a single == or filter_by)",
             pysource_path(f->src), line, var);
        return false;
    }
    char col[96], key[256], name[128];
    if (!ts_node_is_null(k.col))
        text_of(f->src, field(k.col, "attribute"), col, sizeof col);
    else
        text_of(f->src, field(k.kw, "name"), col, sizeof col);
    text_of(f->src, k.key, key, sizeof key);
    const char *t = kc->ch.terminal;
    const char *mode = NULL; /* list, first, one */
    if (strcmp(t, "all") == 0)
        mode = "list";
    else if (strcmp(t, "first") == 0 || strcmp(t, "one_or_none") == 0 ||
             strcmp(t, "scalar_one_or_none") == 0)
        mode = "first";
    else if (strcmp(t, "one") == 0 || strcmp(t, "scalar_one") == 0)
        mode = "one";
    if (!mode || ts_node_is_null(kc->ch.terminal_name)) {
        note(f->d,
             "%s:%u query_in_loop: a query per iteration keyed by %s ending in .%s(); pgopt "
             "rewrites only .all(), .first(), .one() and their scalar forms",
             pysource_path(f->src), line, var, t[0] ? t : "?");
        return false;
    }
    by_name(f, m->name, col, name, sizeof name);
    /* the grouped query: the same text with IN and .all() */
    edits_t g = {0};
    char rep[700];
    if (!ts_node_is_null(k.cmp)) {
        char ct[200];
        text_of(f->src, k.col, ct, sizeof ct);
        snprintf(rep, sizeof rep, "%s.in_({%s for %s in %s})", ct, key, var, iter_text);
        ed_add(&g, ts_node_start_byte(k.cmp), ts_node_end_byte(k.cmp), rep);
    } else {
        TSNode callee = field(k.kwcall, "function");
        char kref[160];
        if (!model_ref(f, f->src, &kc->ch, m, kref, sizeof kref))
            snprintf(kref, sizeof kref, "%s", m->name);
        snprintf(rep, sizeof rep, "filter(%s.%s.in_({%s for %s in %s}))", kref, col, key, var,
                 iter_text);
        ed_add(&g, ts_node_start_byte(field(callee, "attribute")), ts_node_end_byte(k.kwcall), rep);
    }
    bool on_exec = strcmp(t, "scalar_one") == 0 || strcmp(t, "scalar_one_or_none") == 0;
    ed_add(&g, ts_node_start_byte(kc->ch.terminal_name), ts_node_end_byte(kc->ch.terminal_name),
           on_exec ? "scalars().all" : "all");
    char *grouped = ed_apply(f->c, ts_node_start_byte(kc->q), ts_node_end_byte(kc->q), &g);
    ed_free(&g);
    if (!grouped)
        return false;
    /* rule 7: a multi-line iterable of a for needs parentheses, and the
     * new loop indents as the code around it does */
    char unit[16];
    loop_unit(f, anchor, unit, sizeof unit);
    bool multiline = strchr(grouped, '\n') != NULL;
    strbuf_printf(&kc->pre, "%s = {}\nfor row in %s%s%s:\n%s%s.setdefault(row.%s, []).append(row)",
                  name, multiline ? "(" : "", grouped, multiline ? ")" : "", unit, name, col);
    free(grouped);
    if (strcmp(mode, "list") == 0)
        snprintf(rep, sizeof rep, "%s.get(%s, [])", name, key);
    else if (strcmp(mode, "first") == 0)
        snprintf(rep, sizeof rep, "next(iter(%s.get(%s, [])), None)", name, key);
    else
        snprintf(rep, sizeof rep, "%s[%s][0]", name, key);
    ed_add(&kc->ed, ts_node_start_byte(kc->q), ts_node_end_byte(kc->q), rep);
    const sqla_column_t *cc = sqla_model_column(m, col);
    kc->sql = json_pack("{s:s, s:s?, s:[s]}", "shape", "select_by_fk", "table", m->table, "columns",
                        cc ? cc->column : col);
    strbuf_printf(
        &kc->expl,
        "a %s query keyed by %s runs once per iteration over %s: one round trip each. One "
        "query with %s.%s IN (...) before the loop, grouped by %s in a dictionary, replaces "
        "them.",
        m->name, var, iter_text, m->name, col, col);
    return true;
}

/* Rule 3: why one query before the loop would not be the same (into why,
 * "" when it would): the loop writes rows of the queried table that a
 * later item must find (get-or-create), writes in more places than pgopt
 * follows, the query uses the loop variable beyond its key, or it has a
 * per-query clause (LIMIT, a slice...) that cannot become per key. */
static void keyed_unsafe_reason(keyed_ctx_t *kc, TSNode anchor, scan_t *s, char *why,
                                size_t why_size)
{
    file_t *f = kc->f;
    TSNode q = kc->q;
    TSNode loop_body = is(anchor, "for_statement") ? field(anchor, "body") : anchor;
    const sqla_model_t *qm = kc->ch.model;
    for (int i = 0; i < s->nwrites && !why[0]; i++) {
        if (adds_fetched_row(f, loop_body, s->writes[i], q))
            continue;
        const sqla_model_t *wm = write_model(f, loop_body, s->writes[i]);
        if (!wm || wm == qm || (qm && wm->table && qm->table && strcmp(wm->table, qm->table) == 0))
            snprintf(why, why_size,
                     "the loop also writes %s rows (line %u), which a query run once before the "
                     "loop would not see (a row created for one item must be found for the "
                     "next)",
                     wm ? wm->name : "database", pysource_node_line(s->writes[i]));
    }
    if (!why[0] && s->writes_overflow)
        snprintf(why, why_size, "the loop writes rows in more places than pgopt follows");
    otherref_t orf;
    memset(&orf, 0, sizeof orf);
    orf.s = s;
    if (!why[0] && kc->ch.api != 4) {
        keyed_t k2;
        memset(&k2, 0, sizeof k2);
        k2.s = s;
        pysource_walk(f->src, q, keyed_visit, &k2);
        orf.allowed = !ts_node_is_null(k2.cmp) ? k2.cmp : k2.kw;
        pysource_walk(f->src, q, otherref_visit, &orf);
        if (orf.other)
            snprintf(why, why_size,
                     "the query uses %s in more than its key, so one query for all keys is not "
                     "the same query",
                     kc->var);
        const char *pq = per_query_method(f->src, q);
        if (!why[0] && pq)
            snprintf(why, why_size,
                     "the query has %s%s, which applies to each per-item query and would apply "
                     "to all keys at once in a grouped one",
                     pq, strcmp(pq, "a slice") == 0 ? "" : "()");
    }
}

/* The conditions a safe rewrite still depends on (into cond, "" when
 * none): the iterable can be read twice with the same items, and with
 * .one() every key has exactly one row. */
static void keyed_conditions(keyed_ctx_t *kc, TSNode anchor, TSNode iter, TSNode scope, char *cond,
                             size_t cond_size)
{
    cond[0] = 0;
    if (!iterable_is_sequence(kc->f, scope, iter, ts_node_start_byte(anchor)))
        snprintf(cond, cond_size,
                 "%s is a sequence that can be iterated twice with the same items (a list or "
                 "tuple, not a generator, iterator or Result): the rewrite reads it once for "
                 "the keys and once for the loop",
                 kc->iter_text);
    if (kc->ch.api != 4 && strcmp(kc->ch.terminal, "one") == 0)
        snprintf(cond + strlen(cond), cond_size - strlen(cond),
                 "%severy key has exactly one row (.one() raised NoResultFound or "
                 "MultipleResultsFound; the lookup raises KeyError or takes the first row)",
                 cond[0] ? "; and " : "");
}

/* query_in_loop for the query s->keyed, keyed by the loop variable var
 * over iter: a prefetch before the loop and a dictionary lookup in it
 * (safety proven or conditional), or the finding without code when one
 * query would not be the same (keyed_unsafe_reason). A query of another
 * form, or over an iterable that is not a plain name, gets a note. */
static void emit_keyed(file_t *f, TSNode anchor, unsigned line, TSNode iter, const char *var,
                       scan_t *s, bool is_async, TSNode scope)
{
    keyed_ctx_t kc;
    memset(&kc, 0, sizeof kc);
    kc.f = f;
    kc.q = s->keyed;
    kc.var = var;
    if (!analyze_chain(f->d->p, f->src, kc.q, &kc.ch))
        return;
    (void)is_async;
    TSNode it = unwrap(iter);
    if (!is(it, "identifier") && !is(it, "attribute")) {
        note(f->d,
             "%s:%u query_in_loop: a query per iteration keyed by %s, but the iterable is not a "
             "plain name, so no grouped rewrite is proposed",
             pysource_path(f->src), line, var);
        return;
    }
    text_of(f->src, it, kc.iter_text, sizeof kc.iter_text);
    snprintf(kc.sess, sizeof kc.sess, "%s",
             kc.ch.session[0] ? kc.ch.session
             : file_flask(f)  ? "db.session"
                              : "session");
    kc.aw = kc.ch.awaited ? "await " : "";
    if (!model_ref(f, f->src, &kc.ch, kc.ch.model, kc.mref, sizeof kc.mref))
        snprintf(kc.mref, sizeof kc.mref, "%s", kc.ch.model->name);
    if (kc.ch.api == 4)
        keyed_by_pk(&kc);
    else if (!keyed_by_column(&kc, anchor, line, s))
        return;
    safety_t sf = SAFE_PROVEN;
    char why[600] = "";
    keyed_unsafe_reason(&kc, anchor, s, why, sizeof why);
    char cond[600];
    if (why[0]) {
        free(kc.pre.buf);
        ed_free(&kc.ed);
        kc.pre.buf = NULL;
        strbuf_printf(&kc.expl,
                      " Not rewritten: %s. Fix by hand only if that does not matter here: "
                      "collect the keys, run one IN query before the loop, and look rows up in "
                      "a dictionary.",
                      why);
        sf.level = "manual";
        sf.text = why;
    } else {
        keyed_conditions(&kc, anchor, iter, scope, cond, sizeof cond);
        if (cond[0]) {
            sf.level = "conditional";
            sf.text = cond;
        }
    }
    emit(f, f->src, line, "n1_fix", "query_in_loop", ts_node_start_byte(anchor),
         ts_node_end_byte(anchor), &kc.ed, kc.pre.buf, NULL, kc.expl.buf, kc.sql, false, NULL, &sf);
    free(kc.pre.buf);
    free(kc.expl.buf);
}

/* Deletes a simple statement's line(s), or replaces it with pass when it is
 * alone in its block. */
static void delete_statement(file_t *f, edits_t *ed, TSNode call)
{
    TSNode st = enclosing_statement(call);
    TSNode block = ts_node_parent(st);
    if (ts_node_named_child_count(block) > 1) {
        /* the line with the newline before it: with the one after it, the
         * last statement of a loop reached past the rewritten region, and
         * ed_apply dropped the edit (a commit stayed in the loop) */
        uint32_t s = line_begin(f->c, ts_node_start_byte(st));
        uint32_t e = line_end(f->c, f->len, ts_node_end_byte(st));
        if (s > 0)
            s--;
        else if (e < f->len)
            e++;
        ed_add(ed, s, e, "");
    } else {
        ed_add(ed, ts_node_start_byte(st), ts_node_end_byte(st), "pass");
    }
}

static bool body_uses_only(file_t *f, TSNode body, const char *name, TSNode allowed_add,
                           edits_t *ed, const sqla_model_t *m, char *why, size_t size);

/* A comment in the loop (or right above it) that says the per-item commit
 * is meant: words of intent, or words about committing per item. */
static const char *intent_comment(file_t *f, TSNode loop, char *buf, size_t size);

typedef struct {
    file_t *f;
    char *buf;
    size_t size;
    bool found;
} intent_t;

/* Whether a comment says the per-item work is on purpose ("deliberate", "one at a time", "commit
 * per item", ...). */
static bool comment_says_intent(const char *text)
{
    char low[512];
    size_t k = 0;
    for (; text[k] && k + 1 < sizeof low; k++)
        low[k] = (char)tolower((unsigned char)text[k]);
    low[k] = 0;
    const char *strong[] = {"intention",   "deliberate",    "on purpose",  "do not batch",
                            "don't batch", "dont batch",    "must commit", "needs to commit",
                            "isolat",      "one at a time", "independent", "individually",
                            "separately"};
    for (size_t i = 0; i < sizeof strong / sizeof *strong; i++)
        if (strstr(low, strong[i]))
            return true;
    const char *per[] = {"per item", "per-item",   "per row",   "per-row",     "each item",
                         "each row", "every item", "every row", "each record", "per record",
                         "partial",  "progress",   "so that"};
    if (strstr(low, "commit") || strstr(low, "transaction"))
        for (size_t i = 0; i < sizeof per / sizeof *per; i++)
            if (strstr(low, per[i]))
                return true;
    return false;
}

/* pysource_walk visitor: the first comment saying the per-item work is intended goes to it->buf. */
static pysource_walk_t intent_visit(const pysource_t *src, TSNode n, void *ctx)
{
    intent_t *it = ctx;
    if (is(n, "comment")) {
        char t[512];
        text_of(src, n, t, sizeof t);
        if (comment_says_intent(t)) {
            snprintf(it->buf, it->size, "%s", t);
            it->found = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* A comment in the loop or right above it saying the per-item work is intended, into buf; NULL
 * when there is none. */
static const char *intent_comment(file_t *f, TSNode loop, char *buf, size_t size)
{
    intent_t it = {f, buf, size, false};
    pysource_walk(f->src, loop, intent_visit, &it);
    /* the comment lines right above the loop */
    for (TSNode p = ts_node_prev_sibling(loop); !it.found && is(p, "comment");
         p = ts_node_prev_sibling(p))
        intent_visit(f->src, p, &it);
    return it.found ? buf : NULL;
}

/* Names added to the session in the loop (add(x)) whose attributes the
 * loop reads without setting them (not a constructor keyword, never
 * assigned x.attr = ...): such a value (a primary key, a default) is
 * generated by the database at flush, so the per-item commit (which
 * flushes) cannot just go. */
typedef struct {
    file_t *f;
    const char *name;
    TSNode ctor;
    TSNode body;
    char attr[64];
    unsigned line;
} genread_t;

static bool attr_set_explicitly(file_t *f, TSNode body, const char *name, TSNode ctor,
                                const char *attr);

/* pysource_walk visitor: the first read of name.attr (not a store) where attr is not set
 * explicitly on the object, i.e. a value the database generates, into g->attr and g->line. */
static pysource_walk_t genread_visit(const pysource_t *src, TSNode n, void *ctx)
{
    genread_t *g = ctx;
    if (g->attr[0])
        return PYSOURCE_WALK_STOP;
    if (is(n, "assignment") || is(n, "augmented_assignment")) {
        /* x.attr = ... is a store, its right side may read */
        TSNode left = field(n, "left");
        if (!is(left, "attribute"))
            pysource_walk(src, left, genread_visit, g);
        pysource_walk(src, field(n, "right"), genread_visit, g);
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "attribute") && is(field(n, "object"), "identifier") &&
        pysource_node_text_is(src, field(n, "object"), g->name)) {
        char a[64];
        text_of(src, field(n, "attribute"), a, sizeof a);
        if (!attr_set_explicitly(g->f, g->body, g->name, g->ctor, a)) {
            snprintf(g->attr, sizeof g->attr, "%s", a);
            g->line = pysource_node_line(n);
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

typedef struct {
    const char *name, *attr;
    bool set;
} attrset_t;

/* pysource_walk visitor: stops (a->set) at an assignment name.attr = .... */
static pysource_walk_t attrset_visit(const pysource_t *src, TSNode n, void *ctx)
{
    attrset_t *a = ctx;
    if (is(n, "assignment")) {
        TSNode left = field(n, "left");
        if (is(left, "attribute") && pysource_node_text_is(src, field(left, "object"), a->name) &&
            pysource_node_text_is(src, field(left, "attribute"), a->attr)) {
            a->set = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether attr of the object name is set by the code: a keyword of its constructor call ctor or an
 * assignment in body. */
static bool attr_set_explicitly(file_t *f, TSNode body, const char *name, TSNode ctor,
                                const char *attr)
{
    if (is(ctor, "call") && !ts_node_is_null(pysource_call_kwarg(f->src, ctor, attr)))
        return true;
    attrset_t a = {name, attr, false};
    pysource_walk(f->src, body, attrset_visit, &a);
    return a.set;
}

/* Whether the loop reads, from an object it adds, an attribute the code never sets (a primary key
 * or default the database fills at flush, None until then): why says where. Returns true when it
 * does. */
static bool reads_generated_value(file_t *f, TSNode body, scan_t *s, char *why, size_t size)
{
    for (int i = 0; i < s->nwrites; i++) {
        char m[32];
        TSNode obj;
        if (!method_of(f->src, s->writes[i], &obj, m, sizeof m) || strcmp(m, "add") != 0)
            continue;
        TSNode a = unwrap(pysource_call_arg(f->src, s->writes[i], 0));
        if (!is(a, "identifier"))
            continue;
        char name[64];
        text_of(f->src, a, name, sizeof name);
        genread_t g;
        memset(&g, 0, sizeof g);
        g.f = f;
        g.name = name;
        g.body = body;
        TSNode st;
        g.ctor = unwrap(last_assignment(f->src, body, name, ts_node_start_byte(s->writes[i]), &st));
        pysource_walk(f->src, body, genread_visit, &g);
        if (g.attr[0]) {
            snprintf(why, size,
                     "line %u reads %s.%s, which the constructor does not set: a value the "
                     "database generates at flush (a primary key, a default) and None until then",
                     g.line, name, g.attr);
            return true;
        }
    }
    return false;
}

/* Where name is bound inside n (an assignment, a with ... as, a for
 * target): its line, or 0. */
typedef struct {
    const char *name;
    unsigned line;
} bound_t;

/* pysource_walk visitor: the line where b->name is bound (assignment, for target, as alias); stops
 * there. */
static pysource_walk_t bound_visit(const pysource_t *src, TSNode n, void *ctx)
{
    bound_t *b = ctx;
    TSNode target;
    memset(&target, 0, sizeof target);
    if (is(n, "assignment") || is(n, "for_statement"))
        target = field(n, "left");
    else if (is(n, "as_pattern"))
        target = field(n, "alias");
    if (is(target, "as_pattern_target"))
        target = ts_node_named_child(target, 0);
    if (is(target, "identifier") && pysource_node_text_is(src, target, b->name)) {
        b->line = pysource_node_line(n);
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The line where name is bound inside n, or 0. */
static unsigned bound_inside(file_t *f, TSNode n, const char *name)
{
    bound_t b = {name, 0};
    pysource_walk(f->src, n, bound_visit, &b);
    return b.line;
}

/* commit_in_loop: the per-item commits move to one commit after the loop (conditional: all or
 * nothing), or, rule 4, are kept and explained when a new session is made per item, errors are
 * caught per item, the commit is in a with block or a comment says it is meant. why_not_bulk says
 * why an add_in_loop rewrite was not made (orm_objects: the loop adds ORM objects). */
static void emit_commit(file_t *f, TSNode loop, unsigned line, scan_t *s, bool is_async,
                        bool orm_objects, const char *why_not_bulk)
{
    char sess[128];
    TSNode obj;
    char m[32];
    method_of(f->src, s->commits[0], &obj, m, sizeof m);
    text_of(f->src, obj, sess, sizeof sess);
    edits_t ed = {0};
    strbuf_t post = {0}, expl = {0};
    const char *aw = is_async ? "await " : "";
    safety_t sf = {"conditional",
                   "the items may be committed all or nothing: with one COMMIT after the loop, "
                   "a failure at one item no longer keeps the items before it, and nothing is "
                   "visible to other sessions until the loop ends"};
    char why[600] = "", cmt[300];
    /* the session itself is made per item: a commit after the loop would
     * commit only the last one (seen in OpenStack Octavia) */
    char root[128];
    snprintf(root, sizeof root, "%s", sess);
    root[strcspn(root, ".[(")] = 0;
    unsigned made = root[0] ? bound_inside(f, field(loop, "body"), root) : 0;
    /* rule 4: a per-item commit that is meant stays */
    if (made)
        snprintf(why, sizeof why,
                 "%s is a new session per item (line %u): one commit after the loop would "
                 "commit only the last item's session; create one session before the loop "
                 "first (session_per_iteration)",
                 root, made);
    else if (s->except_in_loop && (s->commit_in_try || s->rollback_in_except))
        snprintf(why, sizeof why,
                 "the loop catches errors per item %s, so one failing item does not undo the "
                 "others: the per-item transaction is deliberate isolation",
                 s->commit_in_try && s->rollback_in_except ? "around the commit and rolls back"
                 : s->commit_in_try                        ? "around the commit"
                                    : "and rolls the failed item back before its commit");
    else if (s->commit_in_with)
        snprintf(why, sizeof why,
                 "the commit is inside a with block in the loop (a session or transaction "
                 "scope per item), and moving it out of the block changes what the block "
                 "commits and closes");
    else if (intent_comment(f, loop, cmt, sizeof cmt))
        snprintf(why, sizeof why, "a comment says the per-item commit is intended (%s)", cmt);
    if (why[0]) {
        strbuf_printf(&expl,
                      "%s.commit() runs once per iteration: a COMMIT (a WAL flush) per item. Kept: "
                      "%s. If per-item durability is not needed after all, commit once after "
                      "the loop (or use a SAVEPOINT per item, begin_nested(), to keep the "
                      "isolation with one COMMIT); pgopt does not change it.",
                      sess, why);
        sf.level = "manual";
        sf.text = why;
        json_t *extra = made ? NULL : json_pack("{s:b}", "deliberate", 1);
        emit(f, f->src, line, "session_fix", "commit_in_loop", ts_node_start_byte(loop),
             ts_node_end_byte(loop), &ed, NULL, NULL, expl.buf,
             json_pack("{s:s}", "shape", "commit"), false, extra, &sf);
        free(expl.buf);
        return;
    }
    /* rule 1: reads of database-generated values need the flush the commit
     * did: keep a flush per item, drop only the COMMIT */
    char gen[400] = "";
    bool flush = reads_generated_value(f, field(loop, "body"), s, gen, sizeof gen);
    for (int i = 0; i < s->ncommits; i++) {
        if (flush)
            ed_add(&ed, ts_node_start_byte(field(field(s->commits[i], "function"), "attribute")),
                   ts_node_end_byte(field(field(s->commits[i], "function"), "attribute")), "flush");
        else
            delete_statement(f, &ed, s->commits[i]);
    }
    strbuf_printf(&post, "%s%s.commit()", aw, sess);
    if (flush)
        strbuf_printf(&expl,
                      "%s.commit() runs once per iteration: a COMMIT (a WAL flush) per item. The "
                      "loop needs each item flushed (%s), so the commit becomes a flush (the "
                      "INSERT still runs per item and assigns the value) and one COMMIT after "
                      "the loop ends the transaction.",
                      sess, gen);
    else
        strbuf_printf(&expl,
                      "%s.commit() runs once per iteration: a COMMIT (a WAL flush) per item. One "
                      "transaction for the loop commits once.",
                      sess);
    if (orm_objects)
        strbuf_add(&expl,
                   " Each commit also expires every loaded object (expire_on_commit=True), so "
                   "the next iteration's attribute reads SELECT its row again: that reload per "
                   "item disappears too.");
    if (why_not_bulk)
        strbuf_printf(&expl, " %s", why_not_bulk);
    emit(f, f->src, line, "session_fix", "commit_in_loop", ts_node_start_byte(loop),
         ts_node_end_byte(loop), &ed, NULL, post.buf, expl.buf,
         json_pack("{s:s}", "shape", "commit"), false, NULL, &sf);
    free(post.buf);
    free(expl.buf);
}

/* Whether name is one of dotted's components (Note in models.Note.body). */
static bool dotted_has(const char *dotted, const char *name)
{
    size_t nl = strlen(name);
    for (const char *at = strstr(dotted, name); at; at = strstr(at + 1, name))
        if ((at == dotted || at[-1] == '.') && (at[nl] == 0 || at[nl] == '.'))
            return true;
    return false;
}

/* Every `listens_for(X` / `event.listen(X` in the project: X as written
 * (models.User, Note.body, Mapper, db.Model...) and the file, as
 * [[target, path], ...]. A text search: the calls' first argument is all
 * that matters, and most files have none. */
static json_t *read_listeners(const sqla_project_t *p)
{
    json_t *out = json_array();
    for (size_t i = 0; i < sqla_project_file_count(p); i++) {
        size_t len;
        const char *c = sqla_project_content(p, i, &len);
        const char *pats[] = {"listens_for(", "event.listen("};
        for (size_t k = 0; k < 2; k++) {
            size_t pl = strlen(pats[k]);
            for (const char *at = c; at && (size_t)(at - c) + pl <= len;) {
                at = memmem(at, len - (size_t)(at - c), pats[k], pl);
                if (!at)
                    break;
                const char *a = at + pl;
                while ((size_t)(a - c) < len && (*a == ' ' || *a == '\n'))
                    a++;
                size_t n = 0;
                while ((size_t)(a - c) + n < len &&
                       (isalnum((unsigned char)a[n]) || a[n] == '_' || a[n] == '.'))
                    n++;
                /* kept dotted: models.User, Note.body, db.Model */
                char target[96];
                snprintf(target, sizeof target, "%.*s", (int)(n < 95 ? n : 95), a);
                if (target[0])
                    json_array_append_new(out,
                                          json_pack("[s, s]", target, sqla_project_path(p, i)));
                at += pl;
            }
        }
    }
    return out;
}

/* Rule 2: what a plain-dict INSERT of model m skips that adding objects
 * does - inheritance (the polymorphic identity, the joined tables), code in
 * the class (__init__, @validates, property setters), mapper arguments,
 * event listeners. Writes the reason to why; false when none applies. */
static bool orm_insert_behaviour(file_t *f, const sqla_model_t *m, char *why, size_t size)
{
    const sqla_project_t *p = f->d->p;
    if (m->parent) {
        snprintf(why, size,
                 "%s inherits from the mapped class %s (single-table or joined inheritance): a "
                 "plain INSERT sets no polymorphic identity and fills no parent table",
                 m->name, m->parent);
        return true;
    }
    for (size_t i = 0; i < sqla_project_model_count(p); i++) {
        const sqla_model_t *o = sqla_project_model_at(p, i);
        if (o->parent && strcmp(o->parent, m->name) == 0) {
            snprintf(why, size,
                     "%s is the base of the mapped class %s (an inheritance hierarchy): a plain "
                     "INSERT sets no polymorphic identity",
                     m->name, o->name);
            return true;
        }
    }
    if (m->mapper_args) {
        snprintf(why, size,
                 "%s has __mapper_args__ (a polymorphic identity, a version counter...), which "
                 "only the ORM's unit of work applies",
                 m->name);
        return true;
    }
    if (m->custom_init) {
        snprintf(why, size, "%s defines __init__, which a plain dict row never runs", m->name);
        return true;
    }
    if (m->validates) {
        snprintf(why, size,
                 "%s runs code when attributes are set (@validates or a property setter), which "
                 "a plain dict row skips",
                 m->name);
        return true;
    }
    /* event listeners: listens_for(M, ...) / event.listen(M, ...) anywhere,
     * on the class, one of its attributes, or Mapper/Base for all classes */
    if (!f->d->listened)
        f->d->listened = read_listeners(p);
    size_t i;
    json_t *e;
    json_array_foreach(f->d->listened, i, e)
    {
        const char *target = json_string_value(json_array_get(e, 0));
        const char *globals[] = {"Mapper", "mapper", "Base", "Model", "Session"};
        bool global = false;
        for (size_t g = 0; g < sizeof globals / sizeof *globals && !global; g++)
            global = dotted_has(target, globals[g]);
        if (dotted_has(target, m->name) || global) {
            snprintf(why, size,
                     "an event listener on %s (%s) runs on ORM inserts and not on a plain INSERT",
                     target, json_string_value(json_array_get(e, 1)));
            return true;
        }
    }
    return false;
}

typedef struct {
    file_t *f;
    const sqla_model_t *m;
    bool found;
} reads_model_t;

/* pysource_walk visitor: stops (r->found) at a query of model r->m. */
static pysource_walk_t reads_model_visit(const pysource_t *src, TSNode n, void *ctx)
{
    reads_model_t *r = ctx;
    if (is(n, "call") || is(n, "attribute")) {
        chain_t ch;
        memset(&ch, 0, sizeof ch);
        if (analyze_chain(r->f->d->p, src, n, &ch) && ch.model == r->m) {
            r->found = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

typedef struct {
    const char *name;
    uint32_t after;
    bool used;
} usedafter_t;

/* pysource_walk visitor: stops (u->used) at a use of u->name after offset u->after. */
static pysource_walk_t usedafter_visit(const pysource_t *src, TSNode n, void *ctx)
{
    usedafter_t *u = ctx;
    if (ts_node_end_byte(n) <= u->after)
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (is(n, "identifier") && ts_node_start_byte(n) >= u->after &&
        pysource_node_text_is(src, n, u->name)) {
        u->used = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* What emit_bulk builds while it reads the adds of one loop. */
typedef struct {
    file_t *f;
    TSNode body;               /* the loop's body */
    const sqla_model_t *model; /* the one model added */
    edits_t ed;                /* each add becomes an append of a dict row */
    char rows[96];             /* the rows list's name */
    char sess[128];            /* the session as written */
    char manual[400];          /* why the rewrite is left to the reader, when it is */
    char mref[160];            /* the model as the code names it (models.AuditLog) */
} bulk_t;

/* Loops emit_bulk leaves alone: a session made per item (rows added after
 * the loop would all go to the last one), or commits per item on purpose
 * (per-item error handling, a transaction scope, a remote call, a
 * comment). Returns true, with *why_not, when refused. */
static bool bulk_refused(file_t *f, TSNode loop, TSNode body, const scan_t *s, const char **why_not)
{
    char cmt[300];
    for (int i = 0; i < s->nadds; i++) {
        /* a session made per item: rows added after the loop would all go to
         * the last one */
        TSNode obj;
        char m[32], root[128];
        method_of(f->src, s->adds[i], &obj, m, sizeof m);
        text_of(f->src, obj, root, sizeof root);
        root[strcspn(root, ".[(")] = 0;
        if (root[0] && bound_inside(f, body, root)) {
            *why_not = "A bulk INSERT is not proposed: the loop makes a new session per item.";
            return true;
        }
    }
    if ((s->except_in_loop && (s->commit_in_try || s->rollback_in_except)) || s->commit_in_with ||
        (s->ncommits && s->network_seen) ||
        (s->ncommits && intent_comment(f, loop, cmt, sizeof cmt))) {
        *why_not = "A bulk INSERT is not proposed: the loop commits per item on purpose (per-item "
                   "error handling, a transaction scope, a remote call or a comment), which one "
                   "multi-row INSERT would not keep.";
        return true;
    }
    return false;
}

/* Rule 2: every keyword of the model's constructor (args, na of them) must
 * be a column of mm (a relationship, a plain attribute or a ** splat is
 * lost in a dict row); the first that is not goes to b->manual. */
static void bulk_check_keywords(bulk_t *b, const sqla_model_t *mm, TSNode args, uint32_t na)
{
    file_t *f = b->f;
    for (uint32_t k = 0; k < na && !b->manual[0]; k++) {
        TSNode kw = ts_node_named_child(args, k);
        if (is(kw, "dictionary_splat")) {
            snprintf(b->manual, sizeof b->manual,
                     "the %s is built with **%s, whose keys pgopt cannot check against the "
                     "table's columns",
                     mm->name, "...");
            break;
        }
        char key[96];
        text_of(f->src, field(kw, "name"), key, sizeof key);
        if (sqla_model_column(mm, key))
            continue;
        if (sqla_model_relationship(mm, key))
            snprintf(b->manual, sizeof b->manual,
                     "%s(%s=...) sets a relationship, which a dict row for a plain INSERT "
                     "does not carry",
                     mm->name, key);
        else
            snprintf(b->manual, sizeof b->manual,
                     "%s(%s=...) sets an attribute that is not a column pgopt knows of %s",
                     mm->name, key, mm->name);
    }
}

/* One add of the loop (session.add(Model(...)), add of a name assigned a
 * Model(...), or execute(insert(Model).values(...))) becomes an append of
 * a dict row to the rows list, all adds of one model built with keyword
 * arguments. Returns false, with ed freed and *why_not, when the add is
 * not in such a form. */
static bool bulk_row(bulk_t *b, TSNode call, const char **why_not)
{
    file_t *f = b->f;
    TSNode obj;
    char m[32];
    method_of(f->src, call, &obj, m, sizeof m);
    if (!b->sess[0])
        text_of(f->src, obj, b->sess, sizeof b->sess);
    TSNode arg = unwrap(pysource_call_arg(f->src, call, 0));
    TSNode ctor = arg;
    const sqla_model_t *mm = NULL;
    TSNode assign_value;
    memset(&assign_value, 0, sizeof assign_value);
    if (strcmp(m, "execute") == 0) {
        /* execute(insert(M).values(...)) */
        TSNode vals = arg;
        TSNode ins = field(field(vals, "function"), "object");
        mm = is(ins, "call") && pysource_call_is(f->src, ins, "insert")
                 ? model_named(f->d->p, f->src, pysource_call_arg(f->src, ins, 0))
                 : NULL;
        if (mm)
            text_of(f->src, unwrap(pysource_call_arg(f->src, ins, 0)), b->mref, sizeof b->mref);
        ctor = vals;
    } else if (strcmp(m, "add") == 0 && is(arg, "call")) {
        mm = model_named(f->d->p, f->src, field(arg, "function"));
        text_of(f->src, field(arg, "function"), b->mref, sizeof b->mref);
    } else if (strcmp(m, "add") == 0 && is(arg, "identifier")) {
        char an[64];
        text_of(f->src, arg, an, sizeof an);
        TSNode st;
        TSNode v = last_assignment(f->src, b->body, an, ts_node_start_byte(call), &st);
        if (is(v, "call")) {
            mm = model_named(f->d->p, f->src, field(v, "function"));
            text_of(f->src, field(v, "function"), b->mref, sizeof b->mref);
        }
        if (mm && !body_uses_only(f, b->body, an, call, &b->ed, mm, b->manual, sizeof b->manual)) {
            mm = NULL;
        }
        ctor = v;
        assign_value = v;
    }
    if (!mm || (b->model && mm != b->model) ||
        ts_node_named_child_count(field(ctor, "arguments")) == 0) {
        ed_free(&b->ed);
        *why_not = "A bulk INSERT is not proposed: the objects are not built in a form pgopt "
                   "rewrites (one model, keyword arguments).";
        return false;
    }
    TSNode args = field(ctor, "arguments");
    uint32_t na = ts_node_named_child_count(args);
    for (uint32_t k = 0; k < na; k++)
        if (!is(ts_node_named_child(args, k), "keyword_argument") &&
            !is(ts_node_named_child(args, k), "dictionary_splat")) {
            ed_free(&b->ed);
            *why_not = "A bulk INSERT is not proposed: the model is built with positional "
                       "arguments.";
            return false;
        }
    /* rule 2: every keyword must be a column of the model (a relationship
     * or a plain attribute set on the object is lost in a dict row) */
    if (!b->manual[0] && strcmp(m, "add") == 0)
        orm_insert_behaviour(f, mm, b->manual, sizeof b->manual);
    if (strcmp(m, "add") == 0)
        bulk_check_keywords(b, mm, args, na);
    b->model = mm;
    rows_name(f, mm->name, b->rows, sizeof b->rows);
    char argt[2000];
    text_of(f->src, args, argt, sizeof argt);
    char rep[2200];
    if (!ts_node_is_null(assign_value)) {
        snprintf(rep, sizeof rep, "dict%s", argt);
        ed_add(&b->ed, ts_node_start_byte(assign_value), ts_node_end_byte(assign_value), rep);
        char an[64];
        text_of(f->src, arg, an, sizeof an);
        snprintf(rep, sizeof rep, "%s.append(%s)", b->rows, an);
    } else {
        snprintf(rep, sizeof rep, "%s.append(dict%s)", b->rows, argt);
    }
    TSNode whole = call;
    if (is(ts_node_parent(call), "await"))
        whole = ts_node_parent(call);
    ed_add(&b->ed, ts_node_start_byte(whole), ts_node_end_byte(whole), rep);
    return true;
}

/* What a bulk INSERT would change that the reader must judge (into
 * b->manual, when nothing before found something): the model's own insert
 * behaviour, the loop reading rows of the model (autoflush showed it the
 * rows of earlier iterations), or an added object's name used after the
 * loop (it would hold a dict). */
static void bulk_manual_reason(bulk_t *b, TSNode loop, const scan_t *s)
{
    file_t *f = b->f;
    if (!b->manual[0])
        orm_insert_behaviour(f, b->model, b->manual, sizeof b->manual);
    if (!b->manual[0]) {
        /* the loop reads rows of the model: with autoflush it saw the rows
         * added in earlier iterations, which now go in after the loop */
        reads_model_t rm = {f, b->model, false};
        pysource_walk(f->src, b->body, reads_model_visit, &rm);
        if (rm.found)
            snprintf(b->manual, sizeof b->manual,
                     "the loop also queries %s, and saw (autoflush) the rows it added in "
                     "earlier iterations, which the bulk INSERT adds only after the loop",
                     b->model->name);
    }
    for (int i = 0; i < s->nadds && !b->manual[0]; i++) {
        /* an object name used after the loop now holds a dict */
        TSNode a = unwrap(pysource_call_arg(f->src, s->adds[i], 0));
        if (!is(a, "identifier"))
            continue;
        char an[64];
        text_of(f->src, a, an, sizeof an);
        TSNode fn = loop;
        while (!ts_node_is_null(fn) && !is(fn, "function_definition") && !is(fn, "module"))
            fn = ts_node_parent(fn);
        usedafter_t u = {an, ts_node_end_byte(loop), false};
        if (!ts_node_is_null(fn))
            pysource_walk(f->src, fn, usedafter_visit, &u);
        if (u.used)
            snprintf(b->manual, sizeof b->manual,
                     "%s is used after the loop, where it would be a dict instead of the last "
                     "%s object",
                     an, b->model->name);
    }
}

/* The add_in_loop finding without code: why a bulk INSERT is left to the
 * reader (b->manual) and what to do instead. */
static void bulk_emit_manual(bulk_t *b, TSNode loop, unsigned line)
{
    file_t *f = b->f;
    ed_free(&b->ed);
    strbuf_t expl = {0};
    strbuf_printf(&expl,
                  "%s rows are inserted one at a time inside the loop: one INSERT round trip "
                  "per row. Not rewritten as a bulk INSERT: %s. Fix by hand where that does "
                  "not matter, or keep the ORM objects and let one flush batch them "
                  "(SQLAlchemy 2.0 batches INSERTs of many objects with insertmanyvalues).",
                  b->model->name, b->manual);
    emit(f, f->src, line, "bulk_op", "add_in_loop", ts_node_start_byte(loop),
         ts_node_end_byte(loop), &b->ed, NULL, NULL, expl.buf,
         json_pack("{s:s, s:s?, s:[]}", "shape", "insert", "table", b->model->table, "columns"),
         false, NULL, &(safety_t){"manual", b->manual});
    free(expl.buf);
}

/* The add_in_loop rewrite: rows collected as dicts in the loop, one bulk
 * INSERT after it (execute(insert(Model), rows) for SQLAlchemy 2.0 code,
 * bulk_insert_mappings for 1.x), the per-item commits replaced by one
 * (then conditional: all or nothing). */
static void bulk_emit(bulk_t *b, TSNode loop, unsigned line, const scan_t *s, bool is_async)
{
    file_t *f = b->f;
    const sqla_model_t *model = b->model;
    const char *mref = b->mref;
    for (int i = 0; i < s->ncommits; i++)
        delete_statement(f, &b->ed, s->commits[i]);
    const char *aw = is_async ? "await " : "";
    strbuf_t pre = {0}, post = {0}, expl = {0};
    strbuf_printf(&pre, "%s = []", b->rows);
    char imp[160] = "";
    /* execute(insert(M), []) would run one INSERT of defaults (1.4): guard */
    if (file_api2(f) || is_async) {
        char unit[16], ins[64];
        loop_unit(f, loop, unit, sizeof unit);
        sqla_ref(f, f->src, "insert", "sqlalchemy", ins, sizeof ins, imp, sizeof imp);
        strbuf_printf(&post, "if %s:\n%s%s%s.execute(%s(%s), %s)", b->rows, unit, aw, b->sess, ins,
                      mref[0] ? mref : model->name, b->rows);
    } else {
        strbuf_printf(&post, "%s.bulk_insert_mappings(%s, %s)", b->sess,
                      mref[0] ? mref : model->name, b->rows);
    }
    if (s->ncommits)
        strbuf_printf(&post, "\n%s%s.commit()", aw, b->sess);
    const char *how = file_api2(f) || is_async
                          ? "execute(insert(Model), rows) (SQLAlchemy 2.0 bulk insert)"
                          : "bulk_insert_mappings (the 1.x bulk API)";
    if (s->ncommits)
        strbuf_printf(&expl,
                      "%s rows are inserted and committed one at a time inside the loop: an "
                      "INSERT and a COMMIT round trip per row. Collect plain dicts and insert "
                      "them with one %s (multi-row INSERT batches) and one COMMIT.%s",
                      model->name, how, imp);
    else
        /* measured (tests/query_rewriter_code/differential, bulk_insert):
         * the 1.4 unit of work with psycopg2 already batched the INSERTs of
         * the added objects at flush, so no round trips are claimed */
        strbuf_printf(&expl,
                      "%s objects are built and added one at a time inside the loop: each goes "
                      "through the ORM's unit of work (state tracking, identity map, events). "
                      "Plain dicts inserted with one %s skip that per-row work. Round trips "
                      "drop only where the driver sends one INSERT per object (SQLAlchemy "
                      "before 1.4, drivers without batched RETURNING): 1.4 with psycopg2 "
                      "already batches these INSERTs at flush.%s",
                      model->name, how, imp);
    safety_t sf = SAFE_PROVEN;
    if (s->ncommits) {
        sf.level = "conditional";
        sf.text = "the rows may be committed all or nothing: with one COMMIT after the loop, a "
                  "failure at one row no longer keeps the rows before it";
    }
    emit(f, f->src, line, "bulk_op", "add_in_loop", ts_node_start_byte(loop),
         ts_node_end_byte(loop), &b->ed, pre.buf, post.buf, expl.buf,
         json_pack("{s:s, s:s?, s:[]}", "shape", "insert", "table", model->table, "columns"), false,
         NULL, &sf);
    free(pre.buf);
    free(post.buf);
    free(expl.buf);
}

/* pysource_walk visitor: a .flush() call (not in nested functions). */
static pysource_walk_t flush_visit(const pysource_t *src, TSNode n, void *ctx)
{
    if (is(n, "function_definition") || is(n, "class_definition") || is(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    TSNode callee = is(n, "call") ? field(n, "function") : (TSNode){0};
    if (is(callee, "attribute") &&
        pysource_node_text_is(src, field(callee, "attribute"), "flush")) {
        *(bool *)ctx = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether the rows of model m, added in a loop that neither commits nor flushes per item, go
 * out in one executemany at the flush: the code sets the whole key (a composite primary key,
 * as octavia's AdditionalVip's PrimaryKeyConstraint), so SQLAlchemy 1.4 reads no generated key
 * back per row. The manual finding would claim a round trip per row that does not happen. */
static bool batched_at_flush(const scan_t *s, const sqla_model_t *m, TSNode body)
{
    size_t npk = 0;
    for (size_t i = 0; m && i < m->ncolumns; i++)
        npk += m->columns[i].primary_key;
    bool flushes = false;
    if (npk >= 2 && !s->ncommits)
        pysource_walk(s->src, body, flush_visit, &flushes);
    return npk >= 2 && !s->ncommits && !flushes;
}

/* Bulk insert for adds in a loop. Returns false when the shape is not one
 * pgopt rewrites (the caller then falls back to the commit finding). */
static bool emit_bulk(file_t *f, TSNode loop, unsigned line, scan_t *s, bool is_async,
                      const char **why_not)
{
    bulk_t b;
    memset(&b, 0, sizeof b);
    b.f = f;
    b.body = field(loop, "body");
    if (bulk_refused(f, loop, b.body, s, why_not))
        return false;
    for (int i = 0; i < s->nadds; i++)
        if (!bulk_row(&b, s->adds[i], why_not))
            return false;
    bulk_manual_reason(&b, loop, s);
    if (b.manual[0]) {
        *why_not = NULL;
        if (batched_at_flush(s, b.model, b.body)) {
            ed_free(&b.ed);
            return true; /* no round trip per row: nothing to report */
        }
        bulk_emit_manual(&b, loop, line);
        return true;
    }
    bulk_emit(&b, loop, line, s, is_async);
    return true;
}

/* name (assigned a model) may be used in the loop body only by the add and
 * as `name.attr = value` targets, which become name["attr"] = value. */
typedef struct {
    file_t *f;
    const char *name;
    TSNode add;
    edits_t *ed;
    bool ok;
    TSNode body;
    const sqla_model_t *m;
    char *why; /* rule 2: a store that a dict row would not keep */
    size_t size;
} uses_t;

/* pysource_walk visitor for body_uses_only: the name may be assigned, passed to its add, or
 * have attributes stored (each store edited into name["attr"] = value; rule 2: a store of a
 * non-column, or one made only on some paths, goes to u->why); any other use clears u->ok and
 * stops. */
static pysource_walk_t uses_visit(const pysource_t *src, TSNode n, void *ctx)
{
    uses_t *u = ctx;
    if (same_node(n, u->add))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (is(n, "assignment")) {
        TSNode left = field(n, "left");
        if (is(left, "identifier") && pysource_node_text_is(src, left, u->name)) {
            pysource_walk(src, field(n, "right"), uses_visit, u);
            return PYSOURCE_WALK_SKIP_CHILDREN;
        }
        if (is(left, "attribute") && pysource_node_text_is(src, field(left, "object"), u->name)) {
            char attr[96], rep[200];
            text_of(src, field(left, "attribute"), attr, sizeof attr);
            if (!u->why[0] && !sqla_model_column(u->m, attr))
                snprintf(u->why, u->size,
                         "%s.%s = ... sets %s, which is not a column (a relationship or a plain "
                         "attribute) and a dict row for a plain INSERT does not carry",
                         u->name, attr, attr);
            else if (!u->why[0] && !same_node(ts_node_parent(enclosing_statement(n)), u->body))
                snprintf(u->why, u->size,
                         "%s.%s is set only on some paths (line %u), so the dict rows would not "
                         "all have the same keys (a multi-row INSERT needs them)",
                         u->name, attr, pysource_node_line(n));
            snprintf(rep, sizeof rep, "%s[\"%s\"]", u->name, attr);
            ed_add(u->ed, ts_node_start_byte(left), ts_node_end_byte(left), rep);
            pysource_walk(src, field(n, "right"), uses_visit, u);
            return PYSOURCE_WALK_SKIP_CHILDREN;
        }
    }
    if (is(n, "identifier") && pysource_node_text_is(src, n, u->name)) {
        u->ok = false;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether the object name is used in the loop body only by its add and by attribute stores (which
 * become dict stores in ed); why says what a dict row would not keep. Returns false otherwise. */
static bool body_uses_only(file_t *f, TSNode body, const char *name, TSNode allowed_add,
                           edits_t *ed, const sqla_model_t *m, char *why, size_t size)
{
    uses_t u = {f, name, allowed_add, ed, true, body, m, why, size};
    pysource_walk(f->src, body, uses_visit, &u);
    return u.ok;
}

static bool function_is_async(TSNode fn)
{
    return !ts_node_is_null(fn) && ts_node_child_count(fn) > 0 && is(ts_node_child(fn, 0), "async");
}

/* One loop (for statement or comprehension) of a function: where its iterable comes from, then a
 * scan of its body for lazy loads through the loop item (lazy_load_in_loop), a query keyed by the
 * loop variable (query_in_loop), adds (add_in_loop) and commits (commit_in_loop), each emitted by
 * its emit_* function. */
static void analyze_loop(file_t *f, TSNode loop, TSNode scope, TSNode fn)
{
    bool comp = !is(loop, "for_statement");
    TSNode clause = loop;
    if (comp) {
        uint32_t k = ts_node_named_child_count(loop);
        memset(&clause, 0, sizeof clause);
        for (uint32_t i = 0; i < k; i++)
            if (is(ts_node_named_child(loop, i), "for_in_clause")) {
                clause = ts_node_named_child(loop, i);
                break;
            }
        if (ts_node_is_null(clause))
            return;
    }
    TSNode left = field(clause, "left"), right = field(clause, "right");
    unsigned line = pysource_node_line(loop);
    origin_t o;
    memset(&o, 0, sizeof o);
    resolve_iterable(f->d->p, f->file, f->src, scope, right, ts_node_start_byte(loop), &o, 0);
    char var[64] = "";
    if (is(left, "identifier"))
        text_of(f->src, left, var, sizeof var);
    else if ((is(left, "pattern_list") || is(left, "tuple_pattern")) &&
             ts_node_named_child_count(left) == 2 && is(unwrap(right), "call") &&
             pysource_call_is(f->src, unwrap(right), "enumerate") &&
             is(ts_node_named_child(left, 1), "identifier"))
        text_of(f->src, ts_node_named_child(left, 1), var,
                sizeof var); /* for i, x in enumerate(...) */
    scan_t s;
    memset(&s, 0, SCAN_CLEAR);
    s.p = f->d->p;
    s.src = f->src;
    s.file = f->file;
    if (var[0])
        var_push(&s, var, o.found ? o.ch.model : NULL, "");
    s.calls_only = !(o.found && o.ch.model) && !pysource_has_error(f->src);
    if (comp) {
        s.skip = right;
        scan_node(&s, loop);
    } else {
        scan_node(&s, field(loop, "body"));
    }
    bool is_async = function_is_async(fn);
    if (o.found && s.npaths)
        emit_lazy(f, comp ? enclosing_statement(loop) : loop, line, &o, &s);
    if (!ts_node_is_null(s.keyed) && !o.const_literal && var[0])
        emit_keyed(f, comp ? enclosing_statement(loop) : loop, line, right, var, &s, is_async,
                   scope);
    if (comp || o.const_literal)
        return;
    const char *why_not = NULL;
    bool bulk = s.nadds > 0 && emit_bulk(f, loop, line, &s, is_async, &why_not);
    if (!bulk && s.ncommits > 0 && s.network_seen)
        /* rule 4: one transaction would stay open across a remote call per
         * item, and a commit after the call records its side effect */
        note(f->d,
             "%s:%u commit_in_loop: the loop commits per item and makes a network call per "
             "item; the per-item commit is kept (one transaction across the calls would hold "
             "locks and a connection for their whole latency)",
             pysource_path(f->src), line);
    else if (!bulk && s.ncommits > 0)
        emit_commit(f, loop, line, &s, is_async, o.found, why_not);
    if (!ts_node_is_null(s.session_new)) {
        TSNode st = enclosing_statement(s.session_new);
        TSNode a = ts_node_named_child(st, 0);
        if (is(a, "assignment") && is(field(a, "left"), "identifier")) {
            char name[64], val[300];
            text_of(f->src, field(a, "left"), name, sizeof name);
            text_of(f->src, field(a, "right"), val, sizeof val);
            edits_t ed = {0};
            delete_statement(f, &ed, s.session_new);
            strbuf_t pre = {0}, post = {0};
            strbuf_printf(&pre, "%s = %s", name, val);
            /* a close() per iteration moves after the loop too */
            strbuf_printf(&post, "%s%s.close()", is_async ? "await " : "", name);
            emit(f, f->src, pysource_node_line(s.session_new), "session_fix",
                 "session_per_iteration", ts_node_start_byte(loop), ts_node_end_byte(loop), &ed,
                 pre.buf, post.buf,
                 "A new Session is created on every iteration: each one checks a connection out "
                 "of the pool and starts its own transaction. Create it once before the loop and "
                 "close it after (remove any close() inside the loop).",
                 json_pack("{s:s}", "shape", "none"), false, NULL,
                 &(safety_t){"conditional",
                             "the items do not rely on a fresh session each: objects loaded for "
                             "one item stay in the session's identity map for the next, and "
                             "after a failed item the session needs a rollback() before it can "
                             "be used again"});
            free(pre.buf);
            free(post.buf);
        }
    }
}

/* ---- function-level checks ------------------------------------------- */

/* Whether a function is a web route handler: decorated with
 * route/get/post/put/patch/delete/websocket(...). */
static bool is_route(const pysource_t *src, TSNode fn)
{
    TSNode parent = ts_node_parent(fn);
    if (!is(parent, "decorated_definition"))
        return false;
    uint32_t n = ts_node_named_child_count(parent);
    for (uint32_t i = 0; i < n; i++) {
        TSNode d = ts_node_named_child(parent, i);
        if (!is(d, "decorator"))
            continue;
        TSNode e = ts_node_named_child(d, 0);
        if (!is(e, "call"))
            continue;
        const char *methods[] = {"route", "get", "post", "put", "patch", "delete", "websocket"};
        for (size_t k = 0; k < sizeof methods / sizeof *methods; k++)
            if (is(field(e, "function"), "attribute") && pysource_call_is(src, e, methods[k]))
                return true;
    }
    return false;
}

typedef struct {
    file_t *f;
    TSNode fn, body;
    bool route;
    int loop_depth;
    /* session_not_closed */
    const char *name;
    bool closed, yielded;
} fnscan_t;

/* pysource_walk visitor over a function that made session c->name: notes whether it is closed
 * (close()/remove()), managed by a with, returned or yielded. */
static pysource_walk_t closed_visit(const pysource_t *src, TSNode n, void *ctx)
{
    fnscan_t *c = ctx;
    if (is(n, "call")) {
        char m[32];
        TSNode obj;
        if (method_of(src, n, &obj, m, sizeof m) &&
            (strcmp(m, "close") == 0 || strcmp(m, "remove") == 0) &&
            pysource_node_text_is(src, obj, c->name))
            c->closed = true;
    }
    if (is(n, "with_item") || is(n, "return_statement")) {
        TSNode v = is(n, "with_item") ? field(n, "value") : ts_node_named_child(n, 0);
        if (is(v, "as_pattern"))
            v = ts_node_named_child(v, 0);
        if (!ts_node_is_null(v) && pysource_node_text_is(src, unwrap(v), c->name))
            c->closed = true;
    }
    if (is(n, "yield")) {
        TSNode v = ts_node_named_child(n, 0);
        if (!ts_node_is_null(v) && pysource_node_text_is(src, v, c->name))
            c->yielded = true;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* pysource_walk visitor: whether the function returns a value or yields (nested functions not
 * counted); stops at the first. */
static pysource_walk_t returns_visit(const pysource_t *src, TSNode n, void *ctx)
{
    (void)src;
    bool *found = ctx;
    if (is(n, "function_definition") || is(n, "lambda") || is(n, "class_definition"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if ((is(n, "return_statement") && ts_node_named_child_count(n) > 0) || is(n, "yield")) {
        *found = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether a function body returns or yields a value. */
static bool returns_value(file_t *f, TSNode body)
{
    bool found = false;
    pysource_walk(f->src, body, returns_visit, &found);
    return found;
}

/* session_not_closed: a session made in a function and never closed gets the rest of the block
 * wrapped in try/finally close() (a generator keeps its yield inside; conditional when the
 * function returns something that may hold ORM objects). */
static void check_session_closed(file_t *f, TSNode fn, TSNode assign_stmt, const char *name,
                                 bool is_async, const char *factory_text)
{
    fnscan_t c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.name = name;
    pysource_walk(f->src, field(fn, "body"), closed_visit, &c);
    if (c.closed)
        return;
    TSNode block = ts_node_parent(assign_stmt);
    uint32_t nb = ts_node_named_child_count(block);
    TSNode last = ts_node_named_child(block, nb - 1);
    edits_t ed = {0};
    strbuf_t post = {0};
    const char *c0 = f->c;
    uint32_t rest_start = line_end(c0, f->len, ts_node_end_byte(assign_stmt));
    if (rest_start < f->len)
        rest_start++;
    uint32_t rest_end = line_end(c0, f->len, ts_node_end_byte(last));
    char indent[128];
    indent_at(c0, line_begin(c0, ts_node_start_byte(assign_stmt)), indent, sizeof indent);
    /* the rest of the block, indented one level deeper */
    strbuf_t rest = {0};
    for (uint32_t at = rest_start; at < rest_end;) {
        uint32_t e = line_end(c0, f->len, at);
        if (e > at)
            strbuf_add(&rest, "    ");
        strbuf_addn(&rest, c0 + at, e - at);
        strbuf_add(&rest, "\n");
        at = e + 1;
    }
    char *rest_text = strbuf_take(&rest);
    if (rest_end > rest_start)
        rest_text[strlen(rest_text) - 1] = 0;
    const char *expl;
    strbuf_t head = {0};
    if (c.yielded) {
        strbuf_printf(&head, "%s = %s\n%stry:\n%s\n%sfinally:\n%s    %s%s.close()", name,
                      factory_text, indent, rest_text, indent, indent, is_async ? "await " : "",
                      name);
        expl = "The session is yielded (a request-scoped dependency) but never closed: its "
               "connection goes back to the pool only when the object is garbage-collected, and "
               "an open transaction can stay idle in transaction. Close it in finally.";
    } else {
        strbuf_printf(&head, "%swith %s as %s:\n%s", is_async ? "async " : "", factory_text, name,
                      rest_text);
        expl = "The session is never closed: its connection goes back to the pool only when the "
               "object is garbage-collected, and an uncommitted transaction stays idle in "
               "transaction meanwhile. A with block closes it (and rolls back what was not "
               "committed).";
    }
    free(rest_text);
    ed_add(&ed, ts_node_start_byte(assign_stmt), rest_end, head.buf ? head.buf : "");
    free(head.buf);
    free(post.buf);
    /* closing detaches what the session loaded: a value handed out of the
     * function (returned, yielded) may be an ORM object whose lazy
     * attributes then raise DetachedInstanceError */
    bool hands_out = returns_value(f, field(fn, "body"));
    safety_t sf = SAFE_PROVEN;
    if (hands_out || c.yielded) {
        sf.level = "conditional";
        sf.text = "what the function returns or yields holds no ORM object loaded through the "
                  "session whose unloaded attributes are read later: closing the session "
                  "detaches its objects, and a lazy load on one then raises "
                  "DetachedInstanceError";
    }
    emit(f, f->src, pysource_node_line(assign_stmt), "session_fix", "session_not_closed",
         ts_node_start_byte(assign_stmt), rest_end, &ed, NULL, NULL, expl,
         json_pack("{s:s}", "shape", "none"), false, NULL, &sf);
}

/* Network calls while the session has uncommitted work. */
typedef struct {
    file_t *f;
    bool in_tx, in_begin_block;
    TSNode tx_start, net;
    char sess[128];
    bool done;
    /* the file parsed without errors: a call then always has a "(" in its
     * text, so a subtree without one holds no call (stmtcalls_visit) */
    bool clean;
} txscan_t;

typedef struct {
    txscan_t *t;
    int op; /* 1 session work, 2 end of transaction */
    TSNode net;
} stmtcalls_t;

/* pysource_walk visitor over one statement of a transaction: what it does with the session (a
 * write, or commit/rollback/close ending it) and its first network call. */
static pysource_walk_t stmtcalls_visit(const pysource_t *src, TSNode n, void *ctx)
{
    stmtcalls_t *sc = ctx;
    const pysource_syms_t *y = pysource_syms();
    TSSymbol ty = ts_node_symbol(n);
    if (ty == y->function_definition || ty == y->lambda || ty == y->class_definition)
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (ty != y->call) {
        /* only calls are looked at: what has no "(" holds none (most of a
         * statement's nodes: names, attributes, strings, operators) */
        size_t len;
        const char *text = pysource_node_span(src, n, &len);
        return sc->t->clean && !memchr(text, '(', len) ? PYSOURCE_WALK_SKIP_CHILDREN
                                                       : PYSOURCE_WALK_CONTINUE;
    }
    char m[32];
    TSNode obj;
    if (method_of(src, n, &obj, m, sizeof m) && sessionish(src, obj)) {
        if (strcmp(m, "commit") == 0 || strcmp(m, "rollback") == 0 || strcmp(m, "close") == 0) {
            sc->op = 2;
        } else if (strcmp(m, "add") == 0 || strcmp(m, "add_all") == 0 ||
                   strcmp(m, "execute") == 0 || strcmp(m, "flush") == 0 ||
                   strcmp(m, "delete") == 0 || strcmp(m, "merge") == 0) {
            if (sc->op == 0) {
                sc->op = 1;
                if (!sc->t->in_tx)
                    text_of(src, obj, sc->t->sess, sizeof sc->t->sess);
            }
        }
    }
    if (ts_node_is_null(sc->net) && is_network_call(src, n))
        sc->net = n;
    return PYSOURCE_WALK_CONTINUE;
}

static bool names_assigned_between(file_t *f, TSNode from, TSNode to, TSNode uses);

typedef struct {
    const pysource_t *src;
    char names[16][64];
    int n;
} assigned_t;

/* pysource_walk visitor: the names assigned (or used as for targets) in a range of statements, at
 * most 16. */
static pysource_walk_t assigned_visit(const pysource_t *src, TSNode n, void *ctx)
{
    assigned_t *a = ctx;
    if (is(n, "assignment") || is(n, "augmented_assignment")) {
        TSNode left = field(n, "left");
        if (is(left, "identifier") && a->n < 16)
            text_of(src, left, a->names[a->n++], 64);
    }
    if (is(n, "for_statement")) {
        TSNode left = field(n, "left");
        if (is(left, "identifier") && a->n < 16)
            text_of(src, left, a->names[a->n++], 64);
    }
    return PYSOURCE_WALK_CONTINUE;
}

typedef struct {
    assigned_t *a;
    bool hit;
} hit_t;

/* pysource_walk visitor: stops (h->hit) at a use of one of the assigned names (an attribute's
 * object counts, its attribute name does not). */
static pysource_walk_t hit_visit(const pysource_t *src, TSNode n, void *ctx)
{
    hit_t *h = ctx;
    if (is(n, "identifier")) {
        for (int i = 0; i < h->a->n; i++)
            if (pysource_node_text_is(src, n, h->a->names[i])) {
                h->hit = true;
                return PYSOURCE_WALK_STOP;
            }
    }
    if (is(n, "attribute")) {
        pysource_walk(src, field(n, "object"), hit_visit, h);
        return h->hit ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_SKIP_CHILDREN;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether stmt reads a name bound by the with statement's `as` targets. */
static bool uses_with_target(file_t *f, TSNode with, TSNode stmt)
{
    assigned_t a;
    memset(&a, 0, sizeof a);
    a.src = f->src;
    TSNode clause = ts_node_named_child(with, 0);
    uint32_t k = ts_node_named_child_count(clause);
    for (uint32_t i = 0; i < k && a.n < 16; i++) {
        TSNode v = field(ts_node_named_child(clause, i), "value");
        if (is(v, "as_pattern")) {
            TSNode target = field(v, "alias");
            if (ts_node_is_null(target))
                target = ts_node_named_child(v, 1);
            TSNode id = is(target, "as_pattern_target") ? ts_node_named_child(target, 0) : target;
            if (is(id, "identifier"))
                text_of(f->src, id, a.names[a.n++], 64);
        }
    }
    hit_t h = {&a, false};
    pysource_walk(f->src, stmt, hit_visit, &h);
    return h.hit;
}

/* network_in_transaction: a network call inside a transaction after database work is moved before
 * the transaction (hoisted, when nothing it needs is assigned in between) or the transaction is
 * committed before it; conditional either way. A call that depends on the block's data gets a note
 * instead. */
static void emit_network(file_t *f, txscan_t *t, TSNode net_stmt)
{
    edits_t ed = {0};
    TSNode start = t->tx_start;
    strbuf_t expl = {0};
    bool hoist;
    if (t->in_begin_block && is(start, "with_statement") &&
        same_node(ts_node_parent(net_stmt), field(start, "body"))) {
        /* inside `with X.begin() [as s]:` - independent of the block's
         * statements before it and of the `as` name: it can run first */
        TSNode first = ts_node_named_child(field(start, "body"), 0);
        hoist = !names_assigned_between(f, first, net_stmt, net_stmt) &&
                !uses_with_target(f, start, net_stmt);
    } else {
        hoist = ts_node_eq(ts_node_parent(start), ts_node_parent(net_stmt)) &&
                !names_assigned_between(f, start, net_stmt, net_stmt);
    }
    char ind[128];
    indent_at(f->c, line_begin(f->c, ts_node_start_byte(net_stmt)), ind, sizeof ind);
    if (hoist) {
        uint32_t s = line_begin(f->c, ts_node_start_byte(net_stmt));
        uint32_t e = line_end(f->c, f->len, ts_node_end_byte(net_stmt));
        uint32_t at = line_begin(f->c, ts_node_start_byte(start));
        char to[128];
        indent_at(f->c, at, to, sizeof to);
        size_t from_len = strlen(ind);
        /* the moved lines, re-indented to the transaction's level */
        strbuf_t moved = {0};
        for (uint32_t l = s; l < e;) {
            uint32_t le = line_end(f->c, f->len, l);
            uint32_t k = l;
            while (k < le && k - l < from_len && (f->c[k] == ' ' || f->c[k] == '\t'))
                k++;
            strbuf_add(&moved, to);
            strbuf_addn(&moved, f->c + k, le - k);
            strbuf_add(&moved, "\n");
            l = le + 1;
        }
        if (!moved.buf) {
            free(moved.buf);
            return;
        }
        ed_add(&ed, at, at, moved.buf);
        free(moved.buf);
        /* delete the line with the newline before it (it is never the first) */
        ed_add(&ed, s - 1, e, "");
        strbuf_add(&expl,
                   "A network call runs while the session holds an open transaction (locks, a "
                   "pooled connection, idle in transaction for the call's whole latency). It "
                   "does not depend on the database work before it: run it before the "
                   "session's first write, so no row lock or open write transaction spans "
                   "the call.");
    } else if (!t->in_begin_block) {
        char ins[300];
        snprintf(ins, sizeof ins, "%s.commit()\n%s", t->sess, ind);
        ed_add(&ed, ts_node_start_byte(net_stmt), ts_node_start_byte(net_stmt), ins);
        strbuf_add(&expl,
                   "A network call runs while the session holds an open transaction (locks, a "
                   "pooled connection, idle in transaction for the call's whole latency). "
                   "Commit the database work before the call; what follows runs in a new, "
                   "short transaction (if the call must succeed for the data to count, record "
                   "a pending state first and confirm it afterwards).");
    } else {
        note(f->d,
             "%s:%u network_in_transaction: a network call inside `with ...begin()` that "
             "depends on the block's data; no mechanical rewrite",
             pysource_path(f->src), pysource_node_line(net_stmt));
        return;
    }
    safety_t sf = {"conditional",
                   hoist ? "the remote call may happen before the database work and even when "
                           "that work later fails (it used to run after the work, inside the "
                           "transaction)"
                         : "the database work before the call may be committed on its own: if "
                           "the code after the call fails, that work is no longer rolled back"};
    emit(f, f->src, pysource_node_line(t->net), "session_fix", "network_in_transaction",
         ts_node_start_byte(start), ts_node_end_byte(net_stmt), &ed, NULL, NULL, expl.buf,
         json_pack("{s:s}", "shape", "none"), false, NULL, &sf);
    free(expl.buf);
}

/* Whether uses (the right side of net_stmt) reads a name assigned in the
 * statements from `from` up to (not including) `to`, or reads the result
 * of database work (any name the session work produced). */
static bool names_assigned_between(file_t *f, TSNode from, TSNode to, TSNode uses)
{
    assigned_t a;
    memset(&a, 0, sizeof a);
    a.src = f->src;
    for (TSNode n = from; !ts_node_is_null(n) && !ts_node_eq(n, to);
         n = ts_node_next_named_sibling(n))
        pysource_walk(f->src, n, assigned_visit, &a);
    TSNode target = uses;
    TSNode first = ts_node_named_child(uses, 0);
    if (is(first, "assignment"))
        target = field(first, "right");
    hit_t h = {&a, false};
    pysource_walk(f->src, target, hit_visit, &h);
    return h.hit;
}

static void tx_block(txscan_t *t, TSNode block);

/* One statement of a function, in order, for network_in_transaction: a with ...begin() block is a
 * transaction, a session write starts one and commit/rollback/close ends it; the first network
 * call while one is open is emitted (emit_network) and ends the scan. Nested definitions are
 * skipped. */
static void tx_statement(txscan_t *t, TSNode st)
{
    file_t *f = t->f;
    const pysource_syms_t *y = pysource_syms();
    TSSymbol ty = ts_node_is_null(st) ? 0 : ts_node_symbol(st);
    if (t->done || ty == y->function_definition || ty == y->class_definition ||
        ty == y->decorated_definition)
        return;
    if (ty == y->with_statement) {
        /* with session.begin(): / with Session.begin() as s: */
        bool begin = false;
        TSNode clause = ts_node_named_child(st, 0);
        uint32_t k = ts_node_named_child_count(clause);
        for (uint32_t i = 0; i < k; i++) {
            TSNode item = ts_node_named_child(clause, i);
            TSNode v = field(item, "value");
            if (is(v, "as_pattern"))
                v = ts_node_named_child(v, 0);
            char m[32];
            TSNode obj;
            if (is(v, "call") && method_of(f->src, v, &obj, m, sizeof m) &&
                strcmp(m, "begin") == 0) {
                begin = true;
                text_of(f->src, obj, t->sess, sizeof t->sess);
            }
        }
        if (begin) {
            bool saved_tx = t->in_tx, saved_b = t->in_begin_block;
            TSNode saved_start = t->tx_start;
            t->in_tx = true;
            t->in_begin_block = true;
            t->tx_start = st;
            /* hoisting targets the with statement itself */
            tx_block(t, field(st, "body"));
            if (!t->done) {
                t->in_tx = saved_tx;
                t->in_begin_block = saved_b;
                t->tx_start = saved_start;
            }
            return;
        }
        tx_block(t, field(st, "body"));
        return;
    }
    if (ty == y->if_statement || ty == y->for_statement || ty == y->while_statement ||
        ty == y->try_statement) {
        /* the header's own calls first, then each block in order */
        TSNode cond = ty == y->for_statement ? field(st, "right") : field(st, "condition");
        /* the header can only start a transaction: in one it changes
         * nothing, and outside one only a session write (walk_words) can */
        if (!ts_node_is_null(cond) && !t->in_tx &&
            sqla_words_in(f->words, ts_node_start_byte(cond), ts_node_end_byte(cond))) {
            stmtcalls_t sc;
            memset(&sc, 0, sizeof sc);
            sc.t = t;
            pysource_walk(f->src, cond, stmtcalls_visit, &sc);
            if (sc.op == 1 && !t->in_tx) {
                t->in_tx = true;
                t->tx_start = st;
            }
        }
        uint32_t k = ts_node_named_child_count(st);
        for (uint32_t i = 0; i < k && !t->done; i++) {
            TSNode c = ts_node_named_child(st, i);
            TSSymbol ct = ts_node_is_null(c) ? 0 : ts_node_symbol(c);
            if (ct == y->block)
                tx_block(t, c);
            else if (ct == y->else_clause || ct == y->elif_clause || ct == y->except_clause ||
                     ct == y->finally_clause) {
                uint32_t m = ts_node_named_child_count(c);
                for (uint32_t j = 0; j < m; j++)
                    if (pysource_node_sym_is(ts_node_named_child(c, j), y->block))
                        tx_block(t, ts_node_named_child(c, j));
            }
        }
        return;
    }
    /* outside a transaction only a session write starts one (a commit
     * alone leaves it closed, a network call does not count): a statement
     * naming none of walk_words (which hold the writes) is not walked */
    if (!t->in_tx && !sqla_words_in(f->words, ts_node_start_byte(st), ts_node_end_byte(st)))
        return;
    stmtcalls_t sc;
    memset(&sc, 0, sizeof sc);
    sc.t = t;
    pysource_walk(f->src, st, stmtcalls_visit, &sc);
    if (!ts_node_is_null(sc.net) && t->in_tx) {
        t->net = sc.net;
        t->done = true;
        emit_network(f, t, st);
        return;
    }
    if (sc.op == 1 && !t->in_tx) {
        t->in_tx = true;
        t->tx_start = st;
    } else if (sc.op == 2 && !t->in_begin_block) {
        t->in_tx = false;
    }
}

/* pysource_each_named_child callback: tx_statement on one statement; false (stop) once the scan is
 * done. */
static bool tx_child(TSNode st, void *ctx)
{
    txscan_t *t = ctx;
    tx_statement(t, st);
    return !t->done;
}

static void tx_block(txscan_t *t, TSNode block)
{
    if (!t->done)
        pysource_each_named_child(block, tx_child, t);
}

/* Local names of a function (parameters and assigned names). */
static bool is_local(const pysource_t *src, TSNode fn, const char *name)
{
    char pn[64];
    for (unsigned i = 0; param_name(src, fn, i, pn, sizeof pn); i++)
        if (strcmp(pn, name) == 0)
            return true;
    TSNode st;
    TSNode v = last_assignment(src, field(fn, "body"), name, UINT32_MAX, &st);
    return !ts_node_is_null(v);
}

typedef struct {
    const pysource_t *src;
    TSNode fn;
    bool local;
    char names[8][64];
    int n;
} locals_t;

/* pysource_walk visitor over create_engine()/sessionmaker() arguments: the function's parameters
 * and locals they use (at most 8; keyword names and attribute names are not uses). */
static pysource_walk_t locals_visit(const pysource_t *src, TSNode n, void *ctx)
{
    locals_t *l = ctx;
    if (is(n, "keyword_argument")) {
        pysource_walk(src, field(n, "value"), locals_visit, l);
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "attribute")) {
        pysource_walk(src, field(n, "object"), locals_visit, l);
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (is(n, "identifier")) {
        char t[64];
        text_of(src, n, t, sizeof t);
        if (is_local(src, l->fn, t)) {
            l->local = true;
            bool dup = false;
            for (int i = 0; i < l->n; i++)
                dup |= strcmp(l->names[i], t) == 0;
            if (!dup && l->n < 8)
                snprintf(l->names[l->n++], 64, "%s", t);
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* engine_per_call: create_engine()/sessionmaker() called in a loop or request handler moves to
 * module level, or, when its arguments use the function's locals, behind a functools.lru_cache per
 * distinct argument; conditional either way. */
static void emit_engine(file_t *f, TSNode fn, TSNode call, bool in_loop)
{
    TSNode def = fn;
    if (is(ts_node_parent(fn), "decorated_definition"))
        def = ts_node_parent(fn);
    TSNode st = enclosing_statement(call);
    bool engine = pysource_call_is(f->src, call, "create_engine") ||
                  pysource_call_is(f->src, call, "create_async_engine");
    locals_t l;
    memset(&l, 0, sizeof l);
    l.src = f->src;
    l.fn = fn;
    pysource_walk(f->src, field(call, "arguments"), locals_visit, &l);
    char calltext[1200];
    text_of(f->src, call, calltext, sizeof calltext);
    edits_t ed = {0};
    strbuf_t pre = {0}, expl = {0};
    const char *glob = engine ? "ENGINE" : "SESSION_FACTORY";
    char imp[160] = "";
    if (!l.local) {
        strbuf_printf(&pre, "%s = %s\n\n", glob, calltext);
        ed_add(&ed, ts_node_start_byte(call), ts_node_end_byte(call), glob);
    } else {
        strbuf_t args = {0};
        for (int i = 0; i < l.n; i++)
            strbuf_printf(&args, "%s%s", i ? ", " : "", l.names[i]);
        strbuf_printf(&pre,
                      "@functools.lru_cache(maxsize=None)\ndef _%s_for(%s):\n    return %s\n\n",
                      engine ? "engine" : "session_factory", args.buf, calltext);
        char rep[400];
        snprintf(rep, sizeof rep, "_%s_for(%s)", engine ? "engine" : "session_factory", args.buf);
        ed_add(&ed, ts_node_start_byte(call), ts_node_end_byte(call), rep);
        free(args.buf);
    }
    strbuf_printf(
        &expl,
        "%s is called %s: each call builds a new %s, so every %s opens fresh PostgreSQL "
        "connections (TCP + auth + backend start, several ms) instead of reusing a pool, and "
        "can exceed max_connections under load. Create it once %s.%s",
        engine ? "create_engine()" : "sessionmaker()",
        in_loop ? "inside a loop" : "inside a request handler",
        engine ? "engine with its own connection pool" : "session factory",
        in_loop ? "iteration" : "request",
        l.local ? "per distinct argument (functools.lru_cache)" : "at module level",
        l.local ? import_note(f, f->src, "functools", NULL, imp, sizeof imp) : "");
    safety_t sf = {"conditional",
                   l.local ? "the arguments are hashable and the same arguments may share one "
                             "engine (its pool) for the life of the process"
                           : "the arguments have their final values when the module is imported "
                             "(not read from a request, an app context or configuration loaded "
                             "later)"};
    emit(f, f->src, pysource_node_line(call), "session_fix", "engine_per_call",
         ts_node_start_byte(def), ts_node_end_byte(st), &ed, pre.buf, NULL, expl.buf,
         json_pack("{s:s}", "shape", "none"), false, NULL, &sf);
    free(pre.buf);
    free(expl.buf);
}

/* ---- raw SQL built from strings ------------------------------------- */

/* Whether a text starts like an SQL statement (SELECT, INSERT, UPDATE, DELETE, WITH, after spaces
 * and parentheses). */
static bool sqlish(const char *s, size_t n)
{
    while (n && (isspace((unsigned char)*s) || *s == '(')) {
        s++;
        n--;
    }
    const char *kw[] = {"select", "insert", "update", "delete", "with"};
    for (size_t i = 0; i < 5; i++) {
        size_t l = strlen(kw[i]);
        if (n > l && strncasecmp(s, kw[i], l) == 0 && !isalnum((unsigned char)s[l]))
            return true;
    }
    return false;
}

/* The parameter name for a formatted value: the identifier, the attribute's name, a constant
 * subscript key, else p<idx>, made a valid name. */
static void param_from_expr(const pysource_t *src, TSNode e, int idx, char *out, size_t size)
{
    e = unwrap(e);
    if (is(e, "identifier")) {
        text_of(src, e, out, size);
    } else if (is(e, "attribute")) {
        text_of(src, field(e, "attribute"), out, size);
    } else if (is(e, "subscript")) {
        json_t *k = pysource_eval(src, field(e, "subscript"));
        if (json_is_string(k))
            snprintf(out, size, "%s", json_string_value(k));
        else
            snprintf(out, size, "p%d", idx);
        json_decref(k);
    } else {
        snprintf(out, size, "p%d", idx);
    }
    for (char *c = out; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            *c = '_';
    if (!out[0] || isdigit((unsigned char)out[0]))
        snprintf(out, size, "p%d", idx);
}

typedef struct {
    char names[16][64];
    char exprs[16][256];
    int n;
} binds_t;

/* The bind name for expression expr (the same one when expr repeats), name made unique with _2,
 * _3...; NULL past 16 values. */
static const char *bind_name(binds_t *b, const char *name, const char *expr)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->exprs[i], expr) == 0)
            return b->names[i];
    if (b->n >= 16)
        return NULL;
    char cand[64];
    snprintf(cand, sizeof cand, "%s", name);
    for (int k = 2;; k++) {
        bool clash = false;
        for (int i = 0; i < b->n; i++)
            clash |= strcmp(b->names[i], cand) == 0;
        if (!clash)
            break;
        snprintf(cand, sizeof cand, "%s_%d", name, k);
    }
    snprintf(b->names[b->n], 64, "%s", cand);
    snprintf(b->exprs[b->n], 256, "%s", expr);
    return b->names[b->n++];
}

/* The SQL of a formatted string as it is read: text, and a marker
 * (PARAM_MARK, then the parameter's 1-based index) where a runtime value
 * goes. Rendering happens once the whole string is known, because a value
 * inside a quoted SQL literal ('%{term}%') must take the whole literal
 * with it: the literal becomes one bound value built in Python. */
#define PARAM_MARK     '\x01'
#define MAX_RAW_PARAMS 16

typedef struct {
    strbuf_t sql;
    char names[MAX_RAW_PARAMS][64];
    char exprs[MAX_RAW_PARAMS][256];
    int n;
    bool bad; /* a marker byte in the source, or too many values */
} rawsql_t;

/* Appends SQL text; a marker byte in it makes the string unusable (r->bad). */
static void raw_text(rawsql_t *r, const char *s, size_t n)
{
    if (memchr(s, PARAM_MARK, n))
        r->bad = true;
    strbuf_addn(&r->sql, s, n);
}

/* Appends a parameter marker for value expr named name; past MAX_RAW_PARAMS r->bad is set. */
static void raw_param(rawsql_t *r, const char *name, const char *expr)
{
    if (r->n >= MAX_RAW_PARAMS) {
        r->bad = true;
        return;
    }
    snprintf(r->names[r->n], sizeof r->names[0], "%s", name);
    snprintf(r->exprs[r->n], sizeof r->exprs[0], "%s", expr);
    r->n++;
    char mark[2] = {PARAM_MARK, (char)r->n};
    strbuf_addn(&r->sql, mark, 2);
}

typedef struct {
    strbuf_t *out;  /* the new Python string's contents */
    strbuf_t *tmpl; /* the SQL as the server gets it, $n for values */
    binds_t *binds;
    bool named;      /* :name (text(), SQLAlchemy) or %(name)s (DB-API driver) */
    bool percent;    /* the source was %-formatted: %% in it is one % */
    char vprefix[4]; /* the string's prefix letters other than f (r) */
    char delim[4];   /* its quotes, one or three */
    int nparam;
} render_t;

/* SQL text outside literals, re-escaped for the new string's consumer. */
static void render_text(render_t *rd, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool pct2 = s[i] == '%' && i + 1 < n && s[i + 1] == '%';
        if (rd->percent && pct2) {
            /* %% was one % after formatting */
            strbuf_add(rd->out, rd->named ? "%" : "%%");
            strbuf_add(rd->tmpl, "%");
            i++;
        } else if (!rd->percent && !rd->named && s[i] == '%') {
            /* a driver now formats this string: a bare % must be doubled */
            strbuf_add(rd->out, "%%");
            strbuf_add(rd->tmpl, "%");
        } else {
            strbuf_addn(rd->out, s + i, 1);
            strbuf_addn(rd->tmpl, s + i, 1);
        }
    }
}

/* Writes the placeholder for a value (:name for text() / SQLAlchemy, %(name)s for a DB-API driver)
 * into the new string and $n into the SQL template. Returns false past 16 distinct values. */
static bool render_placeholder(render_t *rd, const char *name, const char *expr)
{
    const char *bn = bind_name(rd->binds, name, expr);
    if (!bn)
        return false;
    if (rd->named)
        strbuf_printf(rd->out, ":%s", bn);
    else
        strbuf_printf(rd->out, "%%(%s)s", bn);
    strbuf_printf(rd->tmpl, "$%d", ++rd->nparam);
    return true;
}

/* A quoted SQL literal holding values ('%{term}%'): one bound value, built
 * by a Python f-string (or str.format when an expression holds the
 * string's quote) from the literal's text and the expressions. */
static bool render_literal(render_t *rd, rawsql_t *r, const char *s, size_t n)
{
    if (n == 2 && s[0] == PARAM_MARK) /* '{x}': the value is x itself */
        return render_placeholder(rd, r->names[s[1] - 1], r->exprs[s[1] - 1]);
    bool fstring = true;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == PARAM_MARK) {
            const char *e = r->exprs[s[i + 1] - 1];
            if (strchr(e, rd->delim[0]) || strchr(e, '\\') || strchr(e, '\n'))
                fstring = false;
            i++;
        }
    strbuf_t v = {0}, args = {0};
    const char *first = NULL;
    strbuf_printf(&v, "%s%s%s", fstring ? "f" : "", rd->vprefix, rd->delim);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == PARAM_MARK && i + 1 < n) {
            const char *e = r->exprs[s[i + 1] - 1];
            if (!first)
                first = r->names[s[i + 1] - 1];
            if (fstring)
                strbuf_printf(&v, "{%s}", e);
            else {
                strbuf_add(&v, "{}");
                strbuf_printf(&args, "%s%s", args.len ? ", " : "", e);
            }
            i++;
        } else if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'') {
            strbuf_add(&v, "'"); /* SQL's '' is one quote in the value */
            i++;
        } else if (s[i] == '%' && i + 1 < n && s[i + 1] == '%' && rd->percent) {
            strbuf_add(&v, "%");
            i++;
        } else if (s[i] == '{' || s[i] == '}') {
            strbuf_addn(&v, s + i, 1);
            strbuf_addn(&v, s + i, 1);
        } else {
            strbuf_addn(&v, s + i, 1);
        }
    }
    strbuf_add(&v, rd->delim);
    if (!fstring)
        strbuf_printf(&v, ".format(%s)", args.buf ? args.buf : "");
    bool ok = first && v.len < 256 && render_placeholder(rd, first, v.buf);
    free(v.buf);
    free(args.buf);
    return ok;
}

/* Renders the marked SQL: values become placeholders, quoted literals that
 * hold values become one value each. False when the SQL cannot be read
 * safely (an unterminated literal, a backslash-escaped quote). */
static bool render_sql(render_t *rd, rawsql_t *r)
{
    const char *s = r->sql.buf ? r->sql.buf : "";
    size_t n = r->sql.len;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\'')
            return false;
        if (s[i] == PARAM_MARK) {
            if (i + 1 >= n ||
                !render_placeholder(rd, r->names[s[i + 1] - 1], r->exprs[s[i + 1] - 1]))
                return false;
            i += 2;
            continue;
        }
        if (s[i] != '\'') {
            size_t j = i;
            while (j < n && s[j] != '\'' && s[j] != PARAM_MARK &&
                   !(s[j] == '\\' && j + 1 < n && s[j + 1] == '\''))
                j++;
            render_text(rd, s + i, j - i);
            i = j;
            continue;
        }
        /* a quoted literal: find its end ('' is a quote inside it) */
        size_t j = i + 1;
        bool values = false;
        for (;;) {
            if (j >= n)
                return false;
            if (s[j] == '\\' && j + 1 < n && s[j + 1] == '\'')
                return false;
            if (s[j] == PARAM_MARK) {
                values = true;
                j += 2;
                continue;
            }
            if (s[j] == '\'' && j + 1 < n && s[j + 1] == '\'') {
                j += 2;
                continue;
            }
            if (s[j] == '\'')
                break;
            j++;
        }
        if (values) {
            if (!render_literal(rd, r, s + i + 1, j - i - 1))
                return false;
        } else {
            render_text(rd, s + i, j - i + 1);
        }
        i = j + 1;
    }
    return true;
}

/* Rule 5: where a value formatted into SQL comes from, least to most
 * dangerous. Only a value that can come from outside (request input, a
 * caller's argument, anything pgopt cannot trace) makes the injection P1. */
typedef enum {
    ORIGIN_CONSTANT = 0, /* a module constant, a literal, a number conversion */
    ORIGIN_DATABASE,     /* a value read from the database */
    ORIGIN_UNKNOWN,      /* not traced */
    ORIGIN_PARAMETER,    /* the enclosing function's argument: its callers decide */
    ORIGIN_REQUEST,      /* request input (a web handler's argument, request.*, environ) */
} origin_kind_t;

static const char *const origin_names[] = {"constant", "database", "unknown", "parameter",
                                           "request"};

/* Whether name is a parameter of function fn. */
static bool is_param_of(const pysource_t *src, TSNode fn, const char *name)
{
    char pn[64];
    for (unsigned i = 0; !ts_node_is_null(fn) && param_name(src, fn, i, pn, sizeof pn); i++)
        if (strcmp(pn, name) == 0)
            return true;
    return false;
}

static bool is_route(const pysource_t *src, TSNode fn);

/* Where a formatted value comes from, followed through assignments up to depth 4: a constant, the
 * database, the enclosing function's parameter (request input for a route handler), request input
 * (request.*, environ, argv, input()), or unknown. */
static origin_kind_t value_origin(file_t *f, TSNode fn, TSNode e, uint32_t before, int depth)
{
    e = unwrap(e);
    if (depth > 4 || ts_node_is_null(e))
        return ORIGIN_UNKNOWN;
    json_t *v = pysource_eval(f->src, e);
    if (v) {
        json_decref(v);
        return ORIGIN_CONSTANT;
    }
    size_t len;
    const char *t = pysource_node_span(f->src, e, &len);
    char text[256];
    snprintf(text, sizeof text, "%.*s", (int)(len < 255 ? len : 255), t);
    if (strstr(text, "request.") || strstr(text, "environ") || strstr(text, "argv") ||
        strstr(text, "input("))
        return ORIGIN_REQUEST;
    if (is(e, "call")) {
        TSNode callee = field(e, "function");
        /* a number cannot carry SQL text */
        const char *typed[] = {"int", "float", "bool", "len", "round", "abs", "Decimal"};
        for (size_t i = 0; i < sizeof typed / sizeof *typed; i++)
            if (is(callee, "identifier") && pysource_node_text_is(f->src, callee, typed[i]))
                return ORIGIN_CONSTANT;
        if (strstr(text, ".scalar") || strstr(text, ".fetch") || strstr(text, ".first(") ||
            strstr(text, ".one(") || strstr(text, ".all(") || strstr(text, ".execute("))
            return ORIGIN_DATABASE;
    }
    /* the root name of x.y[z].w */
    TSNode root = e;
    for (int g = 0; g < 20; g++) {
        if (is(root, "attribute"))
            root = unwrap(field(root, "object"));
        else if (is(root, "subscript"))
            root = unwrap(field(root, "value"));
        else if (is(root, "call") && is(field(root, "function"), "attribute"))
            root = unwrap(field(field(root, "function"), "object"));
        else
            break;
    }
    if (!is(root, "identifier"))
        return ORIGIN_UNKNOWN;
    char name[96];
    text_of(f->src, root, name, sizeof name);
    if (strcmp(name, "request") == 0)
        return ORIGIN_REQUEST;
    if (is_param_of(f->src, fn, name))
        return is_route(f->src, fn) ? ORIGIN_REQUEST : ORIGIN_PARAMETER;
    /* a loop variable over a query result, a name assigned in the function */
    TSNode body = ts_node_is_null(fn) ? pysource_root(f->src) : field(fn, "body");
    for (TSNode p = ts_node_parent(e); !ts_node_is_null(p) && !same_node(p, fn);
         p = ts_node_parent(p)) {
        if (is(p, "for_statement") && pysource_node_text_is(f->src, field(p, "left"), name)) {
            chain_t ch;
            memset(&ch, 0, sizeof ch);
            if (analyze_chain(f->d->p, f->src, field(p, "right"), &ch))
                return ORIGIN_DATABASE;
            return value_origin(f, fn, field(p, "right"), ts_node_start_byte(p), depth + 1);
        }
    }
    TSNode st;
    TSNode val = last_assignment(f->src, body, name, before, &st);
    if (!ts_node_is_null(val)) {
        chain_t ch;
        memset(&ch, 0, sizeof ch);
        if (analyze_chain(f->d->p, f->src, val, &ch))
            return ORIGIN_DATABASE;
        return value_origin(f, fn, val, ts_node_start_byte(val), depth + 1);
    }
    /* a module-level constant (UPPER_CASE, or assigned at module level) */
    bool upper = true;
    for (const char *c = name; *c; c++)
        if (islower((unsigned char)*c))
            upper = false;
    TSNode mv = last_assignment(f->src, pysource_root(f->src), name, UINT32_MAX, &st);
    if (!ts_node_is_null(mv) && !ts_node_is_null(fn)) {
        /* a module-level name: what it is assigned (os.environ[...] is
         * outside input even in an UPPER_CASE name) */
        TSNode none;
        memset(&none, 0, sizeof none);
        origin_kind_t k = value_origin(f, none, mv, ts_node_start_byte(mv), depth + 1);
        return k == ORIGIN_UNKNOWN && upper ? ORIGIN_CONSTANT : k;
    }
    if (upper)
        return ORIGIN_CONSTANT;
    return ORIGIN_UNKNOWN;
}

/* Rule 5: a bound parameter stands only where SQL takes a value. A $n after
 * FROM/JOIN/INTO/UPDATE/BY/AS/SELECT, after or before a '.', or right after
 * a name is an identifier or a piece of SQL (a table, a column, an order
 * direction): binding it breaks the statement or changes its meaning. NULL
 * when every $n is in a value position, else what is wrong. */
static const char *value_position_problem(const char *sql)
{
    /* keywords a bare value may follow; after WHERE, AND, OR, NOT, ON, WHEN
     * or IS a bare placeholder would be a whole condition (SQL text, not a
     * value: `WHERE {clause}` bound is a string where a boolean goes) */
    const char *value_words[] = {"LIKE",   "ILIKE", "BETWEEN", "LIMIT",
                                 "OFFSET", "THEN",  "ELSE",    "ESCAPE"};
    /* the clause a list item stands in, when the nearest keyword before it
     * is one of these, takes values: lower($1), VALUES ($1, $2), ANY($1) */
    const char *list_value_words[] = {"WHERE", "AND",  "OR",    "NOT",     "ON",     "HAVING",
                                      "SET",   "WHEN", "THEN",  "ELSE",    "VALUES", "ANY",
                                      "ALL",   "LIKE", "ILIKE", "BETWEEN", "LIMIT",  "OFFSET"};
    const char *list_clauses[] = {"SELECT", "FROM",      "ORDER", "GROUP",  "JOIN",
                                  "INTO",   "RETURNING", "TABLE", "UPDATE", "BY"};
    bool quote = false;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'')
            quote = !quote;
        if (quote || *p != '$' || !isdigit((unsigned char)p[1]))
            continue;
        const char *after = p + 1;
        while (isdigit((unsigned char)*after))
            after++;
        while (*after == ' ' || *after == '\n' || *after == '\t')
            after++;
        if (*after == '.')
            return "a formatted value is followed by '.' (a schema or table name)";
        const char *b = p;
        while (b > sql && isspace((unsigned char)b[-1]))
            b--;
        if (b == sql)
            return "a formatted value starts the statement";
        char c = b[-1];
        if (c == '.')
            return "a formatted value follows '.' (a column or table name)";
        if (c == '(' || c == ',') {
            /* IN ($n) alone: usually a list joined into the text before,
             * which bound becomes one item */
            const char *o = b - 1;
            while (o > sql && isspace((unsigned char)o[-1]))
                o--;
            if (c == '(' && *after == ')' && o - sql >= 2 && strncasecmp(o - 2, "IN", 2) == 0 &&
                (o - 2 == sql || !isalnum((unsigned char)o[-3])))
                return "a formatted value is the whole IN (...) list: if it is several values "
                       "joined into text, one bound value is one item";
            /* a list: which clause is it in? the nearest keyword before */
            const char *q = b - 1;
            while (q > sql) {
                while (q > sql && !isalpha((unsigned char)q[-1]))
                    q--;
                const char *we = q;
                while (q > sql && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
                    q--;
                size_t wl = (size_t)(we - q);
                for (size_t i = 0; i < sizeof list_clauses / sizeof *list_clauses; i++)
                    if (wl == strlen(list_clauses[i]) && strncasecmp(q, list_clauses[i], wl) == 0)
                        return "a formatted value stands in a column, table or ORDER BY list, "
                               "where SQL takes names, not values";
                for (size_t i = 0; i < sizeof list_value_words / sizeof *list_value_words; i++)
                    if (wl == strlen(list_value_words[i]) &&
                        strncasecmp(q, list_value_words[i], wl) == 0)
                        goto next;
                if (wl == 2 && strncasecmp(q, "IN", 2) == 0)
                    goto next;
            }
            goto next;
        }
        if (strchr("=<>!+-*/%|", c))
            continue;
        if (isalnum((unsigned char)c) || c == '_' || c == '"') {
            const char *we = b;
            const char *q = b;
            while (q > sql && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
                q--;
            size_t wl = (size_t)(we - q);
            for (size_t i = 0; i < sizeof value_words / sizeof *value_words; i++)
                if (wl == strlen(value_words[i]) && strncasecmp(q, value_words[i], wl) == 0)
                    goto next;
            return "a formatted value follows a name or keyword where SQL takes a name or a "
                   "piece of SQL (a table, a column, a sort direction), not a value";
        }
        return "a formatted value stands where SQL takes no value";
    next:;
    }
    return NULL;
}

/* One formatted SQL string being read and rendered by check_raw_sql. */
typedef struct {
    file_t *f;
    TSNode fn;   /* the enclosing function definition, or a null node */
    TSNode call; /* the execute()/text() call */
    TSNode rhs;  /* the right side of %, for %-formatting */
    bool fstring, percent;
    origin_kind_t worst; /* where the least trusted value comes from */
    bool joined;         /* a value is a list joined into the text */
    int idx;             /* values read so far */
    bool ok;
    strbuf_t lit, tmpl; /* the new Python string, the SQL with $n */
    render_t rd;
    const char *end_s; /* the string's closing quotes */
    size_t end_n;
    /* Last: their names and values (10 kB) are read only below their counts
     * (render_sql reads markers only raw_param wrote), so check_raw_sql
     * clears what is before them and their other fields: clearing it all
     * was 642 K instructions for python3-placement's 61 calls, most of which
     * find no formatted string */
    binds_t binds;
    rawsql_t raw;
} rawfmt_t;

/* Notes where the runtime value e comes from (the worst origin so far) and
 * whether it is a list joined into text (et, its source text). */
static void rawfmt_origin(rawfmt_t *x, TSNode e, const char *et)
{
    origin_kind_t ok2 = value_origin(x->f, x->fn, e, ts_node_start_byte(x->call), 0);
    if (ok2 > x->worst)
        x->worst = ok2;
    if (strstr(et, "join("))
        x->joined = true;
}

/* The SQL string argument arg of call, when it is built by an f-string with
 * a runtime value or by % formatting with a runtime right side (through one
 * local assignment, whose statement goes to *stmt) and starts like SQL.
 * Sets *str (the string node), x->rhs, fstring, percent and *expr (the
 * formatting expression). Returns false when it is not such a string. */
static bool raw_formatted_string(rawfmt_t *x, TSNode scope, TSNode arg, TSNode *expr, TSNode *stmt,
                                 TSNode *str)
{
    file_t *f = x->f;
    *expr = unwrap(arg);
    if (is(*expr, "identifier")) {
        char name[64];
        text_of(f->src, *expr, name, sizeof name);
        TSNode v = last_assignment(f->src, scope, name, ts_node_start_byte(x->call), stmt);
        if (ts_node_is_null(v))
            return false;
        *expr = unwrap(v);
    }
    *str = *expr;
    if (is(*expr, "string")) {
        uint32_t k = ts_node_named_child_count(*expr);
        for (uint32_t i = 0; i < k; i++) {
            TSNode c = ts_node_named_child(*expr, i);
            if (is(c, "interpolation")) {
                json_t *v = pysource_eval(f->src, field(c, "expression"));
                if (!v)
                    x->fstring = true;
                json_decref(v);
            }
        }
    } else if (is(*expr, "binary_operator")) {
        size_t len;
        const char *op = pysource_node_span(f->src, field(*expr, "operator"), &len);
        *str = field(*expr, "left");
        x->rhs = field(*expr, "right");
        json_t *v = pysource_eval(f->src, x->rhs);
        x->percent = len == 1 && op[0] == '%' && is(*str, "string") && !v;
        json_decref(v);
    }
    if (!x->fstring && !x->percent)
        return false;
    size_t slen;
    const char *stext = pysource_node_span(f->src, *str, &slen);
    /* the string's SQL must start like a statement */
    uint32_t k = ts_node_named_child_count(*str);
    TSNode first_content;
    memset(&first_content, 0, sizeof first_content);
    for (uint32_t i = 0; i < k; i++)
        if (is(ts_node_named_child(*str, i), "string_content")) {
            first_content = ts_node_named_child(*str, i);
            break;
        }
    size_t fl;
    const char *fc = pysource_node_span(f->src, first_content, &fl);
    if (ts_node_is_null(first_content) || !sqlish(fc, fl))
        return false;
    (void)stext;
    (void)slen;
    return true;
}

/* The string's opening token (s, n bytes): its quotes and prefix letters
 * other than f go to the renderer and the new literal; a bytes string
 * cannot be rebuilt (x->ok false). */
static void rawfmt_start(rawfmt_t *x, const char *s, size_t n)
{
    size_t q = 0, np = 0;
    for (size_t j = 0; j < n; j++) {
        if (s[j] == 'b' || s[j] == 'B')
            x->ok = false; /* bytes: no f-string can build the value */
        else if ((s[j] == '"' || s[j] == '\'') && q < 3)
            x->rd.delim[q++] = s[j];
        else if (s[j] != 'f' && s[j] != 'F' && np < 3)
            x->rd.vprefix[np++] = s[j];
        if (s[j] != 'f' && s[j] != 'F')
            strbuf_addn(&x->lit, s + j, 1);
    }
}

/* An f-string field: a constant is inlined as text, a runtime value
 * becomes a parameter (named after its expression). */
static void rawfmt_interpolation(rawfmt_t *x, TSNode c)
{
    const pysource_t *src = x->f->src;
    TSNode e = field(c, "expression");
    json_t *v = pysource_eval(src, e);
    if (v && json_is_string(v)) {
        /* a constant: inline it */
        raw_text(&x->raw, json_string_value(v), strlen(json_string_value(v)));
    } else if (v) {
        char *t = json_dumps(v, JSON_ENCODE_ANY);
        raw_text(&x->raw, t, strlen(t));
        free(t);
    } else {
        char pn[64], et[256];
        param_from_expr(src, e, ++x->idx, pn, sizeof pn);
        text_of(src, e, et, sizeof et);
        raw_param(&x->raw, pn, et);
        rawfmt_origin(x, e, et);
    }
    json_decref(v);
}

/* A %-formatted string's content (s, n bytes): %s / %d / %(name)s become
 * parameters taken from the right side (a tuple, one value or a dict);
 * %% stays (rendering reads it). x->ok false when a placeholder has no
 * value. */
static void rawfmt_percent_content(rawfmt_t *x, const char *s, size_t n)
{
    const pysource_t *src = x->f->src;
    TSNode r = unwrap(x->rhs);
    uint32_t rn = is(r, "tuple") ? ts_node_named_child_count(r) : 1;
    size_t a = 0;
    for (size_t j = 0; j < n; j++) {
        if (s[j] != '%' || j + 1 >= n)
            continue;
        if (s[j + 1] == '%') {
            j++;
            continue;
        }
        raw_text(&x->raw, s + a, j - a);
        size_t e2 = j + 1;
        char pn[64] = "", et[256] = "";
        if (s[e2] == '(') {
            const char *close = memchr(s + e2, ')', n - e2);
            if (!close) {
                x->ok = false;
                break;
            }
            snprintf(pn, sizeof pn, "%.*s", (int)(close - s - e2 - 1), s + e2 + 1);
            e2 = (size_t)(close - s) + 1;
            /* value from the dict on the right */
            snprintf(et, sizeof et, "%s[\"%s\"]", "__rhs__", pn);
            origin_kind_t ok2 = value_origin(x->f, x->fn, r, ts_node_start_byte(x->call), 0);
            if (ok2 > x->worst)
                x->worst = ok2;
        } else {
            if (x->idx >= (int)rn) {
                x->ok = false;
                break;
            }
            TSNode e = is(r, "tuple") ? ts_node_named_child(r, (uint32_t)x->idx) : r;
            param_from_expr(src, e, x->idx + 1, pn, sizeof pn);
            text_of(src, e, et, sizeof et);
            x->idx++;
            rawfmt_origin(x, e, et);
        }
        while (e2 < n && isalpha((unsigned char)s[e2]) == 0)
            e2++;
        e2++; /* the conversion letter */
        if (strncmp(et, "__rhs__", 7) == 0) {
            char rt[200];
            text_of(src, r, rt, sizeof rt);
            char full[300];
            snprintf(full, sizeof full, "%s%s", rt, et + 7);
            snprintf(et, sizeof et, "%s", full);
        }
        raw_param(&x->raw, pn, et);
        a = e2;
        j = e2 - 1;
    }
    if (x->ok && a < n)
        raw_text(&x->raw, s + a, n - a);
}

/* Reads the string node str part by part into x->raw (text and parameter
 * markers) and renders the new literal (x->lit) and the SQL as the server
 * gets it (x->tmpl). Returns false when the string cannot be rebuilt
 * (bytes, a placeholder without a value, a marker byte in the source, too
 * many values, or a rendering failure). */
static bool rawfmt_render(rawfmt_t *x, TSNode str)
{
    const pysource_t *src = x->f->src;
    for (uint32_t i = 0; i < ts_node_child_count(str) && x->ok; i++) {
        TSNode c = ts_node_child(str, i);
        size_t n;
        const char *s = pysource_node_span(src, c, &n);
        if (is(c, "string_start")) {
            rawfmt_start(x, s, n);
        } else if (is(c, "string_end")) {
            x->end_s = s;
            x->end_n = n;
        } else if (is(c, "interpolation")) {
            rawfmt_interpolation(x, c);
        } else if (x->percent && (is(c, "string_content"))) {
            rawfmt_percent_content(x, s, n);
        } else {
            /* string_content / escape_sequence of an f-string: {{ }} are braces */
            for (size_t j = 0; j < n; j++) {
                if (!x->percent && (s[j] == '{' || s[j] == '}') && j + 1 < n && s[j + 1] == s[j])
                    j++;
                raw_text(&x->raw, s + j, 1);
            }
        }
    }
    if (x->ok && (x->raw.bad || !x->rd.delim[0] || !x->end_s || !render_sql(&x->rd, &x->raw)))
        x->ok = false;
    if (x->ok)
        strbuf_addn(&x->lit, x->end_s, x->end_n);
    return x->ok;
}

/* A formatted value where SQL takes a name or a piece of SQL (bad says
 * where): reported with the fix explained, no code (binding it would
 * change the statement). rs0 is where the finding's lines start. */
static void raw_emit_manual(rawfmt_t *x, const char *bad, uint32_t rs0, json_t *input)
{
    file_t *f = x->f;
    bool outside = x->worst >= ORIGIN_UNKNOWN;
    strbuf_t expl = {0};
    strbuf_printf(
        &expl,
        "SQL text is built with %s from %d runtime value%s (%s%s). Not rewritten: %s. Fix "
        "by hand: check a name against a fixed allow-list (a dict of the allowed tables or "
        "columns) before it goes into the text, and bind real values as parameters (a list "
        "with bindparam(..., expanding=True)).",
        x->fstring ? "an f-string" : "% formatting", x->binds.n, x->binds.n > 1 ? "s" : "",
        outside ? "input that can come from outside: an SQL injection risk"
                : "values from the database or module constants",
        x->worst == ORIGIN_REQUEST     ? ", request input"
        : x->worst == ORIGIN_PARAMETER ? ", a caller's argument"
                                       : "",
        bad);
    emit(f, f->src, pysource_node_line(x->call), "query_opt", "sql_string_formatting", rs0,
         ts_node_end_byte(enclosing_statement(x->call)), &(edits_t){0}, NULL, NULL, expl.buf,
         json_pack("{s:s, s:s}", "shape", "raw", "text", x->tmpl.buf ? x->tmpl.buf : ""), true,
         input, &(safety_t){"manual", bad});
    free(expl.buf);
}

/* The edits binding the values: the new literal in place of the
 * formatting expression expr, and the parameters as .bindparams(...) on
 * text() or as a dict argument of execute() (a plain string with :name
 * parameters wrapped in text(), which SQLAlchemy 1.4 and 2.0 both run; the
 * import it needs goes to imp). Returns false when execute() has more than
 * the one argument (ed is then freed). */
static bool raw_bind_edits(rawfmt_t *x, TSNode arg, TSNode expr, bool text_call, edits_t *ed,
                           char *imp, size_t imp_size)
{
    file_t *f = x->f;
    TSNode call = x->call;
    binds_t *b = &x->binds;
    /* rule 5: SQLAlchemy's execute() takes a plain string only in 1.x
     * (Session, with a warning; Connection hands it to the driver, where
     * :name is not a placeholder), 2.0 rejects it: the fix wraps it in
     * text(), which both run */
    bool wrap_text = !text_call && x->rd.named;
    bool inline_arg = same_node(unwrap(arg), expr);
    if (!(wrap_text && inline_arg))
        ed_add(ed, ts_node_start_byte(expr), ts_node_end_byte(expr), x->lit.buf);
    strbuf_t params = {0};
    if (text_call) {
        strbuf_add(&params, ".bindparams(");
        for (int i = 0; i < b->n; i++)
            strbuf_printf(&params, "%s%s=%s", i ? ", " : "", b->names[i], b->exprs[i]);
        strbuf_add(&params, ")");
        ed_add(ed, ts_node_end_byte(call), ts_node_end_byte(call), params.buf);
    } else {
        strbuf_add(&params, ", {");
        for (int i = 0; i < b->n; i++)
            strbuf_printf(&params, "%s\"%s\": %s", i ? ", " : "", b->names[i], b->exprs[i]);
        strbuf_add(&params, "}");
        if (ts_node_named_child_count(field(call, "arguments")) != 1) {
            ed_free(ed);
            free(params.buf);
            return false;
        }
        if (wrap_text) {
            char *at = inline_arg ? NULL : pysource_node_text(f->src, arg);
            strbuf_t w = {0};
            char tref[64];
            sqla_ref(f, f->src, "text", "sqlalchemy", tref, sizeof tref, imp, imp_size);
            strbuf_printf(&w, "%s(%s)%s", tref, inline_arg ? x->lit.buf : at ? at : "", params.buf);
            free(at);
            ed_add(ed, ts_node_start_byte(arg), ts_node_end_byte(arg), w.buf ? w.buf : "");
            free(w.buf);
        } else {
            ed_add(ed, ts_node_end_byte(arg), ts_node_end_byte(arg), params.buf);
        }
    }
    free(params.buf);
    return true;
}

/* The finding for SQL built by formatting that binding fixes: the edits ed
 * over lines rs..re, with an explanation of the risk by the values' origin
 * and of what binding changes (imp: an import the fix adds). */
static void raw_emit_bound(rawfmt_t *x, bool text_call, edits_t *ed, uint32_t rs, uint32_t re,
                           const char *imp, json_t *input)
{
    file_t *f = x->f;
    int n = x->binds.n;
    strbuf_t expl = {0};
    strbuf_printf(
        &expl,
        "SQL text is built with %s from %d runtime value%s: %s. Every "
        "value makes a new SQL text that the server parses and plans anew; bound, the text "
        "stays one statement that drivers binding on the server (psycopg 3, asyncpg) "
        "prepare once and re-plan less (psycopg2 binds on the client: there the fix is "
        "for safety only). Bind %s as parameter%s%s.%s",
        x->fstring ? "an f-string" : "% formatting", n, n > 1 ? "s" : "",
        x->worst == ORIGIN_REQUEST ? "request input goes into the SQL, an SQL injection risk"
        : x->worst == ORIGIN_PARAMETER
            ? "a caller's argument goes into the SQL, an SQL injection risk wherever a caller "
              "passes outside input"
        : x->worst == ORIGIN_UNKNOWN
            ? "pgopt cannot trace where the value comes from, so it may be outside input (an "
              "SQL injection risk)"
            : "the values come from the database or module constants, not from request input "
              "(lower risk, but a stored value with a quote still breaks the statement)",
        n > 1 ? "them" : "it", n > 1 ? "s" : "",
        text_call     ? " with text().bindparams()"
        : x->rd.named ? " (text() with :name parameters, passed as a dict: SQLAlchemy 1.4 and "
                        "2.0 both run it)"
                      : " (the driver's %(name)s style, passed as a dict)",
        imp);
    emit(f, f->src, pysource_node_line(x->call), "query_opt", "sql_string_formatting", rs, re, ed,
         NULL, NULL, expl.buf,
         json_pack("{s:s, s:s}", "shape", "raw", "text", x->tmpl.buf ? x->tmpl.buf : ""), true,
         input, &SAFE_PROVEN);
    free(expl.buf);
}

/* SQL built from runtime values by an f-string or % formatting and passed
 * to call (text() when text_call; named_style: the call takes :name
 * parameters): a sql_string_formatting finding that binds the values as
 * parameters, or, where a value stands for a name or a piece of SQL,
 * explains the fix without code. Nothing when the string is constant, not
 * SQL, or cannot be rebuilt exactly. */
static void check_raw_sql(file_t *f, TSNode scope, TSNode fn, TSNode call, TSNode arg,
                          bool text_call, bool named_style)
{
    rawfmt_t x;
    memset(&x, 0, offsetof(rawfmt_t, binds));
    x.binds.n = 0;
    memset(&x.raw.sql, 0, sizeof x.raw.sql);
    x.raw.n = 0;
    x.raw.bad = false;
    x.f = f;
    x.call = call;
    /* the walk's function (scope's parent: ts_node_parent descends from
     * the root), a null node at module level */
    x.fn = fn;
    x.worst = ORIGIN_CONSTANT;
    TSNode expr, stmt, str;
    memset(&stmt, 0, sizeof stmt);
    if (!raw_formatted_string(&x, scope, arg, &expr, &stmt, &str))
        return;
    x.rd.out = &x.lit;
    x.rd.tmpl = &x.tmpl;
    x.rd.binds = &x.binds;
    x.rd.named = text_call || named_style;
    x.rd.percent = x.percent;
    x.ok = true;
    bool ok = rawfmt_render(&x, str);
    free(x.raw.sql.buf);
    if (!ok || x.binds.n == 0) {
        free(x.lit.buf);
        free(x.tmpl.buf);
        return;
    }
    uint32_t rs0 = ts_node_is_null(stmt) ? ts_node_start_byte(enclosing_statement(call))
                                         : ts_node_start_byte(stmt);
    const char *bad = x.joined ? "a list is joined into the SQL text, so one bound value would be "
                                 "one string, not a list"
                               : value_position_problem(x.tmpl.buf ? x.tmpl.buf : "");
    json_t *input = json_pack("{s:s}", "input", origin_names[x.worst]);
    if (bad) {
        raw_emit_manual(&x, bad, rs0, input);
        free(x.lit.buf);
        free(x.tmpl.buf);
        return;
    }
    edits_t ed = {0};
    char imp[160] = "";
    if (!raw_bind_edits(&x, arg, expr, text_call, &ed, imp, sizeof imp)) {
        free(x.lit.buf);
        free(x.tmpl.buf);
        return;
    }
    uint32_t rs = ts_node_is_null(stmt) ? ts_node_start_byte(enclosing_statement(call))
                                        : ts_node_start_byte(stmt);
    uint32_t re = ts_node_end_byte(enclosing_statement(call));
    raw_emit_bound(&x, text_call, &ed, rs, re, imp, input);
    free(x.lit.buf);
    free(x.tmpl.buf);
}

/* ---- the file walk --------------------------------------------------- */

typedef struct {
    file_t *f;
    TSNode scope, fn;
    int loop_depth;
    /* fn is a web route handler (is_route): -1 until asked (only an
     * engine or session factory call outside a loop asks) */
    int route;
    /* the function has session work or a begin(): only then can the
     * transaction scan (tx_block) find anything, and it is a second walk
     * over every statement */
    bool tx_work;
    bool clean; /* the file parsed without errors */
} walk_t;

static void walk_node(walk_t *w, TSNode n);

/* The names walk_node acts on below a statement: loops and comprehensions
 * (for), engine and session factories, text(), execute() and the session
 * calls that make a function's transaction scan worth its walk. */
static const char *const walk_words[] = {"for",
                                         "while",
                                         "create_engine",
                                         "create_async_engine",
                                         "sessionmaker",
                                         "async_sessionmaker",
                                         "text",
                                         "execute",
                                         "exec_driver_sql",
                                         "begin",
                                         "add",
                                         "add_all",
                                         "flush",
                                         "delete",
                                         "merge",
                                         NULL};

/* Past what may stand between "=" and an assignment's value, or between a callee's name and its
 * "(": blanks, line ends, line continuations, comments, and (before the value) opening
 * parentheses. */
static size_t skip_gap(const char *c, size_t len, size_t i, bool parens)
{
    while (i < len) {
        unsigned char b = (unsigned char)c[i];
        if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v' ||
            b == '\\' || (parens && b == '('))
            i++;
        else if (b == '#')
            while (i < len && c[i] != '\n')
                i++;
        else
            break;
    }
    return i;
}

/* The offsets of the "=" signs of f's text that may assign the call of a plain name, `x = f(`,
 * `x = await (f(`, increasing (a superset: `==`, keyword arguments, `f()[0]` count too). The
 * walk's session-factory check (walk_node) acts only on such assignments; with walk_words they
 * are all the walk acts on. */
static void call_assigns(file_t *f)
{
    const char *c = f->c;
    size_t len = f->len, cap = 0;
    for (const char *q = c; (q = memchr(q, '=', (size_t)(c + len - q))) != NULL; q++) {
        size_t i = skip_gap(c, len, (size_t)(q - c) + 1, true);
        if (i + 5 <= len && memcmp(c + i, "await", 5) == 0 &&
            (i + 5 == len || !sqla_ident_byte((unsigned char)c[i + 5])))
            i = skip_gap(c, len, i + 5, true);
        if (i >= len || !sqla_ident_byte((unsigned char)c[i]) || isdigit((unsigned char)c[i]))
            continue;
        while (i < len && sqla_ident_byte((unsigned char)c[i]))
            i++;
        i = skip_gap(c, len, i, false);
        if (i >= len || c[i] != '(')
            continue;
        if (f->nassigns == cap) {
            cap = cap ? cap * 2 : 64;
            f->assigns = xreallocarray(f->assigns, cap, sizeof *f->assigns);
        }
        f->assigns[f->nassigns++] = (uint32_t)(q - c);
    }
}

/* One walk_children: the walk, and where the node whose children it walks ends. */
typedef struct {
    walk_t *w;
    uint32_t end;
} walk_kids_t;

static bool walk_child(TSNode ch, void *ctx)
{
    const walk_kids_t *k = ctx;
    walk_t *w = k->w;
    /* a node without named children is none of what walk_node looks at
     * (all of those have named children) and has nothing under it to
     * walk: identifiers, numbers, string parts, comments are about half
     * of the nodes, and walking into each took a cursor of its own */
    if (ts_node_named_child_count(ch) == 0)
        return true;
    /* In a file that parsed cleanly, a subtree whose text names none of
     * walk_words and assigns no call of a plain name holds nothing the walk
     * acts on (statements, functions and classes included) */
    uint32_t cs = ts_node_start_byte(ch), ce = ts_node_end_byte(ch);
    bool named = sqla_words_in(w->f->words, cs, ce);
    if (w->clean && !named && !sqla_offsets_in(w->f->assigns, w->f->nassigns, cs, ce))
        /* the children after this one begin at or after its end and end
         * by the parent's: with neither a word nor such an assignment in
         * between, each of them is skipped here too, so the iteration
         * stops (stepping a cursor over a block's trailing statements was
         * most of the walk's cost) */
        return sqla_words_in(w->f->words, ce, k->end) ||
               sqla_offsets_in(w->f->assigns, w->f->nassigns, ce, k->end);
    /* Statements and what holds them are always walked (functions,
     * assignments from a session factory); below them walk_node acts on
     * loops and on calls by their names only, so an expression whose text
     * names none of walk_words holds nothing for it: most of a file's
     * nodes, walked for nothing before */
    if (named || pysource_holds_statements(ch) ||
        ts_node_symbol(ch) == pysource_syms()->expression_statement)
        walk_node(w, ch);
    return true;
}

static void walk_children(walk_t *w, TSNode n)
{
    if (ts_node_is_null(n))
        return;
    walk_kids_t k = {w, ts_node_end_byte(n)};
    if (!w->clean) {
        pysource_each_named_child(n, walk_child, &k);
        return;
    }
    /* In a file that parsed cleanly walk_child skips every child whose text
     * holds no walk word and no call assignment: the cursor goes straight
     * to the first child ending after the first of those in n (children
     * before it end at or before it, so hold none), each child before that
     * skipped at the cost of tree-sitter's child iterator instead of a
     * cursor step (~500 instructions between a block's statements, hidden
     * nodes climbed); half of the children the walk stepped over were
     * before the first one it entered */
    uint32_t start = ts_node_start_byte(n), a = sqla_words_next(w->f->words, start),
             b = sqla_offsets_next(w->f->assigns, w->f->nassigns, start), first = a < b ? a : b;
    if (first >= k.end)
        return; /* none in n: every child would be skipped */
    TSTreeCursor *c = pysource_cursor_take(n);
    if (ts_tree_cursor_goto_first_child_for_byte(c, first) >= 0) {
        do {
            TSNode ch = ts_tree_cursor_current_node(c);
            if (ts_node_is_named(ch) && !walk_child(ch, &k))
                break;
        } while (ts_tree_cursor_goto_next_sibling(c));
    }
    pysource_cursor_give(c);
}

/* The file walk: functions (their bodies with their own scope, then the transaction scan), loops
 * (analyze_loop), sessions assigned from a factory (check_session_closed), engine/session factory
 * calls (emit_engine) and SQL built by formatting passed to text()/execute() (check_raw_sql). */
static void walk_node(walk_t *w, TSNode n)
{
    file_t *f = w->f;
    const pysource_syms_t *y = pysource_syms();
    TSSymbol ty = ts_node_symbol(n);
    if (ty == y->function_definition) {
        TSNode body = field(n, "body");
        walk_t inner = {f, body, n, 0, -1, false, w->clean};
        walk_children(&inner, body);
        if (inner.tx_work) {
            txscan_t t;
            memset(&t, 0, sizeof t);
            t.f = f;
            t.clean = !pysource_has_error(f->src);
            tx_block(&t, body);
        }
        return;
    }
    if (ty == y->for_statement || is_comprehension_symbol(y, ty)) {
        analyze_loop(f, n, w->scope, w->fn);
        w->loop_depth++;
        walk_children(w, n);
        w->loop_depth--;
        return;
    }
    /* a session made outside a loop (in one, analyze_loop reports it) */
    if (ty == y->expression_statement && !ts_node_is_null(w->fn) && w->loop_depth == 0) {
        TSNode a = ts_node_named_child(n, 0);
        /* the value, the assignment's last child, is a call only if the
         * assignment's text ends with its ")" (in a file that parsed
         * cleanly: recovery can end a call with a zero-width one): the
         * field look-ups cost more than the rest of the statement's walk */
        uint32_t ae = pysource_node_sym_is(a, y->assignment) ? ts_node_end_byte(a) : 0;
        bool call_end = ae > 0 && (!w->clean || (ae <= f->len && f->c[ae - 1] == ')'));
        TSNode right = call_end ? unwrap(field(a, "right")) : a;
        bool is_async = false;
        if (call_end && pysource_node_sym_is(right, y->call) &&
            pysource_node_sym_is(field(a, "left"), y->identifier) &&
            session_factory_call(f->d->p, f->src, right, &is_async)) {
            char name[64], ft[300];
            text_of(f->src, field(a, "left"), name, sizeof name);
            text_of(f->src, right, ft, sizeof ft);
            check_session_closed(f, w->fn, n, name, is_async, ft);
        }
    }
    /* below an expression statement the walk acts only on what names
     * walk_words (the rest is skipped by walk_child): none in its text,
     * nothing to walk, in a file that parsed cleanly (recovery can put an
     * ERROR, always walked, in one) */
    if (ty == y->expression_statement && w->clean &&
        !sqla_words_in(f->words, ts_node_start_byte(n), ts_node_end_byte(n)))
        return;
    if (ty == y->while_statement) {
        w->loop_depth++;
        walk_children(w, n);
        w->loop_depth--;
        return;
    }
    if (ty == y->call) {
        /* the callee's last name, read once: pysource_call_is() per name
         * was four lookups on every call of every file */
        TSNode callee = field(n, "function");
        bool method = is(callee, "attribute"); /* obj.m(...) */
        TSNode last = method ? field(callee, "attribute") : callee;
        char lastname[32] = "";
        if (is(last, "identifier"))
            text_of(f->src, last, lastname, sizeof lastname);
        bool engine = strcmp(lastname, "create_engine") == 0 ||
                      strcmp(lastname, "create_async_engine") == 0 ||
                      strcmp(lastname, "sessionmaker") == 0 ||
                      strcmp(lastname, "async_sessionmaker") == 0;
        if (engine && !ts_node_is_null(w->fn) && w->loop_depth == 0 && w->route < 0)
            w->route = is_route(f->src, w->fn);
        if (engine && !ts_node_is_null(w->fn) && (w->route > 0 || w->loop_depth > 0))
            emit_engine(f, w->fn, n, w->loop_depth > 0);
        /* text(...) or x.text(...) */
        bool text_call = strcmp(lastname, "text") == 0;
        const char *m = lastname;
        TSNode obj;
        memset(&obj, 0, sizeof obj);
        if (method)
            obj = field(callee, "object");
        if (method && !w->tx_work &&
            (strcmp(m, "begin") == 0 ||
             ((strcmp(m, "add") == 0 || strcmp(m, "add_all") == 0 || strcmp(m, "execute") == 0 ||
               strcmp(m, "flush") == 0 || strcmp(m, "delete") == 0 || strcmp(m, "merge") == 0) &&
              sessionish(f->src, obj))))
            w->tx_work = true;
        if (text_call) {
            check_raw_sql(f, w->scope, w->fn, n, pysource_call_arg(f->src, n, 0), true, true);
        } else if (method && (strcmp(m, "execute") == 0 || strcmp(m, "exec_driver_sql") == 0)) {
            TSNode a0 = pysource_call_arg(f->src, n, 0);
            char recv[96] = "";
            text_of(f->src, obj, recv, sizeof recv);
            /* SQLAlchemy's execute(str) is text(): :name; exec_driver_sql and
             * DB-API cursors take the driver's %(name)s */
            bool named = strcmp(m, "execute") == 0 && !strstr(recv, "cur");
            if (!ts_node_is_null(a0) && !is(unwrap(a0), "call"))
                check_raw_sql(f, w->scope, w->fn, n, a0, false, named);
        }
    }
    walk_children(w, n);
}

typedef struct {
    int v2, v1, flask;
    const sqla_words_t *words; /* where style_words stand */
} stylecount_t;

/* The names style_visit counts by: a node counted is, or has as its
 * attribute, one of them, so a subtree whose text holds none is skipped. */
static const char *const style_words[] = {"query",  "session",       "scalars",         "select",
                                          "Mapped", "mapped_column", "DeclarativeBase", NULL};

/* pysource_walk visitor counting the file's 1.x (.query), 2.0 (select, scalars, Mapped,
 * mapped_column, DeclarativeBase) and Flask-SQLAlchemy (db.session) markers. */
static pysource_walk_t style_visit(const pysource_t *src, TSNode n, void *ctx)
{
    stylecount_t *sc = ctx;
    if (!sqla_words_in(sc->words, ts_node_start_byte(n), ts_node_end_byte(n)))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (is(n, "attribute")) {
        TSNode a = field(n, "attribute");
        if (pysource_node_text_is(src, a, "query"))
            sc->v1++;
        if (pysource_node_text_is(src, a, "session") &&
            pysource_node_text_is(src, field(n, "object"), "db"))
            sc->flask++;
        if (pysource_node_text_is(src, a, "scalars") || pysource_node_text_is(src, a, "select"))
            sc->v2++;
    } else if (is(n, "identifier")) {
        if (pysource_node_text_is(src, n, "select") || pysource_node_text_is(src, n, "Mapped") ||
            pysource_node_text_is(src, n, "mapped_column") ||
            pysource_node_text_is(src, n, "DeclarativeBase"))
            sc->v2++;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The file's API style, read once: 2.0 when its 2.0 markers are at least its 1.x ones, and whether
 * it uses Flask-SQLAlchemy. */
static void read_style(file_t *f)
{
    if (f->style_read)
        return;
    f->style_read = true;
    /* one pass over the text, then a walk of only the subtrees that name
     * a marker: the walk of every node was a fifth of emit's cost */
    sqla_words_t *words = sqla_words_new(f->c, f->len, style_words);
    stylecount_t sc = {0, 0, 0, words};
    pysource_walk(f->src, pysource_root(f->src), style_visit, &sc);
    sqla_words_destroy(&words);
    f->api2 = sc.v2 > 0 && sc.v2 >= sc.v1;
    f->flask = sc.flask > 0;
}

/* One file's scan: sqla_detect's walk (findings to d->out, notes to d->notes), then the per-item
 * pass (to its own output) skipping what d->out holds from seen on; the tree is released after.
 * beat: the file's rank in the scan, for PROGRESS. 0, or -1 with err. */
static int detect_one(det_t *d, sqla_perloop_t *pl, size_t i, size_t beat, size_t *seen, err_t *err)
{
    const sqla_project_t *p = d->p;
    /* per file, like the project's parse (common/progress.h) */
    progress_beat("code scan: patterns", (int64_t)beat, (int64_t)sqla_project_file_count(p));
    file_t f;
    memset(&f, 0, sizeof f);
    f.d = d;
    f.file = i;
    f.src = sqla_project_file(p, i);
    if (!f.src) {
        sqla_project_scan_end(p);
        return err_set(err, "sqla_detect: out of memory parsing %s", sqla_project_path(p, i));
    }
    f.c = pysource_content(f.src, &f.len);
    read_indent_unit(&f);
    f.words = sqla_words_new(f.c, f.len, walk_words);
    walk_t w;
    memset(&w, 0, sizeof w);
    w.f = &f;
    w.scope = pysource_root(f.src);
    w.clean = !pysource_has_error(f.src);
    if (w.clean)
        call_assigns(&f);
    walk_children(&w, pysource_root(f.src));
    sqla_words_destroy(&f.words);
    free(f.assigns);
    json_decref(f.imports);
    /* a per-item finding is skipped where a rewrite of this file is */
    for (; *seen < json_array_size(d->out); (*seen)++)
        sqla_perloop_seen(pl, json_array_get(d->out, *seen));
    int rc = sqla_perloop_file(pl, i, err);
    sqla_project_scan_end(p);
    return rc;
}

int sqla_detect(const sqla_project_t *p, json_t **findings, json_t **notes, err_t *err)
{
    if (!findings || !notes)
        return err_set(err, "sqla_detect: no output pointers");
    det_t d = {p, json_array(), json_array(), NULL};
    if (!d.out || !d.notes) {
        json_decref(d.out);
        json_decref(d.notes);
        return err_set(err, "sqla_detect: out of memory");
    }
    /* per-item work the rewrites below cannot reach: through helpers,
     * other session names, save() (sqla_perloop.h); its findings follow
     * these, as when it ran after them, and it reads the same tree */
    json_t *perloop_out = json_array();
    sqla_perloop_t *pl = perloop_out ? sqla_perloop_new(p, perloop_out, err) : NULL;
    if (!pl) {
        json_decref(perloop_out);
        json_decref(d.out);
        json_decref(d.notes);
        return perloop_out ? -1 : err_set(err, "sqla_detect: out of memory");
    }
    /* held for the whole run: the walks below reuse the pooled cursors */
    const pysource_t *first = sqla_project_file(p, 0);
    TSTreeCursor *pool = first ? pysource_cursor_take(pysource_root(first)) : NULL;
    size_t seen = 0;
    int rc = 0;
    for (size_t i = 0; i < sqla_project_file_count(p) && rc == 0; i++)
        rc = detect_one(&d, pl, i, i, &seen, err);
    pysource_cursor_give(pool);
    sqla_perloop_destroy(&pl);
    json_decref(d.listened);
    d.listened = NULL;
    if (rc == 0 && json_array_extend(d.out, perloop_out) != 0)
        rc = err_set(err, "sqla_detect: out of memory");
    json_decref(perloop_out);
    if (rc != 0) {
        json_decref(d.out);
        json_decref(d.notes);
        return -1;
    }
    *findings = d.out;
    *notes = d.notes;
    return 0;
}

/* The entries of arr from index from on, moved to a new array (arr keeps the ones before). */
static json_t *take_tail(json_t *arr, size_t from)
{
    json_t *out = json_array();
    for (size_t k = from; k < json_array_size(arr); k++)
        json_array_append(out, json_array_get(arr, k));
    while (json_array_size(arr) > from)
        json_array_remove(arr, json_array_size(arr) - 1);
    return out;
}

/* What one file's scan gave, kept until every file is scanned. */
typedef struct {
    json_t *findings, *notes, *perloop;
    size_t log;
    bool visited; /* scanned in the pass */
} scanned_t;

/* Scans file i into sc (replacing what it held), under log when not SIZE_MAX. */
static int scan_into(det_t *d, sqla_perloop_t *pl, json_t *plout, size_t i, size_t beat,
                     scanned_t *sc, err_t *err)
{
    size_t seen = 0;
    int rc = detect_one(d, pl, i, beat, &seen, err);
    json_decref(sc->findings);
    json_decref(sc->notes);
    json_decref(sc->perloop);
    sc->findings = take_tail(d->out, 0);
    sc->notes = take_tail(d->notes, 0);
    sc->perloop = take_tail(plout, 0);
    return rc;
}

int sqla_analyze(const json_t *code, const size_t *order, sqla_project_t **project,
                 json_t **findings, json_t **notes, err_t *err)
{
    if (!project || !findings || !notes)
        return err_set(err, "sqla_analyze: no output pointers");
    *project = NULL;
    sqla_project_t *p = sqla_project_open(code, err);
    if (!p)
        return -1;
    size_t n = sqla_project_file_count(p);
    size_t *ord = xcalloc(n + 1, sizeof *ord);
    if (order)
        memcpy(ord, order, n * sizeof *ord);
    else
        sqla_project_visit_order(p, ord);
    scanned_t *sc = xcalloc(n + 1, sizeof *sc);
    sqla_project_speculate(p);
    det_t d = {p, json_array(), json_array(), NULL};
    json_t *plout = json_array();
    sqla_perloop_t *pl = sqla_perloop_new(p, plout, err);
    TSTreeCursor *pool = NULL;
    int rc = pl ? 0 : -1;
    /* One pass: each file is added to the index and scanned against the
     * index so far, its look-ups logged (sqla_models.h); a file a scan's
     * look-up indexed early is scanned right after that scan, while its
     * tree is held */
    size_t visited = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        size_t i = ord[k];
        for (bool more = !sc[i].visited; more && rc == 0; more = sqla_project_next_early(p, &i)) {
            if (progress_beat("code scan: parse", (int64_t)visited, (int64_t)n)) {
                rc = err_set(err, "code scan cancelled at file %zu of %zu", visited, n);
                break;
            }
            if ((rc = sqla_project_add(p, i, err)) != 0)
                break;
            if (!pool) /* held for the whole run: the walks reuse the pooled cursors */
                pool = pysource_cursor_take(pysource_root(sqla_project_file(p, i)));
            sc[i].log = sqla_project_log_begin(p);
            rc = scan_into(&d, pl, plout, i, visited, &sc[i], err);
            sqla_project_log_end(p, sc[i].log);
            sc[i].visited = true;
            visited++;
        }
    }
    if (rc == 0) {
        sqla_project_finish(p);
        /* the files whose look-ups answer otherwise now, scanned again in
         * file order; the per-item memo keeps the summaries whose own
         * look-ups answer the same (the others were made against the
         * partial index) */
        sqla_perloop_rescan(pl);
        for (size_t i = 0; i < n && rc == 0; i++)
            if (sqla_project_log_stale(p, sc[i].log))
                rc = scan_into(&d, pl, plout, i, i, &sc[i], err);
    }
    pysource_cursor_give(pool);
    sqla_perloop_destroy(&pl);
    json_decref(d.listened);
    json_t *all = json_array(), *allnotes = json_array();
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_array_extend(all, sc[i].findings);
        json_array_extend(allnotes, sc[i].notes);
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        json_array_extend(all, sc[i].perloop);
    for (size_t i = 0; i < n; i++) {
        json_decref(sc[i].findings);
        json_decref(sc[i].notes);
        json_decref(sc[i].perloop);
    }
    free(sc);
    free(ord);
    json_decref(d.out);
    json_decref(d.notes);
    json_decref(plout);
    if (rc != 0) {
        json_decref(all);
        json_decref(allnotes);
        sqla_project_destroy(&p);
        return -1;
    }
    *project = p;
    *findings = all;
    *notes = allnotes;
    return 0;
}
