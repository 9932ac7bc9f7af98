/*
 * pysource.c - see pysource.h.
 */
#include "common/python/pysource.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

/* Provided by the generated grammar (cmake/TreeSitterPython.cmake). */
const TSLanguage *tree_sitter_python(void);

/* How far names, nested literals and splats are followed: deep enough for
 * real code (A = B; B = {...}), shallow enough that a cycle ends quickly. */
#define RESOLVE_DEPTH_MAX 8
#define EVAL_DEPTH_MAX    32

typedef struct {
    char *local;     /* name bound in the file: "sa", "create_engine" */
    char *qualified; /* what it stands for: "sqlalchemy", "sqlalchemy.create_engine" */
} import_binding_t;

struct pysource {
    char *path;
    char *content; /* NUL-terminated copy, or borrowed (pysource_parse_ranges) */
    size_t len;
    TSTree *tree;
    import_binding_t *imports;
    size_t n_imports;
    /* a parse of ranges: content is the caller's, and imports (when given)
     * are a pysource_imports_t's, answered from but not freed here */
    bool content_borrowed, imports_borrowed;
};

/* The import bindings of a whole file, kept apart from its tree: one
 * block holding the table and the strings. */
struct pysource_imports {
    size_t n;
    import_binding_t *b; /* into the same block */
};

/* ---- lifecycle ------------------------------------------------------ */

int pysource_check_grammar(err_t *err)
{
    const TSLanguage *lang = tree_sitter_python();
    uint32_t abi = ts_language_version(lang);
    if (abi < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION || abi > TREE_SITTER_LANGUAGE_VERSION)
        return err_set(err,
                       "tree-sitter-python grammar has ABI %u but the tree-sitter runtime loads "
                       "ABI %d..%d: rebuild with the grammar from scripts/fetch-grammar.sh "
                       "(0.23.6, ABI 14)",
                       abi, TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
                       TREE_SITTER_LANGUAGE_VERSION);
    return 0;
}

