/* sqla_perloop.c - see sqla_perloop.h. */
#include "workers/query_rewriter/orm/sqla_perloop.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/progress.h"
#include "common/python/pysource.h"
#include "workers/query_rewriter/orm/sqla_words.h"

#define IS(n, lit)    PYSOURCE_NODE_IS(n, lit)
#define FIELD(n, lit) PYSOURCE_FIELD(n, lit)

enum { B_QUERY = 1, B_INSERT = 2 };

#define MAX_DEPTH 4 /* project calls followed from a loop */
#define MAX_LOOPS 16
#define MAX_VARS  24
#define MAX_BUILT 32

/* What a project function does when walked at one depth, computed once. */
typedef struct {
    unsigned char bits, done;
    /* trunc: a call below it was past MAX_DEPTH (cut); height: the longest chain of project calls
     * followed below it. An untruncated summary is the same at any depth d with
     * d + height <= MAX_DEPTH; a truncated one only at its own depth. */
    unsigned char trunc, height;
    /* busy: being walked (a cycle through wrappers, which cost no depth, meets it again) */
    unsigned char busy;
    size_t file;   /* where its first query/write is (itself or deeper) */
    unsigned line; /* 0: none */
    size_t log;    /* the look-ups its walk made (sqla_project_log_begin; one-pass scan) */
} summary_t;

/* A function's summaries, one per depth it was asked at (1..MAX_DEPTH). They are per depth, not
 * one per function, so that a summary, and the findings reached through it, do not depend on
 * which loop asked first: a summary first computed 3 calls below a loop cuts helpers that a loop
 * calling it directly reaches. A summary is a function of (function, depth) alone: no recursion
 * cut by "being walked" (which would depend on who is walking), only the depth limit, which ends
 * cycles too since each call is one deeper. */
typedef struct {
    const sqla_function_t *fn;
    summary_t at[MAX_DEPTH + 1]; /* 0: a wrapper called from the loop's own function */
} memo_t;

typedef struct {
    const sqla_project_t *p;
    memo_t *memo;
    size_t cap, n;
    json_t *out;
    json_t *seen; /* "file:line:kind" of findings already there */
    /* configuration options defined in the project (oslo.config's `cfg.IntOpt('name', ...,
     * default=V)`): name -> the default's text, "?" when unknown (several definitions that
     * differ, a default that is no literal, none given); built on first need (rule 16) */
    json_t *opts;
    /* per file: 0 not read yet, 1 its text names the schema (names_schema), 2 not */
    unsigned char *schema_text;
    int oom;
} pl_t;

typedef struct {
    TSNode node;
    bool active; /* not over constants (nor the schema: loop_active) */
    /* whether the iterable walks the schema (schema_iterable), tested when
     * a query or write first asks (loop_active): the test walks the
     * function and may parse a helper's module, and most loops do neither
     * - 0: not tested yet, 1: the schema, 2: not */
    unsigned char schema;
    /* whether the loop's text names what selects_database accepts (in_item_database), read
     * when a call first asks - 0: not read yet, 1: it does, 2: not */
    unsigned char dbsel;
    /* whether the loop's text holds "try" (loop_isolates), read when a call first asks - 0: not
     * read yet, 1: it does, 2: not */
    unsigned char trytext;
    TSNode right;
    char vars[MAX_VARS][48];
    int nvars;
    TSNode qcall, icall;
    const sqla_function_t *qvia, *ivia;
    size_t qfile, ifile;
    unsigned qline, iline;
} loop_t;

typedef struct {
    pl_t *pl;
    const pysource_t *src;
    size_t file;
    const char *cls; /* enclosing class of the function walked */
    /* summary mode: the bits of the function, and where */
    bool summary;
    unsigned bits;
    size_t where_file;
    unsigned where_line;
    int depth;
    /* summary mode: a call below was cut by MAX_DEPTH; the longest chain of calls followed
     * (wrappers not counted); a cycle through wrappers was cut (the summary is not kept) */
    bool trunc, cycle;
    int height;
    /* names assigned a constructed object (Foo(...), models.Foo()), and
     * whether session.add() of it costs a round trip of its own */
    char built[MAX_BUILT][48];
    bool built_own_insert[MAX_BUILT];
    int nbuilt;
    loop_t loops[MAX_LOOPS];
    int nloops;
    /* inside code that runs once per key of a cache (see cache_guard): queries of loops outside
     * the guard (index < guard_loops) are not per item; 0 when not guarded */
    int guard_loops;
    bool guarded;
    /* inside code that the configuration options' defaults leave out (see holds_by_default):
     * nothing there is per item by default (rule 16) */
    bool opt_in;
    TSNode params; /* summary mode: the walked function's parameters */
    /* the function_definition whose body is walked (a summary's, or a file's function: every
     * call the walk meets is in it, as nested functions and classes are not entered); null
     * for a class body or the module, where it is not known */
    TSNode fn_node;
    /* whether fn_node's text names "update" or "delete" (walk_cas_query) - 0: not read yet,
     * 1: it does, 2: not */
    unsigned char fn_cas;
    /* a file's walk (not a summary): where `for` stands in the file, to
     * skip expressions outside loops that hold none (fwalk) */
    const sqla_words_t *words;
    /* src parsed without errors: every call there has its "(" (fwalk) */
    bool clean;
    /* a file's walk in a file that parsed cleanly: where a call of a name
     * that reads as a model class may open (builds_at), increasing */
    const uint32_t *builds;
    size_t nbuilds;
    /* summary mode, in a tree that parsed cleanly: where a call that may add to the summary,
     * or build a row object, may open its arguments (summary_calls_at), increasing; NULL:
     * not known */
    const uint32_t *calls;
    size_t ncalls;
} fw_t;

/* A node's source text into out; "" when the node is null or the text does not fit. */
static void text_of(const pysource_t *src, TSNode n, char *out, size_t size)
{
    size_t len = 0;
    const char *s = ts_node_is_null(n) ? NULL : pysource_node_span(src, n, &len);
    if (!s || len >= size) {
        out[0] = 0;
        return;
    }
    memcpy(out, s, len);
    out[len] = 0;
}

/* The expression under parentheses and await. The node's symbol is read once and compared with
 * the two named symbols (PYSOURCE_NODE_IS looks each literal up): `await` is also an anonymous
 * token, which IS matched too, but a token has no named child, so the loop stops there either
 * way. */
static TSNode unwrap(TSNode n)
{
    const pysource_syms_t *y = pysource_syms();
    TSSymbol paren = y->parenthesized_expression, await_expr = y->await_;
    while (!ts_node_is_null(n)) {
        TSSymbol sym = ts_node_symbol(n);
        if ((sym != paren && sym != await_expr) || ts_node_named_child_count(n) != 1)
            break;
        n = ts_node_named_child(n, 0);
    }
    return n;
}

static const char *last_component(const char *t)
{
    const char *d = strrchr(t, '.');
    return d ? d + 1 : t;
}

/* A receiver that is a session by its name: *session (context.session,
 * self.session, get_session()), sess, store (mailman's @dbconnection
 * argument), conn/connection (not for get(): dictionaries are called
 * that too). */
static bool sessionish(const pysource_t *src, TSNode n)
{
    n = unwrap(n);
    if (IS(n, "call"))
        n = FIELD(n, "function");
    if (!IS(n, "identifier") && !IS(n, "attribute"))
        return false;
    char t[160];
    text_of(src, n, t, sizeof t);
    const char *last = last_component(t);
    size_t l = strlen(last);
    if (strcmp(last, "sess") == 0 || strcmp(last, "store") == 0 || strcmp(last, "conn") == 0 ||
        strcmp(last, "connection") == 0)
        return true;
    return l >= 7 && strcasecmp(last + l - 7, "session") == 0;
}

/* For obj.method(...): sets *obj and writes the method's name into buf; returns buf, or NULL when
 * the callee is not an attribute. */
static const char *method_of(const pysource_t *src, TSNode call, TSNode *obj, char *buf,
                             size_t size)
{
    TSNode callee = FIELD(call, "function");
    if (!IS(callee, "attribute"))
        return NULL;
    *obj = FIELD(callee, "object");
    text_of(src, FIELD(callee, "attribute"), buf, size);
    return buf[0] ? buf : NULL;
}

/* Whether a name looks like a class whose instances are rows: CapWords with lower case, not an
 * exception, container or lock class. */
static bool is_model_class_name(const char *name)
{
    if (!isupper((unsigned char)name[0]))
        return false;
    bool lower = false;
    for (const char *c = name; *c; c++)
        lower |= islower((unsigned char)*c) != 0;
    size_t l = strlen(name);
    if (!lower)
        return false; /* CONSTANT */
    const char *bad[] = {"Error", "Exception", "Warning", "Dict", "List", "Set", "Counter", "Lock"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t b = strlen(bad[i]);
        if (l >= b && strcmp(name + l - b, bad[i]) == 0)
            return false;
    }
    return true;
}

/* Foo(...) or models.Foo(...): an object constructed from a class. */
static bool constructs(const pysource_t *src, TSNode e)
{
    e = unwrap(e);
    if (!IS(e, "call"))
        return false;
    TSNode callee = FIELD(e, "function");
    if (!IS(callee, "identifier") && !IS(callee, "attribute"))
        return false;
    char t[160];
    text_of(src, callee, t, sizeof t);
    return t[0] && is_model_class_name(last_component(t));
}

/* The offsets of text's "(" signs that may open a call of a name that reads as a model class
 * (is_model_class_name), `Foo(` / `models.Foo (`, increasing, into *at (from the heap; NULL when
 * none); their count. Every call constructs() accepts has one: its callee's last name, then
 * blanks, then "(". A superset: a class name called otherwise counts too, and so does every "("
 * after a line end (the gap before it may hold a comment, so the name before is not read). */
static size_t builds_at(const char *c, size_t len, uint32_t **at)
{
    size_t n = 0, cap = 0;
    *at = NULL;
    for (const char *q = c; (q = memchr(q, '(', (size_t)(c + len - q))) != NULL; q++) {
        size_t e = (size_t)(q - c);
        bool line = false;
        while (e > 0 && c[e - 1] && strchr(" \t\f\v\r\n\\", c[e - 1])) {
            line |= c[e - 1] == '\n';
            e--;
        }
        if (!line) {
            size_t b = e;
            while (b > 0 && sqla_ident_byte((unsigned char)c[b - 1]))
                b--;
            while (b < e && isdigit((unsigned char)c[b]))
                b++;        /* `1Foo`: a name can begin after a number */
            char name[160]; /* constructs() reads the callee into as much */
            if (b == e || e - b >= sizeof name)
                continue;
            memcpy(name, c + b, e - b);
            name[e - b] = 0;
            if (!is_model_class_name(name))
                continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *at = xreallocarray(*at, cap, sizeof **at);
        }
        (*at)[n++] = (uint32_t)(q - c);
    }
    return n;
}

/* -1: not built here; else whether add() of it is an INSERT of its own */
static int built_find(const fw_t *w, const char *name)
{
    for (int i = w->nbuilt - 1; i >= 0; i--)
        if (strcmp(w->built[i], name) == 0)
            return w->built_own_insert[i];
    return -1;
}

/* session.add() of a new object is an INSERT round trip of its own at
 * flush only when the database generates its key (SQLAlchemy 1.4 reads it
 * back per row); rows whose whole key the code sets (composite keys,
 * a key given to the constructor) go out in one executemany. Told only
 * for mapped classes the model index knows; others are not counted. */
static bool own_insert(const fw_t *w, TSNode ctor)
{
    const sqla_model_t *m = sqla_project_model_ref(w->pl->p, w->src, FIELD(ctor, "function"));
    if (!m)
        return false;
    size_t npk = 0;
    for (size_t i = 0; i < m->ncolumns; i++)
        npk += m->columns[i].primary_key;
    if (npk >= 2)
        return false;
    return ts_node_is_null(pysource_call_kwarg(w->src, ctor, sqla_model_pk(m)));
}

/* ---- project functions ------------------------------------------------- */

/* The memo entry of fn in the open-addressing table (created empty when new; the table doubles at
 * half full); never NULL (out of memory aborts, common/alloc.h). */
static memo_t *memo_slot(pl_t *pl, const sqla_function_t *fn)
{
    if ((pl->n + 1) * 2 > pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 256;
        memo_t *m = xcalloc(cap, sizeof *m);
        for (size_t i = 0; i < pl->cap; i++)
            if (pl->memo[i].fn) {
                size_t h = ((uintptr_t)pl->memo[i].fn >> 4) & (cap - 1);
                while (m[h].fn)
                    h = (h + 1) & (cap - 1);
                m[h] = pl->memo[i];
            }
        free(pl->memo);
        pl->memo = m;
        pl->cap = cap;
    }
    size_t h = ((uintptr_t)fn >> 4) & (pl->cap - 1);
    while (pl->memo[h].fn && pl->memo[h].fn != fn)
        h = (h + 1) & (pl->cap - 1);
    if (!pl->memo[h].fn) {
        pl->memo[h].fn = fn;
        pl->n++;
    }
    return &pl->memo[h];
}

/* The project function a call reaches, or NULL: f(...) (this module's or
 * an imported one), module.f(...), self.m(...) / cls.m(...) in a class,
 * Class.m(...) and pkg.Class.m(...). */
static const sqla_function_t *callee_fn(const fw_t *w, TSNode call)
{
    const sqla_project_t *p = w->pl->p;
    TSNode callee = FIELD(call, "function");
    char name[96], on[160];
    if (IS(callee, "identifier")) {
        text_of(w->src, callee, name, sizeof name);
        if (!name[0] || is_model_class_name(name))
            return NULL;
        const char *qual = pysource_import_of(w->src, name);
        char module[256] = "";
        if (qual) {
            snprintf(module, sizeof module, "%s", qual);
            char *dot = strrchr(module, '.');
            if (dot)
                *dot = 0;
        }
        return sqla_project_function(p, name, NULL, w->file, module[0] ? module : NULL);
    }
    if (!IS(callee, "attribute"))
        return NULL;
    TSNode obj = FIELD(callee, "object");
    text_of(w->src, FIELD(callee, "attribute"), name, sizeof name);
    if (!name[0])
        return NULL;
    if (IS(obj, "identifier")) {
        text_of(w->src, obj, on, sizeof on);
        if (strcmp(on, "self") == 0 || strcmp(on, "cls") == 0)
            return w->cls ? sqla_project_function(p, name, w->cls, w->file, NULL) : NULL;
        const char *qual = pysource_import_of(w->src, on);
        const sqla_function_t *fn = NULL;
        if (qual)
            fn = sqla_project_function(p, name, NULL, SIZE_MAX, qual);
        if (!fn && is_model_class_name(on))
            fn = sqla_project_function(p, name, on, w->file, NULL);
        return fn;
    }
    if (IS(obj, "attribute")) {
        text_of(w->src, obj, on, sizeof on);
        const char *last = last_component(on);
        if (is_model_class_name(last))
            return sqla_project_function(p, name, last, SIZE_MAX, NULL);
    }
    return NULL;
}

static void fwalk(fw_t *w, TSNode n);

/* A walker for a function or class body: only what the walk reads is
 * reset (the loop and name tables are large and filled as used). */
static void fw_init(fw_t *w, pl_t *pl, const pysource_t *src, size_t file, const char *cls)
{
    w->pl = pl;
    w->src = src;
    w->file = file;
    w->cls = cls;
    w->summary = false;
    w->bits = 0;
    w->where_file = 0;
    w->where_line = 0;
    w->depth = 0;
    w->trunc = false;
    w->cycle = false;
    w->height = 0;
    w->nbuilt = 0;
    w->nloops = 0;
    w->guard_loops = 0;
    w->guarded = false;
    w->opt_in = false;
    memset(&w->params, 0, sizeof w->params);
    memset(&w->fn_node, 0, sizeof w->fn_node);
    w->fn_cas = 0;
    w->words = NULL;
    w->clean = !pysource_has_error(src);
    w->builds = NULL;
    w->nbuilds = 0;
    w->calls = NULL;
    w->ncalls = 0;
}

