#!/bin/bash
# validate_deploy.sh - checks deploy/ as far as this machine allows:
#   - every YAML file (compose, Kubernetes) parses (python3-yaml), and each
#     Kubernetes document has apiVersion, kind, metadata.name/generateName,
#     a namespace, and resource requests and limits on every container;
#   - `docker compose config` when a compose client is available;
#   - systemd-analyze verify on the units when available;
#   - the Dockerfile fetches the grammar before CMake and runs as non-root.
# Exit 77 (skip) only when python3-yaml is missing.
set -u
DEPLOY=${PGOPT_SOURCE_DIR:?}/deploy
python3 -c "import yaml" 2>/dev/null || { echo "SKIP: python3-yaml missing (apt-get install python3-yaml)"; exit 77; }
FAILS=0
python3 - "$DEPLOY" <<'PY' || FAILS=$((FAILS + 1))
import glob, os, sys, yaml
d = sys.argv[1]
bad = 0
files = sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True) +
               glob.glob(os.path.join(d, "*.yml")))
assert files, "no YAML files in deploy/"
for f in files:
    try:
        docs = [x for x in yaml.safe_load_all(open(f)) if x is not None]
    except yaml.YAMLError as e:
        print(f"FAIL {f}: {e}"); bad += 1; continue
    if f.endswith("docker-compose.yml"):
        svcs = docs[0]["services"]
        for s in ("index-advisor", "query-rewriter", "config-tuner", "ai-tuning", "postgres", "coordinator"):
            if s not in svcs: print(f"FAIL {f}: no service {s}"); bad += 1
        print(f"ok {f}: {len(svcs)} services")
        continue
    for doc in docs:
        where = f"{f}: {doc.get('kind')}/{doc.get('metadata', {}).get('name') or doc.get('metadata', {}).get('generateName')}"
        for k in ("apiVersion", "kind", "metadata"):
            if k not in doc: print(f"FAIL {where}: no {k}"); bad += 1
        md = doc.get("metadata", {})
        if not (md.get("name") or md.get("generateName")): print(f"FAIL {where}: unnamed"); bad += 1
        if doc.get("kind") != "Namespace" and md.get("namespace") != "pgopt":
            print(f"FAIL {where}: not in namespace pgopt"); bad += 1
        spec = doc.get("spec", {})
        pod = (spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template") or {}).get("spec")
        if pod:
            for c in pod["containers"]:
                r = c.get("resources", {})
                if not r.get("requests") or not r.get("limits"):
                    print(f"FAIL {where}: container {c['name']} lacks requests/limits"); bad += 1
            if not pod.get("securityContext", {}).get("runAsNonRoot"):
                print(f"FAIL {where}: not runAsNonRoot"); bad += 1
        if doc.get("kind") == "Service" and spec.get("clusterIP") != "None":
            print(f"FAIL {where}: Service is not headless"); bad += 1
    print(f"ok {f}: {len(docs)} documents")
kinds = set()
for f in files:
    for x in yaml.safe_load_all(open(f)):
        if x: kinds.add(x.get("kind"))
for k in ("Deployment", "Service", "Job", "CronJob", "Secret", "HorizontalPodAutoscaler"):
    if k not in kinds and k is not None: print(f"FAIL: no {k} manifest"); bad += 1
sys.exit(1 if bad else 0)
PY
if docker compose version >/dev/null 2>&1; then
    if docker compose -f "$DEPLOY/docker-compose.yml" config --quiet 2>"${TMPDIR:-/tmp}/compose.err.$$"; then
        echo "ok docker compose config"
    else
        echo "FAIL docker compose config:"; cat "${TMPDIR:-/tmp}/compose.err.$$"; FAILS=$((FAILS + 1))
    fi
    rm -f "${TMPDIR:-/tmp}/compose.err.$$"
else
    echo "note: no docker compose client here; compose file checked as YAML only"
fi
if command -v systemd-analyze >/dev/null; then
    # verify needs the ExecStart binaries; check syntax with stand-ins.
    tmp=$(mktemp -d)
    for u in "$DEPLOY"/systemd/*; do
        sed -e "s|/usr/local/bin/pgopt-%i|/bin/true|; s|/usr/local/bin/pgopt-coordinator|/bin/true|; s|^User=.*||; s|^Group=.*||; s|^EnvironmentFile=/etc|EnvironmentFile=-/etc|" "$u" >"$tmp/$(basename "$u")"
    done
    cp "$tmp/pgopt-worker@.service" "$tmp/pgopt-worker@config-tuner.service"
    if out=$(cd "$tmp" && systemd-analyze verify ./pgopt-worker@config-tuner.service ./pgopt-snapshot.service ./pgopt-snapshot.timer 2>&1) &&
        ! echo "$out" | grep -qi "unknown\|invalid\|failed"; then
        echo "ok systemd-analyze verify"
    else
        echo "FAIL systemd-analyze verify:"; echo "$out"; FAILS=$((FAILS + 1))
    fi
    rm -rf "$tmp"
fi
df="$DEPLOY/Dockerfile"
grep -q "^FROM debian:12 AS build" "$df" && grep -q "scripts/fetch-grammar.sh" "$df" &&
    grep -q "^USER 10001" "$df" && grep -q "^HEALTHCHECK" "$df" &&
    [ "$(grep -n fetch-grammar "$df" | head -1 | cut -d: -f1)" -lt "$(grep -n 'cmake -S' "$df" | head -1 | cut -d: -f1)" ] &&
    echo "ok Dockerfile: multi-stage debian:12, grammar before CMake, non-root, health check" ||
    { echo "FAIL Dockerfile checks"; FAILS=$((FAILS + 1)); }
[ $FAILS = 0 ]
