#!/usr/bin/env bash
# shellcheck disable=SC2154  # before_* and after_* are set by run() through printf -v
# pgbench-config.sh - does pgopt's configuration advice make PostgreSQL faster?
#
#   bench/pgbench-config.sh [-s SCALE] [-T SECONDS] [-c CLIENTS] [-o REC.json] [-- COORDINATOR-OPTIONS...]
#   bench/pgbench-config.sh --control [-s SCALE] [-T SECONDS] [-c CLIENTS]
#
# Measures pgbench (TPC-B-like, prepared statements) on a throwaway
# PostgreSQL 15 with its default configuration, asks pgopt-coordinator for
# advice on that very server and workload, applies the config_tuner's
# apply_script (ALTER SYSTEM, per-table settings; restarting the server when
# a setting needs it), runs the same pgbench again and prints both runs and
# their ratios: TPS, requested checkpoints (pg_stat_bgwriter.checkpoints_req,
# the checkpoints forced by WAL volume rather than by checkpoint_timeout)
# and WAL written.
#
# --control runs the second run with the default configuration too (same
# restart, no advice applied): the ratios it prints are this machine's
# run-to-run noise, the yardstick for the real comparison.
#
# Defaults: scale 50 (~750 MB, larger than the default 128MB shared_buffers,
# so that the buffer cache matters), 60 s per run, 4 clients on 2 threads.
#
# Realism: scripts/pg-sandbox.sh starts PostgreSQL with fsync,
# synchronous_commit and full_page_writes off, which suits tests but would
# make checkpoints and WAL unrealistically cheap here. This script loads the
# pgbench tables that way (fast), then sets all three back on with ALTER
# SYSTEM (reloadable, no restart) before anything is measured, so both runs
# pay for WAL flushes at commit and full-page images after each checkpoint
# as a production server does. Everything else starts at PostgreSQL's
# defaults.
#
# Environment: PGOPT_BUILD_DIR (default build), PGBIN (default
# /usr/lib/postgresql/15/bin). Needs jq. The server and its temporary
# directory are removed at the end, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scale=50
duration=60
clients=4
keep=""
control=0
usage() { echo "usage: $0 [--control] [-s SCALE] [-T SECONDS] [-c CLIENTS] [-o REC.json] [-- COORDINATOR-OPTIONS...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    -s) scale=${2:-}; shift 2 || usage ;;
    -T) duration=${2:-}; shift 2 || usage ;;
    -c) clients=${2:-}; shift 2 || usage ;;
    -o) keep=${2:-}; shift 2 || usage ;;
    --control) control=1; shift ;;
    --) shift; break ;;
    -h | --help) usage ;;
    *) echo "pgbench-config: unknown option $1" >&2; usage ;;
    esac
done
for v in "$scale" "$duration" "$clients"; do
    case "$v" in '' | *[!0-9]* | 0) echo "pgbench-config: -s, -T and -c take positive integers" >&2; exit 2 ;; esac
done
threads=$((clients >= 2 ? 2 : 1))

