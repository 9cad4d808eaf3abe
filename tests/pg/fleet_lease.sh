#!/bin/sh
# fleet_lease.sh: a ringlabd killed with -9 in the middle of a fleet run: the other daemon leaves the run alone while the lease lasts, then puts it back in the queue and runs it to the end (3 s leases); the dead daemon's half of it is gone; a daemon whose lease another took stops that run and records nothing of it.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 5000
lease='"fleet": {"lease_s": 3}'
fleet_up b fleet-b "$lease"

DAEMON_URL=$fleet_url_b
# Mid-run: writing, its lease renewed past the first 3 s.
fleet_slow_run any writing
id=$fleet_id
fleet_up a fleet-a "$lease"
sleep 4
[ "$(fleet_log_has a "run $id: claimed")" = 0 ] || fail "fleet-a took run $id while fleet-b held its lease"
[ "$(pg_sql "SELECT status FROM runs WHERE id = $id")" = running ] ||
	fail "run $id is $(pg_sql "SELECT status FROM runs WHERE id = $id") while fleet-b runs it"

kill -KILL "$fleet_pid_b"
wait "$fleet_pid_b" 2>/dev/null
DAEMON_URL=$fleet_url_a
fleet_done_on "$id" fleet-a
jqe '.target == "a-t" and (.cells | length) == 1'
[ "$(fleet_log_has b "run $id: claimed")" = 1 ] && [ "$(fleet_log_has b "run $id: (done|failed|aborted)")" = 0 ] ||
	fail "fleet-b's log of run $id: $(grep "run $id:" "$DAEMON_DIR/b.log")"
[ "$(fleet_log_has a "back in the queue")" -ge 1 ] && [ "$(fleet_log_has a "run $id: claimed")" = 1 ] ||
	fail "fleet-a's log of run $id: $(grep -E "run $id:|queue" "$DAEMON_DIR/a.log")"
pg_sql "SELECT lease_owner FROM runs WHERE id = $id" | grep -q "^fleet-a/.*/$fleet_pid_a\$" ||
	fail "run $id: lease owner $(pg_sql "SELECT lease_owner FROM runs WHERE id = $id")"

# A lease taken from under a live daemon (as when it lost the database past the lease):
# it stops the run and records nothing of it; the row stays the new holder's.
fleet_slow_run fleet-a
stolen=$fleet_id
pg_sql "UPDATE runs SET lease_owner = 'elsewhere/0/1', lease_expires = 9000000000000000000 WHERE id = $stolen" >/dev/null
wait_until 20 "fleet-a never noticed it lost run $stolen" eval \
	'[ "$(fleet_log_has a "run $stolen: its lease was lost")" = 1 ]'
expect 202 POST /api/v1/runs '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1, "host": "fleet-a"}' -H 'Content-Type: application/json'
after=$(body .id)
wait_run "$after" 30 done
[ "$(pg_sql "SELECT status || ' ' || COALESCE(error, '-') || ' ' || lease_owner FROM runs WHERE id = $stolen")" = "running - elsewhere/0/1" ] ||
	fail "fleet-a wrote the end of run $stolen it no longer held: $(pg_sql "SELECT status, error, lease_owner FROM runs WHERE id = $stolen")"
echo "ok: run $id: fleet-b killed mid-run, re-queued after its 3 s lease, finished by fleet-a; run $stolen, its lease taken, dropped by fleet-a"
