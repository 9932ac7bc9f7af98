#!/usr/bin/env bash
# bench/orm/run.sh BUILD_DIR - the ORM benchmarks: the analysis's lines/s
# (pgopt-bench-orm-parse) and each fix's access pattern against a throwaway
# PostgreSQL 15 started and stopped here (pgopt-bench-orm-db), once over the
# unix socket and once over TCP on 127.0.0.1 (the loopback is still far
# faster than a real network: the N+1 gains are a floor).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/pgopt-orm-bench.XXXXXX")
chmod 755 "$dir"
trap '"$root/scripts/pg-sandbox.sh" stop "$dir" >/dev/null 2>&1 || true' EXIT
echo "== analysis throughput"
"$build/bin/pgopt-bench-orm-parse" "${MODULES:-500}" "${REPEATS:-3}" | tee "$dir/native.txt"
# Instructions per line from callgrind: independent of the machine's load.
# The lines/s estimate converts them with the instructions/s this machine
# reached in the native parse-only run above (parse Ir/line x parse lines/s):
# on a shared, loaded box that is the fairest yardstick we have, measured in
# the same run. CG_MODULES keeps valgrind's ~50x slowdown bounded.
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
    echo "== instructions per line (callgrind, ${CG_MODULES:=100} modules, 1 run)"
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
        "$build/bin/pgopt-bench-orm-parse" "$CG_MODULES" 1 >"$dir/cg.txt" 2>/dev/null
    cg_lines=$(sed -n 's/.*lines \([0-9]*\),.*/\1/p' "$dir/cg.txt")
    native_parse=$(sed -n 's/^tree-sitter parsing alone: median \([0-9.]*\) s, \([0-9]*\) lines.*/\2/p' \
        "$dir/native.txt")
    callgrind_annotate --inclusive=yes "$dir/cg.out" 2>/dev/null | awk -v lines="$cg_lines" \
        -v nparse="$native_parse" '
        { gsub(",", "", $1) }
        /:parse_only /   { parse = $1 }
        /:sqla_project_new / { proj = $1 }
        /:sqla_detect /  { det = $1 }
        END {
            if (!lines || !parse || !proj || !det) { print "callgrind: figures missing"; exit 1 }
            ips = parse / lines * nparse
            printf "lines %d; Ir/line: parse only %.0f, sqla_project_new %.0f, sqla_detect %.0f, whole analysis %.0f\n", \
                lines, parse / lines, proj / lines, det / lines, (proj + det) / lines
            printf "yardstick: %.2f G Ir/s (native parse-only run); at that rate: parse only %.0f lines/s, whole analysis %.0f lines/s\n", \
                ips / 1e9, nparse, ips / ((proj + det) / lines)
        }'
fi
# A real tree too: the generated one is all dense ORM code; real code has
# docstrings, comments and modules that never touch a database. Python's
# own standard library is on every machine that runs the demo: Debian 12's
# /usr/lib/python3.11 (666 files, 303k lines; its site-packages live
# elsewhere), or TREE=DIR for another tree.
tree=${TREE:-/usr/lib/python3.11}
if [ -n "$tree" ] && [ -d "$tree" ]; then
    echo "== analysis throughput on a real tree: $tree"
    "$build/bin/pgopt-bench-orm-parse" --tree "$tree" "${REPEATS:-3}"
fi
[ -n "${PARSE_ONLY:-}" ] && exit 0
"$root/scripts/pg-sandbox.sh" start "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"
echo "== access patterns, unix socket"
"$build/bin/pgopt-bench-orm-db" "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" 100 10 5000 7
echo "== access patterns, TCP 127.0.0.1"
"$build/bin/pgopt-bench-orm-db" "host=127.0.0.1 port=$PGPORT user=$PGUSER dbname=$PGDATABASE" 100 10 5000 7
