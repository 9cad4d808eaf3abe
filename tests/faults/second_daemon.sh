#!/bin/sh
# second_daemon.sh: a second ringlabd on a state dir in use is refused, naming the first one's pid; the first one's image mount and its running run are untouched.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq mountpoint

fail()
{
	echo "FAIL: $*" >&2
	tail -n 20 "$DAEMON_DIR/rld.log" >&2
	exit 1
}
status() { curl -sS --max-time 10 "$DAEMON_URL/api/v1/runs/$1" | jq -r '.status // empty'; }

state=$DAEMON_DIR/state
opts="--state-dir $state --workloads $top_srcdir/workloads"
# The embedded default target: an image mounted at state/mnt/default.
daemon_start 60 $opts || fail "$DAEMON_ERR"
first=$DAEMON_PID
id=$(curl -sS --max-time 10 -X POST "$DAEMON_URL/api/v1/runs" \
	-d '{"workload": "nw-overwrite-aligned", "repeat": 30}' | jq -r '.id // empty')
[ -n "$id" ] || fail "the run was not acknowledged"
i=0
until [ "$(status "$id")" = running ]; do
	[ $i -lt 600 ] || fail "run $id never started"
	sleep 0.1
	i=$((i + 1))
done

timeout 60 "$top_builddir/ringlabd" $opts --port 0 --port-file "$DAEMON_DIR/port2" \
	>"$DAEMON_DIR/second.log" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "the second ringlabd exited $rc: $(cat "$DAEMON_DIR/second.log")"
[ ! -s "$DAEMON_DIR/port2" ] || fail "the second ringlabd listened"
grep -q "state_dir $state is in use by ringlabd pid $first" "$DAEMON_DIR/second.log" ||
	fail "the refusal does not name pid $first: $(cat "$DAEMON_DIR/second.log")"
mountpoint -q "$state/mnt/default" || fail "the first ringlabd's image mount is gone"
kill -0 "$first" || fail "the first ringlabd died"

i=0
while [ "$(status "$id")" = running ]; do
	[ $i -lt 1800 ] || fail "run $id still running after 180 s"
	sleep 0.1
	i=$((i + 1))
done
curl -sS "$DAEMON_URL/api/v1/runs/$id" | jq -e '.status == "done" and (.cells | length) > 0' >/dev/null ||
	fail "run $id ended $(status "$id"): $(curl -sS "$DAEMON_URL/api/v1/runs/$id" | jq -c '.error')"
echo "ok: the second ringlabd was refused ($(head -n 1 "$DAEMON_DIR/second.log")), run $id done"
daemon_stop
mountpoint -q "$state/mnt/default" && fail "the image is still mounted after SIGTERM"
exit 0
