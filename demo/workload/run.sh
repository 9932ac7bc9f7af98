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
#   nightly-import     psql: the e-mail platform's newsletter events (~280k
#                      rows) staged with COPY and inserted into events, then
#                      the retention DELETE of events older than 150 days: a
#                      write burst of more WAL than max_wal_size (see
#                      demo/server.sql), so PostgreSQL must request
#                      checkpoints
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

# The e-mail platform's export of yesterday's newsletter: one email_sent
# per customer, opens and clicks for some, in COPY text format. Made by awk
# with a fixed seed: deterministic, and no database statement of its own to
# show up in pg_stat_statements.
import=$workdir/newsletter-events.tsv
awk -v n=200000 'BEGIN {
    srand(4242);
    for (c = 1; c <= n; c++) {
        sent = 6 * 3600 + int(1800 * rand());
        printf "%d\temail_sent\t%d\n", c, sent;
        if (rand() < 0.4) {
            printf "%d\temail_open\t%d\n", c, sent + 60 + int(36000 * rand());
            if (rand() < 0.2) printf "%d\temail_click\t%d\n", c, sent + 120 + int(36000 * rand());
        }
    }
}' >"$import"

w=$here
# Today's midnight (UTC) in epoch seconds, for scripts that send time bounds.
now_epoch=$(($(date -u +%s) / 86400 * 86400))

# WORKLOAD_SECONDS=N: the same clients and statement mix for N seconds each
# (pgbench -T) instead of the fixed counts, without the nightly import; the
# demo's second round, after it applied pgopt's index recommendation.
secs=${WORKLOAD_SECONDS:-}
case "$secs" in '' | [1-9] | [1-9][0-9] | [1-9][0-9][0-9]) ;; *) echo "run.sh: WORKLOAD_SECONDS must be 1..999" >&2; exit 2 ;; esac

run_pgbench() { # name clients transactions_per_client script@weight...
    local name=$1 clients=$2 tx=$3
    shift 3
    local args=(-D "now_epoch=$now_epoch")
    for s in "$@"; do args+=(-f "$w/$s"); done
    local amount=(-t "$tx")
    [ -z "$secs" ] || amount=(-T "$secs")
    PGAPPNAME=$name "$pgbench" -n -c "$clients" -j "$(( clients > 1 ? 2 : 1 ))" "${amount[@]}" \
        --random-seed="$seed" "${args[@]}" >"$workdir/$name.log" 2>&1 \
        || { echo "run.sh: $name failed:" >&2; grep -m 10 -iE 'error|abort' "$workdir/$name.log" >&2; return 1; }
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
[ -n "$secs" ] || (
    # Staged in a temporary table (session state, like the fulfilment
    # worker's), joined to customers for the account and the active flag,
    # then inserted in one statement. Seconds are after yesterday midnight.
    PGAPPNAME=nightly-import "$psql" -X -q -v ON_ERROR_STOP=1 \
        -c "CREATE TEMP TABLE newsletter_import (customer_id bigint NOT NULL, type text NOT NULL, sent_s integer NOT NULL)" \
        -c "COPY newsletter_import FROM STDIN" \
        -c "INSERT INTO events (account_id, customer_id, type, payload, created_at)
            SELECT c.account_id, i.customer_id, i.type,
                   jsonb_build_object('source', 'email', 'campaign', 'newsletter'),
                   date_trunc('day', now()) - interval '1 day' + i.sent_s * interval '1 second'
            FROM newsletter_import i JOIN customers c ON c.id = i.customer_id
            WHERE c.is_active" \
        -c "DELETE FROM events WHERE created_at < now() - interval '150 days'" \
        <"$import" >"$workdir/nightly-import.log" 2>&1 \
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
printf 'workload: %-18s %7s newsletter events staged\n' nightly-import "$(wc -l <"$import")" >&2
echo "workload: finished in $(($(date +%s) - start)) s" >&2
