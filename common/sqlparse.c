/* sqlparse.c - see sqlparse.h. */
#include "common/sqlparse.h"

#include "common/alloc.h"

#include <pg_query.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* PostgreSQL's parsenodes.h: DeclareCursorStmt.options bit for WITH HOLD.
 * libpg_query's headers do not export the CURSOR_OPT_* macros. */
#define PG_CURSOR_OPT_HOLD 0x0020

struct sqlparse {
    PgQuery__ParseResult *tree;
};

int sqlparse_parse(const char *text, sqlparse_t **out, err_t *err)
{
    if (!out)
        return err_set(err, "sqlparse_parse: no output pointer");
    *out = NULL;
    if (!text)
        return err_set(err, "sqlparse_parse: no SQL text");
    PgQueryProtobufParseResult res = pg_query_parse_protobuf(text);
    if (res.error) {
        err_set(err, "%s (at character %d)",
                res.error->message ? res.error->message : "parse error", res.error->cursorpos);
        pg_query_free_protobuf_parse_result(res);
        return -1;
    }
    PgQuery__ParseResult *tree = pg_query__parse_result__unpack(
        NULL, res.parse_tree.len, (const uint8_t *)res.parse_tree.data);
    pg_query_free_protobuf_parse_result(res);
    if (!tree)
        return err_set(err, "sqlparse_parse: cannot unpack libpg_query's protobuf tree");
    sqlparse_t *p = xcalloc(1, sizeof *p);
    p->tree = tree;
    *out = p;
    return 0;
}

void sqlparse_destroy(sqlparse_t **parse)
{
    if (!parse || !*parse)
        return;
    if ((*parse)->tree)
        pg_query__parse_result__free_unpacked((*parse)->tree, NULL);
    free(*parse);
    *parse = NULL;
}

const PgQuery__ParseResult *sqlparse_tree(const sqlparse_t *parse)
{
    return parse ? parse->tree : NULL;
}

size_t sqlparse_statement_count(const sqlparse_t *parse)
{
    return parse && parse->tree ? parse->tree->n_stmts : 0;
}

const PgQuery__RawStmt *sqlparse_statement(const sqlparse_t *parse, size_t i)
{
    if (i >= sqlparse_statement_count(parse))
        return NULL;
    return parse->tree->stmts[i];
}

/* Calls visit on msg and, depth first, on every message it contains (single
 * and repeated fields); stops at the first non-zero visit result and returns
 * it. */
static int walk(const ProtobufCMessage *msg, int depth, sqlparse_visit_fn visit, void *user)
{
    int rc = visit(msg, depth, user);
    if (rc)
        return rc;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    const char *base = (const char *)msg;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n && items; k++) {
                if (items[k] && (rc = walk(items[k], depth + 1, visit, user)))
                    return rc;
            }
            continue;
        }
        /* A oneof (the Node wrapper) stores every member at the same offset:
         * only the member whose id is in the case field is valid. */
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t active = *(const uint32_t *)(base + f->quantifier_offset);
            if (active != f->id)
                continue;
        }
        const ProtobufCMessage *child = *(const ProtobufCMessage *const *)(base + f->offset);
        if (child && (rc = walk(child, depth + 1, visit, user)))
            return rc;
    }
    return 0;
}

int sqlparse_walk(const ProtobufCMessage *root, sqlparse_visit_fn visit, void *user)
{
    if (!root || !visit)
        return 0;
    return walk(root, 0, visit, user);
}

/* Last component of a qualified function name (pg_catalog.pg_advisory_lock). */
static const char *func_name_last(const PgQuery__FuncCall *fc)
{
    if (fc->n_funcname == 0)
        return NULL;
    const PgQuery__Node *last = fc->funcname[fc->n_funcname - 1];
    if (!last || last->node_case != PG_QUERY__NODE__NODE_STRING || !last->string)
        return NULL;
    return last->string->sval;
}

/* name is an advisory lock function that holds the lock for the session (not
 * released at transaction end), which transaction pooling breaks. */
static int is_session_advisory_function(const char *name)
{
    if (!name)
        return 0;
    /* Session-level lock and unlock functions; pg_advisory_xact_lock* and
     * pg_try_advisory_xact_lock* release at transaction end and are safe. */
    static const char *const session_fns[] = {
        "pg_advisory_lock",       "pg_advisory_lock_shared",
        "pg_try_advisory_lock",   "pg_try_advisory_lock_shared",
        "pg_advisory_unlock",     "pg_advisory_unlock_shared",
        "pg_advisory_unlock_all",
    };
    for (size_t i = 0; i < sizeof session_fns / sizeof session_fns[0]; i++)
        if (strcasecmp(name, session_fns[i]) == 0)
            return 1;
    return 0;
}

/* SQLPARSE_FEATURE_SET for a SET that changes session state; 0 for SET LOCAL
 * and SET TRANSACTION, which end with the transaction. */
static unsigned variable_set_features(const PgQuery__VariableSetStmt *s)
{
    if (s->is_local)
        return 0; /* SET LOCAL ends with the transaction */
    /* SET TRANSACTION ... is VAR_SET_MULTI named "TRANSACTION": transaction
     * scoped. SET SESSION CHARACTERISTICS AS TRANSACTION is session state. */
    if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI && s->name &&
        strcasecmp(s->name, "TRANSACTION") == 0)
        return 0;
    return SQLPARSE_FEATURE_SET;
}

/* A temporary table breaks transaction pooling unless it is dropped at the
 * end of the transaction that created it (ON COMMIT DROP). */
static int is_temp_outliving_transaction(const PgQuery__RangeVar *rel, PgQuery__OnCommitAction oc)
{
    if (!rel || !rel->relpersistence || strcmp(rel->relpersistence, "t") != 0)
        return 0;
    return oc != PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_DROP;
}

