/*
 * sqla_engines.c - see sqla_engines.h.
 */
#include "workers/config_tuner/sqla_engines.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/progress.h"
#include "common/python/pysource.h"
#include "common/sqlparse.h"

#define SNIPPET_MAX        200
#define STYLE_EVIDENCE_MAX 8

/* An f-string replacement field becomes this identifier before the SQL is
 * parsed: an identifier parses wherever a value, a name or a SET argument
 * may stand. */
#define FSTRING_PLACEHOLDER "_pgopt_fstring_value_"

typedef struct {
    pysource_t *src;
    bool imports_sqlalchemy;       /* any import from the sqlalchemy package */
    bool imports_flask_sqlalchemy; /* any import from flask_sqlalchemy */
    json_t *style_20;              /* evidence arrays ({marker, file, line}) */
    json_t *style_1x;
} scan_file_t;

struct sqla_scan {
    scan_file_t *files;
    size_t n_files;
    json_t *diagnostics;
    bool style_collected;
    json_t *project_20, *project_1x; /* style evidence of the whole code */
    struct flask_setting *flask_settings;
    size_t n_flask_settings;
    bool flask_collected;
};

/* One Flask config key set somewhere in the code (collected once per scan,
 * applied to every SQLAlchemy() object). */
struct flask_setting {
    const pysource_t *src;
    char *key;
    TSNode where, value;
};

/* ---- small JSON helpers ---------------------------------------------- */

/* The length of the longest prefix of s (len bytes) that is at most max
 * bytes and does not end inside a UTF-8 sequence. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    len = max;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

/* A JSON string of at most max bytes of s, cut at a UTF-8 boundary and
 * with surrounding whitespace trimmed. NULL when s is not valid UTF-8. */
static json_t *snippet_json(const char *s, size_t len, size_t max)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return json_stringn(s, utf8_prefix(s, len, max));
}

/* The node's source text as a trimmed JSON string of at most SNIPPET_MAX bytes ("<not valid
 * UTF-8>" when it is not UTF-8). */
static json_t *node_snippet(const pysource_t *src, TSNode node)
{
    size_t len;
    const char *s = pysource_node_span(src, node, &len);
    json_t *j = snippet_json(s, len, SNIPPET_MAX);
    return j ? j : json_string("<not valid UTF-8>");
}

