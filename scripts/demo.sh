#!/usr/bin/env bash
# demo.sh - the one-command pgopt demo.
#
#   scripts/demo.sh [coordinator options...]     e.g.  scripts/demo.sh -o out.json
#
# 1. installs what is missing (scripts/deps.sh) and builds pgopt (Release:
#    the coordinator and the four agents);
# 2. starts a throwaway PostgreSQL 15 (scripts/pg-sandbox.sh) in a temporary
#    directory and creates the database pgopt_demo with pg_stat_statements,
#    hypopg, pg_qualstats and pg_trgm;
# 3. loads the demo shop (demo/schema.sql, demo/data.sql, demo/indexes.sql:
#    ~1 GB, with deliberate problems, see demo/README.md), switches the server
#    to production durability (demo/server.sql) and resets all statistics;
# 4. runs the demo workload (demo/workload/run.sh: fixed transaction counts)
#    while a history snapshot is stored every 3 seconds;
# 5. half-way: runs pgopt-coordinator once, applies its own top index
#    recommendation, runs the workload's mix again for 30 s;
# 6. runs pgopt-coordinator on the database and the demo application's code
#    (demo/app) with its four agents started locally and the history
#    (--store), and prints the result: the report's "Applied advice" section
#    shows the index's measured effect next to the predicted one, the AI
#    tuning section the improvement and its cause;
# 7. stops the server and removes the temporary directory - also on failure
#    and on Ctrl-C.
#
# Extra arguments go to pgopt-coordinator unchanged. Environment:
#   PGOPT_BUILD_DIR   build directory (default: build)
#   PGOPT_NO_BUILD=1  use the existing build as it is
#   DEMO_SCALE=N      multiply the workload's transaction counts (default 1)
#   DEMO_KEEP=1       leave the server running and the temporary directory
#                     in place at the end (prints how to connect and how to
#                     stop it)
# Exit status: the coordinator's (0 every agent answered, 3 partial), or 1
# when a step before it failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${PGOPT_BUILD_DIR:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGBIN=$pgbin

t_start=$(date +%s)
step() { printf '\n== demo: %s (%d s)\n' "$*" "$(($(date +%s) - t_start))" >&2; }
die() { echo "demo: $*" >&2; exit 1; }

# --- 1. dependencies and build ---------------------------------------------
step "dependencies"
if [ -x "$root/scripts/deps.sh" ]; then
    "$root/scripts/deps.sh" >&2
else
    echo "demo: scripts/deps.sh not found; assuming the dependencies are installed" >&2
fi

if [ "${PGOPT_NO_BUILD:-0}" != 1 ]; then
    step "build ($build)"
    # Only the five programs the demo runs (the tests and benchmarks would
    # double the build time). Progress goes to standard error: standard
    # output carries the result.
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 --target pgopt-coordinator pgopt-index-advisor pgopt-query-rewriter \
        pgopt-config-tuner pgopt-ai-tuning >&2
fi
coordinator=$build/bin/pgopt-coordinator
[ -x "$coordinator" ] || die "$coordinator not found: the build did not produce it"
for tool in psql pgbench; do
    [ -x "$pgbin/$tool" ] || die "$pgbin/$tool not found (install postgresql-15)"
done

# --- 2. throwaway server ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgopt-demo.XXXXXX")
# As root the server runs as postgres, which must reach the sandbox below.
chmod 755 "$tmp"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$tmp"; then
    rmdir "$tmp"
    die "the postgres user cannot reach $tmp (set TMPDIR to a directory it can traverse, e.g. /tmp)"
fi
sandbox=$tmp/pg
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Stop our own background jobs (pgbench, psql) before the server.
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
    if [ "${DEMO_KEEP:-0}" = 1 ] && [ -f "$sandbox/env" ]; then
        echo "demo: server and $tmp left in place (DEMO_KEEP=1): . $sandbox/env; export PGHOST PGPORT PGUSER;" \
             "psql -d pgopt_demo   - stop it with: $root/scripts/pg-sandbox.sh stop $sandbox && rm -rf $tmp" >&2
        exit "$status"
    fi
    "$root/scripts/pg-sandbox.sh" stop "$sandbox" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

