#!/usr/bin/env python3
"""bench/orm/real/sample.py SRC_CACHE [PER_PACKAGE] - the recall sample.

Chosen mechanically, before the sampled modules were read and without
looking at the tool's findings: for each package of packages.lock, the
runtime modules (no tests/, functional/, migration(s)/, alembic/,
versions/ in the path) whose text mentions the ORM - `sqlalchemy.orm`,
`.query(`, `model_query(` or `session.execute(` - sorted by path, and a
seeded random choice (random.Random("issue14:" + package)) of PER_PACKAGE
(default 4) of them. The output is sample.tsv (package, path relative to
the package's dist-packages). Every problem found by reading them goes in
recall.tsv.
"""
import os
import random
import re
import sys

MARKERS = re.compile(r"sqlalchemy\.orm|\.query\(|model_query\(|session\.execute\(")
NOT_RUNTIME = re.compile(r"(^|/)(tests?|functional|migrations?|alembic|versions)(/|$)")


def main():
    cache = sys.argv[1]
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    here = os.path.dirname(os.path.abspath(__file__))
    print("# package\tpath  (bench/orm/real/sample.py %d; see its docstring)" % per)
    for line in open(os.path.join(here, "packages.lock")):
        if not line.strip() or line.startswith("#"):
            continue
        pkg = line.split()[0]
        root = os.path.join(cache, "src", pkg, "usr/lib/python3/dist-packages")
        cands = []
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(".py"):
                    continue
                rel = os.path.relpath(os.path.join(d, f), root)
                if NOT_RUNTIME.search(rel):
                    continue
                with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                    if MARKERS.search(fh.read()):
                        cands.append(rel)
        cands.sort()
        for rel in sorted(random.Random("issue14:" + pkg).sample(cands, min(per, len(cands)))):
            print("%s\t%s" % (pkg, rel))


if __name__ == "__main__":
    main()
