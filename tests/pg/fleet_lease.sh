#!/bin/sh
# fleet_lease.sh: a ringlabd killed with -9 in the middle of a fleet run: the other daemon leaves the run alone while the lease lasts, then puts it back in the queue and runs it to the end (3 s leases); the dead daemon's half of it is gone.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 5000
lease='"fleet": {"lease_s": 3}'
fleet_up b fleet-b "$lease"

DAEMON_URL=$fleet_url_b
expect 202 POST /api/v1/runs '{"workload": "fleet-slow", "host": "any"}' -H 'Content-Type: application/json'
id=$(body .id)
wait_run "$id" 30 running
# Mid-run: writing, its lease renewed past the first 3 s.
wait_until 30 "run $id never wrote on fleet-b" eval \
	'req GET "/api/v1/runs/$id" >/dev/null && [ "$(body .progress.phase)" = run ]'
fleet_up a fleet-a "$lease"
sleep 4
[ "$(fleet_log_has a "run $id: claimed")" = 0 ] || fail "fleet-a took run $id while fleet-b held its lease"
[ "$(pg_sql "SELECT status FROM runs WHERE id = $id")" = running ] ||
	fail "run $id is $(pg_sql "SELECT status FROM runs WHERE id = $id") while fleet-b runs it"

kill -KILL "$fleet_pid_b"
wait "$fleet_pid_b" 2>/dev/null
DAEMON_URL=$fleet_url_a
wait_run "$id" 60 done failed aborted
run_is "$id" done || fail "run $id: $(body '{status, error, host}')"
expect 200 GET "/api/v1/runs/$id"
jqe '.host == "fleet-a" and .target == "a-t" and (.cells | length) == 1'
[ "$(fleet_log_has b "run $id: claimed")" = 1 ] && [ "$(fleet_log_has b "run $id: (done|failed|aborted)")" = 0 ] ||
	fail "fleet-b's log of run $id: $(grep "run $id:" "$DAEMON_DIR/b.log")"
[ "$(fleet_log_has a "back in the queue")" -ge 1 ] && [ "$(fleet_log_has a "run $id: claimed")" = 1 ] ||
	fail "fleet-a's log of run $id: $(grep -E "run $id:|queue" "$DAEMON_DIR/a.log")"
pg_sql "SELECT lease_owner FROM runs WHERE id = $id" | grep -q "^fleet-a/.*/$fleet_pid_a\$" ||
	fail "run $id: lease owner $(pg_sql "SELECT lease_owner FROM runs WHERE id = $id")"
echo "ok: run $id: fleet-b killed mid-run, re-queued after its 3 s lease, finished by fleet-a"
