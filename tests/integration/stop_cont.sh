#!/bin/sh
# SPDX-License-Identifier: MIT
# stop_cont.sh: a run stopped and continued (SIGSTOP/SIGCONT: job control, a debugger attaching,
# a test pausing a daemon) goes on: a wait for completions that the stop interrupts (io_uring_enter
# returns -EINTR) is waited again, not a failed cell "io_uring: Interrupted system call".
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 64
work=$(mktemp -d -t ringlab-stopcont.XXXXXX) || exit 1
pid=
trap '[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null; rm -rf "$work"; loopfs_cleanup' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Queue depth 1 at 4 KiB: the job waits for a completion after every write.
cat >"$work/waity.json" <<JSON
{"name": "waity", "stripe": "W", "io_size": 4096, "jobs": [1], "size_per_job": "8M",
 "repetitions": 1, "queue_depth": 1, "duration_ms": 3000}
JSON
"$top_builddir/ringlab" run waity --dir "$LOOPFS_DIR" --workloads "$work" -q --json "$work/run.json" \
	>"$work/out" 2>&1 &
pid=$!
sleep 0.5
stops=0
# Until it has exited (a zombie not yet reaped takes signals too), 30 s at most.
while [ "$stops" -lt 600 ] && [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" != Z ] &&
	kill -STOP "$pid" 2>/dev/null; do
	stops=$((stops + 1))
	sleep 0.02
	kill -CONT "$pid" 2>/dev/null
	sleep 0.03
done
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || fail "the run stopped $stops times exited $rc: $(head -n 1 "$work/out")"
[ "$stops" -ge 20 ] || fail "the run was stopped only $stops times: too short to show anything"
errors=$(jq -r '[.cells[] | select(.failed or (.error // "") != "")] | length' "$work/run.json") ||
	fail "no run JSON: $(head -n 3 "$work/out")"
[ "$errors" = 0 ] || fail "$errors cells failed: $(jq -c '[.cells[].error]' "$work/run.json")"
echo "ok: $stops stops, the run done"
exit 0
