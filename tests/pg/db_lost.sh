#!/bin/sh
# db_lost.sh: PostgreSQL stopped (pg_ctl stop) in the middle of a run's cells: the daemon keeps the finished cells in its spool (/health degraded, cells_waiting), the run goes on and, once the server is back, finishes done with every cell stored once, the kept ones as the daemon kept them; a server that stays away past unreachable_max_s fails the run naming the database and how many cells wait where, and a restart with the spool still full writes them, then the run's end kept behind them: nothing lost.
. "$top_srcdir/tests/lib/db_lost.sh"
# Many short cells: 40 of 250 ms each.
db_lost_setup db-lost 250 40
store_json=$PG_STORE_JSON

# $1: the bound in seconds; (re)starts the daemon with it.
up_with_bound()
{
	PG_STORE_JSON="${store_json%\}}, \"unreachable_max_s\": $1}"
	daemon_config t="$LOOPFS_DIR"
	daemon_up -c "$DAEMON_DIR/ringlabd.json"
}

stored() { pg_sql "SELECT count(*) FROM cell_summaries WHERE run_id = $1"; }

# Every cell of run $1 once, seq 0..$2-1, and the spooled lines of file $3 stored as kept.
check_cells()
{
	[ "$(pg_sql "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM cell_summaries WHERE run_id = $1")" = "$2 $2 0 $(($2 - 1))" ] ||
		fail "run $1: cells stored (count, distinct, min, max seq): $(pg_sql "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM cell_summaries WHERE run_id = $1"), want $2 once each"
	[ "$(pg_sql "SELECT ncells FROM runs WHERE id = $1")" = "$2" ] || fail "run $1: ncells $(pg_sql "SELECT ncells FROM runs WHERE id = $1"), not $2"
	expect 200 GET "/api/v1/runs/$1"
	jqe "(.cells | length) == $2"
	cp "$DAEMON_DIR/body" "$DAEMON_DIR/run.json"
	while read -r r seq json; do
		[ "$r" = "$1" ] || fail "$3: a cell of run $r, not $1"
		[ "$seq" != end ] || continue	# the run's end, kept behind its cells
		printf '%s\n' "$json" | jq -cS . >"$DAEMON_DIR/kept.json" || fail "$3: cell $seq is not JSON"
		jq -cS ".cells[$seq]" "$DAEMON_DIR/run.json" >"$DAEMON_DIR/got.json"
		cmp -s "$DAEMON_DIR/kept.json" "$DAEMON_DIR/got.json" ||
			fail "run $1, cell $seq: stored $(head -c 300 "$DAEMON_DIR/got.json"), kept $(head -c 300 "$DAEMON_DIR/kept.json")"
	done <"$3"
}

# A run of db-lost under a bound of $1 s; PostgreSQL stopped once it stored $2 cells. Sets id.
run_then_lose_db()
{
	up_with_bound "$1"
	expect 202 POST /api/v1/runs '{"workload": "db-lost"}' -H 'Content-Type: application/json'
	id=$(body .id)
	min=$2
	wait_until 60 "run $id stored no $min cells" eval '[ "$(stored "$id")" -ge "$min" ]'
	pg_down
}

# 1. The server stops and comes back within the bound: the run goes on and ends done.
run_then_lose_db 120 2
wait_until 60 "no cell kept while PostgreSQL is down" eval \
	'req GET /api/v1/health >/dev/null; [ "$(body .cells_waiting)" -ge 2 ] 2>/dev/null'
jqe '.status == "degraded"'
cp "$spool" "$DAEMON_DIR/spool1" || fail "no spool $spool"
[ "$(wc -l <"$DAEMON_DIR/spool1")" -ge 2 ] || fail "the spool holds $(wc -l <"$DAEMON_DIR/spool1") lines"
run_is "$id" running 2>/dev/null
kill -0 "$DAEMON_PID" || fail "ringlabd died without its store"
pg_up
wait_until 60 "/health never said ok with no cell waiting" eval \
	'[ "$(req GET /api/v1/health)" = 200 ] && [ "$(body .cells_waiting)" = 0 ]'
wait_run "$id" 120 done failed aborted
run_is "$id" done || fail "run $id: $(body '{status, error}')"
check_cells "$id" 40 "$DAEMON_DIR/spool1"
[ ! -s "$spool" ] || fail "the spool still holds $(wc -l <"$spool") cells"
grep -q "run $id: the store cannot be reached" "$DAEMON_DIR/rld.log" &&
	grep -Eq "the store is back: [0-9]+ kept cells? written" "$DAEMON_DIR/rld.log" ||
	fail "the log does not tell the cells were kept and written"
kept1=$(wc -l <"$DAEMON_DIR/spool1")
daemon_stop

# 2. The server stays away past a 3 s bound: the run fails saying so; a restart writes the kept cells, then its end.
id1=$id
run_then_lose_db 3 1
id2=$id
wait_until 60 "run $id2 did not fail while PostgreSQL was down" eval \
	'req GET /api/v1/health >/dev/null; [ "$(body ".unrecorded_runs[0].id")" = "$id2" ]'
jqe '.status == "degraded" and .unrecorded_runs[0].status == "failed" and .cells_waiting >= 1'
err=$(body '.unrecorded_runs[0].error')
n=$(body .cells_waiting)
case $err in
"the store (postgresql host=127.0.0.1 "*") cannot be reached for 3 s: $n cells kept in $spool, written when it is back") ;;
*) fail "run $id2 failed with: $err" ;;
esac
daemon_stop
cp "$spool" "$DAEMON_DIR/spool2" || fail "no spool $spool after the stop"
[ "$(grep -vc '^[0-9]* end ' "$DAEMON_DIR/spool2")" = "$n" ] || fail "the spool holds $(grep -vc '^[0-9]* end ' "$DAEMON_DIR/spool2") cells, not $n"
tail -n 1 "$DAEMON_DIR/spool2" | grep -q "^$id2 end {\"id\":$id2,\"status\":\"failed\"" ||
	fail "the spool does not end with the end of run $id2: $(tail -n 1 "$DAEMON_DIR/spool2" | head -c 300)"
pg_up
before=$(stored "$id2")
[ "$(pg_sql "SELECT status FROM runs WHERE id = $id2")" = running ] || fail "run $id2 ended while the server was down"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
run_is "$id2" failed || fail "run $id2 after the restart: $(body '{status, error}')"
[ "$(body .error)" = "$err" ] || fail "run $id2's error: $(body .error), not $err"
check_cells "$id2" $((before + n)) "$DAEMON_DIR/spool2"
[ ! -s "$spool" ] || fail "the spool still holds $(wc -l <"$spool") cells after the restart"
grep -q "$n cells\? kept while the store could not be reached written now" "$DAEMON_DIR/rld.log" ||
	fail "the restart does not say it wrote $n kept cells"
echo "ok: run $id1 done with 40 cells, $kept1 kept while PostgreSQL was down; run $id2 failed after 3 s away, $before + $n kept cells stored at the restart"