/* Whether the JSON array holds the string s. */
static bool array_has_string(const json_t *array, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) if (json_is_string(v) &&
                                        strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* Appends a diagnostic {file, line, column, kind, message} to the scan (a message cut inside a
 * UTF-8 sequence is replaced by a placeholder). */
static void diagnostic(sqla_scan_t *scan, const pysource_t *src, unsigned line, unsigned column,
                       const char *kind, const char *message)
{
    json_t *entry = json_pack("{s:s, s:i, s:i, s:s, s:s}", "file", pysource_path(src), "line",
                              (int)line, "column", (int)column, "kind", kind, "message", message);
    if (!entry) /* a message cut inside a UTF-8 sequence by err_t's bound */
        entry =
            json_pack("{s:s, s:i, s:i, s:s, s:s}", "file", pysource_path(src), "line", (int)line,
                      "column", (int)column, "kind", kind, "message", "(message not valid UTF-8)");
    json_array_append_new(scan->diagnostics, entry);
}

/* ---- files ---------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool module_in_package(const char *module, size_t len, const char *package)
{
    size_t p = strlen(package);
    return len >= p && memcmp(module, package, p) == 0 && (len == p || module[p] == '.');
}

/* pysource_walk visitor: records on the file whether it imports from the sqlalchemy and
 * flask_sqlalchemy packages (import and from-import statements). */
static pysource_walk_t note_imports(const pysource_t *src, TSNode node, void *ctx)
{
    scan_file_t *f = ctx;
    if (PYSOURCE_NODE_IS(node, "import_from_statement")) {
        size_t len;
        const char *m =
            pysource_node_span(src, ts_node_child_by_field_name(node, "module_name", 11), &len);
        f->imports_sqlalchemy |= module_in_package(m, len, "sqlalchemy");
        f->imports_flask_sqlalchemy |= module_in_package(m, len, "flask_sqlalchemy");
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    if (PYSOURCE_NODE_IS(node, "import_statement")) {
        uint32_t n = ts_node_named_child_count(node);
        for (uint32_t i = 0; i < n; i++) {
            TSNode name = ts_node_named_child(node, i);
            if (PYSOURCE_NODE_IS(name, "aliased_import"))
                name = ts_node_child_by_field_name(name, "name", 4);
            size_t len;
            const char *m = pysource_node_span(src, name, &len);
            f->imports_sqlalchemy |= module_in_package(m, len, "sqlalchemy");
            f->imports_flask_sqlalchemy |= module_in_package(m, len, "flask_sqlalchemy");
        }
        return PYSOURCE_WALK_SKIP_CHILDREN;
    }
    return PYSOURCE_WALK_CONTINUE;
}

sqla_scan_t *sqla_scan_new(const json_t *code_section, err_t *err)
{
    if (code_section && !json_is_array(code_section)) {
        err_set(err, "code section: expected an array of {path, content}, got a %s",
                json_is_object(code_section) ? "map" : "scalar");
        return NULL;
    }
    sqla_scan_t *scan = xcalloc(1, sizeof(*scan));
    if (!(scan->diagnostics = json_array())) {
        free(scan);
        err_set(err, "code section: out of memory");
        return NULL;
    }
    size_t n = code_section ? json_array_size(code_section) : 0;
    if (n > 0)
        scan->files = xcalloc(n, sizeof(*scan->files));
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(code_section, i);
        const json_t *path = json_object_get(entry, "path");
        const json_t *content = json_object_get(entry, "content");
        if (!json_is_object(entry) || !json_is_string(path) || !json_is_string(content)) {
            err_set(err, "code[%zu]: expected {path: string, content: string}", i);
            goto fail;
        }
        /* Parsing is the scan's long loop (seconds for tens of thousands
         * of files): it beats per file (common/progress.h). */
        if (progress_beat("code scan: parse", (int64_t)i, (int64_t)n)) {
            err_set(err, "code scan cancelled at file %zu of %zu", i, n);
            goto fail;
        }
        if (!ends_with(json_string_value(path), ".py"))
            continue;
        scan_file_t *f = &scan->files[scan->n_files];
        f->src = pysource_parse(json_string_value(path), json_string_value(content),
                                json_string_length(content), err);
        if (!f->src) {
            err_prefix(err, "code[%zu]: ", i);
            goto fail;
        }
        scan->n_files++;
        f->style_20 = json_array();
        f->style_1x = json_array();
        if (!f->style_20 || !f->style_1x) {
            err_set(err, "code section: out of memory");
            goto fail;
        }
        pysource_walk(f->src, pysource_root(f->src), note_imports, f);
        unsigned line, column;
        if (pysource_first_error(f->src, &line, &column))
            diagnostic(scan, f->src, line, column, "python_syntax",
                       "syntax error; the rest of the file was analysed");
    }
    return scan;

fail:
    sqla_scan_destroy(&scan);
    return NULL;
}

void sqla_scan_destroy(sqla_scan_t **scanp)
{
    if (!scanp || !*scanp)
        return;
    sqla_scan_t *scan = *scanp;
    for (size_t i = 0; i < scan->n_files; i++) {
        progress_beat("code scan: free", (int64_t)i, (int64_t)scan->n_files);
        pysource_destroy(&scan->files[i].src);
        json_decref(scan->files[i].style_20);
        json_decref(scan->files[i].style_1x);
    }
    free(scan->files);
    for (size_t i = 0; i < scan->n_flask_settings; i++)
        free(scan->flask_settings[i].key);
    free(scan->flask_settings);
    json_decref(scan->project_20);
    json_decref(scan->project_1x);
    json_decref(scan->diagnostics);
    free(scan);
    *scanp = NULL;
}

size_t sqla_scan_file_count(const sqla_scan_t *scan)
{
    return scan ? scan->n_files : 0;
}

json_t *sqla_scan_diagnostics(const sqla_scan_t *scan)
{
    return json_deep_copy(scan->diagnostics);
}

/* Whether a callee named by its last component comes from package: an
 * import says so, or the name is bare, unbound by any import, and the file
 * imports from the package at all (e.g. `from sqlalchemy import *`). */
static bool callee_from(const scan_file_t *f, TSNode call, const char *package)
{
    bool imported;
    char *qualified = pysource_qualified_name(f->src, pysource_call_callee(call), &imported);
    if (!qualified)
        return false;
    bool ok;
    if (imported)
        ok = module_in_package(qualified, strlen(qualified), package);
    else if (strchr(qualified, '.'))
        ok = false; /* self.create_engine(...), obj.text(...): not the library's */
    else
        ok = strcmp(package, "sqlalchemy") == 0 ? f->imports_sqlalchemy
                                                : f->imports_flask_sqlalchemy;
    free(qualified);
    return ok;
}

/* db.text(...), db.select(...) with Flask-SQLAlchemy: the object is the SQLAlchemy()
 * instance, by convention named db (often imported from an extensions
 * module, so it cannot always be followed to its constructor). */
static bool is_flask_db_object(const pysource_t *src, TSNode callee)
{
    if (!PYSOURCE_NODE_IS(callee, "attribute"))
        return false;
    TSNode object = ts_node_child_by_field_name(callee, "object", 6);
    if (!PYSOURCE_NODE_IS(object, "identifier"))
        return false;
    if (pysource_node_text_is(src, object, "db"))
        return true;
    TSNode value = pysource_resolve(src, object);
    return PYSOURCE_NODE_IS(value, "call") && pysource_call_is(src, value, "SQLAlchemy");
}

/* ---- style evidence ------------------------------------------------- */

/* Appends a style marker found at node to the evidence list: at most STYLE_EVIDENCE_MAX entries,
 * one per marker and file. */
static void add_evidence(json_t *list, const pysource_t *src, TSNode node, const char *marker)
{
    if (json_array_size(list) >= STYLE_EVIDENCE_MAX)
        return;
    /* One line per marker and file is evidence enough. */
    size_t i;
    json_t *e;
    json_array_foreach(
        list, i, e) if (strcmp(json_string_value(json_object_get(e, "marker")), marker) == 0 &&
                        strcmp(json_string_value(json_object_get(e, "file")), pysource_path(src)) ==
                            0) return;
    json_array_append_new(list,
                          json_pack("{s:s, s:s, s:i}", "marker", marker, "file", pysource_path(src),
                                    "line", (int)pysource_node_line(node)));
}

static bool last_component_is(const char *dotted, const char *name)
{
    const char *dot = strrchr(dotted, '.');
    return strcmp(dot ? dot + 1 : dotted, name) == 0;
}

/* pysource_walk visitor: collects the file's 2.0-style markers (select(), mapped_column(),
 * DeclarativeBase, Mapped[]) and 1.x-style markers (select([...]), declarative_base(),
 * session.query()). */
static pysource_walk_t style_visit(const pysource_t *src, TSNode node, void *ctx)
{
    scan_file_t *f = ctx;
    if (PYSOURCE_NODE_IS(node, "call")) {
        TSNode callee = pysource_call_callee(node);
        if (pysource_call_is(src, node, "select") &&
            (callee_from(f, node, "sqlalchemy") || is_flask_db_object(src, callee))) {
            TSNode arg = pysource_call_arg(src, node, 0);
            if (PYSOURCE_NODE_IS(arg, "list"))
                add_evidence(f->style_1x, src, node, "select([...])");
            else
                add_evidence(f->style_20, src, node, "select()");
        } else if (pysource_call_is(src, node, "mapped_column")) {
            add_evidence(f->style_20, src, node, "mapped_column()");
        } else if (pysource_call_is(src, node, "declarative_base")) {
            add_evidence(f->style_1x, src, node, "declarative_base()");
        } else if (pysource_call_is(src, node, "query") && PYSOURCE_NODE_IS(callee, "attribute")) {
            /* session.query(...), db.session.query(...), self.session.query */
            char *object =
                pysource_dotted_name(src, ts_node_child_by_field_name(callee, "object", 6));
            if (object) {
                const char *dot = strrchr(object, '.');
                if (strcasestr(dot ? dot + 1 : object, "session"))
                    add_evidence(f->style_1x, src, node, "session.query()");
            }
            free(object);
        }
    } else if (PYSOURCE_NODE_IS(node, "class_definition")) {
        TSNode bases = ts_node_child_by_field_name(node, "superclasses", 12);
        uint32_t n = ts_node_is_null(bases) ? 0 : ts_node_named_child_count(bases);
        for (uint32_t i = 0; i < n; i++) {
            char *base = pysource_dotted_name(src, ts_node_named_child(bases, i));
            if (base && (last_component_is(base, "DeclarativeBase") ||
                         last_component_is(base, "DeclarativeBaseNoMeta")))
                add_evidence(f->style_20, src, node, "DeclarativeBase");
            free(base);
        }
    } else if (PYSOURCE_NODE_IS(node, "subscript") || PYSOURCE_NODE_IS(node, "generic_type")) {
        /* Mapped[int] is a generic_type in an annotation, a subscript elsewhere */
        TSNode value = PYSOURCE_NODE_IS(node, "subscript")
                           ? ts_node_child_by_field_name(node, "value", 5)
                           : ts_node_named_child(node, 0);
        char *name = pysource_dotted_name(src, value);
        if (name && last_component_is(name, "Mapped"))
            add_evidence(f->style_20, src, node, "Mapped[]");
        free(name);
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* Walks every file once for style markers and keeps the first STYLE_EVIDENCE_MAX of each style for
 * the whole project (a no-op on later calls). */
static void collect_style(sqla_scan_t *scan)
{
    if (scan->style_collected)
        return;
    scan->project_20 = json_array();
    scan->project_1x = json_array();
    for (size_t i = 0; i < scan->n_files; i++) {
        progress_beat("code scan: style", (int64_t)i, (int64_t)scan->n_files);
        scan_file_t *f = &scan->files[i];
        pysource_walk(f->src, pysource_root(f->src), style_visit, f);
        for (size_t k = 0; k < json_array_size(f->style_20) &&
                           json_array_size(scan->project_20) < STYLE_EVIDENCE_MAX;
             k++)
            json_array_append(scan->project_20, json_array_get(f->style_20, k));
        for (size_t k = 0; k < json_array_size(f->style_1x) &&
                           json_array_size(scan->project_1x) < STYLE_EVIDENCE_MAX;
             k++)
            json_array_append(scan->project_1x, json_array_get(f->style_1x, k));
    }
    scan->style_collected = true;
}

/* Sets style and style_evidence on engine: the engine's file first, then
 * the whole code section. */
static void decide_style(const sqla_scan_t *scan, const scan_file_t *own, json_t *engine)
{
    const json_t *ev20 = scan->project_20, *ev1x = scan->project_1x;
    if (json_array_size(own->style_20) || json_array_size(own->style_1x)) {
        ev20 = own->style_20;
        ev1x = own->style_1x;
    }
    const char *style = "unknown";
    const json_t *evidence = NULL;
    if (json_array_size(ev20)) {
        style = "2.0";
        evidence = ev20;
    } else if (json_array_size(ev1x)) {
        style = "1.x";
        evidence = ev1x;
    }
    json_object_set_new(engine, "style", json_string(style));
    json_object_set_new(engine, "style_evidence",
                        evidence ? json_deep_copy(evidence) : json_array());
}

/* ---- pool options --------------------------------------------------- */

static const char *const pool_options[] = {
    "pool_size", "max_overflow",  "pool_timeout", "pool_recycle",    "pool_pre_ping",
    "poolclass", "pool_use_lifo", "echo_pool",    "isolation_level", "connect_args",
    NULL,
};

/* Whether name is an engine option the pool analysis reports (pool_options). */
static bool is_pool_option(const char *name)
{
    for (size_t i = 0; pool_options[i]; i++)
        if (strcmp(pool_options[i], name) == 0)
            return true;
    return false;
}

typedef struct {
    json_t *engine;  /* the engine map being built */
    json_t *options; /* borrowed from engine */
    json_t *dynamic;
    json_t *sources;
    json_t *conflicted;  /* option -> true once two sources disagreed */
    bool coerce_strings; /* engine_from_config: values may be ini strings */
} optset_t;

/* Records option name as computed at run time: no static value in options, listed in dynamic. */
static void mark_dynamic(optset_t *os, const char *name)
{
    json_object_del(os->options, name);
    if (!array_has_string(os->dynamic, name))
        json_array_append_new(os->dynamic, json_string(name));
}

/* Appends where an option was set ({option, file, line, expr}) to option_sources. */
static void add_source(optset_t *os, const char *option, const pysource_t *src, TSNode where,
                       TSNode value)
{
    json_array_append_new(os->sources,
                          json_pack("{s:s, s:s, s:i, s:o}", "option", option, "file",
                                    pysource_path(src), "line", (int)pysource_node_line(where),
                                    "expr", node_snippet(src, value)));
}

/* Records one option value (value NULL = not static). A later source that
 * disagrees with an earlier one makes the option dynamic: which one applies
 * depends on run-time choices (e.g. which config class is loaded). */
static void set_option(optset_t *os, const char *name, json_t *value)
{
    if (!value || json_object_get(os->conflicted, name) || array_has_string(os->dynamic, name)) {
        json_decref(value);
        mark_dynamic(os, name);
        return;
    }
    json_t *old = json_object_get(os->options, name);
    if (old && !json_equal(old, value)) {
        json_decref(value);
        json_object_set_new(os->conflicted, name, json_true());
        mark_dynamic(os, name);
        return;
    }
    json_object_set_new(os->options, name, value);
}

/* engine_from_config() reads ini-style strings and coerces the pool options
 * the way SQLAlchemy's engine_config_types do (asint / asbool). */
static json_t *coerce_config_string(const char *name, json_t *value)
{
    if (!json_is_string(value))
        return value;
    const char *s = json_string_value(value);
    if (!strcmp(name, "pool_size") || !strcmp(name, "max_overflow") ||
        !strcmp(name, "pool_recycle") || !strcmp(name, "pool_timeout")) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end != s && *end == '\0') {
            json_decref(value);
            return json_integer(v);
        }
        json_decref(value);
        return NULL;
    }
    if (!strcmp(name, "pool_pre_ping") || !strcmp(name, "pool_use_lifo") ||
        !strcmp(name, "echo_pool")) {
        static const char *const truthy[] = {"true", "yes", "on", "y", "t", "1", NULL};
        static const char *const falsy[] = {"false", "no", "off", "n", "f", "0", NULL};
        for (size_t i = 0; truthy[i]; i++)
            if (strcasecmp(s, truthy[i]) == 0)
                return json_decref(value), json_true();
        for (size_t i = 0; falsy[i]; i++)
            if (strcasecmp(s, falsy[i]) == 0)
                return json_decref(value), json_false();
        if (!strcmp(name, "echo_pool"))
            return value; /* echo_pool="debug" is valid */
        json_decref(value);
        return NULL;
    }
    return value;
}

typedef struct {
    optset_t *os;
    json_t *object;
} connect_args_t;

/* pysource_mapping_entries callback for connect_args: each key's literal value into the object, a
 * key whose value is not static (or a ** splat) marked dynamic. Always returns 0 (continue). */
static int connect_args_entry(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                              void *ctx)
{
    (void)key_node;
    connect_args_t *ca = ctx;
    if (!key) {
        mark_dynamic(ca->os, "connect_args.**");
        return 0;
    }
    json_t *v = pysource_eval(src, value);
    if (v) {
        json_object_set_new(ca->object, key, v);
    } else {
        char name[256];
        snprintf(name, sizeof(name), "connect_args.%.*s",
                 (int)utf8_prefix(key, strlen(key), sizeof(name) - 16), key);
        mark_dynamic(ca->os, name);
    }
    return 0;
}

/* poolclass=NullPool / pool.NullPool / sqlalchemy.pool.QueuePool: the class
 * name is what matters, and the class is imported, so it is read as a name
 * rather than evaluated. A name assigned once in the file is followed. */
static json_t *poolclass_value(const pysource_t *src, TSNode value)
{
    TSNode resolved = pysource_resolve(src, value);
    if (!ts_node_is_null(resolved))
        value = resolved;
    json_t *literal = pysource_eval(src, value);
    if (json_is_string(literal)) { /* engine_from_config: "sqlalchemy.pool.NullPool" */
        const char *s = json_string_value(literal);
        const char *dot = strrchr(s, '.');
        json_t *name = json_string(dot ? dot + 1 : s);
        json_decref(literal);
        return name;
    }
    json_decref(literal);
    char *dotted = pysource_dotted_name(src, value);
    if (!dotted)
        return NULL;
    const char *dot = strrchr(dotted, '.');
    json_t *name = json_string(dot ? dot + 1 : dotted);
    free(dotted);
    return name;
}

/* One option: name=value found at `where` in src. */
static void apply_option(optset_t *os, const pysource_t *src, const char *name, TSNode where,
                         TSNode value)
{
    if (!is_pool_option(name))
        return;
    add_source(os, name, src, where, value);
    if (strcmp(name, "poolclass") == 0) {
        set_option(os, name, poolclass_value(src, value));
        return;
    }
    if (strcmp(name, "connect_args") == 0) {
        TSNode mapping = pysource_resolve(src, value);
        if (ts_node_is_null(mapping) ||
            (!PYSOURCE_NODE_IS(mapping, "dictionary") && !PYSOURCE_NODE_IS(mapping, "call"))) {
            set_option(os, name, NULL);
            return;
        }
        connect_args_t ca = {os, json_object()};
        pysource_mapping_entries(src, value, connect_args_entry, &ca);
        set_option(os, name, ca.object);
        return;
    }
    json_t *v = pysource_eval(src, value);
    if (os->coerce_strings)
        v = coerce_config_string(name, v);
    set_option(os, name, v);
}

/* A **mapping passed where options are read: any option may come from it, recorded as dynamic
 * "**<expr>". */
static void splat_dynamic(optset_t *os, const pysource_t *src, TSNode value)
{
    size_t len;
    const char *text = pysource_node_span(src, value, &len);
    char name[SNIPPET_MAX + 3];
    snprintf(name, sizeof(name), "**%.*s", (int)utf8_prefix(text, len, SNIPPET_MAX), text);
    mark_dynamic(os, name);
}

/* Starts the option set of engine (empty options, dynamic, sources). */
static void optset_init(optset_t *os, json_t *engine)
{
    memset(os, 0, sizeof(*os));
    os->engine = engine;
    os->options = json_object();
    os->dynamic = json_array();
    os->sources = json_array();
    os->conflicted = json_object();
}

/* Stores the option set's options, dynamic and option_sources on the engine. */
static void optset_finish(optset_t *os)
{
    json_object_set_new(os->engine, "options", os->options);
    json_object_set_new(os->engine, "dynamic", os->dynamic);
    json_object_set_new(os->engine, "option_sources", os->sources);
    json_decref(os->conflicted);
}

/* ---- create_engine / create_async_engine ---------------------------- */

typedef struct {
    optset_t *os;
    const char *skip[3]; /* keywords that are not engine options here */
    bool future;
    TSNode future_node;
} kw_ctx_t;

/* pysource_call_kwargs callback for create_engine() and the like: skips the call's non-option
 * keywords, notes future=True, applies every other keyword as an option, a ** splat as dynamic.
 * Always returns 0 (continue). */
static int engine_kwarg(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                        void *ctx)
{
    kw_ctx_t *kc = ctx;
    if (!key) {
        splat_dynamic(kc->os, src, value);
        return 0;
    }
    for (size_t i = 0; i < 3 && kc->skip[i]; i++)
        if (strcmp(key, kc->skip[i]) == 0)
            return 0;
    if (strcmp(key, "future") == 0) {
        json_t *v = pysource_eval(src, value);
        if (json_is_true(v)) {
            kc->future = true;
            kc->future_node = key_node;
        }
        json_decref(v);
        return 0;
    }
    apply_option(kc->os, src, key, key_node, value);
    return 0;
}

/* ---- engine_from_config --------------------------------------------- */

typedef struct {
    optset_t *os;
    const char *prefix;
    json_t *engine;
} config_ctx_t;

/* pysource_mapping_entries callback for engine_from_config's configuration: keys with the prefix
 * give url_expr or options, a ** splat is dynamic. Always returns 0 (continue). */
static int config_entry(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                        void *ctx)
{
    config_ctx_t *cc = ctx;
    if (!key) {
        splat_dynamic(cc->os, src, value);
        return 0;
    }
    size_t plen = strlen(cc->prefix);
    if (strncmp(key, cc->prefix, plen) != 0)
        return 0;
    const char *name = key + plen;
    if (strcmp(name, "url") == 0)
        json_object_set_new(cc->engine, "url_expr", node_snippet(src, value));
    else
        apply_option(cc->os, src, name, key_node, value);
    return 0;
}

/* ---- Flask-SQLAlchemy configuration ---------------------------------- */

/* Old flask-sqlalchemy 2.x keys and the engine option each one sets. */
static const struct {
    const char *key;
    const char *option;
} flask_pool_keys[] = {
    {"SQLALCHEMY_POOL_SIZE", "pool_size"},
    {"SQLALCHEMY_MAX_OVERFLOW", "max_overflow"},
    {"SQLALCHEMY_POOL_TIMEOUT", "pool_timeout"},
    {"SQLALCHEMY_POOL_RECYCLE", "pool_recycle"},
};

typedef struct {
    optset_t *os;
    json_t *engine;
} flask_ctx_t;

/* pysource_mapping_entries callback for SQLALCHEMY_ENGINE_OPTIONS and engine_options=: each key is
 * an engine option, a ** splat dynamic. Always returns 0 (continue). */
static int flask_engine_option(const pysource_t *src, const char *key, TSNode key_node,
                               TSNode value, void *ctx)
{
    flask_ctx_t *fc = ctx;
    if (!key)
        splat_dynamic(fc->os, src, value);
    else
        apply_option(fc->os, src, key, key_node, value);
    return 0;
}

/* Applies one Flask config key set to value somewhere in the code. */
static void flask_apply_key(flask_ctx_t *fc, const pysource_t *src, const char *key, TSNode where,
                            TSNode value)
{
    if (strcmp(key, "SQLALCHEMY_DATABASE_URI") == 0) {
        if (json_is_null(json_object_get(fc->engine, "url_expr")))
            json_object_set_new(fc->engine, "url_expr", node_snippet(src, value));
        return;
    }
    if (strcmp(key, "SQLALCHEMY_ENGINE_OPTIONS") == 0) {
        pysource_mapping_entries(src, value, flask_engine_option, fc);
        return;
    }
    for (size_t i = 0; i < sizeof(flask_pool_keys) / sizeof(flask_pool_keys[0]); i++)
        if (strcmp(key, flask_pool_keys[i].key) == 0)
            apply_option(fc->os, src, flask_pool_keys[i].option, where, value);
}

/* Remembers a SQLALCHEMY_* key for flask_found(). */
static void flask_config_key(sqla_scan_t *scan, const pysource_t *src, const char *key,
                             TSNode where, TSNode value)
{
    if (strncmp(key, "SQLALCHEMY_", 11) != 0)
        return;
    scan->flask_settings = xreallocarray(scan->flask_settings, scan->n_flask_settings + 1,
                                         sizeof(*scan->flask_settings));
    struct flask_setting *fs = &scan->flask_settings[scan->n_flask_settings];
    fs->src = src;
    fs->key = xstrdup(key);
    fs->where = where;
    fs->value = value;
    scan->n_flask_settings++;
}

/* pysource_mapping_entries / pysource_call_kwargs callback for config.update(...): remembers each
 * SQLALCHEMY_* key. Always returns 0 (continue). */
static int flask_config_entry(const pysource_t *src, const char *key, TSNode key_node, TSNode value,
                              void *ctx)
{
    if (key)
        flask_config_key(ctx, src, key, key_node, value);
    return 0;
}

/* Whether expr is a Flask config object: app.config, self.config, config. */
static bool is_config_object(const pysource_t *src, TSNode expr)
{
    char *name = pysource_dotted_name(src, expr);
    bool yes = name && last_component_is(name, "config");
    free(name);
    return yes;
}

/* pysource_walk visitor collecting the Flask config keys set anywhere: SQLALCHEMY_X = ... in
 * modules and classes, app.config["SQLALCHEMY_X"] = ..., app.config.update(...) and
 * from_mapping(...). */
static pysource_walk_t flask_config_visit(const pysource_t *src, TSNode node, void *ctx)
{
    sqla_scan_t *fc = ctx;
    if (PYSOURCE_NODE_IS(node, "assignment")) {
        TSNode left = ts_node_child_by_field_name(node, "left", 4);
        TSNode right = ts_node_child_by_field_name(node, "right", 5);
        if (ts_node_is_null(right))
            return PYSOURCE_WALK_CONTINUE;
        while (PYSOURCE_NODE_IS(right, "assignment"))
            right = ts_node_child_by_field_name(right, "right", 5);
        if (PYSOURCE_NODE_IS(left, "identifier")) {
            /* SQLALCHEMY_POOL_SIZE = 10 in a config module or class */
            char *key = pysource_node_text(src, left);
            if (key)
                flask_config_key(fc, src, key, left, right);
            free(key);
        } else if (PYSOURCE_NODE_IS(left, "subscript") &&
                   is_config_object(src, ts_node_child_by_field_name(left, "value", 5))) {
            /* app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {...} */
            json_t *key = pysource_eval(src, ts_node_child_by_field_name(left, "subscript", 9));
            if (json_is_string(key))
                flask_config_key(fc, src, json_string_value(key), left, right);
            json_decref(key);
        }
    } else if (PYSOURCE_NODE_IS(node, "call") && (pysource_call_is(src, node, "update") ||
                                                  pysource_call_is(src, node, "from_mapping"))) {
        /* app.config.update(SQLALCHEMY_POOL_SIZE=..., ...) or update({...}) */
        TSNode callee = pysource_call_callee(node);
        if (PYSOURCE_NODE_IS(callee, "attribute") &&
            is_config_object(src, ts_node_child_by_field_name(callee, "object", 6))) {
            TSNode positional = pysource_call_arg(src, node, 0);
            if (!ts_node_is_null(positional))
                pysource_mapping_entries(src, positional, flask_config_entry, fc);
            pysource_call_kwargs(src, node, flask_config_entry, fc);
        }
    }
    return PYSOURCE_WALK_CONTINUE;
}

/* ---- finding engines ------------------------------------------------- */

typedef struct {
    sqla_scan_t *scan;
    scan_file_t *file;
    json_t *engines;
} engines_ctx_t;

/* A new engine map {file, line, call: kind, url_expr: null} for the call. */
static json_t *engine_new(const scan_file_t *f, TSNode call, const char *kind)
{
    json_t *engine = json_pack("{s:s, s:i, s:s, s:n}", "file", pysource_path(f->src), "line",
                               (int)pysource_node_line(call), "call", kind, "url_expr");
    return engine;
}

/* Completes engine (options, style: 2.0 with future=True, else from the style markers; syntax
 * errors in its file) and appends it to the engines found. */
static void finish_engine(engines_ctx_t *ec, json_t *engine, optset_t *os, bool future,
                          TSNode future_node)
{
    optset_finish(os);
    if (future) {
        json_object_set_new(engine, "style", json_string("2.0"));
        json_object_set_new(engine, "style_evidence",
                            json_pack("[{s:s, s:s, s:i}]", "marker", "future=True", "file",
                                      pysource_path(ec->file->src), "line",
                                      (int)pysource_node_line(future_node)));
    } else {
        decide_style(ec->scan, ec->file, engine);
    }
    if (pysource_has_error(ec->file->src))
        json_object_set_new(engine, "file_has_syntax_errors", json_true());
    json_array_append_new(ec->engines, engine);
}

/* An engine from create_engine()/create_async_engine(): the URL (first argument or url=) and the
 * keyword options. */
static void create_engine_found(engines_ctx_t *ec, TSNode call, const char *kind)
{
    const pysource_t *src = ec->file->src;
    json_t *engine = engine_new(ec->file, call, kind);
    TSNode url = pysource_call_arg(src, call, 0);
    if (ts_node_is_null(url))
        url = pysource_call_kwarg(src, call, "url");
    if (!ts_node_is_null(url))
        json_object_set_new(engine, "url_expr", node_snippet(src, url));

    optset_t os;
    optset_init(&os, engine);
    kw_ctx_t kc = {.os = &os, .skip = {"url", NULL, NULL}};
    pysource_call_kwargs(src, call, engine_kwarg, &kc);
    finish_engine(ec, engine, &os, kc.future, kc.future_node);
}

/* An engine from (async_)engine_from_config(): the configuration mapping's prefixed keys (ini
 * strings coerced as SQLAlchemy does), then the keyword arguments, which override them. */
static void engine_from_config_found(engines_ctx_t *ec, TSNode call)
{
    const pysource_t *src = ec->file->src;
    json_t *engine = engine_new(ec->file, call, "engine_from_config");
    optset_t os;
    optset_init(&os, engine);
    os.coerce_strings = true;

    TSNode config = pysource_call_arg(src, call, 0);
    if (ts_node_is_null(config))
        config = pysource_call_kwarg(src, call, "configuration");
    TSNode prefix_node = pysource_call_arg(src, call, 1);
    if (ts_node_is_null(prefix_node))
        prefix_node = pysource_call_kwarg(src, call, "prefix");
    json_t *prefix =
        ts_node_is_null(prefix_node) ? json_string("sqlalchemy.") : pysource_eval(src, prefix_node);
    if (!ts_node_is_null(config) && json_is_string(prefix)) {
        config_ctx_t cc = {&os, json_string_value(prefix), engine};
        pysource_mapping_entries(src, config, config_entry, &cc);
    } else if (!ts_node_is_null(config)) {
        splat_dynamic(&os, src, config);
    }
    json_decref(prefix);

    /* Keyword arguments override the configuration's entries. */
    os.coerce_strings = false;
    kw_ctx_t kc = {.os = &os, .skip = {"configuration", "prefix", NULL}};
    pysource_call_kwargs(src, call, engine_kwarg, &kc);
    finish_engine(ec, engine, &os, kc.future, kc.future_node);
}

/* An engine from Flask-SQLAlchemy's SQLAlchemy(): engine_options= and every SQLALCHEMY_* key set
 * anywhere in the code (collected once per scan, since the app's configuration may live in any
 * file). */
static void flask_found(engines_ctx_t *ec, TSNode call)
{
    const pysource_t *src = ec->file->src;
    json_t *engine = engine_new(ec->file, call, "flask_sqlalchemy");
    optset_t os;
    optset_init(&os, engine);
    flask_ctx_t fc = {&os, engine};

    TSNode engine_options = pysource_call_kwarg(src, call, "engine_options");
    if (!ts_node_is_null(engine_options))
        pysource_mapping_entries(src, engine_options, flask_engine_option, &fc);
    /* The app's configuration may live in any file (config.py, settings
     * classes, the app factory): it is read everywhere, once. */
    sqla_scan_t *scan = ec->scan;
    if (!scan->flask_collected) {
        for (size_t i = 0; i < scan->n_files; i++) {
            progress_beat("code scan: flask config", (int64_t)i, (int64_t)scan->n_files);
            const pysource_t *s = scan->files[i].src;
            pysource_walk(s, pysource_root(s), flask_config_visit, scan);
        }
        scan->flask_collected = true;
    }
    for (size_t i = 0; i < scan->n_flask_settings; i++) {
        /* every engine reads every setting: long on a large tree */
        if ((i & 4095) == 0)
            progress_beat("code scan: flask settings", (int64_t)i, (int64_t)scan->n_flask_settings);
        const struct flask_setting *fs = &scan->flask_settings[i];
        flask_apply_key(&fc, fs->src, fs->key, fs->where, fs->value);
    }
    finish_engine(ec, engine, &os, false, call);
}

/* pysource_walk visitor: every call that creates an engine (create_engine, create_async_engine,
 * engine_from_config, SQLAlchemy()) from the right package becomes an engine. */
static pysource_walk_t engine_call_visit(const pysource_t *src, TSNode node, void *ctx)
{
    engines_ctx_t *ec = ctx;
    if (!PYSOURCE_NODE_IS(node, "call"))
        return PYSOURCE_WALK_CONTINUE;
    scan_file_t *f = ec->file;
    if (pysource_call_is(src, node, "create_engine") && callee_from(f, node, "sqlalchemy"))
        create_engine_found(ec, node, "create_engine");
    else if (pysource_call_is(src, node, "create_async_engine") &&
             callee_from(f, node, "sqlalchemy"))
        create_engine_found(ec, node, "create_async_engine");
    else if ((pysource_call_is(src, node, "engine_from_config") ||
              pysource_call_is(src, node, "async_engine_from_config")) &&
             callee_from(f, node, "sqlalchemy"))
        engine_from_config_found(ec, node);
    else if (pysource_call_is(src, node, "SQLAlchemy") && callee_from(f, node, "flask_sqlalchemy"))
        flask_found(ec, node);
    return PYSOURCE_WALK_CONTINUE;
}

int sqla_scan_engines(sqla_scan_t *scan, json_t **engines, err_t *err)
{
    *engines = json_array();
    if (!*engines)
        return err_set(err, "sqla_scan_engines: out of memory");
    collect_style(scan);
    engines_ctx_t ec = {scan, NULL, *engines};
    for (size_t i = 0; i < scan->n_files; i++) {
        if (progress_beat("code scan: engines", (int64_t)i, (int64_t)scan->n_files)) {
            json_decref(*engines);
            *engines = NULL;
            return err_set(err, "code scan cancelled at file %zu of %zu", i, scan->n_files);
        }
        ec.file = &scan->files[i];
        pysource_walk(ec.file->src, pysource_root(ec.file->src), engine_call_visit, &ec);
    }
    return 0;
}

/* ---- session features ------------------------------------------------ */

/* Rewrites client-side bind parameters into identifiers of the same length
 * so that PostgreSQL's parser accepts the text and statement offsets still
 * point into the original: SQLAlchemy text() ":name" -> "_name", psycopg
 * "%s" -> "__" and "%(name)s" -> "________". An identifier (rather than $1)
 * parses in every place a client-side parameter can stand, including
 * SET x TO :value. Quoted strings, quoted identifiers, dollar quotes and
 * comments are left alone. */
static void neutralise_bind_parameters(char *sql, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
            for (i++; i < len; i++) {
                if (escapes && sql[i] == '\\') {
                    i++;
                    continue;
                }
                if (sql[i] == c) {
                    if (i + 1 < len && sql[i + 1] == c) {
                        i++; /* doubled quote */
                        continue;
                    }
                    break;
                }
            }
            i++;
        } else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
            int depth = 0;
            while (i < len) {
                if (sql[i] == '/' && i + 1 < len && sql[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (sql[i] == '*' && i + 1 < len && sql[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
        } else if (c == '$' && i + 1 < len &&
                   (sql[i + 1] == '$' || isalpha((unsigned char)sql[i + 1]) || sql[i + 1] == '_') &&
                   (i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_'))) {
            /* $tag$ ... $tag$ */
            size_t t = i + 1;
            while (t < len && (isalnum((unsigned char)sql[t]) || sql[t] == '_'))
                t++;
            if (t >= len || sql[t] != '$') {
                i = t;
                continue;
            }
            size_t tag_len = t - i + 1;
            const char *tag = sql + i;
            i = t + 1;
            while (i + tag_len <= len && memcmp(sql + i, tag, tag_len) != 0)
                i++;
            i = i + tag_len <= len ? i + tag_len : len;
        } else if (c == ':' && i + 1 < len && sql[i + 1] == ':') {
            i += 2; /* a cast */
        } else if (c == ':' && i + 1 < len &&
                   (isalpha((unsigned char)sql[i + 1]) || sql[i + 1] == '_') &&
                   !(i > 0 && (isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_'))) {
            /* SQLAlchemy's rule: a colon right after a word character
             * (arr[1:n]) is not a bind parameter */
            if (i > 0 && sql[i - 1] == '\\') {
                sql[i - 1] = ' '; /* text()'s escaped colon: a literal ':' */
                i++;
                continue;
            }
            sql[i] = '_';
            i++;
            while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '_'))
                i++;
        } else if (c == '%' && i + 1 < len && sql[i + 1] == 's') {
            sql[i] = sql[i + 1] = '_';
            i += 2;
        } else if (c == '%' && i + 1 < len && sql[i + 1] == '(') {
            size_t close = i + 2;
            while (close < len && sql[close] != ')')
                close++;
            if (close + 1 < len && sql[close + 1] == 's') {
                memset(sql + i, '_', close + 2 - i);
                i = close + 2;
            } else {
                i++;
            }
        } else if (c == '%' && i + 1 < len && sql[i + 1] == '%') {
            sql[i + 1] = ' '; /* psycopg's escaped percent */
            i += 2;
        } else {
            i++;
        }
    }
}

/* set_config(name, value, is_local): is_local false makes it a session SET,
 * which sqlparse's classifier (statement-based) does not look for. */
static bool const_is_false(const PgQuery__Node *node)
{
    if (!node || node->node_case != PG_QUERY__NODE__NODE_A_CONST)
        return false;
    const PgQuery__AConst *c = node->a_const;
    if (c->isnull)
        return false;
    if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL)
        return c->boolval && !c->boolval->boolval;
    if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval && c->sval->sval) {
        static const char *const falsy[] = {"false", "f", "off", "no", "n", "0", NULL};
        for (size_t i = 0; falsy[i]; i++)
            if (strcasecmp(c->sval->sval, falsy[i]) == 0)
                return true;
    }
    if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return c->ival && c->ival->ival == 0;
    return false;
}

/* sqlparse_walk visitor: a set_config(name, value, false) call (a session-level SET) adds
 * SQLPARSE_FEATURE_SET to the mask in user. Always returns 0 (continue). */
static int set_config_visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor != &pg_query__func_call__descriptor)
        return 0;
    const PgQuery__FuncCall *fc = (const PgQuery__FuncCall *)node;
    if (fc->n_funcname == 0 || fc->n_args != 3)
        return 0;
    const PgQuery__Node *last = fc->funcname[fc->n_funcname - 1];
    if (!last || last->node_case != PG_QUERY__NODE__NODE_STRING || !last->string ||
        !last->string->sval || strcasecmp(last->string->sval, "set_config") != 0)
        return 0;
    if (const_is_false(fc->args[2]))
        *(unsigned *)user |= SQLPARSE_FEATURE_SET;
    return 0;
}