build=${PGOPT_BUILD_DIR:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
coordinator=$build/bin/pgopt-coordinator
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
die() { echo "pgbench-config: $*" >&2; exit 1; }

[ -x "$coordinator" ] || die "$coordinator not found: build pgopt first (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2)"
"$coordinator" --help 2>&1 | grep -q -- '--dsn' || die "$coordinator has no --dsn mode yet: it cannot analyse a live server"
command -v jq >/dev/null 2>&1 || die "jq not found (apt-get install jq, or run scripts/deps.sh)"
for tool in psql pgbench pg_ctl; do [ -x "$pgbin/$tool" ] || die "$pgbin/$tool not found (install postgresql-15)"; done

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgopt-bench.XXXXXX")
chmod 755 "$tmp" # as root the server runs as postgres and must reach the sandbox
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$tmp"; then
    rmdir "$tmp"
    die "the postgres user cannot reach $tmp (set TMPDIR to a directory it can traverse, e.g. /tmp)"
fi
sandbox=$tmp/pg
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    "$root/scripts/pg-sandbox.sh" stop "$sandbox" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "pgbench-config: interrupted" >&2; exit 130' INT TERM

t_start=$(date +%s)
step() { printf '== pgbench-config: %s (%d s)\n' "$*" "$(($(date +%s) - t_start))" >&2; }

step "start PostgreSQL 15"
"$root/scripts/pg-sandbox.sh" start "$sandbox"
# shellcheck disable=SC1091
. "$sandbox/env"
export PGHOST PGPORT PGUSER PGDATABASE=pgbench
unset PGSERVICE PGOPTIONS
psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
value() { "$pgbin/psql" -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
psql -d postgres -c "CREATE DATABASE pgbench"
psql -c "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hypopg; CREATE EXTENSION pg_qualstats;"

step "pgbench -i -s $scale (server-side data generation)"
PGAPPNAME=pgbench-init "$pgbin/pgbench" -i -s "$scale" -I dtGvp -q >"$tmp/init.log" 2>&1 \
    || { cat "$tmp/init.log" >&2; die "pgbench initialisation failed"; }
db_size=$(value "SELECT pg_size_pretty(pg_database_size(current_database()))")

step "production durability (fsync, synchronous_commit, full_page_writes on), statistics reset"
psql -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
     -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
psql -c "CHECKPOINT" \
     -c "SELECT pg_stat_reset(), pg_stat_reset_shared('bgwriter'), pg_stat_reset_shared('wal')" \
     -c "SELECT pg_stat_statements_reset(), pg_qualstats_reset()" >/dev/null
[ "$(value "SHOW fsync")/$(value "SHOW full_page_writes")/$(value "SHOW synchronous_commit")" = on/on/on ] \
    || die "could not switch the sandbox to production durability"

counters() { value "SELECT b.checkpoints_req, b.checkpoints_timed, w.wal_bytes FROM pg_stat_bgwriter b, pg_stat_wal w"; }
# run NAME: one measured pgbench run; sets NAME_tps, NAME_lat, NAME_req, NAME_timed, NAME_wal_mb.
run() {
    local name=$1 before after log=$tmp/$1.log
    before=$(counters)
    PGAPPNAME=pgbench "$pgbin/pgbench" -M prepared -c "$clients" -j "$threads" -T "$duration" >"$log" 2>&1 \
        || { cat "$log" >&2; die "pgbench ($name) failed"; }
    after=$(counters)
    local b_req b_timed b_wal a_req a_timed a_wal
    IFS='|' read -r b_req b_timed b_wal <<<"$before"
    IFS='|' read -r a_req a_timed a_wal <<<"$after"
    printf -v "${name}_tps" '%s' "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log")"
    printf -v "${name}_lat" '%s' "$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log")"
    printf -v "${name}_req" '%s' "$((a_req - b_req))"
    printf -v "${name}_timed" '%s' "$((a_timed - b_timed))"
    printf -v "${name}_wal_mb" '%s' "$(awk -v a="$a_wal" -v b="$b_wal" 'BEGIN { printf "%.0f", (a - b) / 1048576 }')"
}

restart_server() {
    as_pg "$pgbin/pg_ctl" -D "$PGDATA" -l "$sandbox/server.log" -w -t 120 restart >/dev/null \
        || { tail -20 "$sandbox/server.log" >&2; die "the server did not restart"; }
    # pg-sandbox.sh stops the server by the pid in its env file.
    local new_pid
    new_pid=$(head -1 "$PGDATA/postmaster.pid")
    sed -i "s/^PGOPT_SANDBOX_PID=.*/PGOPT_SANDBOX_PID=$new_pid/" "$sandbox/env"
}

