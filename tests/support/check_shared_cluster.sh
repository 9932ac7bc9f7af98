#!/bin/sh
# check_shared_cluster.sh SOURCE_DIR - tests share one PostgreSQL (the ctest
# fixture) and run side by side, so none may reset statistics that are
# cluster-wide: another test's pg_stat_statements entries, pg_qualstats
# predicates or shared counters would vanish between its workload and its
# collection (index_advisor_integration once lost its partial-index
# candidate that way). Reset only your own database's entries
# (pg_stat_statements_reset(0, <your database's oid>, 0)) and read only your
# own database's rows.
#
# A test that runs a PostgreSQL of its own may reset it: list it below.
set -eu
src=${1:?usage: check_shared_cluster.sh SOURCE_DIR}
cd "$src"
own_cluster="tests/config_tuner/test_apply_scratch.c tests/report/test_report_sql.c"
status=0
for f in $(git ls-files tests 2>/dev/null || find tests -type f); do
    case $f in *.c|*.h|*.sql|*.sh|*.py) ;; *) continue ;; esac
    case " $own_cluster " in *" $f "*) continue ;; esac
    [ "$f" = tests/support/check_shared_cluster.sh ] && continue
    # comment lines (-- # // /* *) may name the functions
    if grep -nE 'pg_qualstats_reset *\(|pg_stat_statements_reset *\( *\)|pg_stat_reset_shared *\(|pg_stat_reset_slru *\(|pg_stat_reset_replication_slot *\(' "$f" |
        grep -vE '^[0-9]+:[[:space:]]*(--|#|//|/\*|\*)'; then
        echo "$f: resets cluster-wide statistics on the shared test server" >&2
        status=1
    fi
done
exit $status
