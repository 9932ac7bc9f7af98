/*
 * redact.h - removes secrets from statement texts at collection, before a
 * snapshot is saved or sent to any worker (issue 13 item 4).
 *
 * pg_stat_statements replaces the constants of plannable statements by $n,
 * but keeps utility statements verbatim, and texts inside dollar-quoted
 * bodies (DO blocks, function definitions) are constants of their own. So
 * a workload can hold:
 *   - CREATE/ALTER ROLE/USER ... [ENCRYPTED] PASSWORD '...', and
 *     CREATE/ALTER USER MAPPING / SERVER ... OPTIONS (password '...');
 *   - connection strings with a password (password=..., or a URI's
 *     user:secret@host): dblink_connect('...'), CREATE SUBSCRIPTION
 *     ... CONNECTION '...';
 *   - COPY ... FROM/TO PROGRAM 'a shell command' (which may carry keys);
 *   - pgcrypto keys and passwords: pgp_sym_encrypt/decrypt[_bytea](data,
 *     'psw'), pgp_pub_decrypt[_bytea](data, key, 'psw'), encrypt/decrypt
 *     [_iv](data, 'key', ...), hmac(data, 'key', type), crypt('pw', salt).
 * Each such string literal is replaced by '<redacted>' (the statement's
 * queryid is kept, so it still joins with history and plans).
 *
 * How: libpg_query's scanner (the server's own lexer) gives every literal's
 * exact place, and the rules above are sequences of its tokens (PASSWORD
 * then a literal; COPY ... PROGRAM then a literal; a literal at a given
 * argument of a named function). The parse tree is not used: in PG 15's
 * tree the password of CREATE ROLE is a String node without a location,
 * and texts the parser rejects (a truncated text) would be left unredacted.
 * Dollar-quoted bodies are scanned again, recursively. Text the scanner
 * cannot read (an unterminated quote) falls back to cutting everything from
 * the first sensitive keyword (password, program, pgp_, crypt, hmac,
 * dblink, connection) to the end: safe rather than exact.
 */
#ifndef PGOPT_COORDINATOR_REDACT_H
#define PGOPT_COORDINATOR_REDACT_H

#include <jansson.h>
#include <stddef.h>

#define REDACT_LITERAL "'<redacted>'"

/* Redacts one text. Returns a malloc()ed copy with the secrets replaced and
 * sets *literals to how many literals were replaced (0: an unchanged copy).
 * *fallback is set to 1 when the scanner could
 * not read the text and the fallback cut it (may be NULL). */
char *redact_sql(const char *sql, size_t *literals, int *fallback);

/* Counts of one snapshot's redaction. */
typedef struct {
    size_t statements; /* texts with at least one literal replaced */
    size_t literals;   /* literals replaced */
    size_t fallback;   /* texts cut by the fallback (unscannable) */
    double ms;         /* time spent */
} redact_stats_t;

/* Redacts statements[].query of a snapshot in place and records what it did
 * in meta.redaction {statements, literals, fallback, ms} (added to counts
 * already there: a saved snapshot redacted again keeps its history). The
 * caller adds redact_note's text to meta.notes when literals > 0. */
void redact_snapshot(json_t *snapshot, redact_stats_t *stats);

/* The note saying what was redacted (for meta.notes and the report). */
void redact_note(const redact_stats_t *stats, char *buf, size_t len);

#endif
