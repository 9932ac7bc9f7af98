#!/usr/bin/env python3
"""function-stats.py FILE.c... - per C function: its length in lines and
whether a comment documents it; a summary on stderr. For issue 17's
"functions over ~120 lines" and "every non-trivial function has a comment".

Heuristic (the repository's clang-format style): a definition starts at
column 0 and its body's { and } stand alone at column 0; lines are counted
from the signature to the closing brace. A function is commented when a
comment ends on the line before its signature, or, for a non-static one,
on the line before its declaration (or its group of declarations) in a
header of the same folder. Non-trivial: 6 lines or more.

  scripts/function-stats.py $(find workers/query_rewriter -name '*.c') | sort -rn | head
"""
import re, sys, os, glob
minlen = 6
rows = []
hdr_doc = {}
dirs = set(os.path.dirname(p) for p in sys.argv[1:])
for d in dirs:
    for h in glob.glob(os.path.join(d, '*.h')):
        H = open(h).read().split('\n')
        for k, line in enumerate(H):
            m = re.match(r'^[A-Za-z_].*?\b(\w+)\s*\(', line)
            if m and not line.startswith('#') and not line.startswith('typedef'):
                p = k - 1
                # a group of declarations under one comment: skip the earlier
                # declarations (and their continuation lines)
                while p >= 0 and H[p].strip() and not H[p].rstrip().endswith('*/') and \
                        (H[p].rstrip().endswith(';') or H[p].rstrip().endswith(',') or H[p][0] in ' \t') and \
                        not H[p].lstrip().startswith('*'):
                    p -= 1
                doc = p >= 0 and (H[p].rstrip().endswith('*/') or H[p].lstrip().startswith('//'))
                hdr_doc[m.group(1)] = hdr_doc.get(m.group(1), False) or doc
for path in sys.argv[1:]:
    L = open(path).read().split('\n')
    i = 0
    while i < len(L):
        if L[i] == '{':
            j = i - 1
            while j >= 0 and L[j] and (L[j][0] in ' \t'):
                j -= 1
            sig = ' '.join(L[j:i])
            m = re.search(r'(\w+)\s*\(', sig)
            if not m or '=' in sig.split('(')[0]:
                i += 1; continue
            name = m.group(1)
            k = i + 1
            while k < len(L) and L[k] != '}':
                k += 1
            n = k - j + 1
            p = j - 1
            commented = p >= 0 and (L[p].rstrip().endswith('*/') or L[p].lstrip().startswith('//'))
            if not commented and not sig.startswith('static') and hdr_doc.get(name):
                commented = True
            rows.append((path, name, n, commented))
            i = k
        i += 1
for r in rows:
    print(f"{r[2]:5d} {'C' if r[3] else '-'} {r[0]}:{r[1]}")
nt = [r for r in rows if r[2] >= minlen]
print(f"# functions {len(rows)}, non-trivial (>= {minlen} lines) {len(nt)}, commented {sum(r[3] for r in nt)}", file=sys.stderr)
