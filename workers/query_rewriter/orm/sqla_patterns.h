/*
 * sqla_patterns.h - database-access anti-patterns found in SQLAlchemy
 * application code (sqla_models.h parses it), each with a rewritten snippet.
 *
 * Findings (one JSON object each):
 *   { "file", "line", "type": "n1_fix" | "bulk_op" | "query_opt" | "session_fix",
 *     "kind": what was found (below),
 *     "original":  the exact source lines the fix changes,
 *     "original_line": the line of original's first line in its file,
 *     "optimized": the same lines rewritten (valid Python: the whole file is
 *                  re-parsed with them in place of original, without error
 *                  nodes), or null when the rewrite is not shown safe,
 *     "safety": "proven" | "conditional" | "manual" (workers/query_rewriter/
 *               RULES.md, "ORM code rewrites": rules 1-7),
 *     "safety_condition": conditional only, the exact condition,
 *     "manual_reason": manual only, why there is no code (the explanation
 *               says how to fix it by hand),
 *     "imports": ["from sqlalchemy.orm import selectinload", ...] the import
 *               lines the code needs that the file lacks (absent when none),
 *     "input": SQL built from strings only, where its most exposed value
 *              comes from: "request" | "parameter" | "unknown" | "database" |
 *              "constant",
 *     "deliberate": true for a per-item commit kept on purpose,
 *     "explanation", "style": "2.0" | "1.x" | "flask",
 *     "sql": what the database sees, for matching pg_stat_statements:
 *            {"shape": "select_by_fk" | "select_by_pk" | "select" |
 *             "insert" | "commit" | "none", "table", "columns": [...],
 *             "parent_table"},
 *     "security": true for SQL built from strings,
 *     ["query_file", "query_line"]: where the query that the fix edits
 *            is, when not in the loop's function }
 *
 * Kinds and where `line` points:
 *   lazy_load_in_loop    a lazy relationship read per element of a query
 *                        result (directly, in a comprehension, in a nested
 *                        loop, or through a project function / method /
 *                        property, across modules): the loop line; the fix
 *                        adds selectinload (collections) / joinedload
 *                        (many-to-one) to the query that produced the
 *                        iterable.
 *   query_in_loop        a query keyed by the loop variable (loop over
 *                        anything but a literal of constants): the loop
 *                        line; the fix is one grouped query (IN) before the
 *                        loop and a dictionary lookup inside.
 *   add_in_loop          session.add / add_all / execute(insert) per
 *                        iteration (not over a literal of constants): the
 *                        loop line; 2.0: execute(insert(M), rows), 1.x:
 *                        bulk_insert_mappings(M, rows).
 *   commit_in_loop       session.commit() per iteration: the loop line; one
 *                        commit after the loop (a flush per item stays when
 *                        the loop reads a generated key). Manual (kept) when
 *                        the loop isolates items (try/except, rollback),
 *                        commits in a with block, on a session made per
 *                        item, or after a comment saying so. Not reported
 *                        when the loop makes a network call (a note) or
 *                        commits every N items (a modulo condition).
 *   engine_per_call      create_engine / sessionmaker inside a request
 *                        handler or a loop: the call's line.
 *   session_per_iteration  a Session created inside a loop: its line.
 *   session_not_closed   a Session assigned to a name that is never closed,
 *                        used in `with`, or returned: the assignment line.
 *   network_in_transaction a requests / httpx / urllib / smtplib / aiohttp
 *                        call while the session has uncommitted work, or
 *                        inside `with session.begin()`: the call's line.
 *   sql_string_formatting  SQL text built with an f-string or % and run by
 *                        execute / text / exec_driver_sql: the call's line;
 *                        the fix binds parameters (security finding). A
 *                        value inside a quoted SQL literal ('%{term}%')
 *                        binds the whole literal, built in Python
 *                        (term=f"%{term}%"); a string whose quotes cannot
 *                        be read safely (unterminated, backslash-escaped)
 *                        gets no rewrite rather than a wrong one.
 */
#ifndef PGOPT_QR_ORM_SQLA_PATTERNS_H
#define PGOPT_QR_ORM_SQLA_PATTERNS_H

#include <jansson.h>

#include "common/error.h"
#include "workers/query_rewriter/orm/sqla_models.h"

/* Appends findings (the shape above) to *findings and notes (strings:
 * detections without a rewrite, snippets that failed to re-parse) to
 * *notes; both are new arrays. 0, or -1 with err on out of memory. */
int sqla_detect(const sqla_project_t *project, json_t **findings, json_t **notes, err_t *err);

/* The whole analysis in one pass over the files: each file parsed once,
 * added to the index and scanned against the index so far with its
 * look-ups logged; once every file is in, only the files whose look-ups
 * answer differently from the complete index are parsed and scanned again
 * (sqla_models.h, "Look-up logs"). The findings and notes are
 * sqla_project_new + sqla_detect's, in the same order, whatever the visit
 * order. order: the files' visit order (every index once), or NULL for
 * sqla_project_visit_order's. *project: the complete index, for the
 * caller's counts and notes (sqla_project_destroy). 0, or -1 with err. */
int sqla_analyze(const json_t *code_section, const size_t *order, sqla_project_t **project,
                 json_t **findings, json_t **notes, err_t *err);

/* Whether text (a Python snippet, possibly indented as a whole) parses
 * without error nodes once its common indentation is removed. */
bool sqla_snippet_parses(const char *text);

#endif
