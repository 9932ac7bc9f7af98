#!/usr/bin/env bash
# budgets.sh - the index-selection budgets benchmark end to end (issue 15):
# a throwaway PostgreSQL 15, the TPC-H-shaped database of tpch/schema.sql,
# the workload run once (each {i:LO:HI} as LO, statement_timeout 3 s; Q20 in
# a rolled-back transaction with a temporary index, or the timeout would
# keep it out of pg_stat_statements), a snapshot collected by the
# coordinator, then pgopt-bench-index-budgets with the workload's constants.
# Markdown on stdout, progress on stderr.
#
#   bench/index_advisor/budgets.sh BUILD_DIR [pgopt-bench-index-budgets options]
#
# e.g. --budgets 0.12 for one budget, --skip-extend for pgopt alone.
# PGOPT_BENCH_TIME_ROUNDS=N (default 3; 1 = one run each, as before) runs
# pgopt and the Extend baseline N times per budget, alternately, the order
# swapped each round, and prints wall and CPU time (the bench process plus
# the server's backends, from /proc) as median (min-max) per method and of
# the per-round pgopt / Extend ratios; every round must select the same
# sets (the bench aborts otherwise). Each extra round adds one pgopt and
# one Extend run: about 18 / 39 / 74 s at 12 / 30 / 65% at load 2-8, so
# the default run takes about 8 minutes instead of 4 (RESULTS-index-advisor.md).
# PGOPT_BENCH_SNAPSHOT_OUT=FILE keeps the snapshot (its measured times, the
# greedy's weights, differ from run to run) for reruns of the bench alone.
# PGOPT_BENCH_BEFORE=BIN runs BIN (another build's pgopt-bench-index-budgets,
# e.g. main's) first, with --skip-extend, on the same database and snapshot:
# a before/after comparison within one run (its table is printed first).
# PGOPT_BENCH_EXECUTE=1 then measures execution time: each budget's
# none / single-column / Extend / pgopt indexes built for real in this
# throwaway database, the statements run with the workload's constants in
# PGOPT_BENCH_ROUNDS (10) interleaved rounds, statement_timeout
# PGOPT_BENCH_EXEC_TIMEOUT_MS (5000); adds about 5 minutes per budget.
# robustness.sh runs this script on several fresh databases.
# PGOPT_BENCH_KEEP=1 leaves the server, the database and the snapshot in the
# run's directory (printed on stderr) for reruns of the bench or of --score
# on them; stop it with scripts/pg-sandbox.sh stop DIR/pg.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: budgets.sh BUILD_DIR [options]}
shift
bench="$build/bin/pgopt-bench-index-budgets"
coord="$build/bin/pgopt-coordinator"
for b in "$bench" "$coord"; do
    [ -x "$b" ] || { echo "budgets.sh: build $(basename "$b") first" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/pgopt-bench-budgets.XXXXXX)
chmod 755 "$dir" # the server runs as postgres under root
if [ -n "${PGOPT_BENCH_KEEP:-}" ]; then
    echo "budgets.sh: kept in $dir (snapshot $dir/snap.json, server $dir/pg/env)" >&2
else
    trap '"$root/scripts/pg-sandbox.sh" stop "$dir/pg" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fi
"$root/scripts/pg-sandbox.sh" start "$dir/pg" >/dev/null
# shellcheck disable=SC1091
. "$dir/pg/env"
export PGHOST PGPORT PGUSER
createdb tpch
psql -d tpch -q -v ON_ERROR_STOP=1 -f "$here/tpch/schema.sql" >&2
psql -d tpch -q -c "VACUUM ANALYZE"
psql -d tpch -q -c "SELECT pg_stat_statements_reset()" >/dev/null
{
    echo "SET statement_timeout = '3s';"
    grep -v '^--' "$here/tpch/workload.sql" | grep -v '^$' |
        sed -E 's/^[0-9]+\|//; s/\{i:([0-9]+):[0-9]+\}/\1/g' |
        while IFS= read -r l; do
            case "$l" in
            *"SELECT s_name, s_address"*)
                echo "BEGIN; CREATE INDEX tmp_q20 ON lineitem (l_partkey, l_suppkey); $l; ROLLBACK;" ;;
            *) echo "$l;" ;;
            esac
        done
} >"$dir/run.sql"
# statements cancelled by the timeout are expected (and not recorded)
psql -d tpch -q -o /dev/null -f "$dir/run.sql" 2>&1 | grep -v 'statement timeout' >&2 || true
conn="host=$PGHOST port=$PGPORT dbname=tpch user=$PGUSER"
"$coord" --dsn "$conn" --save-snapshot "$dir/snap.json" -o /dev/null >&2
[ -z "${PGOPT_BENCH_SNAPSHOT_OUT:-}" ] || cp "$dir/snap.json" "$PGOPT_BENCH_SNAPSHOT_OUT"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${PGOPT_BENCH_BEFORE:-}" ]; then
    echo "before: $PGOPT_BENCH_BEFORE --skip-extend"
    "$PGOPT_BENCH_BEFORE" --conninfo "$conn" --snapshot "$dir/snap.json" \
        --workload "$here/tpch/workload.sql" --skip-extend "$@"
    echo "after: $bench; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
"$bench" --conninfo "$conn" --snapshot "$dir/snap.json" --workload "$here/tpch/workload.sql" "$@"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
