# SPDX-License-Identifier: MIT
# runs.sh: talking to a test's ringlabd (tests/lib/daemon.sh): requests, runs, waiting (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/daemon.sh"; . "$top_srcdir/tests/lib/runs.sh"
#   fail MSG...             "FAIL: MSG" and the end of DAEMON_DIR/rld.log on stderr; exit 1
#   daemon_up OPTION...     daemon_start 20 OPTION..., failing with DAEMON_ERR, then waits
#                           until /api/v1/health answers 200
#   daemon_scratch [MiB]    the usual API test's daemon: needs curl and jq, one target
#                           "scratch" on a fresh loop-mounted ext4 of MiB (default 64), up
#   req METHOD PATH [BODY] [CURL...]
#                           prints the HTTP status (000 when no answer came in 10 s, or
#                           curl's --max-time: then false, with an empty body); the body
#                           goes to DAEMON_DIR/body, the headers to DAEMON_DIR/headers.
#                           BODY is the third argument unless it starts with '-'.
#   body FILTER             jq -r FILTER on that body (nothing when it is not JSON)
#   expect STATUS METHOD PATH [BODY] [CURL...]
#                           req, failing unless the status is STATUS ($_m, $_p: the
#                           request, for later messages)
#   jqe FILTER              fails unless the last body satisfies jq -e FILTER
#   header NAME             the last answer's header NAME
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
	# Every daemon's log: rld.log, or a.log and b.log of a fleet test.
	for log in ${DAEMON_DIR:+"$DAEMON_DIR"/*.log}; do
		[ -f "$log" ] || continue
		echo "--- ${log##*/}: ringlabd log (last lines)" >&2
		tail -n 30 "$log" >&2
	done
	exit 1
}

daemon_up()
{
	daemon_start 20 "$@" || fail "$DAEMON_ERR"
	wait_until 20 "/api/v1/health never answered 200" eval '[ "$(req GET /api/v1/health)" = 200 ]'
}

daemon_scratch()
{
	daemon_require curl jq
	loopfs_create "${1:-64}"
	daemon_config scratch="$LOOPFS_DIR"
	daemon_up -c "$DAEMON_DIR/ringlabd.json"
}

req()
{
	_runs_m=$1
	_runs_p=$2
	shift 2
	_runs_body=
	case ${1-} in
	-*) ;;
	*) [ $# -gt 0 ] && { _runs_body=$1; shift; } ;;
	esac
	# curl prints 000 itself when no answer came; a daemon killed mid-test is no noise.
	curl -sS --max-time 10 -o "$DAEMON_DIR/body" -D "$DAEMON_DIR/headers" -w '%{http_code}' \
		-X "$_runs_m" ${_runs_body:+-d "$_runs_body"} "$@" "$DAEMON_URL$_runs_p" 2>/dev/null &&
		return 0
	: >"$DAEMON_DIR/body"
	return 1
}

expect()
{
	_runs_want=$1
	_m=$2
	_p=$3
	shift
	_runs_got=$(req "$@")
	[ "$_runs_got" = "$_runs_want" ] ||
		fail "$_m $_p: status $_runs_got, expected $_runs_want: $(head -c 600 "$DAEMON_DIR/body")"
}

jqe()
{
	jq -e "$1" "$DAEMON_DIR/body" >/dev/null 2>&1 ||
		fail "$_m $_p: body does not satisfy '$1': $(head -c 800 "$DAEMON_DIR/body")"
}

header()
{
	grep -i "^$1:" "$DAEMON_DIR/headers" | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'
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
