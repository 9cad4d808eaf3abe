#!/bin/sh
# db_lost_end.sh: PostgreSQL stopped (pg_ctl stop) before a run ends: its end (done, its finish time, no error, and the environment only the end knows: env.uring_opcodes) is kept in the spool behind its cells, /health says degraded with the run in unrecorded_runs and the spool named, and once the server is back the end is recorded as the run ended, not the env of its start; a daemon stopped meanwhile records it at its next start.
. "$top_srcdir/tests/lib/db_lost.sh"
# 6 cells of 400 ms: the run ends while the server is down.
db_lost_setup db-end 400 6
daemon_config t="$LOOPFS_DIR"
daemon_up -c "$DAEMON_DIR/ringlabd.json"

# A run of db-end; PostgreSQL stopped once it stored a cell, and kept down until the run ended. Sets id.
run_ends_without_db()
{
	expect 202 POST /api/v1/runs '{"workload": "db-end"}' -H 'Content-Type: application/json'
	id=$(body .id)
	wait_until 60 "run $id stored no cell" eval \
		'[ "$(pg_sql "SELECT count(*) FROM cell_summaries WHERE run_id = $id")" -ge 1 ]'
	pg_down
	wait_until 60 "run $id never ended while PostgreSQL was down" eval \
		'req GET /api/v1/health >/dev/null; [ "$(body ".unrecorded_runs[0].id")" = "$id" ]'
	jqe '.status == "degraded" and .unrecorded_runs[0].status == "done" and .unrecorded_runs[0].error == null and .cells_waiting >= 1'
	case $(body '.unrecorded_runs[0].store_error') in
	*"cannot be reached: the run's end waits in $spool behind "*" kept cell"*) ;;
	*) fail "run $id's end waits, says /health: $(body '.unrecorded_runs[0].store_error')" ;;
	esac
	# The spool: its cells, then its end with the environment of the end.
	tail -n 1 "$spool" >"$DAEMON_DIR/end.line"
	sed -n "s/^$id end //p" "$DAEMON_DIR/end.line" >"$DAEMON_DIR/end.json"
	jq -e --argjson i "$id" '.id == $i and .status == "done" and .error == "" and .env.uring_opcodes != ""' \
		"$DAEMON_DIR/end.json" >/dev/null || fail "the spool's last line is not run $id's end: $(head -c 400 "$DAEMON_DIR/end.line")"
	kept=$(grep -vc '^[0-9]* end ' "$spool")
}

# The run as it ended: done, its finish time, no error, its end's env; every cell once.
check_end()
{
	# Compared as jq's doubles: the kept finish time has a double's precision.
	[ "$(pg_sql "SELECT status || ' ' || COALESCE(error, '-') FROM runs WHERE id = $id")" = "done -" ] &&
		jq -e --argjson f "$(pg_sql "SELECT finished FROM runs WHERE id = $id")" '.finished_ns == $f' \
			"$DAEMON_DIR/end.json" >/dev/null ||
		fail "run $id stored as $(pg_sql "SELECT status, finished, error FROM runs WHERE id = $id"), it ended done at $(jq .finished_ns "$DAEMON_DIR/end.json")"
	expect 200 GET "/api/v1/runs/$id"
	jqe '.env.uring_opcodes != "" and (.cells | length) == 6 and ([.cells[] | .rep] | length) == 6'
	jq -S '.env' "$DAEMON_DIR/end.json" >"$DAEMON_DIR/want.env"
	jq -S '.env' "$DAEMON_DIR/body" >"$DAEMON_DIR/got.env"
	cmp -s "$DAEMON_DIR/want.env" "$DAEMON_DIR/got.env" ||
		fail "run $id's env is not the one of its end: $(diff "$DAEMON_DIR/want.env" "$DAEMON_DIR/got.env" | head -n 10)"
	[ "$(pg_sql "SELECT count(*) || ' ' || count(DISTINCT seq) FROM cell_summaries WHERE run_id = $id")" = "6 6" ] ||
		fail "run $id: cells stored $(pg_sql "SELECT count(*), count(DISTINCT seq) FROM cell_summaries WHERE run_id = $id"), not 6 once each"
	[ ! -s "$spool" ] || fail "the spool still holds $(wc -l <"$spool") lines"
}

# 1. The server comes back: the end is written behind the cells.
run_ends_without_db
pg_up
wait_run "$id" 60 done failed aborted
wait_until 30 "/health never said ok again" eval '[ "$(req GET /api/v1/health)" = 200 ]'
jqe '.unrecorded_runs == [] and .cells_waiting == 0'
check_end
grep -q "run $id: its end (done) recorded from $spool" "$DAEMON_DIR/rld.log" || fail "the log does not say run $id's end was recorded from the spool"
id1=$id kept1=$kept

# 2. The daemon stops first: its next start records the end kept behind the cells.
run_ends_without_db
daemon_stop
grep -q "run $id: its end stays in $spool behind its cells" "$DAEMON_DIR/rld.log" || fail "the stop does not say where run $id's end stays"
pg_up
[ "$(pg_sql "SELECT status FROM runs WHERE id = $id")" = running ] || fail "run $id ended while the server was down"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
check_end
grep -q "1 run end kept behind them recorded now" "$DAEMON_DIR/rld.log" || fail "the restart does not say it recorded run $id's end"
echo "ok: run $id1 ended done with $kept1 cells and its end kept while PostgreSQL was down, recorded with its end's env when it was back; run $id ($kept cells) recorded so at the next start"
