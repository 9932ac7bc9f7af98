#!/bin/bash
# fleet_concurrency.sh - fleet throughput and transport cost, measured with
# real worker processes (pgopt-test-worker, agent config_tuner) and the
# coordinator driver pgopt-mh-coord (coordinator/fleet/fleet.c):
#   1. one analysis, median of R runs in one coordinator process, over
#      ipc://, tcp:// loopback plaintext and tcp:// loopback CURVE;
#   2. N concurrent coordinators (N = 1..64) on W workers x 2 slots, each
#      job taking JOB_MS: wall time, analyses/s, JOBs sent and BUSY answers.
# Usage: bench/fleet_concurrency.sh BUILD_DIR [SNAPSHOT] [R]
set -eu
B=${1:?build dir}/bin
SNAP=${2:-$(dirname "$0")/../tests/data/snapshots/minimal.json}
R=${3:-30}
W=4 JOB_MS=200
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$B/pgopt-mh-coord" keygen "$T/s" "$T/c" >/dev/null
cp "$T/c.pub" "$T/allow.pub"
port0=$((20000 + RANDOM % 20000))
start() { # start EP BEHAVIOUR [curve]
    PGOPT_TEST_AGENT=config_tuner PGOPT_TEST_BEHAVIOUR=$2 PGOPT_LOG_LEVEL=warn "$B/pgopt-test-worker" \
        --bind "$1" --jobs 2 ${3:+--curve-secret $T/s.key --curve-allow $T/allow.pub} 2>>"$T/w.log" &
}
median() { python3 -c "
import json,sys,statistics
ms=[json.loads(l)['ms'] for l in open(sys.argv[1])][1:]
print(f'{statistics.median(ms):.0f} ms (min {min(ms)}, max {max(ms)}, n {len(ms)})')" "$1"; }
start "ipc://$T/w.sock" ok
start "tcp://127.0.0.1:$port0" ok
start "tcp://127.0.0.1:$((port0 + 1))" ok curve
sleep 0.5
C="$B/pgopt-mh-coord --snapshot $SNAP --agents config_tuner --discover 2000"
$C -w "ipc://$T/w.sock" --runs "$R" >"$T/ipc"
$C -w "tcp://127.0.0.1:$port0" --runs "$R" >"$T/tcp"
$C -w "tcp://127.0.0.1:$((port0 + 1))" --curve-secret "$T/c.key" --curve-server "$T/s.pub" --runs "$R" >"$T/curve"
echo "snapshot: $SNAP ($(stat -c %s "$SNAP") bytes JSON)"
echo "one analysis (fleet_new + discovery + JOB + RESULT), median of $((R - 1)) after the first:"
echo "  ipc://                 $(median "$T/ipc")"
echo "  tcp:// plaintext       $(median "$T/tcp")"
echo "  tcp:// CURVE           $(median "$T/curve")"
kill $(jobs -p); wait 2>/dev/null || true
eps=""
for i in $(seq 1 $W); do start "tcp://127.0.0.1:$((port0 + 10 + i))" "slow:$JOB_MS"; eps="$eps -w tcp://127.0.0.1:$((port0 + 10 + i))"; done
sleep 0.5
echo "N concurrent analyses on $W workers x 2 slots, job $JOB_MS ms (ideal: $((W * 2)) per $JOB_MS ms = $((W * 2 * 1000 / JOB_MS))/s):"
printf "  %4s %8s %12s %8s %6s\n" N wall_ms analyses/s jobs ok
for n in 1 2 4 8 16 32 64; do
    t0=$(date +%s%3N)
    for k in $(seq 1 $n); do $C $eps --timeout 120000 --hang 10000 >"$T/n.$k" & done
    wait $(jobs -p | tail -n "$n") 2>/dev/null || true
    t1=$(date +%s%3N)
    stats=$(python3 -c "
import json,sys
rs=[json.loads(open(f).readline())['agents']['config_tuner'] for f in sys.argv[1:]]
print(sum(r['attempts'] for r in rs), sum(r['status']=='ok' for r in rs))" $(for k in $(seq 1 $n); do echo "$T/n.$k"; done))
    set -- $stats
    printf "  %4d %8d %12.2f %8d %6d\n" "$n" $((t1 - t0)) "$(python3 -c "print($n*1000/$((t1 - t0)))")" "$1" "$2"
done
