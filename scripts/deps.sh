#!/usr/bin/env bash
# deps.sh - installs what pgopt needs to build, test and run its demo on
# Debian 12, idempotently: Debian packages (only the missing ones; apt-get
# update at most once) and the pinned tree-sitter-python grammar from npm.
#
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --check    list what is missing, install nothing (exit 1 if any)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

packages=(
    build-essential cmake pkg-config git ca-certificates python3
    libzmq3-dev libmsgpack-dev libpq-dev libpg-query-dev libprotobuf-c-dev
    libcmocka-dev libjansson-dev libtree-sitter-dev
    postgresql-15 postgresql-client-15 postgresql-15-hypopg postgresql-15-pg-qualstats
    clang libclang-rt-14-dev clang-format jq python3-yaml python3-sqlalchemy python3-psycopg2
    chromium
)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${1:-}" = "--check" ]; then
    if [ ${#missing[@]} -gt 0 ]; then echo "missing: ${missing[*]}"; exit 1; fi
    echo "all Debian packages present"
    exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "deps.sh: missing packages (${missing[*]}); run as root or install sudo" >&2; exit 1; }
        sudo="sudo"
    fi
    # Installing postgresql-15 would create and start a default cluster on
    # port 5432; pgopt only ever uses throwaway clusters of its own.
    if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
        $sudo mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    echo "deps.sh: installing ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$here/fetch-grammar.sh"
