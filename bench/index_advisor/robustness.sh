#!/usr/bin/env bash
# robustness.sh - the budgets benchmark on several fresh databases and
# snapshots (issue 15): budgets.sh RUNS times (default 3), each with a new
# server, database and snapshot, so that one snapshot's luck (the measured
# times that weight the greedy, the sample statistics) shows as a range.
# Prints each run's tables, then per budget pgopt / Extend of every run and
# its range: planner cost (generic plans), planner cost with the workload's
# constants, the advisors' own wall and CPU time (each run's median of its
# PGOPT_BENCH_TIME_ROUNDS per-round ratios, see budgets.sh), and, with
# PGOPT_BENCH_EXECUTE=1 in the environment, the measured time of the
# workload (each run's median of its per-round ratios).
#
#   bench/index_advisor/robustness.sh BUILD_DIR [RUNS] [budgets.sh options]
#
# The runs' outputs stay in the directory printed on stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: robustness.sh BUILD_DIR [RUNS] [options]}
shift
runs=3
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    runs=$1
    shift
fi
out=$(mktemp -d /tmp/pgopt-bench-robust.XXXXXX)
echo "robustness.sh: $runs runs, outputs in $out" >&2
for i in $(seq 1 "$runs"); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "robustness.sh: run $i of $runs, load average $load" >&2
    "$here/budgets.sh" "$build" "$@" >"$out/run$i.md" 2>"$out/run$i.err"
    echo "## Run $i (load average at the start $load, at the end $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    cat "$out/run$i.md"
    echo
done
# per run and table kind, the pgopt / Extend column (6th) of each budget row
for i in $(seq 1 "$runs"); do
    awk -v run="$i" -F'|' '
        /^\| budget \|/ {
            kind = ""
            if ($0 ~ /Extend unrestricted \(copies\)/) kind = "cost"
            else if ($0 ~ /\| Extend unrestricted \|/) kind = "constants"
            else if ($0 ~ /statements run/) kind = "time"
            else if ($0 ~ /pgopt \/ Extend wall/) kind = "rounds"
            next
        }
        /^\|---/ { next }
        /^\| / && kind != "" {
            b = $2; gsub(/^ +| +$/, "", b); sub(/ .*/, "", b)
            v = $7; gsub(/^ +/, "", v); sub(/ .*/, "", v)
            if (kind == "rounds") {
                # the wall and CPU ratios (medians over the rounds)
                c = $8; gsub(/^ +/, "", c); sub(/ .*/, "", c)
                print "wall", b, run, v
                print "cpu", b, run, c
            } else {
                print kind, b, run, v
            }
            next
        }
        !/^\|/ { if ($0 != "") kind = "" }
    ' "$out/run$i.md"
done >"$out/ratios.txt"
echo "## pgopt / Extend per budget over $runs fresh snapshots"
echo
echo "| budget | measure | per run | min | max |"
echo "|---|---|---|---|---|"
for kind in cost constants time wall cpu; do
    awk -v k="$kind" '$1 == k && !seen[$2]++ { print $2 }' "$out/ratios.txt" | while read -r b; do
        awk -v k="$kind" -v b="$b" '
            $1 == k && $2 == b {
                v[n++] = $4
                if (n == 1 || $4 < lo) lo = $4
                if (n == 1 || $4 > hi) hi = $4
            }
            END {
                name = k == "cost" ? "planner cost (generic plans)" : \
                       k == "constants" ? "planner cost, workload constants" : \
                       k == "wall" ? "advisor wall time (median per-round ratio)" : \
                       k == "cpu" ? "advisor CPU time, bench + server (median per-round ratio)" : \
                       "measured time (median per-round ratio)"
                s = ""
                for (i = 0; i < n; i++) s = s (i ? " / " : "") v[i]
                printf "| %s | %s | %s | %s | %s |\n", b, name, s, lo, hi
            }' "$out/ratios.txt"
    done
done
