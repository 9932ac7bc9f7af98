/*
 * pysource.h - one Python source file parsed with tree-sitter, and the small
 * static-analysis helpers pgopt's agents share to read application code:
 * walking the tree, finding calls by callee name, reading arguments
 * (including `**dict` expansion), following a name to its single
 * assignment, and evaluating simple literals to JSON.
 *
 * The analysis is deliberately conservative: a value is reported as static
 * only when the file alone proves it (a literal, or a name assigned exactly
 * once in its scope to a literal and never mutated). Everything else is
 * "dynamic" and callers say so instead of guessing.
 *
 * The grammar is tree-sitter-python 0.23.6 (ABI 14, built from
 * scripts/fetch-grammar.sh); the runtime is Debian's libtree-sitter 0.20.7.
 * The grammar's ABI is checked against the runtime before the first parse.
 *
 * Nodes (TSNode) are plain values that stay valid as long as the pysource_t
 * they came from. Lines are 1-based; columns are 1-based byte offsets.
 */
#ifndef PGOPT_COMMON_PYTHON_PYSOURCE_H
#define PGOPT_COMMON_PYTHON_PYSOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <tree_sitter/api.h>

#include "common/error.h"

typedef struct pysource pysource_t;

/* Parses content (len bytes, need not be NUL-terminated; a copy is kept).
 * path is only used in messages and by callers. A file with syntax errors
 * still parses (tree-sitter recovers): check pysource_has_error(). Returns
 * NULL with err set when the grammar is incompatible with the runtime, the
 * file is larger than 4 GiB, or memory runs out. */
pysource_t *pysource_parse(const char *path, const char *content, size_t len, err_t *err);

/* ---- parsing a part of a file --------------------------------------- */

/* A file's import bindings kept without its tree (what pysource_import_of
 * and pysource_qualified_name answer from), for a caller that frees the
 * tree and later parses a part of the file (pysource_parse_ranges). */
typedef struct pysource_imports pysource_imports_t;

/* A copy of src's import bindings; never NULL (common/alloc.h). */
pysource_imports_t *pysource_imports_copy(const pysource_t *src);
/* Bytes the copy holds (memory accounting). */
size_t pysource_imports_bytes(const pysource_imports_t *imports);
/* Safe on NULL and twice (nulls the pointer). */
void pysource_imports_destroy(pysource_imports_t **imports);
/* What the copy binds local to, as pysource_qualified_name reads a name's
 * first component (the last import of it wins); NULL when no import binds
 * it or imports is NULL. Valid as long as imports. */
const char *pysource_imports_get(const pysource_imports_t *imports, const char *local);

/* The ranges of src's text that parse def (a function_definition) as it
 * stands in the file, outermost first: the header of each class or
 * function around it (from the start of its first decorator's line to the
 * start of the line its body starts on) and def itself (from the start of
 * its first decorator's line to its end). The parser then sees a class
 * holding one method (a function holding one nested function), indented
 * as in the file. Returns how many were written to out (at most max), or
 * 0 when something else holds def (an if, a try, a with, an error: the
 * parse would need more of the file) or max is too small. */
size_t pysource_def_ranges(const pysource_t *src, TSNode def, TSRange *out, size_t max);

/* The two kinds of range above, for a caller that walks the tree down
 * itself and keeps the headers it passes (cheaper than a descent per def):
 * a class's or function's header, top being the definition or its
 * decorated_definition and body its body (false when the body starts on
 * the header's line: such a body holds no def), and def's own range, top
 * being def or its decorated_definition. */
bool pysource_header_range(TSNode top, TSNode body, TSRange *out);
TSRange pysource_def_range(TSNode top, TSNode def);

/* Parses only the given ranges of content (in order, not overlapping;
 * tree-sitter's included ranges): nodes keep the bytes, lines and columns
 * they have in the whole text, and node spans read the whole text. content
 * is borrowed, not copied: it must be NUL-terminated (content[len] == 0)
 * and outlive the result. With imports (borrowed too: it must outlive the
 * result), pysource_import_of and pysource_qualified_name answer with the
 * whole file's bindings; without, with the imports inside the ranges.
 * Anything else that reads beyond the ranges (pysource_resolve of a
 * module-level name, pysource_has_error) sees only what was parsed.
 * Counted by pysource_range_parse_count, not by pysource_parse_count. NULL
 * with err on ranges out of order or beyond len, content not terminated,
 * or what pysource_parse fails on. */
