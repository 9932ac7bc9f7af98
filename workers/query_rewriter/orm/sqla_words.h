/*
 * sqla_words.h - where given words stand in a file's source text, so that a
 * tree walk skips a subtree whose text holds none of the names its checks
 * react to. The ORM walks (sqla_patterns.c's detection walk, the per-item
 * pass of sqla_perloop.c) otherwise visit every node of every file, and
 * most nodes are parts of expressions none of their checks looks at.
 *
 * A word stands where a name or keyword of the text is that word, the
 * names read as the Python tokenizer reads them: a run of identifier
 * characters (letters, digits, underscore, non-ASCII bytes) that does not
 * begin with a digit (after a number, `1for` is `1 for`). Words in strings
 * and comments count too: they only cost a walk of their subtree, whereas
 * a subtree is skipped only when its text cannot hold the word.
 */
#ifndef PGOPT_SQLA_WORDS_H
#define PGOPT_SQLA_WORDS_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether byte b can be part of a name as read above: a letter, a digit,
 * an underscore or a non-ASCII byte (taking every such byte as one only
 * makes a name longer or adds one). The text scans of the ORM code that
 * read names without a tree (a def's name, the callee before a "(", a
 * name's whole-word match) tell names apart by it. */
static inline bool sqla_ident_byte(unsigned char b)
{
    return isalnum(b) || b == '_' || b >= 0x80;
}

typedef struct sqla_words sqla_words_t;

/* The offsets of text (len bytes) where any of words (NULL-terminated,
 * each shorter than 64 bytes) stands, in one pass over the text. Never
 * NULL (out of memory aborts, common/alloc.h). */
sqla_words_t *sqla_words_new(const char *text, size_t len, const char *const *words);

/* Whether one of the words begins in [start, end). */
bool sqla_words_in(const sqla_words_t *w, uint32_t start, uint32_t end);

/* Whether any of the n increasing offsets at lies in [start, end) (a
 * binary search): the test behind sqla_words_in, for other offset lists
 * built in one scan of a file's text. */
bool sqla_offsets_in(const uint32_t *at, size_t n, uint32_t start, uint32_t end);

/* The first of the n increasing offsets at that is at least from, and the
 * first place a word begins at or after from; UINT32_MAX when there is
 * none. For a walk that goes straight to the first child that can hold
 * one (sqla_patterns.c's walk_children). */
uint32_t sqla_offsets_next(const uint32_t *at, size_t n, uint32_t from);
uint32_t sqla_words_next(const sqla_words_t *w, uint32_t from);

/* Whether any of words (NULL-terminated, at most SQLA_TEXT_WORDS_MAX of 1 to 63 bytes each)
 * occurs anywhere in text's len bytes, as bytes: what memmem answers for each word, inside
 * names too ("def" in "default"). One pass for all the words (16 places at a time where the
 * compiler has SSE2: a word's first and last bytes compared, a memcmp where both match), where
 * a memmem per word read the text once per word; false for a word list it cannot take. */
#define SQLA_TEXT_WORDS_MAX 8
bool sqla_text_has_any(const char *text, size_t len, const char *const *words);

/* How many of text's len bytes are b (a file's line ends): 16 bytes a compare where the
 * compiler has SSE2, where memchr from one line end to the next cost a call a line. */
size_t sqla_count_byte(const char *text, size_t len, char b);

/* How many occurrences were found (for tests). */
size_t sqla_words_count(const sqla_words_t *w);

/* Frees w and nulls the pointer; safe on NULL and twice. */
void sqla_words_destroy(sqla_words_t **w);

#endif