/* A NUL-terminated copy of the n bytes at s (which may hold NULs). */
static char *dup_span(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* Appends the binding local -> qualified (both copied) to src's import
 * table. Always returns 0: allocation goes through xreallocarray, which
 * aborts on out-of-memory. */
static int add_import(pysource_t *src, const char *local, size_t local_len, const char *qualified,
                      size_t qualified_len)
{
    src->imports = xreallocarray(src->imports, src->n_imports + 1, sizeof *src->imports);
    import_binding_t *b = &src->imports[src->n_imports];
    b->local = dup_span(local, local_len);
    b->qualified = dup_span(qualified, qualified_len);
    src->n_imports++;
    return 0;
}

static TSFieldId literal_field_id(const char *literal);

/* Calls fn for each child of node in a repeated field (literal: "name" of an
 * import), in order, until fn returns false. tree-sitter 0.20's
 * ts_node_field_name_for_child() only reports the first child of a repeated
 * field; the tree cursor reports each one. One pass with a pooled cursor:
 * the index-th child looked up by a new cursor each (as before) mallocd a
 * cursor per look-up and walked the children again from the first, 1.9 M
 * instructions of python3-placement's analysis. */
static void each_field_child(TSNode node, const char *literal, bool (*fn)(TSNode, void *),
                             void *ctx)
{
    if (!node.id) /* ts_node_is_null, as in pysource_node_is_literal */
        return;
    /* a field's name and id name each other one to one: comparing ids is
     * comparing names */
    TSFieldId id = literal_field_id(literal);
    if (!id)
        return; /* no such field: no child has it */
    TSTreeCursor *cur = pysource_cursor_take(node);
    if (ts_tree_cursor_goto_first_child(cur)) {
        do {
            if (ts_tree_cursor_current_field_id(cur) == id &&
                !fn(ts_tree_cursor_current_node(cur), ctx))
                break;
        } while (ts_tree_cursor_goto_next_sibling(cur));
    }
    pysource_cursor_give(cur);
}

/* Records one imported name: `import a.b` binds "a"; `import a.b as x`
 * binds "x" to "a.b"; `from m import n as x` binds "x" to "m.n". */
static int record_import_name(pysource_t *src, TSNode name_node, const char *module,
                              size_t module_len)
{
    TSNode dotted = name_node, alias = {0};
    if (PYSOURCE_NODE_IS(name_node, "aliased_import")) {
        dotted = PYSOURCE_FIELD(name_node, "name");
        alias = PYSOURCE_FIELD(name_node, "alias");
    }
    if (ts_node_is_null(dotted))
        return 0;
    size_t dlen;
    const char *dtext = pysource_node_span(src, dotted, &dlen);

    strbuf_t q = {0};
    if (module) {
        strbuf_addn(&q, module, module_len);
        if (module_len == 0 || module[module_len - 1] != '.')
            strbuf_addc(&q, '.');
    }
    strbuf_addn(&q, dtext, dlen);

    int rc;
    if (!ts_node_is_null(alias)) {
        size_t alen;
        const char *atext = pysource_node_span(src, alias, &alen);
        rc = add_import(src, atext, alen, q.buf, q.len);
    } else if (module) {
        rc = add_import(src, dtext, dlen, q.buf, q.len);
    } else {
        /* `import a.b.c` binds only "a", to the package a itself. */
        size_t first = 0;
        while (first < dlen && dtext[first] != '.')
            first++;
        rc = add_import(src, dtext, first, dtext, first);
    }
    strbuf_free(&q);
    return rc;
}

/* pysource_walk callback that records every name bound by an import or
 * from-import statement in src->imports (ctx is the source). Returns
 * CONTINUE into statement containers, SKIP_CHILDREN elsewhere, and STOP when
 * recording a name fails. */
static bool symbol_holds_statements(TSSymbol sym);
static bool symbol_is_literal(TSSymbol sym, const char *literal);

/* One import statement's names being recorded (collect_imports). */
typedef struct {
    pysource_t *src;
    const char *module;
    size_t module_len;
    int rc;
} import_names_t;

/* each_field_child callback: records one name; stops on failure (in->rc). */
static bool import_name_child(TSNode name, void *ctx)
{
    import_names_t *in = ctx;
    if (record_import_name(in->src, name, in->module, in->module_len) == 0)
        return true;
    in->rc = -1;
    return false;
}

static pysource_walk_t collect_imports(const pysource_t *csrc, TSNode node, void *ctx)
{
    pysource_t *src = ctx;
    (void)csrc;
    /* the node's symbol read once for the three tests below, each of which
     * read it again (a walk's nodes are never null) */
    TSSymbol sym = ts_node_symbol(node);
    bool is_plain = symbol_is_literal(sym, "import_statement");
    bool is_from = symbol_is_literal(sym, "import_from_statement");
    if (!is_plain && !is_from) {
        /* Imports are statements: only what holds statements is entered,
         * never an expression (most of a tree's nodes). */
        if (symbol_holds_statements(sym))
            return PYSOURCE_WALK_CONTINUE;
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }

    const char *module = NULL;
    size_t module_len = 0;
    if (is_from) {
        TSNode m = PYSOURCE_FIELD(node, "module_name");
        if (ts_node_is_null(m))
            return PYSOURCE_WALK_SKIP_CHILDREN;
        module = pysource_node_span(src, m, &module_len);
    }
    import_names_t in = {src, module, module_len, 0};
    each_field_child(node, "name", import_name_child, &in);
    return in.rc != 0 ? PYSOURCE_WALK_STOP /* out of memory */ : PYSOURCE_WALK_SKIP_CHILDREN;
}

/* One parser per thread, reused: a TSParser's stacks and tables are sized
 * on its first parse and kept, so a project of many files pays for them
 * once. A thread-specific key deletes it when its thread exits. */
static pthread_key_t parser_key;
static pthread_once_t parser_once = PTHREAD_ONCE_INIT;
static bool parser_key_ok;

static void parser_free(void *parser)
{
    ts_parser_delete(parser);
}

static void parser_key_init(void)
{
    parser_key_ok = pthread_key_create(&parser_key, parser_free) == 0;
}

/* The calling thread's tree-sitter parser for Python, created on first use
 * and freed at thread exit. Returns NULL when the thread key, the parser or
 * the language cannot be set up. */
static TSParser *thread_parser(void)
{
    pthread_once(&parser_once, parser_key_init);
    if (!parser_key_ok)
        return NULL;
    TSParser *parser = pthread_getspecific(parser_key);
    if (parser)
        return parser;
    parser = ts_parser_new();
    if (parser && (!ts_parser_set_language(parser, tree_sitter_python()) ||
                   pthread_setspecific(parser_key, parser) != 0)) {
        ts_parser_delete(parser);
        parser = NULL;
    }
    return parser;
}

static atomic_size_t parses;

/* Trees deleted so far, any thread: the field memo (pysource_field_literal)
 * holds nodes of live trees only, and a deleted tree's address and node
 * addresses may come back in the next tree parsed. */
static atomic_uint_fast64_t trees_deleted;

static void tree_delete(TSTree *tree)
{
    atomic_fetch_add_explicit(&trees_deleted, 1, memory_order_relaxed);
    ts_tree_delete(tree);
}

size_t pysource_parse_count(void)
{
    return atomic_load_explicit(&parses, memory_order_relaxed);
}

pysource_t *pysource_parse(const char *path, const char *content, size_t len, err_t *err)
{
    if (!path)
        path = "<memory>";
    if (!content && len > 0) {
        err_set(err, "%s: no content", path);
        return NULL;
    }
    if (len > UINT32_MAX) {
        err_set(err, "%s: %zu bytes is beyond what tree-sitter can parse (4 GiB)", path, len);
        return NULL;
    }
    if (pysource_check_grammar(err) != 0)
        return NULL;

    pysource_t *src = xcalloc(1, sizeof(*src));
    src->path = xstrdup(path);
    src->content = dup_span(content ? content : "", len);
    src->len = len;
    TSParser *parser = thread_parser();
    if (!parser) { /* tree-sitter's own allocation, or the grammar refused */
        err_set(err, "%s: out of memory, or tree-sitter refused the Python grammar", path);
        goto fail;
    }
    src->tree = ts_parser_parse_string(parser, NULL, src->content, (uint32_t)len);
    if (!src->tree) {
        err_set(err, "%s: tree-sitter returned no tree", path);
        goto fail;
    }
    if (pysource_walk(src, pysource_root(src), collect_imports, src)) {
        err_set(err, "%s: out of memory", path);
        goto fail;
    }
    atomic_fetch_add_explicit(&parses, 1, memory_order_relaxed);
    return src;

fail:
    pysource_destroy(&src);
    return NULL;
}

/* Partial parses (pysource_parse_ranges) made so far, any thread. */
static atomic_size_t range_parses;

size_t pysource_range_parse_count(void)
{
    return atomic_load_explicit(&range_parses, memory_order_relaxed);
}

pysource_imports_t *pysource_imports_copy(const pysource_t *src)
{
    size_t bytes = 0;
    for (size_t i = 0; i < src->n_imports; i++)
        bytes += strlen(src->imports[i].local) + strlen(src->imports[i].qualified) + 2;
    size_t table = src->n_imports * sizeof(import_binding_t);
    pysource_imports_t *im = xmalloc(sizeof *im + table + bytes);
    im->n = src->n_imports;
    im->b = (import_binding_t *)(im + 1);
    char *s = (char *)im->b + table;
    for (size_t i = 0; i < im->n; i++) {
        size_t l = strlen(src->imports[i].local) + 1, q = strlen(src->imports[i].qualified) + 1;
        im->b[i].local = memcpy(s, src->imports[i].local, l);
        im->b[i].qualified = memcpy(s + l, src->imports[i].qualified, q);
        s += l + q;
    }
    return im;
}

size_t pysource_imports_bytes(const pysource_imports_t *imports)
{
    if (!imports)
        return 0;
    size_t bytes = sizeof *imports + imports->n * sizeof(import_binding_t);
    for (size_t i = 0; i < imports->n; i++)
        bytes += strlen(imports->b[i].local) + strlen(imports->b[i].qualified) + 2;
    return bytes;
}

const char *pysource_imports_get(const pysource_imports_t *imports, const char *local)
{
    for (size_t i = imports ? imports->n : 0; i-- > 0;)
        if (strcmp(imports->b[i].local, local) == 0)
            return imports->b[i].qualified;
    return NULL;
}

void pysource_imports_destroy(pysource_imports_t **imports)
{
    if (!imports)
        return;
    free(*imports);
    *imports = NULL;
}

/* The start of the line holding byte at (a range starts there, so that
 * the scanner sees the line's indentation), as a byte and a point. */
static void line_start(uint32_t at, TSPoint point, uint32_t *byte, TSPoint *p)
{
    *byte = at - point.column;
    p->row = point.row;
    p->column = 0;
}

TSRange pysource_def_range(TSNode top, TSNode def)
{
    TSRange r;
    line_start(ts_node_start_byte(top), ts_node_start_point(top), &r.start_byte, &r.start_point);
    r.end_byte = ts_node_end_byte(def);
    r.end_point = ts_node_end_point(def);
    return r;
}

bool pysource_header_range(TSNode top, TSNode body, TSRange *out)
{
    if (ts_node_is_null(body))
        return false;
    line_start(ts_node_start_byte(top), ts_node_start_point(top), &out->start_byte,
               &out->start_point);
    line_start(ts_node_start_byte(body), ts_node_start_point(body), &out->end_byte,
               &out->end_point);
    /* a body on the colon's line holds no def */
    return out->end_point.row > out->start_point.row;
}

size_t pysource_def_ranges(const pysource_t *src, TSNode def, TSRange *out, size_t max)
{
    if (!PYSOURCE_NODE_IS(def, "function_definition") || max == 0)
        return 0;
    /* one descent from the root towards def's first byte (ts_node_parent
     * descends from the root on every call in tree-sitter 0.20: going up
     * from def cost 4x more) */
    uint32_t at = ts_node_start_byte(def);
    size_t n = 0;
    TSNode n_at = pysource_root(src);
    for (;;) {
        TSNode c = ts_node_first_child_for_byte(n_at, at);
        if (ts_node_is_null(c) || ts_node_start_byte(c) > at)
            return 0;
        TSNode top = c;
        if (PYSOURCE_NODE_IS(c, "decorated_definition"))
            c = PYSOURCE_FIELD(c, "definition");
        if (ts_node_eq(c, def)) {
            if (n == max)
                return 0;
            out[n++] = pysource_def_range(top, def);
            return n;
        }
        /* a class or function on the way: its header; anything else (an
         * if, a try, a with) would need more of the file */
        if ((!PYSOURCE_NODE_IS(c, "class_definition") &&
             !PYSOURCE_NODE_IS(c, "function_definition")) ||
            n + 1 >= max)
            return 0;
        TSNode body = PYSOURCE_FIELD(c, "body");
        if (ts_node_is_null(body) || ts_node_start_byte(body) > at ||
            ts_node_end_byte(body) <= at || !pysource_header_range(top, body, &out[n]))
            return 0;
        n++;
        n_at = body;
    }
}

pysource_t *pysource_parse_ranges(const char *path, const char *content, size_t len,
                                  const TSRange *ranges, size_t n,
                                  const pysource_imports_t *imports, err_t *err)
{
    if (!path)
        path = "<memory>";
    if (!content || content[len] != '\0') {
        err_set(err, "%s: a parse of ranges needs the whole NUL-terminated text", path);
        return NULL;
    }
    if (len > UINT32_MAX) {
        err_set(err, "%s: %zu bytes is beyond what tree-sitter can parse (4 GiB)", path, len);
        return NULL;
    }
    if (n == 0 || n > UINT32_MAX) {
        err_set(err, "%s: %zu ranges to parse", path, n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (ranges[i].start_byte > ranges[i].end_byte || ranges[i].end_byte > len ||
            (i > 0 && ranges[i].start_byte < ranges[i - 1].end_byte)) {
            err_set(err, "%s: range %zu (bytes %u-%u) is not in order within the %zu bytes", path,
                    i, ranges[i].start_byte, ranges[i].end_byte, len);
            return NULL;
        }
    if (pysource_check_grammar(err) != 0)
        return NULL;
    pysource_t *src = xcalloc(1, sizeof(*src));
    src->path = xstrdup(path);
    src->content = (char *)content; /* borrowed: never written through */
    src->content_borrowed = true;
    src->len = len;
    TSParser *parser = thread_parser();
    if (!parser) {
        err_set(err, "%s: out of memory, or tree-sitter refused the Python grammar", path);
        goto fail;
    }
    if (!ts_parser_set_included_ranges(parser, ranges, (uint32_t)n)) {
        err_set(err, "%s: tree-sitter refused the ranges", path);
        goto fail;
    }
    src->tree = ts_parser_parse_string(parser, NULL, src->content, (uint32_t)len);
    /* the parser is the thread's: whole-file parses must see everything */
    ts_parser_set_included_ranges(parser, NULL, 0);
    if (!src->tree) {
        err_set(err, "%s: tree-sitter returned no tree", path);
        goto fail;
    }
    if (imports) {
        src->imports = imports->b;
        src->n_imports = imports->n;
        src->imports_borrowed = true;
    } else if (pysource_walk(src, pysource_root(src), collect_imports, src)) {
        err_set(err, "%s: out of memory", path);
        goto fail;
    }
    atomic_fetch_add_explicit(&range_parses, 1, memory_order_relaxed);
    return src;

fail:
    pysource_destroy(&src);
    return NULL;
}

void pysource_destroy(pysource_t **srcp)
{
    if (!srcp || !*srcp)
        return;
    pysource_t *src = *srcp;
    if (src->tree)
        tree_delete(src->tree);
    if (!src->imports_borrowed) {
        for (size_t i = 0; i < src->n_imports; i++) {
            free(src->imports[i].local);
            free(src->imports[i].qualified);
        }
        free(src->imports);
    }
    if (!src->content_borrowed)
        free(src->content);
    free(src->path);
    free(src);
    *srcp = NULL;
}

const char *pysource_path(const pysource_t *src)
{
    return src->path;
}

const char *pysource_content(const pysource_t *src, size_t *len)
{
    if (len)
        *len = src->len;
    return src->content;
}

TSNode pysource_root(const pysource_t *src)
{
    return ts_tree_root_node(src->tree);
}

bool pysource_has_error(const pysource_t *src)
{
    return ts_node_has_error(pysource_root(src));
}

/* The row and byte column of offset off in c. */
static TSPoint point_at(const char *c, uint32_t off)
{
    TSPoint p = {0, 0};
    uint32_t line = 0;
    for (const char *q = c; (q = memchr(q, '\n', (size_t)(c + off - q))) != NULL; q++) {
        p.row++;
        line = (uint32_t)(q - c) + 1;
    }
    p.column = off - line;
    return p;
}

int pysource_edit_parses(const pysource_t *src, uint32_t start, uint32_t end, const char *text,
                         size_t tlen, bool *ok, err_t *err)
{
    *ok = false;
    if (!src || !text || start > end || end > src->len)
        return err_set(err, "pysource_edit_parses: no source, or the range %u..%u is outside it",
                       start, end);
    size_t nlen = src->len - (end - start) + tlen;
    if (nlen > UINT32_MAX)
        return err_set(err, "%s: %zu bytes is beyond what tree-sitter can parse (4 GiB)", src->path,
                       nlen);
    TSParser *parser = thread_parser();
    if (!parser)
        return err_set(err, "%s: out of memory, or tree-sitter refused the Python grammar",
                       src->path);
    char *buf = xmalloc(nlen + 1);
    memcpy(buf, src->content, start);
    memcpy(buf + start, text, tlen);
    memcpy(buf + start + tlen, src->content + end, src->len - end);
    buf[nlen] = 0;
    /* a parse of ranges saw only part of the text: its tree is no base for
     * an edit of the whole, which is parsed from scratch */
    TSTree *old = NULL;
    if (!src->content_borrowed) {
        old = ts_tree_copy(src->tree);
        TSPoint sp = point_at(src->content, start);
        TSPoint ne = point_at(buf + start, (uint32_t)tlen);
        if (ne.row == 0)
            ne.column += sp.column;
        ne.row += sp.row;
        TSInputEdit e = {start, end, start + (uint32_t)tlen, sp, point_at(src->content, end), ne};
        ts_tree_edit(old, &e);
    }
    TSTree *tree = ts_parser_parse_string(parser, old, buf, (uint32_t)nlen);
    if (old)
        tree_delete(old);
    free(buf);
    if (!tree)
        return err_set(err, "%s: tree-sitter returned no tree", src->path);
    *ok = !ts_node_has_error(ts_tree_root_node(tree));
    tree_delete(tree);
    return 0;
}

bool pysource_first_error(const pysource_t *src, unsigned *line, unsigned *column)
{
    TSNode node = pysource_root(src);
    if (!ts_node_has_error(node))
        return false;
    /* Descend into the first child that carries the error until the error
     * node itself: ERROR nodes are errors, MISSING nodes are zero-width
     * tokens the parser invented. */
    for (;;) {
        if (ts_node_is_missing(node) || strcmp(ts_node_type(node), "ERROR") == 0)
            break;
        uint32_t n = ts_node_child_count(node);
        bool descended = false;
        for (uint32_t i = 0; i < n; i++) {
            TSNode child = ts_node_child(node, i);
            if (ts_node_has_error(child) || ts_node_is_missing(child)) {
                node = child;
                descended = true;
                break;
            }
        }
        if (!descended)
            break;
    }
    if (line)
        *line = pysource_node_line(node);
    if (column)
        *column = pysource_node_column(node);
    return true;
}

/* ---- nodes ---------------------------------------------------------- */

const char *pysource_node_span(const pysource_t *src, TSNode node, size_t *len)
{
    /* tree-sitter 0.20 dereferences a null node's subtree: never pass one */
    if (!node.id) { /* ts_node_is_null, as in pysource_node_is_literal */
        if (len)
            *len = 0;
        return src->content + src->len;
    }
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    if (start > src->len)
        start = (uint32_t)src->len;
    if (end < start)
        end = start;
    if (end > src->len)
        end = (uint32_t)src->len;
    if (len)
        *len = end - start;
    return src->content + start;
}

char *pysource_node_text(const pysource_t *src, TSNode node)
{
    size_t len;
    const char *s = pysource_node_span(src, node, &len);
    return dup_span(s, len);
}

bool pysource_node_text_is(const pysource_t *src, TSNode node, const char *text)
{
    size_t len;
    const char *s = pysource_node_span(src, node, &len);
    return strlen(text) == len && memcmp(s, text, len) == 0;
}

bool pysource_node_is(TSNode node, const char *type)
{
    return !ts_node_is_null(node) && strcmp(ts_node_type(node), type) == 0;
}

/* Per-thread caches keyed by the address of a string literal: open
 * addressing over a power-of-two table; the grammar is always
 * tree-sitter-python, so a name's symbols and field id never change. A full
 * table (more distinct literals than slots) falls back to the lookup. */
#define LITERAL_SLOTS 512

typedef struct {
    const char *literal;
    TSSymbol named, anonymous; /* public symbols; 0 when the grammar has none */
    TSFieldId field;
} literal_slot_t;

static _Thread_local literal_slot_t literal_slots[LITERAL_SLOTS];

/* Fills the empty slot e for literal: the first use of a literal, kept
 * out of literal_slot so that its look-up, run for every type test and
 * field look-up (half a million in mailman3's analysis), saves no
 * registers for it. */
static __attribute__((noinline)) literal_slot_t *literal_fill(literal_slot_t *e,
                                                              const char *literal)
{
    const TSLanguage *lang = tree_sitter_python();
    uint32_t len = (uint32_t)strlen(literal);
    e->literal = literal;
    /* symbol_for_name answers "ERROR" for any prefix of it (and for
     * ""): only ask for names that are really ERROR's */
    bool error = strcmp(literal, "ERROR") == 0;
    e->named = error ? (TSSymbol)-1 /* ts_builtin_sym_error */
                     : ts_language_symbol_for_name(lang, literal, len, true);
    e->anonymous = error ? 0 : ts_language_symbol_for_name(lang, literal, len, false);
    e->field = ts_language_field_id_for_name(lang, literal, len);
    return e;
}

/* The cache slot of a string literal (keyed by its address), filling in its
 * symbols and field id on first use. Returns NULL when the table is full;
 * callers then look the name up directly. */
static inline literal_slot_t *literal_slot(const char *literal)
{
    uintptr_t h = ((uintptr_t)literal >> 3) * 0x9E3779B97F4A7C15u;
    size_t i = (size_t)(h >> 55) & (LITERAL_SLOTS - 1);
    for (size_t probe = 0; probe < LITERAL_SLOTS; probe++, i = (i + 1) & (LITERAL_SLOTS - 1)) {
        literal_slot_t *e = &literal_slots[i];
        if (e->literal == literal)
            return e;
        if (!e->literal)
            return literal_fill(e, literal);
    }
    return NULL;
}

/* Whether a node of grammar symbol sym (ts_node_symbol) can hold
 * statements: pysource_holds_statements by symbol, for a walk that reads a
 * node's symbol once for all its tests. */
static bool symbol_holds_statements(TSSymbol sym)
{
    /* a table by symbol, built once per thread: this runs on every node
     * the import and assignment walks meet */
    static const char *const holders[] = {"module",
                                          "block",
                                          "if_statement",
                                          "elif_clause",
                                          "else_clause",
                                          "try_statement",
                                          "except_clause",
                                          "except_group_clause",
                                          "finally_clause",
                                          "with_statement",
                                          "for_statement",
                                          "while_statement",
                                          "match_statement",
                                          "case_clause",
                                          "function_definition",
                                          "class_definition",
                                          "decorated_definition"};
    static _Thread_local unsigned char table[1024];
    static _Thread_local bool ready;
    if (!ready) {
        for (size_t i = 0; i < sizeof holders / sizeof *holders; i++) {
            TSSymbol hs = pysource_symbol_literal(holders[i]);
            if (hs && hs < sizeof table)
                table[hs] = 1;
        }
        ready = true;
    }
    if (sym == (TSSymbol)-1) /* ERROR: recovery can wrap statements in one */
        return true;
    return sym < sizeof table && table[sym];
}

bool pysource_holds_statements(TSNode node)
{
    if (!node.id) /* ts_node_is_null, as in pysource_node_is_literal */
        return false;
    return symbol_holds_statements(ts_node_symbol(node));
}

/* Whether grammar symbol sym (ts_node_symbol of a node) is the named or
 * anonymous symbol called literal: PYSOURCE_NODE_IS's test for a caller
 * that read the symbol once for several tests (each ts_node_symbol() is a
 * library call of about 20 instructions). */
static bool symbol_is_literal(TSSymbol sym, const char *literal)
{
    const literal_slot_t *e = literal_slot(literal);
    if (!e) /* a node's type is its symbol's name */
        return strcmp(ts_language_symbol_name(tree_sitter_python(), sym), literal) == 0;
    return (e->named && sym == e->named) || (e->anonymous && sym == e->anonymous);
}

/* Behind PYSOURCE_NODE_IS (see pysource.h): whether node's type is the named
 * or anonymous symbol called literal. Returns false for a null node. */
bool pysource_node_is_literal(TSNode node, const char *literal)
{
    /* ts_node_is_null(node) is node.id == NULL (tree-sitter's node.c): read
     * here, a library call less on each of the analysis' type tests */
    return node.id && symbol_is_literal(ts_node_symbol(node), literal);
}

/* Behind PYSOURCE_SYMBOL (see pysource.h): the named grammar symbol called
 * literal, or 0 when the grammar has none. */
TSSymbol pysource_symbol_literal(const char *literal)
{
    const literal_slot_t *e = literal_slot(literal);
    if (e)
        return e->named;
    return ts_language_symbol_for_name(tree_sitter_python(), literal, (uint32_t)strlen(literal),
                                       true);
}

const pysource_syms_t *pysource_syms(void)
{
    static _Thread_local pysource_syms_t s;
    static _Thread_local bool ready;
    if (!ready) {
        s.function_definition = PYSOURCE_SYMBOL("function_definition");
        s.class_definition = PYSOURCE_SYMBOL("class_definition");
        s.decorated_definition = PYSOURCE_SYMBOL("decorated_definition");
        s.lambda = PYSOURCE_SYMBOL("lambda");
        s.await_ = PYSOURCE_SYMBOL("await");
        s.for_statement = PYSOURCE_SYMBOL("for_statement");
        s.while_statement = PYSOURCE_SYMBOL("while_statement");
        s.if_statement = PYSOURCE_SYMBOL("if_statement");
        s.try_statement = PYSOURCE_SYMBOL("try_statement");
        s.with_statement = PYSOURCE_SYMBOL("with_statement");
        s.expression_statement = PYSOURCE_SYMBOL("expression_statement");
        s.import_from_statement = PYSOURCE_SYMBOL("import_from_statement");
        s.wildcard_import = PYSOURCE_SYMBOL("wildcard_import");
        s.else_clause = PYSOURCE_SYMBOL("else_clause");
        s.elif_clause = PYSOURCE_SYMBOL("elif_clause");
        s.except_clause = PYSOURCE_SYMBOL("except_clause");
        s.finally_clause = PYSOURCE_SYMBOL("finally_clause");
        s.block = PYSOURCE_SYMBOL("block");
        s.list_comprehension = PYSOURCE_SYMBOL("list_comprehension");
        s.set_comprehension = PYSOURCE_SYMBOL("set_comprehension");
        s.dictionary_comprehension = PYSOURCE_SYMBOL("dictionary_comprehension");
        s.generator_expression = PYSOURCE_SYMBOL("generator_expression");
        s.parenthesized_expression = PYSOURCE_SYMBOL("parenthesized_expression");
        s.as_pattern = PYSOURCE_SYMBOL("as_pattern");
        s.assignment = PYSOURCE_SYMBOL("assignment");
        s.call = PYSOURCE_SYMBOL("call");
        s.attribute = PYSOURCE_SYMBOL("attribute");
        s.identifier = PYSOURCE_SYMBOL("identifier");
        s.string = PYSOURCE_SYMBOL("string");
        s.comment = PYSOURCE_SYMBOL("comment");
        ready = true;
    }
    return &s;
}

/* The field id called literal (0 when the grammar has none), cached as
 * pysource_field_literal's. */
static TSFieldId literal_field_id(const char *literal)
{
    const literal_slot_t *e = literal_slot(literal);
    if (e)
        return e->field;
    return ts_language_field_id_for_name(tree_sitter_python(), literal, (uint32_t)strlen(literal));
}

/* The field memo: the walks ask the same node for the same field again and
 * again (a definition's name and body, a call's function: two thirds of the
 * 100 698 look-ups of mailman3's analysis), and ts_node_child_by_field_id
 * walks the node's children to the field each time (about 600 instructions
 * a look-up). A direct-mapped table per thread remembers the last answers,
 * each entry valid while no tree was deleted since it was filled
 * (trees_deleted): a node is its whole TSNode (tree, subtree, position,
 * alias), unique among the live trees. */
#define FIELD_MEMO_SLOTS 512

typedef struct {
    TSNode node, child;
    uint64_t gen;
    TSFieldId field; /* 0: empty */
} field_memo_t;

static _Thread_local field_memo_t field_memo[FIELD_MEMO_SLOTS];

static TSNode field_child_memo(TSNode node, TSFieldId field)
{
    uint64_t gen = atomic_load_explicit(&trees_deleted, memory_order_relaxed);
    uintptr_t h = ((uintptr_t)node.id >> 4) ^ ((uintptr_t)node.id >> 13) ^ field * 0x9E37u;
    field_memo_t *m = &field_memo[h & (FIELD_MEMO_SLOTS - 1)];
    if (m->field == field && m->gen == gen && memcmp(&m->node, &node, sizeof node) == 0)
        return m->child;
    TSNode child = ts_node_child_by_field_id(node, field);
    m->node = node;
    m->child = child;
    m->gen = gen;
    m->field = field;
    return child;
}

/* Behind PYSOURCE_FIELD (see pysource.h): node's child in the field called
 * literal. Returns a null node when node is null, the field is unknown or
 * the child is absent. */
TSNode pysource_field_literal(TSNode node, const char *literal)
{
    TSNode none;
    memset(&none, 0, sizeof none);
    if (!node.id) /* ts_node_is_null, as in pysource_node_is_literal */
        return none;
    const literal_slot_t *e = literal_slot(literal);
    if (!e)
        return ts_node_child_by_field_name(node, literal, (uint32_t)strlen(literal));
    return e->field ? field_child_memo(node, e->field) : none;
}

unsigned pysource_node_line(TSNode node)
{
    return ts_node_start_point(node).row + 1;
}

unsigned pysource_node_column(TSNode node)
{
    return ts_node_start_point(node).column + 1;
}

/* ---- walking -------------------------------------------------------- */

static _Thread_local struct {
    TSTreeCursor **c; /* each malloc()ed, so pointers survive growth */
    size_t cap, depth;
} cursor_pool;

TSTreeCursor *pysource_cursor_take(TSNode node)
{
    if (cursor_pool.depth == cursor_pool.cap) {
        TSTreeCursor **g = xreallocarray(cursor_pool.c, cursor_pool.cap + 1, sizeof *cursor_pool.c);
        cursor_pool.c = g;
        g[cursor_pool.cap] = xmalloc(sizeof **g);
        *g[cursor_pool.cap] = ts_tree_cursor_new(node);
        cursor_pool.cap++;
    } else {
        ts_tree_cursor_reset(cursor_pool.c[cursor_pool.depth], node);
    }
    return cursor_pool.c[cursor_pool.depth++];
}

void pysource_cursor_give(TSTreeCursor *cursor)
{
    if (!cursor || cursor_pool.depth == 0)
        return;
    cursor_pool.depth--;
    if (cursor_pool.depth > 0)
        return;
    for (size_t i = 0; i < cursor_pool.cap; i++) {
        ts_tree_cursor_delete(cursor_pool.c[i]);
        free(cursor_pool.c[i]);
    }
    free(cursor_pool.c);
    memset(&cursor_pool, 0, sizeof cursor_pool);
}

void pysource_each_named_child(TSNode node, pysource_child_fn fn, void *ctx)
{
    if (!node.id) /* ts_node_is_null, as in pysource_node_is_literal */
        return;
    /* The named children are counted down: after the last one the cursor
     * does not step over the anonymous tokens that may follow it (a ")", a
     * ":") nor take the last step, which fails; a step costs ~160
     * instructions (tree-sitter 0.20 rebuilds its child iterator and goes
     * through hidden nodes). ts_node_named_child_count() counts the visible
     * named children through hidden nodes and aliases as the cursor meets
     * them (tree-sitter's summarize_children; ts_node_named_child() indexes
     * by the same count). */
    uint32_t left = ts_node_named_child_count(node);
#ifdef PGOPT_CHECK_NAMED_COUNT
    /* -DPGOPT_CHECK_NAMED_COUNT: the count against the cursor's children
     * (same on bench/orm/real's 13 packages) */
    if (left == 0) {
        TSTreeCursor *c0 = pysource_cursor_take(node);
        if (ts_tree_cursor_goto_first_child(c0))
            do
                if (ts_node_is_named(ts_tree_cursor_current_node(c0)))
                    abort();
            while (ts_tree_cursor_goto_next_sibling(c0));
        pysource_cursor_give(c0);
    }
#endif
    if (left == 0)
        return;
    TSTreeCursor *cur = pysource_cursor_take(node);
    if (ts_tree_cursor_goto_first_child(cur)) {
        do {
            TSNode child = ts_tree_cursor_current_node(cur);
            if (ts_node_is_named(child) && (!fn(child, ctx) || --left == 0))
                break;
        } while (ts_tree_cursor_goto_next_sibling(cur));
    }
#ifdef PGOPT_CHECK_NAMED_COUNT
    if (left == 0) /* no named child after the count ran out */
        while (ts_tree_cursor_goto_next_sibling(cur))
            if (ts_node_is_named(ts_tree_cursor_current_node(cur)))
                abort();
#endif
    pysource_cursor_give(cur);
}

bool pysource_walk(const pysource_t *src, TSNode root, pysource_visit_fn visit, void *ctx)
{
    if (!root.id) /* ts_node_is_null, as in pysource_node_is_literal */
        return false;
    TSTreeCursor *cp = pysource_cursor_take(root);
    bool stopped = false;
    /* depth is tracked by hand: the cursor must never leave root. The
     * children of the nodes entered are counted (ts_node_child_count: the
     * visible children through hidden nodes, as the cursor meets them), at
     * the first WALK_COUNTED levels: after a node's last child the walk
     * goes up without the step to a next sibling, which fails (~160
     * instructions or more a step in tree-sitter 0.20: it rebuilds its
     * child iterator and climbs through hidden nodes), and a leaf is not
     * asked for a first child. */
    enum { WALK_COUNTED = 64 };
    uint32_t left[WALK_COUNTED]; /* at depth d: children of level d-1 not reached yet */
    unsigned depth = 0;
    for (;;) {
        TSNode node = ts_tree_cursor_current_node(cp);
        bool descend = true;
        if (ts_node_is_named(node)) {
            pysource_walk_t r = visit(src, node, ctx);
            if (r == PYSOURCE_WALK_STOP) {
                stopped = true;
                break;
            }
            descend = r != PYSOURCE_WALK_SKIP_CHILDREN;
        }
        uint32_t kids = descend ? ts_node_child_count(node) : 0;
        if (kids > 0 && ts_tree_cursor_goto_first_child(cp)) {
            depth++;
            if (depth <= WALK_COUNTED)
                left[depth - 1] = kids - 1;
            continue;
        }
        for (;;) {
            if (depth == 0)
                goto done;
            if (depth > WALK_COUNTED || left[depth - 1] > 0) {
                if (depth <= WALK_COUNTED)
                    left[depth - 1]--;
                if (ts_tree_cursor_goto_next_sibling(cp))
                    break;
            }
#ifdef PGOPT_CHECK_NAMED_COUNT
            /* -DPGOPT_CHECK_NAMED_COUNT: no child after the count ran out */
            else if (ts_tree_cursor_goto_next_sibling(cp))
                abort();
#endif
            ts_tree_cursor_goto_parent(cp);
            depth--;
        }
    }
done:
    pysource_cursor_give(cp);
    return stopped;
}

/* ---- names and calls ------------------------------------------------ */

/* Appends expr as a dotted name (a.b.c) to sb when it is made only of
 * identifiers and attributes; otherwise sets *ok to false (and does nothing
 * once *ok is false). */
static void dotted_append(const pysource_t *src, TSNode expr, strbuf_t *sb, bool *ok)
{
    if (!*ok)
        return;
    if (PYSOURCE_NODE_IS(expr, "identifier")) {
        size_t len;
        const char *s = pysource_node_span(src, expr, &len);
        strbuf_addn(sb, s, len);
    } else if (PYSOURCE_NODE_IS(expr, "attribute")) {
        dotted_append(src, PYSOURCE_FIELD(expr, "object"), sb, ok);
        strbuf_addc(sb, '.');
        dotted_append(src, PYSOURCE_FIELD(expr, "attribute"), sb, ok);
    } else {
        *ok = false;
    }
}

char *pysource_dotted_name(const pysource_t *src, TSNode expr)
{
    strbuf_t sb = {0};
    bool ok = true;
    dotted_append(src, expr, &sb, &ok);
    if (!ok || !sb.buf) {
        strbuf_free(&sb);
        return NULL;
    }
    return sb.buf;
}

char *pysource_qualified_name(const pysource_t *src, TSNode expr, bool *imported)
{
    if (imported)
        *imported = false;
    char *dotted = pysource_dotted_name(src, expr);
    if (!dotted)
        return NULL;
    size_t first = strcspn(dotted, ".");
    /* The last import of a name wins, as at run time in straight-line code. */
    for (size_t i = src->n_imports; i-- > 0;) {
        const import_binding_t *b = &src->imports[i];
        if (strlen(b->local) != first || memcmp(b->local, dotted, first) != 0)
            continue;
        strbuf_t sb = {0};
        strbuf_addn(&sb, b->qualified, strlen(b->qualified));
        strbuf_addn(&sb, dotted + first, strlen(dotted + first));
        free(dotted);
        if (imported)
            *imported = true;
        return sb.buf;
    }
    return dotted;
}

TSNode pysource_call_callee(TSNode call)
{
    if (ts_node_is_null(call))
        return call;
    return PYSOURCE_FIELD(call, "function");
}

bool pysource_call_is(const pysource_t *src, TSNode call, const char *name)
{
    if (!PYSOURCE_NODE_IS(call, "call"))
        return false;
    TSNode callee = pysource_call_callee(call);
    if (PYSOURCE_NODE_IS(callee, "attribute"))
        callee = PYSOURCE_FIELD(callee, "attribute");
    return PYSOURCE_NODE_IS(callee, "identifier") && pysource_node_text_is(src, callee, name);
}

typedef struct {
    const char *name;
    pysource_call_fn fn;
    void *ctx;
} find_calls_t;

/* pysource_walk callback of pysource_find_calls: hands each call to the name
 * fc->name to fc->fn. Returns STOP when fn does, else CONTINUE. */
static pysource_walk_t find_calls_visit(const pysource_t *src, TSNode node, void *ctx)
{
    find_calls_t *fc = ctx;
    if (PYSOURCE_NODE_IS(node, "call") && pysource_call_is(src, node, fc->name))
        return fc->fn(src, node, fc->ctx) == PYSOURCE_WALK_STOP ? PYSOURCE_WALK_STOP
                                                                : PYSOURCE_WALK_CONTINUE;
    return PYSOURCE_WALK_CONTINUE;
}

void pysource_find_calls(const pysource_t *src, TSNode root, const char *name, pysource_call_fn fn,
                         void *ctx)
{
    find_calls_t fc = {name, fn, ctx};
    pysource_walk(src, root, find_calls_visit, &fc);
}

static TSNode null_node(void)
{
    TSNode n;
    memset(&n, 0, sizeof(n));
    return n;
}

TSNode pysource_call_arg(const pysource_t *src, TSNode call, unsigned index)
{
    (void)src;
    if (!PYSOURCE_NODE_IS(call, "call"))
        return null_node();
    TSNode args = PYSOURCE_FIELD(call, "arguments");
    if (!PYSOURCE_NODE_IS(args, "argument_list"))
        return null_node(); /* a generator argument: f(x for x in y) */
    uint32_t n = ts_node_named_child_count(args);
    unsigned seen = 0;
    for (uint32_t i = 0; i < n; i++) {
        TSNode a = ts_node_named_child(args, i);
        const char *type = ts_node_type(a);
        if (strcmp(type, "keyword_argument") == 0 || strcmp(type, "dictionary_splat") == 0 ||
            strcmp(type, "list_splat") == 0 || strcmp(type, "comment") == 0)
            continue;
        if (seen++ == index)
            return a;
    }
    return null_node();
}

TSNode pysource_call_kwarg(const pysource_t *src, TSNode call, const char *name)
{
    if (!PYSOURCE_NODE_IS(call, "call"))
        return null_node();
    TSNode args = PYSOURCE_FIELD(call, "arguments");
    if (!PYSOURCE_NODE_IS(args, "argument_list"))
        return null_node();
    uint32_t n = ts_node_named_child_count(args);
    for (uint32_t i = 0; i < n; i++) {
        TSNode a = ts_node_named_child(args, i);
        if (!PYSOURCE_NODE_IS(a, "keyword_argument"))
            continue;
        TSNode key = PYSOURCE_FIELD(a, "name");
        if (pysource_node_text_is(src, key, name))
            return PYSOURCE_FIELD(a, "value");
    }
    return null_node();
}

/* ---- scopes and name resolution ------------------------------------- */

/* Whether node is the identifier name (name_len bytes). Returns false for
 * any other node, null included. */
static bool is_name(const pysource_t *src, TSNode node, const char *name, size_t name_len)
{
    if (!PYSOURCE_NODE_IS(node, "identifier"))
        return false;
    size_t len;
    const char *s = pysource_node_span(src, node, &len);
    return len == name_len && memcmp(s, name, len) == 0;
}

/* The identifier at the root of NAME.attr.attr or NAME[...][...]. */
static TSNode target_root(TSNode node)
{
    for (;;) {
        if (PYSOURCE_NODE_IS(node, "attribute"))
            node = PYSOURCE_FIELD(node, "object");
        else if (PYSOURCE_NODE_IS(node, "subscript"))
            node = PYSOURCE_FIELD(node, "value");
        else
            return node;
    }
}

typedef struct {
    const char *name;
    size_t name_len;
    TSNode owner; /* the function/class/module node whose scope is scanned */
    TSNode value; /* right-hand side of the single plain assignment */
    unsigned assignments;
    bool ambiguous; /* rebound, mutated, imported, a parameter... */
} binding_scan_t;

/* Whether target (an assignment/for/with target) binds or mutates the name:
 * a bare identifier, one inside a tuple/list pattern, or the root of an
 * attribute/subscript target (which mutates the object). */
static bool target_mentions(const pysource_t *src, TSNode target, const binding_scan_t *bs)
{
    if (ts_node_is_null(target))
        return false;
    if (is_name(src, target, bs->name, bs->name_len))
        return true;
    if (PYSOURCE_NODE_IS(target, "attribute") || PYSOURCE_NODE_IS(target, "subscript"))
        return is_name(src, target_root(target), bs->name, bs->name_len);
    uint32_t n = ts_node_named_child_count(target);
    for (uint32_t i = 0; i < n; i++)
        if (target_mentions(src, ts_node_named_child(target, i), bs))
            return true;
    return false;
}

/* Methods that change a dict or list in place: after `opts.update(...)` the
 * literal assigned to opts no longer tells its value. */
static const char *const mutating_methods[] = {
    "update", "setdefault", "pop",    "popitem", "clear",       "append",
    "extend", "insert",     "remove", "sort",    "__setitem__", NULL,
};

/* An import statement's names checked against a binding scan's name. */
typedef struct {
    const pysource_t *src;
    binding_scan_t *bs;
} binding_names_t;

/* each_field_child callback: an imported name binding bs->name makes the
 * scan ambiguous. */
static bool binding_name_child(TSNode name, void *ctx)
{
    binding_names_t *bn = ctx;
    TSNode bound = name;
    if (PYSOURCE_NODE_IS(name, "aliased_import"))
        bound = PYSOURCE_FIELD(name, "alias");
    else if (PYSOURCE_NODE_IS(name, "dotted_name"))
        bound = ts_node_named_child(name, 0);
    if (is_name(bn->src, bound, bn->bs->name, bn->bs->name_len))
        bn->bs->ambiguous = true;
    return true;
}

/* pysource_walk callback over one scope: counts the plain assignments of
 * bs->name (keeping the last value) and sets bs->ambiguous for any other
 * binding or mutation of it. Returns SKIP_CHILDREN for nested scopes,
 * comprehensions and imports, else CONTINUE; never fails. */
static pysource_walk_t scan_binding_visit(const pysource_t *src, TSNode node, void *ctx)
{
    binding_scan_t *bs = ctx;
    const char *type = ts_node_type(node);

    if (!ts_node_eq(node, bs->owner) &&
        (strcmp(type, "function_definition") == 0 || strcmp(type, "class_definition") == 0)) {
        /* A nested scope: its body binds its own names, but its own name is
         * bound here. */
        if (is_name(src, PYSOURCE_FIELD(node, "name"), bs->name, bs->name_len))
            bs->ambiguous = true;
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (strcmp(type, "lambda") == 0 || strcmp(type, "list_comprehension") == 0 ||
        strcmp(type, "set_comprehension") == 0 || strcmp(type, "dictionary_comprehension") == 0 ||
        strcmp(type, "generator_expression") == 0)
        return PYSOURCE_WALK_SKIP_CHILDREN;

    if (strcmp(type, "assignment") == 0) {
        TSNode left = PYSOURCE_FIELD(node, "left");
        TSNode right = PYSOURCE_FIELD(node, "right");
        if (is_name(src, left, bs->name, bs->name_len)) {
            if (ts_node_is_null(right))
                return PYSOURCE_WALK_CONTINUE; /* `NAME: int` binds nothing */
            /* a = b = value: the value is the innermost right-hand side */
            while (PYSOURCE_NODE_IS(right, "assignment"))
                right = PYSOURCE_FIELD(right, "right");
            bs->assignments++;
            bs->value = right;
        } else if (target_mentions(src, left, bs)) {
            bs->ambiguous = true;
        }
    } else if (strcmp(type, "augmented_assignment") == 0 || strcmp(type, "for_statement") == 0 ||
               strcmp(type, "for_in_clause") == 0) {
        if (target_mentions(src, PYSOURCE_FIELD(node, "left"), bs))
            bs->ambiguous = true;
    } else if (strcmp(type, "named_expression") == 0) {
        if (is_name(src, PYSOURCE_FIELD(node, "name"), bs->name, bs->name_len))
            bs->ambiguous = true;
    } else if (strcmp(type, "as_pattern_target") == 0 || strcmp(type, "global_statement") == 0 ||
               strcmp(type, "nonlocal_statement") == 0 || strcmp(type, "delete_statement") == 0) {
        if (target_mentions(src, node, bs))
            bs->ambiguous = true;
    } else if (strcmp(type, "import_statement") == 0 ||
               strcmp(type, "import_from_statement") == 0) {
        binding_names_t bn = {src, bs};
        each_field_child(node, "name", binding_name_child, &bn);
        return PYSOURCE_WALK_SKIP_CHILDREN;
    } else if (strcmp(type, "call") == 0) {
        TSNode callee = pysource_call_callee(node);
        if (PYSOURCE_NODE_IS(callee, "attribute") &&
            is_name(src, PYSOURCE_FIELD(callee, "object"), bs->name, bs->name_len)) {
            TSNode method = PYSOURCE_FIELD(callee, "attribute");
            for (size_t i = 0; mutating_methods[i]; i++)
                if (pysource_node_text_is(src, method, mutating_methods[i]))
                    bs->ambiguous = true;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Whether a parameter list binds bs->name (plain, default, typed, *args or
 * **kwargs). Returns true or false. */
static bool parameters_bind(const pysource_t *src, TSNode params, const binding_scan_t *bs)
{
    uint32_t n = ts_node_named_child_count(params);
    for (uint32_t i = 0; i < n; i++) {
        TSNode p = ts_node_named_child(params, i);
        TSNode name = p;
        if (PYSOURCE_NODE_IS(p, "default_parameter") ||
            PYSOURCE_NODE_IS(p, "typed_default_parameter"))
            name = PYSOURCE_FIELD(p, "name");
        else if (!PYSOURCE_NODE_IS(p, "identifier"))
            name = ts_node_named_child(p, 0); /* typed_parameter, *args, **kwargs */
        if (is_name(src, name, bs->name, bs->name_len))
            return true;
    }
    return false;
}

/* Resolves one identifier one step; null node when unresolvable. */
static TSNode resolve_identifier(const pysource_t *src, TSNode ident)
{
    size_t name_len;
    const char *name = pysource_node_span(src, ident, &name_len);
    binding_scan_t bs = {.name = name, .name_len = name_len};

    /* Class bodies are a scope only for code written directly in them:
     * methods do not see class attributes. */
    bool class_visible = true;
    for (TSNode scope = ts_node_parent(ident); !ts_node_is_null(scope);
         scope = ts_node_parent(scope)) {
        const char *type = ts_node_type(scope);
        TSNode body = {0};
        if (strcmp(type, "lambda") == 0) {
            TSNode params = PYSOURCE_FIELD(scope, "parameters");
            if (!ts_node_is_null(params) && parameters_bind(src, params, &bs))
                return null_node();
            continue;
        }
        if (strcmp(type, "list_comprehension") == 0 || strcmp(type, "set_comprehension") == 0 ||
            strcmp(type, "dictionary_comprehension") == 0 ||
            strcmp(type, "generator_expression") == 0) {
            uint32_t n = ts_node_named_child_count(scope);
            for (uint32_t i = 0; i < n; i++) {
                TSNode c = ts_node_named_child(scope, i);
                if (PYSOURCE_NODE_IS(c, "for_in_clause") &&
                    target_mentions(src, PYSOURCE_FIELD(c, "left"), &bs))
                    return null_node();
            }
            continue;
        }
        if (strcmp(type, "function_definition") == 0) {
            TSNode params = PYSOURCE_FIELD(scope, "parameters");
            if (!ts_node_is_null(params) && parameters_bind(src, params, &bs))
                return null_node();
            body = PYSOURCE_FIELD(scope, "body");
            class_visible = false;
        } else if (strcmp(type, "class_definition") == 0) {
            if (!class_visible)
                continue;
            body = PYSOURCE_FIELD(scope, "body");
            class_visible = false;
        } else if (strcmp(type, "module") == 0) {
            body = scope;
        } else {
            continue;
        }
        if (ts_node_is_null(body))
            return null_node();
        bs.owner = scope;
        bs.assignments = 0;
        bs.ambiguous = false;
        bs.value = null_node();
        pysource_walk(src, body, scan_binding_visit, &bs);
        if (bs.ambiguous || bs.assignments > 1)
            return null_node();
        if (bs.assignments == 1)
            return bs.value;
        /* not bound here: look in the enclosing scope */
    }
    return null_node(); /* a builtin, a star import, or undefined */
}

TSNode pysource_resolve(const pysource_t *src, TSNode expr)
{
    for (int depth = 0; depth < RESOLVE_DEPTH_MAX; depth++) {
        if (ts_node_is_null(expr) || !PYSOURCE_NODE_IS(expr, "identifier"))
            return expr;
        expr = resolve_identifier(src, expr);
    }
    return null_node();
}

/* ---- string literals ------------------------------------------------ */

/* Appends code point cp to sb encoded as UTF-8 (1 to 4 bytes); the caller
 * keeps cp in range. Cannot fail. */
static void utf8_append(strbuf_t *sb, uint32_t cp)
{
    char b[4];
    if (cp < 0x80) {
        b[0] = (char)cp;
        strbuf_addn(sb, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        strbuf_addn(sb, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        strbuf_addn(sb, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        strbuf_addn(sb, b, 4);
    }
}

/* The value of a hexadecimal digit, or -1 when c is not one. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the body of a non-raw Python str literal. Returns -1 for what a
 * static reading cannot do (\N{name} needs the Unicode name table). */
static int decode_escapes(const char *s, size_t n, bool fstring, strbuf_t *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (fstring && (c == '{' || c == '}') && i + 1 < n && s[i + 1] == c) {
            strbuf_addc(out, c); /* {{ and }} */
            i++;
            continue;
        }
        if (c != '\\' || i + 1 >= n) {
            strbuf_addc(out, c);
            continue;
        }
        char e = s[++i];
        switch (e) {
        case '\n':
            break; /* line continuation */
        case '\r':
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
            break;
        case '\\':
        case '\'':
        case '"':
            strbuf_addc(out, e);
            break;
        case 'a':
            strbuf_addc(out, '\a');
            break;
        case 'b':
            strbuf_addc(out, '\b');
            break;
        case 'f':
            strbuf_addc(out, '\f');
            break;
        case 'n':
            strbuf_addc(out, '\n');
            break;
        case 'r':
            strbuf_addc(out, '\r');
            break;
        case 't':
            strbuf_addc(out, '\t');
            break;
        case 'v':
            strbuf_addc(out, '\v');
            break;
        case 'x':
        case 'u':
        case 'U': {
            size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t cp = 0;
            for (size_t k = 1; k <= digits; k++) {
                int h = i + k < n ? hex_value(s[i + k]) : -1;
                if (h < 0)
                    return -1;
                cp = cp * 16 + (uint32_t)h;
            }
            if (cp > 0x10FFFF)
                return -1;
            utf8_append(out, cp);
            i += digits;
            break;
        }
        case 'N':
            return -1;
        default:
            if (e >= '0' && e <= '7') {
                uint32_t cp = 0;
                size_t k = 0;
                while (k < 3 && i + k < n && s[i + k] >= '0' && s[i + k] <= '7')
                    cp = cp * 8 + (uint32_t)(s[i + k++] - '0');
                utf8_append(out, cp);
                i += k - 1;
            } else {
                /* Python keeps unknown escapes verbatim: "\d" is "\\d". */
                strbuf_addc(out, '\\');
                strbuf_addc(out, e);
            }
        }
    }
    return 0;
}

/* Appends the value of one `string` node. placeholder == NULL makes
 * replacement fields non-static (-1); otherwise they become placeholder and
 * *dynamic is set. Bytes literals are never static here (-1). */
static int string_append(const pysource_t *src, TSNode str, strbuf_t *out, const char *placeholder,
                         bool *dynamic)
{
    bool raw = false, fstring = false, bytes = false;
    uint32_t n = ts_node_child_count(str);
    for (uint32_t i = 0; i < n; i++) {
        TSNode part = ts_node_child(str, i);
        const char *type = ts_node_type(part);
        size_t len;
        const char *text = pysource_node_span(src, part, &len);
        if (strcmp(type, "string_start") == 0) {
            for (size_t k = 0; k < len && text[k] != '"' && text[k] != '\''; k++) {
                char p = text[k];
                raw |= p == 'r' || p == 'R';
                fstring |= p == 'f' || p == 'F';
                bytes |= p == 'b' || p == 'B';
            }
            if (bytes)
                return -1;
        } else if (strcmp(type, "string_content") == 0) {
            if (raw) {
                if (fstring) {
                    /* raw f-string: only {{ }} are special */
                    for (size_t k = 0; k < len; k++) {
                        strbuf_addc(out, text[k]);
                        if ((text[k] == '{' || text[k] == '}') && k + 1 < len &&
                            text[k + 1] == text[k])
                            k++;
                    }
                } else {
                    strbuf_addn(out, text, len);
                }
            } else if (decode_escapes(text, len, fstring, out) != 0) {
                return -1;
            }
        } else if (strcmp(type, "interpolation") == 0) {
            if (!placeholder)
                return -1;
            strbuf_addn(out, placeholder, strlen(placeholder));
            if (dynamic)
                *dynamic = true;
        } else if (strcmp(type, "string_end") == 0 || strcmp(type, "comment") == 0) {
            continue;
        } else if (strcmp(type, "ERROR") == 0 || ts_node_is_missing(part)) {
            return -1;
        }
    }
    return 0;
}

/* Appends a string expression: a literal, an implicit concatenation, a +
 * of strings, parentheses, or a name resolving to one of those. */
static int string_expr_append(const pysource_t *src, TSNode expr, strbuf_t *out,
                              const char *placeholder, bool *dynamic, int depth)
{
    if (depth > EVAL_DEPTH_MAX || ts_node_is_null(expr))
        return -1;
    const char *type = ts_node_type(expr);
    if (strcmp(type, "string") == 0)
        return string_append(src, expr, out, placeholder, dynamic);
    if (strcmp(type, "concatenated_string") == 0) {
        uint32_t n = ts_node_named_child_count(expr);
        for (uint32_t i = 0; i < n; i++) {
            TSNode part = ts_node_named_child(expr, i);
            if (PYSOURCE_NODE_IS(part, "comment"))
                continue;
            if (string_append(src, part, out, placeholder, dynamic) != 0)
                return -1;
        }
        return 0;
    }
    if (strcmp(type, "parenthesized_expression") == 0)
        return string_expr_append(src, ts_node_named_child(expr, 0), out, placeholder, dynamic,
                                  depth + 1);
    if (strcmp(type, "binary_operator") == 0) {
        TSNode op = PYSOURCE_FIELD(expr, "operator");
        if (!pysource_node_text_is(src, op, "+"))
            return -1;
        if (string_expr_append(src, PYSOURCE_FIELD(expr, "left"), out, placeholder, dynamic,
                               depth + 1) != 0)
            return -1;
        return string_expr_append(src, PYSOURCE_FIELD(expr, "right"), out, placeholder, dynamic,
                                  depth + 1);
    }
    if (strcmp(type, "identifier") == 0) {
        TSNode value = pysource_resolve(src, expr);
        if (ts_node_is_null(value))
            return -1;
        return string_expr_append(src, value, out, placeholder, dynamic, depth + 1);
    }
    return -1;
}

char *pysource_string_template(const pysource_t *src, TSNode expr, const char *placeholder,
                               bool *dynamic, size_t *len)
{
    strbuf_t sb = {0};
    bool dyn = false;
    if (string_expr_append(src, expr, &sb, placeholder ? placeholder : "", &dyn, 0) != 0) {
        strbuf_free(&sb);
        return NULL;
    }
    if (!sb.buf)
        sb.buf = xstrdup("");
    if (dynamic)
        *dynamic = dyn;
    if (len)
        *len = sb.len;
    return sb.buf;
}

/* ---- literal evaluation --------------------------------------------- */

static json_t *eval(const pysource_t *src, TSNode expr, int depth);

/* Python int literal: decimal, 0x, 0o, 0b, with underscores. */
static json_t *eval_integer(const pysource_t *src, TSNode node)
{
    size_t len;
    const char *text = pysource_node_span(src, node, &len);
    char digits[80];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '_')
            continue;
        if (text[i] == 'j' || text[i] == 'J' || text[i] == 'l' || text[i] == 'L')
            return NULL; /* complex, or Python 2 long */
        if (n + 1 >= sizeof(digits))
            return NULL;
        digits[n++] = text[i];
    }
    digits[n] = '\0';
    int base = 10;
    const char *start = digits;
    if (n > 1 && digits[0] == '0') {
        char p = digits[1];
        base = (p == 'x' || p == 'X')   ? 16
               : (p == 'o' || p == 'O') ? 8
               : (p == 'b' || p == 'B') ? 2
                                        : 10;
        if (base != 10)
            start = digits + 2;
    }
    if (*start == '\0')
        return NULL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(start, &end, base);
    if (errno || *end != '\0' || v > (unsigned long long)INT64_MAX)
        return NULL;
    return json_integer((json_int_t)v);
}

/* Evaluates a Python float literal (underscores allowed) to a JSON real.
 * Returns NULL for imaginary literals, over-long text, or text strtod does
 * not take whole or that is not finite. */
static json_t *eval_float(const pysource_t *src, TSNode node)
{
    size_t len;
    const char *text = pysource_node_span(src, node, &len);
    char digits[128];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '_')
            continue;
        if (text[i] == 'j' || text[i] == 'J' || n + 1 >= sizeof(digits))
            return NULL;
        digits[n++] = text[i];
    }
    digits[n] = '\0';
    char *end;
    double v = strtod(digits, &end);
    if (*end != '\0' || !isfinite(v))
        return NULL;
    return json_real(v);
}

/* Reads a JSON integer or real into *out. Returns false (leaving *out
 * unchanged) for any other value. */
static bool as_double(const json_t *v, double *out)
{
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v);
        return true;
    }
    return false;
}

/* Python arithmetic on two static numbers; ints stay ints where Python's do
 * (except / which is true division). NULL on overflow or division by 0. */
static json_t *arith(const char *op, const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b) && strcmp(op, "/") != 0) {
        int64_t x = json_integer_value(a), y = json_integer_value(b), r;
        if (strcmp(op, "+") == 0) {
            if (__builtin_add_overflow(x, y, &r))
                return NULL;
        } else if (strcmp(op, "-") == 0) {
            if (__builtin_sub_overflow(x, y, &r))
                return NULL;
        } else if (strcmp(op, "*") == 0) {
            if (__builtin_mul_overflow(x, y, &r))
                return NULL;
        } else if (strcmp(op, "//") == 0 || strcmp(op, "%") == 0) {
            if (y == 0 || (x == INT64_MIN && y == -1))
                return NULL;
            int64_t q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) { /* Python floors */
                q -= 1;
                m += y;
            }
            r = strcmp(op, "//") == 0 ? q : m;
        } else {
            return NULL;
        }
        return json_integer(r);
    }
    double x, y, r;
    if (!as_double(a, &x) || !as_double(b, &y))
        return NULL;
    if (strcmp(op, "+") == 0)
        r = x + y;
    else if (strcmp(op, "-") == 0)
        r = x - y;
    else if (strcmp(op, "*") == 0)
        r = x * y;
    else if (strcmp(op, "/") == 0) {
        if (y == 0)
            return NULL;
        r = x / y;
    } else if (strcmp(op, "//") == 0) {
        if (y == 0)
            return NULL;
        r = floor(x / y);
    } else if (strcmp(op, "%") == 0) {
        if (y == 0)
            return NULL;
        r = fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0)))
            r += y;
    } else
        return NULL;
    if (!isfinite(r))
        return NULL;
    return json_real(r);
}