pysource_t *pysource_parse_ranges(const char *path, const char *content, size_t len,
                                  const TSRange *ranges, size_t n,
                                  const pysource_imports_t *imports, err_t *err);

/* Parses of ranges this process has made so far (any thread). */
size_t pysource_range_parse_count(void);

/* Frees the tree and the copy (what pysource_parse_ranges borrowed stays the
 * caller's); safe on NULL and twice (nulls the pointer). */
void pysource_destroy(pysource_t **src);

/* Files this process has parsed so far (pysource_parse calls that made a
 * tree, any thread): benchmarks report how often the code is parsed. */
size_t pysource_parse_count(void);

/* Checks that the linked grammar can be loaded by the linked runtime (the
 * check pysource_parse() makes); 0, or -1 with a message naming both ABI
 * versions. */
int pysource_check_grammar(err_t *err);

const char *pysource_path(const pysource_t *src);
const char *pysource_content(const pysource_t *src, size_t *len);
TSNode pysource_root(const pysource_t *src);

/* True when tree-sitter had to recover from a syntax error somewhere. The
 * rest of the tree is still usable. */
bool pysource_has_error(const pysource_t *src);

/* Whether src's text with content[start, end) replaced by text[0, tlen)
 * parses without error nodes, into *ok. A whole-file parse (pysource_parse)
 * is re-parsed incrementally from its tree (tree-sitter reuses the subtrees
 * the edit does not touch), so checking one edit costs about the edited
 * region rather than the file; a parse of ranges is parsed again whole.
 * 0, or -1 with err. */
int pysource_edit_parses(const pysource_t *src, uint32_t start, uint32_t end, const char *text,
                         size_t tlen, bool *ok, err_t *err);

/* Location of the first syntax error (an ERROR or MISSING node); false when
 * the file parsed cleanly. */
bool pysource_first_error(const pysource_t *src, unsigned *line, unsigned *column);

/* ---- nodes ---------------------------------------------------------- */

/* Source bytes of a node (not NUL-terminated). */
const char *pysource_node_span(const pysource_t *src, TSNode node, size_t *len);

/* malloc()ed NUL-terminated copy of a node's source text; NULL on OOM. */
char *pysource_node_text(const pysource_t *src, TSNode node);

/* Whether a node's source text is exactly text. */
bool pysource_node_text_is(const pysource_t *src, TSNode node, const char *text);

/* Whether a node is of the given grammar type ("call", "identifier"...). */
bool pysource_node_is(TSNode node, const char *type);

/* The same test for a type spelled as a string literal, compared as a
 * grammar symbol: the literal's symbols are looked up once per address and
 * thread, then each test is an integer compare (ts_node_type() + strcmp on
 * every test was a tenth of the ORM analysis). The macro makes anything but
 * a literal fail to compile, since a buffer's address says nothing about
 * what it will hold next time. */
#define PYSOURCE_NODE_IS(node, literal) pysource_node_is_literal((node), "" literal "")
bool pysource_node_is_literal(TSNode node, const char *literal);

/* Whether a node can hold statements (module, block, the compound
 * statements and their clauses, definitions, ERROR from recovery): walks
 * that look for statements (imports, assignments) enter only these and
 * skip expressions, which are most of a tree's nodes. */
bool pysource_holds_statements(TSNode node);

/* The named grammar symbol of a type spelled as a literal (0 when the
 * grammar has no such named node), for code that reads ts_node_symbol()
 * once and compares it with several types. */
#define PYSOURCE_SYMBOL(literal) pysource_symbol_literal("" literal "")
TSSymbol pysource_symbol_literal(const char *literal);

/* The named grammar symbols pgopt's walks dispatch on, read once per thread
 * (pysource_syms): a walk that visits every named node and tests it against
 * a dozen types compares integers instead of looking each literal up. None
 * but lambda and await is also spelled by a keyword or another anonymous
 * token, so pysource_node_sym_is on a named node answers as
 * PYSOURCE_NODE_IS; lambda and await are the named nodes (a walk that sees
 * named nodes only never meets the keywords). */
