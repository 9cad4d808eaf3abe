#!/bin/sh
# killed_busy.sh: ringlabd started again at once after a SIGKILL whose image mount stays busy a few seconds more (as while the kernel finishes the dead daemon's I/O and drops io_uring's registered files) waits, reclaims the mount and serves; a mount that stays busy (a shell in it) is left mounted, never lazily detached, and the start fails naming it.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq mountpoint findmnt

state=$DAEMON_DIR/state
mnt=$state/mnt/img
fault_config "$state" '{"name": "img", "kind": "image", "path": "img.img", "size": "256M"}'
fault_workload quick nw-overwrite-aligned '.size_per_job = "2M" | .repetitions = 1 | del(.expect)'
start() { daemon_start 60 -c "$DAEMON_DIR/ringlabd.json"; }
# hold SECONDS: a process with its working directory on the mount for SECONDS; $holder.
hold() { (cd "$mnt" && exec sleep "$1") & holder=$!; DAEMON_BG="$DAEMON_BG $holder"; }
kill9() { kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=; }
mounts() { findmnt -rn -o TARGET | grep -cx "$mnt"; }

start || fail "$DAEMON_ERR"
# 1. Busy for 3 s after the kill: the restart waits it out.
hold 3
sleep 0.5
kill9
start || fail "the restart while the dead daemon's mount was busy for 3 s: $DAEMON_ERR"
grep -q "unmounting .* from $mnt, left by a ringlabd that did not stop" "$DAEMON_DIR/rld.log" ||
	fail "the restart did not reclaim $mnt"
[ "$(mounts)" = 1 ] || fail "$mnt is mounted $(mounts) times"
id=$(post_ok '{"workload": "quick"}')
wait_end "$id"
[ "$(body .status)" = done ] || fail "run $id after the reclaim: $(body '{status, error}')"
wait "$holder"
echo "ok: the mount busy 3 s after the kill was reclaimed, run $id done"

# 2. Busy for good: the start gives up, names the mount, and leaves it as it was.
hold 600
sleep 0.5
kill9
start && fail "ringlabd started on $mnt while a process works in it"
grep -q "$mnt is still in use .*left mounted" "$DAEMON_DIR/rld.log" || fail "the refusal does not name $mnt"
[ "$(mounts)" = 1 ] && [ "$(readlink "/proc/$holder/cwd")" = "$mnt" ] ||
	fail "the busy mount was detached under the process working in it"
kill "$holder"
wait "$holder" 2>/dev/null
start || fail "the start once the mount was free: $DAEMON_ERR"
[ "$(mounts)" = 1 ] || fail "$mnt is mounted $(mounts) times after the last start"
daemon_stop
mountpoint -q "$mnt" && fail "$mnt still mounted after SIGTERM"
echo "ok: a mount busy for good was left mounted and the start refused; reclaimed once free"
exit 0
