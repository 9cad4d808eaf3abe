# SPDX-License-Identifier: MIT
# fleet.sh: ringlabd processes of one fleet on the test's PostgreSQL, each under a host name of its own (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/fleet.sh"    (sets RL_TEST_STORE=postgresql, sources daemon.sh and runs.sh)
#   fleet_require         daemon_require curl jq, and exit 77 unless unshare -u works
#                         (each daemon gets its own UTS namespace, hence its own host name)
#   fleet_workloads MS [DIR]
#                         DIR (default DAEMON_DIR/workloads), the DAEMON_WORKLOADS of the
#                         next fleet_up: the source tree's workloads and suites, and
#                         fleet-slow, a 4 MiB overwrite that writes for MS milliseconds
#   fleet_up NAME HOST [KEYS]
#                         ringlabd with state DAEMON_DIR/NAME, one dir target NAME-t
#                         (FLEET_TARGET when set: machines with like-named targets) on a
#                         loop-mounted ext4 of its own, host name HOST, the test's store and
#                         the config members KEYS; log DAEMON_DIR/NAME.log. Waits for its
#                         health; sets fleet_pid_NAME and fleet_url_NAME (DAEMON_BG stops it)
#   fleet_log_has NAME RE the number of lines of NAME's log matching the extended regex RE
#   fleet_slow_run HOST [writing]
#                         POST fleet-slow with "host": HOST to DAEMON_URL, set fleet_id to the
#                         new run's id and wait until it runs (with writing: until its cell
#                         writes, past the layout)
#   fleet_done_on ID HOST wait (60 s) until run ID ends through DAEMON_URL; fail unless it is done
#                         and ran on HOST; the run's JSON is the last body

RL_TEST_STORE=postgresql
export RL_TEST_STORE
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"

fleet_require()
{
	daemon_require curl jq unshare hostname
	unshare -u hostname fleet-probe 2>/dev/null ||
		{ echo "SKIP: unshare -u cannot give a daemon its own host name here" >&2; exit 77; }
}

fleet_workloads()
{
	_fleet_w=${2:-$DAEMON_DIR/workloads}
	mkdir -p "$_fleet_w" || fail "mkdir $_fleet_w"
	cp -R "$top_srcdir/workloads/." "$_fleet_w/" || fail "copy the workloads"
	jq ".name = \"fleet-slow\" | .size_per_job = \"4M\" | .duration_ms = $1 | .repetitions = 1 | del(.expect)" \
		"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$_fleet_w/fleet-slow.json" ||
		fail "workload fleet-slow"
	DAEMON_WORKLOADS=$_fleet_w
}

fleet_up()
{
	_fleet_n=$1
	loopfs_create 64
	cat >"$DAEMON_DIR/$_fleet_n.json" <<JSON
{ "state_dir": "$DAEMON_DIR/$_fleet_n", "workloads_dir": "$DAEMON_WORKLOADS",
  "targets": [{ "name": "${FLEET_TARGET:-$_fleet_n-t}", "kind": "dir", "path": "$LOOPFS_DIR" }]${3:+, $3}, $PG_STORE_JSON }
JSON
	rm -f "$DAEMON_DIR/$_fleet_n.port"
	# unshare and sh exec: $! is ringlabd's own pid.
	unshare -u sh -c 'hostname "$1" && shift && exec "$@"' sh "$2" "$DAEMON_BIN" \
		-c "$DAEMON_DIR/$_fleet_n.json" --port 0 --port-file "$DAEMON_DIR/$_fleet_n.port" \
		>>"$DAEMON_DIR/$_fleet_n.log" 2>&1 </dev/null &
	eval "fleet_pid_$_fleet_n=$!"
	DAEMON_BG="$DAEMON_BG $!"
	_fleet_i=0
	while [ ! -s "$DAEMON_DIR/$_fleet_n.port" ]; do
		kill -0 "$!" 2>/dev/null ||
			fail "daemon $_fleet_n exited at start-up: $(tail -n 5 "$DAEMON_DIR/$_fleet_n.log")"
		[ $_fleet_i -lt 200 ] || fail "daemon $_fleet_n wrote no port file in 20 s"
		sleep 0.1
		_fleet_i=$((_fleet_i + 1))
	done
	eval "fleet_url_$_fleet_n=http://127.0.0.1:$(cat "$DAEMON_DIR/$_fleet_n.port")"
}

fleet_log_has()
{
	grep -Ec "$2" "$DAEMON_DIR/$1.log"
}

fleet_slow_run()
{
	expect 202 POST /api/v1/runs "{\"workload\": \"fleet-slow\", \"host\": \"$1\"}" -H 'Content-Type: application/json'
	fleet_id=$(body .id)
	wait_run "$fleet_id" 30 running
	[ "${2:-}" = writing ] || return 0
	wait_until 30 "run $fleet_id never wrote" eval \
		'req GET "/api/v1/runs/$fleet_id" >/dev/null && [ "$(body .progress.phase)" = run ]'
}

fleet_done_on()
{
	wait_run "$1" 60 done failed aborted
	run_is "$1" done || fail "run $1: $(body '{status, error, host}')"
	expect 200 GET "/api/v1/runs/$1"
	jqe ".host == \"$2\""
}