typedef struct {
    sqla_scan_t *scan;
    scan_file_t *file;
    json_t *features;
} features_ctx_t;

/* Appends a session feature found at call ({file, line, feature, snippet, call}, dynamic when the
 * SQL was built at run time); takes snippet over. Unknown feature bits are dropped. */
static void add_feature(features_ctx_t *fc, TSNode call, unsigned bit, const char *callee,
                        json_t *snippet, bool dynamic)
{
    const char *name = sqlparse_feature_name(bit);
    if (!name) {
        json_decref(snippet);
        return;
    }
    json_t *entry = json_pack("{s:s, s:i, s:s, s:o, s:s}", "file", pysource_path(fc->file->src),
                              "line", (int)pysource_node_line(call), "feature", name, "snippet",
                              snippet ? snippet : json_string("<not valid UTF-8>"), "call", callee);
    if (entry && dynamic)
        json_object_set_new(entry, "dynamic", json_true());
    if (entry && pysource_has_error(fc->file->src))
        json_object_set_new(entry, "file_has_syntax_errors", json_true());
    json_array_append_new(fc->features, entry);
}

/* Classifies the SQL in expr (a string expression) passed to call. */
static void classify_sql(features_ctx_t *fc, TSNode call, TSNode expr, const char *callee)
{
    const pysource_t *src = fc->file->src;
    bool dynamic = false;
    size_t len;
    char *sql = pysource_string_template(src, expr, FSTRING_PLACEHOLDER, &dynamic, &len);
    if (!sql)
        return;
    if (strlen(sql) != len) { /* embedded NUL: not SQL we can hand to the parser */
        free(sql);
        return;
    }
    char *parsed = xstrdup(sql);
    neutralise_bind_parameters(parsed, len);
    sqlparse_t *tree = NULL;
    err_t perr;
    if (sqlparse_parse(parsed, &tree, &perr) != 0) {
        /* An f-string's fields may stand for whole clauses; only a static
         * string that PostgreSQL rejects is worth a diagnostic. */
        if (!dynamic) {
            char message[ERR_MSG_MAX + 64];
            snprintf(message, sizeof(message), "SQL passed to %s does not parse: %s", callee,
                     perr.msg);
            diagnostic(fc->scan, src, pysource_node_line(expr), pysource_node_column(expr),
                       "sql_syntax", message);
        }
        free(parsed);
        free(sql);
        return;
    }
    size_t n = sqlparse_statement_count(tree);
    for (size_t i = 0; i < n; i++) {
        const PgQuery__RawStmt *stmt = sqlparse_statement(tree, i);
        if (!stmt || !stmt->stmt)
            continue;
        unsigned mask = sqlparse_node_session_features(&stmt->stmt->base);
        sqlparse_walk(&stmt->stmt->base, set_config_visit, &mask);
        size_t start = stmt->stmt_location > 0 ? (size_t)stmt->stmt_location : 0;
        size_t stmt_len = stmt->stmt_len > 0 ? (size_t)stmt->stmt_len : len - start;
        if (start > len)
            start = len;
        if (stmt_len > len - start)
            stmt_len = len - start;
        for (unsigned bit = 1; bit < (1u << SQLPARSE_FEATURE_COUNT); bit <<= 1) {
            if (!(mask & bit))
                continue;
            json_t *snippet = dynamic ? node_snippet(src, expr)
                                      : snippet_json(sql + start, stmt_len, SNIPPET_MAX);
            add_feature(fc, call, bit, callee, snippet, dynamic);
        }
    }
    sqlparse_destroy(&tree);
    free(parsed);
    free(sql);
}

