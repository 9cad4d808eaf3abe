#!/bin/sh
# target_unmounted.sh: the image target lazily unmounted under a running run: the cell fails "target changed", the run stops, and nothing is written to the mount point's directory on the system disk, then or by the next run.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq mountpoint losetup

# True once run $1 has ended; fails the test as soon as anything shows up in the
# mount point's own directory, which is on the system disk.
ended_clean()
{
	_stray=$(ls -A "$mnt" 2>/dev/null | head -n 1)
	[ -z "$_stray" ] || fail "run $1 wrote $_stray into $mnt on the system disk"
	! run_is "$1" queued running
}
in_io() { req GET "/api/v1/runs/$1/progress" >/dev/null && [ "$(body .phase)" = run ]; }
detached() { [ -z "$(losetup -n -O NAME -j "$state/default.img")" ]; }

state=$DAEMON_DIR/state
mnt=$state/mnt/default
# One cell of a minute's overwrites, three times: the target goes in the first.
mkdir "$DAEMON_DIR/workloads"
jq '.name = "hold-target" | .duration_ms = 60000 | .repetitions = 3' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/hold-target.json"
daemon_start 60 --state-dir "$state" --workloads "$DAEMON_DIR/workloads" || fail "$DAEMON_ERR"
id=$(post_run '{"workload": "hold-target"}')
[ -n "$id" ] || fail "the run was not acknowledged"
wait_until 120 "run $id did not reach its I/O in 120 s" in_io "$id"
umount -l "$mnt" || fail "umount -l $mnt failed"
mountpoint -q "$mnt" && fail "$mnt is still a mount point"
wait_until 180 "run $id still $(run_status "$id") after 180 s" ended_clean "$id"
req GET "/api/v1/runs/$id" >/dev/null
cp "$DAEMON_DIR/body" "$DAEMON_DIR/run.json"
jq -e '.status == "failed" and (.error | test("target changed"))' "$DAEMON_DIR/run.json" >/dev/null ||
	fail "run $id: $(jq -c '{status, error}' "$DAEMON_DIR/run.json")"
# The jobs stopped at the change, not at the end of their minute.
jq -e '(.cells | length) == 1 and .cells[0].failed and (.cells[0].error | test("target changed"))
	and .cells[0].elapsed_s < 50' "$DAEMON_DIR/run.json" >/dev/null ||
	fail "the cell: $(jq -c '[.cells[] | {error, elapsed_s}]' "$DAEMON_DIR/run.json")"

# The next run on the target is refused before it opens anything.
next=$(post_run '{"workload": "hold-target", "repeat": 1}')
[ -n "$next" ] || fail "the next run was not acknowledged"
wait_until 180 "run $next still $(run_status "$next") after 180 s" ended_clean "$next"
req GET "/api/v1/runs/$next" >/dev/null
[ "$(body '.status == "failed" and (.error | test("target changed"))')" = true ] ||
	fail "the next run: $(body .status): $(body .error)"
[ -z "$(find "$state" -name 'ringlab-*' -print -quit)" ] || fail "ringlab files under $state"
echo "ok: $(jq -r .error "$DAEMON_DIR/run.json"), after $(jq .cells[0].elapsed_s "$DAEMON_DIR/run.json") s of I/O"
daemon_stop
# The detached filesystem goes with its last user, and its loop device with it.
wait_until 10 "$state/default.img still attached after the daemon stopped" detached
exit 0
