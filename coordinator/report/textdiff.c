/* textdiff.c - see textdiff.h. */
#include "coordinator/report/textdiff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

#define MAX_LCS_LINES 400

typedef struct {
    const char **s; /* line starts */
    size_t *n;      /* line lengths */
    size_t count;
} lines_t;

/* Points l at the lines of t (no copies: l->s[i] points into t). */
static void split(const char *t, lines_t *l)
{
    memset(l, 0, sizeof *l);
    size_t cap = 1;
    for (const char *p = t; *p; p++)
        if (*p == '\n')
            cap++;
    l->s = xmalloc(cap * sizeof *l->s);
    l->n = xmalloc(cap * sizeof *l->n);
    const char *p = t;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        l->s[l->count] = p;
        l->n[l->count] = len;
        l->count++;
        p += len + (nl ? 1 : 0);
    }
}

static bool same(const lines_t *a, size_t i, const lines_t *b, size_t j)
{
    return a->n[i] == b->n[j] && memcmp(a->s[i], b->s[j], a->n[i]) == 0;
}

/* One edit script entry: ' ' both, '-' only a, '+' only b. */
typedef struct {
    char op;
    size_t ai, bi;
} op_t;

/* The "@@ -a,n +b,m @@" line of a hunk (diff -u numbering), or a bare "@@ @@" when the first line
 * number is unknown. */
static void hunk_header(strbuf_t *o, unsigned first, size_t as, size_t an, size_t bs, size_t bn)
{
    if (!first) {
        strbuf_add(o, "@@ @@\n");
        return;
    }
    /* diff -u: an empty side names the line before it */
    strbuf_printf(o, "@@ -%zu,%zu +%zu,%zu @@\n", an ? first + as : first + as - 1, an,
                  bn ? first + bs : first + bs - 1, bn);
}

char *textdiff_unified(const char *a, const char *b, unsigned first_line, const char *a_label,
                       const char *b_label, unsigned context)
{
    lines_t A, B;
    split(a ? a : "", &A);
    split(b ? b : "", &B);
    op_t *ops = xmalloc((A.count + B.count + 1) * sizeof *ops);
    size_t nops = 0;
    strbuf_t o = {0};
    if (A.count <= MAX_LCS_LINES && B.count <= MAX_LCS_LINES) {
        /* lcs[i][j]: LCS length of A[i..] and B[j..] */
        size_t w = B.count + 1;
        unsigned short *lcs = xcalloc((A.count + 1) * w, sizeof *lcs);
        for (size_t i = A.count; i-- > 0;)
            for (size_t j = B.count; j-- > 0;)
                lcs[i * w + j] = same(&A, i, &B, j) ? (unsigned short)(lcs[(i + 1) * w + j + 1] + 1)
                                                    : (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]
                                                           ? lcs[(i + 1) * w + j]
                                                           : lcs[i * w + j + 1]);
        size_t i = 0, j = 0;
        while (i < A.count || j < B.count) {
            if (i < A.count && j < B.count && same(&A, i, &B, j))
                ops[nops++] = (op_t){' ', i++, j++};
            else if (j == B.count || (i < A.count && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]))
                ops[nops++] = (op_t){'-', i++, j}; /* removals first, as diff prints them */
            else
                ops[nops++] = (op_t){'+', i, j++};
        }
        free(lcs);
    } else {
        for (size_t i = 0; i < A.count; i++)
            ops[nops++] = (op_t){'-', i, 0};
        for (size_t j = 0; j < B.count; j++)
            ops[nops++] = (op_t){'+', A.count, j};
    }
    strbuf_printf(&o, "--- %s\n+++ %s\n", a_label ? a_label : "a", b_label ? b_label : "b");
    /* hunks: runs of changes with up to `context` unchanged lines around,
     * merged when their contexts touch */
    size_t k = 0;
    while (k < nops) {
        while (k < nops && ops[k].op == ' ')
            k++;
        if (k >= nops)
            break;
        size_t start = k >= context ? k - context : 0;
        size_t end = k; /* exclusive, grows over changes and short gaps */
        for (;;) {
            while (end < nops && ops[end].op != ' ')
                end++;
            size_t gap = end;
            while (gap < nops && ops[gap].op == ' ')
                gap++;
            if (gap < nops && gap - end <= 2 * context) {
                end = gap;
                continue;
            }
            end = end + context < nops ? end + context : nops;
            if (end > gap)
                end = gap;
            break;
        }
        size_t an = 0, bn = 0;
        for (size_t x = start; x < end; x++) {
            an += ops[x].op != '+';
            bn += ops[x].op != '-';
        }
        hunk_header(&o, first_line, ops[start].ai, an, ops[start].bi, bn);
        for (size_t x = start; x < end; x++) {
            const op_t *p = &ops[x];
            strbuf_addc(&o, p->op);
            if (p->op == '+')
                strbuf_addn(&o, B.s[p->bi], B.n[p->bi]);
            else
                strbuf_addn(&o, A.s[p->ai], A.n[p->ai]);
            strbuf_addc(&o, '\n');
        }
        k = end;
    }
    free(ops);
    free(A.s);
    free(A.n);
    free(B.s);
    free(B.n);
    return strbuf_take(&o);
}
