#!/bin/sh
# fleet_cancel.sh: cancel of a fleet run through a daemon that does not hold it: the run fleet-a runs stops at fleet-a's next lease renewal and ends aborted "cancelled through fleet-b"; a queued fleet run no daemon holds (for a host that is not up) ends aborted at once; a local run of another daemon is not touched.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 30000
lease='"fleet": {"lease_s": 3}'
fleet_up a fleet-a "$lease"
fleet_up b fleet-b "$lease"

DAEMON_URL=$fleet_url_a
fleet_slow_run fleet-a writing
id=$fleet_id

# Through fleet-b, which does not run it.
DAEMON_URL=$fleet_url_b
expect 202 POST "/api/v1/runs/$id/cancel"
wait_run "$id" 20 done failed aborted
expect 200 GET "/api/v1/runs/$id"
jqe '.status == "aborted" and .error == "cancelled through fleet-b" and .host == "fleet-a"'
[ "$(fleet_log_has a "run $id: cancelled through fleet-b; stopping it")" = 1 ] ||
	fail "fleet-a's log of run $id: $(grep "run $id:" "$DAEMON_DIR/a.log")"
expect 409 POST "/api/v1/runs/$id/cancel"

# Queued for a host that is not up: no daemon holds it, so it ends at once.
expect 202 POST /api/v1/runs '{"workload": "fleet-slow", "host": "fleet-z"}' -H 'Content-Type: application/json'
queued=$(body .id)
DAEMON_URL=$fleet_url_a
expect 202 POST "/api/v1/runs/$queued/cancel"
jqe '.status == "aborted"'
expect 200 GET "/api/v1/runs/$queued"
jqe '.status == "aborted" and .error == "cancelled through fleet-a"'
# A run of fleet-b's own queue is fleet-b's to stop: fleet-a refuses, naming why.
DAEMON_URL=$fleet_url_b
expect 202 POST /api/v1/runs '{"workload": "fleet-slow"}' -H 'Content-Type: application/json'
local=$(body .id)
wait_run "$local" 30 running
DAEMON_URL=$fleet_url_a
expect 409 POST "/api/v1/runs/$local/cancel"
jqe '.error | test("another daemon.*cancel it through that daemon")'
run_is "$local" running || fail "run $local: $(body '{status, error}')"
DAEMON_URL=$fleet_url_b
expect 202 POST "/api/v1/runs/$local/cancel"
wait_run "$local" 20 aborted
echo "ok: run $id held by fleet-a cancelled through fleet-b; queued run $queued cancelled through fleet-a"
