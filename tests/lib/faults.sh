# SPDX-License-Identifier: MIT
# faults.sh: what the fault-injection tests of tests/faults/ share beyond runs.sh (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/faults.sh"    (sources daemon.sh, hence loopfs.sh and throttle.sh,
#                                           and runs.sh: fail, req, body, run_status, wait_until)
#   fault_config STATE TARGET_JSON...
#                              DAEMON_DIR/ringlabd.json: state_dir STATE, workloads_dir
#                              DAEMON_DIR/workloads (made here), one target per JSON object,
#                              the store on PostgreSQL with RL_TEST_STORE=postgresql
#   fault_workload NAME BASE [JQ]
#                              DAEMON_DIR/workloads/NAME.json: workloads/BASE.json through
#                              the jq filter JQ, named NAME
#   fault_suite NAME WORKLOAD...
#                              DAEMON_DIR/workloads/suites/NAME.json, the workloads in order
#   post_ok BODY               POST /api/v1/runs; prints the id, fails unless 202
#   deadline SECONDS           start a bound for a test's own wait: in_time is true until
#                              SECONDS have passed (the waits below keep bounds of their own)
#   in_time
#   wait_phase ID PHASE [CELL] until the run's progress is in PHASE (at cell CELL or later,
#                              counted from 0); fails when the run ends first or after 180 s
#   wait_end ID [SECONDS]      until the run is neither queued nor running (default 180 s);
#                              the run is then the last body
#   stop_daemon SIGNAL SECONDS SIGNAL to DAEMON_PID, wait up to SECONDS for it to exit (then
#                              SIGKILL), reap it; sets STOP_RC (its exit status, or "hung")
#                              and STOP_S (whole seconds it took), clears DAEMON_PID
#   health_ok                  /api/v1/health answers 200 with status "ok", else fails
#   no_stray_files DIR...      no workload file (ringlab-*.dat, its .churn sibling) below any
#                              DIR on DIR's own filesystem: nothing a run writes landed
#                              outside its target
#
# Every request has a 10 s limit, every wait a bound: a daemon that hangs fails the test.

. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"

fault_config()
{
	_fault_state=$1
	shift
	_fault_targets=
	for _fault_t in "$@"; do
		_fault_targets="$_fault_targets${_fault_targets:+, }$_fault_t"
	done
	mkdir -p "$DAEMON_DIR/workloads/suites" || fail "mkdir $DAEMON_DIR/workloads/suites"
	cat >"$DAEMON_DIR/ringlabd.json" <<JSON
{"state_dir": "$_fault_state", "workloads_dir": "$DAEMON_DIR/workloads",
 "targets": [$_fault_targets]${PG_STORE_JSON:+, $PG_STORE_JSON}}
JSON
}

fault_workload()
{
	mkdir -p "$DAEMON_DIR/workloads/suites" || fail "mkdir $DAEMON_DIR/workloads/suites"
	jq ".name = \"$1\" | ${3:-.}" "$top_srcdir/workloads/$2.json" >"$DAEMON_DIR/workloads/$1.json" ||
		fail "workload $1 from $2 with '$3'"
}

fault_suite()
{
	_fault_name=$1
	shift
	_fault_list=
	for _fault_w in "$@"; do
		_fault_list="$_fault_list${_fault_list:+, }\"$_fault_w\""
	done
	mkdir -p "$DAEMON_DIR/workloads/suites" || fail "mkdir $DAEMON_DIR/workloads/suites"
	printf '{"name": "%s", "description": "fault test", "workloads": [%s]}\n' \
		"$_fault_name" "$_fault_list" >"$DAEMON_DIR/workloads/suites/$_fault_name.json"
}

post_ok()
{
	_fault_id=$(post_run "$1")
	[ -n "$_fault_id" ] || fail "POST $1: $(cat "$DAEMON_DIR/body")"
	echo "$_fault_id"
}

deadline()
{
	_fault_until=$(($(date +%s) + $1))
}

in_time()
{
	[ "$(date +%s)" -lt "$_fault_until" ]
}

# True once run $1 is in phase $2 at cell $3 or later; fails the test when the run ended.
_fault_in_phase()
{
	[ "$(req GET "/api/v1/runs/$1/progress")" = 200 ] &&
		[ "$(body .phase)" = "$2" ] && [ "$(body .cell)" -ge "${3:-0}" ] 2>/dev/null && return 0
	run_is "$1" queued running ||
		fail "run $1 ended ($(body '.status + ": " + (.error // "")')) before phase $2 of cell ${3:-0}"
	return 1
}

wait_phase()
{
	wait_until 180 "run $1 not in phase $2 of cell ${3:-0} after 180 s" _fault_in_phase "$@"
}

# True once run $1 has answered with a status other than queued or running.
_fault_ended()
{
	! run_is "$1" queued running && [ -n "$(body '.status // empty')" ]
}

wait_end()
{
	wait_until "${2:-180}" "run $1 not ended after ${2:-180} s" _fault_ended "$1"
}

# A child that exited stays a zombie until reaped, and kill -0 still reaches it.
_fault_alive()
{
	[ -n "$(ps -o stat= -p "$1" 2>/dev/null | grep -v '^Z')" ]
}

stop_daemon()
{
	_fault_t0=$(date +%s)
	kill -"$1" "$DAEMON_PID"
	_fault_end=$((_fault_t0 + $2))
	while _fault_alive "$DAEMON_PID" && [ "$(date +%s)" -lt $_fault_end ]; do
		sleep 0.1
	done
	STOP_S=$(($(date +%s) - _fault_t0))
	if _fault_alive "$DAEMON_PID"; then
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID"
		STOP_RC=hung
	else
		wait "$DAEMON_PID"
		STOP_RC=$?
	fi
	DAEMON_PID=
}

health_ok()
{
	_fault_code=$(req GET /api/v1/health)
	[ "$_fault_code" = 200 ] && [ "$(body .status)" = ok ] ||
		fail "/api/v1/health answered $_fault_code $(cat "$DAEMON_DIR/body")"
}

no_stray_files()
{
	for _fault_d in "$@"; do
		_fault_f=$(find "$_fault_d" -xdev \( -name 'ringlab-*.dat' -o -name 'ringlab-*.dat.churn' \) \
			-print -quit 2>/dev/null)
		[ -z "$_fault_f" ] || fail "$_fault_f: a run wrote outside its target"
	done
}