/* func.pg_advisory_lock(...), sa.func.set_config(..., False): the function
 * name is classified by the same SQL classifier, through a one-call
 * statement, so the list of session-level functions lives in one place. */
static void classify_func_call(features_ctx_t *fc, TSNode call, const char *callee)
{
    const pysource_t *src = fc->file->src;
    const char *name = strrchr(callee, '.') + 1;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return;
    char sql[256];
    if (strcasecmp(name, "set_config") == 0) {
        json_t *is_local = pysource_eval(src, pysource_call_arg(src, call, 2));
        bool session = json_is_false(is_local);
        json_decref(is_local);
        if (session)
            add_feature(fc, call, SQLPARSE_FEATURE_SET, callee, node_snippet(src, call), false);
        return;
    }
    snprintf(sql, sizeof(sql), "SELECT %s()", name);
    sqlparse_t *tree = NULL;
    if (sqlparse_parse(sql, &tree, NULL) != 0)
        return;
    unsigned mask = sqlparse_session_features(tree);
    sqlparse_destroy(&tree);
    for (unsigned bit = 1; bit < (1u << SQLPARSE_FEATURE_COUNT); bit <<= 1)
        if (mask & bit)
            add_feature(fc, call, bit, callee, node_snippet(src, call), false);
}

static const char *const execute_methods[] = {"execute", "executemany", "exec_driver_sql", NULL};

