/* sqla_words.c - see sqla_words.h. */
#include "workers/query_rewriter/orm/sqla_words.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* The words to find, by first byte and length: by first byte and length apart, a third of a
 * file's names (for, text, add, begin ... share their first bytes and lengths with common names)
 * went on to a compare with every word. */
typedef struct {
    const char *const *words;
    size_t nw, lens[64];
    uint64_t first_len[256]; /* bit l: a word of l bytes begins with the byte */
    const unsigned char *cls;
} table_t;

/* The run of identifier bytes text[i, j): a word there is pushed. */
static inline void run_words(sqla_words_t *w, const table_t *t, const unsigned char *c, size_t i,
                             size_t j)
{
    if (t->cls[c[i]] == DIGIT) {
        /* a number and what follows it in the same run: a name may begin inside (`1for`);
         * only one ending at the run's end can be a word */
        for (size_t k = 0; k < t->nw; k++)
            if (j - i > t->lens[k] && memcmp(t->words[k], c + j - t->lens[k], t->lens[k]) == 0) {
                push(w, j - t->lens[k]);
                return;
            }
    } else if (j - i < 64 && (t->first_len[c[i]] >> (j - i) & 1) &&
               word_at(t->words, t->lens, c, i, j - i) >= 0) {
        push(w, i);
    }
}

/* Bit b set: c[b] (b < n <= 64) is an identifier byte (NAME or DIGIT). */
static uint64_t ident_mask(const unsigned char *cls, const unsigned char *c, size_t n)
{
#if defined(__SSE2__)
    if (n == 64) {
        /* 16 bytes a compare: letters (c | 0x20 in a-z), digits, '_', and bytes from 0x80 (a
         * signed compare's negatives) */
        const __m128i a1 = _mm_set1_epi8('a' - 1), z1 = _mm_set1_epi8('z' + 1),
                      d1 = _mm_set1_epi8('0' - 1), d2 = _mm_set1_epi8('9' + 1),
                      us = _mm_set1_epi8('_'), lower = _mm_set1_epi8(0x20);
        uint64_t m = 0;
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(c + 16 * k));
            __m128i l = _mm_or_si128(v, lower);
            __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, a1), _mm_cmplt_epi8(l, z1));
            __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d1), _mm_cmplt_epi8(v, d2));
            __m128i any = _mm_or_si128(
                _mm_or_si128(letter, digit),
                _mm_or_si128(_mm_cmpeq_epi8(v, us), _mm_cmplt_epi8(v, _mm_setzero_si128())));
            m |= (uint64_t)(uint16_t)_mm_movemask_epi8(any) << (16 * k);
        }
        return m;
    }
#endif
    uint64_t m = 0;
    for (size_t b = 0; b < n; b++)
        m |= (uint64_t)(cls[c[b]] != OTHER) << b;
    return m;
}

