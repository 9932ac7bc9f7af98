#!/usr/bin/env bash
# demo/workload/run.sh - run the demo workload against the pgopt_demo database.
#
#   demo/workload/run.sh WORKDIR
#
# Connects with the usual libpq environment (PGHOST, PGPORT, PGUSER,
# PGDATABASE). WORKDIR receives the generated import file and the pgbench
# logs. Four clients of the database run at the same time, like in
# production:
#
#   storefront         pgbench, 4 connections: the web application's
#                      statements (demo/app), fixed transaction counts
#   fulfilment-worker  pgbench, 1 long-lived connection with session state
#                      (advisory lock, LISTEN, SET)
#   reporting          pgbench, 1 connection: heavy reports, one after another
#   nightly-import     psql: COPY of 600k analytics events (a write burst of
#                      several hundred MB of WAL, more than max_wal_size, so
#                      PostgreSQL must request checkpoints) and the retention
#                      DELETE of events older than 150 days
#
# Every pgbench run uses a fixed --random-seed and a fixed number of
# transactions per client (-t), so the statement mix and call counts are the
# same on every run; only timings vary. DEMO_SCALE (default 1) multiplies the
# transaction counts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workdir=${1:?usage: $0 WORKDIR}
mkdir -p "$workdir"
scale=${DEMO_SCALE:-1}
case "$scale" in '' | *[!0-9]*) echo "run.sh: DEMO_SCALE must be a positive integer" >&2; exit 2 ;; esac
[ "$scale" -ge 1 ] || { echo "run.sh: DEMO_SCALE must be at least 1" >&2; exit 2; }

pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
pgbench=$pgbin/pgbench
psql=$pgbin/psql
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
[ -x "$psql" ] || psql=$(command -v psql || true)
if [ -z "$pgbench" ] || [ -z "$psql" ]; then
    echo "run.sh: pgbench and psql not found (install postgresql-15)" >&2
    exit 1
fi
seed=20240917

# The analytics export to import: 600k events in COPY text format, made by
# awk with a fixed seed (deterministic, and no database statement of its own
# to show up in pg_stat_statements). Campaign events are rarer than in the
# loaded history, account and customer ids are skewed like data.sql's.
import=$workdir/events-import.tsv
awk -v n=$((600000 * scale)) 'BEGIN {
    srand(4242);
    split("page_view page_view page_view page_view page_view page_view add_to_cart add_to_cart checkout signup", types, " ");
    split("web web ios android", sources, " ");
    for (i = 1; i <= n; i++) {
        a = 1 + int(10000 * rand() ^ 2);
        c = rand() < 0.7 ? 1 + int(200000 * rand() ^ 2) : "\\N";
        t = types[1 + int(10 * rand())];
        camp = rand() < 0.1 ? sprintf(", \"campaign\": \"c_%d\"", 1 + int(50 * rand())) : "";
        path = t == "page_view" ? sprintf("/p/%d", 1 + int(20000 * rand() ^ 3)) : "/" t;
        printf "%d\t%s\t%s\t{\"path\": \"%s\", \"source\": \"%s\"%s, \"duration_ms\": %d}\n",
               a, c, t, path, sources[1 + int(4 * rand())], camp, int(5000 * rand());
    }
}' >"$import"

w=$here
run_pgbench() { # name clients transactions_per_client script@weight...
    local name=$1 clients=$2 tx=$3
    shift 3
    local args=()
    for s in "$@"; do args+=(-f "$w/$s"); done
    PGAPPNAME=$name "$pgbench" -n -c "$clients" -j "$(( clients > 1 ? 2 : 1 ))" -t "$tx" \
        --random-seed="$seed" "${args[@]}" >"$workdir/$name.log" 2>&1 \
        || { echo "run.sh: $name failed:" >&2; tail -20 "$workdir/$name.log" >&2; return 1; }
}

start=$(date +%s)
pids=()
# storefront: 13,140 transactions over 4 connections; weight = expected
# count / 20. Session touches and product pages dominate the call counts,
# the N+1 page, logins and searches dominate the time.
run_pgbench storefront 4 $((3285 * scale)) \
    heartbeat.sql@400 product_view.sql@200 checkout.sql@30 my_orders.sql@5 product_search.sql@6 \
    login.sql@4 order_detail.sql@4 admin_orders.sql@6 account_admin.sql@2 &
pids+=($!)
run_pgbench fulfilment-worker 1 $((600 * scale)) fulfilment.sql &
pids+=($!)
run_pgbench reporting 1 $((20 * scale)) \
    report_customer_revenue.sql@3 report_top_customers.sql@3 report_campaign.sql@4 report_events_day.sql@4 \
    report_product_buyers.sql@3 report_unsold_products.sql@2 report_daily_revenue.sql@1 &
pids+=($!)
(
    PGAPPNAME=nightly-import "$psql" -X -q -v ON_ERROR_STOP=1 \
        -c "\\copy events (account_id, customer_id, type, payload) FROM '$import'" \
        -c "DELETE FROM events WHERE created_at < now() - interval '150 days'" \
        >"$workdir/nightly-import.log" 2>&1 \
        || { echo "run.sh: nightly-import failed:" >&2; cat "$workdir/nightly-import.log" >&2; exit 1; }
) &
pids+=($!)

status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" = 0 ] || exit 1

for name in storefront fulfilment-worker reporting; do
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$workdir/$name.log")
    done_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$workdir/$name.log")
    lat=$(sed -n 's/^latency average = \(.*\)$/\1/p' "$workdir/$name.log")
    printf 'workload: %-18s %7s transactions, %8s tps, latency average %s\n' "$name" "$done_tx" "$tps" "$lat" >&2
done
printf 'workload: %-18s %7s events imported\n' nightly-import "$(wc -l <"$import")" >&2
echo "workload: finished in $(($(date +%s) - start)) s" >&2