/* pysource_walk visitor: SQL passed to text()/DDL() or to an execute method, and func.<name>()
 * calls, are classified for session state (SET, LISTEN, PREPARE, advisory locks, ...). */
static pysource_walk_t feature_call_visit(const pysource_t *src, TSNode node, void *ctx)
{
    features_ctx_t *fc = ctx;
    if (!PYSOURCE_NODE_IS(node, "call"))
        return PYSOURCE_WALK_CONTINUE;
    TSNode callee_node = pysource_call_callee(node);
    char *callee = pysource_dotted_name(src, callee_node);
    char last[64] = "";
    if (callee) {
        const char *dot = strrchr(callee, '.');
        snprintf(last, sizeof(last), "%s", dot ? dot + 1 : callee);
    } else if (PYSOURCE_NODE_IS(callee_node, "attribute")) {
        /* get_connection().execute(...): no dotted name, but a method */
        TSNode attr = ts_node_child_by_field_name(callee_node, "attribute", 9);
        size_t len;
        const char *s = pysource_node_span(src, attr, &len);
        snprintf(last, sizeof(last), "%.*s", (int)(len < 63 ? len : 63), s);
    }
    const char *shown = callee ? callee : last;

    if ((strcmp(last, "text") == 0 || strcmp(last, "DDL") == 0) &&
        (callee_from(fc->file, node, "sqlalchemy") || is_flask_db_object(src, callee_node))) {
        TSNode arg = pysource_call_arg(src, node, 0);
        if (ts_node_is_null(arg))
            arg = pysource_call_kwarg(src, node, "text");
        if (!ts_node_is_null(arg))
            classify_sql(fc, node, arg, shown);
    } else if (last[0]) {
        bool is_execute = false;
        for (size_t i = 0; execute_methods[i]; i++)
            is_execute |= strcmp(last, execute_methods[i]) == 0;
        if (is_execute && PYSOURCE_NODE_IS(callee_node, "attribute")) {
            TSNode arg = pysource_call_arg(src, node, 0);
            if (ts_node_is_null(arg))
                arg = pysource_call_kwarg(src, node, "statement");
            /* A text()/select() argument is a call: text() is classified on
             * its own; a constructed statement carries no raw SQL. */
            if (!ts_node_is_null(arg) && !PYSOURCE_NODE_IS(arg, "call"))
                classify_sql(fc, node, arg, shown);
        } else if (callee && strchr(callee, '.')) {
            /* func.<name>: the attribute before the name is "func" */
            size_t n = strlen(callee) - strlen(last) - 1;
            if (n >= 4 && strncmp(callee + n - 4, "func", 4) == 0 &&
                (n == 4 || callee[n - 5] == '.'))
                classify_func_call(fc, node, callee);
        }
    }
    free(callee);
    return PYSOURCE_WALK_CONTINUE;
}