typedef struct {
    json_t *object;
    int depth;
    bool failed;
} dict_eval_t;

/* mapping_entries callback of eval_mapping: evaluates one entry and stores
 * it under its key. Returns 1 and sets de->failed when the key is not static
 * or the value cannot be evaluated or stored, else 0. */
static int dict_eval_entry(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                           void *ctx)
{
    (void)key_node;
    dict_eval_t *de = ctx;
    if (!key) {
        de->failed = true;
        return 1;
    }
    json_t *v = eval(src, value, de->depth + 1);
    if (!v || json_object_set_new(de->object, key, v) != 0) {
        de->failed = true;
        return 1;
    }
    return 0;
}

static int mapping_entries(const pysource_t *src, TSNode expr, pysource_entry_fn fn, void *ctx,
                           int depth);

/* Evaluates a static mapping expression to a new JSON object. Returns NULL
 * when an entry is not static or memory runs out. */
static json_t *eval_mapping(const pysource_t *src, TSNode expr, int depth)
{
    dict_eval_t de = {json_object(), depth, false};
    if (!de.object)
        return NULL;
    mapping_entries(src, expr, dict_eval_entry, &de, depth + 1);
    if (de.failed) {
        json_decref(de.object);
        return NULL;
    }
    return de.object;
}

/* Evaluates a tuple, list, set or expression list to a new JSON array
 * (comments skipped). Returns NULL when an item cannot be evaluated or
 * memory runs out. */
