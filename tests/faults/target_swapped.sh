#!/bin/sh
# target_swapped.sh: a dir target renamed away and replaced by another directory on the same filesystem (what whoever can write its parent can do): a run doing I/O fails "target changed ... replaced" within seconds, the next run is refused before it opens anything, nothing is written into the directory swapped in, and with the real directory back runs are done again.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 128
dir=$LOOPFS_DIR/target
mkdir "$dir" "$DAEMON_DIR/workloads" || fail "mkdir"
# One cell of a minute's overwrites: the swap comes in it.
jq '.name = "hold-target" | .duration_ms = 60000 | .repetitions = 1' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/hold-target.json"
jq '.name = "quick" | .repetitions = 1' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/quick.json"
DAEMON_WORKLOADS=$DAEMON_DIR/workloads daemon_config scratch="$dir"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
in_io() { req GET "/api/v1/runs/$1/progress" >/dev/null && [ "$(body .phase)" = run ]; }
# The directory swapped in must stay empty: nothing of a run may land there.
ended_clean()
{
	_stray=$(ls -A "$dir" 2>/dev/null | head -n 1)
	[ -z "$_stray" ] || fail "run $1 wrote $_stray into the directory swapped in"
	! run_is "$1" queued running
}
swap() { mv "$dir" "$dir.real" && mkdir "$dir" || fail "cannot swap $dir"; }
replaced() { [ "$(body '.status == "failed" and (.error | test("target changed: .* another directory .*replaced"))')" = true ]; }

# 1. Swapped under a run's I/O.
id=$(post_run '{"workload": "hold-target"}')
[ -n "$id" ] || fail "POST: $(cat "$DAEMON_DIR/body")"
wait_until 120 "run $id did not reach its I/O in 120 s" in_io "$id"
swap
wait_until 60 "run $id still $(run_status "$id") 60 s after the swap" ended_clean "$id"
req GET "/api/v1/runs/$id" >/dev/null
replaced || fail "run $id: $(body '{status, error}' | tr -d '\n')"
echo "ok: run $id: $(body .error)"

# 2. The next run on the swapped target opens nothing.
next=$(post_run '{"workload": "quick"}')
[ -n "$next" ] || fail "POST: $(cat "$DAEMON_DIR/body")"
wait_until 60 "run $next still $(run_status "$next") after 60 s" ended_clean "$next"
req GET "/api/v1/runs/$next" >/dev/null
replaced || fail "run $next on the swapped target: $(body '{status, error}' | tr -d '\n')"
[ -z "$(ls -A "$dir")" ] || fail "files in the directory swapped in: $(ls -A "$dir")"

# 3. The real directory back: the target works again.
rmdir "$dir" && mv "$dir.real" "$dir" || fail "cannot swap back"
last=$(post_run '{"workload": "quick"}')
wait_run "$last" 120 done failed aborted
run_is "$last" done || fail "run $last with the directory back: $(body '{status, error}' | tr -d '\n')"
echo "ok: run $next refused on the swapped target, run $last done once it was back"
