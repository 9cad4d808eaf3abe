#!/bin/sh
# sigterm_phases.sh: SIGTERM while a run lays out, writes or verifies a file on ringlabd's own loop-mounted image (a throttled device makes the phase last a minute): ringlabd exits 0 within the unit's TimeoutStopSec, the run is aborted with its finished cell kept, its file is gone from the image, and the image is unmounted and detached.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq losetup mountpoint lsblk

state=$DAEMON_DIR/state
mnt=$state/mnt/img
img=$state/img.img
stop_limit=$(sed -n 's/^TimeoutStopSec=//p' "$top_srcdir/systemd/ringlabd.service.in")
[ -n "$stop_limit" ] || fail "no TimeoutStopSec in systemd/ringlabd.service.in"
fault_config "$state" '{"name": "img", "kind": "image", "path": "img.img", "size": "1G"}'
# first: a cell that finishes before the signal. Then files whose layout (256 MiB, one
# written block in two: a write per block), writes (a minute) or verification (128 MiB)
# take a minute on the throttled device.
fault_workload first nw-overwrite-aligned '.size_per_job = "1M" | .repetitions = 1 | del(.expect)'
fault_workload slow-layout aligned-mixed '.size_per_job = "256M" | .jobs = [1] | .repetitions = 1'
fault_workload slow-io nw-overwrite-aligned \
	'.size_per_job = "128M" | .duration_ms = 60000 | .repetitions = 1 | del(.expect)'
fault_workload slow-verify nw-overwrite-aligned '.size_per_job = "128M" | .repetitions = 1 | del(.expect)'
for p in layout io verify; do
	fault_suite "sig-$p" first "slow-$p"
done

start() { daemon_start 60 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"; }

# sigterm_in PHASE ENGINE_PHASE LIMIT...: run sig-PHASE with ringlabd's I/O to its image's
# loop device throttled by LIMIT..., SIGTERM once cell 1 is in ENGINE_PHASE, then check.
sigterm_in()
{
	start
	req GET /api/v1/system >/dev/null
	dev=$(body '.targets[0].device')
	[ -b "$dev" ] || fail "the image target has no loop device: $(body .targets)"
	shift_p=$1 engine_phase=$2
	shift 2
	throttle_cgroup "$dev" "$@" || loopfs_skip "no cgroup I/O throttling here"
	throttle_move "$DAEMON_PID" || fail "cannot move ringlabd into $THROTTLE_CG"
	id=$(post_ok "{\"suite\": \"sig-$shift_p\"}")
	wait_phase "$id" "$engine_phase" 1
	stop_daemon TERM 60
	throttle_cleanup
	[ "$STOP_RC" != hung ] || fail "ringlabd still running 60 s after SIGTERM in $shift_p"
	[ "$STOP_RC" = 0 ] || fail "ringlabd exited $STOP_RC after SIGTERM in $shift_p"
	[ "$STOP_S" -le "$stop_limit" ] ||
		fail "ringlabd took $STOP_S s to stop in $shift_p: systemd kills it after TimeoutStopSec=$stop_limit"
	mountpoint -q "$mnt" && fail "$mnt is still mounted after SIGTERM in $shift_p"
	[ -z "$(losetup -n -O NAME -j "$img")" ] ||
		fail "$img is still attached to $(losetup -n -O NAME -j "$img") after SIGTERM in $shift_p"
	no_stray_files "$DAEMON_DIR"
	start
	left=$(find "$mnt" -name 'ringlab-*' -print -quit)
	[ -z "$left" ] || fail "SIGTERM in $shift_p left $left on the image"
	req GET "/api/v1/runs/$id" >/dev/null
	[ "$(body .status)" = aborted ] && body .error | grep -q stopping ||
		fail "run $id after SIGTERM in $shift_p: $(body '{status, error}')"
	body '.cells[0] | .workload == "first" and (.failed | not) and .verify.status == "ok"' | grep -q true ||
		fail "run $id lost its finished cell: $(body '[.cells[] | {workload, failed, error}]')"
	body '.cells[1:] | all(.failed and (.error | test("aborted")))' | grep -q true ||
		fail "run $id: the cell interrupted in $shift_p: $(body '[.cells[1:][] | {workload, failed, error}]')"
	daemon_stop
	echo "ok: SIGTERM in $shift_p: stopped in $STOP_S s, run $id aborted with $(body '.cells | length') cells"
}

sigterm_in layout layout wiops=400
sigterm_in io run wiops=200
sigterm_in verify verify rbps=2097152
exit 0
