#!/bin/bash
# lifecycle.sh: ringlabd on its embedded default target (its store SQLite, or with RL_TEST_STORE=postgresql the test's PostgreSQL): READY=1, a run equal to the CLI's, SIGTERM aborts cleanly within 10 s with STOPPING=1, kill -9 keeps every finished run and marks the interrupted one aborted; SIGHUP with a configuration naming no target reports no change.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq sqlite3
rl=$top_builddir/ringlab
work=$DAEMON_DIR
state=$work/state
listener=
cleanup() {
	[ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	wait 2>/dev/null
	DAEMON_PID=
	# The daemon's own image mount, if a crash left it behind.
	mountpoint -q "$state/mnt/default" 2>/dev/null && umount "$state/mnt/default"
	daemon_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/rld.log" ] && tail -n 20 "$work/rld.log" >&2; exit 1; }

"$top_builddir/tests/api/notify_listen" "$work/notify.sock" "$work/notify.log" &
listener=$!

start() {
	NOTIFY_SOCKET=$work/notify.sock daemon_start 20 $DAEMON_STORE_OPT --state-dir "$state" \
		--workloads "$top_srcdir/workloads" || fail "$DAEMON_ERR"
	url=$DAEMON_URL
}
api() { curl -sS --max-time 10 "$@"; }
wait_status() {	# ID STATUS... : wait up to 120 s for the run to reach one of them
	local id=$1; shift
	for _ in $(seq 1200); do
		st=$(api "$url/api/v1/runs/$id" | jq -r .status)
		for want in "$@"; do [ "$st" = "$want" ] && return 0; done
		sleep 0.1
	done
	fail "run $id is $st, not $*"
}

# 1. Embedded default: no config at all (on PostgreSQL, the store's alone).
start
# The port file comes before READY=1, and the listener writes what it got when it runs.
for _ in $(seq 100); do grep -q 'READY=1' "$work/notify.log" && break; sleep 0.1; done
grep -q 'READY=1' "$work/notify.log" || fail "no READY=1 on NOTIFY_SOCKET"
api "$url/api/v1/system" | jq -e '.targets[0].name == "default" and .targets[0].kind == "image"' >/dev/null ||
	fail "the embedded default target is not there"
id=$(api -X POST "$url/api/v1/runs" -d '{"workload": "nw-mixed-aligned", "repeat": 2}' | jq -r .id)
[ "$id" = 1 ] || fail "POST gave id '$id'"
wait_status "$id" done
api "$url/api/v1/runs/$id" >"$work/daemon.json"
# The same workload through the CLI on the same filesystem: the same shape of result.
"$rl" run nw-mixed-aligned --repeat 2 --dir "$state/mnt/default" -q --json "$work/cli.json" >/dev/null ||
	fail "ringlab run on the daemon's target failed"
shape='[.cells[] | {workload, jobs, rep, attempts, eagain, ops, verify: .verify.status}]'
diff <(jq -S "$shape" "$work/daemon.json") <(jq -S "$shape" "$work/cli.json") ||
	fail "the daemon's cells differ from the CLI's"
jq -e '.cells | length == 2' "$work/daemon.json" >/dev/null || fail "expected 2 cells"
diff <(jq '.env | [.uring_setup, .uring_opcodes]' "$work/daemon.json") \
	<(jq '.env | [.uring_setup, .uring_opcodes]' "$work/cli.json") || fail "io_uring setup/opcodes differ"
jq -e '.env.uring_opcodes != ""' "$work/daemon.json" >/dev/null || fail "the daemon's run lost the opcodes used"
echo "ok: embedded default target, run $id equals the CLI's"

# 2. SIGTERM during a run: aborted, partial results kept, exit 0 within 10 s, STOPPING=1.
long=$(api -X POST "$url/api/v1/runs" -d '{"suite": "seed", "scale": 0.05, "repeat": 3}' | jq -r .id)
wait_status "$long" running
for _ in $(seq 300); do	# until at least one cell is stored
	[ "$(api "$url/api/v1/runs/$long" | jq '.cells | length')" -gt 0 ] && break
	sleep 0.1
done
t0=$(date +%s%N)
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"; rc=$?
DAEMON_PID=
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $rc -eq 0 ] || fail "ringlabd exited $rc after SIGTERM"
[ $elapsed -lt 10000 ] || fail "SIGTERM took ${elapsed} ms"
grep -q 'STOPPING=1' "$work/notify.log" || fail "no STOPPING=1 on NOTIFY_SOCKET"
mountpoint -q "$state/mnt/default" && fail "the image is still mounted after SIGTERM"
start
api "$url/api/v1/runs/$long" >"$work/long.json"
jq -e '.status == "aborted" and (.cells | length) > 0' "$work/long.json" >/dev/null ||
	fail "after SIGTERM run $long is $(jq -r .status "$work/long.json") with $(jq '.cells|length' "$work/long.json") cells"
echo "ok: SIGTERM aborted run $long in ${elapsed} ms, $(jq '.cells|length' "$work/long.json") cells kept"

# 3. kill -9 during a run.
crash=$(api -X POST "$url/api/v1/runs" -d '{"suite": "seed", "scale": 0.05, "repeat": 3}' | jq -r .id)
wait_status "$crash" running
sleep 1
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
ic=$(daemon_db_check "$state")
[ "$ic" = ok ] || fail "the store after kill -9: $ic"
# The image stays mounted after kill -9: the killed run's files are still on it.
left=$(ls "$state/mnt/default" | grep '^ringlab-')
[ -n "$left" ] || fail "kill -9 left no ringlab-* file on the target to check the sweep with"
start
api "$url/api/v1/runs/$crash" | jq -e '.status == "aborted" and (.error | test("interrupted"))' >/dev/null ||
	fail "the interrupted run is not aborted with its reason"
api "$url/api/v1/runs/$id" | jq -e '.status == "done" and (.cells | length) == 2' >/dev/null ||
	fail "the finished run $id did not survive"
new=$(api -X POST "$url/api/v1/runs" -d '{"workload": "nw-overwrite-aligned", "repeat": 1}' | jq -r .id)
wait_status "$new" done
still=$(ls "$state/mnt/default" | grep '^ringlab-')
[ -z "$still" ] || fail "after the next run the target still holds $still (kill -9 left $left)"
echo "ok: kill -9: run $crash aborted, run $id intact, run $new done after the restart and swept $left"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=

# 4. A configuration that names no target means the embedded default: SIGHUP with it
# unchanged reports no change, and nothing waiting for a restart.
echo "{${PG_STORE_JSON:-}}" >"$work/plain.json"
DAEMON_STORE_OPT="-c $work/plain.json"
start
hups=$(grep -c 'SIGHUP: ' "$work/rld.log")
kill -HUP "$DAEMON_PID"
for _ in $(seq 50); do
	[ "$(grep -c 'SIGHUP: ' "$work/rld.log")" -gt "$hups" ] && break
	sleep 0.2
done
line=$(grep 'SIGHUP: ' "$work/rld.log" | tail -n 1)
case $line in
*"the token is unchanged, no key changed") echo "ok: SIGHUP: $line" ;;
*) fail "SIGHUP with the configuration unchanged said: '$line'" ;;
esac
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=
exit 0
