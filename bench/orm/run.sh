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
"$build/bin/pgopt-bench-orm-parse" "${MODULES:-500}" "${REPEATS:-3}"
"$root/scripts/pg-sandbox.sh" start "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"
echo "== access patterns, unix socket"
"$build/bin/pgopt-bench-orm-db" "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" 100 10 5000 7
echo "== access patterns, TCP 127.0.0.1"
"$build/bin/pgopt-bench-orm-db" "host=127.0.0.1 port=$PGPORT user=$PGUSER dbname=$PGDATABASE" 100 10 5000 7