int sqla_scan_session_features(sqla_scan_t *scan, json_t **features, err_t *err)
{
    *features = json_array();
    if (!*features)
        return err_set(err, "sqla_scan_session_features: out of memory");
    /* Diagnostics of an earlier call would be repeated: keep python ones. */
    for (size_t i = json_array_size(scan->diagnostics); i-- > 0;) {
        const char *kind =
            json_string_value(json_object_get(json_array_get(scan->diagnostics, i), "kind"));
        if (kind && strcmp(kind, "sql_syntax") == 0)
            json_array_remove(scan->diagnostics, i);
    }
    features_ctx_t fc = {scan, NULL, *features};
    for (size_t i = 0; i < scan->n_files; i++) {
        if (progress_beat("code scan: session features", (int64_t)i, (int64_t)scan->n_files)) {
            json_decref(*features);
            *features = NULL;
            return err_set(err, "code scan cancelled at file %zu of %zu", i, scan->n_files);
        }
        fc.file = &scan->files[i];
        pysource_walk(fc.file->src, pysource_root(fc.file->src), feature_call_visit, &fc);
    }
    return 0;
}

/* ---- one-shot forms -------------------------------------------------- */

int sqla_find_engines(const json_t *code_section, json_t **engines, err_t *err)
{
    *engines = NULL;
    sqla_scan_t *scan = sqla_scan_new(code_section, err);
    if (!scan)
        return -1;
    int rc = sqla_scan_engines(scan, engines, err);
    sqla_scan_destroy(&scan);
    return rc;
}

int sqla_find_session_features(const json_t *code_section, json_t **features, err_t *err)
{
    *features = NULL;
    sqla_scan_t *scan = sqla_scan_new(code_section, err);
    if (!scan)
        return -1;
    int rc = sqla_scan_session_features(scan, features, err);
    sqla_scan_destroy(&scan);
    return rc;
}