/* sqlparse_walk callback: ORs into the unsigned user mask the session
 * features (SET, LISTEN, PREPARE, session advisory locks, WITH HOLD cursors,
 * temporary tables) a statement uses. */
static int classify_visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    unsigned *mask = user;
    const ProtobufCMessageDescriptor *d = node->descriptor;
    if (d == &pg_query__variable_set_stmt__descriptor) {
        *mask |= variable_set_features((const PgQuery__VariableSetStmt *)node);
    } else if (d == &pg_query__listen_stmt__descriptor ||
               d == &pg_query__unlisten_stmt__descriptor) {
        *mask |= SQLPARSE_FEATURE_LISTEN;
    } else if (d == &pg_query__prepare_stmt__descriptor ||
               d == &pg_query__execute_stmt__descriptor ||
               d == &pg_query__deallocate_stmt__descriptor) {
        *mask |= SQLPARSE_FEATURE_PREPARE;
    } else if (d == &pg_query__func_call__descriptor) {
        if (is_session_advisory_function(func_name_last((const PgQuery__FuncCall *)node)))
            *mask |= SQLPARSE_FEATURE_ADVISORY_LOCK;
    } else if (d == &pg_query__declare_cursor_stmt__descriptor) {
        if (((const PgQuery__DeclareCursorStmt *)node)->options & PG_CURSOR_OPT_HOLD)
            *mask |= SQLPARSE_FEATURE_WITH_HOLD_CURSOR;
    } else if (d == &pg_query__create_stmt__descriptor) {
        const PgQuery__CreateStmt *cs = (const PgQuery__CreateStmt *)node;
        if (is_temp_outliving_transaction(cs->relation, cs->oncommit))
            *mask |= SQLPARSE_FEATURE_TEMP_TABLE;
    } else if (d == &pg_query__into_clause__descriptor) {
        /* CREATE TABLE AS and SELECT ... INTO both carry an IntoClause. */
        const PgQuery__IntoClause *ic = (const PgQuery__IntoClause *)node;
        if (is_temp_outliving_transaction(ic->rel, ic->on_commit))
            *mask |= SQLPARSE_FEATURE_TEMP_TABLE;
    }
    return 0;
}

unsigned sqlparse_node_session_features(const ProtobufCMessage *node)
{
    unsigned mask = 0;
    sqlparse_walk(node, classify_visit, &mask);
    return mask;
}

unsigned sqlparse_session_features(const sqlparse_t *parse)
{
    if (!parse || !parse->tree)
        return 0;
    return sqlparse_node_session_features(&parse->tree->base);
}

const char *sqlparse_feature_name(unsigned feature_bit)
{
    switch (feature_bit) {
    case SQLPARSE_FEATURE_SET:
        return "SET";
    case SQLPARSE_FEATURE_LISTEN:
        return "LISTEN";
    case SQLPARSE_FEATURE_PREPARE:
        return "PREPARE";
    case SQLPARSE_FEATURE_ADVISORY_LOCK:
        return "advisory_lock";
    case SQLPARSE_FEATURE_WITH_HOLD_CURSOR:
        return "with_hold_cursor";
    case SQLPARSE_FEATURE_TEMP_TABLE:
        return "temp_table";
    default:
        return NULL;
    }
}

const char *sqlparse_feature_explanation(unsigned feature_bit)
{
    switch (feature_bit) {
    case SQLPARSE_FEATURE_SET:
        return "a session-level SET stays on the server connection and leaks to the next client "
               "that gets it (use SET LOCAL inside the transaction, or role/database defaults)";
    case SQLPARSE_FEATURE_LISTEN:
        return "LISTEN registers on one server connection; notifications are lost when the "
               "client's next transaction runs on another";
    case SQLPARSE_FEATURE_PREPARE:
        return "a SQL-level prepared statement exists only on the server connection that "
               "prepared it";
    case SQLPARSE_FEATURE_ADVISORY_LOCK:
        return "a session advisory lock is held by the server connection, not the client, and "
               "may be released by or leak to another client (use pg_advisory_xact_lock)";
    case SQLPARSE_FEATURE_WITH_HOLD_CURSOR:
        return "a WITH HOLD cursor outlives the transaction on a server connection the client "
               "may not get back";
    case SQLPARSE_FEATURE_TEMP_TABLE:
        return "a temporary table lives on one server connection; later transactions of the "
               "same client may not see it (use ON COMMIT DROP within one transaction)";
    default:
        return NULL;
    }
}

/* ---- Tree editing and deparse ------------------------------------------- */

PgQuery__ParseResult *sqlparse_tree_mutable(sqlparse_t *parse)
{
    return parse ? parse->tree : NULL;
}

int sqlparse_deparse(const PgQuery__ParseResult *tree, char **sql, err_t *err)
{
    if (!sql)
        return err_set(err, "sqlparse_deparse: no output pointer");
    *sql = NULL;
    if (!tree)
        return err_set(err, "sqlparse_deparse: no tree");
    size_t len = pg_query__parse_result__get_packed_size(tree);
    uint8_t *buf = xmalloc(len);
    pg_query__parse_result__pack(tree, buf);
    PgQueryProtobuf pb = {.len = len, .data = (char *)buf};
    PgQueryDeparseResult res = pg_query_deparse_protobuf(pb);
    free(buf);
    if (res.error) {
        err_set(err, "deparse: %s", res.error->message ? res.error->message : "failed");
        pg_query_free_deparse_result(res);
        return -1;
    }
    *sql = xstrdup(res.query ? res.query : "");
    pg_query_free_deparse_result(res);
    return 0;
}
