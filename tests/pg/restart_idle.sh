#!/bin/sh
# restart_idle.sh: PostgreSQL restarted while ringlabd's connections sat idle: the next requests (a submit, a listing) are answered on a new session, not failed with the old session's "terminating connection" error.
export RL_TEST_STORE=postgresql
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
expect 200 GET /api/v1/runs

pg_down
pg_up
expect 202 POST /api/v1/runs -H 'Content-Type: application/json' \
	--data-binary '{"workload": "nw-overwrite-aligned", "label": "after-restart", "scale": 0.02, "repeat": 1}'
id=$(body .id)
wait_run "$id" 60 done failed aborted
run_is "$id" done || fail "run $id: $(body '{status, error}')"

pg_down
pg_up
expect 200 GET "/api/v1/runs?label=after-restart"
jqe ".total == 1 and .runs[0].id == $id"
echo "ok: PostgreSQL restarted under idle connections: the submit and the listing after it succeed"
