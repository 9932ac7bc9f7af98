#!/usr/bin/env bash
# same-output.sh - does a change alter what pgopt answers?
#
#   scripts/same-output.sh OLD_BUILD_DIR NEW_BUILD_DIR [SNAPSHOT...]
#
# Runs each build's pgopt-coordinator (with its four agents started locally
# from the same build) on each saved snapshot and compares the JSON results
# after removing what legitimately differs between two runs: wall-clock
# times, the time stamp, worker endpoints and process ids. Restructuring
# work (issue 17) must show no difference; a behaviour change shows as a
# unified diff per snapshot.
#
# Default snapshots: tests/data/snapshots/*.json, plus every *.json in
# ${XDG_CACHE_HOME:-~/.cache}/pgopt-same-output/ - put larger snapshots
# there that should not be committed, e.g. the demo's (schema, statistics,
# history, qualstats and the demo application's code; 12 MB):
#   scripts/demo.sh --save-snapshot ~/.cache/pgopt-same-output/demo.json Exit status 0 when every result is the same, 1 when
# one differs, 2 on a usage or run error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
old=$1 new=$2
shift 2
snaps=("$@")
if [ ${#snaps[@]} -eq 0 ]; then
    snaps=("$root"/tests/data/snapshots/*.json)
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/pgopt-same-output
    for s in "$cache"/*.json; do [ -e "$s" ] && snaps+=("$s"); done
fi
command -v jq >/dev/null || { echo "same-output: jq is needed (apt-get install jq)" >&2; exit 2; }
for b in "$old" "$new"; do
    [ -x "$b/bin/pgopt-coordinator" ] || { echo "same-output: $b/bin/pgopt-coordinator not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Keys whose values are measurements of this run, not answers.
normalise='walk(if type == "object" then
    with_entries(select(.key | test("^(timestamp|elapsed_ms|run_ms|ms|wall_ms|explain_ms|create_ms|drop_ms|client_ms|section_ms|endpoint|worker|pid|max_silence_ms)$") | not))
  else . end)'

run() { # build snapshot out
    local rc=0
    "$1/bin/pgopt-coordinator" --snapshot "$2" -f json -q -o "$3.raw" || rc=$?
    # 0: every agent answered; 3: partial (an agent's error is part of the answer).
    if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
        echo "same-output: $1 failed on $2 (exit $rc)" >&2
        return 2
    fi
    jq -S "$normalise" "$3.raw" >"$3"
}

status=0
for s in "${snaps[@]}"; do
    name=$(basename "$s" .json)
    run "$old" "$s" "$tmp/$name.old" || exit 2
    run "$new" "$s" "$tmp/$name.new" || exit 2
    if diff -u --label "old/$name" --label "new/$name" "$tmp/$name.old" "$tmp/$name.new"; then
        echo "same-output: $name: same"
    else
        echo "same-output: $name: DIFFERENT"
        status=1
    fi
done
exit $status
