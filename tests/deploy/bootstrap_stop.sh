#!/bin/bash
# bootstrap_stop.sh: `./bootstrap.sh stop` with RINGLAB_STATE stops the daemon of that state
# directory and returns only once it has exited (ringlabd unmounts its image on SIGTERM, which
# takes a moment); a daemon that ignores SIGTERM is reported, not called stopped.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

# A stand-in that takes 1.5 s to exit after SIGTERM, as a daemon unmounting does.
(trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.1; done) &
pids+=($!)
echo $! >"$tmp/ringlabd.pid"
out=$(RINGLAB_STATE=$tmp "$top_srcdir/bootstrap.sh" stop 2>&1) || fail "stop failed: $out"
kill -0 "${pids[0]}" 2>/dev/null && fail "stop returned while the daemon still runs: $out"
echo "$out" | grep -q "ringlabd stopped" || fail "no 'ringlabd stopped': $out"
[ -e "$tmp/ringlabd.pid" ] && fail "the pid file is left"

# One that ignores SIGTERM is not called stopped, once the wait (here 2 s) is over.
(trap '' TERM; while :; do sleep 0.1; done) &
pids+=($!)
echo $! >"$tmp/ringlabd.pid"
out=$(RINGLAB_STATE=$tmp RINGLAB_STOP_WAIT_S=2 "$top_srcdir/bootstrap.sh" stop 2>&1) && fail "a daemon still running was called stopped: $out"
echo "$out" | grep -q "has not exited" || fail "no message naming the running daemon: $out"
exit 0
