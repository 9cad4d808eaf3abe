# SPDX-License-Identifier: MIT
# runs.sh: talking to a test's ringlabd (tests/lib/daemon.sh): requests, runs, waiting (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/daemon.sh"; . "$top_srcdir/tests/lib/runs.sh"
#   fail MSG...             "FAIL: MSG" and the end of DAEMON_DIR/rld.log on stderr; exit 1
#   req METHOD PATH [BODY]  prints the HTTP status (000 when no answer came in 10 s: then
#                           false, with an empty body); the body goes to DAEMON_DIR/body
#   body FILTER             jq -r FILTER on that body (nothing when it is not JSON)
#   post_run BODY           POST /api/v1/runs: prints the new run's id, "" when refused
#   run_status ID           prints run ID's status, "" when there is none
#   run_is ID STATUS...     true when run ID's status is one of STATUS
#   wait_until SECONDS WHAT CMD...
#                           runs CMD every 0.1 s until it succeeds; fail "WHAT" after SECONDS
#   wait_run ID SECONDS STATUS...
#                           wait_until run ID's status is one of STATUS

fail()
{
	echo "FAIL: $*" >&2
	if [ -n "$DAEMON_DIR" ] && [ -f "$DAEMON_DIR/rld.log" ]; then
		echo "--- ringlabd log (last lines)" >&2
		tail -n 30 "$DAEMON_DIR/rld.log" >&2
	fi
	exit 1
}

req()
{
	# curl prints 000 itself when no answer came; a daemon killed mid-test is no noise.
	curl -sS --max-time 10 -o "$DAEMON_DIR/body" -w '%{http_code}' -X "$1" "$DAEMON_URL$2" \
		${3:+-d "$3"} 2>/dev/null && return 0
	: >"$DAEMON_DIR/body"
	return 1
}

body()
{
	jq -r "$1" "$DAEMON_DIR/body" 2>/dev/null
}

post_run()
{
	req POST /api/v1/runs "$1" >/dev/null && body '.id // empty'
}

run_status()
{
	req GET "/api/v1/runs/$1" >/dev/null && body '.status // empty'
}

run_is()
{
	_runs_st=$(run_status "$1")
	shift
	for _runs_want in "$@"; do
		[ "$_runs_st" = "$_runs_want" ] && return 0
	done
	return 1
}

wait_until()
{
	_runs_n=$(($1 * 10))
	_runs_what=$2
	shift 2
	while ! "$@"; do
		[ "$_runs_n" -gt 0 ] || fail "$_runs_what"
		sleep 0.1
		_runs_n=$((_runs_n - 1))
	done
}

wait_run()
{
	_runs_id=$1
	_runs_s=$2
	shift 2
	wait_until "$_runs_s" "run $_runs_id did not become $* in $_runs_s s" run_is "$_runs_id" "$@"
}
