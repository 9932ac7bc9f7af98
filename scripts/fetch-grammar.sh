#!/bin/sh
# fetch-grammar.sh [DEST] - fetch the tree-sitter-python grammar sources that
# pgopt compiles into its Python source parser (common/python/).
#
# Why a script and not a vendored copy: the generated parser.c is 2.5 MB of
# machine output; we pin one release (0.23.6, ABI 14, the newest that
# Debian's libtree-sitter 0.20.7 can load - 0.25 is ABI 15 and is refused)
# and verify the tarball against the registry's sha512 recorded below, so the
# build is reproducible without committing generated code.
#
# `npm pack` downloads just the published tarball: nothing is installed and
# no node-gyp build runs. Only src/parser.c, src/scanner.c,
# src/tree_sitter/*.h and LICENSE are unpacked.
#
# DEST defaults to <repo>/.deps/tree-sitter-python-0.23.6. Running the script
# again is a no-op when DEST holds the verified files (checked against the
# stamp file written after a successful unpack).
set -eu

VERSION=0.23.6
PACKAGE=tree-sitter-python
# `npm view tree-sitter-python@0.23.6 dist.integrity`
INTEGRITY='sha512-yIM9z0oxKIxT7bAtPOhgoVl6gTXlmlIhue7liFT4oBPF/lha7Ha4dQBS82Av6hMMRZoVnFJI8M6mL+SwWoLD3A=='

repo_root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
dest=${1:-$repo_root/.deps/$PACKAGE-$VERSION}
stamp=$dest/.verified

die() {
    echo "fetch-grammar.sh: $*" >&2
    exit 1
}

for tool in tar sha512sum sha256sum base64 xxd; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not installed"
done

# Already fetched and unchanged since: nothing to do.
if [ -f "$stamp" ] && (cd "$dest" && sha256sum --quiet --strict -c .verified >/dev/null 2>&1); then
    echo "fetch-grammar.sh: $PACKAGE $VERSION already present and verified in $dest"
    exit 0
fi

command -v npm >/dev/null 2>&1 ||
    die "npm is not installed; install it with: apt-get install npm"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgopt-grammar.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "fetch-grammar.sh: downloading $PACKAGE@$VERSION with npm pack"
if ! (cd "$work" && npm pack "$PACKAGE@$VERSION" --silent >"$work/npm.out" 2>"$work/npm.err"); then
    cat "$work/npm.err" >&2
    die "npm pack $PACKAGE@$VERSION failed (offline, or the npm registry is unreachable?)"
fi
tarball=$work/$PACKAGE-$VERSION.tgz
[ -f "$tarball" ] || die "npm pack did not produce $tarball"

# npm's integrity string is "sha512-" + base64 of the raw digest.
actual="sha512-$(sha512sum "$tarball" | cut -d' ' -f1 | xxd -r -p | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
    die "integrity mismatch for $PACKAGE@$VERSION: expected $INTEGRITY, got $actual"
fi

mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked" \
    package/LICENSE package/src/parser.c package/src/scanner.c \
    --wildcards 'package/src/tree_sitter/*.h' ||
    die "unpacking $tarball failed"

# Replace DEST atomically enough: build it fully, then move files in.
mkdir -p "$dest/src/tree_sitter"
cp "$work/unpacked/package/LICENSE" "$dest/LICENSE"
cp "$work/unpacked/package/src/parser.c" "$work/unpacked/package/src/scanner.c" "$dest/src/"
cp "$work/unpacked/package/src/tree_sitter/"*.h "$dest/src/tree_sitter/"

(cd "$dest" && find LICENSE src -type f | LC_ALL=C sort | xargs sha256sum >.verified.tmp &&
    mv .verified.tmp .verified)
echo "fetch-grammar.sh: $PACKAGE $VERSION verified ($INTEGRITY) and unpacked into $dest"
