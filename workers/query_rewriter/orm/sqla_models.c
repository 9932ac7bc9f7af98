/*
 * sqla_models.c - see sqla_models.h.
 */
#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_words.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/progress.h"

typedef struct {
    char *name;
    bool is_async;
    size_t file; /* where it is assigned: the list is put in file order at the end */
} factory_t;

/* A small open-addressing hash table from a name (borrowed pointer, owned
 * by the model or function it names) to an index. */
typedef struct {
    const char **keys;
    size_t *vals;
    size_t cap; /* power of two, or 0 */
    size_t n;
} name_index_t;

/* FNV-1a hash of a name, for the name indexes. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The value of key in the index into *val; returns whether it is there. */
static bool nidx_get(const name_index_t *x, const char *key, size_t *val)
{
    if (!x->cap)
        return false;
    for (size_t i = (size_t)name_hash(key) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (!x->keys[i])
            return false;
        if (strcmp(x->keys[i], key) == 0) {
            *val = x->vals[i];
            return true;
        }
    }
}

/* Frees the index's arrays and empties it (the keys are borrowed). */
static void nidx_free(name_index_t *x)
{
    free(x->keys);
    free(x->vals);
    memset(x, 0, sizeof *x);
}

/* Adds key -> val unless key is there already (the first one wins, as in
 * the linear scans this replaces). */
static void nidx_put_first(name_index_t *x, const char *key, size_t val)
{
    if ((x->n + 1) * 2 > x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        name_index_t g = {xcalloc(cap, sizeof *g.keys), xcalloc(cap, sizeof *g.vals), cap, 0};
        for (size_t i = 0; i < x->cap; i++)
            if (x->keys[i])
                nidx_put_first(&g, x->keys[i], x->vals[i]);
        nidx_free(x);
        *x = g;
    }
    size_t i = (size_t)name_hash(key) & (x->cap - 1);
    for (; x->keys[i]; i = (i + 1) & (x->cap - 1))
        if (strcmp(x->keys[i], key) == 0)
            return;
    x->keys[i] = key;
    x->vals[i] = val;
    x->n++;
}

/* Sets key -> val, replacing the value of a key already there. */
static void nidx_set(name_index_t *x, const char *key, size_t val)
{
    size_t i;
    if (!nidx_get(x, key, &i)) {
        nidx_put_first(x, key, val);
        return;
    }
    for (i = (size_t)name_hash(key) & (x->cap - 1); strcmp(x->keys[i], key) != 0;
         i = (i + 1) & (x->cap - 1))
        ;
    x->keys[i] = key;
    x->vals[i] = val;
}

/* A range of a file's text that parses a def alone (sqla_function_tree),
 * in the file's pool: a class's or function's header, or a def's own
 * lines, with the header around it (parent: its index + 1, 0 for none).
 * The headers are shared by the defs under them (a class's methods). */
typedef struct {
    TSRange r;
    uint32_t parent;
} fn_range_t;

/* Enclosing classes a method may sit in and still be parsed alone: real
 * code nests two or three deep. */
#define FN_RANGES_MAX 8

/* A set of 64-bit hashes of names (span_hash), open addressing with 0 for an empty slot: 8
 * bytes a name where strings and an index took some 60. Two names with one hash read as one. */
typedef struct {
    uint64_t *h;
    size_t cap, n;
} hset_t;

/* What the first pass keeps of a file: its text stays in the code section
 * (borrowed), its tree only while cached. */
typedef struct {
    const char *path, *content;
    size_t len;
    bool has_error;
    unsigned err_line, err_col;
    pysource_t *tree; /* cached, or NULL */
    uint64_t used;    /* last hand-out, for the LRU order */
    bool pinned;      /* handed out in the current scan */
    unsigned scans;   /* scans it was handed out to (cache_trim keeps the most asked) */
    bool added;       /* indexed (sqla_project_add) */
    /* its functions in source order: a block of their own, so the pointers
     * the detections and the per-item memo hold stay valid while files are
     * added in any order */
    sqla_function_t *funcs;
    size_t nfuncs;
    /* per function of funcs: its own range in ranges (index + 1; 0 when it
     * cannot be parsed alone), whose parents are the headers around it */
    uint32_t *franges;
    fn_range_t *ranges;
    /* the whole file's imports: what a function parsed alone answers
     * with, and what a class name another module imports from this one
     * may be bound to here (a re-export: class_ref) */
    pysource_imports_t *imports;
    char *module; /* its dotted module (module_of) */
    bool is_pkg;  /* an __init__.py: relative imports start from the module itself */
    size_t class_first, nclasses; /* its module-level classes in p->classes */
    bool star;  /* has a module-level `from X import *` (a bare name may come from X) */
    bool early; /* indexed during another file's scan, its own scan still to come */
    bool held;  /* early: its tree is kept for that scan (cache_trim passes it over) */
    /* kept at its scan's end for a later scan that will likely ask for its functions
     * (predicted_asks): what that would parse alone, in bytes of their text */
    bool predicted;
    size_t predicted_bytes;
    size_t *wanted_by; /* the scans to come that call them (file indexes) */
    size_t nwanted;
    /* while it is still to be scanned and a prediction needs them: the names its text calls
     * (file_calls) */
    hset_t calls;
    bool calls_read;
} pfile_t;

/* A module-level class as the first pass saw it: enough to decide, once
 * every base is known, whether it is a model, without its tree. */
typedef struct {
    size_t file;
    uint32_t start; /* the class_definition's first byte, to find it again */
    unsigned line;
    char *name;
    char **sups;     /* its superclasses' dotted names, in order (others left out) */
    char **sup_qual; /* per superclass: what the file's imports make of it, NULL when no
                      * import binds its first component (pysource_qualified_name) */
    size_t nsups;
    size_t next_same; /* the class added before it with the same name (class_index), or SIZE_MAX */
    bool abstract;    /* __abstract__ = True */
    /* the class body read as a model's (read_model_body) while its tree is
     * at hand, whether or not the class turns out to be a model: which
     * classes are models is known only once their bases are, and reading
     * the body then would mean parsing the file again */
    sqla_model_t body;
    int *decided;    /* per relationship of body: collection-ness settled by the body */
    char **fk_class; /* per column of body: ForeignKey(Class.attr)'s Class, resolved to
                      * Class's table when this class becomes a model (as then) */
} klass_t;

typedef struct {
    size_t file;
    unsigned line;
    char *name;
} table_class_t;

/* The tree cache (sqla_project_file): a budget in bytes of Python source
 * whose trees may stay cached between scans. A tree costs 20-25 bytes per
 * source byte, so the budget is an eighth of the project's source (about
 * 3x the source in trees, which keeps the analysis under the 10x of issue
 * 14 with the code section itself and the index), at most 1 MiB (25 MB of
 * trees however large the project: the largest module the collection
 * takes, CODEDIR_DEFAULT_MAX_FILE_BYTES, fits, and so do the few modules
 * a scan follows helpers into - an OpenStack service's models and DB API
 * modules are 100-400 KB each). */
#define TREE_CACHE_MAX_BYTES ((size_t)1 << 20)

typedef struct {
    size_t *cached; /* file indexes with a tree */
    size_t ncached, cap;
    size_t bytes;           /* source bytes of the cached trees */
    size_t budget;          /* see TREE_CACHE_MAX_BYTES */
    size_t predicted_bytes; /* source bytes of the predicted trees (within PREDICTED_MAX_BYTES) */
    uint64_t clock;
    size_t parses;
    bool oom;
} tree_cache_t;

/* The trees of functions parsed alone (sqla_function_tree): one per
 * function, pinned while handed out in the current scan (a function asked
 * again in it reuses its tree) and freed at its end (fn_cache_trim). */
typedef struct {
    const sqla_function_t *fn;
    pysource_t *tree;
    size_t bytes; /* source bytes of its ranges */
    bool pinned;
} fn_tree_t;

typedef struct {
    fn_tree_t *e;
    size_t n, cap;
    size_t bytes;
    size_t parses;
} fn_cache_t;

struct sqla_project {
    json_t *code; /* a reference: the files' text, parsed again on demand */
    pfile_t *files;
    size_t nfiles;
    size_t lines;
    klass_t *classes;
    size_t nclasses;
    table_class_t *tclasses;
    size_t ntclasses;
    /* mutable behind the const project the detections see: which trees
     * are cached is not part of what the project says */
    tree_cache_t *cache;
    fn_cache_t *fcache;
    /* the functions of the file being indexed: their ranges (tmpf's
     * parallel array) and the ranges' pool */
    uint32_t *tmpfr;
    fn_range_t *tmpr;
    size_t ntmpr;
    /* allocated lengths of tmpf/tmpfr (one count) and tmpr: they grow by doubling (by one
     * element each push was a realloc per function and header, a tenth of the index walk) */
    size_t captmpf, captmpr;
    /* declarative base names (class or variable): the files' own
     * (declarative_base(), DeclarativeBase subclasses; ibases) and, once the
     * models are built, the abstract classes deriving from one */
    char **ibases;
    size_t *ibase_file; /* per ibase: the file that declares it */
    size_t nibases;
    char **bases;
    size_t nbases;
    bool *base_flask;
    sqla_model_t *models;
    size_t nmodels;
    uint64_t *model_hash; /* per model: what a look-up of it answers (logs) */
    uint64_t models_hash; /* the whole list's (sqla_project_model_at) */
    bool models_dirty;    /* a file added a base or a class that may be a model */
    bool speculate;       /* rebuild the models after each such file (one pass) */
    /* one pass: a file made the models dirty; they are rebuilt when next read
     * (models_current), not at every sqla_project_add (heat: 165 rebuilds,
     * most followed by another add before any read) */
    bool build_due;
    sqla_function_t *tmpf; /* the functions of the file being indexed */
    size_t ntmpf;
    /* the module-level classes of the file being indexed, as the index walk meets them, with
     * their bodies' statements (tmpbody[first, first + n)): what record_classes reads, which
     * stepped a cursor through every module-level statement and each class body again */
    struct tmpclass {
        TSNode st;
        size_t first, n;
    } * tmpcls;
    TSNode *tmpbody;
    size_t ntmpcls, captmpcls, ntmpbody, captmpbody;
    size_t nfuncs;
    factory_t *factories;
    size_t nfactories;
    /* name -> first model / first function with that name, so that the
     * per-attribute and per-call look-ups of the detections stay O(1) as the
     * project grows (linear scans made detection superlinear: 0.45 s at 24k
     * lines, 4.8 s at 96k). fnodes chains functions sharing a name in file
     * order (each file's in source order), whatever order the files are
     * added in, which keeps sqla_project_function's first-match rules. */
    name_index_t model_index;
    name_index_t func_index;
    struct fnode {
        const sqla_function_t *fn;
        size_t next; /* SIZE_MAX ends the chain */
    } * fnodes;
    size_t nfnodes, capfnodes; /* grown by doubling: one a function */
    /* the look-up logs of the one-pass scan (sqla_project_log_begin) */
    struct plogs *logs;
    /* module-level `def NAME` lines of every file, by a text scan
     * (sqla_project_speculate): NAME -> the files (tdef_files[val]) */
    name_index_t tdef_index;
    char **tdef_names;
    size_t **tdef_files; /* each: count, then the file indexes */
    size_t ntdefs, captdefs;
    /* every dotted suffix of every file's module (a/b/c.py: a.b.c, b.c, c), for whether an
     * import names a project module (function_lookup) and which files it may be (class_ref):
     * keys owned by mod_names, values index mod_files (each: count, then the files in file
     * order) */
    name_index_t mod_index;
    char **mod_names;
    size_t **mod_files;
    size_t nmod_names;
    /* every `def NAME` of every file's text (sqla_project_may_define), as a set of the
     * names' hashes (open addressing, 0 empty): 8 bytes a name where strings and an index
     * took some 60 (nova's text has 20k names); two names with one hash make the other one
     * taken as defined, the safe answer. Read at the first question (defs_read). */
    hset_t defs;
    bool defs_read;
    /* the files that import each file (sqla_project_visit_order's edges, reversed; CSR:
     * importers of f are imp_files[imp_first[f] .. imp_first[f + 1]]); NULL when the caller
     * gave the visit order */
    size_t *imp_first, *imp_files;
    /* file path -> file index (a tree's file, sqla_project_model_ref) */
    name_index_t path_index;
    /* module-level class name -> the last class of that name added (chained by next_same) */
    name_index_t class_index;
    /* per class of classes, at the last build: the model it is, KLASS_BASE for an abstract
     * class deriving from a base or a model (a base itself), or SIZE_MAX */
    size_t *klass_model;
    size_t nklass_model;
    size_t recording; /* the file whose classes record_classes is adding, or SIZE_MAX */
    /* names a module binds at module level by assignment, or by a class in an if, a try or a
     * with (which record_classes does not read): name -> the files (bound_files[val]: count,
     * then the file indexes), for class_ref's "bound, but to what is not read" */
    name_index_t bound_index;
    char **bound_names;
    size_t **bound_files;
    size_t nbound, capbound;
    /* files indexed early (add_early), in that order, and how many the driver took */
    size_t *early;
    size_t nearly, early_taken;
    /* a file could not be parsed again (tree-sitter out of memory); the
     * project's own allocations abort instead (common/alloc.h) */
    bool oom;
};

static void logs_on(sqla_project_t *p);
static void logs_off(sqla_project_t *p);
static void logs_free(sqla_project_t *p);

/* arr (n elements of size bytes) grown to n + 1 elements; never NULL (out of memory aborts). */
static void *grow(void *arr, size_t n, size_t size)
{
    return xreallocarray(arr, n + 1, size);
}

#define field(n, name) PYSOURCE_FIELD(n, name)

/* The last component of a dotted callee: "db.relationship" -> "relationship". */
static bool callee_is(const pysource_t *src, TSNode call, const char *name)
{
    return PYSOURCE_NODE_IS(call, "call") && pysource_call_is(src, call, name);
}

/* The last name of a call's callee as pysource_call_is reads it (the identifier called, or an
 * attribute's last name): its text, NULL when the node is no call or the callee neither. Read
 * once for a test against several names (leaf_is), where a callee_is per name read the call's
 * fields again each time. */
typedef struct {
    const char *t;
    size_t len;
} leaf_t;

static leaf_t callee_leaf(const pysource_t *src, TSNode call)
{
    leaf_t l = {NULL, 0};
    const pysource_syms_t *y = pysource_syms();
    if (!pysource_node_sym_is(call, y->call))
        return l;
    TSNode callee = field(call, "function");
    if (pysource_node_sym_is(callee, y->attribute))
        callee = field(callee, "attribute");
    if (pysource_node_sym_is(callee, y->identifier))
        l.t = pysource_node_span(src, callee, &l.len);
    return l;
}

/* callee_is(src, call, name) for the leaf callee_leaf read from call. */
static bool leaf_is(leaf_t l, const char *name)
{
    return l.t && strlen(name) == l.len && memcmp(l.t, name, l.len) == 0;
}

/* The string literal value of an expression (malloc()ed), or NULL when it is not one. */
static char *str_value(const pysource_t *src, TSNode expr)
{
    if (ts_node_is_null(expr))
        return NULL;
    json_t *v = pysource_eval(src, expr);
    char *out = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
    json_decref(v);
    return out;
}

/* The boolean literal value of an expression: 1, 0, or -1 when it is not one. */
static int bool_value(const pysource_t *src, TSNode expr)
{
    if (ts_node_is_null(expr))
        return -1;
    json_t *v = pysource_eval(src, expr);
    int out = json_is_boolean(v) ? json_is_true(v) : -1;
    json_decref(v);
    return out;
}

/* ---- pass 1: bases, factories, functions ------------------------------ */

/* Whether name is one of the project's declarative base classes; *flask (may be NULL) says whether
 * it is Flask-SQLAlchemy's db.Model. */
static bool is_base_name(const sqla_project_t *p, const char *name, bool *flask)
{
    for (size_t i = 0; i < p->nbases; i++)
        if (strcmp(p->bases[i], name) == 0) {
            if (flask)
                *flask = p->base_flask[i];
            return true;
        }
    return false;
}

/* Whether name is one of the declarative bases the files declare (ibases). */
static bool is_index_base(const sqla_project_t *p, const char *name)
{
    for (size_t i = 0; i < p->nibases; i++)
        if (strcmp(p->ibases[i], name) == 0)
            return true;
    return false;
}

/* Whether file f declares declarative base name (ibases). */
static bool base_in_file(const sqla_project_t *p, size_t f, const char *name)
{
    for (size_t i = 0; i < p->nibases; i++)
        if (p->ibase_file[i] == f && strcmp(p->ibases[i], name) == 0)
            return true;
    return false;
}

/* A declarative base file f declares (declarative_base(), a DeclarativeBase
 * subclass), once per file: the models are built from these (build_models). */
static void add_index_base(sqla_project_t *p, size_t f, const char *name)
{
    if (base_in_file(p, f, name))
        return;
    p->ibases = grow(p->ibases, p->nibases, sizeof *p->ibases);
    p->ibase_file = grow(p->ibase_file, p->nibases, sizeof *p->ibase_file);
    p->ibase_file[p->nibases] = f;
    p->ibases[p->nibases++] = xstrdup(name);
    p->models_dirty = true;
}

/* Records that file f binds name at module level (bound_index). */
static void bound_add(sqla_project_t *p, size_t f, const char *name)
{
    size_t k;
    if (!nidx_get(&p->bound_index, name, &k)) {
        /* a new name: as in tdef_add, the arrays grow by doubling and its file list is made
         * with f in it */
        k = p->nbound++;
        if (k == p->capbound) {
            p->capbound = p->capbound ? p->capbound * 2 : 64;
            p->bound_names = xreallocarray(p->bound_names, p->capbound, sizeof *p->bound_names);
            p->bound_files = xreallocarray(p->bound_files, p->capbound, sizeof *p->bound_files);
        }
        p->bound_names[k] = xstrdup(name);
        size_t *nv = xreallocarray(NULL, 2, sizeof *nv);
        nv[0] = 1;
        nv[1] = f;
        p->bound_files[k] = nv;
        nidx_put_first(&p->bound_index, p->bound_names[k], k);
        return;
    }
    size_t *v = p->bound_files[k];
    if (v[0] && v[v[0]] == f)
        return;
    v = xreallocarray(v, v[0] + 2, sizeof *v);
    v[++v[0]] = f;
    p->bound_files[k] = v;
}