/* fn's definition node, from its module's tree when cached, else from its lines parsed alone
 * (sqla_function_tree); *def stays set once read. false when it cannot be had (pl->oom). */
static bool fn_def(pl_t *pl, const sqla_function_t *fn, TSNode *def, const pysource_t **src)
{
    if (ts_node_is_null(*def))
        *def = sqla_function_tree(pl->p, fn, src); /* reads fn and its imports only */
    if (ts_node_is_null(*def)) {
        pl->oom = 1;
        return false;
    }
    return true;
}

/* The session methods a call does its work through: QUERY_METHODS run a statement
 * (session_call_bits, query_method), SAVE_METHODS save an object built in the walk (saves_built,
 * which acts on exactly these two). inert_text reads the same lists, so that a method added to
 * what a walk acts on is never told inert from the text. */
static const char *const QUERY_METHODS[] = {"query",  "execute", "scalars",
                                            "scalar", "get",     "exec_driver_sql"};
static const char *const SAVE_METHODS[] = {"save", "add"};
#define NQUERY_METHODS (sizeof QUERY_METHODS / sizeof *QUERY_METHODS)
#define NSAVE_METHODS  (sizeof SAVE_METHODS / sizeof *SAVE_METHODS)

/* Whether the len bytes at m are one of list's n names. */
static bool method_in(const char *const *list, size_t n, const char *m, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], m, len) == 0)
            return true;
    return false;
}

/* What the text before the "(" at c[q] tells of the call it may open, reading back to c[s]: its
 * callee's last name is the identifier right before it, blanks and line continuations between
 * (CALLEE_NAME, c[*a, *b)); no name there (CALLEE_NONE: the callee is a call, a subscript or
 * another expression, or the "(" opens a tuple); or untold (CALLEE_UNTOLD): the blanks cross a
 * line end and the line before holds a "#" (what ends it may be a comment, whose last word is
 * no callee), or the name starts with a digit (`1foo(`: where it starts is not told). The text
 * scans that decide without a tree which calls may act (inert_text, summary_calls_at) read a
 * call so. */
typedef enum { CALLEE_NONE, CALLEE_UNTOLD, CALLEE_NAME } callee_text_t;

static callee_text_t callee_before(const char *c, size_t s, size_t q, size_t *a, size_t *b)
{
    size_t e = q;
    bool line = false;
    while (e > s && c[e - 1] && strchr(" \t\f\v\r\n\\", c[e - 1])) {
        line |= c[e - 1] == '\n';
        e--;
    }
    if (line) {
        size_t bol = e;
        while (bol > s && c[bol - 1] != '\n')
            bol--;
        if (memchr(c + bol, '#', e - bol))
            return CALLEE_UNTOLD;
    }
    size_t n = e;
    while (n > s && sqla_ident_byte((unsigned char)c[n - 1]))
        n--;
    *a = n;
    *b = e;
    if (n == e)
        return CALLEE_NONE;
    return isdigit((unsigned char)c[n]) ? CALLEE_UNTOLD : CALLEE_NAME;
}

/* Whether a call whose callee's last name is the len bytes at n may act in a walk:
 * session_call_bits is nonzero only for one of QUERY_METHODS, saves_built true only for one of
 * SAVE_METHODS, and callee_fn finds a project function only by a name some file's text defines
 * (sqla_project_may_define), whatever files are indexed. */
static bool name_may_act(const pl_t *pl, const char *n, size_t len)
{
    return method_in(QUERY_METHODS, NQUERY_METHODS, n, len) ||
           method_in(SAVE_METHODS, NSAVE_METHODS, n, len) || sqla_project_may_define(pl->p, n, len);
}

/* Whether nothing fn's walk meets can do any work, told from its text alone (no tree, no look-up):
 * every "(" in it after its parameters' opens, if anything, a call whose name (callee_before; an
 * untold one answers false) may not act (name_may_act): none of the methods session_call_bits and
 * saves_built act on and no def of the project's text, so that callee_fn finds nothing for it
 * whatever files are indexed.
 * Strings and comments count too: they can only make the answer false; a file with a syntax error
 * is not read so (a call tree-sitter's recovery made may lack its "("). A walk of such a function
 * gives an empty summary (no bits, no height, nothing cut) at any depth, so fn_bits answers it
 * without parsing the function: a helper whose module's tree is gone was parsed alone for that
 * (python3-placement: 5 of 39 such parses, bench/RESULTS-orm.md). The names are QUERY_METHODS and
 * SAVE_METHODS, the lists session_call_bits and saves_built act on. */
static bool inert_text(const pl_t *pl, const sqla_function_t *fn)
{
    size_t len;
    unsigned el, ec;
    const char *c = sqla_project_content(pl->p, fn->file, &len);
    /* only in a file that parsed cleanly: recovery may make a call of text without its "(" */
    if (!c || fn->end > len || fn->start >= fn->end ||
        sqla_project_file_error(pl->p, fn->file, &el, &ec))
        return false;
    const char *t = c + fn->start, *end = c + fn->end;
    const char *params = memchr(t, '(', (size_t)(end - t)); /* def NAME( */
    if (!params)
        return false;
    for (const char *q = params + 1; (q = memchr(q, '(', (size_t)(end - q))) != NULL; q++) {
        size_t a, b;
        switch (callee_before(c, fn->start, (size_t)(q - c), &a, &b)) {
        case CALLEE_NONE:
            continue; /* no call of a name (a tuple, a call of a call) */
        case CALLEE_UNTOLD:
            return false;
        case CALLEE_NAME:
            if (name_may_act(pl, c + a, b - a))
                return false;
        }
    }
    return true;
}

/* The offsets of text[s, e)'s "(" signs that may open the arguments of a call that adds to a
 * summary or builds a row object, increasing, into *at (from the heap; NULL when none); their
 * count. A "(" counts when the name before it (callee_before) may act (name_may_act: the calls
 * summary_inert does not rule out) or reads as a model class (builds_at: what constructs()
 * accepts), or when that name is untold. A "(" with no name before it opens no such call: its
 * callee is a call, a subscript or another expression, which none of the tests accepts. */
static size_t summary_calls_at(const pl_t *pl, const char *c, size_t s, size_t e, uint32_t **at)
{
    size_t n = 0, cap = 0;
    *at = NULL;
    for (const char *q = c + s; (q = memchr(q, '(', (size_t)(c + e - q))) != NULL; q++) {
        size_t a, b;
        callee_text_t k = callee_before(c, s, (size_t)(q - c), &a, &b);
        bool keep = k == CALLEE_UNTOLD;
        if (k == CALLEE_NAME) {
            char name[160];
            if (b - a >= sizeof name) {
                keep = true;
            } else {
                memcpy(name, c + a, b - a);
                name[b - a] = 0;
                keep = name_may_act(pl, name, b - a) || is_model_class_name(name);
            }
        }
        if (!keep)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *at = xreallocarray(*at, cap, sizeof **at);
        }
        (*at)[n++] = (uint32_t)(q - c);
    }
    return n;
}

/* What a project function called from w's walk does (B_QUERY, B_INSERT), from its body and the
 * helpers it calls up to MAX_DEPTH, memoised per depth; *file and *line say where the first query
 * or insert is. A call costs one depth, a call of a wrapper none (sqla_function_t.wrapper, rule
 * 17: a call through a wrapper adds no work and no condition of its own between the loop and what
 * it reaches: neutron's `_get_port_log_dict`). 0 for a
 * call past MAX_DEPTH (w is then marked truncated), for a wrapper met again inside its own walk
 * (a cycle of wrappers: w is marked, and no summary on that cycle is kept, so that what is kept
 * does not depend on where the cycle was entered) or on failure (pl->oom). */
static unsigned fn_bits(fw_t *asker, const sqla_function_t *fn, size_t *file, unsigned *line)
{
    pl_t *pl = asker->pl;
    memo_t *m = memo_slot(pl, fn);
    TSNode def = {0};
    const pysource_t *fsrc = NULL;
    int cost = fn->wrapper ? 0 : 1;
    int depth = asker->depth + cost;
    if (depth > MAX_DEPTH) {
        asker->trunc = true;
        return 0;
    }
    if (m->at[depth].busy) {
        asker->cycle = true;
        return 0;
    }
    const summary_t *s = NULL;
    /* this depth's summary, or one computed with more or less budget that the limit did not
     * reach and that fits in this depth's budget: both are what a walk from here gives */
    for (int d = 0; d <= MAX_DEPTH && !s; d++) {
        const summary_t *c = &m->at[d];
        if (c->done && (d == depth || (!c->trunc && depth + c->height <= MAX_DEPTH)))
            s = c;
    }
    summary_t fresh = {0};
    if (s) {
        sqla_project_log_use(pl->p, s->log);
    } else if (inert_text(pl, fn)) {
        progress_alive();
        /* empty whatever the index holds: no look-ups to log */
        fresh.done = 1;
        fresh.log = SIZE_MAX;
        m->at[depth] = fresh;
        s = &fresh;
    } else {
        fw_t w;
        if (!fn_def(pl, fn, &def, &fsrc))
            return 0;
        fw_init(&w, pl, fsrc, fn->file, fn->cls);
        w.summary = true;
        w.depth = depth;
        w.params = FIELD(def, "parameters");
        w.fn_node = def;
        uint32_t *calls = NULL;
        if (w.clean) {
            size_t clen = 0;
            const char *c = pysource_content(fsrc, &clen);
            uint32_t ds = ts_node_start_byte(def), de = ts_node_end_byte(def);
            if (c && ds <= de && de <= clen) {
                w.ncalls = summary_calls_at(pl, c, ds, de, &calls);
                static const uint32_t none[1];
                w.calls = calls ? calls : none; /* known, and none */
            }
        }
        progress_alive(); /* a helper's summary is one more function walked */
        /* the summary is reused by later files: its look-ups are logged
         * apart, and each reuse depends on them */
        size_t log = sqla_project_log_begin(pl->p);
        memo_slot(pl, fn)->at[depth].busy = 1;
        fwalk(&w, FIELD(def, "body"));
        free(calls);
        sqla_project_log_end(pl->p, log);
        summary_t *n = &memo_slot(pl, fn)->at[depth]; /* the table may have grown */
        n->busy = 0;
        fresh.log = log;
        fresh.done = 1;
        fresh.bits = (unsigned char)w.bits;
        fresh.file = w.where_file;
        fresh.line = w.where_line;
        fresh.trunc = w.trunc;
        fresh.height = (unsigned char)w.height;
        if (w.cycle)
            asker->cycle = true; /* made again at each call, never kept */
        else
            *n = fresh;
        s = &fresh;
    }
    if (s->trunc)
        asker->trunc = true;
    if (s->height + cost > asker->height)
        asker->height = s->height + cost;
    *file = s->file;
    *line = s->line;
    return s->bits;
}

/* ---- what a call does -------------------------------------------------- */

static bool query_method(const char *m)
{
    return method_in(QUERY_METHODS, NQUERY_METHODS, m, strlen(m));
}

/* Whether an expression's text is an insert(...) construct. */
static bool text_inserts(const pysource_t *src, TSNode e)
{
    char t[64];
    text_of(src, unwrap(e), t, sizeof t);
    return strncmp(t, "insert(", 7) == 0 || strstr(t, ".insert(") != NULL;
}

/* Whether n is a name a loop here binds: `for session in sessions:` in a
 * storage driver is an item (a dictionary), not an ORM session. */
static bool loop_bound(const fw_t *w, TSNode n)
{
    n = unwrap(n);
    if (!IS(n, "identifier"))
        return false;
    char t[48];
    text_of(w->src, n, t, sizeof t);
    for (int i = 0; i < w->nloops && i < MAX_LOOPS; i++)
        for (int v = 0; v < w->loops[i].nvars; v++)
            if (strcmp(w->loops[i].vars[v], t) == 0)
                return true;
    return false;
}

/* B_QUERY / B_INSERT for a call on a session, 0 otherwise. */
static unsigned session_call_bits(const fw_t *w, TSNode call)
{
    char m[48];
    TSNode obj;
    if (!method_of(w->src, call, &obj, m, sizeof m) || !sessionish(w->src, obj) ||
        loop_bound(w, obj))
        return 0;
    if (strcmp(m, "execute") == 0 && text_inserts(w->src, pysource_call_arg(w->src, call, 0)))
        return B_INSERT;
    if (strcmp(m, "get") == 0) {
        /* session.get(Model, key); conn.get(...) / store.get(...) are
         * mostly dictionaries */
        char t[160];
        text_of(w->src, unwrap(obj), t, sizeof t);
        const char *last = last_component(t);
        size_t l = strlen(last);
        if (l < 7 || strcasecmp(last + l - 7, "session") != 0)
            return 0;
        /* Session.get(Model, key): a class first, then the key;
         * d.get('name') / d.get('name', default) is a dictionary */
        TSNode a0 = unwrap(pysource_call_arg(w->src, call, 0));
        if (ts_node_is_null(pysource_call_arg(w->src, call, 1)) || IS(a0, "string") ||
            IS(a0, "integer"))
            return 0;
        return B_QUERY;
    }
    if (query_method(m))
        return B_QUERY;
    /* add(): saves_built() tells whether it is a round trip of its own */
    return 0;
}

/* x.save(...) / session.add(x) of an object built in this function (the
 * summary) or loop (the loop walk). */
static bool saves_built(const fw_t *w, TSNode call)
{
    char m[48];
    TSNode obj;
    if (!method_of(w->src, call, &obj, m, sizeof m))
        return false;
    char on[48];
    if (strcmp(m, "save") == 0 && IS(obj, "identifier")) {
        /* oslo.db's ModelBase.save(): add and flush, a round trip per row */
        text_of(w->src, obj, on, sizeof on);
        return built_find(w, on) >= 0;
    }
    if ((strcmp(m, "add") == 0) && sessionish(w->src, obj)) {
        TSNode a = unwrap(pysource_call_arg(w->src, call, 0));
        if (IS(a, "identifier")) {
            text_of(w->src, a, on, sizeof on);
            return built_find(w, on) == 1;
        }
        return constructs(w->src, a) && own_insert(w, a);
    }
    return false;
}

/* Whether the chain under call (call(...).x(...).y(...)) starts a query:
 * on a session, or at a project function that queries. *root: the call
 * that does. */
static bool chain_queries(fw_t *w, TSNode call, TSNode *root, const sqla_function_t **via,
                          size_t *qfile, unsigned *qline)
{
    TSNode n = call;
    for (int guard = 0; guard < 32 && !ts_node_is_null(n); guard++) {
        n = unwrap(n);
        if (IS(n, "call")) {
            if (session_call_bits(w, n) == B_QUERY) {
                *root = n;
                *via = NULL;
                *qfile = w->file;
                *qline = pysource_node_line(n);
                return true;
            }
            const sqla_function_t *fn = callee_fn(w, n);
            if (fn && (fn_bits(w, fn, qfile, qline) & B_QUERY)) {
                *root = n;
                *via = fn;
                return true;
            }
            n = FIELD(n, "function");
        } else if (IS(n, "attribute")) {
            n = FIELD(n, "object");
        } else {
            break;
        }
    }
    return false;
}

/* ---- loop variables ---------------------------------------------------- */

/* Adds a loop target name to the loop's variables (not "_", at most MAX_VARS). */
static void add_var(loop_t *l, const pysource_t *src, TSNode id)
{
    if (l->nvars < MAX_VARS) {
        text_of(src, id, l->vars[l->nvars], sizeof l->vars[0]);
        if (l->vars[l->nvars][0] && strcmp(l->vars[l->nvars], "_") != 0)
            l->nvars++;
    }
}

/* pysource_walk visitor over a for target: every bound name becomes a loop variable (attribute and
 * subscript targets bind none). */
