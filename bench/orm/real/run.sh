#!/usr/bin/env bash
# bench/orm/real/run.sh BUILD_DIR [PACKAGE...] - the ORM code analysis on
# real SQLAlchemy applications (issue 14's measure).
#
# Downloads the packages pinned in packages.lock (apt-get download, hash
# checked), unpacks them (dpkg -x) into a cache outside the repository
# (PGOPT_ORM_REAL_CACHE, default ~/.cache/pgopt-orm-real: third-party code
# is never committed), runs pgopt-bench-orm-real over each package's
# dist-packages tree twice - parsing alone, then the whole analysis, each in
# a process of its own so each peak RSS is that mode's - and scores the
# findings against labels.tsv and recall.tsv with score.py.
#
# Extra arguments for the analysis pass (--code-include GLOB,
# --code-exclude GLOB) go in BENCH_ARGS; REPEATS=N keeps the fastest of N. Output: one line per package, then the score tables.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [PACKAGE...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$build" && pwd)/bin/pgopt-bench-orm-real
[ -x "$bin" ] || { echo "run.sh: $bin not built" >&2; exit 1; }
cache=${PGOPT_ORM_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgopt-orm-real}
mkdir -p "$cache/debs" "$cache/src" "$cache/out"
# apt-get download drops privileges to _apt when it can write the target
chmod 755 "$cache" "$cache/debs" 2>/dev/null || true

want=("$@")
selected() {
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

pkgs=()
while read -r name version sha; do
    case "$name" in ''|'#'*) continue ;; esac
    selected "$name" || continue
    pkgs+=("$name")
    deb=$(ls "$cache/debs/${name}_"*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
        rm -f "$cache/debs/${name}_"*.deb
        (cd "$cache/debs" && apt-get download -q "$name=$version" >/dev/null) || {
            echo "run.sh: cannot download $name=$version (apt-get update? version dropped" \
                 "from the mirror? then pin the current one in packages.lock)" >&2
            exit 1
        }
        deb=$(ls "$cache/debs/${name}_"*.deb | head -1)
        got=$(sha256sum "$deb" | cut -d' ' -f1)
        if [ "$got" != "$sha" ]; then
            echo "run.sh: $deb: sha256 $got, packages.lock pins $sha" >&2
            exit 1
        fi
    fi
    if [ ! -f "$cache/src/$name/.unpacked-$sha" ]; then
        rm -rf "$cache/src/$name"
        mkdir -p "$cache/src/$name"
        dpkg -x "$deb" "$cache/src/$name"
        touch "$cache/src/$name/.unpacked-$sha"
    fi
done <"$here/packages.lock"
[ ${#pkgs[@]} -gt 0 ] || { echo "run.sh: no package of packages.lock selected" >&2; exit 1; }

# REPEATS=N runs each mode N times, alternating, and keeps the fastest run
# of each (the machine is shared: the fastest is the least disturbed).
faster() { python3 -c 'import json,sys; a,b=(json.load(open(f))["analysis_s"] for f in sys.argv[1:]); sys.exit(0 if a < b else 1)' "$1" "$2"; }
for name in "${pkgs[@]}"; do
    tree="$cache/src/$name/usr/lib/python3/dist-packages"
    for ((r = 0; r < ${REPEATS:-1}; r++)); do
        "$bin" --parse-only "$tree" "$cache/out/$name.parse.try.json" >/dev/null
        # shellcheck disable=SC2086
        "$bin" ${BENCH_ARGS:-} "$tree" "$cache/out/$name.try.json" >/dev/null
        for m in parse. ""; do
            if [ "$r" -eq 0 ] || faster "$cache/out/$name.${m}try.json" "$cache/out/$name.${m}json"; then
                mv "$cache/out/$name.${m}try.json" "$cache/out/$name.${m}json"
            fi
        done
    done
    rm -f "$cache/out/$name.try.json" "$cache/out/$name.parse.try.json"
done
python3 "$here/score.py" --results "$cache/out" --labels "$here/labels.tsv" \
    --recall "$here/recall.tsv" --sample "$here/sample.tsv" "${pkgs[@]}"