/* Whether file f binds name at module level otherwise than by a module-level class or an import
 * (bound_add). */
static bool bound_in_file(const sqla_project_t *p, size_t f, const char *name)
{
    size_t k;
    if (!nidx_get(&p->bound_index, name, &k))
        return false;
    const size_t *v = p->bound_files[k];
    for (size_t i = 1; i <= v[0]; i++)
        if (v[i] == f)
            return true;
    return false;
}

/* Adds a declarative base class name once. */
static void add_base(sqla_project_t *p, const char *name, bool flask)
{
    if (is_base_name(p, name, NULL))
        return;
    p->bases = grow(p->bases, p->nbases, sizeof *p->bases);
    p->base_flask = grow(p->base_flask, p->nbases, sizeof *p->base_flask);
    p->bases[p->nbases] = xstrdup(name);
    p->base_flask[p->nbases] = flask;
    p->nbases++;
}

/* Adds a session factory name (sessionmaker() result or the like). */
static void add_factory(sqla_project_t *p, size_t file, const char *name, bool is_async)
{
    factory_t *f = grow(p->factories, p->nfactories, sizeof *f);
    p->factories = f;
    f[p->nfactories].name = xstrdup(name);
    f[p->nfactories].is_async = is_async;
    f[p->nfactories].file = file;
    p->nfactories++;
}

/* Whether a method definition is decorated as a property (property, cached_property,
 * hybrid_property), so reading the attribute runs it. parent: the decorated_definition the
 * definition is the "definition" of, a null node when it has none (index_statement knows it:
 * ts_node_parent descends from the root again, some 5 000 instructions a method). */
static bool decorated_property(const pysource_t *src, TSNode parent)
{
    if (!pysource_node_sym_is(parent, pysource_syms()->decorated_definition))
        return false;
    uint32_t n = ts_node_named_child_count(parent);
    for (uint32_t i = 0; i < n; i++) {
        TSNode d = ts_node_named_child(parent, i);
        if (!PYSOURCE_NODE_IS(d, "decorator"))
            continue;
        TSNode e = ts_node_named_child(d, 0);
        char *name = pysource_dotted_name(src, e);
        if (!name)
            continue;
        const char *last = strrchr(name, '.');
        last = last ? last + 1 : name;
        bool yes = strcmp(last, "property") == 0 || strcmp(last, "cached_property") == 0 ||
                   strcmp(last, "hybrid_property") == 0;
        free(name);
        if (yes)
            return true;
    }
    return false;
}

typedef struct {
    sqla_project_t *p;
    size_t file;
    const char *cls;
    const pysource_t *src;
    /* for the ranges that parse a def alone (sqla_function_tree): the
     * headers of the classes and functions around (pysource_header_range),
     * whether only such hold this block (not an if, a try, a with), and the
     * decorated_definition the statement came from (a null node if none) */
    uint32_t head; /* the innermost header in p->tmpr (index + 1), 0 for none */
    unsigned nheads;
    bool alone;
    TSNode deco;
    bool top; /* module level (an if, a try, a with there too): bound_add */
} index_ctx_t;

/* Adds a range to the pool of the file being indexed; its index + 1. */
static uint32_t range_push(sqla_project_t *p, TSRange r, uint32_t parent)
{
    if (p->ntmpr == p->captmpr) {
        p->captmpr = p->captmpr ? p->captmpr * 2 : 64;
        p->tmpr = xreallocarray(p->tmpr, p->captmpr, sizeof *p->tmpr);
    }
    p->tmpr[p->ntmpr].r = r;
    p->tmpr[p->ntmpr].parent = parent;
    return (uint32_t)++p->ntmpr;
}

/* The context for the body of a class or function st (top: st or its
 * decorated_definition): its header added to the ranges. */
static void index_inner(index_ctx_t *inner, const index_ctx_t *c, const char *cls, TSNode top,
                        TSNode body)
{
    inner->p = c->p;
    inner->file = c->file;
    inner->cls = cls;
    inner->src = c->src;
    inner->deco = (TSNode){0};
    inner->top = false;
    TSRange h;
    inner->head = c->head;
    inner->nheads = c->nheads;
    inner->alone =
        c->alone && c->nheads + 1 < FN_RANGES_MAX && pysource_header_range(top, body, &h);
    if (inner->alone) {
        inner->head = range_push(c->p, h, c->head);
        inner->nheads++;
    }
}

/* Whether a function body is a wrapper's (sqla_function_t.wrapper): one
 * expression or return statement, docstring and comments aside. Stops at
 * the second statement: a long body of expressions costs no more than a
 * short one. */
static bool wrapper_body(const pysource_t *src, TSNode body)
{
    if (ts_node_is_null(body))
        return false;
    /* Most bodies have three statements or more, which no wrapper has (one, after a docstring
     * at most): the body's named children (a count kept in its node) less the comments among
     * them is that many, and every comment holds a '#' of the body's text. So when the
     * children outnumber the '#'s by three, the answer is no without visiting a child (the
     * cursor's steps below cost 3 400 instructions a function on placement). */
    size_t len = 0;
    const char *text = pysource_node_span(src, body, &len);
    if (ts_node_named_child_count(body) >= 3 + sqla_count_byte(text, len, '#'))
        return false;
    const pysource_syms_t *y = pysource_syms();
    int n = 0;
    bool ok = true;
    /* the named children in order by a cursor: by index (ts_node_named_child) each child
     * costs a walk from the first */
    TSTreeCursor *cur = pysource_cursor_take(body);
    uint32_t i = 0;
    for (bool more = ts_tree_cursor_goto_first_child(cur); more && n < 2;
         more = ts_tree_cursor_goto_next_sibling(cur)) {
        TSNode c = ts_tree_cursor_current_node(cur);
        if (!ts_node_is_named(c))
            continue;
        uint32_t at = i++;
        TSSymbol t = ts_node_symbol(c);
        if (t == y->comment)
            continue;
        if (t == y->expression_statement && ts_node_named_child_count(c) == 1 &&
            pysource_node_sym_is(ts_node_named_child(c, 0), y->string) && n == 0 && at == 0)
            continue; /* the docstring */
        if (t != y->expression_statement && !PYSOURCE_NODE_IS(c, "return_statement")) {
            ok = false;
            break;
        }
        n++;
    }
    pysource_cursor_give(cur);
    return ok && n == 1;
}

/* Whether a function body may hold something index_statement records: a def, a class, or a
 * declarative_base() / generate_base() / sessionmaker() assignment, each of which has that word
 * in its text. Most bodies have none, and their statements need not be walked (a text search
 * costs a small part of a walk: the index's walk was 6% of the analysis). The words count where
 * memmem finds them (inside names too, as in "default"), all in one pass over the body: a memmem
 * per word read a body without them four times (3.5 M of placement's instructions). */
static bool may_index(const pysource_t *src, TSNode body)
{
    static const char *const words[] = {"def", "class", "_base", "sessionmaker", NULL};
    size_t len = 0;
    const char *t = ts_node_is_null(body) ? NULL : pysource_node_span(src, body, &len);
    if (!t)
        return !ts_node_is_null(body);
    return sqla_text_has_any(t, len, words);
}

static void index_block(index_ctx_t *c, TSNode block);
static bool index_class_child(TSNode st, void *ctx);

/* Indexes one statement of a file: functions and methods (nested ones too), classes (a
 * DeclarativeBase subclass declares a base; class bodies are indexed with the class name),
 * declarative_base()/sessionmaker() assignments, and the blocks of module-level if/try/with. */
static void index_statement(index_ctx_t *c, TSNode st)
{
    const pysource_t *src = c->src;
    const pysource_syms_t *y = pysource_syms();
    /* one symbol read, compared with each type below (a null node has none of them) */
    TSSymbol t = ts_node_is_null(st) ? 0 : ts_node_symbol(st);
    if (t == 0)
        return;
    if (t == y->decorated_definition) {
        TSNode saved = c->deco;
        c->deco = st;
        index_statement(c, field(st, "definition"));
        c->deco = saved;
        return;
    }
    TSNode top = ts_node_is_null(c->deco) ? st : c->deco;
    if (t == y->function_definition) {
        if (c->p->ntmpf == c->p->captmpf) {
            c->p->captmpf = c->p->captmpf ? c->p->captmpf * 2 : 32;
            c->p->tmpf = xreallocarray(c->p->tmpf, c->p->captmpf, sizeof *c->p->tmpf);
            c->p->tmpfr = xreallocarray(c->p->tmpfr, c->p->captmpf, sizeof *c->p->tmpfr);
        }
        sqla_function_t *fn = &c->p->tmpf[c->p->ntmpf];
        memset(fn, 0, sizeof *fn);
        fn->name = pysource_node_text(src, field(st, "name"));
        fn->cls = xstrdup_or_null(c->cls);
        fn->file = c->file;
        fn->start = ts_node_start_byte(st);
        fn->end = ts_node_end_byte(st);
        fn->line = pysource_node_line(st);
        fn->property = c->cls && decorated_property(src, c->deco);
        fn->is_async =
            ts_node_child_count(st) > 0 && strcmp(ts_node_type(ts_node_child(st, 0)), "async") == 0;
        /* the lines that parse it alone, for a helper's summary once the
         * file's tree is gone (sqla_function_tree) */
        c->p->tmpfr[c->p->ntmpf] =
            c->alone ? range_push(c->p, pysource_def_range(top, st), c->head) : 0;
        c->p->ntmpf++;
        /* nested functions are indexed too (module-level lookup skips them
         * only by name clash, which sqla_project_function reports as ambiguous) */
        TSNode body = field(st, "body");
        fn->wrapper = wrapper_body(src, body); /* fn stays valid: nothing grew tmpf since */
        if (may_index(src, body)) {
            index_ctx_t inner;
            index_inner(&inner, c, NULL, top, body);
            index_block(&inner, body);
        }
        return;
    }
    if (t == y->class_definition) {
        char *name = pysource_node_text(src, field(st, "name"));
        /* class X(DeclarativeBase) declares a base */
        TSNode sup = field(st, "superclasses");
        uint32_t n = ts_node_is_null(sup) ? 0 : ts_node_named_child_count(sup);
        for (uint32_t i = 0; i < n; i++) {
            TSNode s = ts_node_named_child(sup, i);
            char *q = pysource_qualified_name(src, s, NULL);
            if (q) {
                const char *last = strrchr(q, '.');
                last = last ? last + 1 : q;
                if (strcmp(last, "DeclarativeBase") == 0 ||
                    strcmp(last, "DeclarativeBaseNoMeta") == 0)
                    add_index_base(c->p, c->file, name);
                free(q);
            }
        }
        if (c->top && name)
            bound_add(c->p, c->file, name);
        index_ctx_t inner;
        index_inner(&inner, c, name, top, field(st, "body"));
        if (c->top && c->alone) {
            /* a statement of the module itself (in an if, a try or a with alone is false):
             * kept for record_classes with its body's statements, which the walk of the body
             * adds to tmpbody as it meets them (index_class_child) */
            sqla_project_t *p = c->p;
            if (p->ntmpcls == p->captmpcls) {
                p->captmpcls = p->captmpcls ? p->captmpcls * 2 : 16;
                p->tmpcls = xreallocarray(p->tmpcls, p->captmpcls, sizeof *p->tmpcls);
            }
            size_t k = p->ntmpcls++;
            p->tmpcls[k].st = st;
            p->tmpcls[k].first = p->ntmpbody;
            pysource_each_named_child(field(st, "body"), index_class_child, &inner);
            p->tmpcls[k].n = p->ntmpbody - p->tmpcls[k].first;
        } else {
            index_block(&inner, field(st, "body"));
        }
        free(name);
        return;
    }
    if (t == y->expression_statement) {
        TSNode a = ts_node_named_child(st, 0);
        if (!pysource_node_sym_is(a, y->assignment))
            return;
        TSNode left = field(a, "left"), right = field(a, "right");
        if (c->top && pysource_node_sym_is(left, y->identifier)) {
            char *bound = pysource_node_text(src, left);
            if (bound)
                bound_add(c->p, c->file, bound);
            free(bound);
        }
        if (!pysource_node_sym_is(left, y->identifier) || !pysource_node_sym_is(right, y->call))
            return;
        leaf_t callee = callee_leaf(src, right);
        if (!callee.t)
            return; /* none of the names below */
        char *name = pysource_node_text(src, left);
        if (leaf_is(callee, "declarative_base") || leaf_is(callee, "generate_base"))
            add_index_base(c->p, c->file, name);
        else if (leaf_is(callee, "async_sessionmaker"))
            add_factory(c->p, c->file, name, true);
        else if (leaf_is(callee, "sessionmaker")) {
            TSNode cls = pysource_call_kwarg(src, right, "class_");
            bool is_async =
                !ts_node_is_null(cls) && pysource_node_text_is(src, cls, "AsyncSession");
            add_factory(c->p, c->file, name, is_async);
        }
        free(name);
        return;
    }
    if (t == y->import_from_statement) {
        /* a wildcard_import is the token "*", inside the statement's text: without a '*' there
         * the statement has none, and its children need not be read (a cursor's steps over
         * them cost some 400 instructions each). Unless the statement has an error: recovery
         * may have put in a MISSING one, of no width. */
        size_t sl = 0;
        const char *sp = pysource_node_span(src, st, &sl);
        if (sp && !ts_node_has_error(st) && !memchr(sp, '*', sl))
            return;
        /* its children by a cursor: by index each costs a walk from the first, and an import
         * names tens of them */
        TSTreeCursor *cur = pysource_cursor_take(st);
        for (bool more = ts_tree_cursor_goto_first_child(cur); more;
             more = ts_tree_cursor_goto_next_sibling(cur)) {
            TSNode ch = ts_tree_cursor_current_node(cur);
            if (ts_node_is_named(ch) && ts_node_symbol(ch) == y->wildcard_import)
                c->p->files[c->file].star = true;
        }
        pysource_cursor_give(cur);
        return;
    }
    /* statements with blocks at module level (if TYPE_CHECKING:, try:) */
    if (t == y->if_statement || t == y->try_statement || t == y->with_statement) {
        /* a def there is parsed with its whole file */
        bool alone = c->alone;
        c->alone = false;
        uint32_t n = ts_node_named_child_count(st);
        for (uint32_t i = 0; i < n; i++) {
            TSNode ch = ts_node_named_child(st, i);
            if (pysource_node_sym_is(ch, y->block))
                index_block(c, ch);
            else if (!pysource_node_sym_is(ch, y->comment)) {
                uint32_t m = ts_node_named_child_count(ch);
                for (uint32_t k = 0; k < m; k++)
                    if (pysource_node_sym_is(ts_node_named_child(ch, k), y->block))
                        index_block(c, ts_node_named_child(ch, k));
            }
        }
        c->alone = alone;
    }
}

/* pysource_each_named_child callback: indexes one statement (never stops). */
static bool index_child(TSNode st, void *ctx)
{
    index_statement(ctx, st);
    return true;
}

/* index_child for a statement of a module-level class's body: kept in tmpbody first. */
static bool index_class_child(TSNode st, void *ctx)
{
    sqla_project_t *p = ((index_ctx_t *)ctx)->p;
    if (p->ntmpbody == p->captmpbody) {
        p->captmpbody = p->captmpbody ? p->captmpbody * 2 : 64;
        p->tmpbody = xreallocarray(p->tmpbody, p->captmpbody, sizeof *p->tmpbody);
    }
    p->tmpbody[p->ntmpbody++] = st;
    index_statement(ctx, st);
    return true;
}

/* Indexes every statement of a block. */
static void index_block(index_ctx_t *c, TSNode block)
{
    if (ts_node_is_null(block))
        return;
    pysource_each_named_child(block, index_child, c);
}

/* ---- pass 2: models -------------------------------------------------- */

static sqla_model_t *find_model(sqla_project_t *p, const char *name)
{
    size_t i;
    return nidx_get(&p->model_index, name, &i) ? &p->models[i] : NULL;
}

/* ---- class names resolved as Python resolves them ---------------------- */

/* What a class name written in a module stands for (class_ref). */
typedef enum {
    REF_UNKNOWN, /* cannot be told: the caller matches it by its last name */
    REF_PENDING, /* a module that would tell is not indexed yet (one-pass scan) */
    REF_NONE,    /* none of the project's classes: a library's, or set at run time */
    REF_CLASS,   /* the project's module-level class classes[*klass] */
    REF_BASE,    /* a declarative base the module declares (Base = declarative_base()) */
} ref_t;

/* klass_model's mark of an abstract class deriving from a base or a model: a base itself. */
#define KLASS_BASE (SIZE_MAX - 1)

/* Re-exports followed (a package's __init__ importing from its modules): real code chains one or
 * two; the bound also ends an import cycle. */
#define REF_DEPTH_MAX 4

/* The module-level class name of file f (the last one when the file defines it twice, as Python
 * binds it), or SIZE_MAX. */
static size_t class_in_file(const sqla_project_t *p, size_t f, const char *name)
{
    size_t k;
    if (!nidx_get(&p->class_index, name, &k))
        return SIZE_MAX;
    for (; k != SIZE_MAX; k = p->classes[k].next_same)
        if (p->classes[k].file == f)
            return k;
    return SIZE_MAX;
}

/* The absolute dotted name a qualified name from file f's imports stands for: itself, or for a
 * relative import (".models.User", "..db.api") the file's package, one level up per dot past
 * the first, then the rest (malloc()ed). NULL for a relative name without a file. */
static char *absolute_of(const sqla_project_t *p, size_t f, const char *q)
{
    if (q[0] != '.')
        return xstrdup(q);
    if (f >= p->nfiles)
        return NULL;
    size_t dots = strspn(q, ".");
    char *base = xstrdup(p->files[f].module);
    /* a module's package is its parent; a package's (__init__.py) is itself */
    size_t up = dots - (p->files[f].is_pkg ? 1 : 0);
    for (size_t i = 0; i < up; i++) {
        char *d = strrchr(base, '.');
        if (d)
            *d = 0;
        else
            base[0] = 0; /* past the code root: the rest is read from there */
    }
    char *out = xasprintf("%s%s%s", base, base[0] && q[dots] ? "." : "", q + dots);
    free(base);
    return out;
}