static pysource_walk_t target_visit(const pysource_t *src, TSNode n, void *ctx)
{
    if (IS(n, "identifier"))
        add_var(ctx, src, n);
    if (IS(n, "attribute") || IS(n, "subscript"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    return PYSOURCE_WALK_CONTINUE;
}

/* The named children of n that start at or before byte limit into buf (size cap), or into an
 * array from the heap when they are more (*kids: free it when it is not buf); their count. One
 * cursor walk: by index (ts_node_named_child, which steps from the first child each time) a loop
 * over a block's statements is quadratic in their number. */
static uint32_t named_children_to(TSNode n, TSNode *buf, uint32_t cap, TSNode **kids,
                                  uint32_t limit)
{
    *kids = buf;
    uint32_t k = 0;
    TSTreeCursor *cur = pysource_cursor_take(n);
    if (ts_tree_cursor_goto_first_child(cur)) {
        do {
            TSNode c = ts_tree_cursor_current_node(cur);
            if (!ts_node_is_named(c))
                continue;
            if (ts_node_start_byte(c) > limit)
                break;
            if (k == cap) {
                TSNode *more = xreallocarray(*kids == buf ? NULL : *kids, cap * 2, sizeof *more);
                if (*kids == buf)
                    memcpy(more, buf, cap * sizeof *more);
                *kids = more;
                cap *= 2;
            }
            (*kids)[k++] = c;
        } while (ts_tree_cursor_goto_next_sibling(cur));
    }
    pysource_cursor_give(cur);
    return k;
}

/* named_children_to of all of n's named children. */
static uint32_t named_children(TSNode n, TSNode *buf, uint32_t cap, TSNode **kids)
{
    return named_children_to(n, buf, cap, kids, UINT32_MAX);
}

/* The places in scope's text where a node's text holds name (assigned: may hold an
 * assignment of it as assign_visit counts them, `name =`, `name: T = ...`, `name += ...`: the
 * name, then no name byte, blanks, and "=", ":", "#" or an augmented assignment's operator; a
 * superset, as `x == name`, `{name: 1}` and `all_name =` count). Each is kept as the first and
 * the last byte the test reads (at, need): a node whose bytes are [s, e) holds it exactly when
 * s <= at and need < e, as the test on the node's own text reads nothing else - the name at
 * `at`, the byte after it, the blanks that follow and at most two bytes after them, all of them
 * before need. So the text of the scope is searched once, not once per level of each node
 * walked (a statement nested n deep was searched n times). */
typedef struct {
    const pysource_t *src;
    const char *content;
    struct place {
        uint32_t at, need;
    } * pl; /* increasing at */
    size_t n, cap;
    bool all; /* an empty name: memmem finds it in every text */
    pysource_visit_fn visit;
    void *ctx;
} naming_t;

#define NAMING_DEPTH 48 /* below it, a node is walked whole (pysource_walk: no recursion) */

static void naming_add(naming_t *m, size_t at, size_t need)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->pl = xreallocarray(m->pl, m->cap, sizeof *m->pl);
    }
    m->pl[m->n].at = (uint32_t)at;
    m->pl[m->n++].need = (uint32_t)need;
}

static int place_cmp(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at ? 1 : (x->need > y->need) - (x->need < y->need);
}

/* Fills m with the places of name in [s, e) of m->content (see naming_t). */
static void naming_scan(naming_t *m, size_t s, size_t e, const char *name, size_t nl, bool assigned)
{
    const char *c = m->content;
    if (nl == 0) {
        m->all = true;
        return;
    }
    for (const char *p = c + s; (p = memmem(p, (size_t)(c + e - p), name, nl)) != NULL; p++) {
        size_t at = (size_t)(p - c), i = at + nl;
        if (!assigned) {
            naming_add(m, at, i - 1);
            continue;
        }
        if (i < e && sqla_ident_byte((unsigned char)c[i]))
            continue; /* a longer name: in every node that holds it */
        while (i < e && c[i] && strchr(" \t\f\v\r\n\\", c[i]))
            i++;
        if (i >= e)
            continue; /* no node of the scope reads past e */
        char c0 = c[i], c1 = i + 1 < e ? c[i + 1] : 0, c2 = i + 2 < e ? c[i + 2] : 0;
        if (c0 == '=' || c0 == ':' || c0 == '#')
            naming_add(m, at, i);
        else if (c0 && strchr("+-*/%@&|^<>", c0) && c1 == '=')
            naming_add(m, at, i + 1);
        else if (c0 && strchr("+-*/%@&|^<>", c0) && c1 == c0 && c2 == '=')
            naming_add(m, at, i + 2);
    }
}

/* Whether node n's text holds one of m's places. */
/* The index of m's first place at or after byte s. */
static size_t naming_first(const naming_t *m, size_t s)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pl[mid].at < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool naming_in(const naming_t *m, TSNode n)
{
    if (m->all)
        return true;
    size_t len = 0;
    const char *t = pysource_node_span(m->src, n, &len);
    size_t s = (size_t)(t - m->content), e = s + len;
    /* only a place that straddles e has need >= e: the scan stops at the first other */
    for (size_t i = naming_first(m, s); i < m->n && m->pl[i].at < e; i++)
        if (m->pl[i].need < e)
            return true;
    return false;
}

/* Appends c to the array *kids (buf, of *cap, until it is full: then from the heap). */
static void kids_push(TSNode **kids, TSNode *buf, uint32_t *k, uint32_t *cap, TSNode c)
{
    if (*k == *cap) {
        TSNode *more = xreallocarray(*kids == buf ? NULL : *kids, *cap * 2, sizeof *more);
        if (*kids == buf)
            memcpy(more, buf, *cap * sizeof *more);
        *kids = more;
        *cap *= 2;
    }
    (*kids)[(*k)++] = c;
}

/* The named children of n that hold one of m's places (naming_in), in order, into buf (size
 * cap) or an array from the heap (*kids: free it when it is not buf); their count. They are
 * found from the places: the first named child that ends after the next place not yet passed
 * (ts_node_first_named_child_for_byte, which steps over the hidden nodes that end before it
 * without entering them), then the next place after that child, and so on - every named child
 * skipped ends before a place and after the child before it, so it holds none. A block's
 * statements one by one by cursor cost some hundred instructions each (the hidden nodes of
 * its repetition), and most of a function's statements hold no place. Where the look-up finds
 * no such child (tree-sitter answers null when the hidden node it entered holds none) or one
 * that does not end after the place, the rest of the children are read one by one. */
static uint32_t naming_kids(const naming_t *m, TSNode n, TSNode *buf, uint32_t cap, TSNode **kids)
{
    *kids = buf;
    uint32_t k = 0;
    if (m->all) {
        TSNode *all;
        uint32_t ka = named_children(n, buf, cap, &all);
        *kids = all;
        return ka;
    }
    uint32_t pos = ts_node_start_byte(n), end = ts_node_end_byte(n);
    for (size_t i = naming_first(m, pos); i < m->n && m->pl[i].at < end; i = naming_first(m, pos)) {
        uint32_t goal = m->pl[i].at;
        TSNode c = ts_node_first_named_child_for_byte(n, goal);
        uint32_t ce = ts_node_is_null(c) ? 0 : ts_node_end_byte(c);
        if (ce <= goal || ts_node_start_byte(c) < pos) {
            TSNode rbuf[16], *rest;
            uint32_t kr = named_children(n, rbuf, 16, &rest);
            for (uint32_t j = 0; j < kr; j++)
                if (ts_node_start_byte(rest[j]) >= pos && naming_in(m, rest[j]))
                    kids_push(kids, buf, &k, &cap, rest[j]);
            if (rest != rbuf)
                free(rest);
            break;
        }
        if (naming_in(m, c))
            kids_push(kids, buf, &k, &cap, c);
        pos = ce;
    }
    return k;
}

typedef struct {
    const loop_t *l;
    bool hit;
} ref_t;

/* Whether identifier n is a use of one of loop l's variables (x.name and name= are not uses);
 * parent: n's parent when the walk knows it, else null (then asked of ts_node_parent, which
 * walks down from the root). */
static bool ref_use(const pysource_t *src, const loop_t *l, TSNode n, TSNode parent)
{
    /* the name first: most names are none of the variables */
    char t[48];
    text_of(src, n, t, sizeof t);
    bool var = false;
    for (int i = 0; i < l->nvars && !var; i++)
        var = strcmp(l->vars[i], t) == 0;
    if (!var)
        return false;
    /* most uses show by the bytes around the name: an attribute's name has "." before it (or
     * whitespace, a line continuation), a keyword argument's "=" (or whitespace) after it; only
     * then is the parent read, and in a file with errors, where recovery may stand in a
     * missing "." */
    size_t clen;
    const char *c = pysource_content(src, &clen);
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (c && s > 0 && e < clen && !pysource_has_error(src) && !strchr(" \t\r\n\\.\f", c[s - 1]) &&
        !strchr(" \t\r\n\\=\f", c[e]))
        return true;
    if (ts_node_is_null(parent))
        parent = ts_node_parent(n);
    /* x.name and name=... are not uses of `name` */
    if (IS(parent, "attribute") && ts_node_eq(FIELD(parent, "attribute"), n))
        return false;
    if (IS(parent, "keyword_argument") && ts_node_eq(FIELD(parent, "name"), n))
        return false;
    return true;
}

/* pysource_walk visitor: stops (r->hit) at the first use of one of the loop's variables. */
static pysource_walk_t ref_visit(const pysource_t *src, TSNode n, void *ctx)
{
    ref_t *r = ctx;
    if (!IS(n, "identifier") || !ref_use(src, r->l, n, (TSNode){0}))
        return PYSOURCE_WALK_CONTINUE;
    r->hit = true;
    return PYSOURCE_WALK_STOP;
}

/* references below n, whose parent is parent (null: not known): whether a node there uses one
 * of l's variables. Only nodes whose text holds one of them (m's places) are entered: every
 * use is such an identifier, and each node above it holds it too; and the parent of each name
 * is the node the walk came from, the nearest named node above it, as ts_node_parent gives. */
static bool refs_in(const naming_t *m, const loop_t *l, TSNode n, TSNode parent, int depth)
{
    if (!naming_in(m, n))
        return false;
    if (IS(n, "identifier"))
        return ref_use(m->src, l, n, parent);
    if (depth >= NAMING_DEPTH) {
        ref_t r = {l, false};
        pysource_walk(m->src, n, ref_visit, &r);
        return r.hit;
    }
    TSNode buf[16], *kids;
    uint32_t k = naming_kids(m, n, buf, 16, &kids);
    bool hit = false;
    for (uint32_t i = 0; i < k && !hit; i++)
        hit = refs_in(m, l, kids[i], n, depth + 1);
    if (kids != buf)
        free(kids);
    return hit;
}

/* Whether n's text holds a variable of a loop that can be active (the schema test aside) as a
 * substring: when not, no identifier under n is one of them, so keyed_loop(w, n) is -1 without
 * walking n, nor testing any loop's iterable against the schema. */
static bool may_use_item(const fw_t *w, TSNode n)
{
    size_t len = 0;
    const char *s = pysource_node_span(w->src, n, &len);
    if (!s)
        return false;
    for (int i = 0; i < w->nloops && i < MAX_LOOPS; i++) {
        if (!w->loops[i].active)
            continue;
        for (int v = 0; v < w->loops[i].nvars; v++)
            if (memmem(s, len, w->loops[i].vars[v], strlen(w->loops[i].vars[v])))
                return true;
    }
    return false;
}

/* Whether node n uses one of loop l's variables. */
static bool references(const fw_t *w, const loop_t *l, TSNode n)
{
    if (ts_node_is_null(n))
        return false;
    size_t clen = 0, len = 0;
    naming_t m = {.src = w->src, .content = pysource_content(w->src, &clen)};
    const char *t = pysource_node_span(w->src, n, &len);
    size_t s = (size_t)(t - m.content);
    for (int i = 0; i < l->nvars; i++)
        naming_scan(&m, s, s + len, l->vars[i], strlen(l->vars[i]), false);
    /* a use is one of the names in n's text: without one there, no walk */
    bool hit = false;
    if (m.n > 0) {
        qsort(m.pl, m.n, sizeof *m.pl, place_cmp);
        hit = refs_in(&m, l, n, (TSNode){0}, 0);
    }
    free(m.pl);
    return hit;
}

/* walk_naming below scope: true once the visitor stopped. */
static bool walk_naming_in(const naming_t *m, TSNode n, int depth)
{
    if (!naming_in(m, n))
        return false;
    if (depth >= NAMING_DEPTH && !pysource_holds_statements(n))
        return pysource_walk(m->src, n, m->visit, m->ctx);
    /* its parts are tested one by one, in the walk's order */
    pysource_walk_t r = m->visit(m->src, n, m->ctx);
    if (r != PYSOURCE_WALK_CONTINUE)
        return r == PYSOURCE_WALK_STOP;
    TSNode buf[16], *kids;
    uint32_t k = naming_kids(m, n, buf, 16, &kids);
    bool stopped = false;
    for (uint32_t i = 0; i < k && !stopped; i++)
        stopped = walk_naming_in(m, kids[i], depth + 1);
    if (kids != buf)
        free(kids);
    return stopped;
}

/* pysource_walk of scope for a visitor that acts only on nodes whose text holds name
 * (assigned: holds what may be an assignment of it, naming_t): what does not is skipped whole
 * (a statement, a part of a compound one, a part of an expression), in the walk's order
 * otherwise. Every node such a visitor acts on holds name, and so does each node above it.
 * Most of a function's statements do not name a given variable, and fewer assign it; a walk of
 * each was a look at every node of the function. */
static void walk_naming_as(const pysource_t *src, TSNode scope, const char *name, bool assigned,
                           pysource_visit_fn visit, void *ctx)
{
    if (ts_node_is_null(scope))
        return;
    size_t clen = 0, len = 0;
    naming_t m = {.src = src, .content = pysource_content(src, &clen), .visit = visit, .ctx = ctx};
    const char *t = pysource_node_span(src, scope, &len);
    naming_scan(&m, (size_t)(t - m.content), (size_t)(t - m.content) + len, name, strlen(name),
                assigned);
    if (m.all || m.n > 0)
        walk_naming_in(&m, scope, 0);
    free(m.pl);
}

/* walk_naming_as of every node naming name. */
static void walk_naming(const pysource_t *src, TSNode scope, const char *name,
                        pysource_visit_fn visit, void *ctx)
{
    walk_naming_as(src, scope, name, false, visit, ctx);
}

static bool schema_iterable(const fw_t *w, const pysource_t *src, TSNode e, TSNode scope,
                            int depth);

/* Whether loop i of w is active: not over constants, batches or retries (push_loop), nor over
 * the schema (tested here once, the first time it is asked: the answer is the loop's, cached in
 * it behind the const walker). */
static bool loop_active(const fw_t *w, int i)
{
    if (i >= MAX_LOOPS) /* counted, not tracked (push_loop) */
        return false;
    loop_t *l = (loop_t *)&w->loops[i];
    if (!l->active)
        return false;
    if (!l->schema)
        /* the iterable is in the walked function itself (nested ones are walked apart) */
        l->schema =
            schema_iterable(w, w->src, l->right,
                            ts_node_is_null(w->fn_node) ? w->fn_node : FIELD(w->fn_node, "body"), 0)
                ? 1
                : 2;
    return l->schema == 2;
}

/* The innermost loop (index) over non-constants whose item n uses, or -1. */
static int keyed_loop(const fw_t *w, TSNode n)
{
    /* loop_active's schema test (a walk of the function, maybe a helper's parse) after the use:
     * both are answers of the loop and n alone, and most loops a call is tested against are
     * outer loops whose item it does not use */
    for (int i = w->nloops - 1; i >= 0; i--)
        if (i < MAX_LOOPS && w->loops[i].active && references(w, &w->loops[i], n) &&
            loop_active(w, i))
            return i;
    return -1;
}

