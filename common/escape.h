/*
 * escape.h - make text from peers safe to show: one function for every log
 * line, stderr message and text/HTML report that prints a string pgopt did
 * not write itself (job ids, ERROR codes and messages, PONG worker names,
 * agents' results, names and query text read from the database).
 *
 * Such a string could otherwise forge a log line (an embedded newline),
 * drive the reader's terminal (ESC sequences: retitle the window, rewrite
 * the screen, OSC 8 links), or reorder what is displayed (Unicode bidi
 * overrides, "Trojan Source"). The escaped text shows every such character
 * in a visible, unambiguous form and is plain printable UTF-8:
 *
 *   C0 controls and DEL      \n \r \t, else \xNN ("\x1b")
 *   C1 controls U+0080-009F  \u0085
 *   bidi controls and line   \u202e  (U+061C, U+200E-200F, U+2028-202E,
 *   separators                        U+2066-2069)
 *   bytes that are not UTF-8 \xNN    (each byte of the bad sequence)
 *
 * Everything else, including other non-ASCII text, is kept as it is.
 */
#ifndef PGOPT_COMMON_ESCAPE_H
#define PGOPT_COMMON_ESCAPE_H

#include <stddef.h>

#include "common/strbuf.h"

/* Flags. */
#define ESC_KEEP_NL 1u /* keep newline and tab (multi-line report text) */
#define ESC_QUOTE   2u /* also escape '"' and '\' (a quoted logfmt value) */

/* 1 when n bytes of s would be changed by escaping under flags. */
int esc_needed(const char *s, size_t n, unsigned flags);

/* Appends n bytes of s, escaped, to b. */
void esc_append(strbuf_t *b, const char *s, size_t n, unsigned flags);

/* Escapes the C string s (NULL reads as "") into out (cap >= 4 bytes,
 * always NUL-terminated). Text that does not fit is cut at a character or
 * escape boundary and ends in "...". Returns out, for use as a printf
 * argument. */
const char *esc_str(const char *s, unsigned flags, char *out, size_t cap);

/* A malloc()ed escaped copy of s (never NULL: see common/alloc.h). */
char *esc_dup(const char *s, unsigned flags);

/* Room for any header field (the longest, an ERROR message, is 512 bytes,
 * at most 4 output bytes per input byte) and then some. */
#define ESC_LOG_CAP 2304

/* A peer's string as a quoted logfmt value or a stderr message: escaped
 * into a buffer that lives until the end of the enclosing block, e.g.
 *   log_warn("job failed", "job=\"%s\"", ESC(h->job)); */
#define ESC(s) esc_str((s), ESC_QUOTE, (char[ESC_LOG_CAP]){0}, ESC_LOG_CAP)

/* The same for a message on stderr or a terminal line, quotes kept. */
#define ESC_LINE(s) esc_str((s), 0, (char[ESC_LOG_CAP]){0}, ESC_LOG_CAP)

#endif
