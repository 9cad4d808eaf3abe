#!/bin/sh
# second_daemon.sh: a second ringlabd on a state dir in use is refused, naming the first one's pid, before it opens the store (on PostgreSQL, with RL_TEST_STORE=postgresql, its start-up would abort the runs of its targets); the first one's image mount and its running run are untouched.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq mountpoint

state=$DAEMON_DIR/state
opts="$DAEMON_STORE_OPT --state-dir $state --workloads $top_srcdir/workloads"
# The embedded default target: an image mounted at state/mnt/default.
daemon_start 60 $opts || fail "$DAEMON_ERR"
first=$DAEMON_PID
id=$(post_run '{"workload": "nw-overwrite-aligned", "repeat": 30}')
[ -n "$id" ] || fail "the run was not acknowledged"
wait_run "$id" 60 running

timeout 60 "$top_builddir/ringlabd" $opts --port 0 --port-file "$DAEMON_DIR/port2" \
	>"$DAEMON_DIR/second.log" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "the second ringlabd exited $rc: $(cat "$DAEMON_DIR/second.log")"
[ ! -s "$DAEMON_DIR/port2" ] || fail "the second ringlabd listened"
grep -q "state_dir $state is in use by ringlabd pid $first" "$DAEMON_DIR/second.log" ||
	fail "the refusal does not name pid $first: $(cat "$DAEMON_DIR/second.log")"
mountpoint -q "$state/mnt/default" || fail "the first ringlabd's image mount is gone"
kill -0 "$first" || fail "the first ringlabd died"
# Refused before it opened the store: a start-up marks the runs of its targets aborted.
run_is "$id" running || fail "run $id is $(run_status "$id") after the refused start"

wait_run "$id" 180 done failed aborted
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body '.status == "done" and (.cells | length) > 0')" = true ] ||
	fail "run $id ended $(body .status): $(body .error)"
echo "ok: the second ringlabd was refused ($(head -n 1 "$DAEMON_DIR/second.log")), run $id done"
daemon_stop
mountpoint -q "$state/mnt/default" && fail "the image is still mounted after SIGTERM"
exit 0