/* Whether an expression is a constant: a literal, a module CONSTANT, or a list, tuple or set of
 * constants. */
static bool constant_expr(const pysource_t *src, TSNode e)
{
    e = unwrap(e);
    if (IS(e, "string") || IS(e, "integer") || IS(e, "float") || IS(e, "true") || IS(e, "false") ||
        IS(e, "none") || IS(e, "concatenated_string"))
        return true;
    if (IS(e, "identifier")) {
        char t[64];
        text_of(src, e, t, sizeof t);
        bool lower = false;
        for (const char *c = t; *c; c++)
            lower |= islower((unsigned char)*c) != 0;
        return t[0] && !lower; /* a module CONSTANT */
    }
    if (IS(e, "list") || IS(e, "tuple") || IS(e, "set")) {
        uint32_t k = ts_node_named_child_count(e);
        for (uint32_t i = 0; i < k; i++)
            if (!constant_expr(src, ts_node_named_child(e, i)))
                return false;
        return true;
    }
    return false;
}

/* Loops over literals of constants, module CONSTANTS (a fixed list of
 * models or tables), range(N) of a literal, are not per-item work. */
static bool constant_iterable(const pysource_t *src, TSNode iter)
{
    iter = unwrap(iter);
    if (IS(iter, "call")) {
        char t[32];
        text_of(src, FIELD(iter, "function"), t, sizeof t);
        if (strcmp(t, "range") == 0 || strcmp(t, "reversed") == 0 || strcmp(t, "sorted") == 0 ||
            strcmp(t, "enumerate") == 0) {
            TSNode a = pysource_call_arg(src, iter, 0);
            return !ts_node_is_null(a) && constant_iterable(src, a);
        }
        return false;
    }
    return constant_expr(src, iter);
}

/* for chunk in chunks(ids, BULK_SIZE) / batched(...): each iteration is
 * already one statement for a batch of items (neutron's type drivers) */
static bool batches(const pysource_t *src, TSNode iter)
{
    iter = unwrap(iter);
    if (!IS(iter, "call"))
        return false;
    char t[96];
    text_of(src, FIELD(iter, "function"), t, sizeof t);
    const char *last = last_component(t);
    return strstr(last, "chunk") || strstr(last, "batch");
}

/* Finds a return or break of the loop walked (not of a nested loop or function). */
static pysource_walk_t exit_visit(const pysource_t *src, TSNode n, void *ctx)
{
    (void)src;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda") ||
        IS(n, "for_statement") || IS(n, "while_statement"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (IS(n, "return_statement") || IS(n, "break_statement")) {
        *(bool *)ctx = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* A retry loop: `for attempt in range(max_retries): try: ...; return/break except ...:` runs
 * the same work again after a failure and leaves on the first success (nova's
 * _metadata_add_to_db): the work happens once, not once per item. */
static bool retry_loop(const pysource_t *src, TSNode iter, TSNode body)
{
    iter = unwrap(iter);
    if (!IS(iter, "call"))
        return false;
    char t[32];
    text_of(src, FIELD(iter, "function"), t, sizeof t);
    if (strcmp(t, "range") != 0 || ts_node_is_null(body))
        return false;
    uint32_t k = ts_node_named_child_count(body);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(body, i);
        bool exits = false;
        if (IS(c, "try_statement") && !ts_node_is_null(FIELD(c, "body")))
            pysource_walk(src, FIELD(c, "body"), exit_visit, &exits);
        uint32_t handlers = 0;
        for (uint32_t j = 0; exits && j < ts_node_named_child_count(c); j++)
            handlers += IS(ts_node_named_child(c, j), "except_clause");
        if (exits && handlers > 0)
            return true;
    }
    return false;
}

/* ---- loops whose count the schema or the deployment fixes ------------- */

/* The body of the function a node sits in, or the module. */
static TSNode enclosing_scope(TSNode n)
{
    TSNode last = n;
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); last = p, p = ts_node_parent(p))
        if (IS(p, "function_definition"))
            return FIELD(p, "body");
    return last;
}

static bool schema_iterable(const fw_t *w, const pysource_t *src, TSNode e, TSNode scope,
                            int depth);

typedef struct {
    const fw_t *w;
    const pysource_t *src;
    const char *name;
    TSNode scope; /* the body walked (nested functions skipped: every node met is in its scope) */
    int depth;
    int adds;     /* name.append/add/extend(...) seen */
    bool foreign; /* one of them outside a loop over the schema */
} fill_t;

/* Whether node n sits in a for loop (below scope) over the tables of the schema. */
static bool in_schema_loop(const fill_t *f, TSNode n, TSNode scope)
{
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p) && !ts_node_eq(p, scope);
         p = ts_node_parent(p))
        if (IS(p, "for_statement") &&
            schema_iterable(f->w, f->src, FIELD(p, "right"), scope, f->depth))
            return true;
    return false;
}