typedef struct {
    TSSymbol function_definition, class_definition, decorated_definition, lambda, await_,
        for_statement, while_statement, if_statement, try_statement, with_statement,
        expression_statement, import_from_statement, wildcard_import, else_clause, elif_clause,
        except_clause, finally_clause, block, list_comprehension, set_comprehension,
        dictionary_comprehension, generator_expression, parenthesized_expression, as_pattern,
        assignment, call, attribute, identifier, string, comment;
} pysource_syms_t;

const pysource_syms_t *pysource_syms(void);

/* Whether node is of the named symbol sym (PYSOURCE_SYMBOL, read once): one
 * integer compare where PYSOURCE_NODE_IS looks its literal up first. Only for
 * a type no keyword or other anonymous token also spells, as the named symbol
 * alone is compared. A null node (id NULL: ts_node_is_null's test without the
 * library call) is of no type. */
static inline bool pysource_node_sym_is(TSNode node, TSSymbol sym)
{
    return node.id != NULL && ts_node_symbol(node) == sym;
}

/* The child in a grammar field named by a string literal ("body",
 * "function"...), with the field id cached the same way: a lookup by name
 * searches the grammar's field names every time. A null node when absent. */
#define PYSOURCE_FIELD(node, literal) pysource_field_literal((node), "" literal "")
TSNode pysource_field_literal(TSNode node, const char *literal);

unsigned pysource_node_line(TSNode node);
unsigned pysource_node_column(TSNode node);

/* ---- walking -------------------------------------------------------- */

typedef enum {
    PYSOURCE_WALK_CONTINUE = 0,
    PYSOURCE_WALK_SKIP_CHILDREN,
    PYSOURCE_WALK_STOP,
} pysource_walk_t;

typedef pysource_walk_t (*pysource_visit_fn)(const pysource_t *src, TSNode node, void *ctx);

/* Pre-order walk over the named nodes of the subtree rooted at root
 * (root included). Returns true when a visit returned PYSOURCE_WALK_STOP. */
bool pysource_walk(const pysource_t *src, TSNode root, pysource_visit_fn visit, void *ctx);

/* A tree cursor positioned at node, from a per-thread pool: creating a
 * TSTreeCursor mallocs its stack, and the recursive walks of the ORM
 * analysis used to create one per visited node. Cursors are taken and given
 * back in LIFO order (one per nesting level); the pool is freed when the
 * outermost cursor is given back, so a caller that walks many subtrees
 * takes one cursor around the whole job to keep the pool warm. Never NULL
 * (common/alloc.h). */
TSTreeCursor *pysource_cursor_take(TSNode node);
/* Gives back the most recently taken cursor; safe on NULL. */
void pysource_cursor_give(TSTreeCursor *cursor);

/* Calls fn for each named child of node, in order, until fn returns false;
 * with a pooled cursor, since by index (ts_node_named_child) such a loop
 * is quadratic in the number of children. A null node has none. */
typedef bool (*pysource_child_fn)(TSNode child, void *ctx);
void pysource_each_named_child(TSNode node, pysource_child_fn fn, void *ctx);

/* ---- names and calls ------------------------------------------------ */

/* The dotted name of an expression made of identifiers and attribute
 * accesses ("sa.create_engine", "db.session.query"), malloc()ed; NULL when
 * the expression is anything else (a call, a subscript...) or on OOM. */
char *pysource_dotted_name(const pysource_t *src, TSNode expr);

/* The dotted name with its first component replaced by what the file's
 * imports bind it to: with `import sqlalchemy as sa`, "sa.create_engine"
 * becomes "sqlalchemy.create_engine"; with `from sqlalchemy import text`,
 * "text" becomes "sqlalchemy.text". *imported (may be NULL) tells whether
 * an import matched; without one the dotted name is returned unchanged.
 * Imports anywhere in the file count (function-level imports too). */
char *pysource_qualified_name(const pysource_t *src, TSNode expr, bool *imported);

/* Whether a call's callee is `name` or ends in `.name`: for "create_engine"
 * this matches create_engine(...), sqlalchemy.create_engine(...),
 * sa.create_engine(...), and also self.create_engine(...); callers that
 * care where the function comes from check pysource_qualified_name(). */
