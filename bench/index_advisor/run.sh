#!/usr/bin/env bash
# run.sh - the index advisor benchmark: a throwaway PostgreSQL 15 (hypopg,
# pg_stat_statements), each scenario of bench/index_advisor/ with planted
# truth, pgopt vs the single-column baseline. Markdown on stdout.
#
#   bench/index_advisor/run.sh BUILD_DIR [SCENARIO...]     (default: oltp)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [SCENARIO...]}
shift || true
scenarios=${*:-oltp}
bin="$build/bin/pgopt-bench-index-advisor"
[ -x "$bin" ] || { echo "run.sh: build the pgopt-bench-index-advisor target first" >&2; exit 1; }
dir=$(mktemp -d /tmp/pgopt-bench-ia.XXXXXX)
trap '"$root/scripts/pg-sandbox.sh" stop "$dir" >/dev/null 2>&1 || true' EXIT
"$root/scripts/pg-sandbox.sh" start "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/env"
for s in $scenarios; do
    "$bin" --conninfo "host=$PGHOST port=$PGPORT user=$PGUSER" --scenario "$here/$s"
done