/* What an absolute dotted name module.Class stands for: the module's files (the module as
 * named, or ending in it: a code root above the package root; else a module that is a dotted
 * suffix of it: a code root below, nova.utils as utils.py), in file order, each one:
 *   - defines Class at module level: that class;
 *   - imports Class (a package re-exporting its module's class): what that import names,
 *     followed up to REF_DEPTH_MAX;
 *   - declares Class as a declarative base: REF_BASE;
 *   - has a star import, or binds Class otherwise (an assignment, a class in an if or a try):
 *     REF_UNKNOWN (what it binds is not read);
 *   - else it does not bind Class in its text: the next file. None does: REF_NONE (a name
 *     set at run time, as nova's objects registry sets nova.objects.RequestSpec: no class of
 *     the project's text, so no model).
 * A module none of the project's files is (sqlalchemy.orm, oslo_db.sqlalchemy.models) gives
 * REF_NONE: the class is the library's. A file not indexed yet gives REF_PENDING when no other
 * file answers, and when its text may declare models (else it is passed over). */
static bool declares_models(const pfile_t *pf);

static ref_t resolve_qualified(const sqla_project_t *p, const char *q, unsigned depth,
                               size_t *klass)
{
    const char *dot = strrchr(q, '.');
    if (!dot || depth > REF_DEPTH_MAX)
        return REF_UNKNOWN;
    char *m = xstrndup(q, (size_t)(dot - q));
    const char *cls = dot + 1;
    ref_t r = REF_NONE;
    bool pending = false, found = false;
    for (const char *s = m; s && !found;) {
        size_t k;
        if (nidx_get(&p->mod_index, s, &k)) {
            const size_t *v = p->mod_files[k];
            for (size_t i = 1; i <= v[0]; i++) {
                const pfile_t *pf = &p->files[v[i]];
                if (s != m && strcmp(pf->module, s) != 0)
                    continue; /* a suffix of the name: only a module at the code root */
                found = true;
                if (!pf->added && v[i] != p->recording) {
                    /* not indexed yet (one pass): a module whose text declares no table and
                     * no base (declares_models) is guessed to bind no model or base (heat's
                     * engine/resource.py, met through the stack <-> resource import cycle);
                     * the others are pending. The look-up logs check either guess */
                    if (declares_models(pf))
                        pending = true;
                    continue;
                }
                size_t kc = class_in_file(p, v[i], cls);
                if (kc != SIZE_MAX) {
                    *klass = kc;
                    r = REF_CLASS;
                    goto out;
                }
                if (base_in_file(p, v[i], cls)) {
                    r = REF_BASE;
                    goto out;
                }
                const char *b = pysource_imports_get(pf->imports, cls);
                if (b) {
                    char *a = absolute_of(p, v[i], b);
                    r = a ? resolve_qualified(p, a, depth + 1, klass) : REF_UNKNOWN;
                    free(a);
                    goto out;
                }
                if (pf->star || bound_in_file(p, v[i], cls)) {
                    r = REF_UNKNOWN; /* brought by a star import, or bound to what is not read */
                    goto out;
                }
            }
        }
        s = strchr(s, '.');
        if (s)
            s++;
    }
    r = pending ? REF_PENDING : REF_NONE;
out:
    free(m);
    return r;
}

/* What a class name written in file f (dotted as written: User, models.User, resource.Resource)
 * stands for, as Python binds it: qual is what the file's imports make of it
 * (pysource_qualified_name; NULL when no import binds its first component). An imported name is
 * resolved in the module it comes from (resolve_qualified); a bare name the module defines at
 * module level is that class. REF_UNKNOWN when neither tells: a bare name the module neither
 * imports nor defines at module level (a class defined in an if or a try, one a star import
 * brings, a local holding a class), a dotted name on a local (self.model), a tree of no
 * project file (f SIZE_MAX) with a relative import. */
static ref_t class_ref(const sqla_project_t *p, size_t f, const char *dotted, const char *qual,
                       size_t *klass)
{
    if (qual) {
        char *a = absolute_of(p, f, qual);
        ref_t r = a ? resolve_qualified(p, a, 0, klass) : REF_UNKNOWN;
        free(a);
        return r;
    }
    if (f < p->nfiles && !strchr(dotted, '.')) {
        size_t k = class_in_file(p, f, dotted);
        if (k != SIZE_MAX) {
            *klass = k;
            return REF_CLASS;
        }
        if (base_in_file(p, f, dotted))
            return REF_BASE;
    }
    return REF_UNKNOWN;
}

/* Whether superclass dotted (qual: as class_ref) of a class in file f is a declarative base,
 * resolved as class_ref: 1 (*flask set: whether it is Flask-SQLAlchemy's), 0, or -1 when the
 * name cannot be resolved (the caller tests it by name, as before names were resolved). A
 * resolved name is a base when it is one the module declares, or a class that is one (declared
 * so: class Base(DeclarativeBase), or abstract deriving from a base or a model): magnum's API
 * types `class Cluster(base.APIBase)`, APIBase deriving from wsme's `wtypes.Base`, are no
 * models whatever magnum's models module calls its declarative_base(). */
static int base_ref(const sqla_project_t *p, size_t f, const char *dotted, const char *qual,
                    bool *flask)
{
    size_t k = SIZE_MAX;
    switch (class_ref(p, f, dotted, qual, &k)) {
    case REF_BASE:
        *flask = false;
        return 1;
    case REF_CLASS:
        if (k < p->nklass_model && p->klass_model[k] == KLASS_BASE) {
            is_base_name(p, p->classes[k].name, flask);
            return 1;
        }
        if (base_in_file(p, p->classes[k].file, p->classes[k].name)) {
            *flask = false;
            return 1;
        }
        return 0;
    case REF_NONE:
        return 0;
    default:
        return -1;
    }
}

/* The model a class name written in file f names (class_ref), as of the last build: the model
 * its class is, none for a class that is no model or a name of no project class, and where the
 * name cannot be resolved (REF_UNKNOWN, or REF_PENDING while a one-pass scan has not indexed
 * the module: the look-up logs check that answer against the complete index) the first model
 * with its last name, as every look-up did before names were resolved. */
static sqla_model_t *model_ref(sqla_project_t *p, size_t f, const char *dotted, const char *qual)
{
    size_t k = SIZE_MAX;
    switch (class_ref(p, f, dotted, qual, &k)) {
    case REF_CLASS:
        return k < p->nklass_model && p->klass_model[k] < KLASS_BASE ? &p->models[p->klass_model[k]]
                                                                     : NULL;
    case REF_NONE:
    case REF_BASE:
        return NULL;
    default: {
        const char *last = strrchr(dotted, '.');
        return find_model(p, last ? last + 1 : dotted);
    }
    }
}

/* CamelCase as snake_case (OrderItem -> order_item, HTTPServer -> http_server), malloc()ed. */
static char *snake_case(const char *name)
{
    size_t n = strlen(name);
    char *out = xmalloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (isupper(ch)) {
            if (i > 0 && (islower((unsigned char)name[i - 1]) ||
                          (i + 1 < n && islower((unsigned char)name[i + 1]))))
                out[k++] = '_';
            out[k++] = (char)tolower(ch);
        } else {
            out[k++] = (char)ch;
        }
    }
    out[k] = 0;
    return out;
}

/* The target class of relationship("Order") / relationship(Order) /
 * relationship(lambda: Order); NULL when it cannot be read. */
static char *rel_target(const pysource_t *src, TSNode call)
{
    TSNode a = pysource_call_arg(src, call, 0);
    if (ts_node_is_null(a))
        a = pysource_call_kwarg(src, call, "argument");
    if (ts_node_is_null(a))
        return NULL;
    if (PYSOURCE_NODE_IS(a, "lambda"))
        a = field(a, "body");
    char *s = str_value(src, a);
    if (!s)
        s = pysource_dotted_name(src, a);
    if (s) {
        /* "app.models.Order" names the class by its module path */
        char *dot = strrchr(s, '.');
        if (dot)
            memmove(s, dot + 1, strlen(dot + 1) + 1);
    }
    return s;
}

/* A relationship's lazy= text as the loading kind: select (the default, True), eager (joined,
 * selectin, subquery, immediate, False), dynamic (dynamic, write_only), else none (noload,
 * raise...). */
static sqla_lazy_t lazy_kind(const char *text)
{
    if (!text || strcmp(text, "select") == 0 || strcmp(text, "True") == 0)
        return SQLA_LAZY_SELECT;
    if (strcmp(text, "joined") == 0 || strcmp(text, "selectin") == 0 ||
        strcmp(text, "subquery") == 0 || strcmp(text, "immediate") == 0 ||
        strcmp(text, "False") == 0)
        return SQLA_LAZY_EAGER;
    if (strcmp(text, "dynamic") == 0 || strcmp(text, "write_only") == 0)
        return SQLA_LAZY_DYNAMIC;
    return SQLA_LAZY_NONE;
}

/* The lazy= argument's literal as text ("noload" for None, "True"/"False" for booleans),
 * malloc()ed; NULL when it is not a literal. */
static char *lazy_literal(const pysource_t *src, TSNode v)
{
    if (ts_node_is_null(v))
        return NULL;
    json_t *j = pysource_eval(src, v);
    char *out = NULL;
    if (json_is_string(j))
        out = xstrdup(json_string_value(j));
    else if (json_is_boolean(j))
        out = xstrdup(json_is_true(j) ? "True" : "False");
    else if (json_is_null(j))
        out = xstrdup("noload"); /* lazy=None is noload */
    json_decref(j);
    return out;
}

/* Mapped[List["X"]] -> collection (1); Mapped["X"] / Mapped[Optional[X]] -> 0;
 * no annotation -> -1. */
typedef struct {
    int collection;
} annot_ctx_t;

/* pysource_walk visitor over a Mapped[...] annotation: stops with a->collection set at a
 * collection type (List, Set, Sequence, WriteOnlyMapped, DynamicMapped). */
