/* sqla_words.c - see sqla_words.h. */
#include "workers/query_rewriter/orm/sqla_words.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

struct sqla_words {
    uint32_t *at; /* increasing offsets */
    size_t n, cap;
};

enum { OTHER = 0, DIGIT = 1, NAME = 2 };

/* Each byte's class: NAME for what can begin a name (letters, underscore,
 * any byte of a non-ASCII character), DIGIT, OTHER for the rest. */
static void classify(unsigned char cls[256])
{
    for (int c = 0; c < 256; c++)
        cls[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ? NAME
                 : c >= '0' && c <= '9'                                                    ? DIGIT
                                                                                           : OTHER;
}

static void push(sqla_words_t *w, size_t at)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->at = xreallocarray(w->at, w->cap, sizeof *w->at);
    }
    w->at[w->n++] = (uint32_t)at;
}

/* The index of the word that text[i, i+l) is, or -1. */
static int word_at(const char *const *words, const size_t *lens, const unsigned char *c, size_t i,
                   size_t l)
{
    for (int k = 0; words[k]; k++)
        if (lens[k] == l && memcmp(words[k], c + i, l) == 0)
            return k;
    return -1;
}

/* Whether a name can begin at i: the byte before is no identifier byte,
 * or the run of identifier bytes before i is a number's (`1for`, `0xffor`:
 * the tokenizer ends the number there at the latest; counting such a place
 * is at worst a walk for nothing). */
static bool name_begins(const unsigned char *cls, const unsigned char *c, size_t i)
{
    size_t k = i;
    while (k > 0 && cls[c[k - 1]] != OTHER)
        k--;
    return k == i || cls[c[k]] == DIGIT;
}

sqla_words_t *sqla_words_new(const char *text, size_t len, const char *const *words)
{
    sqla_words_t *w = xcalloc(1, sizeof *w);
    unsigned char cls[256];
    classify(cls);
    size_t nw = 0;
    while (words && words[nw])
        nw++;
    size_t lens[64];
    if (nw == 0 || nw > 64)
        return w;
    /* the words by first byte and length, so that most names of the text
     * are told apart from all the words by one table read: by first byte
     * and length apart, a third of a file's names (for, text, add, begin
     * ... share their first bytes and lengths with common names) went on
     * to a compare with every word */
    uint64_t first_len[256] = {0}; /* bit l: a word of l bytes begins with the byte */
    uint64_t has_len = 0;          /* bit l: some word is l bytes long */
    int nfirst = 0;
    for (size_t k = 0; k < nw; k++) {
        lens[k] = strlen(words[k]);
        if (lens[k] == 0 || lens[k] >= 64)
            return w;
        nfirst += !first_len[(unsigned char)words[k][0]];
        first_len[(unsigned char)words[k][0]] |= (uint64_t)1 << lens[k];
        has_len |= (uint64_t)1 << lens[k];
    }
    const unsigned char *c = (const unsigned char *)text;
    if (nfirst == 1) {
        /* one first byte (the per-item pass's "for"): memchr finds its
         * places far faster than a walk over every name */
        unsigned char f0 = (unsigned char)words[0][0];
        const unsigned char *p = c, *end = c + len;
        while (p < end && (p = memchr(p, f0, (size_t)(end - p))) != NULL) {
            size_t i = (size_t)(p - c), j = i;
            while (j < len && cls[c[j]] != OTHER)
                j++;
            bool match = j - i < 64 && (has_len >> (j - i) & 1) &&
                         word_at(words, lens, c, i, j - i) >= 0 && name_begins(cls, c, i);
            if (match)
                push(w, i);
            /* past a match its name; otherwise the next byte, since a word
             * may still end this run (`0xffor`) */
            p = c + (match ? j : i + 1);
        }
        return w;
    }
    size_t i = 0;
    while (i < len) {
        while (i < len && cls[c[i]] == OTHER)
            i++;
        if (i >= len)
            break;
        size_t j = i + 1;
        while (j < len && cls[c[j]] != OTHER)
            j++;
        if (cls[c[i]] == DIGIT) {
            /* a number and what follows it in the same run: a name may
             * begin inside (`1for`); only one ending at the run's end can
             * be a word */
            for (size_t k = 0; k < nw; k++)
                if (j - i > lens[k] && memcmp(words[k], c + j - lens[k], lens[k]) == 0) {
                    push(w, j - lens[k]);
                    break;
                }
        } else if (j - i < 64 && (first_len[c[i]] >> (j - i) & 1) &&
                   word_at(words, lens, c, i, j - i) >= 0) {
            push(w, i);
        }
        i = j;
    }
    return w;
}

bool sqla_offsets_in(const uint32_t *at, size_t n, uint32_t start, uint32_t end)
{
    if (start >= end)
        return false;
    /* the first offset at or after start */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at[mid] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && at[lo] < end;
}

bool sqla_words_in(const sqla_words_t *w, uint32_t start, uint32_t end)
{
    return w && sqla_offsets_in(w->at, w->n, start, end);
}

size_t sqla_words_count(const sqla_words_t *w)
{
    return w ? w->n : 0;
}

void sqla_words_destroy(sqla_words_t **wp)
{
    if (!wp || !*wp)
        return;
    free((*wp)->at);
    free(*wp);
    *wp = NULL;
}
