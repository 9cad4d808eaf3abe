# SPDX-License-Identifier: MIT
# daemon.sh: one ringlabd for a test: its directory, start-up, stop and cleanup (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/daemon.sh"    (sources loopfs.sh and throttle.sh too)
#   daemon_require [TOOL...]   exit 77 unless each TOOL is on PATH and loop-mounted ext4
#                              can be made (loopfs_require); exit 1 unless ringlabd is built.
#                              Makes DAEMON_DIR, a fresh directory for the test's files,
#                              and sets an EXIT trap calling daemon_cleanup. With
#                              RL_TEST_STORE=postgresql, starts PostgreSQL (pg.sh) or exits 77.
#   daemon_config [--token TOKEN] NAME=DIR...
#                              writes DAEMON_DIR/ringlabd.json: state in DAEMON_DIR/state,
#                              the source tree's workloads, a dir target per NAME=DIR, the
#                              store on PostgreSQL with RL_TEST_STORE=postgresql
#   daemon_start [--throttled] SECONDS [OPTION...]
#                              $top_builddir/ringlabd OPTION... --port 0 --port-file
#                              DAEMON_DIR/port in the background (in throttle.sh's cgroup
#                              with --throttled), stdout and stderr appended to
#                              DAEMON_DIR/rld.log; sets DAEMON_PID at once. Waits up to
#                              SECONDS for the port, then sets DAEMON_PORT and DAEMON_URL;
#                              returns 1 with DAEMON_ERR set if ringlabd exited first or
#                              wrote no port in time (daemon_cleanup stops it).
#   daemon_stop                SIGTERM to DAEMON_PID, SIGKILL after 20 s, reaped; clears
#                              DAEMON_PID. Nothing when it is empty: a test that kills and
#                              waits for the daemon itself clears DAEMON_PID.
#   daemon_cleanup             daemon_stop, pg_stop, remove DAEMON_DIR, throttle_cleanup, loopfs_cleanup
#
# A test that sets its own EXIT trap after daemon_require calls daemon_cleanup in it, as
# loopfs.sh asks for loopfs_cleanup.

. "$top_srcdir/tests/lib/loopfs.sh"
. "$top_srcdir/tests/lib/throttle.sh"
. "$top_srcdir/tests/lib/pg.sh"

DAEMON_DIR=
DAEMON_PID=
DAEMON_PORT=
DAEMON_URL=
DAEMON_ERR=

daemon_require()
{
	for _daemon_tool in "$@"; do
		command -v "$_daemon_tool" >/dev/null 2>&1 || { echo "SKIP: needs $_daemon_tool" >&2; exit 77; }
	done
	[ -x "$top_builddir/ringlabd" ] || { echo "FAIL: $top_builddir/ringlabd is not built" >&2; exit 1; }
	loopfs_require
	pg_test_store
	DAEMON_DIR=$(mktemp -d -t ringlab-daemon.XXXXXX) || { echo "FAIL: mktemp -d" >&2; exit 1; }
	trap daemon_cleanup EXIT
}

daemon_config()
{
	_daemon_token=
	if [ "$1" = --token ]; then
		_daemon_token=", \"token\": \"$2\""
		shift 2
	fi
	_daemon_targets=
	for _daemon_t in "$@"; do
		_daemon_targets="$_daemon_targets${_daemon_targets:+, }{\"name\": \"${_daemon_t%%=*}\","
		_daemon_targets="$_daemon_targets \"kind\": \"dir\", \"path\": \"${_daemon_t#*=}\"}"
	done
	cat >"$DAEMON_DIR/ringlabd.json" <<JSON
{"state_dir": "$DAEMON_DIR/state", "workloads_dir": "$top_srcdir/workloads",
 "targets": [$_daemon_targets]$_daemon_token${PG_STORE_JSON:+, $PG_STORE_JSON}}
JSON
}

daemon_start()
{
	_daemon_throttled=
	if [ "$1" = --throttled ]; then
		_daemon_throttled=1
		shift
	fi
	_daemon_s=$1
	shift
	rm -f "$DAEMON_DIR/port"
	# throttle_spawn: `throttle_exec ... &` would give the pid of a subshell, not ringlabd's.
	if [ -n "$_daemon_throttled" ]; then
		throttle_spawn "$top_builddir/ringlabd" "$@" --port 0 --port-file "$DAEMON_DIR/port" \
			>>"$DAEMON_DIR/rld.log" 2>&1
		DAEMON_PID=$THROTTLE_PID
	else
		"$top_builddir/ringlabd" "$@" --port 0 --port-file "$DAEMON_DIR/port" \
			>>"$DAEMON_DIR/rld.log" 2>&1 &
		DAEMON_PID=$!
	fi
	_daemon_i=0
	while [ ! -s "$DAEMON_DIR/port" ]; do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			DAEMON_ERR="ringlabd exited at start-up"
			return 1
		fi
		if [ "$_daemon_i" -ge $((_daemon_s * 10)) ]; then
			DAEMON_ERR="ringlabd wrote no port file in $_daemon_s s"
			return 1
		fi
		sleep 0.1
		_daemon_i=$((_daemon_i + 1))
	done
	DAEMON_PORT=$(cat "$DAEMON_DIR/port")
	DAEMON_URL=http://127.0.0.1:$DAEMON_PORT
}

daemon_stop()
{
	[ -n "$DAEMON_PID" ] || return 0
	if kill -TERM "$DAEMON_PID" 2>/dev/null; then
		_daemon_i=0
		while kill -0 "$DAEMON_PID" 2>/dev/null && [ "$_daemon_i" -lt 200 ]; do
			sleep 0.1
			_daemon_i=$((_daemon_i + 1))
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

daemon_cleanup()
{
	daemon_stop
	pg_stop
	[ -n "$DAEMON_DIR" ] && rm -rf "$DAEMON_DIR"
	DAEMON_DIR=
	throttle_cleanup
	loopfs_cleanup
}
