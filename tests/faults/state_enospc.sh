#!/bin/sh
# state_enospc.sh: ringlabd's state directory on a small ext4 fills up during a run, then again just before a SIGTERM: the run does not stay "running", its error names the database and the errno, /health keeps answering, nothing stored is lost, and with room again (or after a restart) the daemon records the real end and runs the next run.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq sqlite3 dd df

loopfs_create 32
statefs=$LOOPFS_DIR
state=$statefs/state
db=$state/ringlab.db
loopfs_create 128
fault_config "$state" "{\"name\": \"scratch\", \"kind\": \"dir\", \"path\": \"$LOOPFS_DIR\"}"
fault_workload quick nw-overwrite-aligned '.size_per_job = "2M" | .repetitions = 1 | del(.expect)'
# Four cells of 1.5 s: the state fills after the first is stored.
fault_workload cells nw-overwrite-aligned \
	'.size_per_job = "4M" | .duration_ms = 1500 | .repetitions = 4 | del(.expect)'
start() { daemon_start 30 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"; }

fill() { dd if=/dev/zero of="$statefs/fill" bs=64k >/dev/null 2>&1; sync; }
# run_into_full: a run that stores a cell, then meets a full state filesystem.
run_into_full()
{
	id=$(post_ok '{"workload": "cells"}')
	deadline 60
	until [ "$(req GET "/api/v1/runs/$id" >/dev/null; body '.cells | length')" -ge 1 ] 2>/dev/null; do
		in_time || fail "run $id stored no cell in 60 s"
		sleep 0.1
	done
	fill
	[ "$(df -B1 --output=avail "$statefs" | tail -n 1)" -lt 65536 ] || fail "the state filesystem is not full"
}
# error_names_state TEXT: TEXT says which database and what the disk said.
error_names_state()
{
	case $1 in
	*"$db"*full*) ;;
	*) fail "$2 does not name $db and that it is full: $1" ;;
	esac
}

start
before=$(post_ok '{"workload": "quick"}')
wait_end "$before"
[ "$(body .status)" = done ] || fail "run $before: $(body '{status, error}')"
body '{status, error, cells}' >"$DAEMON_DIR/before.json"

# 1. Full during a run: it ends (failed) instead of staying "running"; /health answers.
run_into_full
# Its next cell cannot be stored (the cells take 1.5 s), nor its end, tried again for a
# few seconds: 30 s is ample.
deadline 30
while [ "$(run_status "$id")" = running ]; do
	in_time || fail "run $id still running 30 s after the state filesystem filled"
	sleep 0.1
done
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] || fail "run $id on a full state: $(body '{status, error}')"
error_names_state "$(body '.store_error // .error')" "run $id's error"
code=$(req GET /api/v1/health)
case $code in
200) ;;
503) [ "$(body .status)" = degraded ] && body .store | grep -q . ||
	fail "/api/v1/health on a full state: $(cat "$DAEMON_DIR/body")" ;;
*) fail "/api/v1/health on a full state answered $code $(cat "$DAEMON_DIR/body")" ;;
esac
code=$(req POST /api/v1/runs '{"workload": "quick"}')
case $code in
50[03]) body .error | grep -q . || fail "POST on a full state: $code without an error" ;;
*) fail "POST on a full state answered $code $(cat "$DAEMON_DIR/body")" ;;
esac
req GET "/api/v1/runs/$before" >/dev/null
body '{status, error, cells}' | cmp -s - "$DAEMON_DIR/before.json" || fail "run $before changed"
echo "ok: run $id on a full state: $(run_status "$id"): $(body '.store_error // .error')"

# With room again: /health ok, the run failed for a reason, a new run done.
rm -f "$statefs/fill"
deadline 30
until [ "$(req GET /api/v1/health)" = 200 ]; do
	in_time || fail "/api/v1/health 30 s after the state had room: $(cat "$DAEMON_DIR/body")"
	sleep 0.1
done
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && body .error | grep -q . ||
	fail "run $id once the state had room: $(body '{status, error}')"
next=$(post_ok '{"workload": "quick"}')
wait_end "$next"
[ "$(body .status)" = done ] || fail "run $next once the state had room: $(body '{status, error}')"
echo "ok: with room again run $id is failed ($(req GET "/api/v1/runs/$id" >/dev/null; body .error)), run $next done"

# 2. Full when ringlabd is told to stop: it stops in time, and the next start records the
#    run's real end, not "interrupted".
run_into_full
stop_daemon TERM 15
[ "$STOP_RC" = 0 ] || fail "ringlabd exited '$STOP_RC' after SIGTERM on a full state"
grep -q "$db.*full" "$DAEMON_DIR/rld.log" ||
	fail "the log does not say that $db is full: $(tail -n 5 "$DAEMON_DIR/rld.log")"
rm -f "$statefs/fill"
ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
[ "$ic" = ok ] || fail "integrity_check after a full state: $ic"
start
req GET "/api/v1/runs/$id" >/dev/null
case $(body .status) in
aborted | failed) ;;
*) fail "run $id after the restart: $(body '{status, error}')" ;;
esac
body .error | grep -q interrupted &&
	fail "run $id after the restart: '$(body .error)', not the end it had"
ended="$(body .status) ('$(body .error)')"
req GET "/api/v1/runs/$before" >/dev/null
body '{status, error, cells}' | cmp -s - "$DAEMON_DIR/before.json" || fail "run $before changed"
next=$(post_ok '{"workload": "quick"}')
wait_end "$next"
[ "$(body .status)" = done ] || fail "run $next after the restart: $(body '{status, error}')"
health_ok
no_stray_files "$DAEMON_DIR" "$statefs"
daemon_stop
echo "ok: after a SIGTERM on a full state run $id is $ended"
exit 0
