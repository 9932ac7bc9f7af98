#!/usr/bin/env bash
# pg-sandbox.sh - a throwaway PostgreSQL 15 for tests, the demo and benchmarks.
#
#   scripts/pg-sandbox.sh start DIR [PORT]   initdb + start; writes DIR/env
#   scripts/pg-sandbox.sh stop DIR           stop the server started in DIR (by its pid), remove DIR
#
# The cluster listens only on a unix socket in DIR/sock and on 127.0.0.1:PORT
# (a free port is chosen when PORT is omitted). It preloads pg_stat_statements
# and pg_qualstats; hypopg needs no preload. As root the server runs as the
# postgres user (PostgreSQL refuses to run as root). DIR/env holds
# PGHOST/PGPORT/PGUSER/PGDATABASE/PGDATA/PGOPT_SANDBOX_PID lines that can be
# sourced by shells and parsed by tests (tests/support/pgtest.c).
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}
[ -x "$PGBIN/initdb" ] || { echo "pg-sandbox: PostgreSQL 15 server binaries not found (install postgresql-15)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

case "$cmd" in
start)
    port=${3:-$(free_port)}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/env" ]; then
        # shellcheck disable=SC1091
        . "$dir/env"
        if kill -0 "${PGOPT_SANDBOX_PID:-0}" 2>/dev/null; then
            echo "pg-sandbox: already running in $dir (pid $PGOPT_SANDBOX_PID)" >&2
            exit 0
        fi
    fi
    rm -rf "$dir/data" "$dir/sock"
    mkdir -p "$dir/data" "$dir/sock"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; chmod 755 "$dir"; fi
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/sock'
shared_preload_libraries = 'pg_stat_statements,pg_qualstats'
pg_stat_statements.track = all
pg_qualstats.sample_rate = 1
# Room for every test sharing the server: at the defaults (5000 statements,
# 1000 predicates) tests running side by side evict each other's entries.
pg_stat_statements.max = 20000
pg_qualstats.max = 20000
track_io_timing = on
fsync = off
# on, although nothing here needs durability: VACUUM marks a page
# all-visible only once its rows' commit is flushed to the WAL, and with
# off that depended on the WAL writer's timing, so relallvisible, and the
# planner's cost of every index-only scan, changed with the machine's load
# (index_advisor_fill failed on a quiet machine, query_rewriter_integration
# on a loaded one). With fsync off the flush is a write(), no disk wait.
synchronous_commit = on
full_page_writes = off
max_connections = 100
logging_collector = off
CONF
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    pid=$(head -1 "$dir/data/postmaster.pid")
    cat >"$dir/env" <<ENV
PGHOST=$dir/sock
PGPORT=$port
PGUSER=postgres
PGDATABASE=postgres
PGDATA=$dir/data
PGOPT_SANDBOX_PID=$pid
ENV
    chmod 644 "$dir/env"
    echo "pg-sandbox: PostgreSQL started in $dir (port $port, pid $pid)" >&2
    ;;
stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/env" ]; then
        # shellcheck disable=SC1091
        . "$dir/env"
        if kill -0 "${PGOPT_SANDBOX_PID:-0}" 2>/dev/null; then
            as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
                || kill -9 "$PGOPT_SANDBOX_PID" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
