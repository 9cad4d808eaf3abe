#!/bin/sh
# schema_moved.sh: a newer ringlabd migrates the shared PostgreSQL store (schema 10, simulated here: a column of cell_summaries renamed, or the version alone bumped) while this one runs a run: this one notices (a failed statement, its lease round, /health), writes nothing more, stops the run with its finished cells and its end kept in the spool, starts no queued run, and says so: a log line, /health 503 degraded "store is at schema 10, this ringlabd knows 9: upgrade ringlabd", the API 503 with those words rather than SQL; once the store is at its schema again (the upgrade) the restart writes every kept cell and the run's end: nothing lost.
. "$top_srcdir/tests/lib/db_lost.sh"
db_lost_setup moved 250 60
words="store is at schema 10, this ringlabd knows 9: upgrade ringlabd"
# The default lease first (a round each 10 s): a failed statement finds schema 10.
daemon_config t="$LOOPFS_DIR"

stored() { pg_sql "SELECT count(*) FROM cell_summaries WHERE run_id = $1"; }
status_of() { pg_sql "SELECT status FROM runs WHERE id = $1"; }

# A migration as a newer daemon runs one: under the migrations' lock, with its version, in one transaction.
migrate_to_10()
{
	pg_sql "BEGIN; SELECT pg_advisory_xact_lock(1380729154); $1 UPDATE ringlab_schema SET version = 10; COMMIT" >/dev/null ||
		fail "the simulated migration to 10 failed"
}

# /health says the store moved on, and the run $1 this daemon stopped waits with its cells in the spool (waiting: how many).
health_moved()
{
	stopped=$1
	wait_until 60 "run $1 did not stop once the store was at schema 10" eval \
		'req GET /api/v1/health >/dev/null; [ "$(body ".unrecorded_runs[0].id")" = "$stopped" ]'
	[ "$(req GET /api/v1/health)" = 503 ] || fail "/health answered $(req GET /api/v1/health)"
	jqe ".status == \"degraded\" and .store == \"$words\" and .schema == 9 and .store_schema == 10"
	jqe ".unrecorded_runs[0].status == \"failed\" and (.unrecorded_runs[0].error | startswith(\"$words; \"))"
	waiting=$(body .cells_waiting)
	grep -q "the store (postgresql .*) is at schema 10, this ringlabd knows 9: upgrade ringlabd" "$DAEMON_DIR/rld.log" ||
		fail "the log does not say the store moved past this ringlabd"
}

# 1. A run and a run queued behind it; a migration renames a column the run writes.
daemon_up -c "$DAEMON_DIR/ringlabd.json"
expect 202 POST /api/v1/runs '{"workload": "moved"}' -H 'Content-Type: application/json'
id1=$(body .id)
expect 202 POST /api/v1/runs '{"workload": "moved", "queue": true}' -H 'Content-Type: application/json'
id2=$(body .id)
wait_until 60 "run $id1 stored no 2 cells" eval '[ "$(stored "$id1")" -ge 2 ]'
migrate_to_10 "ALTER TABLE cell_summaries RENAME COLUMN found TO found_kinds;"
health_moved "$id1"
err=$(body '.unrecorded_runs[0].error')
for path in /api/v1/runs "/api/v1/runs/$id1"; do
	expect 503 GET "$path"
	jqe ".error == \"$words\""
done
expect 503 POST /api/v1/runs '{"workload": "moved"}' -H 'Content-Type: application/json'
jqe ".error == \"$words\""
sleep 2	# a runner that goes on would have started run 2 by now (it polls each second)
[ "$(status_of "$id1") $(status_of "$id2")" = "running queued" ] ||
	fail "runs $id1 and $id2 are $(status_of "$id1") and $(status_of "$id2") in the store, not running and queued: this daemon wrote there"
daemon_stop
cp "$spool" "$DAEMON_DIR/spool1" || fail "no spool $spool"
n=$(grep -vc '^[0-9]* end ' "$DAEMON_DIR/spool1")
[ "$n" = "$waiting" ] || fail "the spool keeps $n cells, /health said $waiting"
tail -n 1 "$DAEMON_DIR/spool1" | grep -q "^$id1 end {\"id\":$id1,\"status\":\"failed\"" ||
	fail "the spool does not end with run $id1's end: $(tail -n 1 "$DAEMON_DIR/spool1" | head -c 300)"

# The upgrade: the store is at this daemon's schema again, as an upgraded one's would be.
pg_sql "BEGIN; ALTER TABLE cell_summaries RENAME COLUMN found_kinds TO found; UPDATE ringlab_schema SET version = 9; COMMIT" >/dev/null
before=$(stored "$id1")
# A lease of 3 s from now on: a round each second, for part 2.
daemon_config --keys '"fleet": {"lease_s": 3}' t="$LOOPFS_DIR"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
run_is "$id1" failed || fail "run $id1 after the upgrade: $(body '{status, error}')"
[ "$(body .error)" = "$err" ] || fail "run $id1's error: $(body .error), not $err"
# Nothing lost: each cell the run finished, stored before or kept, once, seq 0.. without a gap.
[ "$(pg_sql "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM cell_summaries WHERE run_id = $id1")" = \
	"$((before + n)) $((before + n)) 0 $((before + n - 1))" ] ||
	fail "run $id1: $before cells stored before and $n kept, the store has $(pg_sql "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM cell_summaries WHERE run_id = $id1")"
[ ! -s "$spool" ] || fail "the spool still holds $(wc -l <"$spool") lines after the upgrade"
wait_run "$id2" 120 done failed aborted
run_is "$id2" done || fail "run $id2 after the upgrade: $(body '{status, error}')"
jq '{run: .}' "$DAEMON_DIR/body" >"$DAEMON_DIR/import.json" || fail "run $id2 as an import"

# 2. The version alone moves on (tables this daemon still writes): its lease round notices, no failed statement.
expect 202 POST /api/v1/runs '{"workload": "moved"}' -H 'Content-Type: application/json'
id3=$(body .id)
wait_until 60 "run $id3 stored no cell" eval '[ "$(stored "$id3")" -ge 1 ]'
said=$(grep -c "the store (postgresql .*) is at schema 10" "$DAEMON_DIR/rld.log")
migrate_to_10 ""
wait_until 30 "the lease round did not notice the store at schema 10" eval \
	'[ "$(grep -c "the store (postgresql .*) is at schema 10" "$DAEMON_DIR/rld.log")" -gt "$said" ]'
health_moved "$id3"
kept=$(stored "$id3")
expect 503 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/import.json" -H 'Content-Type: application/json'
jqe ".error == \"$words\""
sleep 2
[ "$(stored "$id3") $(status_of "$id3")" = "$kept running" ] ||
	fail "run $id3: $(stored "$id3") cells and $(status_of "$id3") in the store after it stopped with $kept: this daemon wrote there"
grep -q "^$id3 end " "$spool" || fail "run $id3's end is not kept in the spool"
echo "ok: run $id1 stopped at schema 10 with $n cells kept, all $((before + n)) stored after the upgrade, run $id2 left queued then done; run $id3 stopped on the version alone with $kept cells stored"