step "start PostgreSQL 15 in $sandbox"
"$root/scripts/pg-sandbox.sh" start "$sandbox" >&2
# shellcheck disable=SC1091
. "$sandbox/env"
export PGHOST PGPORT PGUSER
export PGDATABASE=pgopt_demo
unset PGSERVICE PGOPTIONS
export PGAPPNAME=pgopt-demo
psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c "CREATE DATABASE pgopt_demo" >&2
psql -c "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hypopg;
         CREATE EXTENSION pg_qualstats; CREATE EXTENSION pg_trgm;" >&2

# --- 3. data ---------------------------------------------------------------------
step "load the demo shop (schema, ~1 GB of data, indexes)"
psql -f "$root/demo/schema.sql" >&2
psql -v part=base -f "$root/demo/data.sql" >&2
# The two big halves at once: one per core.
psql -v part=orders -f "$root/demo/data.sql" >&2 &
load_orders=$!
psql -v part=activity -f "$root/demo/data.sql" >&2 &
load_activity=$!
wait "$load_orders" || die "loading orders and payments failed"
wait "$load_activity" || die "loading order_items, events, audit_log and sessions failed"
psql -f "$root/demo/indexes.sql" >&2

step "production settings and statistics reset"
psql -f "$root/demo/server.sql" >/dev/null
# CHECKPOINT writes out the load, so that the workload's checkpoints are its
# own. The cumulative statistics are reset so that everything pgopt reads
# describes the workload alone; ANALYZE restores the row estimates that
# pg_stat_reset() zeroes (n_live_tup, n_dead_tup), and is itself forgotten
# by the pg_stat_statements reset that follows it.
psql -c "CHECKPOINT" \
     -c "SELECT pg_stat_reset(), pg_stat_reset_shared('bgwriter'), pg_stat_reset_shared('wal')" \
     -c "ANALYZE" \
     -c "SELECT pg_stat_statements_reset(), pg_qualstats_reset()" >/dev/null

# --- 4. workload, with a short history ----------------------------------------------
dsn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=pgopt_demo"
store=$tmp/history
# A history snapshot every 3 seconds while the workload runs (in production:
# every few minutes from cron): a compressed time scale, which the report
# says wherever a figure is a rate per hour or a trend.
snapshot_loop() {
    while [ ! -f "$tmp/stop-snapshots" ]; do
        "$coordinator" snapshot --dsn "$dsn" --store "$store" -q >/dev/null 2>&1 || true
        sleep 3
    done
}
snapshot_loop &
snapshots=$!
step "workload (storefront, fulfilment worker, reports, nightly import; history every 3 s)"
"$root/demo/workload/run.sh" "$tmp/work"

# --- 5. pgopt, half-way: apply its own top index recommendation --------------------------
step "pgopt-coordinator half-way (--store: the result is kept for the next run to verify)"
"$coordinator" --dsn "$dsn" --code "$root/demo/app" --store "$store" -o "$tmp/halfway.json" \
    2>"$tmp/halfway.log" || { cat "$tmp/halfway.log" >&2; die "the half-way analysis failed"; }
top=$(jq -r '[.index_advisor.recommendations[]? | select(.create_statement != null)]
             | (map(select(.priority == "P1")) + .) | .[0].create_statement // empty' \
      "$tmp/halfway.json")
if [ -n "$top" ]; then
    step "apply pgopt's top index recommendation: $top"
    psql -c "$top" >&2
else
    step "no index recommendation to apply"
fi
step "workload, second round (same mix, 30 s per client)"
WORKLOAD_SECONDS=30 "$root/demo/workload/run.sh" "$tmp/work2"
touch "$tmp/stop-snapshots"
wait "$snapshots" 2>/dev/null || true

# --- 6. pgopt: the report, with what the applied advice did ------------------------------
args=(--dsn "$dsn" --code "$root/demo/app" --store "$store")
# The text report, unless the caller chose a format or an output file (whose
# extension then decides: -o result.json, -o report.html).
case " $* " in
*" --format"* | *" -f "* | *" -o "* | *" --output"*) ;;
*) args+=(--format text) ;;
esac
step "pgopt-coordinator ${args[*]} $*"
set +e
"$coordinator" "${args[@]}" "$@"
status=$?
set -e
case "$status" in
0) step "done: every agent answered" ;;
3) step "done: partial result (see the fleet section for the agents that did not answer)" ;;
*) step "pgopt-coordinator failed (exit status $status)" ;;
esac
exit "$status"
