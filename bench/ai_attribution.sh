#!/usr/bin/env bash
# ai_attribution.sh - precision/recall of the ai_tuning agent's change
# detection and attribution over planted changes (bench/ai_attribution_bench.c)
# on a throwaway PostgreSQL 15.
#   bench/ai_attribution.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PGOPT_BIN_DIR:-$root/build/bin}
sandbox=$(mktemp -d /tmp/pgopt-attr-bench.XXXXXX)
chmod 755 "$sandbox"
trap '"$root/scripts/pg-sandbox.sh" stop "$sandbox" >/dev/null 2>&1 || true' EXIT
"$root/scripts/pg-sandbox.sh" start "$sandbox" >/dev/null
PGOPT_SOURCE_DIR=$root PGOPT_TEST_PGENV=$sandbox/env "$bin/pgopt-bench-attribution" "${1:-3}"
