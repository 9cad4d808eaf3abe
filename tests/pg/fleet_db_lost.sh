#!/bin/sh
# fleet_db_lost.sh: PostgreSQL stopped (pg_ctl stop) longer than the 6 s lease of a fleet run fleet-a holds, its cells kept in fleet-a's spool: when the server is back fleet-b leaves the expired lease to its holder for a lease length; fleet-a, back within it, keeps its run and writes its kept cells (nothing re-queued, nothing run twice), and its end with them when the run ended meanwhile. fleet-a away longer: fleet-b re-queues the run and runs it; fleet-a, back, writes none of its kept cells into it, sets them aside and logs which run, how many, where; then a run of its own queue keeps its cells.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 1000
# 10 repetitions of a 2 MiB overwrite for 400 ms each.
jq '.name = "fleet-cells" | .size_per_job = "2M" | .duration_ms = 400 | .repetitions = 10 | del(.expect)' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_WORKLOADS/fleet-cells.json" ||
	fail "workload fleet-cells"
lease='"fleet": {"lease_s": 6}'
fleet_up a fleet-a "$lease"
fleet_up b fleet-b "$lease"
spool=$DAEMON_DIR/a/cells-spool-a-t

cells() { pg_sql "SELECT count(*) || ' ' || count(DISTINCT seq) FROM cell_summaries WHERE run_id = $1"; }

# Run fleet-cells for host $1 through fleet-a, wait until fleet-a holds it and stored a cell, then stop
# PostgreSQL and, once a cell waits in fleet-a's spool, fleet-a (SIGSTOP) for 7 s; the server comes
# back. Sets id and waiting.
lose_db_then_holder()
{
	DAEMON_URL=$fleet_url_a
	expect 202 POST /api/v1/runs "{\"workload\": \"fleet-cells\", \"host\": \"$1\"}" -H 'Content-Type: application/json'
	id=$(body .id)
	wait_until 60 "run $id stored no cell" eval '[ "$(cells "$id")" != "0 0" ]'
	pg_sql "SELECT lease_owner FROM runs WHERE id = $id" | grep -q "^fleet-a/" ||
		fail "run $id is not fleet-a's: $(pg_sql "SELECT lease_owner FROM runs WHERE id = $id")"
	pg_down
	wait_until 30 "fleet-a kept no cell of run $id" eval \
		'req GET /api/v1/health >/dev/null; [ "$(body .cells_waiting)" -ge 1 ] 2>/dev/null'
	kill -STOP "$fleet_pid_a"
	waiting=$(wc -l <"$spool")
	sleep 7	# the lease, renewed every 2 s, has run out
	pg_up
}

# 1. fleet-a back 2.5 s after the server, within fleet-b's wait: it keeps its run.
requeued=$(fleet_log_has b "back in the queue")
lose_db_then_holder fleet-a
sleep 2.5
kill -CONT "$fleet_pid_a"
fleet_done_on "$id" fleet-a
[ "$(cells "$id")" = "10 10" ] || fail "run $id: cells (rows, distinct seq) $(cells "$id"), not 10 once each"
[ "$(fleet_log_has b "back in the queue")" = "$requeued" ] ||
	fail "fleet-b re-queued run $id while fleet-a was back: $(grep -h "queue\|answers" "$DAEMON_DIR/b.log")"
[ "$(fleet_log_has b "the database answers again: 1 expired lease left to its holder for 6 s")" -ge 1 ] ||
	fail "fleet-b does not say it left the expired lease to its holder: $(grep -h "fleet:" "$DAEMON_DIR/b.log" | tail -n 3)"
[ "$(fleet_log_has a "run $id: claimed")" = 1 ] && [ "$(fleet_log_has a "the store is back: [0-9]+ kept cells? written")" -ge 1 ] ||
	fail "fleet-a's log of run $id: $(grep -h "run $id\|store is back" "$DAEMON_DIR/a.log")"
kept=$waiting

