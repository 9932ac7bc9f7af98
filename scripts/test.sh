#!/usr/bin/env bash
# test.sh - the whole test suite, as the README's quick start and CI run it:
# dependencies, a -Werror build with every test (real PostgreSQL 15 started
# by the ctest fixture, real sockets, real worker processes), the same suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer, a short
# libFuzzer run of the decoders, and a format check.
#
#   scripts/test.sh             everything
#   PGOPT_TEST_SKIP_ASAN=1 scripts/test.sh   skip the sanitizer pass (local iteration)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

echo "== build (-Werror)"
cmake -S . -B build -DPGOPT_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2

echo "== tests"
ctest --test-dir build --output-on-failure -j2 --timeout 600

if [ "${PGOPT_TEST_SKIP_ASAN:-0}" != 1 ]; then
    echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    cmake -S . -B build-asan -DPGOPT_WERROR=ON -DPGOPT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-asan -j2
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j2 --timeout 900
fi

echo "== short libFuzzer run of every decoder of untrusted bytes (${PGOPT_FUZZ_SECONDS:-10} s each)"
tests/fuzz/run-fuzz.sh "${PGOPT_FUZZ_SECONDS:-10}"

echo "== format (clang-format, .clang-format)"
files=$(git ls-files '*.c' '*.h')
if ! clang-format --dry-run -Werror $files 2>/tmp/pgopt-format.log; then
    head -40 /tmp/pgopt-format.log >&2
    echo "format check failed: run clang-format -i on the files above" >&2
    exit 1
fi
echo "all checks passed"
