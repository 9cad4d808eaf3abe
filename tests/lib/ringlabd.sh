# SPDX-License-Identifier: MIT
# One ringlabd for an API test, and the requests the test makes to it (sourced; POSIX sh).
#
#   rld_init [SIZE_MB]          exit 77 without curl, jq or loop devices (loopfs.sh, which
#                               this file sources), or with RL_TEST_STORE=postgresql
#                               without PostgreSQL (pg.sh: then one is started, and
#                               rld_config puts the store there); a SIZE_MB (default 64) loop-mounted ext4
#                               at $LOOPFS_DIR, a fresh $work (mktemp -d) and an EXIT trap
#                               that stops the daemon and what the test put in rld_bg
#                               (pids), removes $work and calls loopfs_cleanup (set again
#                               by rld_start, in case the test set its own)
#   rld_config [KEYS]           $work/ringlabd.json: state_dir $work/state, workloads_dir
#                               $RLD_WORKLOADS (default the source tree's), one dir target
#                               "scratch" on $LOOPFS_DIR, then KEYS (more JSON members)
#   rld_start CONFIG [ARGS...]  start $RLD (default $top_builddir/ringlabd) with -c
#                               CONFIG on a free port, log in $work/ringlabd.log; sets
#                               rld_pid, port and base (http://127.0.0.1:PORT) once
#                               /api/v1/health answers
#   rld_stop                    SIGTERM, then SIGKILL after 20 s; the exit status in
#                               rld_status; idempotent
#   fail MESSAGE                print MESSAGE and the log's tail, exit 1
#   req METHOD PATH [CURL...]   print the status (000 after 60 s without an answer); body in
#                               $work/body, headers in $work/headers
#   expect STATUS METHOD PATH [CURL...]   req, failing unless the status is STATUS
#   jqe FILTER                  the last body satisfies jq FILTER
#   header NAME                 the last response's header NAME
#   rld_vm KEY                  the daemon's /proc status value KEY (VmRSS, VmHWM) in KiB
#   $raw                        tests/api/http_raw, for requests curl will not make

. "$top_srcdir/tests/lib/loopfs.sh"
. "$top_srcdir/tests/lib/pg.sh"

RLD=${RLD:-$top_builddir/ringlabd}
RLD_WORKLOADS=${RLD_WORKLOADS:-$top_srcdir/workloads}
raw=$top_builddir/tests/api/http_raw
rld_pid=
rld_bg=
port=
base=
work=

rld_stop()
{
	[ -n "$rld_pid" ] || return 0
	kill -TERM "$rld_pid" 2>/dev/null
	_rld_i=0
	while kill -0 "$rld_pid" 2>/dev/null && [ "$_rld_i" -lt 100 ]; do
		sleep 0.2
		_rld_i=$((_rld_i + 1))
	done
	kill -KILL "$rld_pid" 2>/dev/null
	wait "$rld_pid" 2>/dev/null
	rld_status=$?
	rld_pid=
}

_rld_cleanup()
{
	for _rld_p in $rld_bg; do
		kill "$_rld_p" 2>/dev/null
	done
	rld_stop
	pg_stop
	[ -n "$work" ] && rm -rf "$work"
	loopfs_cleanup
}

rld_init()
{
	for _rld_tool in curl jq; do
		command -v $_rld_tool >/dev/null 2>&1 || { echo "SKIP: $_rld_tool is needed" >&2; exit 77; }
	done
	[ -x "$RLD" ] || { echo "FAIL: $RLD is not built" >&2; exit 1; }
	[ -x "$raw" ] || { echo "FAIL: $raw is not built" >&2; exit 1; }
	loopfs_require
	pg_test_store
	loopfs_create "${1:-64}"
	work=$(mktemp -d) || exit 1
	trap _rld_cleanup EXIT
}

rld_config()
{
	cat >"$work/ringlabd.json" <<EOF
{ "state_dir": "$work/state", "workloads_dir": "$RLD_WORKLOADS",
  "targets": [{ "name": "scratch", "kind": "dir", "path": "$LOOPFS_DIR" }]${1:+, $1}${PG_STORE_JSON:+,
  $PG_STORE_JSON} }
EOF
}

fail()
{
	echo "FAIL: $*" >&2
	if [ -f "$work/ringlabd.log" ]; then
		echo "--- ringlabd log (last lines)" >&2
		tail -n 20 "$work/ringlabd.log" >&2
	fi
	exit 1
}

rld_start()
{
	_rld_cfg=$1
	shift
	trap _rld_cleanup EXIT
	rm -f "$work/port"
	"$RLD" -c "$_rld_cfg" --port 0 --port-file "$work/port" "$@" >>"$work/ringlabd.log" 2>&1 </dev/null &
	rld_pid=$!
	_rld_i=0
	while [ ! -s "$work/port" ]; do
		kill -0 "$rld_pid" 2>/dev/null || fail "ringlabd exited at start-up"
		[ $_rld_i -lt 100 ] || fail "ringlabd wrote no port file in 20 s"
		sleep 0.2
		_rld_i=$((_rld_i + 1))
	done
	port=$(cat "$work/port")
	base=http://127.0.0.1:$port
	_rld_i=0
	until [ "$(req GET /api/v1/health)" = 200 ]; do
		[ $_rld_i -lt 50 ] || fail "/api/v1/health never answered 200"
		sleep 0.2
		_rld_i=$((_rld_i + 1))
	done
}

req()
{
	_m=$1
	_p=$2
	shift 2
	curl -sS --max-time 60 -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$_m" "$@" "$base$_p"
}

expect()
{
	_want=$1
	_m=$2
	_p=$3
	shift
	_got=$(req "$@") || fail "$1 $2: curl failed"
	[ "$_got" = "$_want" ] || fail "$1 $2: status $_got, expected $_want: $(head -c 600 "$work/body")"
}

jqe()
{
	jq -e "$1" "$work/body" >/dev/null 2>&1 ||
		fail "$_m $_p: body does not satisfy '$1': $(head -c 800 "$work/body")"
}

header()
{
	grep -i "^$1:" "$work/headers" | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'
}

rld_vm()
{
	awk -v k="$1:" '$1 == k { print $2 }' "/proc/$rld_pid/status"
}
