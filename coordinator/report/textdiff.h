/*
 * textdiff.h - a unified diff of two short texts (a code snippet and its
 * rewrite), line by line, for the reports: what a rewrite changes is shown
 * as the lines it removes and adds against the original, with line numbers
 * from the file.
 *
 * The diff is a longest common subsequence of lines (quadratic: meant for
 * snippets of up to a few hundred lines; longer texts are shown as one
 * removal and one addition), cut into hunks with `context` unchanged lines
 * around each change, in the format of `diff -u`.
 */
#ifndef PGOPT_COMMON_TEXTDIFF_H
#define PGOPT_COMMON_TEXTDIFF_H

/* The unified diff of a (old) and b (new), a malloc()ed string: the two
 * header lines ("--- a_label", "+++ b_label"), then hunks "@@ -l,n +l,n @@"
 * whose line numbers count from first_line (the line of a's first line in
 * its file; 0 when unknown: the hunks then carry no numbers, "@@ @@").
 * Each text's lines end at '\n' (a final newline is optional). Identical
 * texts give the headers alone. */
char *textdiff_unified(const char *a, const char *b, unsigned first_line, const char *a_label,
                       const char *b_label, unsigned context);

#endif
