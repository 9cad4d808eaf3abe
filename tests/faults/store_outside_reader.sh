#!/bin/sh
# store_outside_reader.sh: an outside sqlite3 reads and backs up ringlab.db during a run, then kill -9: every run id acknowledged is there after the restart, the finished one intact, and no id is reused.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq sqlite3

loopfs_create 256
daemon_config scratch="$LOOPFS_DIR"
db=$DAEMON_DIR/state/ringlab.db
run='{"workload": "nw-overwrite-aligned", "repeat": 2, "scale": 0.2, "queue": true}'
daemon_start 20 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"

done_id=$(post_run "$run")
[ -n "$done_id" ] || fail "the first POST was not acknowledged"
wait_run "$done_id" 120 done
live=$(post_run "$run")
wait_run "$live" 120 running
# What an operator does beside a running daemon: an integrity check, a backup.
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check during the run"
sqlite3 "$db" ".backup '$DAEMON_DIR/backup.db'" || fail "sqlite3 .backup failed"
[ -e "$db-wal" ] || fail "the outside sqlite3 deleted the live $db-wal"
acked="$done_id $live"
for _ in 1 2 3 4 5; do
	id=$(post_run "$run")
	[ -n "$id" ] || fail "a queued POST was not acknowledged"
	acked="$acked $id"
done

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after kill -9"
daemon_start 20 -c "$DAEMON_DIR/ringlabd.json" || fail "restart: $DAEMON_ERR"
max=0
for id in $acked; do
	[ -n "$(run_status "$id")" ] || fail "run $id was acknowledged before kill -9 and is gone (acknowledged: $acked)"
	[ "$id" -gt "$max" ] && max=$id
done
run_is "$done_id" done || fail "the finished run $done_id is '$(run_status "$done_id")'"
req GET "/api/v1/runs/$done_id" >/dev/null
[ "$(body '.cells | length')" = 2 ] || fail "the finished run $done_id lost cells"
new=$(post_run "$run")
[ -n "$new" ] && [ "$new" -gt "$max" ] || fail "a new run got id '$new', not above $max: ids reused"
echo "ok: runs $acked kept across kill -9 after an outside sqlite3, next id $new"
daemon_stop
exit 0
