/*
 * sqla_engines.h - what an application's Python code tells about its
 * SQLAlchemy connection pools and its use of session state, read statically
 * from the snapshot's `code` section (array of {path, content, bytes}).
 *
 * The config tuner sizes pools against PgBouncer and max_connections from
 * the engines found here, and warns about transaction pooling from the
 * session features; the query rewriter uses the style (1.x or 2.0) to write
 * ORM advice in the dialect the code already speaks.
 *
 * Only files whose path ends in ".py" are read. Every fact carries the file
 * and 1-based line it came from. A value is reported only when the code
 * proves it statically (see common/python/pysource.h); otherwise the option
 * is listed as dynamic. Files with syntax errors are still analysed for the
 * parts that parsed, and are reported (see diagnostics below).
 *
 * Engines: array of
 *   { "file", "line",
 *     "call":     "create_engine" | "create_async_engine" |
 *                 "engine_from_config" (also async_engine_from_config) |
 *                 "flask_sqlalchemy" (a flask_sqlalchemy.SQLAlchemy(...) object),
 *     "url_expr": source text of the URL argument, or null when not found
 *                 (for Flask: the SQLALCHEMY_DATABASE_URI value; for
 *                 engine_from_config: the "<prefix>url" entry),
 *     "style":    "2.0" | "1.x" | "unknown",
 *     "style_evidence": [ {"marker", "file", "line"} ]  (at most 8),
 *     "options":  { option: literal value } for the pool options present:
 *                 pool_size, max_overflow, pool_timeout, pool_recycle,
 *                 pool_pre_ping, poolclass (class name as a string),
 *                 pool_use_lifo, echo_pool, isolation_level,
 *                 connect_args (object of its literal entries),
 *     "dynamic":  [ option names whose value is not static; "connect_args.K"
 *                 for one non-literal connect_args entry; "**EXPR" for a
 *                 keyword splat or configuration that cannot be expanded,
 *                 so any option may be set there ],
 *     "option_sources": [ {"option", "file", "line", "expr"} ] where each
 *                 option is set (several for Flask config classes that
 *                 disagree; the option is then also listed as dynamic.
 *                 Flask settings from every file are merged, whichever
 *                 config class app.config.from_object() picks),
 *     "file_has_syntax_errors": true  (only when the engine's file has) }
 *
 * Style: "2.0" when the call has future=True, or the code uses 2.0 API
 * (select() from sqlalchemy without a list argument, DeclarativeBase,
 * mapped_column, Mapped[...]); "1.x" when it uses session.query(...),
 * declarative_base() or select([...]). Evidence in the engine's own file
 * decides; when that file has none, the whole code section does. 2.0
 * evidence wins over 1.x evidence, because 2.0 constructs only run on an
 * installation where the 2.0 API is available (session.query is legacy but
 * still works there).
 *
 * Flask-SQLAlchemy options come from SQLAlchemy(app, engine_options={...}),
 * app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {...}, app.config.update(...),
 * SQLALCHEMY_ENGINE_OPTIONS = {...} in a config module or class, and the
 * flask-sqlalchemy 2.x keys SQLALCHEMY_POOL_SIZE, SQLALCHEMY_MAX_OVERFLOW,
 * SQLALCHEMY_POOL_TIMEOUT, SQLALCHEMY_POOL_RECYCLE, anywhere in the code.
 *
 * Session features: array of
 *   { "file", "line" (of the call that runs the SQL), "feature": "SET" | "LISTEN" | "PREPARE" |
 *     "advisory_lock" | "temp_table" | "with_hold_cursor",
 *     "snippet": the SQL statement (at most 200 bytes; for f-strings the
 *                Python expression), "call": the callee ("text",
 *                "conn.execute", "func.pg_advisory_lock"...),
 *     "dynamic": true when the SQL is an f-string (its {...} fields were
 *                read as identifiers) }
 * SQL comes from string arguments of text(), execute(), executemany(),
 * exec_driver_sql() (including names assigned a string), and
 * func.<name>(...) calls. It is classified by PostgreSQL's own parser
 * (common/sqlparse.h): SET LOCAL, SET TRANSACTION, pg_advisory_xact_lock and
 * CREATE TEMP TABLE ... ON COMMIT DROP do not count; SELECT set_config(...,
 * false) counts as SET. Bind parameters (:name, %s, %(name)s) are read as
 * $n placeholders.
 *
 * Diagnostics: array of {"file", "line", "column", "kind", "message"},
 * kind "python_syntax" (a file tree-sitter had to recover from; analysed
 * anyway) or "sql_syntax" (a static SQL string PostgreSQL's parser rejects;
 * not classified).
 */
#ifndef PGOPT_CT_SQLA_ENGINES_H
#define PGOPT_CT_SQLA_ENGINES_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

typedef struct sqla_scan sqla_scan_t;

/* Parses every .py file of code_section once. code_section may be NULL (no
 * code collected: everything comes back empty). Returns NULL with err set
 * when code_section is not an array of {path (string), content (string)}
 * maps (naming the offending index) or memory runs out. */
sqla_scan_t *sqla_scan_new(const json_t *code_section, err_t *err);

/* Safe on NULL and twice (nulls the pointer). */
void sqla_scan_destroy(sqla_scan_t **scan);

/* Number of .py files parsed. */
size_t sqla_scan_file_count(const sqla_scan_t *scan);

/* New arrays as documented above; 0, or -1 with err on out of memory. */
int sqla_scan_engines(sqla_scan_t *scan, json_t **engines, err_t *err);
int sqla_scan_session_features(sqla_scan_t *scan, json_t **features, err_t *err);

/* New array of the diagnostics found so far (python_syntax after
 * sqla_scan_new, sql_syntax after sqla_scan_session_features). */
json_t *sqla_scan_diagnostics(const sqla_scan_t *scan);

/* One-shot forms: parse, extract, free. Use the scan when you need both
 * lists or the diagnostics. */
int sqla_find_engines(const json_t *code_section, json_t **engines, err_t *err);
int sqla_find_session_features(const json_t *code_section, json_t **features, err_t *err);

#endif
