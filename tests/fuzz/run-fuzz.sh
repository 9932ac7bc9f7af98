#!/bin/sh
# run-fuzz.sh [seconds] - builds the libFuzzer targets with clang and runs each
# for the given time (default 20 s), starting from the committed seed corpus.
#
# New inputs the fuzzer finds go to a scratch corpus (not the committed one);
# a crash leaves its input in $OUT/crash-* and stops the script with status 1.
# Commit a reproducer of every fixed crash to tests/fuzz/corpus/<target>/ so
# proto_fuzz_corpus_replay keeps checking it.
#
# Environment: PGOPT_SOURCE_DIR (default: this checkout), PGOPT_FUZZ_BUILD
# (default: $PGOPT_SOURCE_DIR/build-fuzz), PGOPT_FUZZ_OUT (default: a new
# directory under /tmp), JOBS (default 2).
set -eu

seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
src=${PGOPT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${PGOPT_FUZZ_BUILD:-$src/build-fuzz}
out=${PGOPT_FUZZ_OUT:-$(mktemp -d /tmp/pgopt-fuzz.XXXXXX)}
targets="codec header snapshot_json result history_frames"

CC=clang cmake -S "$src" -B "$build" -DPGOPT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
    cmake --build "$build" -j"${JOBS:-2}" --target "fuzz_$t" >/dev/null
done

status=0
for t in $targets; do
    work="$out/$t"
    mkdir -p "$work/corpus"
    cp "$here/corpus/$t"/* "$work/corpus/"
    case $t in
    header) max_len=5000 ;;
    history_frames) max_len=8192 ;; # resynchronising is quadratic in damaged bytes
    *) max_len=65536 ;;
    esac
    echo "== fuzz_$t for ${seconds}s (corpus $work/corpus)"
    if ! "$build/bin/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" 2>"$work/log"; then
        status=1
        echo "fuzz_$t FAILED: see $work/log and $work/crash-*" >&2
        tail -30 "$work/log" >&2
    else
        grep -E "^stat::(number_of_executed_units|peak_rss_mb|new_units_added)" "$work/log" || true
    fi
done
exit $status
