#!/bin/sh
# target_enospc.sh: a nearly full ext4 target fills up under a run, once before a layout and once before writes that allocate: each run fails naming the file and ENOSPC, keeps its finished cells, removes its files, writes nothing elsewhere, and the daemon runs the next run.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq fallocate df

MiB=1048576
# free_bytes DIR: what an unprivileged writer may still allocate there.
# Synced first: blocks of a file just removed are free again only once the journal commits.
free_bytes() { sync -f "$1"; df -B1 --output=avail "$1" | tail -n 1 | tr -d ' '; }
# leave_free MiB: take all but that much of the target with a file of our own.
leave_free()
{
	_take=$(($(free_bytes "$LOOPFS_DIR") - $1 * MiB))
	[ "$_take" -gt 0 ] || fail "the target has less than $1 MiB free already"
	fallocate -l "$_take" "$LOOPFS_DIR/filler.$2" || fail "fallocate $_take bytes on the target"
}

loopfs_create 128 -m 0
target=$LOOPFS_DIR
state=$DAEMON_DIR/state
fault_config "$state" "{\"name\": \"small\", \"kind\": \"dir\", \"path\": \"$target\"}"
# hold: one 3-second cell of pure overwrites of an 8 MiB file: it allocates nothing while
# the test fills the target, then gives its 8 MiB back. The next workload needs more.
fault_workload hold nw-overwrite-aligned \
	'.size_per_job = "8M" | .duration_ms = 3000 | .repetitions = 1 | del(.expect)'
# big: a 32 MiB file of written blocks; its layout cannot fit in 8 MiB.
fault_workload big nw-overwrite-aligned '.size_per_job = "32M" | .repetitions = 1 | del(.expect)'
# holes: a quarter written, the rest holes that its (blocking) writes fill: the layout
# (6 MiB) fits in what is left free beside hold, even before the journal commits
# hold's freed blocks; the writes (18 MiB more) do not.
fault_workload holes nw-overwrite-aligned '.size_per_job = "24M" | .stripe = "WHHH" |
	.io_offset = 4096 | .io_size = 12288 | .nowait = false | .repetitions = 1 | del(.expect)'
fault_suite enospc-layout hold big
fault_suite enospc-io hold holes
daemon_start 20 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"

# run_into_full SUITE: the target nearly full from the start (the run's own check passes),
# full but for 8 MiB once hold runs. The run's JSON ends in $DAEMON_DIR/$SUITE.json.
run_into_full()
{
	rm -f "$target"/filler.*
	leave_free 40 start
	id=$(post_ok "{\"suite\": \"$1\"}")
	wait_phase "$id" run 0
	leave_free 8 hold
	wait_end "$id"
	cp "$DAEMON_DIR/body" "$DAEMON_DIR/$1.json"
	run=$DAEMON_DIR/$1.json
	jq -e '.status == "failed"' "$run" >/dev/null ||
		fail "run $id ($1) on a full target is $(jq -c '{status, error}' "$run")"
	jq -e '.cells[0] | .workload == "hold" and (.failed | not) and .verify.status == "ok"' \
		"$run" >/dev/null || fail "run $id lost the cell it finished: $(jq -c .cells "$run")"
	leftover=$(find "$target" -name 'ringlab-*' -print -quit)
	[ -z "$leftover" ] || fail "run $id left $leftover on the target"
}

# 1. ENOSPC in the layout of the second workload: the run fails, saying which file and why.
run_into_full enospc-layout
msg=$(jq -r .error "$run")
case $msg in
*"$target/ringlab-big.dat"*) ;;
*) fail "run $id: the error does not name the file it could not lay out: $msg" ;;
esac
echo "$msg" | grep -Eq 'ENOSPC|No space left on device' ||
	fail "run $id: the error does not name the errno: $msg"
jq -e '.cells | length == 1' "$run" >/dev/null ||
	fail "run $id stored cells for a layout that did not happen: $(jq -c '[.cells[] | .workload]' "$run")"
echo "ok: layout on a full target: $msg"

# 2. ENOSPC in the writes: the cell fails with the errno counted, and the run with it.
run_into_full enospc-io
jq -e '.cells | length == 2' "$run" >/dev/null ||
	fail "run $id: expected the cells of hold and holes: $(jq -c .cells "$run")"
cell=$(jq -c '.cells[1]' "$run")
echo "$cell" | jq -e '.workload == "holes" and .failed and
	any(.errors[]; .errno == 28 and .count > 0)' >/dev/null ||
	fail "run $id: the cell whose writes hit ENOSPC: $(echo "$cell" | jq -c '{failed, error, errors}')"
msg=$(echo "$cell" | jq -r .error)
case $msg in
*"$target/ringlab-holes.dat"*) ;;
*) fail "run $id: the cell's error does not name its file: $msg" ;;
esac
echo "$msg" | grep -Eq 'ENOSPC|No space left on device' ||
	fail "run $id: the cell's error does not name the errno: $msg"
echo "ok: writes on a full target: $msg"

# 3. Nothing landed elsewhere; with room again the daemon runs as before.
no_stray_files "$DAEMON_DIR" "$top_builddir"
health_ok
rm -f "$target"/filler.*
id=$(post_ok '{"workload": "hold"}')
wait_end "$id"
[ "$(body .status)" = done ] || fail "run $id after the target had room again: $(body '{status, error}')"
daemon_stop
echo "ok: run $id done once the target had room again"
exit 0