bool pysource_call_is(const pysource_t *src, TSNode call, const char *name);

/* Calls fn for every call expression under root whose callee matches name
 * (pysource_call_is), outermost first. fn may return PYSOURCE_WALK_STOP. */
typedef pysource_walk_t (*pysource_call_fn)(const pysource_t *src, TSNode call, void *ctx);
void pysource_find_calls(const pysource_t *src, TSNode root, const char *name, pysource_call_fn fn,
                         void *ctx);

/* The call's callee node (its "function" field). */
TSNode pysource_call_callee(TSNode call);

/* The index-th positional argument (0-based, keyword arguments and splats
 * skipped); a null node (ts_node_is_null) when absent. */
TSNode pysource_call_arg(const pysource_t *src, TSNode call, unsigned index);

/* The value of the explicit keyword argument `name=` (not looked up in
 * **splats); a null node when absent. */
TSNode pysource_call_kwarg(const pysource_t *src, TSNode call, const char *name);

/* One entry of a keyword-argument list or of a mapping. key is the keyword
 * or the decoded string key (valid during the callback only), key_node the
 * node it was read from (the keyword identifier or the key expression). When
 * a `**splat` or a key cannot be expanded statically, key is NULL and value
 * is the expression that could not be. Return nonzero to stop. */
typedef int (*pysource_entry_fn)(const pysource_t *src, const char *key, TSNode key_node,
                                 TSNode value, void *ctx);

/* Enumerates a call's keyword arguments in order: explicit name=value, then
 * the entries of `**X` where X is a dict literal, a dict(k=v) call, or a
 * name that resolves (pysource_resolve) to one of those. Returns the
 * callback's nonzero value, or 0. */
int pysource_call_kwargs(const pysource_t *src, TSNode call, pysource_entry_fn fn, void *ctx);

/* Enumerates the entries of a mapping expression the same way: {k: v, ...},
 * dict(k=v, ...), dict({...}), {**other, ...}, or a name resolving to one.
 * An expression that is not a static mapping yields one entry with key NULL
 * and value = expr. */
int pysource_mapping_entries(const pysource_t *src, TSNode expr, pysource_entry_fn fn, void *ctx);

/* ---- values --------------------------------------------------------- */

/* Follows an identifier to the right-hand side of its single binding:
 * `NAME = expr` assigned exactly once in the innermost function, class or
 * module scope that binds NAME, and not rebound or mutated there
 * (augmented assignment, for/with/except targets, imports, parameters,
 * global/nonlocal, del, NAME[...] = ..., NAME.update(...) all make it
 * unresolvable). Chains of names are followed. Returns expr itself when it
 * is not an identifier, a null node when it cannot be resolved. */
TSNode pysource_resolve(const pysource_t *src, TSNode expr);

/* Evaluates a simple literal expression to a new JSON value: int (int64),
 * float, True/False/None, strings (escapes, raw strings, implicit and +
 * concatenation, f-strings without replacement fields), negative numbers,
 * + - * / // % on numbers, tuples/lists/sets (arrays), dicts with string
 * keys (objects, incl. dict(k=v) and ** merging), names via
 * pysource_resolve. NULL when the value is not static: any other call,
 * os.environ[...], an f-string with {...}, bytes, an int beyond int64... */
json_t *pysource_eval(const pysource_t *src, TSNode expr);

/* The text of a string expression (literal, concatenation, name resolving
 * to one) with every f-string replacement field {...} replaced by
 * placeholder. Sets *dynamic when a field was replaced. Returns a
 * malloc()ed NUL-terminated string and its length (the text may itself
 * contain NUL bytes), or NULL when expr is not a static string template
 * (bytes, % or .format(), a call, unresolvable...). */
char *pysource_string_template(const pysource_t *src, TSNode expr, const char *placeholder,
                               bool *dynamic, size_t *len);

/* ---- imports (added for the ORM pattern analysis) ------------------- */

/* What the file's imports bind local to ("sqlalchemy.orm.selectinload"
 * for `from sqlalchemy.orm import selectinload`), or NULL when no import
 * binds that name. Valid as long as src. */
const char *pysource_import_of(const pysource_t *src, const char *local);

#endif
