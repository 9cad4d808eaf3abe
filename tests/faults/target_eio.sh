#!/bin/sh
# target_eio.sh: the loop device under a target loses its backing file's end during a run (truncated, capacity re-read: writes and reads fail; truncated only: reads fail): the cell and run fail naming the file and EIO, earlier runs stay intact, the next run on the broken target fails with a clear error, and the daemon goes on serving its other target.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq truncate

state=$DAEMON_DIR/state
# Two targets that will break, one that stays good.
loopfs_create 128
wdir=$LOOPFS_DIR wimg=$LOOPFS_IMG wdev=$LOOPFS_DEV
loopfs_create 128
rdir=$LOOPFS_DIR rimg=$LOOPFS_IMG rdev=$LOOPFS_DEV
loopfs_create 128
gdir=$LOOPFS_DIR
# Reads past the backing file's end fail only through a loop device doing direct I/O
# (buffered, it hands back zeros): loopfs.sh asks for it and falls back without.
[ "$(cat "/sys/block/${rdev#/dev/}/loop/dio" 2>/dev/null)" = 1 ] ||
	loopfs_skip "$rdev does no direct I/O: a truncated backing file reads as zeros, not EIO"
dirt() { printf '{"name": "%s", "kind": "dir", "path": "%s"}' "$1" "$2"; }
fault_config "$state" "$(dirt wbad "$wdir")" "$(dirt rbad "$rdir")" "$(dirt good "$gdir")"
fault_workload quick nw-overwrite-aligned '.size_per_job = "4M" | .repetitions = 1 | del(.expect)'
# Four seconds of blocking overwrites, or reads, of a 16 MiB file: the device breaks in them.
# The reads are not verified: their errors alone must fail the cell.
fault_workload eio-write nw-overwrite-aligned \
	'.size_per_job = "16M" | .duration_ms = 4000 | .nowait = false | .repetitions = 1 | del(.expect)'
fault_workload eio-read nw-overwrite-aligned '.size_per_job = "16M" | .duration_ms = 4000 |
	.op = "read" | .nowait = false | .verify = false | .repetitions = 1 | del(.expect)'
daemon_start 20 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"

# A run finished before anything breaks, to be found intact afterwards.
before=$(post_ok '{"workload": "quick", "target": "wbad"}')
wait_end "$before"
[ "$(body .status)" = done ] || fail "run $before on a healthy target: $(body '{status, error}')"
cp "$DAEMON_DIR/body" "$DAEMON_DIR/before.json"

# eio_run TARGET WORKLOAD ERRNO_NAME BREAK...: run WORKLOAD, run BREAK... once its I/O
# runs, and check that the run and its cell fail naming the file and the errno.
eio_run()
{
	_t=$1 _w=$2 _e=$3
	shift 3
	id=$(post_ok "{\"workload\": \"$_w\", \"target\": \"$_t\"}")
	wait_phase "$id" run 0
	"$@" || fail "breaking the device: $*"
	wait_end "$id"
	[ "$(body .status)" = failed ] || fail "run $id on a failing device: $(body '{status, error}')"
	cell=$(body '.cells[0]')
	echo "$cell" | jq -e '.failed and any(.errors[]; .name == "'"$_e"'" and .count > 0)' >/dev/null ||
		fail "run $id: the cell: $(echo "$cell" | jq -c '{failed, error, errors}')"
	msg=$(body .error)
	case $msg in
	*"/ringlab-$_w.dat: "*"$_e"*) ;;
	*) fail "run $id: the error does not name the file and $_e: $msg" ;;
	esac
	echo "ok: $_w: $msg"
}
# shrink IMG [DEV]: IMG's end past 1 MiB gone; with DEV, DEV's capacity re-read until it is
# 1 MiB (writes in flight extend the file again between the truncation and the re-read).
shrink()
{
	_i=0
	while [ $_i -lt 50 ]; do
		truncate -s 1M "$1" || return 1
		[ -z "$2" ] && return 0
		losetup -c "$2" || return 1
		[ "$(cat "/sys/block/${2#/dev/}/size")" = 2048 ] && return 0
		_i=$((_i + 1))
	done
	return 1
}

# 1. Writes and reads past 1 MiB of the device fail: the backing file truncated, the
#    loop device's capacity re-read.
eio_run wbad eio-write EIO shrink "$wimg" "$wdev"
# 2. Only reads fail: the backing file truncated under a direct-I/O loop device (writes
#    extend it again).
eio_run rbad eio-read EIO shrink "$rimg"

# 3. What was stored before is intact; the broken target refuses the next run clearly;
#    the good one runs; nothing went elsewhere.
req GET "/api/v1/runs/$before" >/dev/null
jq -S '{status, cells}' "$DAEMON_DIR/before.json" >"$DAEMON_DIR/before.want"
body '.' | jq -S '{status, cells}' | cmp -s - "$DAEMON_DIR/before.want" ||
	fail "run $before changed after the device failed: $(body '{status, error}')"
health_ok
id=$(post_ok '{"workload": "quick", "target": "wbad"}')
wait_end "$id"
msg=$(body .error)
[ "$(body .status)" = failed ] && echo "$msg" | grep -q "$wdir" &&
	echo "$msg" | grep -Eq 'EIO|Input/output error|EROFS|Read-only file system' ||
	fail "run $id on the broken target: $(body '{status, error}')"
echo "ok: the next run on the broken target: $msg"
id=$(post_ok '{"workload": "quick", "target": "good"}')
wait_end "$id"
[ "$(body .status)" = done ] || fail "run $id on the good target: $(body '{status, error}')"
no_stray_files "$DAEMON_DIR" "$gdir" "$(pwd)"
daemon_stop
echo "ok: run $before intact, run $id done on the good target"
exit 0