static json_t *eval_sequence(const pysource_t *src, TSNode expr, int depth)
{
    json_t *array = json_array();
    if (!array)
        return NULL;
    uint32_t n = ts_node_named_child_count(expr);
    for (uint32_t i = 0; i < n; i++) {
        TSNode item = ts_node_named_child(expr, i);
        if (PYSOURCE_NODE_IS(item, "comment"))
            continue;
        json_t *v = eval(src, item, depth + 1);
        if (!v || json_array_append_new(array, v) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* Worker of pysource_eval (see pysource.h) with a nesting depth. Returns a
 * new JSON value, or NULL when the expression is not a simple literal, is
 * deeper than EVAL_DEPTH_MAX, has a parse error, or cannot be represented. */
static json_t *eval(const pysource_t *src, TSNode expr, int depth)
{
    if (depth > EVAL_DEPTH_MAX || ts_node_is_null(expr) || ts_node_has_error(expr))
        return NULL;
    const char *type = ts_node_type(expr);

    if (strcmp(type, "integer") == 0)
        return eval_integer(src, expr);
    if (strcmp(type, "float") == 0)
        return eval_float(src, expr);
    if (strcmp(type, "true") == 0)
        return json_true();
    if (strcmp(type, "false") == 0)
        return json_false();
    if (strcmp(type, "none") == 0)
        return json_null();
    if (strcmp(type, "string") == 0 || strcmp(type, "concatenated_string") == 0) {
        strbuf_t sb = {0};
        if (string_expr_append(src, expr, &sb, NULL, NULL, depth) != 0) {
            strbuf_free(&sb);
            return NULL;
        }
        json_t *s = json_stringn(sb.buf ? sb.buf : "", sb.len);
        strbuf_free(&sb);
        return s; /* NULL for invalid UTF-8 (e.g. "\xff" as bytes): not representable */
    }
    if (strcmp(type, "parenthesized_expression") == 0)
        return eval(src, ts_node_named_child(expr, 0), depth + 1);
    if (strcmp(type, "identifier") == 0) {
        TSNode value = pysource_resolve(src, expr);
        return ts_node_is_null(value) ? NULL : eval(src, value, depth + 1);
    }
    if (strcmp(type, "unary_operator") == 0) {
        TSNode op = PYSOURCE_FIELD(expr, "operator");
        json_t *v = eval(src, PYSOURCE_FIELD(expr, "argument"), depth + 1);
        if (!v)
            return NULL;
        json_t *r = NULL;
        if (pysource_node_text_is(src, op, "+") && json_is_number(v)) {
            r = json_incref(v);
        } else if (pysource_node_text_is(src, op, "-") && json_is_integer(v)) {
            if (json_integer_value(v) != INT64_MIN)
                r = json_integer(-json_integer_value(v));
        } else if (pysource_node_text_is(src, op, "-") && json_is_real(v)) {
            r = json_real(-json_real_value(v));
        } else if (pysource_node_text_is(src, op, "~") && json_is_integer(v)) {
            r = json_integer(~json_integer_value(v));
        }
        json_decref(v);
        return r;
    }
    if (strcmp(type, "binary_operator") == 0) {
        TSNode op = PYSOURCE_FIELD(expr, "operator");
        json_t *a = eval(src, PYSOURCE_FIELD(expr, "left"), depth + 1);
        json_t *b = a ? eval(src, PYSOURCE_FIELD(expr, "right"), depth + 1) : NULL;
        json_t *r = NULL;
        if (a && b) {
            char *optext = pysource_node_text(src, op);
            if (optext && json_is_string(a) && json_is_string(b) && strcmp(optext, "+") == 0) {
                size_t la = json_string_length(a), lb = json_string_length(b);
                char *joined = xmalloc(la + lb + 1);
                memcpy(joined, json_string_value(a), la);
                memcpy(joined + la, json_string_value(b), lb);
                r = json_stringn(joined, la + lb);
                free(joined);
            } else if (optext && json_is_number(a) && json_is_number(b)) {
                r = arith(optext, a, b);
            }
            free(optext);
        }
        json_decref(a);
        json_decref(b);
        return r;
    }
    if (strcmp(type, "tuple") == 0 || strcmp(type, "list") == 0 || strcmp(type, "set") == 0 ||
        strcmp(type, "expression_list") == 0)
        return eval_sequence(src, expr, depth);
    if (strcmp(type, "dictionary") == 0 || strcmp(type, "call") == 0)
        return eval_mapping(src, expr, depth);
    return NULL;
}

json_t *pysource_eval(const pysource_t *src, TSNode expr)
{
    return eval(src, expr, 0);
}

/* ---- mappings and keyword arguments --------------------------------- */

static bool is_dict_call(const pysource_t *src, TSNode expr)
{
    if (!PYSOURCE_NODE_IS(expr, "call"))
        return false;
    TSNode callee = pysource_call_callee(expr);
    return PYSOURCE_NODE_IS(callee, "identifier") && pysource_node_text_is(src, callee, "dict");
}

/* Keyword arguments of an argument_list: name=value and **splat. */
static int argument_entries(const pysource_t *src, TSNode args, pysource_entry_fn fn, void *ctx,
                            int depth)
{
    uint32_t n = ts_node_named_child_count(args);
    for (uint32_t i = 0; i < n; i++) {
        TSNode a = ts_node_named_child(args, i);
        int rc = 0;
        if (PYSOURCE_NODE_IS(a, "keyword_argument")) {
            TSNode key = PYSOURCE_FIELD(a, "name");
            char *name = pysource_node_text(src, key);
            if (!name)
                return -1;
            rc = fn(src, name, key, PYSOURCE_FIELD(a, "value"), ctx);
            free(name);
        } else if (PYSOURCE_NODE_IS(a, "dictionary_splat")) {
            rc = mapping_entries(src, ts_node_named_child(a, 0), fn, ctx, depth + 1);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Worker of pysource_mapping_entries (see pysource.h) with a nesting depth:
 * past EVAL_DEPTH_MAX the expression is given as one non-static entry.
 * Returns the callback's nonzero value, or 0. */
static int mapping_entries(const pysource_t *src, TSNode expr, pysource_entry_fn fn, void *ctx,
                           int depth)
{
    TSNode value = depth > EVAL_DEPTH_MAX ? null_node() : pysource_resolve(src, expr);
    while (PYSOURCE_NODE_IS(value, "parenthesized_expression"))
        value = ts_node_named_child(value, 0);

    if (PYSOURCE_NODE_IS(value, "dictionary") && !ts_node_has_error(value)) {
        uint32_t n = ts_node_named_child_count(value);
        for (uint32_t i = 0; i < n; i++) {
            TSNode item = ts_node_named_child(value, i);
            int rc = 0;
            if (PYSOURCE_NODE_IS(item, "pair")) {
                TSNode key_node = PYSOURCE_FIELD(item, "key");
                TSNode val = PYSOURCE_FIELD(item, "value");
                json_t *key = eval(src, key_node, depth + 1);
                if (json_is_string(key))
                    rc = fn(src, json_string_value(key), key_node, val, ctx);
                else
                    rc = fn(src, NULL, key_node, item, ctx);
                json_decref(key);
            } else if (PYSOURCE_NODE_IS(item, "dictionary_splat")) {
                rc = mapping_entries(src, ts_node_named_child(item, 0), fn, ctx, depth + 1);
            } else if (!PYSOURCE_NODE_IS(item, "comment")) {
                rc = fn(src, NULL, item, item, ctx);
            }
            if (rc)
                return rc;
        }
        return 0;
    }
    if (is_dict_call(src, value) && !ts_node_has_error(value)) {
        TSNode args = PYSOURCE_FIELD(value, "arguments");
        /* dict(mapping, k=v): the positional mapping comes first */
        TSNode positional = pysource_call_arg(src, value, 0);
        if (!ts_node_is_null(positional)) {
            if (!ts_node_is_null(pysource_call_arg(src, value, 1)))
                return fn(src, NULL, value, value, ctx);
            int rc = mapping_entries(src, positional, fn, ctx, depth + 1);
            if (rc)
                return rc;
        }
        return argument_entries(src, args, fn, ctx, depth);
    }
    return fn(src, NULL, expr, expr, ctx);
}

int pysource_mapping_entries(const pysource_t *src, TSNode expr, pysource_entry_fn fn, void *ctx)
{
    return mapping_entries(src, expr, fn, ctx, 0);
}

int pysource_call_kwargs(const pysource_t *src, TSNode call, pysource_entry_fn fn, void *ctx)
{
    TSNode args = PYSOURCE_FIELD(call, "arguments");
    if (!PYSOURCE_NODE_IS(args, "argument_list"))
        return 0;
    return argument_entries(src, args, fn, ctx, 0);
}

/* ---- imports (added for the ORM pattern analysis) ------------------- */

const char *pysource_import_of(const pysource_t *src, const char *local)
{
    for (size_t i = 0; i < src->n_imports; i++)
        if (strcmp(src->imports[i].local, local) == 0)
            return src->imports[i].qualified;
    return NULL;
}