/* pysource_walk visitor: name.append(x) / .add / .extend, each in a loop over the schema. */
static pysource_walk_t fill_visit(const pysource_t *src, TSNode n, void *ctx)
{
    fill_t *f = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    char m[16], on[64];
    TSNode obj;
    if (!IS(n, "call") || !method_of(src, n, &obj, m, sizeof m) || !IS(obj, "identifier"))
        return PYSOURCE_WALK_CONTINUE;
    text_of(src, obj, on, sizeof on);
    if (strcmp(on, f->name) != 0 ||
        (strcmp(m, "append") != 0 && strcmp(m, "add") != 0 && strcmp(m, "extend") != 0))
        return PYSOURCE_WALK_CONTINUE;
    f->adds++;
    if (!in_schema_loop(f, n, f->scope)) {
        f->foreign = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The assignments `name = ...` in a scope (not in nested functions): how many, and the right
 * side of the last. */
typedef struct {
    const char *name;
    int count;
    TSNode right;
} last_assign_t;

static pysource_walk_t assign_visit(const pysource_t *src, TSNode n, void *ctx)
{
    last_assign_t *a = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if ((IS(n, "assignment") || IS(n, "augmented_assignment")) &&
        IS(FIELD(n, "left"), "identifier")) {
        char t[64];
        text_of(src, FIELD(n, "left"), t, sizeof t);
        if (strcmp(t, a->name) == 0) {
            a->count++;
            a->right = FIELD(n, "right");
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* pysource_walk visitor: every `return e` of a function (not of nested ones) is from the
 * schema; *ok is cleared by one that is not, *n counts them. */
typedef struct {
    const fw_t *w;
    const pysource_t *src;
    TSNode scope; /* the function's body: return_visit skips nested functions */
    int depth, n;
    bool ok;
} returns_t;

static pysource_walk_t return_visit(const pysource_t *src, TSNode n, void *ctx)
{
    returns_t *r = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (!IS(n, "return_statement"))
        return PYSOURCE_WALK_CONTINUE;
    r->n++;
    TSNode e = ts_node_named_child(n, 0);
    if (ts_node_is_null(e) || !schema_iterable(r->w, src, e, r->scope, r->depth)) {
        r->ok = false;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether file's text holds one of the names schema_iterable finds the schema by (tables,
 * sorted_tables, mappers, __subclasses__, get_table_names), read once per file: a helper in
 * another file, whose own calls are not followed, cannot return the schema without one. */
static bool names_schema(pl_t *pl, size_t file)
{
    size_t n = sqla_project_file_count(pl->p);
    if (file >= n)
        return true;
    if (!pl->schema_text)
        pl->schema_text = xcalloc(n, 1);
    if (!pl->schema_text[file]) {
        size_t len = 0;
        const char *c = sqla_project_content(pl->p, file, &len);
        static const char *const names[] = {"tables", "mappers", "__subclasses__",
                                            "get_table_names"};
        bool any = !c;
        for (size_t i = 0; i < sizeof names / sizeof *names && !any; i++)
            any = memmem(c, len, names[i], strlen(names[i])) != NULL;
        pl->schema_text[file] = any ? 1 : 2;
    }
    return pl->schema_text[file] == 1;
}

/* Whether an iterable walks the tables or mapped classes of the schema (issue 14, rule 12):
 * `metadata.sorted_tables`, `metadata.tables(.values())`, `Base.__subclasses__()`,
 * `registry.mappers`, an inspector's `get_table_names()`, wrapped in reversed/sorted/list/...,
 * a comprehension over one of them (a filtered list of tables), a name assigned one of them in
 * the function, or a project function whose every return is one (nova's
 * _get_tables_with_fk_to_table: a list appended to only in a loop over the tables). The count
 * is fixed by the schema, and each table is a statement of its own: no grouped query joins
 * different tables. */
static bool schema_iterable(const fw_t *w, const pysource_t *src, TSNode e, TSNode scope, int depth)
{
    e = unwrap(e);
    if (ts_node_is_null(e) || depth > 8) /* wrappers, names, one helper's returns */
        return false;
    char t[96];
    if (IS(e, "attribute")) {
        text_of(src, FIELD(e, "attribute"), t, sizeof t);
        return strcmp(t, "sorted_tables") == 0 || strcmp(t, "tables") == 0 ||
               strcmp(t, "mappers") == 0;
    }
    if (IS(e, "list_comprehension") || IS(e, "set_comprehension") ||
        IS(e, "generator_expression")) {
        uint32_t k = ts_node_named_child_count(e);
        for (uint32_t i = 0; i < k; i++) {
            TSNode c = ts_node_named_child(e, i);
            if (IS(c, "for_in_clause"))
                return schema_iterable(w, src, FIELD(c, "right"), scope, depth + 1);
        }
        return false;
    }
    if (IS(e, "call")) {
        TSNode callee = FIELD(e, "function");
        text_of(src, callee, t, sizeof t);
        const char *last = last_component(t);
        if (strcmp(t, "reversed") == 0 || strcmp(t, "sorted") == 0 || strcmp(t, "list") == 0 ||
            strcmp(t, "tuple") == 0 || strcmp(t, "set") == 0 || strcmp(t, "enumerate") == 0 ||
            strcmp(t, "iter") == 0)
            return schema_iterable(w, src, pysource_call_arg(src, e, 0), scope, depth + 1);
        if (strcmp(last, "__subclasses__") == 0 || strcmp(last, "get_table_names") == 0)
            return true;
        if (IS(callee, "attribute") && (strcmp(last, "values") == 0 || strcmp(last, "keys") == 0 ||
                                        strcmp(last, "items") == 0))
            return schema_iterable(w, src, FIELD(callee, "object"), scope, depth + 1);
        /* a project function returning the tables, called from the loop's own file (one
         * level: the helper's own calls are not followed) */
        if (strcmp(pysource_path(w->src), pysource_path(src)) != 0) /* a file, not a tree */
            return false;
        const sqla_function_t *fn = callee_fn(w, e);
        if (fn && fn->file != w->file && !names_schema(w->pl, fn->file))
            return false; /* its returns cannot name the schema: no parse, no walk */
        const pysource_t *fsrc = NULL;
        TSNode def = fn ? sqla_function_tree(w->pl->p, fn, &fsrc) : (TSNode){0};
        if (ts_node_is_null(def))
            return false;
        returns_t r = {w, fsrc, FIELD(def, "body"), depth + 1, 0, true};
        /* return_visit acts on return statements only, each of which holds the word in its
         * text: statements without it are skipped whole (walk_naming), in a tree that parsed
         * cleanly (recovery may make a return statement of a missing keyword) */
        if (pysource_has_error(fsrc))
            pysource_walk(fsrc, r.scope, return_visit, &r);
        else
            walk_naming(fsrc, r.scope, "return", return_visit, &r);
        return r.ok && r.n > 0;
    }
    if (IS(e, "identifier")) {
        text_of(src, e, t, sizeof t);
        if (ts_node_is_null(scope))
            scope = enclosing_scope(e);
        /* one binding only: a name assigned on several paths may hold other items */
        last_assign_t a = {.name = t};
        walk_naming_as(src, scope, t, true, assign_visit, &a);
        TSNode r = unwrap(a.right);
        if (a.count != 1 || ts_node_is_null(r))
            return false;
        /* tables = [] filled in loops over the tables */
        if ((IS(r, "list") || IS(r, "set")) && ts_node_named_child_count(r) == 0) {
            fill_t f = {w, src, t, scope, depth + 1, 0, false};
            walk_naming(src, scope, t, fill_visit, &f);
            return f.adds > 0 && !f.foreign;
        }
        return schema_iterable(w, src, r, scope, depth + 1);
    }
    return false;
}

/* Whether a call switches the database the statements go to: nova's `context.target_cell(ctx,
 * cell)` / `set_target_cell`, `create_engine(url)`, a shard chooser. */
static bool selects_database(const pysource_t *src, TSNode call)
{
    char t[96];
    text_of(src, FIELD(call, "function"), t, sizeof t);
    const char *last = last_component(t);
    return strcmp(last, "target_cell") == 0 || strcmp(last, "set_target_cell") == 0 ||
           strcmp(last, "create_engine") == 0 || strstr(last, "shard") != NULL;
}

/* Whether call, in loop l, runs inside `with <database chosen by the item>:` (issue 14,
 * rule 13): `with context.target_cell(ctxt, cell) as cctxt:`, a shard, an engine per URL. Each
 * iteration's statements there go to another database (nova's cells: a handful, set by the
 * deployment), so no grouped query can replace them. A statement of the same loop outside the
 * block (to the database all items share) is still per item. */
static bool in_item_database(const fw_t *w, const loop_t *l, TSNode call)
{
    /* Every with_statement the walk up meets is below the loop's node, so its callee's text is
     * in the loop's text, and selects_database accepts only a callee whose last name is or
     * holds target_cell, create_engine or shard: a loop whose text has none of the three has no
     * such block, told once per loop from its text (the walk up asks ts_node_parent, which
     * walks down from the root, per ancestor). The call is below the loop's node when it
     * starts inside the node's bytes (spans nest, and a call is never empty); a call elsewhere
     * (none is: a loop is pushed while its own parts are walked) is walked up as before. */
    loop_t *lm = (loop_t *)l; /* the answer is the loop's, cached in it behind the const walker */
    if (!lm->dbsel) {
        size_t len = 0;
        const char *t = pysource_node_span(w->src, l->node, &len);
        lm->dbsel = !t || memmem(t, len, "target_cell", 11) ||
                            memmem(t, len, "create_engine", 13) || memmem(t, len, "shard", 5)
                        ? 1
                        : 2;
    }
    if (lm->dbsel == 2 && ts_node_start_byte(call) >= ts_node_start_byte(l->node) &&
        ts_node_start_byte(call) < ts_node_end_byte(l->node) &&
        ts_node_end_byte(call) <= ts_node_end_byte(l->node))
        return false;
    for (TSNode n = ts_node_parent(call); !ts_node_is_null(n) && !ts_node_eq(n, l->node);
         n = ts_node_parent(n)) {
        if (!IS(n, "with_statement"))
            continue;
        TSNode clause = ts_node_named_child(n, 0);
        uint32_t k = ts_node_is_null(clause) ? 0 : ts_node_named_child_count(clause);
        for (uint32_t i = 0; i < k; i++) {
            TSNode item = ts_node_named_child(clause, i);
            TSNode v = unwrap(FIELD(item, "value"));
            if (IS(v, "as_pattern"))
                v = unwrap(ts_node_named_child(v, 0));
            if (IS(v, "call") && selects_database(w->src, v) &&
                references(w, l, FIELD(v, "arguments")))
                return true;
        }
    }
    return false;
}

/* Enters a for loop: its variables, its iterable, and whether it is active
 * (not over constants or batches, not a retry loop). Past MAX_LOOPS it is counted but not tracked.
 */
static void push_loop(fw_t *w, TSNode node, TSNode left, TSNode right)
{
    if (w->nloops == MAX_LOOPS) {
        w->nloops++; /* counted so the pop matches; not tracked */
        return;
    }
    loop_t *l = &w->loops[w->nloops++];
    memset(l, 0, offsetof(loop_t, vars)); /* vars are filled as counted */
    l->nvars = 0;
    memset(&l->qcall, 0, sizeof *l - offsetof(loop_t, qcall));
    l->node = node;
    /* most targets are one name: what the walk of it would add, without a cursor */
    if (IS(left, "identifier"))
        add_var(l, w->src, left);
    else
        pysource_walk(w->src, left, target_visit, l);
    TSNode body = IS(node, "for_statement") ? FIELD(node, "body") : node;
    l->active = !constant_iterable(w->src, right) && !batches(w->src, right) &&
                !(IS(node, "for_statement") && retry_loop(w->src, right, body));
    l->right = right; /* l->schema: loop_active; its text for messages: loop_iter */
}

/* The text of loop l's iterable for messages (at most 60 bytes, "..." when cut or unreadable,
 * on one line), into out; read when a finding is emitted, not for every loop entered. */
static void loop_iter(const pysource_t *src, const loop_t *l, char *out, size_t size)
{
    char t[200];
    text_of(src, l->right, t, sizeof t);
    if (!t[0])
        snprintf(t, sizeof t, "...");
    snprintf(out, size, "%.*s%s", 60, t, strlen(t) > 60 ? "..." : "");
    for (char *c = out; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
}

/* ---- per-item isolation ------------------------------------------------ */

/* Whether an except clause ends the loop's work for every item: it raises (re-raise or another
 * exception), returns or breaks. */
static pysource_walk_t stops_visit(const pysource_t *src, TSNode n, void *ctx)
{
    (void)src;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (IS(n, "raise_statement") || IS(n, "return_statement") || IS(n, "break_statement")) {
        *(bool *)ctx = true;
        return PYSOURCE_WALK_STOP;
    }
    if (IS(n, "with_item")) { /* oslo's `with excutils.save_and_reraise_exception():` */
        char t[160];
        text_of(src, n, t, sizeof t);
        if (strstr(t, "reraise")) {
            *(bool *)ctx = true;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The one statement of a block, comments aside; null when there are several. */
static TSNode only_statement(TSNode block)
{
    TSNode one = {0};
    uint32_t k = ts_node_is_null(block) ? 0 : ts_node_named_child_count(block);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(block, i);
        if (IS(c, "comment"))
            continue;
        if (!ts_node_is_null(one))
            return (TSNode){0};
        one = c;
    }
    return one;
}

/* A try body that only hands the item to one handler: a single call statement (assigned or
 * not), or an if/elif/else choosing between such statements. */
static bool hands_over(TSNode block)
{
    TSNode s = only_statement(block);
    if (ts_node_is_null(s))
        return false;
    if (IS(s, "expression_statement"))
        return true;
    if (!IS(s, "if_statement"))
        return false;
    if (ts_node_is_null(only_statement(FIELD(s, "consequence"))) ||
        !IS(only_statement(FIELD(s, "consequence")), "expression_statement"))
        return false;
    uint32_t k = ts_node_named_child_count(s);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(s, i);
        TSNode b = IS(c, "elif_clause")   ? FIELD(c, "consequence")
                   : IS(c, "else_clause") ? FIELD(c, "body")
                                          : (TSNode){0};
        if (IS(c, "elif_clause") || IS(c, "else_clause")) {
            TSNode o = only_statement(b);
            if (ts_node_is_null(o) || !IS(o, "expression_statement"))
                return false;
        }
    }
    return true;
}

/* Whether an except clause catches every failure: bare `except:`, `except Exception` or
 * `except BaseException` (with or without `as e`). A handler for one error (NotFound: the row is
 * missing) is the per-item query's own result, not isolation. */
static bool catches_all(const pysource_t *src, TSNode h)
{
    TSNode t = ts_node_named_child(h, 0);
    if (ts_node_is_null(t) || IS(t, "block"))
        return true; /* bare except */
    if (IS(t, "as_pattern"))
        t = ts_node_named_child(t, 0);
    char name[64];
    text_of(src, t, name, sizeof name);
    const char *last = last_component(name);
    return strcmp(last, "Exception") == 0 || strcmp(last, "BaseException") == 0;
}

/* Whether call, inside loop node, sits in the body of a try (within the loop) that hands the
 * item to one handler (hands_over: several statements are the loop's own per-item work, as
 * heat's properties_data migration, labelled a real problem) and whose handlers
 * all let the loop go on with the next item (log, collect the failure, continue) and one of
 * them catches every failure: each item is
 * handled on its own on purpose (neutron's update_devices_list, the OVN maintenance repairs),
 * and one grouped query would make one item's failure everyone's (issue 14, rule 4). */
static bool isolated_per_item(const pysource_t *src, TSNode call, TSNode loop)
{
    TSNode child = call;
    for (TSNode n = ts_node_parent(call); !ts_node_is_null(n) && !ts_node_eq(n, loop);
         child = n, n = ts_node_parent(n)) {
        if (!IS(n, "try_statement") || !ts_node_eq(child, FIELD(n, "body")) || !hands_over(child))
            continue;
        uint32_t k = ts_node_named_child_count(n);
        int handlers = 0;
        bool stops = false, broad = false;
        for (uint32_t i = 0; i < k && !stops; i++) {
            TSNode h = ts_node_named_child(n, i);
            if (IS(h, "except_clause") || IS(h, "except_group_clause")) {
                handlers++;
                pysource_walk(src, h, stops_visit, &stops);
                broad |= catches_all(src, h);
            }
        }
        if (handlers > 0 && broad && !stops)
            return true;
    }
    return false;
}

/* isolated_per_item of a call in loop k of w's walk. The try statement it looks for is below the
 * loop's node, so its keyword is in the loop's text: a loop whose text has no "try" isolates
 * nothing, told once per loop (the walk up asks ts_node_parent, which walks down from the root,
 * per ancestor). Only in a file that parsed cleanly (recovery may make a try statement of a
 * missing keyword), and for a call inside the loop's bytes (see in_item_database). */
static bool loop_isolates(const fw_t *w, int k, TSNode call)
{
    loop_t *l = (loop_t *)&w->loops[k]; /* the answer is the loop's, cached in it */
    if (w->clean && ts_node_start_byte(call) >= ts_node_start_byte(l->node) &&
        ts_node_start_byte(call) < ts_node_end_byte(l->node) &&
        ts_node_end_byte(call) <= ts_node_end_byte(l->node)) {
        if (!l->trytext) {
            size_t len = 0;
            const char *t = pysource_node_span(w->src, l->node, &len);
            l->trytext = !t || memmem(t, len, "try", 3) ? 1 : 2;
        }
        if (l->trytext == 2)
            return false;
    }
    return isolated_per_item(w->src, call, l->node);
}

/* ---- compare-and-swap updates ------------------------------------------ */

/* An UPDATE whose outcome the code reads is a compare-and-swap per item: oslo.db's
 * `query.update_on_match(specimen, ...)` (raises NoRowsMatched when the expected state is gone),
 * or `Query.update(values)` whose row count is returned, assigned or tested (cinder's
 * _conditional_update, heat's atomic_key update: `return bool(rows_updated)`). Its result says
 * whether this item's expected state still held; a prefetch reads nothing it could serve, and one
 * grouped UPDATE would not say which item lost the race, so it is not a lookup per item
 * (issue 14, rule 11). An UPDATE whose count is thrown away (a plain per-item soft delete) is. */

/* Query methods that read rows: a query object a function reads from is not only a CAS's. */
static bool read_method(const char *m)
{
    const char *r[] = {"all",      "first",    "one",          "one_or_none", "scalar",
                       "count",    "get",      "exists",       "scalars",     "fetchall",
                       "fetchone", "__iter__", "first_or_404", "paginate"};
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (strcmp(m, r[i]) == 0)
            return true;
    return false;
}

/* The outermost call of the method chain that starts at call (q(...).filter(...).update(...)). */
static TSNode chain_top(TSNode call)
{
    TSNode top = call;
    for (;;) {
        TSNode a = ts_node_parent(top);
        while (!ts_node_is_null(a) && IS(a, "parenthesized_expression"))
            a = ts_node_parent(a);
        if (ts_node_is_null(a) || !IS(a, "attribute"))
            return top;
        TSNode c = ts_node_parent(a);
        if (ts_node_is_null(c) || !IS(c, "call") || !ts_node_eq(FIELD(c, "function"), a))
            return top;
        top = c;
    }
}

typedef struct {
    const char *name;
    bool hit;
} uses_t;

/* pysource_walk visitor: whether a subtree uses the identifier u->name (not as an attribute). */
static pysource_walk_t uses_visit(const pysource_t *src, TSNode n, void *ctx)
{
    uses_t *u = ctx;
    if (!IS(n, "identifier"))
        return PYSOURCE_WALK_CONTINUE;
    TSNode parent = ts_node_parent(n);
    if (IS(parent, "attribute") && ts_node_eq(FIELD(parent, "attribute"), n))
        return PYSOURCE_WALK_CONTINUE;
    if (pysource_node_text_is(src, n, u->name)) {
        u->hit = true;
        return PYSOURCE_WALK_STOP;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether an if statement tests cond_use (a node in its condition, or a name used there) and its
 * body stops on the result: raises, returns or breaks (NotFound for the item, the CAS lost). */
static bool if_stops_on(const pysource_t *src, TSNode ifst, const char *name, TSNode in)
{
    TSNode cond = FIELD(ifst, "condition");
    if (ts_node_is_null(cond))
        return false;
    if (name) {
        uses_t u = {name, false};
        pysource_walk(src, cond, uses_visit, &u);
        if (!u.hit)
            return false;
    } else if (ts_node_start_byte(in) < ts_node_start_byte(cond) ||
               ts_node_end_byte(in) > ts_node_end_byte(cond)) {
        return false;
    }
    bool stops = false;
    pysource_walk(src, FIELD(ifst, "consequence"), stops_visit, &stops);
    return stops;
}

typedef struct {
    const char *name;
    bool decides;
} decides_t;

/* pysource_walk visitor over a function body: a return that uses d->name, or an if that tests it
 * and stops. Nested functions are skipped. */
static pysource_walk_t decides_visit(const pysource_t *src, TSNode n, void *ctx)
{
    decides_t *d = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (IS(n, "return_statement")) {
        uses_t u = {d->name, false};
        pysource_walk(src, n, uses_visit, &u);
        d->decides |= u.hit;
    } else if (IS(n, "if_statement") || IS(n, "elif_clause")) {
        d->decides |= if_stops_on(src, n, d->name, n);
    }
    return d->decides ? PYSOURCE_WALK_STOP : PYSOURCE_WALK_CONTINUE;
}

/* Whether the row count a write call returns decides what its function does: the call is
 * returned, tested by an if that raises/returns/breaks, or assigned to a name that is (cinder's
 * `result = query.update(...); return 0 != result`, nova's `if result == 0: raise NotFound`). A
 * count only collected or logged (ironic's list of missing names, reported after the loop) does
 * not: one grouped statement with the same collection does the same. */
static bool count_decides(const pysource_t *src, TSNode call)
{
    TSNode child = call;
    for (TSNode n = ts_node_parent(call); !ts_node_is_null(n); child = n, n = ts_node_parent(n)) {
        if (IS(n, "return_statement"))
            return true;
        if (IS(n, "if_statement") || IS(n, "elif_clause"))
            return if_stops_on(src, n, NULL, child);
        if (IS(n, "assignment")) {
            TSNode left = FIELD(n, "left");
            if (!IS(left, "identifier") || !ts_node_eq(FIELD(n, "right"), child))
                return false;
            char name[48];
            text_of(src, left, name, sizeof name);
            TSNode fn = ts_node_parent(n);
            while (!ts_node_is_null(fn) && !IS(fn, "function_definition"))
                fn = ts_node_parent(fn);
            if (!name[0] || ts_node_is_null(fn))
                return false;
            decides_t d = {name, false};
            walk_naming(src, FIELD(fn, "body"), name, decides_visit, &d);
            return d.decides;
        }
        if (IS(n, "expression_statement") || IS(n, "block") || IS(n, "function_definition"))
            return false;
    }
    return false;
}

/* Whether the chain ending in call (a method call) is a compare-and-swap: update_on_match, or an
 * UPDATE or DELETE (Query.update/delete, oslo.db's soft_delete) whose row count decides what the
 * function does (count_decides). */
static bool cas_call(const pysource_t *src, TSNode call)
{
    char m[48];
    TSNode obj;
    if (!method_of(src, call, &obj, m, sizeof m))
        return false;
    if (strcmp(m, "update_on_match") == 0)
        return true;
    if (strcmp(m, "update") != 0 && strcmp(m, "delete") != 0 && strcmp(m, "soft_delete") != 0)
        return false;
    return count_decides(src, call);
}

typedef struct {
    const char *name;
    bool cas, reads;
} qname_t;

/* pysource_walk visitor over a function body: calls name.m(...) - a CAS (cas_call) or a read
 * (read_method; a read in an except clause is the CAS's own fallback after losing the race, as
 * nova's `query.one()` after NoRowsMatched). Nested functions are skipped. */
static pysource_walk_t qname_visit(const pysource_t *src, TSNode n, void *ctx)
{
    qname_t *q = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (!IS(n, "call"))
        return PYSOURCE_WALK_CONTINUE;
    char m[48], on[48];
    TSNode obj;
    if (!method_of(src, n, &obj, m, sizeof m) || !IS(obj, "identifier"))
        return PYSOURCE_WALK_CONTINUE;
    text_of(src, obj, on, sizeof on);
    if (strcmp(on, q->name) != 0)
        return PYSOURCE_WALK_CONTINUE;
    /* the chain that starts on the name: query.filter_by(id=i).update(...) */
    TSNode top = chain_top(n);
    if (!ts_node_eq(top, n) && !method_of(src, top, &obj, m, sizeof m))
        return PYSOURCE_WALK_CONTINUE;
    if (cas_call(src, top)) {
        q->cas = true;
    } else if (read_method(m)) {
        bool in_except = false;
        for (TSNode a = ts_node_parent(n); !ts_node_is_null(a) && !IS(a, "function_definition");
             a = ts_node_parent(a))
            if (IS(a, "except_clause") || IS(a, "except_group_clause")) {
                in_except = true;
                break;
            }
        q->reads |= !in_except;
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether the query that call starts (a session query or a project function that builds one) is
 * only a compare-and-swap's: its chain ends in one, or the chain is assigned to a name the
 * enclosing function uses for one and reads from only after losing the race. fn: the
 * function_definition the call is in when the walk knows it (null: found here). */
static bool cas_query(const pysource_t *src, TSNode call, TSNode fn)
{
    TSNode top = chain_top(call);
    if (cas_call(src, top))
        return true;
    TSNode asg = ts_node_parent(top);
    char m[48];
    TSNode obj;
    if (ts_node_is_null(asg) || !IS(asg, "assignment") || !ts_node_eq(FIELD(asg, "right"), top) ||
        !IS(FIELD(asg, "left"), "identifier") ||
        (method_of(src, top, &obj, m, sizeof m) && read_method(m)))
        return false;
    char name[48];
    text_of(src, FIELD(asg, "left"), name, sizeof name);
    if (ts_node_is_null(fn))
        for (fn = ts_node_parent(asg); !ts_node_is_null(fn) && !IS(fn, "function_definition");)
            fn = ts_node_parent(fn);
    if (!name[0] || ts_node_is_null(fn))
        return false;
    qname_t q = {name, false, false};
    walk_naming(src, FIELD(fn, "body"), name, qname_visit, &q);
    return q.cas && !q.reads;
}

/* cas_query of a call met by w's walk. fn_node, the function_definition the call is in when the
 * walk knows it: every CAS (cas_call: update_on_match, update, delete, soft_delete) there names
 * one of the two words "update" and "delete", and most functions with a query name neither. The
 * function is the walker's for the whole walk, so its text is read once (fn_cas), not once per
 * query call. */
static bool walk_cas_query(fw_t *w, TSNode call)
{
    if (!ts_node_is_null(w->fn_node)) {
        if (!w->fn_cas) {
            size_t len = 0;
            const char *t = pysource_node_span(w->src, w->fn_node, &len);
            w->fn_cas = !t || memmem(t, len, "update", 6) || memmem(t, len, "delete", 6) ? 1 : 2;
        }
        if (w->fn_cas == 2)
            return false;
    }
    return cas_query(w->src, call, w->fn_node);
}

/* ---- inserts whose duplicate is checked per item ----------------------- */

/* Whether an except clause names a duplicate-key error (oslo.db's DBDuplicateEntry,
 * SQLAlchemy's IntegrityError, psycopg's UniqueViolation) and raises. */
static bool raises_on_duplicate(const pysource_t *src, TSNode h)
{
    TSNode t = ts_node_named_child(h, 0);
    if (ts_node_is_null(t) || IS(t, "block"))
        return false;
    char name[160];
    text_of(src, t, name, sizeof name);
    if (!strstr(name, "Duplicate") && !strstr(name, "IntegrityError") &&
        !strstr(name, "UniqueViolation"))
        return false;
    bool stops = false;
    pysource_walk(src, h, stops_visit, &stops);
    return stops;
}

/* An insert in a helper that turns its duplicate-key failure into an error of its own (nova's
 * `try: project.save(session) except DBDuplicateEntry: raise FlavorAccessExists(...)`): the
 * helper's contract is "add this item or say that it exists", an outcome read per item as a
 * compare-and-swap's is (rule 11); one multi-row INSERT would fail for the batch without naming
 * the item. Whether call sits in the body of such a try in its function. */
static bool duplicate_checked(const pysource_t *src, TSNode call)
{
    TSNode child = call;
    for (TSNode n = ts_node_parent(call); !ts_node_is_null(n) && !IS(n, "function_definition");
         child = n, n = ts_node_parent(n)) {
        if (!IS(n, "try_statement") || !ts_node_eq(child, FIELD(n, "body")))
            continue;
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
            TSNode h = ts_node_named_child(n, i);
            if (IS(h, "except_clause") && raises_on_duplicate(src, h))
                return true;
        }
    }
    return false;
}

/* ---- lookups cached per key -------------------------------------------- */

/* A lookup guarded by a cache (`if key not in cache: row = query(key); cache[key] = row`, the
 * else of `if key in cache`, or the code after `if key in cache: return cache[key]`) runs once
 * per distinct key, not once per item: nova's host_mapping_cache, cell_contexts_by_host and
 * flavors_cache. The guard counts only when the guarded code stores into the same container, so
 * a membership test that merely filters items is not taken for a cache. */

typedef struct {
    const char *cache; /* the container's text */
    bool hit;
} store_t;

/* Finds `cache[...] = ...` (not in nested functions). */
static pysource_walk_t store_visit(const pysource_t *src, TSNode n, void *ctx)
{
    store_t *st = ctx;
    if (IS(n, "function_definition") || IS(n, "class_definition") || IS(n, "lambda"))
        return PYSOURCE_WALK_SKIP_CHILDREN;
    if (IS(n, "assignment")) {
        TSNode left = FIELD(n, "left");
        if (IS(left, "subscript")) {
            char t[96];
            text_of(src, FIELD(left, "value"), t, sizeof t);
            if (t[0] && strcmp(t, st->cache) == 0) {
                st->hit = true;
                return PYSOURCE_WALK_STOP;
            }
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether node n (null: no) stores into the container named cache. */
static bool stores_into(const pysource_t *src, TSNode n, const char *cache)
{
    store_t st = {cache, false};
    if (!ts_node_is_null(n))
        pysource_walk(src, n, store_visit, &st);
    return st.hit;
}

/* An if's condition `key not in cache` (*negated) or `key in cache`, the container (a name or
 * an attribute) written into cache. */
static bool membership(const pysource_t *src, TSNode cond, bool *negated, char *cache, size_t size)
{
    cond = unwrap(cond);
    if (!IS(cond, "comparison_operator") || ts_node_named_child_count(cond) != 2)
        return false;
    TSNode a = ts_node_named_child(cond, 0), b = unwrap(ts_node_named_child(cond, 1));
    size_t clen;
    const char *c = pysource_content(src, &clen);
    char op[16];
    int j = 0;
    for (uint32_t i = ts_node_end_byte(a); i < ts_node_start_byte(b) && i < clen && j < 15; i++)
        if (!isspace((unsigned char)c[i]) && c[i] != '(')
            op[j++] = c[i];
    op[j] = 0;
    if (strcmp(op, "notin") == 0)
        *negated = true;
    else if (strcmp(op, "in") == 0)
        *negated = false;
    else
        return false;
    if (!IS(b, "identifier") && !IS(b, "attribute"))
        return false;
    text_of(src, b, cache, size);
    return cache[0] != 0;
}

/* Whether the cache outlives one call of the function walked: always in a loop walk (the guard
 * then only covers loops entered before it); in a helper's summary only a parameter (the
 * caller's dictionary, as flavors_cache) or an attribute of self/cls, not a local that starts
 * empty at each call. */
static bool lasting_cache(const fw_t *w, const char *cache)
{
    if (!w->summary)
        return true;
    if (strncmp(cache, "self.", 5) == 0 || strncmp(cache, "cls.", 4) == 0)
        return true;
    if (ts_node_is_null(w->params))
        return false;
    uint32_t k = ts_node_named_child_count(w->params);
    for (uint32_t i = 0; i < k; i++) {
        TSNode p = ts_node_named_child(w->params, i);
        TSNode name = IS(p, "identifier") ? p : FIELD(p, "name");
        if (ts_node_is_null(name) && ts_node_named_child_count(p) > 0)
            name = ts_node_named_child(p, 0);
        char t[96];
        text_of(w->src, name, t, sizeof t);
        if (IS(name, "identifier") && strcmp(t, cache) == 0)
            return true;
    }
    return false;
}

/* Walks the nodes kids[0..n) as cached per key when on and one of them stores into cache (a
 * region: a node, or the statements of a block after a guard). */
static void walk_guarded_list(fw_t *w, const TSNode *kids, uint32_t n, bool on, const char *cache)
{
    bool stores = false;
    for (uint32_t i = 0; on && i < n && !stores; i++)
        stores = stores_into(w->src, kids[i], cache);
    bool saved = w->guarded;
    int saved_loops = w->guard_loops;
    if (stores) {
        w->guarded = true;
        w->guard_loops = w->nloops;
    }
    for (uint32_t i = 0; i < n; i++)
        fwalk(w, kids[i]);
    w->guarded = saved;
    w->guard_loops = saved_loops;
}

/* Walks region (a node; none when null) as cached per key when on and it stores into cache. */
static void walk_guarded(fw_t *w, TSNode region, bool on, const char *cache)
{
    if (!ts_node_is_null(region))
        walk_guarded_list(w, &region, 1, on, cache);
}

/* Whether cond tests the container cache itself: `cache` or `cache is not None`. */
static bool tests_container(const pysource_t *src, TSNode cond, const char *cache)
{
    char t[128];
    text_of(src, unwrap(cond), t, sizeof t);
    size_t l = strlen(cache);
    return t[0] && strncmp(t, cache, l) == 0 && (!t[l] || strcmp(t + l, " is not None") == 0);
}

/* membership(), also as one side of an `and`: `A and key not in cache` still runs its body for
 * a missing key only; `cache and key in cache` (heat's stk_def_cache, None or a dict) sends a
 * missing key, or a cache not given, to its else. */
static bool cache_guard(const pysource_t *src, TSNode cond, bool *negated, char *cache, size_t size)
{
    cond = unwrap(cond);
    if (membership(src, cond, negated, cache, size))
        return true;
    char op[8];
    text_of(src, FIELD(cond, "operator"), op, sizeof op);
    if (!IS(cond, "boolean_operator") || strcmp(op, "and") != 0)
        return false;
    TSNode side[2] = {FIELD(cond, "left"), FIELD(cond, "right")};
    for (int i = 0; i < 2; i++)
        if (membership(src, unwrap(side[i]), negated, cache, size) &&
            (*negated || tests_container(src, side[1 - i], cache)))
            return true;
    return false;
}

/* ---- code a configuration option turns on (rule 16) -------------------- */

/* Whether e reads a configuration option: an attribute or subscript chain through a
 * configuration object - a component named CONF, conf, config, cfg or settings (with or without
 * a leading underscore) before the option's name: oslo.config's `CONF.x` / `cfg.CONF.group.x` /
 * `self.conf.x`, Flask's `app.config['X']` and `current_app.config.get('X')`, Django's
 * `settings.X`. */
static bool config_read(const pysource_t *src, TSNode e)
{
    e = unwrap(e);
    if (IS(e, "call")) {
        TSNode callee = FIELD(e, "function");
        char m[16];
        if (!IS(callee, "attribute"))
            return false;
        text_of(src, FIELD(callee, "attribute"), m, sizeof m);
        if (strcmp(m, "get") != 0)
            return false;
        e = FIELD(callee, "object"); /* the container itself counts as a component below */
        char t[160];
        text_of(src, e, t, sizeof t);
        const char *last = last_component(t);
        while (*last == '_')
            last++;
        if (strcasecmp(last, "conf") == 0 || strcasecmp(last, "config") == 0 ||
            strcasecmp(last, "cfg") == 0 || strcasecmp(last, "settings") == 0)
            return true;
    }
    if (!IS(e, "attribute") && !IS(e, "subscript"))
        return false;
    /* the components before the option's name */
    for (TSNode o = IS(e, "attribute") ? FIELD(e, "object") : FIELD(e, "value");
         !ts_node_is_null(o);) {
        TSNode name = IS(o, "attribute") ? FIELD(o, "attribute") : o;
        if (IS(name, "identifier")) {
            char t[48];
            text_of(src, name, t, sizeof t);
            const char *c = t;
            while (*c == '_')
                c++;
            if (strcasecmp(c, "conf") == 0 || strcasecmp(c, "config") == 0 ||
                strcasecmp(c, "cfg") == 0 || strcasecmp(c, "settings") == 0)
                return true;
        }
        o = IS(o, "attribute")   ? FIELD(o, "object")
            : IS(o, "subscript") ? FIELD(o, "value")
                                 : (TSNode){0};
    }
    return false;
}

/* Skips a Python string literal starting at c[i] (a quote, maybe tripled); returns the index
 * after it. */
static size_t skip_string(const char *c, size_t len, size_t i)
{
    char q = c[i];
    bool triple = i + 2 < len && c[i + 1] == q && c[i + 2] == q;
    i += triple ? 3 : 1;
    while (i < len) {
        if (c[i] == '\\') {
            i += 2;
            continue;
        }
        if (c[i] == q && (!triple || (i + 2 < len && c[i + 1] == q && c[i + 2] == q)))
            return i + (triple ? 3 : 1);
        if (c[i] == '\n' && !triple)
            return i;
        i++;
    }
    return len;
}

/* Reads the option definitions of one file into opts: `XxxOpt('name', ...)` (oslo.config's
 * IntOpt, BoolOpt, StrOpt, ..., cfg.Opt) with its `default=` value's text ("?" when missing or
 * when another definition of the name says otherwise). */
static void read_opts(json_t *opts, const char *c, size_t len)
{
    for (size_t i = 0; i + 4 < len; i++) {
        /* the next "Opt(" by memmem: most of a file has none */
        const char *o = memmem(c + i, len - i, "Opt(", 4);
        if (!o || (size_t)(o - c) + 4 >= len)
            break;
        i = (size_t)(o - c);
        if (i == 0 || !(isalnum((unsigned char)c[i - 1]) || c[i - 1] == '.'))
            continue;
        size_t j = i + 4;
        while (j < len && isspace((unsigned char)c[j]))
            j++;
        if (j >= len || (c[j] != '\'' && c[j] != '"'))
            continue;
        size_t ns = j + 1, ne = ns;
        while (ne < len && c[ne] != c[j] && c[ne] != '\n' && ne - ns < 80)
            ne++;
        if (ne >= len || c[ne] != c[j] || ne == ns)
            continue;
        char name[81], def[48] = "?";
        snprintf(name, sizeof name, "%.*s", (int)(ne - ns), c + ns);
        /* the call's arguments, to its closing parenthesis: `default=` at depth 0 */
        int depth = 0;
        for (size_t k = ne + 1; k < len && depth >= 0; k++) {
            char ch = c[k];
            if (ch == '\'' || ch == '"') {
                k = skip_string(c, len, k) - 1;
            } else if (ch == '#') {
                while (k < len && c[k] != '\n')
                    k++;
            } else if (ch == '(' || ch == '[' || ch == '{') {
                depth++;
            } else if (ch == ')' || ch == ']' || ch == '}') {
                depth--;
            } else if (depth == 0 && len - k > 7 && memcmp(c + k, "default", 7) == 0 &&
                       !isalnum((unsigned char)c[k - 1]) && c[k - 1] != '_') {
                size_t v = k + 7;
                while (v < len && (c[v] == ' ' || c[v] == '\t'))
                    v++;
                if (v >= len || c[v] != '=' || (v + 1 < len && c[v + 1] == '='))
                    continue;
                v++;
                while (v < len && isspace((unsigned char)c[v]))
                    v++;
                size_t e = v;
                if (e < len && (c[e] == '\'' || c[e] == '"'))
                    e = skip_string(c, len, e);
                else
                    while (e < len && c[e] != ',' && c[e] != ')' && !isspace((unsigned char)c[e]))
                        e++;
                if (e > v && e - v < sizeof def)
                    snprintf(def, sizeof def, "%.*s", (int)(e - v), c + v);
                break;
            }
        }
        const char *had = json_string_value(json_object_get(opts, name));
        if (had && strcmp(had, def) != 0)
            snprintf(def, sizeof def, "?");
        json_object_set_new(opts, name, json_string(def));
    }
}

/* The default of the option a configuration read names (its last component: `CONF.group.x` ->
 * x), from its definitions anywhere in the project (every file's text, so the answer does not
 * depend on which files were visited); NULL when unknown. */
static const char *option_default(pl_t *pl, const pysource_t *src, TSNode e)
{
    e = unwrap(e);
    if (!IS(e, "attribute"))
        return NULL;
    if (!pl->opts) {
        if (!(pl->opts = json_object())) {
            pl->oom = 1;
            return NULL;
        }
        size_t n = sqla_project_file_count(pl->p);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *c = sqla_project_content(pl->p, i, &len);
            if (c)
                read_opts(pl->opts, c, len);
        }
    }
    char name[96];
    text_of(src, FIELD(e, "attribute"), name, sizeof name);
    const char *d = json_string_value(json_object_get(pl->opts, name));
    return d && strcmp(d, "?") != 0 ? d : NULL;
}

/* A default's text as a number (True/False as 1/0); false when it is no number: a string or
 * None is left out, as an unset address, path or URL is a setting the service needs rather
 * than a feature left off (neutron's `database.connection`, '' by default). */
static bool default_value(const char *d, double *num)
{
    if (strcmp(d, "True") == 0 || strcmp(d, "False") == 0) {
        *num = d[0] == 'T';
        return true;
    }
    char *end;
    *num = strtod(d, &end);
    return end != d && !*end;
}

/* Whether cond holds when every configuration option it reads has the default its definition
 * gives: 1 yes, 0 no, -1 unknown (no configuration read, an option defined nowhere in the
 * project, a default that is no number, a test not understood). Forms: `CONF.x`, `CONF.x OP n`
 * (==, !=, <, <=, >, >= with a number), `not`, `and`, `or`. */
static int holds_by_default(pl_t *pl, const pysource_t *src, TSNode cond);

/* Whether cond's text names conf (config), cfg or settings in any case: each configuration read
 * (config_read) has one of them as a component, so a test without is no such read. */
static bool names_config(const pysource_t *src, TSNode cond)
{
    size_t len = 0;
    const char *t = pysource_node_span(src, cond, &len);
    for (size_t i = 0; t && i + 3 <= len; i++) {
        char c = (char)tolower((unsigned char)t[i]);
        if (c == 'c' && (strncasecmp(t + i, "cfg", 3) == 0 ||
                         (i + 4 <= len && strncasecmp(t + i, "conf", 4) == 0)))
            return true;
        if (c == 's' && i + 8 <= len && strncasecmp(t + i, "settings", 8) == 0)
            return true;
    }
    return false;
}

/* holds_by_default of an if statement's condition: unknown at once without a configuration
 * read in its text (most tests). */
static int holds_by_default_if(pl_t *pl, const pysource_t *src, TSNode cond)
{
    return names_config(src, cond) ? holds_by_default(pl, src, cond) : -1;
}

static int holds_by_default(pl_t *pl, const pysource_t *src, TSNode cond)
{
    cond = unwrap(cond);
    double num;
    if (config_read(src, cond)) {
        const char *d = option_default(pl, src, cond);
        return d && default_value(d, &num) ? num != 0 : -1;
    }
    if (IS(cond, "not_operator")) {
        int r = holds_by_default(pl, src, FIELD(cond, "argument"));
        return r < 0 ? r : !r;
    }
    if (IS(cond, "boolean_operator")) {
        char op[8];
        text_of(src, FIELD(cond, "operator"), op, sizeof op);
        int a = holds_by_default(pl, src, FIELD(cond, "left"));
        int b = holds_by_default(pl, src, FIELD(cond, "right"));
        if (strcmp(op, "and") == 0)
            return a == 0 || b == 0 ? 0 : a == 1 && b == 1 ? 1 : -1;
        return a == 1 || b == 1 ? 1 : a == 0 && b == 0 ? 0 : -1;
    }
    if (!IS(cond, "comparison_operator") || ts_node_named_child_count(cond) != 2 ||
        !config_read(src, ts_node_named_child(cond, 0)))
        return -1;
    const char *d = option_default(pl, src, ts_node_named_child(cond, 0));
    TSNode r = unwrap(ts_node_named_child(cond, 1));
    if (!d || !default_value(d, &num) || !(IS(r, "integer") || IS(r, "float")))
        return -1;
    char lit[32];
    text_of(src, r, lit, sizeof lit);
    char *end;
    double v = strtod(lit, &end);
    if (end == lit || *end)
        return -1;
    size_t clen;
    const char *c = pysource_content(src, &clen);
    char op[16];
    int j = 0;
    for (uint32_t i = ts_node_end_byte(ts_node_named_child(cond, 0));
         i < ts_node_start_byte(r) && i < clen && j < 15; i++)
        if (!isspace((unsigned char)c[i]) && c[i] != '(')
            op[j++] = c[i];
    op[j] = 0;
    if (strcmp(op, "==") == 0)
        return num == v;
    if (strcmp(op, "!=") == 0)
        return num != v;
    if (strcmp(op, "<") == 0)
        return num < v;
    if (strcmp(op, "<=") == 0)
        return num <= v;
    if (strcmp(op, ">") == 0)
        return num > v;
    if (strcmp(op, ">=") == 0)
        return num >= v;
    return -1;
}

/* Walks n as code that a configuration option turns on. */
static void walk_opt_in(fw_t *w, TSNode n)
{
    bool saved = w->opt_in;
    w->opt_in = true;
    fwalk(w, n);
    w->opt_in = saved;
}

/* An if statement: a `not in` guard covers its body; after an `in` guard, the elif and else
 * clauses that follow run for a missing key only. */
static void walk_if(fw_t *w, TSNode n)
{
    bool neg = false, after = false;
    char cache[96], after_cache[96] = "";
    TSNode cond = FIELD(n, "condition");
    fwalk(w, cond);
    int by_default = holds_by_default_if(w->pl, w->src, cond);
    if (by_default >= 0) {
        /* what the options' defaults leave out: the body of a test that fails by default, the
         * elif and else clauses after one that holds (rule 16) */
        if (by_default)
            fwalk(w, FIELD(n, "consequence"));
        else
            walk_opt_in(w, FIELD(n, "consequence"));
        uint32_t k = ts_node_named_child_count(n);
        for (uint32_t i = 0; i < k; i++) {
            TSNode c = ts_node_named_child(n, i);
            if (IS(c, "elif_clause") || IS(c, "else_clause")) {
                if (by_default)
                    walk_opt_in(w, c);
                else
                    fwalk(w, c);
            }
        }
        return;
    }
    bool g = cache_guard(w->src, cond, &neg, cache, sizeof cache) && lasting_cache(w, cache);
    walk_guarded(w, FIELD(n, "consequence"), g && neg, cache);
    if (g && !neg) {
        after = true;
        snprintf(after_cache, sizeof after_cache, "%s", cache);
    }
    uint32_t k = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = ts_node_named_child(n, i);
        if (IS(c, "elif_clause")) {
            TSNode ec = FIELD(c, "condition");
            fwalk(w, ec);
            bool eneg = false;
            bool eg =
                cache_guard(w->src, ec, &eneg, cache, sizeof cache) && lasting_cache(w, cache);
            if (after)
                walk_guarded(w, FIELD(c, "consequence"), true, after_cache);
            else
                walk_guarded(w, FIELD(c, "consequence"), eg && eneg, cache);
            if (!after && eg && !eneg) {
                after = true;
                snprintf(after_cache, sizeof after_cache, "%s", cache);
            }
        } else if (IS(c, "else_clause")) {
            walk_guarded(w, FIELD(c, "body"), after, after_cache);
        }
    }
}

/* Whether a file's walk outside loops may act on something in [s, e): a `for`, or a call that
 * may build a row object (fwalk's test). */
static bool acts_in(const fw_t *w, uint32_t s, uint32_t e)
{
    return sqla_words_in(w->words, s, e) || sqla_offsets_in(w->builds, w->nbuilds, s, e);
}

/* How far into block n a walk has anything to do: in a file's walk outside loops (in a file
 * that parsed cleanly), the last place in it that fwalk acts on (acts_in); elsewhere, or when
 * none, all of it (UINT32_MAX). A statement starting after that place holds none: its fwalk
 * returns at once, and what walk_block reads of an if statement there (an option or cache
 * guard) bears only on the statements after it, which hold none either. */
static uint32_t block_reach(const fw_t *w, TSNode n)
{
    if (!w->words || !w->clean || w->nloops != 0 || w->summary)
        return UINT32_MAX;
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (!acts_in(w, s, e))
        return UINT32_MAX;
    uint32_t lo = s, hi = e - 1; /* a place in [lo, e), none in (hi, e) */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (acts_in(w, mid, e))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* A block: after `if key in cache: return/continue ...` (no else), the rest of the block runs
 * once per key. */
static void walk_block(fw_t *w, TSNode n)
{
    TSNode buf[64], *kids;
    uint32_t reach = block_reach(w, n);
    uint32_t k = named_children_to(n, buf, 64, &kids, reach);
    bool saved_opt_in = w->opt_in;
    for (uint32_t i = 0; i < k; i++) {
        TSNode c = kids[i];
        fwalk(w, c);
        if (!IS(c, "if_statement") || w->pl->oom)
            continue;
        bool neg = false;
        char cache[96];
        TSNode body = FIELD(c, "consequence");
        uint32_t bk = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
        TSNode last = bk ? ts_node_named_child(body, bk - 1) : body;
        bool leaves = ts_node_named_child_count(c) == 2 && bk &&
                      (IS(last, "return_statement") || IS(last, "continue_statement"));
        /* after `if CONF.x <= 0: return` with x 0 by default, the rest runs only when the
         * option is set (rule 16) */
        if (leaves && holds_by_default_if(w->pl, w->src, FIELD(c, "condition")) == 1) {
            w->opt_in = true;
            continue;
        }
        if (leaves && membership(w->src, FIELD(c, "condition"), &neg, cache, sizeof cache) &&
            !neg && lasting_cache(w, cache)) {
            /* whether the rest stores into the cache reads every statement of it: all of
             * them when the list was cut at the reach */
            TSNode *all = kids, abuf[1];
            uint32_t ka = k;
            if (reach != UINT32_MAX)
                ka = named_children(n, abuf, 1, &all);
            walk_guarded_list(w, all + i + 1, ka - i - 1, true, cache);
            if (all != kids && all != abuf)
                free(all);
            break;
        }
    }
    w->opt_in = saved_opt_in;
    if (kids != buf)
        free(kids);
}

/* ---- findings ---------------------------------------------------------- */

/* A query_in_loop or add_in_loop finding (once per file, line and kind) for loop l: the loop
 * through the call, what is called per item and where the database work happens, with the fix
 * explained and no code (safety manual). */
static void emit(fw_t *w, const loop_t *l, bool query)
{
    TSNode call = query ? l->qcall : l->icall;
    const sqla_function_t *via = query ? l->qvia : l->ivia;
    unsigned line = pysource_node_line(l->node);
    const char *kind = query ? "query_in_loop" : "add_in_loop";
    char key[600];
    snprintf(key, sizeof key, "%s:%u:%s", pysource_path(w->src), line, kind);
    if (json_object_get(w->pl->seen, key))
        return;
    json_object_set_new(w->pl->seen, key, json_true());
    size_t clen;
    const char *c = pysource_content(w->src, &clen);
    uint32_t rs = ts_node_start_byte(l->node), re = ts_node_end_byte(call);
    while (rs > 0 && c[rs - 1] != '\n')
        rs--;
    while (re < clen && c[re] != '\n')
        re++;
    unsigned first = pysource_node_line(l->node);
    /* the loop's line through the call's; just the loop's line when long */
    if (pysource_node_line(call) - first > 30) {
        re = ts_node_start_byte(l->node);
        while (re < clen && c[re] != '\n')
            re++;
    }
    char callee[80], where[400] = "";
    size_t cl = 0;
    const char *ct = pysource_node_span(w->src, FIELD(call, "function"), &cl);
    /* one line, long chains cut in the middle */
    int j = 0;
    for (size_t i = 0; ct && i < cl && j < (int)sizeof callee - 1; i++) {
        if (ct[i] == '\n' || ct[i] == ' ') {
            if (j > 0 && callee[j - 1] != ' ' && callee[j - 1] != '(' && callee[j - 1] != '.')
                callee[j++] = ' ';
            continue;
        }
        callee[j++] = ct[i];
    }
    callee[j] = 0;
    if (ct && cl > 0 && j >= (int)sizeof callee - 1)
        snprintf(callee + sizeof callee - 24, 24, "...%.*s", 19, ct + cl - (cl > 19 ? 19 : cl));
    size_t vfile = query ? l->qfile : l->ifile;
    unsigned vline = query ? l->qline : l->iline;
    if (via && vline)
        snprintf(where, sizeof where, " (through %s%s%s(), which %s at %s:%u)",
                 via->cls ? via->cls : "", via->cls ? "." : "", via->name,
                 query ? "queries" : "writes", sqla_project_path(w->pl->p, vfile), vline);
    char iter[80];
    loop_iter(w->src, l, iter, sizeof iter);
    char expl[1400], reason[400];
    if (query) {
        snprintf(expl, sizeof expl,
                 "`%s` at line %u runs a query once per item of `%s`%s: one round trip per item "
                 "(N+1). Fetch the rows of all items with one query before the loop (WHERE key "
                 "IN (...) on the item's key, or a join or eager load in the query that produced "
                 "the items) and look each up in a dictionary inside the loop.",
                 callee, pysource_node_line(call), iter, where);
        snprintf(reason, sizeof reason,
                 "%s: the grouped query must keep what the per-item one does (its filters, "
                 "ordering and limits, items without a row, exceptions raised per item), which "
                 "the analysis cannot show, so the fix is described, not written",
                 via ? "the query is in a helper whose contract the fix changes"
                     : "the key cannot be mapped to one grouped query mechanically");
    } else {
        snprintf(expl, sizeof expl,
                 "`%s` at line %u writes one row per item of `%s`%s: an INSERT round trip per row "
                 "(save() also flushes each). Build the objects in the loop and write them once "
                 "after it (session.add_all(objects) and one flush, or "
                 "session.execute(insert(Model), rows)).",
                 callee, pysource_node_line(call), iter, where);
        snprintf(reason, sizeof reason,
                 "the rows are written through %s, whose per-row behaviour (flush, generated "
                 "keys read back, defaults, events, errors per item) a bulk write may not keep",
                 via ? "a helper" : "save()/add() of ORM objects");
    }
    json_t *o =
        json_pack("{s:s, s:i, s:s, s:s, s:s%, s:i, s:n, s:s, s:s, s:s, s:s, s:b, s:{s:s}}", "file",
                  pysource_path(w->src), "line", (int)line, "type", query ? "n1_fix" : "bulk_op",
                  "kind", kind, "original", c + rs, (size_t)(re - rs), "original_line", (int)first,
                  "optimized", "explanation", expl, "safety", "manual", "manual_reason", reason,
                  "style", "1.x", "flask", 0, "sql", "shape", "none");
    if (!o) {
        w->pl->oom = 1;
        return;
    }
    if (via && vline) {
        json_object_set_new(o, "query_file", json_string(sqla_project_path(w->pl->p, vfile)));
        json_object_set_new(o, "query_line", json_integer(vline));
    }
    json_array_append_new(w->pl->out, o);
}

/* ---- the walk ---------------------------------------------------------- */

static bool walk_child(TSNode ch, void *ctx)
{
    fwalk(ctx, ch);
    return true;
}

/* Summary mode: adds bits to what the function walked does, keeping where the first one happened.
 */
static void note_bits(fw_t *w, unsigned bits, size_t file, unsigned line)
{
    if (bits && !w->where_line) {
        w->where_file = file;
        w->where_line = line;
    }
    w->bits |= bits;
}

/* Whether every loop of the walk already holds its query (query) or its write (!query): a loop
 * records only its first of each, so a call can then record none of that kind. */
static bool all_recorded(const fw_t *w, bool query)
{
    if (w->nloops > MAX_LOOPS)
        return false;
    for (int i = 0; i < w->nloops; i++)
        if (ts_node_is_null(query ? w->loops[i].qcall : w->loops[i].icall))
            return false;
    return true;
}

/* Whether a call adds nothing to a summary, told from its callee's last name (a name, or an
 * attribute's) by name_may_act; a callee that is neither a name nor an attribute acts in none
 * of those ways. Most calls in a helper are of neither kind, and each test reads
 * the callee's text again (session_call_bits, saves_built, callee_fn's imports and look-ups). */
static bool summary_inert(const fw_t *w, TSNode call)
{
    TSNode callee = FIELD(call, "function");
    TSNode name = IS(callee, "identifier")  ? callee
                  : IS(callee, "attribute") ? FIELD(callee, "attribute")
                                            : (TSNode){0};
    if (ts_node_is_null(name))
        return true;
    size_t len = 0;
    const char *t = pysource_node_span(w->src, name, &len);
    return !name_may_act(w->pl, t, len);
}

/* A call in the walk: in summary mode it adds to the function's bits; in a loop, a query
 * that depends on a loop (unless its model itself comes from the loop item: another table per
 * item) or an insert per item, directly or through a project function, is recorded on the
 * loop it depends on. */
static void on_call(fw_t *w, TSNode call)
{
    if (w->opt_in)
        return; /* off unless a configuration option turns it on (rule 16) */
    if (w->summary) {
        if (summary_inert(w, call))
            return;
        /* a lookup cached per key in a lasting cache is not per call */
        unsigned mask = w->guarded ? ~(unsigned)B_QUERY : ~0u;
        unsigned b = session_call_bits(w, call);
        if (saves_built(w, call) && !duplicate_checked(w->src, call))
            b |= B_INSERT;
        /* a compare-and-swap's query is not a lookup (rule 11) */
        if ((b & B_QUERY) && walk_cas_query(w, call))
            b &= ~(unsigned)B_QUERY;
        if (b) {
            note_bits(w, b & mask, w->file, pysource_node_line(call));
            return;
        }
        const sqla_function_t *fn = callee_fn(w, call);
        size_t f;
        unsigned l;
        if (fn) {
            b = fn_bits(w, fn, &f, &l);
            if ((b & B_QUERY) && walk_cas_query(w, call))
                b &= ~(unsigned)B_QUERY;
            note_bits(w, b & mask, f, l);
        }
        return;
    }
    if (w->nloops == 0)
        return;
    /* What follows records a query or a write through a helper only on a loop whose item the
     * call uses (keyed_loop of the call, or of its arguments, a part of it); only a write of a
     * built object or an insert on a session goes to the innermost active loop whatever it
     * uses. A call whose text names no loop variable and is neither of those two records
     * nothing, so its chain's helpers need no summary (fn_bits: a walk of each helper, and a
     * parse of its lines when its module's tree is gone). */
    if (!may_use_item(w, call)) {
        /* session_call_bits is B_INSERT only for execute(), saves_built true only for save()
         * and add(): the method's name first, read once, as most calls are none of them */
        char m[48];
        TSNode obj;
        if (!method_of(w->src, call, &obj, m, sizeof m) ||
            (strcmp(m, "execute") != 0 && !method_in(SAVE_METHODS, NSAVE_METHODS, m, strlen(m))))
            return;
        if (session_call_bits(w, call) != B_INSERT && !saves_built(w, call))
            return;
    }
    if (all_recorded(w, true) && all_recorded(w, false))
        return; /* every loop holds its query and its write: nothing left to record */
    TSNode root;
    const sqla_function_t *via = NULL;
    size_t qf = w->file;
    unsigned ql = 0;
    if (chain_queries(w, call, &root, &via, &qf, &ql)) {
        /* the query's model is the item: another table per item
         * (session.query(model), model_query(context, model)) */
        int k = keyed_loop(w, call);
        if (k < 0 || k >= MAX_LOOPS || !ts_node_is_null(w->loops[k].qcall))
            return; /* no loop to record it on, or its query already recorded */
        if (w->guarded && k < w->guard_loops)
            return; /* once per key of a cache the loop fills */
        if (loop_isolates(w, k, call))
            return; /* each item on its own on purpose */
        if (walk_cas_query(w, root))
            return; /* a compare-and-swap per item (rule 11) */
        if (in_item_database(w, &w->loops[k], call))
            return; /* another database per item */
        /* session.query(model): the first argument; model_query(context,
         * model) / model_query(model): either of the first two */
        unsigned nargs = !via ? 1 : strstr(via->name, "query") ? 2 : 0;
        for (unsigned a = 0; a < nargs; a++) {
            TSNode m0 = unwrap(pysource_call_arg(w->src, root, a));
            if (!ts_node_is_null(m0) && references(w, &w->loops[k], m0))
                return;
        }
        loop_t *l = &w->loops[k];
        l->qcall = call;
        l->qvia = via;
        l->qfile = qf;
        l->qline = via ? ql : pysource_node_line(root);
        return;
    }
    int k = -1;
    const sqla_function_t *ivia = NULL;
    size_t f = w->file;
    unsigned l = 0;
    if (saves_built(w, call) || session_call_bits(w, call) == B_INSERT) {
        for (int i = w->nloops - 1; i >= 0 && i < MAX_LOOPS; i--)
            if (loop_active(w, i)) {
                k = i;
                break;
            }
    } else if (!all_recorded(w, false)) {
        const sqla_function_t *fn = callee_fn(w, call);
        if (fn && (fn_bits(w, fn, &f, &l) & B_INSERT)) {
            k = keyed_loop(w, FIELD(call, "arguments"));
            ivia = fn;
        }
    }
    if (k < 0 || k >= MAX_LOOPS || !ts_node_is_null(w->loops[k].icall))
        return; /* no loop to record it on, or its write already recorded */
    if (in_item_database(w, &w->loops[k], call))
        return; /* another database per item */
    w->loops[k].icall = call;
    w->loops[k].ivia = ivia;
    w->loops[k].ifile = f;
    w->loops[k].iline = ivia ? l : pysource_node_line(call);
}

/* Leaves the innermost loop, emitting its query and insert findings (not in summary mode). */
static void pop_loop(fw_t *w)
{
    w->nloops--;
    if (w->nloops >= MAX_LOOPS || w->summary)
        return;
    loop_t *l = &w->loops[w->nloops];
    if (!ts_node_is_null(l->qcall))
        emit(w, l, true);
    if (!ts_node_is_null(l->icall))
        emit(w, l, false);
}

/* Names assigned from the loop's item stay keyed: `ref = get(ctx, key)`
 * then `ref.x` ... and names assigned a constructed object are tracked. */
static void on_assignment(fw_t *w, TSNode n)
{
    TSNode left = FIELD(n, "left"), right = FIELD(n, "right");
    if (!IS(left, "identifier") || ts_node_is_null(right))
        return;
    if (constructs(w->src, right) && w->nbuilt < MAX_BUILT) {
        text_of(w->src, left, w->built[w->nbuilt], sizeof w->built[0]);
        w->built_own_insert[w->nbuilt] = own_insert(w, unwrap(right));
        if (w->built[w->nbuilt][0])
            w->nbuilt++;
    }
    if (!w->summary && may_use_item(w, right)) {
        int k = keyed_loop(w, right);
        if (k >= 0 && k < MAX_LOOPS)
            add_var(&w->loops[k], w->src, left);
    }
}

/* The walk of a function body: loops and comprehensions push and pop loop scopes, calls go to
 * on_call, nested functions and classes are walked on their own (not in summary mode, where they
 * only run when called); lambdas, strings and comments are skipped. Stops on out of memory. */
static void fwalk(fw_t *w, TSNode n)
{
    if (ts_node_is_null(n) || w->pl->oom)
        return;
    /* a summary that holds both bits is final: what follows can add none, nor move where the
     * first is; its walk so far was cut nowhere (else trunc says so), so it is what a walk at
     * any depth it is reused at gives */
    if (w->summary && (w->bits & (B_QUERY | B_INSERT)) == (B_QUERY | B_INSERT))
        return;
    const pysource_syms_t *y = pysource_syms();
    TSSymbol ty = ts_node_symbol(n);
    /* leaves, strings (docstrings) and comments hold no call */
    if (ty == y->identifier || ty == y->string || ty == y->comment ||
        ts_node_named_child_count(n) == 0)
        return;
    /* A summary's bits come from calls only (a query, a write, a helper's summary): a subtree,
     * statement or not, without "(" holds none, and what else it sets (loop targets, guards,
     * option states) is undone at its end. Only in a tree that parsed cleanly: recovery may
     * stand in for a missing "(". */
    if (w->summary && w->clean) {
        /* Sharper where the summary's calls are known: only a call whose callee's last name
         * may do work (summary_calls_at) or build a row object adds anything, and what else a
         * subtree sets is undone at its end or bears only on the calls after it */
        if (w->calls) {
            if (!sqla_offsets_in(w->calls, w->ncalls, ts_node_start_byte(n), ts_node_end_byte(n)))
                return;
        } else {
            size_t len = 0;
            const char *t = pysource_node_span(w->src, n, &len);
            if (t && !memchr(t, '(', len))
                return;
        }
    }
    if (ty == y->function_definition || ty == y->class_definition) {
        if (w->summary)
            return; /* nested functions run when called, not here */
        /* walked apart, with names and loops of their own: without a
         * `for` there is no loop to report in them */
        if (w->words && !sqla_words_in(w->words, ts_node_start_byte(n), ts_node_end_byte(n)))
            return;
        char name[96];
        const char *cls = w->cls;
        if (ty == y->class_definition) {
            text_of(w->src, FIELD(n, "name"), name, sizeof name);
            cls = name;
        }
        fw_t *inner = xmalloc(sizeof *inner);
        fw_init(inner, w->pl, w->src, w->file, cls);
        inner->words = w->words;
        inner->builds = w->builds;
        inner->nbuilds = w->nbuilds;
        if (ty == y->function_definition)
            inner->fn_node = n;
        fwalk(inner, FIELD(n, "body"));
        free(inner);
        return;
    }
    if (ty == y->lambda)
        return;
    /* Outside loops a file's walk acts only on what holds a loop and on
     * the objects built before one (on_assignment): the rest only reads
     * conditions for guards it undoes at the subtree's end. So a subtree,
     * statement or not, whose text has no `for` and no call that can
     * construct a row object (builds_at) changes nothing: most statements
     * of a function with a loop. Only in a file that parsed cleanly:
     * recovery may stand in for a missing "(". */
    if (w->words && w->clean && w->nloops == 0 && !w->summary) {
        uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
        if (!sqla_words_in(w->words, s, e) && !sqla_offsets_in(w->builds, w->nbuilds, s, e))
            return;
    }
    if (ty == y->if_statement) {
        walk_if(w, n);
        return;
    }
    if (ty == y->block) {
        walk_block(w, n);
        return;
    }
    if (ty == y->for_statement) {
        fwalk(w, FIELD(n, "right"));
        push_loop(w, n, FIELD(n, "left"), FIELD(n, "right"));
        fwalk(w, FIELD(n, "body"));
        pop_loop(w);
        fwalk(w, FIELD(n, "alternative"));
        return;
    }
    if (ty == y->list_comprehension || ty == y->set_comprehension ||
        ty == y->dictionary_comprehension || ty == y->generator_expression) {
        uint32_t k = ts_node_named_child_count(n);
        int pushed = 0;
        for (uint32_t i = 0; i < k; i++) {
            TSNode c = ts_node_named_child(n, i);
            if (IS(c, "for_in_clause")) {
                fwalk(w, FIELD(c, "right"));
                push_loop(w, n, FIELD(c, "left"), FIELD(c, "right"));
                pushed++;
            }
        }
        for (uint32_t i = 0; i < k; i++) {
            TSNode c = ts_node_named_child(n, i);
            if (!IS(c, "for_in_clause"))
                fwalk(w, c);
        }
        while (pushed-- > 0)
            pop_loop(w);
        return;
    }
    if (ty == y->assignment) {
        pysource_each_named_child(n, walk_child, w);
        on_assignment(w, n);
        return;
    }
    /* A file's walk outside loops acts on statements (assignments: the
     * names built; if/blocks: cache guards; definitions) and on loops and
     * comprehensions only - a call there is no work per item - so an
     * expression whose text has no `for` holds nothing for it: most of a
     * file's nodes, walked for nothing before */
    if (w->words && w->nloops == 0 && !pysource_holds_statements(n) &&
        ty != y->expression_statement &&
        !sqla_words_in(w->words, ts_node_start_byte(n), ts_node_end_byte(n)))
        return;
    /* An expression without "(" holds no call and, being no statement, no assignment: nothing
     * below it acts (a comprehension in it would push a loop that records nothing). Only in a
     * file that parsed cleanly: recovery may stand in for a missing "(". */
    if (w->clean && ty != y->call && ty != y->expression_statement &&
        !pysource_holds_statements(n)) {
        size_t len = 0;
        const char *t = pysource_node_span(w->src, n, &len);
        if (t && !memchr(t, '(', len))
            return;
    }
    if (ty == y->call) {
        on_call(w, n);
        if (w->pl->oom)
            return;
    }
    pysource_each_named_child(n, walk_child, w);
}

struct sqla_perloop {
    pl_t pl;
    bool cancelled;
};

sqla_perloop_t *sqla_perloop_new(const sqla_project_t *p, json_t *out, err_t *err)
{
    sqla_perloop_t *x = xcalloc(1, sizeof *x);
    if (!(x->pl.seen = json_object())) {
        free(x);
        err_set(err, "sqla_perloop: out of memory");
        return NULL;
    }
    x->pl.p = p;
    x->pl.out = out;
    return x;
}

void sqla_perloop_seen(sqla_perloop_t *x, const json_t *f)
{
    char key[600];
    snprintf(key, sizeof key, "%s:%lld:%s", json_string_value(json_object_get(f, "file")),
             (long long)json_integer_value(json_object_get(f, "line")),
             json_string_value(json_object_get(f, "kind")));
    json_object_set_new(x->pl.seen, key, json_true());
}

int sqla_perloop_file(sqla_perloop_t *x, size_t k, err_t *err)
{
    pl_t *pl = &x->pl;
    size_t nf = sqla_project_file_count(pl->p);
    /* PROGRESS per file (common/progress.h): a large tree must not look
     * like a hung worker; a cancelled job stops here */
    if (pl->oom || x->cancelled ||
        (x->cancelled = progress_beat("code scan: per-item work", (int64_t)k, (int64_t)nf)))
        return pl->oom ? err_set(err, "sqla_perloop: out of memory") : 0;
    const pysource_t *src = sqla_project_file(pl->p, k);
    if (!src) { /* the file could not be parsed again (tree-sitter out of memory) */
        pl->oom = 1;
        return err_set(err, "sqla_perloop: out of memory");
    }
    fw_t *w = xmalloc(sizeof *w);
    fw_init(w, pl, src, k, NULL);
    size_t len;
    const char *text = pysource_content(src, &len);
    sqla_words_t *words = sqla_words_new(text, len, (const char *const[]){"for", NULL});
    w->words = words;
    uint32_t *builds = NULL;
    if (w->clean) {
        w->nbuilds = builds_at(text, len, &builds);
        w->builds = builds;
    }
    fwalk(w, pysource_root(w->src));
    sqla_words_destroy(&words);
    free(builds);
    free(w);
    return pl->oom ? err_set(err, "sqla_perloop: out of memory") : 0;
}

void sqla_perloop_rescan(sqla_perloop_t *x)
{
    pl_t *pl = &x->pl;
    /* the memo without the summaries whose look-ups answer otherwise now:
     * rebuilt, since an open-addressing table cannot just drop entries */
    memo_t *old = pl->memo;
    size_t cap = pl->cap;
    pl->memo = NULL;
    pl->cap = pl->n = 0;
    for (size_t i = 0; i < cap; i++) {
        const memo_t *m = &old[i];
        if (!m->fn)
            continue;
        memo_t keep = {m->fn, {{0}}};
        bool any = false;
        for (int d = 0; d <= MAX_DEPTH; d++)
            if (m->at[d].done && !sqla_project_log_stale(pl->p, m->at[d].log)) {
                keep.at[d] = m->at[d];
                any = true;
            }
        if (any)
            *memo_slot(pl, m->fn) = keep;
    }
    free(old);
    json_object_clear(pl->seen);
}

void sqla_perloop_destroy(sqla_perloop_t **xp)
{
    if (!xp || !*xp)
        return;
    free((*xp)->pl.memo);
    free((*xp)->pl.schema_text);
    json_decref((*xp)->pl.seen);
    json_decref((*xp)->pl.opts);
    free(*xp);
    *xp = NULL;
}

int sqla_perloop_detect(const sqla_project_t *p, json_t *findings, err_t *err)
{
    sqla_perloop_t *x = sqla_perloop_new(p, findings, err);
    if (!x)
        return -1;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) sqla_perloop_seen(x, f);
    int rc = 0;
    for (size_t k = 0; k < sqla_project_file_count(p) && rc == 0; k++) {
        rc = sqla_perloop_file(x, k, err);
        sqla_project_scan_end(p);
    }
    sqla_perloop_destroy(&x);
    return rc;
}

/* ---- what the model index could not resolve ----------------------------- */

size_t sqla_perloop_unresolved_models(const sqla_project_t *p, char *example, size_t size)
{
    size_t n = 0;
    if (example && size)
        example[0] = 0;
    for (size_t k = 0; k < sqla_project_table_class_count(p); k++) {
        size_t file;
        unsigned line;
        const char *name;
        sqla_project_table_class(p, k, &file, &line, &name);
        if (sqla_project_model(p, name))
            continue;
        if (n++ == 0 && example)
            snprintf(example, size, "%s:%u %s", sqla_project_path(p, file), line, name);
    }
    return n;
}