step "run 1: default configuration (pgbench -M prepared -c $clients -j $threads -T $duration)"
run before
echo "   tps $before_tps, checkpoints requested $before_req, timed $before_timed, WAL $before_wal_mb MB" >&2

if [ "$control" = 1 ]; then
    step "control: no advice applied, restart only"
    printf '%s\n' "-- control run: nothing applied" >"$tmp/apply.sql"
    restart_server
    pending=""
else
    step "pgopt-coordinator --dsn ... -o rec.json $*"
    dsn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=pgbench"
    set +e
    "$coordinator" --dsn "$dsn" -o "$tmp/rec.json" "$@"
    status=$?
    set -e
    [ "$status" = 0 ] || [ "$status" = 3 ] || die "pgopt-coordinator failed (exit status $status)"
    [ "$(jq -r '.fleet.config_tuner.status // "missing"' "$tmp/rec.json")" = ok ] \
        || die "the config_tuner did not answer: $(jq -c '.fleet.config_tuner' "$tmp/rec.json")"
    jq -r '.config_tuner.apply_script // empty' "$tmp/rec.json" >"$tmp/apply.sql"
    [ -s "$tmp/apply.sql" ] || die "the config_tuner returned no apply_script"
    [ -z "$keep" ] || cp "$tmp/rec.json" "$keep"

    step "apply the config_tuner's apply_script"
    sed 's/^/   | /' "$tmp/apply.sql" >&2
    psql -f "$tmp/apply.sql" >/dev/null
    pending=$(value "SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM pg_settings WHERE pending_restart")
    if [ -n "$pending" ]; then
        step "restart (needed by: $pending)"
        restart_server
    fi
    still=$(value "SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM pg_settings WHERE pending_restart")
    [ -z "$still" ] || die "settings still pending a restart: $still"
fi

label=pgopt
[ "$control" = 0 ] || label="default again"
step "run 2: $label configuration (same pgbench)"
run after
echo "   tps $after_tps, checkpoints requested $after_req, timed $after_timed, WAL $after_wal_mb MB" >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2fx", a / b }'; }
echo
echo "pgbench-config: scale $scale ($db_size), $clients clients, $duration s per run, prepared protocol,"
echo "fsync/synchronous_commit/full_page_writes on; host $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM"
printf '%-28s %14s %14s %10s\n' "" "default" "$label" "ratio"
printf '%-28s %14s %14s %10s\n' "TPS" "$before_tps" "$after_tps" "$(ratio "$after_tps" "$before_tps")"
printf '%-28s %14s %14s %10s\n' "latency average (ms)" "$before_lat" "$after_lat" "$(ratio "$after_lat" "$before_lat")"
printf '%-28s %14s %14s %10s\n' "checkpoints requested" "$before_req" "$after_req" "$(ratio "$after_req" "$before_req")"
printf '%-28s %14s %14s %10s\n' "checkpoints timed" "$before_timed" "$after_timed" "$(ratio "$after_timed" "$before_timed")"
printf '%-28s %14s %14s %10s\n' "WAL written (MB)" "$before_wal_mb" "$after_wal_mb" "$(ratio "$after_wal_mb" "$before_wal_mb")"
if [ "$control" = 1 ]; then
    echo "control run: both runs on the default configuration (the ratios are run-to-run noise)"
else
    echo "settings applied: $(grep -c '^ALTER SYSTEM' "$tmp/apply.sql") ALTER SYSTEM, $(grep -c '^ALTER TABLE' "$tmp/apply.sql") ALTER TABLE${pending:+; restart for $pending}"
fi
[ -z "$keep" ] || echo "recommendations (phase3_output) kept in $keep"
if [ "$control" = 1 ]; then
    echo "rerun: bench/pgbench-config.sh --control -s $scale -T $duration -c $clients"
else
    echo "rerun: bench/pgbench-config.sh -s $scale -T $duration -c $clients${keep:+ -o $keep}${*:+ -- $*}"
fi