static pysource_walk_t annot_visit(const pysource_t *src, TSNode n, void *ctx)
{
    annot_ctx_t *a = ctx;
    if (PYSOURCE_NODE_IS(n, "identifier")) {
        if (pysource_node_text_is(src, n, "List") || pysource_node_text_is(src, n, "list") ||
            pysource_node_text_is(src, n, "Set") || pysource_node_text_is(src, n, "set") ||
            pysource_node_text_is(src, n, "Sequence") ||
            pysource_node_text_is(src, n, "WriteOnlyMapped") ||
            pysource_node_text_is(src, n, "DynamicMapped")) {
            a->collection = 1;
            return PYSOURCE_WALK_STOP;
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* The class a Mapped[...] annotation names: Mapped["Author"],
 * Mapped[List["Book"]], Mapped[Optional[Publisher]]. */
typedef struct {
    char *name;
} annot_target_t;

/* pysource_walk visitor over a Mapped[...] annotation: the innermost name that is not a wrapper
 * (Mapped, List, Optional, ...) or a quoted forward reference becomes the relationship's target
 * class. */
static pysource_walk_t annot_target_visit(const pysource_t *src, TSNode n, void *ctx)
{
    annot_target_t *a = ctx;
    const char *wrappers[] = {"Mapped",        "List",   "list",     "Optional",
                              "Set",           "set",    "Sequence", "WriteOnlyMapped",
                              "DynamicMapped", "typing", "None"};
    if (PYSOURCE_NODE_IS(n, "string")) {
        char *v = str_value(src, n);
        if (v) {
            free(a->name);
            a->name = v;
        }
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (PYSOURCE_NODE_IS(n, "identifier")) {
        for (size_t i = 0; i < sizeof wrappers / sizeof *wrappers; i++)
            if (pysource_node_text_is(src, n, wrappers[i]))
                return PYSOURCE_WALK_CONTINUE;
        free(a->name);
        a->name = pysource_node_text(src, n);
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Appends relationship r to model m (taking its strings over). */
static void add_rel(sqla_model_t *m, sqla_relationship_t *r)
{
    m->rels = grow(m->rels, m->nrels, sizeof *m->rels);
    m->rels[m->nrels++] = *r;
}

/* Appends the column that Column(...)/mapped_column(...) call declares as attribute attr of m: its
 * column name (the first string argument, name=, else the attribute), foreign key target (string
 * or Model.attr), primary key, and whether a Python-side default or onupdate is computed at run
 * time. A Model.attr foreign key leaves fk_table NULL and Model in (*fk_class)[column] (grown
 * with m->columns), for copy_body to resolve once the models are known. */
static void read_column(sqla_model_t *m, char ***fk_class, const pysource_t *src, const char *attr,
                        TSNode call)
{
    sqla_column_t col;
    memset(&col, 0, sizeof col);
    char *fkc = NULL;
    col.attr = xstrdup(attr);
    TSNode args = field(call, "arguments");
    uint32_t n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
    for (uint32_t i = 0; i < n; i++) {
        TSNode a = ts_node_named_child(args, i);
        if (i == 0 && PYSOURCE_NODE_IS(a, "string") && !col.column)
            col.column = str_value(src, a);
        if (callee_is(src, a, "ForeignKey")) {
            char *ref = str_value(src, pysource_call_arg(src, a, 0));
            if (!ref) {
                /* ForeignKey(User.id) */
                char *d = pysource_dotted_name(src, pysource_call_arg(src, a, 0));
                if (d) {
                    char *dot = strrchr(d, '.');
                    if (dot) {
                        *dot = 0;
                        free(col.fk_table);
                        free(col.fk_column);
                        free(fkc);
                        col.fk_table = NULL;
                        fkc = xstrdup(d);
                        col.fk_column = xstrdup(dot + 1);
                    }
                    free(d);
                }
            } else {
                char *dot = strrchr(ref, '.');
                if (dot) {
                    *dot = 0;
                    const char *tbl = strrchr(ref, '.'); /* schema.table.column */
                    free(col.fk_table);
                    free(col.fk_column);
                    free(fkc);
                    fkc = NULL;
                    col.fk_table = xstrdup(tbl ? tbl + 1 : ref);
                    col.fk_column = xstrdup(dot + 1);
                }
                free(ref);
            }
        }
    }
    col.primary_key = bool_value(src, pysource_call_kwarg(src, call, "primary_key")) == 1;
    const char *dkw[] = {"default", "onupdate"};
    for (size_t k = 0; k < 2; k++) {
        TSNode d = pysource_call_kwarg(src, call, dkw[k]);
        json_t *v = ts_node_is_null(d) ? NULL : pysource_eval(src, d);
        if (!ts_node_is_null(d) && !v)
            col.python_default = true;
        json_decref(v);
    }
    TSNode nm = pysource_call_kwarg(src, call, "name");
    if (!col.column && !ts_node_is_null(nm))
        col.column = str_value(src, nm);
    if (!col.column)
        col.column = xstrdup(attr);
    m->columns = grow(m->columns, m->ncolumns, sizeof *m->columns);
    *fk_class = grow(*fk_class, m->ncolumns, sizeof **fk_class);
    (*fk_class)[m->ncolumns] = fkc;
    m->columns[m->ncolumns++] = col;
}

/* A method in a model's class body: a custom __init__, or code that runs
 * when an attribute is set (@validates, @x.setter), changes what a bulk
 * INSERT of dicts would skip. */
static void read_method(sqla_model_t *m, const pysource_t *src, TSNode st, TSNode def)
{
    if (pysource_node_text_is(src, field(def, "name"), "__init__"))
        m->custom_init = true;
    if (PYSOURCE_NODE_IS(st, "decorated_definition")) {
        /* @validates("a"), @x.setter: code runs when an attribute is set */
        size_t len;
        const char *t = pysource_node_span(src, st, &len);
        size_t dl = (size_t)(ts_node_start_byte(def) - ts_node_start_byte(st));
        for (size_t k = 0; k + 8 <= dl && k < len; k++)
            if (strncmp(t + k, "validates", 9) == 0 || strncmp(t + k, ".setter", 7) == 0)
                m->validates = true;
    }
}

/* attr = relationship(...) (statement st, the call right, the annotation
 * type) on model m: target (argument or Mapped[...] annotation), lazy,
 * secondary, back_populates, whether it is a collection (uselist, the
 * annotation, a secondary table; rel_annot[i] says whether that was
 * decided here or is left to the foreign keys), and a backref's
 * relationship, kept on m until resolve_rels moves it to the target. */
static void read_relationship(sqla_model_t *m, const pysource_t *src, TSNode st, const char *attr,
                              TSNode right, TSNode type, int *rel_annot)
{
    sqla_relationship_t r;
    memset(&r, 0, sizeof r);
    r.name = xstrdup(attr);
    r.target = rel_target(src, right);
    if (!r.target && !ts_node_is_null(type)) {
        annot_target_t at = {NULL};
        pysource_walk(src, type, annot_target_visit, &at);
        r.target = at.name;
    }
    r.lazy_text = lazy_literal(src, pysource_call_kwarg(src, right, "lazy"));
    r.lazy = lazy_kind(r.lazy_text);
    TSNode sec = pysource_call_kwarg(src, right, "secondary");
    r.secondary = ts_node_is_null(sec) ? NULL : pysource_node_text(src, sec);
    r.back_populates = str_value(src, pysource_call_kwarg(src, right, "back_populates"));
    r.line = pysource_node_line(st);
    int uselist = bool_value(src, pysource_call_kwarg(src, right, "uselist"));
    int annot = -1;
    if (!ts_node_is_null(type)) {
        annot_ctx_t ac = {0};
        pysource_walk(src, type, annot_visit, &ac);
        annot = ac.collection;
    }
    /* -1: decide from foreign keys once every model is known */
    r.collection = uselist >= 0 ? uselist : annot >= 0 ? annot : r.secondary ? 1 : 0;
    rel_annot[m->nrels] = uselist >= 0 || annot >= 0 || r.secondary ? 1 : 0;
    /* backref="name" or backref("name", lazy=...) on the other side */
    TSNode br = pysource_call_kwarg(src, right, "backref");
    char *brname = NULL, *brlazy = NULL;
    if (callee_is(src, br, "backref")) {
        brname = str_value(src, pysource_call_arg(src, br, 0));
        brlazy = lazy_literal(src, pysource_call_kwarg(src, br, "lazy"));
    } else if (!ts_node_is_null(br)) {
        brname = str_value(src, br);
    }
    if (r.target) {
        add_rel(m, &r);
        if (brname) {
            /* stored on this model for now; moved to the target in resolve_rels */
            sqla_relationship_t b;
            memset(&b, 0, sizeof b);
            b.name = brname;
            b.target = xstrdup(m->name);
            b.lazy_text = brlazy;
            b.lazy = lazy_kind(brlazy);
            b.from_backref = true;
            b.back_populates = xstrdup(attr);
            b.secondary = xstrdup_or_null(r.secondary);
            b.line = r.line;
            brname = brlazy = NULL;
            add_rel(m, &b);
        }
    } else {
        free(r.name);
        free(r.target);
        free(r.lazy_text);
        free(r.secondary);
        free(r.back_populates);
    }
    free(brname);
    free(brlazy);
}

/* pysource_find_calls visitor: PrimaryKeyConstraint('a', 'b') in __table_args__ makes each
 * named column (by column name or attribute) part of the primary key. */
static pysource_walk_t pk_constraint_visit(const pysource_t *src, TSNode call, void *ctx)
{
    sqla_model_t *m = ctx;
    for (unsigned k = 0;; k++) {
        TSNode a = pysource_call_arg(src, call, k);
        if (ts_node_is_null(a))
            break;
        char *name = str_value(src, a);
        for (size_t i = 0; name && i < m->ncolumns; i++)
            if (strcmp(m->columns[i].column, name) == 0 || strcmp(m->columns[i].attr, name) == 0)
                m->columns[i].primary_key = true;
        free(name);
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Reads the class body of model m (its named children stmts, in order). Relationship
 * collection-ness that depends on foreign keys is settled later (resolve_rels), since the
 * target's table may be declared after. */
static void read_model_body(sqla_model_t *m, char ***fk_class, const pysource_t *src,
                            const TSNode *stmts, size_t nstmts, int *rel_annot)
{
    const pysource_syms_t *y = pysource_syms();
    TSNode table_args = {0}; /* read once every column is known (it may come first) */
    for (size_t si = 0; si < nstmts; si++) {
        TSNode st = stmts[si];
        TSSymbol t = ts_node_symbol(st);
        TSNode def = t == y->decorated_definition ? field(st, "definition") : st;
        if (pysource_node_sym_is(def, y->function_definition)) {
            read_method(m, src, st, def);
            continue;
        }
        if (t != y->expression_statement)
            continue;
        TSNode a = ts_node_named_child(st, 0);
        if (!pysource_node_sym_is(a, y->assignment))
            continue;
        TSNode left = field(a, "left"), right = field(a, "right"), type = field(a, "type");
        if (pysource_node_sym_is(left, y->identifier) && ts_node_is_null(right) &&
            !ts_node_is_null(type)) {
            /* `x: Mapped[int]` alone is a column (2.0 declarative) */
            size_t tl;
            const char *tt = pysource_node_span(src, type, &tl);
            if (tl > 7 && strncmp(tt, "Mapped[", 7) == 0) {
                char *attr = pysource_node_text(src, left);
                if (attr && attr[0] != '_')
                    read_column(m, fk_class, src, attr, type);
                free(attr);
            }
            continue;
        }
        if (!pysource_node_sym_is(left, y->identifier) || ts_node_is_null(right))
            continue;
        char *attr = pysource_node_text(src, left);
        if (!attr)
            continue;
        leaf_t callee = callee_leaf(src, right);
        if (strcmp(attr, "__mapper_args__") == 0) {
            m->mapper_args = true;
        } else if (strcmp(attr, "__table_args__") == 0) {
            table_args = right;
        } else if (strcmp(attr, "__tablename__") == 0) {
            free(m->table);
            m->table = str_value(src, right);
        } else if (strcmp(attr, "__table__") == 0 && leaf_is(callee, "Table")) {
            free(m->table);
            m->table = str_value(src, pysource_call_arg(src, right, 0));
        } else if (leaf_is(callee, "Column") || leaf_is(callee, "mapped_column")) {
            read_column(m, fk_class, src, attr, right);
        } else if (leaf_is(callee, "relationship") || leaf_is(callee, "relation")) {
            read_relationship(m, src, st, attr, right, type, rel_annot);
        }
        free(attr);
        if (m->nrels >= 255)
            break;
    }
    if (!ts_node_is_null(table_args))
        pysource_find_calls(src, table_args, "PrimaryKeyConstraint", pk_constraint_visit, m);
}

/* Whether one of m's columns has a foreign key to table. */
static bool has_fk_to(const sqla_model_t *m, const char *table)
{
    for (size_t i = 0; i < m->ncolumns; i++)
        if (m->columns[i].fk_table && table && strcmp(m->columns[i].fk_table, table) == 0)
            return true;
    return false;
}

typedef struct {
    size_t model;
    int decided[256];
} pending_t;

/* Frees what a relationship owns. */
static void rel_free(sqla_relationship_t *r)
{
    free(r->name);
    free(r->target);
    free(r->lazy_text);
    free(r->secondary);
    free(r->back_populates);
}

/* Frees what a model owns (not the struct). */
static void model_free(sqla_model_t *m)
{
    free(m->name);
    free(m->table);
    free(m->parent);
    for (size_t k = 0; k < m->ncolumns; k++) {
        free(m->columns[k].attr);
        free(m->columns[k].column);
        free(m->columns[k].fk_table);
        free(m->columns[k].fk_column);
    }
    free(m->columns);
    for (size_t k = 0; k < m->nrels; k++)
        rel_free(&m->rels[k]);
    free(m->rels);
    memset(m, 0, sizeof *m);
}

/* Model m gets class kc's body (read when its file was indexed): the
 * columns, with a ForeignKey(Class.attr) resolved to Class's table when
 * Class is a model already (in the models' order, as when bodies were read
 * at this point), the relationships, and what a bulk INSERT skips; decided
 * (256 entries) gets the body's collection decisions. */
static void copy_body(sqla_project_t *p, sqla_model_t *m, const klass_t *kc, int *decided)
{
    const sqla_model_t *b = &kc->body;
    m->table = xstrdup_or_null(b->table);
    m->mapper_args = b->mapper_args;
    m->custom_init = b->custom_init;
    m->validates = b->validates;
    if (b->ncolumns) {
        m->columns = xcalloc(b->ncolumns, sizeof *m->columns);
        for (size_t k = 0; k < b->ncolumns; k++) {
            const sqla_column_t *c = &b->columns[k];
            sqla_column_t *o = &m->columns[k];
            *o = *c;
            o->attr = xstrdup(c->attr);
            o->column = xstrdup(c->column);
            o->fk_column = xstrdup_or_null(c->fk_column);
            if (kc->fk_class && kc->fk_class[k]) {
                const sqla_model_t *t = find_model(p, kc->fk_class[k]);
                o->fk_table = xstrdup(t && t->table ? t->table : kc->fk_class[k]);
            } else {
                o->fk_table = xstrdup_or_null(c->fk_table);
            }
        }
        m->ncolumns = b->ncolumns;
    }
    if (b->nrels) {
        m->rels = xcalloc(b->nrels, sizeof *m->rels);
        for (size_t k = 0; k < b->nrels; k++) {
            const sqla_relationship_t *r = &b->rels[k];
            sqla_relationship_t *o = &m->rels[k];
            *o = *r;
            o->name = xstrdup(r->name);
            o->target = xstrdup(r->target);
            o->lazy_text = xstrdup_or_null(r->lazy_text);
            o->secondary = xstrdup_or_null(r->secondary);
            o->back_populates = xstrdup_or_null(r->back_populates);
            decided[k] = kc->decided[k];
        }
        m->nrels = b->nrels;
    }
}

/* Finds the models: classes with a declarative base or a model among their bases, repeated until
 * no new one appears (bases may come later in file order), over the classes of the files added so
 * far in file order; each new model gets its class's body (copy_body) and is queued in pending for
 * the relationship decisions. */
static void collect_models(sqla_project_t *p, pending_t **pending, size_t *npending)
{
    /* a class is a model when one of its bases is a declarative base or a
     * model; iterate until no new class is found (bases may come later in
     * the file order). */
    /* capacities of p->models and *pending (empty on entry: build_models),
     * doubled as they fill: grow's one more at a time copied the list at
     * every model, 0.44 of heat's builds */
    size_t cap = 0;
    bool changed = true;
    free(p->klass_model);
    p->nklass_model = p->nclasses;
    p->klass_model = xreallocarray(NULL, p->nclasses + 1, sizeof *p->klass_model);
    for (size_t k = 0; k < p->nclasses; k++)
        p->klass_model[k] = SIZE_MAX;
    while (changed) {
        changed = false;
        for (size_t fi = 0; fi < p->nfiles; fi++) {
            const pfile_t *pf = &p->files[fi];
            if (!pf->added)
                continue;
            for (size_t k = pf->class_first; k < pf->class_first + pf->nclasses; k++) {
                const klass_t *kc = &p->classes[k];
                const char *name = kc->name;
                /* a class of another module with a model's name may be a model of its own
                 * (nova's API and main databases) or no model (heat's engine Resource) */
                if (p->klass_model[k] != SIZE_MAX || base_in_file(p, kc->file, name))
                    continue;
                bool model = false, flask = false;
                char *parent_name = NULL;
                for (size_t s = 0; s < kc->nsups && !model; s++) {
                    const char *d = kc->sups[s];
                    const char *last = strrchr(d, '.');
                    int b = 0;
                    if (last && strcmp(last, ".Model") == 0) {
                        model = flask = true;
                    } else if ((b = base_ref(p, kc->file, d, kc->sup_qual[s], &flask)) == 1 ||
                               (b < 0 && (is_base_name(p, d, &flask) ||
                                          (last && is_base_name(p, last + 1, &flask))))) {
                        /* Base, or module.BASE (octavia's base_models.BASE); by name only
                         * when the name cannot be resolved */
                        model = true;
                    } else {
                        /* the superclass as the module binds it: heat's engine classes
                         * (resource.Resource, heat.engine.resource) are no models whatever
                         * heat's models module calls its own Resource */
                        sqla_model_t *parent = model_ref(p, kc->file, d, kc->sup_qual[s]);
                        if (parent) {
                            model = true;
                            flask = parent->flask;
                            parent_name = xstrdup(parent->name);
                        }
                    }
                }
                /* __abstract__ = True: an intermediate base, not mapped */
                if (model && kc->abstract) {
                    add_base(p, name, flask);
                    p->klass_model[k] = KLASS_BASE;
                    changed = true;
                } else if (model) {
                    if (p->nmodels == cap) {
                        cap = cap ? 2 * cap : 64;
                        p->models = xreallocarray(p->models, cap, sizeof *p->models);
                        *pending = xreallocarray(*pending, cap, sizeof **pending);
                    }
                    sqla_model_t *m = &p->models[p->nmodels];
                    memset(m, 0, sizeof *m);
                    m->name = xstrdup(name);
                    m->file = kc->file;
                    m->line = kc->line;
                    m->flask = flask;
                    m->parent = parent_name;
                    parent_name = NULL;
                    memset(&(*pending)[*npending], 0, sizeof **pending);
                    (*pending)[*npending].model = p->nmodels;
                    copy_body(p, m, kc, (*pending)[*npending].decided);
                    if (!m->table && m->flask)
                        m->table = snake_case(m->name);
                    p->klass_model[k] = p->nmodels;
                    nidx_put_first(&p->model_index, m->name, p->nmodels);
                    p->nmodels++;
                    (*npending)++;
                    changed = true;
                }
                free(parent_name);
            }
        }
    }
}

/* Settles collection-ness from foreign keys and moves backrefs to their
 * target models. */
static void resolve_rels(sqla_project_t *p, pending_t *pending, size_t npending)
{
    for (size_t k = 0; k < npending; k++) {
        if ((k & 1023) == 0)
            progress_beat("code scan: relationships", (int64_t)k, (int64_t)npending);
        sqla_model_t *m = &p->models[pending[k].model];
        for (size_t i = 0; i < m->nrels && i < 256; i++) {
            sqla_relationship_t *r = &m->rels[i];
            if (r->from_backref || pending[k].decided[i])
                continue;
            const sqla_model_t *t = find_model(p, r->target);
            r->collection = !(t && has_fk_to(m, t->table));
        }
    }
    /* Two passes: take every backref off the model that declared it, then
     * give each to its owner. Moving them in one pass looped forever on a
     * self-referential relationship with a backref (cinder's
     * Volume.consistencygroup style: the owner is the model being walked,
     * so the moved backref came round again and again). */
    typedef struct {
        sqla_model_t *owner;
        sqla_relationship_t rel;
    } move_t;
    move_t *moves = NULL;
    size_t nmoves = 0;
    for (size_t k = 0; k < p->nmodels; k++) {
        sqla_model_t *m = &p->models[k];
        for (size_t i = 0; i < m->nrels;) {
            sqla_relationship_t *r = &m->rels[i];
            if (!r->from_backref || strcmp(r->target, m->name) != 0) {
                i++;
                continue;
            }
            /* the backref's owner is the forward relationship's target */
            const sqla_relationship_t *fwd = sqla_model_relationship(m, r->back_populates);
            sqla_model_t *owner = fwd ? find_model(p, fwd->target) : NULL;
            sqla_relationship_t moved = *r;
            if (fwd)
                moved.collection = fwd->secondary ? true : !fwd->collection;
            memmove(&m->rels[i], &m->rels[i + 1], (m->nrels - i - 1) * sizeof *r);
            m->nrels--;
            if (owner) {
                moves = grow(moves, nmoves, sizeof *moves);
                moves[nmoves].owner = owner;
                moves[nmoves++].rel = moved;
            } else {
                free(moved.name);
                free(moved.target);
                free(moved.lazy_text);
                free(moved.secondary);
                free(moved.back_populates);
            }
        }
    }
    for (size_t k = 0; k < nmoves; k++) {
        sqla_relationship_t *r = &moves[k].rel;
        if (!sqla_model_relationship(moves[k].owner, r->name)) {
            add_rel(moves[k].owner, r);
        } else {
            free(r->name);
            free(r->target);
            free(r->lazy_text);
            free(r->secondary);
            free(r->back_populates);
        }
    }
    free(moves);
}

/* FNV-1a over n bytes, continuing h. */
static uint64_t hmix(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* A string (its terminating NUL included, so "a","b" differs from "ab"), or NULL, into h. */
static uint64_t hstr(uint64_t h, const char *s)
{
    return s ? hmix(h, s, strlen(s) + 1) : hmix(h, "\xff", 1);
}

/* Everything a detection can read of model m, as one number: two look-ups
 * of a name answer the same when the models they find hash the same. */
static uint64_t model_hash_of(const sqla_model_t *m)
{
    uint64_t h = 1469598103934665603ULL;
    h = hstr(h, m->name);
    h = hstr(h, m->table);
    h = hstr(h, m->parent);
    uint64_t nums[] = {m->file,        m->line,      m->flask,    m->mapper_args,
                       m->custom_init, m->validates, m->ncolumns, m->nrels};
    h = hmix(h, nums, sizeof nums);
    for (size_t k = 0; k < m->ncolumns; k++) {
        const sqla_column_t *c = &m->columns[k];
        h = hstr(h, c->attr);
        h = hstr(h, c->column);
        h = hstr(h, c->fk_table);
        h = hstr(h, c->fk_column);
        unsigned char f[2] = {c->primary_key, c->python_default};
        h = hmix(h, f, sizeof f);
    }
    for (size_t k = 0; k < m->nrels; k++) {
        const sqla_relationship_t *r = &m->rels[k];
        h = hstr(h, r->name);
        h = hstr(h, r->target);
        h = hstr(h, r->lazy_text);
        h = hstr(h, r->secondary);
        h = hstr(h, r->back_populates);
        uint64_t f[4] = {r->lazy, r->collection, r->from_backref, r->line};
        h = hmix(h, f, sizeof f);
    }
    return h ? h : 1; /* 0 is "no model" in the logs */
}

/* (Re)builds the models from the classes of the files added so far, as
 * the whole project's were built after its first pass: the bases are the
 * files' own again (the abstract classes are found anew), then
 * collect_models and resolve_rels. Called after the last file, and during
 * a one-pass scan whenever a file may have changed the models. */
static void build_models(sqla_project_t *p)
{
    for (size_t i = 0; i < p->nmodels; i++)
        model_free(&p->models[i]);
    free(p->models);
    p->models = NULL;
    p->nmodels = 0;
    free(p->model_hash);
    p->model_hash = NULL;
    nidx_free(&p->model_index);
    for (size_t i = 0; i < p->nbases; i++)
        free(p->bases[i]);
    free(p->bases);
    free(p->base_flask);
    p->bases = NULL;
    p->base_flask = NULL;
    p->nbases = 0;
    for (size_t i = 0; i < p->nibases; i++)
        add_base(p, p->ibases[i], false);
    pending_t *pending = NULL;
    size_t npending = 0;
    collect_models(p, &pending, &npending);
    resolve_rels(p, pending, npending);
    free(pending);
    p->model_hash = xcalloc(p->nmodels + 1, sizeof *p->model_hash);
    uint64_t all = hmix(1469598103934665603ULL, &p->nmodels, sizeof p->nmodels);
    for (size_t i = 0; i < p->nmodels; i++) {
        p->model_hash[i] = model_hash_of(&p->models[i]);
        all = hmix(all, &p->model_hash[i], sizeof p->model_hash[i]);
    }
    p->models_hash = all ? all : 1;
    p->models_dirty = false;
}

/* Makes the models the ones sqla_project_add would have built at once (a one-pass scan defers that
 * build to the next read). Exact: a build is a function of the added files' classes and the index
 * bases only, and while a build is due models_dirty stays true, so the files added meanwhile skip
 * may_be_model (record_classes): a file it would have passed leaves the models as they were (its
 * test covers every way collect_models makes a class a model or base), and one it would have
 * flagged triggered a build at its own add anyway; either way the build from all the files now in
 * is what eager building left. Reads happen before any early indexing (index_early calls this
 * first), so an early file's classes never enter a build before its own add, as before. */
static void models_current(const sqla_project_t *cp)
{
    sqla_project_t *p = (sqla_project_t *)cp;
    if (!p->build_due)
        return;
    p->build_due = false;
    build_models(p);
}

/* ---- the tree cache ---------------------------------------------------- */

/* FNV-1a of the n bytes at s, never 0 (the empty slot of an hset_t). */
static uint64_t span_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ? h : 1;
}

/* Whether hash h is in set; *slot: where it is, or the empty slot it would go to. The set must
 * have a table (hset_put made it). */
static bool hset_find(const hset_t *set, uint64_t h, size_t *slot)
{
    size_t i = (size_t)h & (set->cap - 1);
    while (set->h[i] && set->h[i] != h)
        i = (i + 1) & (set->cap - 1);
    *slot = i;
    return set->h[i] == h;
}

/* Whether hash h is in set, which may have no table yet (empty). */
static bool hset_has(const hset_t *set, uint64_t h)
{
    size_t i;
    return set->cap && hset_find(set, h, &i);
}

/* Adds hash h to set (the table doubles at half full; min: its first size, a power of 2). */
static void hset_put(hset_t *set, uint64_t h, size_t min)
{
    size_t i;
    if ((set->n + 1) * 2 > set->cap) {
        uint64_t *old = set->h;
        size_t cap = set->cap;
        set->cap = cap ? cap * 2 : min;
        set->h = xcalloc(set->cap, sizeof *set->h);
        for (size_t k = 0; k < cap; k++)
            if (old[k] && !hset_find(set, old[k], &i))
                set->h[i] = old[k];
        free(old);
    }
    if (!hset_find(set, h, &i)) {
        set->h[i] = h;
        set->n++;
    }
}

/* Whether file g's scan is still to come (the one pass adds a file right before its scan; a file
 * indexed early is scanned right after the scan that indexed it). */
static bool scan_to_come(const sqla_project_t *p, size_t g)
{
    return !p->files[g].added || p->files[g].early;
}

/* The names file g's text writes right before a "(": what it may call (a method's name after
 * the dot). Read at the first question, from the text alone, dropped when g's scan comes
 * (sqla_project_add). A name in a string or a comment counts too: this only predicts. */
static const hset_t *file_calls(sqla_project_t *p, size_t g)
{
    pfile_t *pf = &p->files[g];
    if (!pf->calls_read) {
        pf->calls_read = true;
        const char *c = pf->content, *end = c + pf->len;
        for (const char *q = c; (q = memchr(q, '(', (size_t)(end - q))) != NULL; q++) {
            const char *n = q;
            while (n > c && sqla_ident_byte((unsigned char)n[-1]))
                n--;
            if (n < q)
                hset_put(&pf->calls, span_hash(n, (size_t)(q - n)), 64);
        }
    }
    return &pf->calls;
}

/* How much of file i's functions the scans still to come will likely ask for, in bytes of their
 * text: the functions whose name is called in the text of a file that imports i and is not
 * scanned yet; those files into f->wanted_by. A scan asks for another module's function when it
 * follows a call from a loop into a helper (sqla_perloop.c), and with the tree gone the
 * function is parsed alone (sqla_function_tree). This reads only the text: a wrong guess costs
 * memory within the cache's budget, never a finding, since the whole tree answers as the
 * function parsed alone does. 0 without the importers (an order the caller gave). */
static size_t predicted_asks(sqla_project_t *p, size_t i)
{
    pfile_t *f = &p->files[i];
    free(f->wanted_by);
    f->wanted_by = NULL;
    f->nwanted = 0;
    if (!p->imp_first)
        return 0;
    size_t bytes = 0, from = p->imp_first[i], to = p->imp_first[i + 1];
    bool *hit = NULL;
    for (size_t k = 0; k < f->nfuncs; k++) {
        const sqla_function_t *fn = &f->funcs[k];
        uint64_t h = 0;
        bool counted = false;
        for (size_t e = from; e < to; e++) {
            size_t g = p->imp_files[e];
            if (!scan_to_come(p, g))
                continue;
            if (!h)
                h = span_hash(fn->name, strlen(fn->name));
            if (!hset_has(file_calls(p, g), h))
                continue;
            if (!counted)
                bytes += fn->end - fn->start;
            counted = true;
            if (!hit)
                hit = xcalloc(to - from, sizeof *hit);
            hit[e - from] = true;
        }
    }
    for (size_t e = from; hit && e < to; e++)
        if (hit[e - from]) {
            f->wanted_by = grow(f->wanted_by, f->nwanted, sizeof *f->wanted_by);
            f->wanted_by[f->nwanted++] = p->imp_files[e];
        }
    free(hit);
    return bytes;
}

/* Whether a scan that tree f was kept for (predicted_asks) is still to come. */
static bool still_wanted(const sqla_project_t *p, const pfile_t *f)
{
    for (size_t k = 0; k < f->nwanted; k++)
        if (scan_to_come(p, f->wanted_by[k]))
            return true;
    return false;
}

/* The least share of a file's text that the scans to come must be predicted to ask for
 * (predicted_asks) for its tree to be kept: a tree kept for one small helper costs more, in
 * memory every later walk touches and in its cold free, than the parse it saves. */
#define KEEP_MIN_SHARE 0.5

/* At most this many bytes of source, of the cache's budget, in trees kept for a prediction
 * (about 6 MB of trees): what the cache's budget allows a large project (1 MiB) doubled the
 * analysis's own growth of peak RSS on cinder, nova and neutron (bench/RESULTS-orm.md,
 * orm-keep), for parses that cost a few percent; a small project's whole budget (placement:
 * 70 kB) stays within it. */
#define PREDICTED_MAX_BYTES ((size_t)256 << 10)

/* At file i's first trim after its scan: whether to keep its tree for the scans to come. */
static bool predicted_share(sqla_project_t *p, size_t i)
{
    pfile_t *f = &p->files[i];
    if (f->len == 0 || f->len > p->cache->budget)
        return false;
    size_t bytes = predicted_asks(p, i);
    if ((double)bytes < KEEP_MIN_SHARE * (double)f->len)
        return false;
    f->predicted = true;
    f->predicted_bytes = bytes;
    p->cache->predicted_bytes += f->len;
    return true;
}

/* Whether the budget evicts cached tree a before b: the predicted trees first, the one that
 * would save the fewest bytes of parsing per byte it holds first; then the tree handed out to
 * the fewest scans, then the least recently used: a module the scans followed helpers into
 * before is likely followed into again (nova's db/main/api.py, compute/utils.py), while most
 * files are scanned once and never asked for again. */
static bool evict_before(const pfile_t *a, const pfile_t *b)
{
    if (a->predicted != b->predicted)
        return a->predicted;
    if (a->predicted) {
        double da = (double)a->predicted_bytes / (double)(a->len ? a->len : 1);
        double db = (double)b->predicted_bytes / (double)(b->len ? b->len : 1);
        if (da != db)
            return da < db;
    } else if (a->scans != b->scans) {
        return a->scans < b->scans;
    }
    return a->used < b->used;
}

/* Frees cached tree k (an index into the cache's list). */
static void cache_drop(sqla_project_t *p, size_t k)
{
    tree_cache_t *c = p->cache;
    pfile_t *f = &p->files[c->cached[k]];
    pysource_destroy(&f->tree);
    if (f->predicted)
        c->predicted_bytes -= f->len;
    f->predicted = false;
    f->predicted_bytes = 0;
    free(f->wanted_by);
    f->wanted_by = NULL;
    f->nwanted = 0;
    c->bytes -= f->len;
    c->cached[k] = c->cached[--c->ncached];
}

/* At a scan's end: frees the trees only one scan asked for unless a scan to come will likely ask
 * for them, then unpinned trees in evict_before's order until the cache is within its budget
 * (or only pinned trees are left). */
static void cache_trim(sqla_project_t *p)
{
    tree_cache_t *c = p->cache;
    /* Most files are scanned once and never asked for again: their trees
     * are freed now, while the scan has just walked them and they are in
     * the CPU caches, not when the budget evicts them later. Freeing a tree
     * visits every node (ts_subtree_release), and on a cold tree that took
     * twice the time per instruction of the parse-only run's frees (perf:
     * 8.2% of nova's analysis time for 1.5% of its instructions); the
     * cached trees also widened the memory every later parse and walk
     * touched. Kept: the trees several scans asked for (the modules scans
     * follow helpers into), and held ones. Measured on the 13 packages
     * (bench/RESULTS-orm.md, orm-wall): less CPU time on each, peak RSS
     * down by a quarter to a third, a few more functions parsed alone. */
    /* A tree a scan to come will likely ask for is kept instead, within the budget, until no
     * such scan is left: a module whose helpers a later module's loops call
     * (python3-placement's objects/research_context.py, whose 10 functions
     * objects/allocation_candidate.py's scan, 20 scans later, parsed alone: 26 M instructions,
     * half a parse of the whole file). Its tree is then freed cold, at twice the time per
     * instruction, but that is a fraction of the parses it saves (bench/RESULTS-orm.md,
     * orm-keep). Once the predicted scans asked for it, such a tree is not kept on as a module
     * several scans followed helpers into: it goes when none of them is left. */
    for (size_t k = 0; k < c->ncached;) {
        pfile_t *f = &p->files[c->cached[k]];
        if (f->pinned || f->held || (f->scans > 1 && !f->predicted)) {
            k++;
            continue;
        }
        if (f->predicted ? still_wanted(p, f) : predicted_share(p, c->cached[k])) {
            k++;
            continue;
        }
        cache_drop(p, k);
    }
    while (c->bytes > c->budget || c->predicted_bytes > PREDICTED_MAX_BYTES) {
        bool predicted_only = c->bytes <= c->budget;
        size_t victim = SIZE_MAX;
        for (size_t k = 0; k < c->ncached; k++) {
            const pfile_t *f = &p->files[c->cached[k]];
            if (f->pinned || f->held || (predicted_only && !f->predicted))
                continue;
            if (victim == SIZE_MAX || evict_before(f, &p->files[c->cached[victim]]))
                victim = k;
        }
        if (victim == SIZE_MAX)
            return;
        cache_drop(p, victim);
    }
}

/* Puts file i's tree in the cache; pinned when handed out to a scan. A
 * tree that does not fit is freed at once unless pinned. */
static void cache_put(sqla_project_t *p, size_t i, pysource_t *tree, bool pinned)
{
    tree_cache_t *c = p->cache;
    pfile_t *f = &p->files[i];
    if (!pinned && c->bytes + f->len > c->budget) {
        pysource_destroy(&tree);
        return;
    }
    if (c->ncached == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        c->cached = xreallocarray(c->cached, cap, sizeof *c->cached);
        c->cap = cap;
    }
    f->tree = tree;
    f->used = ++c->clock;
    f->pinned = pinned;
    c->cached[c->ncached++] = i;
    c->bytes += f->len;
}

const pysource_t *sqla_project_file(const sqla_project_t *cp, size_t i)
{
    sqla_project_t *p = (sqla_project_t *)cp; /* the cache only: see struct */
    if (i >= p->nfiles)
        return NULL;
    pfile_t *f = &p->files[i];
    if (!f->tree) {
        err_t err;
        pysource_t *tree = pysource_parse(f->path, f->content, f->len, &err);
        if (!tree) {
            p->cache->oom = true;
            return NULL;
        }
        p->cache->parses++;
        f->scans++;
        cache_put(p, i, tree, true);
        return f->tree;
    }
    if (!f->pinned)
        f->scans++;
    f->used = ++p->cache->clock;
    f->pinned = true;
    return f->tree;
}

static void fn_cache_trim(sqla_project_t *p);

void sqla_project_scan_end(const sqla_project_t *cp)
{
    sqla_project_t *p = (sqla_project_t *)cp;
    tree_cache_t *c = p->cache;
    for (size_t k = 0; k < c->ncached; k++)
        p->files[c->cached[k]].pinned = false;
    cache_trim(p);
    fn_cache_t *fc = p->fcache;
    for (size_t k = 0; k < fc->n; k++)
        fc->e[k].pinned = false;
    fn_cache_trim(p);
}

bool sqla_project_file_is(const sqla_project_t *p, size_t i, const pysource_t *src)
{
    return i < p->nfiles && src && p->files[i].tree == src;
}

const char *sqla_project_path(const sqla_project_t *p, size_t i)
{
    return i < p->nfiles ? p->files[i].path : NULL;
}

const char *sqla_project_content(const sqla_project_t *p, size_t i, size_t *len)
{
    if (i >= p->nfiles) {
        *len = 0;
        return NULL;
    }
    *len = p->files[i].len;
    return p->files[i].content;
}

bool sqla_project_file_error(const sqla_project_t *p, size_t i, unsigned *line, unsigned *column)
{
    if (i >= p->nfiles || !p->files[i].has_error)
        return false;
    *line = p->files[i].err_line;
    *column = p->files[i].err_col;
    return true;
}

size_t sqla_project_parse_count(const sqla_project_t *p)
{
    return p->cache->parses;
}

size_t sqla_project_fn_parse_count(const sqla_project_t *p)
{
    return p->fcache->parses;
}

/* fn's definition in a tree of its file (whole or its ranges): down from
 * the root through the children that hold the start byte, the outermost
 * function_definition starting there. */
static TSNode def_in(const pysource_t *s, const sqla_function_t *fn)
{
    TSNode n = pysource_root(s);
    while (!ts_node_is_null(n)) {
        if (ts_node_start_byte(n) == fn->start && PYSOURCE_NODE_IS(n, "function_definition"))
            return n;
        n = ts_node_first_child_for_byte(n, fn->start);
    }
    return n;
}

/* Frees the trees of functions parsed alone that no scan holds: they are
 * kept for the scan that asked only. Kept across scans within the file
 * cache's budget (what the file trees left of it), they saved 3 of nova's
 * 131 function parses and cost octavia 136 kB of peak RSS, a package at
 * 10x its source (bench/RESULTS-orm.md). */
static void fn_cache_trim(sqla_project_t *p)
{
    fn_cache_t *fc = p->fcache;
    size_t kept = 0;
    for (size_t k = 0; k < fc->n; k++) {
        if (fc->e[k].pinned) {
            fc->e[kept++] = fc->e[k];
            continue;
        }
        fc->bytes -= fc->e[k].bytes;
        pysource_destroy(&fc->e[k].tree);
    }
    fc->n = kept;
}

TSNode sqla_function_node(const sqla_project_t *p, const sqla_function_t *fn,
                          const pysource_t **src)
{
    TSNode none = {0};
    const pysource_t *s = sqla_project_file(p, fn->file);
    if (src)
        *src = s;
    if (!s)
        return none;
    return def_in(s, fn);
}

TSNode sqla_function_tree(const sqla_project_t *cp, const sqla_function_t *fn,
                          const pysource_t **src)
{
    sqla_project_t *p = (sqla_project_t *)cp; /* the caches only: see struct */
    pfile_t *f = fn->file < p->nfiles ? &p->files[fn->file] : NULL;
    /* the whole tree when it is at hand (no parse), or when the function
     * cannot be parsed alone */
    if (!f || f->tree || !f->ranges || !f->franges || fn < f->funcs || fn >= f->funcs + f->nfuncs ||
        f->franges[fn - f->funcs] == 0)
        return sqla_function_node(p, fn, src);
    /* its range, then the headers around it, outermost first */
    TSRange r[FN_RANGES_MAX];
    size_t n = 0, bytes = 0;
    for (uint32_t k = f->franges[fn - f->funcs]; k && n < FN_RANGES_MAX;
         k = f->ranges[k - 1].parent)
        r[n++] = f->ranges[k - 1].r;
    for (size_t i = 0; i < n / 2; i++) {
        TSRange t = r[i];
        r[i] = r[n - 1 - i];
        r[n - 1 - i] = t;
    }
    for (size_t i = 0; i < n; i++)
        bytes += r[i].end_byte - r[i].start_byte;
    fn_cache_t *fc = p->fcache;
    for (size_t k = 0; k < fc->n; k++) {
        fn_tree_t *e = &fc->e[k];
        if (e->fn != fn)
            continue;
        e->pinned = true;
        if (src)
            *src = e->tree;
        return def_in(e->tree, fn);
    }
    err_t err;
    pysource_t *t = pysource_parse_ranges(f->path, f->content, f->len, r, n, f->imports, &err);
    TSNode def = t ? def_in(t, fn) : (TSNode){0};
    if (!t || ts_node_is_null(def) || pysource_has_error(t)) {
        /* not as the whole file has it (the file parsed cleanly): the
         * whole parse answers */
        pysource_destroy(&t);
        return sqla_function_node(p, fn, src);
    }
    fc->parses++;
    if (fc->n == fc->cap) {
        fc->cap = fc->cap ? fc->cap * 2 : 16;
        fc->e = xreallocarray(fc->e, fc->cap, sizeof *fc->e);
    }
    fc->e[fc->n++] = (fn_tree_t){fn, t, bytes, true};
    fc->bytes += bytes;
    if (src)
        *src = t;
    return def;
}

/* How far past a `def` read_defs looks for its name. */
#define DEF_SPAN 256

static void defs_put(sqla_project_t *p, uint64_t h)
{
    hset_put(&p->defs, h, 1024);
}

/* Every `def NAME` in every file's text: `def` as a word, then every name up to the next "(" or
 * ":" (at most DEF_SPAN bytes on; a comment skipped; a name starting with digits also without
 * them). More than the index holds (strings, comments, the parameters of a `def(` ...), never
 * less: every function the index has is a function_definition, whose text is `def`, its name
 * and its parameters' "(", and in a file with a syntax error what recovery skipped may stand
 * between `def` and the name. */
static void read_defs(sqla_project_t *p)
{
    p->defs_read = true;
    defs_put(p, 1); /* allocates the table: a name hashing to 1 is taken as defined, safe */
    for (size_t f = 0; f < p->nfiles; f++) {
        const char *c = p->files[f].content, *end = c + p->files[f].len, *s = c;
        /* memchr for the 'd': a fifth of memmem's time for "def" (callgrind, placement) */
        while ((s = memchr(s, 'd', (size_t)(end - s))) != NULL) {
            const char *d = s++;
            if ((size_t)(end - d) < 4 || d[1] != 'e' || d[2] != 'f' ||
                (d > c && sqla_ident_byte((unsigned char)d[-1])) ||
                sqla_ident_byte((unsigned char)d[3]))
                continue;
            const char *n = d + 3, *stop = (size_t)(end - n) > DEF_SPAN ? n + DEF_SPAN : end;
            while (n < stop && *n != '(' && *n != ':') {
                if (*n == '#') {
                    while (n < stop && *n != '\n')
                        n++;
                    continue;
                }
                if (!sqla_ident_byte((unsigned char)*n)) {
                    n++;
                    continue;
                }
                const char *m = n;
                while (m < end && sqla_ident_byte((unsigned char)*m))
                    m++;
                defs_put(p, span_hash(n, (size_t)(m - n)));
                const char *a = n;
                while (a < m && isdigit((unsigned char)*a))
                    a++;
                if (a > n && a < m)
                    defs_put(p, span_hash(a, (size_t)(m - a)));
                n = m;
            }
            s = d + 3;
        }
    }
}

bool sqla_project_may_define(const sqla_project_t *cp, const char *name, size_t len)
{
    sqla_project_t *p = (sqla_project_t *)cp; /* read once, at the first question */
    if (!p->defs_read)
        read_defs(p);
    size_t i;
    return hset_find(&p->defs, span_hash(name, len), &i);
}

size_t sqla_project_table_class_count(const sqla_project_t *p)
{
    return p->ntclasses;
}

void sqla_project_table_class(const sqla_project_t *p, size_t i, size_t *file, unsigned *line,
                              const char **name)
{
    const table_class_t *t = &p->tclasses[i];
    *file = t->file;
    *line = t->line;
    *name = t->name;
}

/* ---- pass 1: what each file's tree says, before it is freed ------------ */

/* Whether a class body assigns __tablename__ (looked for in its first 64 statements). */
static bool declares_table(const pysource_t *src, const TSNode *stmts, size_t n)
{
    const pysource_syms_t *y = pysource_syms();
    for (size_t i = 0; i < n && i < 64; i++) {
        TSNode st = stmts[i];
        if (ts_node_symbol(st) != y->expression_statement || ts_node_named_child_count(st) == 0)
            continue;
        TSNode a = ts_node_named_child(st, 0);
        if (pysource_node_sym_is(a, y->assignment) &&
            pysource_node_text_is(src, field(a, "left"), "__tablename__"))
            return true;
    }
    return false;
}

/* Whether a class with these superclasses may be a model given the bases and models known so far
 * (collect_models' test, with the bases a file just declared): a file that adds one changes the
 * models. */
static bool may_be_model(const sqla_project_t *p, const klass_t *k)
{
    for (size_t s = 0; s < k->nsups; s++) {
        const char *d = k->sups[s];
        const char *last = strrchr(d, '.');
        const char *tail = last ? last + 1 : d;
        bool flask;
        int b = base_ref(p, k->file, d, k->sup_qual[s], &flask);
        if ((last && strcmp(last, ".Model") == 0) || b == 1 ||
            (b < 0 && (is_base_name(p, d, NULL) || is_base_name(p, tail, NULL) ||
                       is_index_base(p, d) || is_index_base(p, tail))) ||
            model_ref((sqla_project_t *)p, k->file, d, k->sup_qual[s]))
            return true;
    }
    return false;
}

/* The module-level classes of file f (klass_t with its body, table_class_t). */
static void record_classes(sqla_project_t *p, size_t f, const pysource_t *src)
{
    p->files[f].class_first = p->nclasses;
    const pysource_syms_t *y = pysource_syms();
    /* held around the loop so that the cursors taken inside come from a warm pool */
    TSTreeCursor *cur = pysource_cursor_take(pysource_root(src));
    /* the module-level class_definitions (decorated or not) in source order, which the index
     * walk collected (tmpcls) */
    for (size_t ci = 0; ci < p->ntmpcls && !p->oom; ci++) {
        TSNode st = p->tmpcls[ci].st;
        /* the body's named children in order, as the index walk met them, for the three reads
         * below */
        const TSNode *stmts = p->tmpbody + p->tmpcls[ci].first;
        size_t nstmts = p->tmpcls[ci].n;
        if (declares_table(src, stmts, nstmts)) {
            size_t nl;
            TSNode nn = field(st, "name");
            const char *nt = ts_node_is_null(nn) ? NULL : pysource_node_span(src, nn, &nl);
            if (nt && nl > 0 && nl < 96) {
                table_class_t *g = grow(p->tclasses, p->ntclasses, sizeof *g);
                p->tclasses = g;
                g[p->ntclasses].file = f;
                g[p->ntclasses].line = pysource_node_line(st);
                g[p->ntclasses].name = pysource_node_text(src, nn);
                p->ntclasses++;
            }
        }
        char *name = pysource_node_text(src, field(st, "name"));
        klass_t k;
        memset(&k, 0, sizeof k);
        k.file = f;
        k.start = ts_node_start_byte(st);
        k.line = pysource_node_line(st);
        k.name = name;
        TSNode sup = field(st, "superclasses");
        uint32_t ns = ts_node_is_null(sup) ? 0 : ts_node_named_child_count(sup);
        for (uint32_t i = 0; i < ns; i++) {
            TSNode sn = ts_node_named_child(sup, i);
            char *d = pysource_dotted_name(src, sn);
            if (!d)
                continue;
            bool imported = false;
            char *q = pysource_qualified_name(src, sn, &imported);
            if (!imported) {
                free(q);
                q = NULL;
            }
            k.sups = grow(k.sups, k.nsups, sizeof *k.sups);
            k.sup_qual = grow(k.sup_qual, k.nsups, sizeof *k.sup_qual);
            k.sup_qual[k.nsups] = q;
            k.sups[k.nsups++] = d;
        }
        for (size_t bi = 0; bi < nstmts; bi++) {
            TSNode a = ts_node_named_child(stmts[bi], 0);
            if (pysource_node_sym_is(a, y->assignment) &&
                pysource_node_text_is(src, field(a, "left"), "__abstract__") &&
                bool_value(src, field(a, "right")) == 1)
                k.abstract = true;
        }
        k.body.name = xstrdup(name);
        k.body.file = f;
        int decided[256] = {0};
        read_model_body(&k.body, &k.fk_class, src, stmts, nstmts, decided);
        if (k.body.nrels) {
            k.decided = xreallocarray(NULL, k.body.nrels, sizeof *k.decided);
            memcpy(k.decided, decided, k.body.nrels * sizeof *k.decided);
        }
        /* while dirty the answer would change nothing (and a build may be due: models_current) */
        if (!p->models_dirty && may_be_model(p, &k))
            p->models_dirty = true;
        /* chained after the class of that name added before (class_in_file finds the last) */
        if (!nidx_get(&p->class_index, k.name, &k.next_same))
            k.next_same = SIZE_MAX;
        p->classes = grow(p->classes, p->nclasses, sizeof *p->classes);
        p->classes[p->nclasses] = k;
        nidx_set(&p->class_index, p->classes[p->nclasses].name, p->nclasses);
        p->nclasses++;
    }
    pysource_cursor_give(cur);
    p->files[f].nclasses = p->nclasses - p->files[f].class_first;
}

/* ---- lifecycle ------------------------------------------------------- */

static char *module_of(const char *path);

/* Records every dotted suffix of file f's module (a/b/c.py: a.b.c, b.c and c; a/b/__init__.py:
 * a.b and b), which is what path_is_module matches a hint against: whether an import names a
 * module of the project, without a pass over the files per look-up. */
static void index_module(sqla_project_t *p, size_t f)
{
    pfile_t *pf = &p->files[f];
    char *m = module_of(pf->path);
    size_t plen = strlen(pf->path);
    pf->module = m;
    pf->is_pkg = plen >= 11 && strcmp(pf->path + plen - 11, "__init__.py") == 0;
    for (const char *s = m; *s;) {
        size_t k;
        if (!nidx_get(&p->mod_index, s, &k)) {
            k = p->nmod_names;
            p->mod_names = grow(p->mod_names, k, sizeof *p->mod_names);
            p->mod_files = grow(p->mod_files, k, sizeof *p->mod_files);
            char *key = xstrdup(s);
            p->mod_names[k] = key;
            p->mod_files[k] = xcalloc(1, sizeof **p->mod_files);
            p->nmod_names++;
            nidx_put_first(&p->mod_index, key, k);
        }
        size_t *v = p->mod_files[k];
        v = xreallocarray(v, v[0] + 2, sizeof *v);
        v[++v[0]] = f;
        p->mod_files[k] = v;
        const char *dot = strchr(s, '.');
        s = dot ? dot + 1 : s + strlen(s);
    }
    nidx_put_first(&p->path_index, pf->path, f);
}

sqla_project_t *sqla_project_open(const json_t *code, err_t *err)
{
    sqla_project_t *p = xcalloc(1, sizeof *p);
    p->recording = SIZE_MAX;
    p->cache = xcalloc(1, sizeof *p->cache);
    p->fcache = xcalloc(1, sizeof *p->fcache);
    if (code && !json_is_array(code)) {
        err_set(err, "code section: expected an array of {path, content}");
        goto fail;
    }
    /* jansson's reference count is the one thing changed on a const section */
    p->code = json_incref((json_t *)code);
    size_t n = json_array_size(code);
    p->files = xcalloc(n, sizeof *p->files);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(code, i);
        const char *path = json_string_value(json_object_get(e, "path"));
        const json_t *content = json_object_get(e, "content");
        if (!json_is_object(e) || !path || !json_is_string(content)) {
            err_set(err, "code[%zu]: expected a map with string path and content", i);
            goto fail;
        }
        size_t len = strlen(path);
        if (len < 3 || strcmp(path + len - 3, ".py") != 0)
            continue;
        pfile_t *pf = &p->files[p->nfiles++];
        pf->path = path;
        pf->content = json_string_value(content);
        pf->len = json_string_length(content);
        total += pf->len;
        index_module(p, p->nfiles - 1);
    }
    p->cache->budget = total / 8 < TREE_CACHE_MAX_BYTES ? total / 8 : TREE_CACHE_MAX_BYTES;
    return p;
fail:
    sqla_project_destroy(&p);
    return NULL;
}

/* Adds file f to the files of text-scanned def name (tdef_index). */
static void tdef_add(sqla_project_t *p, const char *name, size_t f)
{
    size_t k;
    if (!nidx_get(&p->tdef_index, name, &k)) {
        /* a new name: the arrays grow by doubling and its file list is made with f in it
         * (growing each array by one and the list from empty was four reallocations a name) */
        k = p->ntdefs++;
        if (k == p->captdefs) {
            p->captdefs = p->captdefs ? p->captdefs * 2 : 64;
            p->tdef_names = xreallocarray(p->tdef_names, p->captdefs, sizeof *p->tdef_names);
            p->tdef_files = xreallocarray(p->tdef_files, p->captdefs, sizeof *p->tdef_files);
        }
        p->tdef_names[k] = xstrdup(name);
        size_t *v = xreallocarray(NULL, 2, sizeof *v);
        v[0] = 1;
        v[1] = f;
        p->tdef_files[k] = v;
        nidx_put_first(&p->tdef_index, p->tdef_names[k], k);
        return;
    }
    size_t *v = p->tdef_files[k];
    if (v[0] && v[v[0]] == f)
        return;
    v = xreallocarray(v, v[0] + 2, sizeof *v);
    v[++v[0]] = f;
    p->tdef_files[k] = v;
}

/* The identifier at s (before eol) into out; its length, 0 when none or too long. */
static size_t tdef_ident(const char *s, const char *eol, char *out, size_t size)
{
    size_t n = 0;
    while (s + n < eol && (isalnum((unsigned char)s[n]) || s[n] == '_'))
        n++;
    if (!n || n >= size)
        return 0;
    memcpy(out, s, n);
    out[n] = 0;
    return n;
}

/* Records the module-level `def NAME(` / `async def NAME(` lines of every file (column 0), and the
 * methods `    def NAME(` (four spaces) of the classes `class CLS` at column 0, as "CLS.NAME"
 * (a module-level name has no dot). A text scan: a line in a string counts too, and a class is
 * taken to end at the next other line at column 0; only how often the one pass answers right
 * early depends on it (the look-up logs check every answer). */
static void scan_defs(sqla_project_t *p)
{
    for (size_t f = 0; f < p->nfiles; f++) {
        const char *c = p->files[f].content, *end = c + p->files[f].len;
        char cls[96] = "";
        for (const char *line = c; line < end;) {
            const char *eol = memchr(line, '\n', (size_t)(end - line));
            if (!eol)
                eol = end;
            const char *s = line;
            line = eol + 1;
            bool method = false;
            /* memcmp where strncmp was: the length is checked first and the literals hold no
             * NUL, so both say the same, and memcmp of a constant size is one compare inline
             * (strncmp was a call a line, 0.4 M of placement's instructions) */
            if ((size_t)(eol - s) > 4 && memcmp(s, "    ", 4) == 0 && s[4] != ' ') {
                if (!cls[0])
                    continue;
                method = true;
                s += 4;
            } else if (s < eol && s[0] != ' ' && s[0] != '\t' && s[0] != '#' && s[0] != '@' &&
                       s[0] != '\r') {
                cls[0] = 0; /* a line at column 0 ends the class before it */
                if ((size_t)(eol - s) > 6 && memcmp(s, "class ", 6) == 0) {
                    tdef_ident(s + 6, eol, cls, sizeof cls);
                    continue;
                }
            } else {
                continue;
            }
            if ((size_t)(eol - s) > 6 && memcmp(s, "async ", 6) == 0)
                s += 6;
            if ((size_t)(eol - s) <= 4 || memcmp(s, "def ", 4) != 0)
                continue;
            char name[96], key[200];
            size_t nl = tdef_ident(s + 4, eol, name, sizeof name);
            if (!nl)
                continue;
            if (method) {
                /* "CLS.NAME" by hand (snprintf's format parse cost more than the rest of the
                 * line's test): both are under 96 bytes, so it fits key as snprintf's did */
                size_t cl = strlen(cls);
                memcpy(key, cls, cl);
                key[cl] = '.';
                memcpy(key + cl + 1, name, nl + 1);
                tdef_add(p, key, f);
            } else {
                tdef_add(p, name, f);
            }
        }
    }
}

void sqla_project_speculate(sqla_project_t *p)
{
    p->speculate = true;
    logs_on(p);
    scan_defs(p);
}

static bool path_is_module(const char *path, const char *module);

/* During a one-pass scan: whether a file not added yet has a module-level `def name` (so a
 * module-level function found once so far will be ambiguous once every file is in), and none
 * of them is the module hint names (which would be the answer). */
static bool defined_later(const sqla_project_t *p, const char *name, const char *module_hint)
{
    size_t k;
    if (!p->speculate || !nidx_get(&p->tdef_index, name, &k))
        return false;
    const size_t *v = p->tdef_files[k];
    bool later = false;
    for (size_t i = 1; i <= v[0]; i++) {
        const pfile_t *pf = &p->files[v[i]];
        if (pf->added)
            continue;
        if (module_hint && path_is_module(pf->path, module_hint))
            return false;
        later = true;
    }
    return later;
}

/* Links file f's functions (added in source order) into the name chains at their place in file
 * order. */
static void link_functions(sqla_project_t *p, const pfile_t *pf)
{
    for (size_t k = 0; k < pf->nfuncs; k++) {
        const sqla_function_t *fn = &pf->funcs[k];
        if (p->nfnodes == p->capfnodes) {
            p->capfnodes = p->capfnodes ? p->capfnodes * 2 : 256;
            p->fnodes = xreallocarray(p->fnodes, p->capfnodes, sizeof *p->fnodes);
        }
        size_t me = p->nfnodes++;
        p->fnodes[me].fn = fn;
        p->fnodes[me].next = SIZE_MAX;
        size_t head;
        if (!nidx_get(&p->func_index, fn->name, &head)) {
            nidx_put_first(&p->func_index, fn->name, me);
            continue;
        }
        const sqla_function_t *h = p->fnodes[head].fn;
        if (h->file > fn->file || (h->file == fn->file && h > fn)) {
            /* a new head: the index's key and value point at fn */
            p->fnodes[me].next = head;
            for (size_t i = (size_t)name_hash(fn->name) & (p->func_index.cap - 1);;
                 i = (i + 1) & (p->func_index.cap - 1))
                if (strcmp(p->func_index.keys[i], fn->name) == 0) {
                    p->func_index.keys[i] = fn->name;
                    p->func_index.vals[i] = me;
                    break;
                }
            continue;
        }
        size_t at = head;
        for (;;) {
            size_t nx = p->fnodes[at].next;
            if (nx == SIZE_MAX)
                break;
            const sqla_function_t *o = p->fnodes[nx].fn;
            if (o->file > fn->file || (o->file == fn->file && o > fn))
                break;
            at = nx;
        }
        p->fnodes[me].next = p->fnodes[at].next;
        p->fnodes[at].next = me;
    }
}

/* Parses and indexes file i (sqla_project_add without the models' rebuild). */
static int index_file(sqla_project_t *p, size_t i, err_t *err)
{
    pfile_t *pf = &p->files[i];
    pysource_t *src = pysource_parse(pf->path, pf->content, pf->len, err);
    if (!src)
        return -1;
    p->cache->parses++;
    const char *c = pf->content;
    size_t clen = pf->len;
    size_t lines = clen > 0 && c[clen - 1] != '\n' ? 1 : 0;
    p->lines += lines + sqla_count_byte(c, clen, '\n');
    pf->has_error = pysource_first_error(src, &pf->err_line, &pf->err_col);
    index_ctx_t ic = {.p = p, .file = i, .src = src, .alone = true, .top = true};
    index_block(&ic, pysource_root(src));
    if (p->ntmpf) {
        /* both handed to the file, cut to their length */
        pf->funcs = xreallocarray(p->tmpf, p->ntmpf, sizeof *pf->funcs);
        pf->franges = xreallocarray(p->tmpfr, p->ntmpf, sizeof *pf->franges);
        pf->nfuncs = p->ntmpf;
        p->nfuncs += p->ntmpf;
        p->tmpf = NULL;
        p->tmpfr = NULL;
        p->ntmpf = p->captmpf = 0;
        link_functions(p, pf);
        /* a file with a syntax error is parsed whole: recovery may have
         * shaped its functions' trees in ways their lines alone do not */
        if (p->ntmpr && !pf->has_error) {
            pf->ranges = xreallocarray(p->tmpr, p->ntmpr, sizeof *pf->ranges);
            p->tmpr = NULL;
            p->captmpr = 0;
        }
    }
    p->ntmpr = 0; /* headers of a file without functions too */
    pf->imports = pysource_imports_copy(src);
    p->recording = i;
    record_classes(p, i, src);
    p->recording = SIZE_MAX;
    p->ntmpcls = p->ntmpbody = 0; /* nodes of this file's tree */
    pf->added = true;
    /* handed out to the scan that follows (sqla_project_file), kept or
     * freed at its sqla_project_scan_end like any other */
    cache_put(p, i, src, true);
    return 0;
}

int sqla_project_add(sqla_project_t *p, size_t i, err_t *err)
{
    if (i >= p->nfiles || (p->files[i].added && !p->files[i].early))
        return err_set(err, "sqla_project_add: file %zu out of range or added twice", i);
    pfile_t *pf = &p->files[i];
    /* scanned now: no longer a scan to come that a prediction asks about */
    free(pf->calls.h);
    pf->calls = (hset_t){0};
    pf->calls_read = true;
    if (pf->early) {
        /* indexed already, during another scan (add_early): its scan is next */
        pf->early = false;
        pf->held = false;
    } else if (index_file(p, i, err) != 0) {
        return -1;
    }
    if (p->speculate && p->models_dirty)
        p->build_due = true; /* built at the next read: models_current */
    return 0;
}

/* At most this many files are indexed early for one method look-up: more files defining the
 * same class's method (copies of an application) make the answer ambiguous anyway, and indexing
 * them all inside one look-up is work the worker does without a beat between files. */
#define EARLY_MAX_FILES 4

/* Indexes file f early (add_early): queued for its scan, its tree held until then. */
static void index_early(sqla_project_t *p, size_t f)
{
    err_t err;
    models_current(p); /* a due build covers the files added so far, not this one */
    if (index_file(p, f, &err) != 0)
        return; /* left to its turn, where the error is reported */
    p->files[f].early = true;
    p->files[f].held = true;
    p->early = grow(p->early, p->nearly, sizeof *p->early);
    p->early[p->nearly++] = f;
    progress_alive(); /* a parse per file, inside one look-up */
}

/* During a one-pass scan's look-up of function name (cls.name for a method): the file not added
 * yet whose text scan shows the def the answer is (the first file, in file order, of the module
 * the hint names: function_lookup's answer; for a method, each file whose class cls defines it,
 * when at most EARLY_MAX_FILES do) is indexed now, so the look-up answers as the complete index
 * will instead of "none": an import cycle (nova.utils) or a class the caller never imports by
 * module (nova's objects.Flavor.get_by_id: the objects are registered at run time) otherwise left
 * the scan to be made again once every file was in. Only the index grows (functions, class facts,
 * bases, factories): the models are rebuilt at the early file's own sqla_project_add, so the model
 * pointers the scan holds stay valid, and its tree is held for its scan, which the driver makes
 * next (sqla_project_next_early). The text scan may be wrong (a def inside a string, a method
 * indented otherwise): the look-up logs still check every answer. */
static void add_early(sqla_project_t *p, const char *name, const char *cls, const char *module_hint)
{
    char key[200];
    size_t k;
    if (cls && snprintf(key, sizeof key, "%s.%s", cls, name) >= (int)sizeof key)
        return;
    if (!nidx_get(&p->tdef_index, cls ? key : name, &k))
        return;
    const size_t *v = p->tdef_files[k]; /* count, then the files in file order */
    if (cls) {
        if (v[0] > EARLY_MAX_FILES)
            return;
        for (size_t j = 1; j <= v[0]; j++)
            if (!p->files[v[j]].added)
                index_early(p, v[j]);
        return;
    }
    for (size_t j = 1; j <= v[0]; j++)
        if (path_is_module(p->files[v[j]].path, module_hint)) {
            if (!p->files[v[j]].added)
                index_early(p, v[j]);
            return;
        }
}

bool sqla_project_next_early(const sqla_project_t *cp, size_t *i)
{
    sqla_project_t *p = (sqla_project_t *)cp;
    while (p->early_taken < p->nearly) {
        size_t f = p->early[p->early_taken++];
        if (p->files[f].early) {
            *i = f;
            return true;
        }
    }
    return false;
}

/* Orders by file, keeping the order within a file (qsort is not stable). */
static int by_file_factory(const void *a, const void *b)
{
    const factory_t *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The same for the __tablename__ classes. */
static int by_file_tclass(const void *a, const void *b)
{
    const table_class_t *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x < y ? -1 : x > y;
}

void sqla_project_finish(sqla_project_t *p)
{
    /* the lists whose order a look-up reads, in file order as if the files
     * had been added in it: within a file they are in source order, and
     * each file's entries are contiguous, so sorting by file keeps it */
    if (p->nfactories)
        qsort(p->factories, p->nfactories, sizeof *p->factories, by_file_factory);
    if (p->ntclasses)
        qsort(p->tclasses, p->ntclasses, sizeof *p->tclasses, by_file_tclass);
    p->build_due = false;
    build_models(p);
    logs_off(p);
    for (size_t i = 0; i < p->nfiles; i++)
        p->files[i].early = p->files[i].held = false;
    p->speculate = false; /* the index is complete: no more guesses (defined_later) */
}

sqla_project_t *sqla_project_new(const json_t *code, err_t *err)
{
    sqla_project_t *p = sqla_project_open(code, err);
    if (!p)
        return NULL;
    /* Each file is parsed, indexed (functions, bases, session factories),
     * its classes and error noted, and its tree freed unless the cache has
     * room for it; the models are built once every file is in. */
    for (size_t i = 0; i < p->nfiles; i++) {
        /* The long loops of a large code section beat per file
         * (common/progress.h), so the worker is not taken for hung. */
        if (progress_beat("code scan: parse", (int64_t)i, (int64_t)p->nfiles)) {
            err_set(err, "code scan cancelled at file %zu of %zu", i, p->nfiles);
            goto fail;
        }
        if (sqla_project_add(p, i, err) != 0)
            goto fail;
        sqla_project_scan_end(p);
    }
    sqla_project_finish(p);
    if (p->oom || p->cache->oom) {
        err_set(err, "sqla_project: out of memory");
        goto fail;
    }
    return p;
fail:
    sqla_project_destroy(&p);
    return NULL;
}

void sqla_project_destroy(sqla_project_t **pp)
{
    if (!pp || !*pp)
        return;
    sqla_project_t *p = *pp;
    logs_free(p);
    for (size_t i = 0; i < p->nfiles; i++) {
        pfile_t *pf = &p->files[i];
        pysource_destroy(&pf->tree);
        for (size_t k = 0; k < pf->nfuncs; k++) {
            free(pf->funcs[k].name);
            free(pf->funcs[k].cls);
        }
        free(pf->funcs);
        free(pf->franges);
        free(pf->ranges);
        pysource_imports_destroy(&pf->imports);
        free(pf->module);
        free(pf->calls.h);
        free(pf->wanted_by);
    }
    free(p->files);
    free(p->imp_first);
    free(p->imp_files);
    for (size_t k = 0; k < p->ntmpf; k++) {
        free(p->tmpf[k].name);
        free(p->tmpf[k].cls);
    }
    free(p->tmpf);
    free(p->tmpfr);
    free(p->tmpr);
    free(p->tmpcls);
    free(p->tmpbody);
    if (p->fcache) {
        for (size_t k = 0; k < p->fcache->n; k++)
            pysource_destroy(&p->fcache->e[k].tree);
        free(p->fcache->e);
    }
    free(p->fcache);
    json_decref(p->code);
    if (p->cache)
        free(p->cache->cached);
    free(p->cache);
    for (size_t i = 0; i < p->nclasses; i++) {
        klass_t *k = &p->classes[i];
        free(k->name);
        for (size_t s = 0; s < k->nsups; s++) {
            free(k->sups[s]);
            free(k->sup_qual[s]);
        }
        free(k->sups);
        free(k->sup_qual);
        for (size_t c = 0; c < k->body.ncolumns; c++)
            free(k->fk_class[c]);
        free(k->fk_class);
        free(k->decided);
        model_free(&k->body);
    }
    free(p->classes);
    for (size_t i = 0; i < p->ntclasses; i++)
        free(p->tclasses[i].name);
    free(p->tclasses);
    for (size_t i = 0; i < p->nibases; i++)
        free(p->ibases[i]);
    free(p->ibases);
    free(p->ibase_file);
    for (size_t i = 0; i < p->nbound; i++) {
        free(p->bound_names[i]);
        free(p->bound_files[i]);
    }
    free(p->bound_names);
    free(p->bound_files);
    nidx_free(&p->bound_index);
    for (size_t i = 0; i < p->nbases; i++)
        free(p->bases[i]);
    free(p->bases);
    free(p->base_flask);
    for (size_t i = 0; i < p->nmodels; i++)
        model_free(&p->models[i]);
    free(p->models);
    free(p->model_hash);
    free(p->fnodes);
    nidx_free(&p->model_index);
    nidx_free(&p->func_index);
    for (size_t i = 0; i < p->ntdefs; i++) {
        free(p->tdef_names[i]);
        free(p->tdef_files[i]);
    }
    free(p->tdef_names);
    free(p->tdef_files);
    nidx_free(&p->tdef_index);
    free(p->defs.h);
    for (size_t i = 0; i < p->nmod_names; i++) {
        free(p->mod_names[i]);
        free(p->mod_files[i]);
    }
    free(p->mod_names);
    free(p->mod_files);
    nidx_free(&p->mod_index);
    nidx_free(&p->path_index);
    nidx_free(&p->class_index);
    free(p->klass_model);
    free(p->early);
    for (size_t i = 0; i < p->nfactories; i++)
        free(p->factories[i].name);
    free(p->factories);
    free(p);
    *pp = NULL;
}

/* ---- look-up logs: recording ------------------------------------------- */

/* A one-pass scan (sqla_analyze) scans each file against the index of the
 * files added so far. Each look-up the scan makes is recorded with its
 * answer, in the log on top of the stack (the file's, or a helper summary's
 * that the per-item pass memoises across files); once every file is in,
 * a file is scanned again only when a record answers differently
 * (sqla_project_log_stale). */
enum { L_MODEL = 1, L_FUNC, L_FACTORY, L_ALL, L_DEP, L_MODEL_REF };
enum { LOG_UNKNOWN = 0, LOG_CHECKING, LOG_FRESH, LOG_STALE };

typedef struct {
    uint64_t key;    /* of kind, name, cls, prefer, hint: the duplicate test */
    uint64_t answer; /* model_answer, the function's address, factory_answer, models_hash */
    size_t prefer;   /* L_FUNC: prefer_file; L_DEP: the log depended on */
    const char *name, *cls, *hint; /* in the logs' arena */
    unsigned char kind;
} lrec_t;

typedef struct {
    lrec_t *r;
    size_t n, cap;
    size_t *set; /* open addressing over r, index + 1 (0: empty) */
    size_t setcap;
    unsigned char state;
} plog_t;

struct plogs {
    plog_t *v;
    size_t n, cap;
    size_t *stack;
    size_t depth, scap;
    bool on;
    char **chunks; /* arena for the records' strings */
    size_t nchunks, used, room;
};

/* What a model look-up answers, for the logs: the model's hash, 0 for none. */
static uint64_t model_answer(const sqla_project_t *p, const sqla_model_t *m)
{
    return m ? p->model_hash[m - p->models] : 0;
}

static void logs_on(sqla_project_t *p)
{
    if (!p->logs)
        p->logs = xcalloc(1, sizeof *p->logs);
    p->logs->on = true;
}

static void logs_off(sqla_project_t *p)
{
    if (p->logs) {
        p->logs->on = false;
        p->logs->depth = 0;
    }
}

static void logs_free(sqla_project_t *p)
{
    struct plogs *L = p->logs;
    if (!L)
        return;
    for (size_t i = 0; i < L->n; i++) {
        free(L->v[i].r);
        free(L->v[i].set);
    }
    free(L->v);
    free(L->stack);
    for (size_t i = 0; i < L->nchunks; i++)
        free(L->chunks[i]);
    free(L->chunks);
    free(L);
    p->logs = NULL;
}

/* s copied into the logs' arena (NULL stays NULL). */
static const char *arena_str(struct plogs *L, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    if (n > L->room - L->used || !L->nchunks) {
        size_t room = n > 65536 ? n : 65536;
        L->chunks = grow(L->chunks, L->nchunks, sizeof *L->chunks);
        L->chunks[L->nchunks++] = xmalloc(room);
        L->room = room;
        L->used = 0;
    }
    char *out = L->chunks[L->nchunks - 1] + L->used;
    memcpy(out, s, n);
    L->used += n;
    return out;
}

/* Whether two optional strings are equal. */
static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Records a look-up and its answer in the log on top of the stack, once. */
static void log_rec(sqla_project_t *p, unsigned char kind, const char *name, const char *cls,
                    size_t prefer, const char *hint, uint64_t answer)
{
    struct plogs *L = p->logs;
    if (!L || !L->depth)
        return;
    plog_t *g = &L->v[L->stack[L->depth - 1]];
    uint64_t key = hmix(1469598103934665603ULL, &kind, 1);
    key = hstr(key, name);
    key = hstr(key, cls);
    key = hstr(key, hint);
    key = hmix(key, &prefer, sizeof prefer);
    if ((g->n + 1) * 2 > g->setcap) {
        size_t cap = g->setcap ? g->setcap * 2 : 16;
        size_t *set = xcalloc(cap, sizeof *set);
        for (size_t k = 0; k < g->n; k++) {
            size_t i = (size_t)g->r[k].key & (cap - 1);
            while (set[i])
                i = (i + 1) & (cap - 1);
            set[i] = k + 1;
        }
        free(g->set);
        g->set = set;
        g->setcap = cap;
    }
    size_t i = (size_t)key & (g->setcap - 1);
    for (; g->set[i]; i = (i + 1) & (g->setcap - 1)) {
        const lrec_t *o = &g->r[g->set[i] - 1];
        if (o->key == key && o->kind == kind && o->prefer == prefer && same_str(o->name, name) &&
            same_str(o->cls, cls) && same_str(o->hint, hint))
            return;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->r = xreallocarray(g->r, g->cap, sizeof *g->r);
    }
    lrec_t *r = &g->r[g->n];
    r->key = key;
    r->answer = answer;
    r->prefer = prefer;
    r->kind = kind;
    r->name = arena_str(L, name);
    r->cls = arena_str(L, cls);
    r->hint = arena_str(L, hint);
    g->set[i] = ++g->n;
}

size_t sqla_project_log_begin(const sqla_project_t *cp)
{
    struct plogs *L = cp->logs;
    if (!L || !L->on)
        return SIZE_MAX;
    L->v = grow(L->v, L->n, sizeof *L->v);
    memset(&L->v[L->n], 0, sizeof *L->v);
    if (L->depth == L->scap) {
        L->scap = L->scap ? L->scap * 2 : 8;
        L->stack = xreallocarray(L->stack, L->scap, sizeof *L->stack);
    }
    L->stack[L->depth++] = L->n;
    return L->n++;
}

void sqla_project_log_end(const sqla_project_t *cp, size_t id)
{
    struct plogs *L = cp->logs;
    if (!L || id == SIZE_MAX || !L->depth || L->stack[L->depth - 1] != id)
        return;
    L->depth--;
    /* what the inner log depends on, the outer one does */
    log_rec((sqla_project_t *)cp, L_DEP, NULL, NULL, id, NULL, 0);
}

void sqla_project_log_use(const sqla_project_t *cp, size_t id)
{
    if (id != SIZE_MAX)
        log_rec((sqla_project_t *)cp, L_DEP, NULL, NULL, id, NULL, 0);
}

/* ---- queries --------------------------------------------------------- */

size_t sqla_project_file_count(const sqla_project_t *p)
{
    return p->nfiles;
}

size_t sqla_project_line_count(const sqla_project_t *p)
{
    return p->lines;
}

size_t sqla_project_model_count(const sqla_project_t *p)
{
    /* the callers walk the whole list with sqla_project_model_at */
    models_current(p);
    log_rec((sqla_project_t *)p, L_ALL, NULL, NULL, 0, NULL, p->models_hash);
    return p->nmodels;
}

const sqla_model_t *sqla_project_model_at(const sqla_project_t *p, size_t i)
{
    models_current(p);
    return i < p->nmodels ? &p->models[i] : NULL;
}

const sqla_model_t *sqla_project_model(const sqla_project_t *p, const char *name)
{
    if (!name)
        return NULL;
    models_current(p);
    sqla_model_t *m = find_model((sqla_project_t *)p, name);
    if (p->logs && p->logs->depth)
        log_rec((sqla_project_t *)p, L_MODEL, name, NULL, 0, NULL, model_answer(p, m));
    return m;
}

const sqla_model_t *sqla_project_model_ref(const sqla_project_t *cp, const pysource_t *src,
                                           TSNode n)
{
    sqla_project_t *p = (sqla_project_t *)cp;
    char *dotted = ts_node_is_null(n) ? NULL : pysource_dotted_name(src, n);
    if (!dotted)
        return NULL;
    bool imported = false;
    char *q = pysource_qualified_name(src, n, &imported);
    size_t f;
    const char *path = pysource_path(src);
    if (!path || !nidx_get(&p->path_index, path, &f))
        f = SIZE_MAX;
    models_current(p);
    const sqla_model_t *m = model_ref(p, f, dotted, imported ? q : NULL);
    if (p->logs && p->logs->depth)
        log_rec(p, L_MODEL_REF, dotted, NULL, f, imported ? q : NULL, model_answer(p, m));
    free(q);
    free(dotted);
    return m;
}

/* Relationship attr of model m, or NULL. */
const sqla_relationship_t *sqla_model_relationship(const sqla_model_t *m, const char *attr)
{
    if (!m || !attr)
        return NULL;
    for (size_t i = 0; i < m->nrels; i++)
        if (strcmp(m->rels[i].name, attr) == 0)
            return &m->rels[i];
    return NULL;
}

/* Column attribute attr of model m, or NULL. */
const sqla_column_t *sqla_model_column(const sqla_model_t *m, const char *attr)
{
    if (!m || !attr)
        return NULL;
    for (size_t i = 0; i < m->ncolumns; i++)
        if (strcmp(m->columns[i].attr, attr) == 0)
            return &m->columns[i];
    return NULL;
}

const char *sqla_model_pk(const sqla_model_t *m)
{
    for (size_t i = 0; m && i < m->ncolumns; i++)
        if (m->columns[i].primary_key)
            return m->columns[i].attr;
    return "id";
}

/* Whether a file's path is the module a dotted hint names: "app.services"
 * matches app/services.py and app/services/__init__.py (as a suffix, since
 * the code root may sit above or below the package root). */
static bool path_is_module(const char *path, const char *module)
{
    char buf[512];
    size_t n = strlen(module);
    if (n + 16 >= sizeof buf)
        return false;
    for (size_t i = 0; i <= n; i++)
        buf[i] = module[i] == '.' ? '/' : module[i];
    size_t pl = strlen(path);
    const char *suffixes[] = {".py", "/__init__.py"};
    for (int s = 0; s < 2; s++) {
        char want[540];
        snprintf(want, sizeof want, "%s%s", buf, suffixes[s]);
        size_t wl = strlen(want);
        if (pl >= wl && strcmp(path + pl - wl, want) == 0 && (pl == wl || path[pl - wl - 1] == '/'))
            return true;
    }
    return false;
}

/* Whether a dotted module an import names may be one of the project's: it, or a dotted suffix
 * of it (a code root below the package root: `nova.utils` as utils.py), is a suffix of a file's
 * module (mod_index). Only a name that can be none of them (re, jsonschema, oslo_utils.timeutils
 * in nova) is taken for a library's. */
static bool module_known(const sqla_project_t *p, const char *module)
{
    for (const char *s = module; s;) {
        size_t any;
        if (nidx_get(&p->mod_index, s, &any))
            return true;
        s = strchr(s, '.');
        if (s)
            s++;
    }
    return false;
}

/* sqla_project_function without the log. */
static const sqla_function_t *function_lookup(const sqla_project_t *p, const char *name,
                                              const char *cls, size_t prefer_file,
                                              const char *module_hint)
{
    const sqla_function_t *found = NULL;
    int count = 0;
    size_t i;
    if (name && p->speculate && p->logs && p->logs->depth &&
        (cls || (module_hint && module_hint[0] != '.')))
        add_early((sqla_project_t *)p, name, cls, module_hint);
    if (!name || !nidx_get(&p->func_index, name, &i))
        return NULL;
    /* Python's rule for a name (sqla_models.h): imported from a module that is not the
     * project's (re.match, a library's function), it is not a project function, whatever
     * the project defines under that name; a bare name neither imported nor defined in the
     * caller's module is a builtin (list, open) or a local, unless a star import may have
     * brought it in */
    bool own_only = false;
    if (!cls && module_hint) {
        if (module_hint[0] != '.' && !module_known(p, module_hint))
            return NULL;
    } else if (!cls && prefer_file < p->nfiles) {
        own_only = !p->files[prefer_file].star;
    }
    for (; i != SIZE_MAX; i = p->fnodes[i].next) {
        const sqla_function_t *f = p->fnodes[i].fn;
        if (cls ? !f->cls || strcmp(f->cls, cls) != 0 : f->cls != NULL)
            continue;
        if (module_hint && path_is_module(p->files[f->file].path, module_hint))
            return f;
        if (f->file == prefer_file && !module_hint)
            return f;
        found = f;
        count++;
    }
    /* A one-pass scan sees the answer the complete index will give where
     * the files still to come tell it: a module-level name defined again
     * later is ambiguous (NULL), as it will be. The log records what the
     * scan saw and compares it with the complete index's answer, so a
     * wrong guess costs a scan again, never a finding. */
    if (own_only)
        return NULL; /* the caller's module defines none (it was returned above) */
    if (count == 1 && !cls && defined_later(p, name, module_hint))
        return NULL;
    return count == 1 ? found : NULL;
}

const sqla_function_t *sqla_project_function(const sqla_project_t *p, const char *name,
                                             const char *cls, size_t prefer_file,
                                             const char *module_hint)
{
    const sqla_function_t *f = function_lookup(p, name, cls, prefer_file, module_hint);
    /* a function's identity is its address: functions never move (pfile_t) */
    if (name && p->logs && p->logs->depth)
        log_rec((sqla_project_t *)p, L_FUNC, name, cls, prefer_file, module_hint,
                (uint64_t)(uintptr_t)f);
    return f;
}

/* sqla_project_session_factory without the log. */
static bool factory_lookup(const sqla_project_t *p, const char *name, bool *is_async)
{
    for (size_t i = 0; i < p->nfactories; i++)
        if (strcmp(p->factories[i].name, name) == 0) {
            if (is_async)
                *is_async = p->factories[i].is_async;
            return true;
        }
    if (strcmp(name, "Session") == 0 || strcmp(name, "AsyncSession") == 0) {
        if (is_async)
            *is_async = name[0] == 'A';
        return true;
    }
    return false;
}

/* A factory look-up's answer as a number for the logs: 0 none, 1 sync, 2 async. */
static uint64_t factory_answer(const sqla_project_t *p, const char *name)
{
    bool a = false;
    return factory_lookup(p, name, &a) ? 1 + a : 0;
}

bool sqla_project_session_factory(const sqla_project_t *p, const char *name, bool *is_async)
{
    if (p->logs && p->logs->depth)
        log_rec((sqla_project_t *)p, L_FACTORY, name, NULL, 0, NULL, factory_answer(p, name));
    return factory_lookup(p, name, is_async);
}

/* ---- look-up logs (the one-pass scan) ----------------------------------- */

/* Whether record r (from a log written while the index was partial) gets
 * another answer from the complete index. */
static bool rec_changed(sqla_project_t *p, const lrec_t *r)
{
    switch (r->kind) {
    case L_MODEL:
        return model_answer(p, find_model(p, r->name)) != r->answer;
    case L_MODEL_REF:
        return model_answer(p, model_ref(p, r->prefer, r->name, r->hint)) != r->answer;
    case L_FUNC:
        return (uint64_t)(uintptr_t)function_lookup(p, r->name, r->cls, r->prefer, r->hint) !=
               r->answer;
    case L_FACTORY:
        return factory_answer(p, r->name) != r->answer;
    case L_ALL:
        return p->models_hash != r->answer;
    default: /* L_DEP */
        return sqla_project_log_stale(p, r->prefer);
    }
}

bool sqla_project_log_stale(const sqla_project_t *cp, size_t id)
{
    sqla_project_t *p = (sqla_project_t *)cp;
    models_current(p); /* the records are checked against the models (rec_changed) */
    struct plogs *L = p->logs;
    if (!L || id >= L->n)
        return false;
    plog_t *g = &L->v[id];
    if (g->state >= LOG_FRESH)
        return g->state == LOG_STALE;
    if (g->state == LOG_CHECKING) /* a cycle: what it adds is being checked already */
        return false;
    g->state = LOG_CHECKING;
    bool stale = false;
    for (size_t k = 0; k < g->n && !stale; k++)
        stale = rec_changed(p, &L->v[id].r[k]);
    L->v[id].state = stale ? LOG_STALE : LOG_FRESH;
    return stale;
}

/* A loading kind's name for the JSON of models. */
static const char *lazy_name(sqla_lazy_t l)
{
    switch (l) {
    case SQLA_LAZY_SELECT:
        return "select";
    case SQLA_LAZY_EAGER:
        return "eager";
    case SQLA_LAZY_DYNAMIC:
        return "dynamic";
    default:
        return "none";
    }
}

json_t *sqla_project_models_json(const sqla_project_t *p)
{
    models_current(p);
    json_t *out = json_array();
    for (size_t i = 0; i < p->nmodels; i++) {
        const sqla_model_t *m = &p->models[i];
        json_t *cols = json_array(), *rels = json_array();
        for (size_t k = 0; k < m->ncolumns; k++) {
            const sqla_column_t *c = &m->columns[k];
            char fk[300] = "";
            if (c->fk_table)
                snprintf(fk, sizeof fk, "%s.%s", c->fk_table, c->fk_column ? c->fk_column : "");
            json_array_append_new(
                cols, json_pack("{s:s, s:s, s:o, s:b}", "attr", c->attr, "column", c->column, "fk",
                                fk[0] ? json_string(fk) : json_null(), "pk", c->primary_key));
        }
        for (size_t k = 0; k < m->nrels; k++) {
            const sqla_relationship_t *r = &m->rels[k];
            json_array_append_new(
                rels, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:b}", "name", r->name, "target",
                                r->target, "lazy", lazy_name(r->lazy), "collection", r->collection,
                                "secondary", r->secondary ? json_string(r->secondary) : json_null(),
                                "back_populates",
                                r->back_populates ? json_string(r->back_populates) : json_null(),
                                "from_backref", r->from_backref));
        }
        json_array_append_new(out,
                              json_pack("{s:s, s:o, s:s, s:i, s:b, s:o, s:o}", "name", m->name,
                                        "table", m->table ? json_string(m->table) : json_null(),
                                        "file", p->files[m->file].path, "line", (int)m->line,
                                        "flask", m->flask, "columns", cols, "relationships", rels));
    }
    return out;
}

/* ---- the one-pass scan's order ----------------------------------------- */

/* The dotted module a path is: a/b/c.py -> a.b.c, a/b/__init__.py -> a.b (malloc()ed). */
static char *module_of(const char *path)
{
    size_t n = strlen(path);
    char *m = xstrdup(path);
    if (n >= 3 && strcmp(m + n - 3, ".py") == 0)
        m[n -= 3] = 0;
    if (n >= 9 && strcmp(m + n - 9, "/__init__") == 0)
        m[n -= 9] = 0;
    else if (strcmp(m, "__init__") == 0)
        m[n = 0] = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i] == '/')
            m[i] = '.';
    return m;
}

typedef struct {
    name_index_t idx; /* module name (or a suffix of two components or more) -> file */
    char **names;     /* the keys, owned */
    size_t nnames;
} modmap_t;

/* Adds module name -> file (the first file wins), the map owning name. */
static void modmap_put(modmap_t *mm, char *name, size_t file)
{
    size_t old;
    if (!name[0] || nidx_get(&mm->idx, name, &old)) {
        free(name);
        return;
    }
    mm->names = grow(mm->names, mm->nnames, sizeof *mm->names);
    mm->names[mm->nnames++] = name;
    nidx_put_first(&mm->idx, name, file);
}

/* Appends edge from -> the file of module name (when the project has it). */
static void add_edge(const modmap_t *mm, size_t from, const char *name, size_t **edges,
                     size_t *nedges)
{
    size_t to;
    if (!nidx_get(&mm->idx, name, &to) || to == from)
        return;
    *edges = xreallocarray(*edges, 2 * (*nedges + 1), sizeof **edges);
    (*edges)[2 * *nedges] = from;
    (*edges)[2 * *nedges + 1] = to;
    (*nedges)++;
}

/* The length of the dotted name at s (letters, digits, _ and .). */
static size_t dotted_len(const char *s, const char *end)
{
    size_t n = 0;
    while (s + n < end && (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.'))
        n++;
    return n;
}

/* The import lines of file f (`import a.b`, `from a.b import c, d`, `from ..x import y`, at any
 * indentation; a text scan, so a string that looks like one counts too: only the order depends
 * on it), as edges to the project's files they name. */
static void import_edges(const sqla_project_t *p, const modmap_t *mm, size_t f, size_t **edges,
                         size_t *nedges)
{
    const pfile_t *pf = &p->files[f];
    const char *c = pf->content, *end = c + pf->len;
    char *self = module_of(pf->path);
    size_t plen = strlen(pf->path);
    bool is_pkg = plen >= 11 && strcmp(pf->path + plen - 11, "__init__.py") == 0;
    for (const char *line = c; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        const char *s = line;
        line = eol + 1;
        while (s < eol && (*s == ' ' || *s == '\t'))
            s++;
        bool from = (size_t)(eol - s) > 5 && strncmp(s, "from ", 5) == 0;
        bool imp = (size_t)(eol - s) > 7 && strncmp(s, "import ", 7) == 0;
        if (!from && !imp)
            continue;
        s += from ? 5 : 7;
        while (s < eol && *s == ' ')
            s++;
        if (imp) {
            /* import a.b.c, d as e: each name, or its longest prefix the project has */
            while (s < eol) {
                size_t n = dotted_len(s, eol);
                if (!n)
                    break;
                char *m = xstrndup(s, n);
                for (;;) {
                    size_t to;
                    if (nidx_get(&mm->idx, m, &to)) {
                        add_edge(mm, f, m, edges, nedges);
                        break;
                    }
                    char *dot = strrchr(m, '.');
                    if (!dot)
                        break;
                    *dot = 0;
                }
                free(m);
                s += n;
                const char *comma = memchr(s, ',', (size_t)(eol - s));
                if (!comma)
                    break;
                s = comma + 1;
                while (s < eol && *s == ' ')
                    s++;
            }
            continue;
        }
        /* from [dots]module import names */
        size_t dots = 0;
        while (s + dots < eol && s[dots] == '.')
            dots++;
        size_t n = dotted_len(s + dots, eol);
        char base[512] = "";
        if (dots) {
            /* relative: the package of this module, dots - 1 levels up */
            snprintf(base, sizeof base, "%s", self);
            if (!is_pkg) {
                char *dot = strrchr(base, '.');
                if (dot)
                    *dot = 0;
                else
                    base[0] = 0;
            }
            for (size_t k = 1; k < dots; k++) {
                char *dot = strrchr(base, '.');
                if (dot)
                    *dot = 0;
                else
                    base[0] = 0;
            }
            if (n) {
                size_t bl = strlen(base);
                snprintf(base + bl, sizeof base - bl, "%s%.*s", bl ? "." : "", (int)n, s + dots);
            }
        } else {
            snprintf(base, sizeof base, "%.*s", (int)n, s);
        }
        if (base[0])
            add_edge(mm, f, base, edges, nedges);
        s += dots + n;
        while (s < eol && *s == ' ')
            s++;
        if ((size_t)(eol - s) < 7 || strncmp(s, "import ", 7) != 0)
            continue;
        s += 7;
        /* each imported name that is a module of its own (from pkg import mod) */
        while (s < eol) {
            while (s < eol && (*s == ' ' || *s == '(' || *s == ','))
                s++;
            size_t k = dotted_len(s, eol);
            if (!k)
                break;
            char full[640];
            snprintf(full, sizeof full, "%s%s%.*s", base, base[0] ? "." : "", (int)k, s);
            add_edge(mm, f, full, edges, nedges);
            s += k;
            while (s < eol && *s == ' ')
                s++;
            if ((size_t)(eol - s) > 3 && strncmp(s, "as ", 3) == 0) {
                s += 3;
                while (s < eol && *s == ' ')
                    s++;
                s += dotted_len(s, eol);
            }
        }
    }
    free(self);
}

/* Whether file f declares models or their base (a text test: only the order depends on it). */
static bool declares_models(const pfile_t *pf)
{
    /* in one pass over the text (sqla_text_has_any) where a memmem per word read a file
     * without them three times */
    static const char *const pats[] = {"__tablename__", "declarative_base", "DeclarativeBase",
                                       NULL};
    return sqla_text_has_any(pf->content, pf->len, pats);
}

void sqla_project_visit_order(const sqla_project_t *p, size_t *order)
{
    size_t n = p->nfiles;
    modmap_t mm;
    memset(&mm, 0, sizeof mm);
    for (size_t f = 0; f < n; f++) {
        char *m = module_of(p->files[f].path);
        /* the module and its suffixes of two components or more: the code
         * root may sit above the package root */
        for (const char *s = m; s;) {
            const char *dot = strchr(s, '.');
            if (!dot)
                break;
            modmap_put(&mm, xstrdup(s), f);
            s = dot + 1;
        }
        modmap_put(&mm, m, f);
    }
    size_t *pairs = NULL, npairs = 0;
    for (size_t f = 0; f < n; f++)
        import_edges(p, &mm, f, &pairs, &npairs);
    /* adjacency in CSR form, each file's edges in the order written */
    size_t *first = xcalloc(n + 1, sizeof *first), *adj = xcalloc(npairs + 1, sizeof *adj);
    for (size_t e = 0; e < npairs; e++)
        first[pairs[2 * e] + 1]++;
    for (size_t f = 0; f < n; f++)
        first[f + 1] += first[f];
    size_t *fill = xcalloc(n + 1, sizeof *fill);
    for (size_t e = 0; e < npairs; e++) {
        size_t from = pairs[2 * e];
        adj[first[from] + fill[from]++] = pairs[2 * e + 1];
    }
    /* the same edges reversed, kept: which files import a file (predicted_asks) */
    sqla_project_t *mp = (sqla_project_t *)p; /* what the cache predicts from only */
    free(mp->imp_first);
    free(mp->imp_files);
    mp->imp_first = xcalloc(n + 2, sizeof *mp->imp_first);
    mp->imp_files = xcalloc(npairs + 1, sizeof *mp->imp_files);
    for (size_t e = 0; e < npairs; e++)
        mp->imp_first[pairs[2 * e + 1] + 1]++;
    for (size_t f = 0; f < n; f++)
        mp->imp_first[f + 1] += mp->imp_first[f];
    memset(fill, 0, (n + 1) * sizeof *fill);
    for (size_t e = 0; e < npairs; e++) {
        size_t to = pairs[2 * e + 1];
        mp->imp_files[mp->imp_first[to] + fill[to]++] = pairs[2 * e];
    }
    /* depth first, post order: a module after what it imports; a module
     * met again while being walked (an import cycle) is skipped */
    unsigned char *state = xcalloc(n + 1, 1);
    size_t *stack = xcalloc(n + 1, sizeof *stack), *next = xcalloc(n + 1, sizeof *next);
    size_t out = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t r = 0; r < n; r++) {
            if (state[r] || (round == 0 && !declares_models(&p->files[r])))
                continue;
            size_t depth = 0;
            stack[depth++] = r;
            state[r] = 1;
            next[r] = first[r];
            while (depth) {
                size_t v = stack[depth - 1];
                if (next[v] < first[v + 1]) {
                    size_t w = adj[next[v]++];
                    if (!state[w]) {
                        state[w] = 1;
                        next[w] = first[w];
                        stack[depth++] = w;
                    }
                    continue;
                }
                state[v] = 2;
                order[out++] = v;
                depth--;
            }
        }
    }
    free(state);
    free(stack);
    free(next);
    free(fill);
    free(first);
    free(adj);
    free(pairs);
    for (size_t i = 0; i < mm.nnames; i++)
        free(mm.names[i]);
    free(mm.names);
    nidx_free(&mm.idx);
}
