#!/bin/sh
# target_unmounted.sh: the image target lazily unmounted under a running run: the cell fails "target changed", the run stops, and nothing is written to the mount point's directory on the system disk, then or by the next run.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq mountpoint losetup

fail()
{
	echo "FAIL: $*" >&2
	tail -n 20 "$DAEMON_DIR/rld.log" >&2
	exit 1
}
run_json() { curl -sS --max-time 10 "$DAEMON_URL/api/v1/runs/$1"; }
status() { run_json "$1" | jq -r '.status // empty'; }
post() { curl -sS --max-time 10 -X POST "$DAEMON_URL/api/v1/runs" -d "$1" | jq -r '.id // empty'; }
# Anything in the mount point's own directory was written on the system disk.
stray() { ls -A "$mnt" 2>/dev/null | head -n 1; }
wait_end()	# ID: until it is neither queued nor running, watching the mount point
{
	_i=0
	while :; do
		[ -n "$(stray)" ] && fail "run $1 wrote $(stray) into $mnt on the system disk"
		case $(status "$1") in queued | running) ;; *) return 0 ;; esac
		[ $_i -lt 1800 ] || fail "run $1 still $(status "$1") after 180 s"
		sleep 0.1
		_i=$((_i + 1))
	done
}

state=$DAEMON_DIR/state
mnt=$state/mnt/default
# One cell of a minute's overwrites, three times: the target goes in the first.
mkdir "$DAEMON_DIR/workloads"
jq '.name = "hold-target" | .duration_ms = 60000 | .repetitions = 3' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/hold-target.json"
daemon_start 60 --state-dir "$state" --workloads "$DAEMON_DIR/workloads" || fail "$DAEMON_ERR"
id=$(post '{"workload": "hold-target"}')
[ -n "$id" ] || fail "the run was not acknowledged"
i=0
until [ "$(curl -sS "$DAEMON_URL/api/v1/runs/$id/progress" | jq -r .phase)" = run ]; do
	[ $i -lt 1200 ] || fail "run $id did not reach its I/O in 120 s"
	sleep 0.1
	i=$((i + 1))
done
umount -l "$mnt" || fail "umount -l $mnt failed"
mountpoint -q "$mnt" && fail "$mnt is still a mount point"
wait_end "$id"
run_json "$id" >"$DAEMON_DIR/run.json"
jq -e '.status == "failed" and (.error | test("target changed"))' "$DAEMON_DIR/run.json" >/dev/null ||
	fail "run $id: $(jq -c '{status, error}' "$DAEMON_DIR/run.json")"
# The jobs stopped at the change, not at the end of their minute.
jq -e '(.cells | length) == 1 and .cells[0].failed and (.cells[0].error | test("target changed"))
	and .cells[0].elapsed_s < 50' "$DAEMON_DIR/run.json" >/dev/null ||
	fail "the cell: $(jq -c '[.cells[] | {error, elapsed_s}]' "$DAEMON_DIR/run.json")"

# The next run on the target is refused before it opens anything.
next=$(post '{"workload": "hold-target", "repeat": 1}')
[ -n "$next" ] || fail "the next run was not acknowledged"
wait_end "$next"
run_json "$next" | jq -e '.status == "failed" and (.error | test("target changed"))' >/dev/null ||
	fail "the next run: $(run_json "$next" | jq -c '{status, error}')"
[ -z "$(find "$state" -name 'ringlab-*' -print -quit)" ] || fail "ringlab files under $state"
echo "ok: $(jq -r .error "$DAEMON_DIR/run.json"), after $(jq .cells[0].elapsed_s "$DAEMON_DIR/run.json") s of I/O"
daemon_stop
# The detached filesystem goes with its last user, and its loop device with it.
i=0
while [ -n "$(losetup -n -O NAME -j "$state/default.img")" ]; do
	[ $i -lt 100 ] || fail "$state/default.img still attached after the daemon stopped"
	sleep 0.1
	i=$((i + 1))
done
exit 0
