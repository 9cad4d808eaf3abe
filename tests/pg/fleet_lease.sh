#!/bin/sh
# fleet_lease.sh: a ringlabd killed with -9 in the middle of a fleet run: the other daemon leaves the run alone while its renewed lease lasts, then puts it back in the queue and runs it to the end (leases of 6 s for the holder, 3 s for the other); the dead daemon's half of it is gone; a daemon whose lease another took stops that run and records nothing of it.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
# Each daemon reads a run's workload from its own directory when it takes the run: fleet-b's
# fleet-slow writes for a minute, so the run is surely still in its writes when fleet-b is
# killed however slowly the machine goes; fleet-a's, the same run taken again, for 2 s.
fleet_workloads 60000 "$DAEMON_DIR/workloads-b"
# The holder renews every third of its lease: a 6 s lease outlasts a renewal late by 4 s.
fleet_up b fleet-b '"fleet": {"lease_s": 6}'
fleet_workloads 2000 "$DAEMON_DIR/workloads-a"
# Now, the database's clock in ns, as leases are kept.
db_now() { pg_sql "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000 AS BIGINT)"; }

DAEMON_URL=$fleet_url_b
# Mid-run: writing, its lease renewed past its first end.
fleet_slow_run any writing
id=$fleet_id
first_end=$(pg_sql "SELECT lease_expires FROM runs WHERE id = $id")
fleet_up a fleet-a '"fleet": {"lease_s": 3}'
# The lease fleet-b took first has run out 2 s ago (fleet-a looks every second): only its
# renewals keep the run from fleet-a.
wait_until 60 "the database's clock never passed run $id's first lease end" eval \
	'[ "$(db_now)" -gt $((first_end + 2000000000)) ]'
[ "$(fleet_log_has a "run $id: claimed")" = 0 ] || fail "fleet-a took run $id while fleet-b held its lease"
[ "$(pg_sql "SELECT status || ' ' || split_part(lease_owner, '/', 1) FROM runs WHERE id = $id")" = "running fleet-b" ] ||
	fail "run $id is $(pg_sql "SELECT status, lease_owner FROM runs WHERE id = $id") while fleet-b runs it"
[ "$(pg_sql "SELECT lease_expires > $first_end FROM runs WHERE id = $id")" = t ] ||
	fail "fleet-b never renewed the lease of run $id"

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
# it stops the run and records nothing of it; the row stays the new holder's. fleet-a's
# fleet-slow writes for a minute from here on, so it is still running when it notices.
fleet_workloads 60000 "$DAEMON_DIR/workloads-a"
fleet_slow_run fleet-a
stolen=$fleet_id
pg_sql "UPDATE runs SET lease_owner = 'elsewhere/0/1', lease_expires = 9000000000000000000 WHERE id = $stolen" >/dev/null
wait_until 30 "fleet-a never noticed it lost run $stolen" eval \
	'[ "$(fleet_log_has a "run $stolen: its lease was lost")" = 1 ]'
expect 202 POST /api/v1/runs '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1, "host": "fleet-a"}' -H 'Content-Type: application/json'
after=$(body .id)
wait_run "$after" 120 done
[ "$(pg_sql "SELECT status || ' ' || COALESCE(error, '-') || ' ' || lease_owner FROM runs WHERE id = $stolen")" = "running - elsewhere/0/1" ] ||
	fail "fleet-a wrote the end of run $stolen it no longer held: $(pg_sql "SELECT status, error, lease_owner FROM runs WHERE id = $stolen")"
echo "ok: run $id: fleet-b killed mid-run, re-queued after its 6 s lease, finished by fleet-a; run $stolen, its lease taken, dropped by fleet-a"