sqla_words_t *sqla_words_new(const char *text, size_t len, const char *const *words)
{
    sqla_words_t *w = xcalloc(1, sizeof *w);
    table_t t;
    memset(t.first_len, 0, sizeof t.first_len);
    t.words = words;
    /* the classes once per thread: filling them took 1 900 instructions a call, two calls a
     * file */
    static _Thread_local unsigned char classes[256];
    static _Thread_local bool classified;
    if (!classified) {
        classify(classes);
        classified = true;
    }
    t.cls = classes;
    const unsigned char *cls = classes;
    size_t nw = 0;
    while (words && words[nw])
        nw++;
    t.nw = nw;
    size_t *lens = t.lens;
    if (nw == 0 || nw > 64)
        return w;
    uint64_t has_len = 0; /* bit l: some word is l bytes long */
    int nfirst = 0;
    for (size_t k = 0; k < nw; k++) {
        lens[k] = strlen(words[k]);
        if (lens[k] == 0 || lens[k] >= 64)
            return w;
        nfirst += !t.first_len[(unsigned char)words[k][0]];
        t.first_len[(unsigned char)words[k][0]] |= (uint64_t)1 << lens[k];
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
    /* Every run of identifier bytes, found 64 bytes at a time by a mask of them: its starts
     * are the set bits after a clear one, its end the next clear bit. A walk byte by byte took
     * a mispredicted branch at nearly every name's end. */
    size_t open = SIZE_MAX; /* where a run that the last block ended inside began */
    for (size_t base = 0; base < len; base += 64) {
        size_t n = len - base < 64 ? len - base : 64;
        uint64_t m = ident_mask(cls, c + base, n);
        uint64_t starts = m & ~((m << 1) | (open != SIZE_MAX));
        if (open != SIZE_MAX) {
            if (~m == 0)
                continue; /* still inside it */
            run_words(w, &t, c, open, base + (size_t)__builtin_ctzll(~m));
            open = SIZE_MAX;
        }
        while (starts) {
            unsigned s = (unsigned)__builtin_ctzll(starts);
            starts &= starts - 1;
            uint64_t rest = ~m >> s; /* bit 0 clear: s is in the run */
            if (rest == 0) {
                open = base + s; /* to the block's end and on: the last start */
                break;
            }
            run_words(w, &t, c, base + s, base + s + (size_t)__builtin_ctzll(rest));
        }
    }
    if (open != SIZE_MAX)
        run_words(w, &t, c, open, len);
    return w;
}

bool sqla_text_has_any(const char *text, size_t len, const char *const *words)
{
    size_t nw = 0, lens[SQLA_TEXT_WORDS_MAX], maxl = 0;
    for (; words && words[nw]; nw++) {
        if (nw == SQLA_TEXT_WORDS_MAX)
            return false;
        lens[nw] = strlen(words[nw]);
        if (lens[nw] == 0 || lens[nw] >= 64)
            return false;
        maxl = lens[nw] > maxl ? lens[nw] : maxl;
    }
    if (nw == 0 || !text)
        return false;
    const unsigned char *c = (const unsigned char *)text;
    size_t i = 0; /* every place before i has been tried for every word */
#if defined(__SSE2__)
    /* 16 places a block: a place is a candidate for word k where its byte is the word's first
     * and the byte len_k - 1 on is its last; candidates are rare in source text, and each is
     * checked whole. The last byte of every load stays inside the text: i + 15 + maxl - 1 < len. */
    __m128i first[SQLA_TEXT_WORDS_MAX], last[SQLA_TEXT_WORDS_MAX];
    for (size_t k = 0; k < nw; k++) {
        first[k] = _mm_set1_epi8((char)words[k][0]);
        last[k] = _mm_set1_epi8((char)words[k][lens[k] - 1]);
    }
    for (; len >= maxl + 15 && i <= len - maxl - 15; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(c + i));
        __m128i hit = _mm_setzero_si128();
#pragma GCC unroll 8
        for (size_t k = 0; k < nw; k++) {
            __m128i e = _mm_loadu_si128((const __m128i *)(const void *)(c + i + lens[k] - 1));
            hit = _mm_or_si128(
                hit, _mm_and_si128(_mm_cmpeq_epi8(b, first[k]), _mm_cmpeq_epi8(e, last[k])));
        }
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        while (m) {
            size_t at = i + (size_t)__builtin_ctz(m);
            m &= m - 1;
            for (size_t k = 0; k < nw; k++)
                if (memcmp(c + at, words[k], lens[k]) == 0)
                    return true;
        }
    }
#endif
    /* the places left (all of them without SSE2), each word where it fits */
    for (; i < len; i++)
        for (size_t k = 0; k < nw; k++)
            if (c[i] == (unsigned char)words[k][0] && lens[k] <= len - i &&
                memcmp(c + i, words[k], lens[k]) == 0)
                return true;
    return false;
}

size_t sqla_count_byte(const char *text, size_t len, char b)
{
    const unsigned char *c = (const unsigned char *)text;
    size_t n = 0, i = 0;
#if defined(__SSE2__)
    const __m128i want = _mm_set1_epi8(b);
    while (len - i >= 16) {
        /* per byte lane, 0 minus the matches (a compare is -1 where equal), over at most 255
         * blocks so that no lane passes 255; then the lanes summed (psadbw) */
        __m128i acc = _mm_setzero_si128();
        size_t blocks = (len - i) / 16 < 255 ? (len - i) / 16 : 255;
        for (size_t k = 0; k < blocks; k++, i += 16)
            acc = _mm_sub_epi8(
                acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(c + i)), want));
        __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
        n += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#endif
    for (; i < len; i++)
        n += c[i] == (unsigned char)b;
    return n;
}

bool sqla_offsets_in(const uint32_t *at, size_t n, uint32_t start, uint32_t end)
{
    /* the first offset at or after start; UINT32_MAX (none) is never below end */
    return start < end && sqla_offsets_next(at, n, start) < end;
}

uint32_t sqla_offsets_next(const uint32_t *at, size_t n, uint32_t from)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? at[lo] : UINT32_MAX;
}

uint32_t sqla_words_next(const sqla_words_t *w, uint32_t from)
{
    return w ? sqla_offsets_next(w->at, w->n, from) : UINT32_MAX;
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