# 1b. The run ends while the server is away (7 s, past the lease): fleet-a keeps the lease and records
# its kept cells and then its end, with the env of its end.
DAEMON_URL=$fleet_url_a
expect 202 POST /api/v1/runs '{"workload": "fleet-cells", "host": "fleet-a"}' -H 'Content-Type: application/json'
id=$(body .id)
wait_until 60 "run $id stored no cell" eval '[ "$(cells "$id")" != "0 0" ]'
pg_down
down_at=$(date +%s)
wait_until 30 "run $id never ended while PostgreSQL was down" eval \
	'req GET /api/v1/health >/dev/null; [ "$(body ".unrecorded_runs[0].id")" = "$id" ]'
left=$((down_at + 7 - $(date +%s)))
[ "$left" -le 0 ] || sleep "$left"
pg_up
# Until its end is recorded the API shows the kept end (with a store_error): wait for the store's.
wait_until 60 "run $id: its kept end never recorded" eval \
	'req GET /api/v1/health >/dev/null; [ "$(body ".unrecorded_runs | length")" = 0 ]'
fleet_done_on "$id" fleet-a
jqe '.env.uring_opcodes != "" and (.cells | length) == 10 and .finished_ns > 0 and (has("store_error") | not)'
[ "$(cells "$id")" = "10 10" ] || fail "run $id: cells (rows, distinct seq) $(cells "$id"), not 10 once each"
[ "$(fleet_log_has b "back in the queue")" = "$requeued" ] ||
	fail "fleet-b re-queued run $id, whose end fleet-a kept: $(grep -h "queue\|answers" "$DAEMON_DIR/b.log")"

# 2. fleet-a away until fleet-b re-queued the run and ran it: fleet-a's kept cells go aside, said so.
lose_db_then_holder any
wait_until 60 "fleet-b never took run $id after its lease ran out" eval '[ "$(fleet_log_has b "run $id: claimed")" = 1 ]'
DAEMON_URL=$fleet_url_b
fleet_done_on "$id" fleet-b
kill -CONT "$fleet_pid_a"
wait_until 30 "fleet-a never said what became of its kept cells of run $id" eval \
	'[ "$(fleet_log_has a "run $id: .* kept cells? not written; set aside in $spool.unstored-$id")" = 1 ]'
line=$(grep "run $id: .* kept cells\? not written; set aside" "$DAEMON_DIR/a.log")
n=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) kept cells\? not written.*/\1/p')
[ "$n" -ge "$waiting" ] && [ "$(wc -l <"$spool.unstored-$id")" = "$n" ] ||
	fail "fleet-a set aside $(wc -l <"$spool.unstored-$id") lines, says $n, kept $waiting before its stop: $line"
DAEMON_URL=$fleet_url_a
wait_until 30 "fleet-a still runs run $id" eval 'req GET /api/v1/health >/dev/null; [ "$(body .running)" = 0 ]'
[ ! -s "$spool" ] || fail "fleet-a's spool still holds $(wc -l <"$spool") lines"
[ "$(cells "$id")" = "10 10" ] && [ "$(pg_sql "SELECT status || ' ' || lease_owner FROM runs WHERE id = $id" | cut -d/ -f1)" = "done fleet-b" ] ||
	fail "run $id after fleet-a came back: cells $(cells "$id"), $(pg_sql "SELECT status, lease_owner FROM runs WHERE id = $id")"

# 3. A run of fleet-a's own queue after that lost lease: its cells are stored.
expect 202 POST /api/v1/runs '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 2}' -H 'Content-Type: application/json'
own=$(body .id)
wait_run "$own" 60 done failed aborted
run_is "$own" done || fail "run $own: $(body '{status, error}')"
[ "$(cells "$own")" = "2 2" ] || fail "run $own of fleet-a's own queue stored cells $(cells "$own") after a lost lease, not 2"
echo "ok: fleet run kept by fleet-a back within the lease wait ($kept cells kept); run $id re-queued and run by fleet-b, fleet-a's $n kept cells set aside; run $own stored after"
