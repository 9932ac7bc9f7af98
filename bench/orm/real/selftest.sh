#!/usr/bin/env bash
# bench/orm/real/selftest.sh BIN_DIR - keeps the real-world benchmark's
# tools from rotting without downloading anything (ctest orm_real_tools):
#  1. score.py on fixed results (selftest/results) whose every figure is
#     known: precision, recall, unsafe and unparsable rewrites, unlabelled
#     findings and stale labels;
#  2. score.py refuses a malformed label file, naming file and line;
#  3. pgopt-bench-orm-real (both modes) on a two-file application
#     (selftest/tree, written for this test) and score.py over its output:
#     the one N+1 there is found and labelled.
set -euo pipefail
bin=${1:?usage: selftest.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
st=$here/selftest
out=$(mktemp -d "${TMPDIR:-/tmp}/pgopt-orm-real-selftest.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "selftest: $*" >&2; exit 1; }

python3 "$here/score.py" --results "$st/results" --labels "$st/labels.tsv" \
    --recall "$st/recall.tsv" --sample "$st/sample.tsv" >"$out/fixed.txt"
want="overall: precision 0.500 (1/2), recall 0.500 (1/2), unsafe 1, unparsable 1, unlabelled 1, stale 1"
got=$(tail -1 "$out/fixed.txt")
[ "$got" = "$want" ] || { cat "$out/fixed.txt"; fail "fixed results: got '$got', want '$want'"; }
grep -q '^app .* 1.50x ' "$out/fixed.txt" || { cat "$out/fixed.txt"; fail "no analysis/parse ratio 1.50x"; }
grep -q 'files skipped (skip): not valid UTF-8 1' "$out/fixed.txt" || fail "skipped files not counted"

if python3 "$here/score.py" --results "$st/results" --labels "$st/bad-labels.tsv" \
    --recall "$st/recall.tsv" >/dev/null 2>"$out/bad.txt"; then
    fail "a label with verdict 'maybe' was accepted"
fi
grep -q 'bad-labels.tsv:1: verdict must be tp or fp' "$out/bad.txt" || { cat "$out/bad.txt"; fail "bad label error"; }

"$bin/pgopt-bench-orm-real" --parse-only "$st/tree" "$out/tree.parse.json" >/dev/null
"$bin/pgopt-bench-orm-real" "$st/tree" "$out/tree.json" >/dev/null
python3 "$here/score.py" --results "$out" --labels "$st/tree-labels.tsv" \
    --recall "$st/tree-recall.tsv" --sample "$st/tree-sample.tsv" tree >"$out/tree.txt"
grep -q '^tree  *2  *26 ' "$out/tree.txt" || { cat "$out/tree.txt"; fail "tree: not 2 files, 26 lines"; }
grep -q '^overall: precision 1.000 (1/1), recall 1.000 (1/1),' "$out/tree.txt" ||
    { cat "$out/tree.txt"; fail "tree: the N+1 was not found or not labelled"; }
echo "orm real-world benchmark tools: 3 passed, 0 failed"
