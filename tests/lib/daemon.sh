# SPDX-License-Identifier: MIT
# daemon.sh: one ringlabd for a test: its directory, start-up, stop and cleanup (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/daemon.sh"    (sources loopfs.sh and throttle.sh too)
#   daemon_require [TOOL...]   exit 77 unless each TOOL is on PATH and loop-mounted ext4
#                              can be made (loopfs_require); exit 1 unless ringlabd is built.
#                              Makes DAEMON_DIR, a fresh directory for the test's files,
#                              and sets an EXIT trap calling daemon_cleanup. With
#                              RL_TEST_STORE=postgresql, starts PostgreSQL (pg.sh) or exits 77.
#   daemon_config [--token TOKEN] [--keys JSON] NAME=DIR... (options in any place)
#                              writes DAEMON_DIR/ringlabd.json: state in DAEMON_DIR/state,
#                              workloads from DAEMON_WORKLOADS (default the source tree's),
#                              a dir target per NAME=DIR, then the members JSON
#                              ('"web_dir": "x", "token": "y"'), and the store on
#                              PostgreSQL with RL_TEST_STORE=postgresql
#   daemon_start [--throttled] SECONDS [OPTION...]
#                              DAEMON_BIN (default $top_builddir/ringlabd) OPTION... --port 0
#                              --port-file DAEMON_DIR/port in the background (in
#                              throttle.sh's cgroup with --throttled), stdin /dev/null,
#                              stdout and stderr appended to DAEMON_DIR/rld.log; sets
#                              DAEMON_PID at once. Waits up to SECONDS for the port, then
#                              sets DAEMON_PORT and DAEMON_URL; returns 1 with DAEMON_ERR
#                              set if ringlabd exited first or wrote no port in time
#                              (daemon_cleanup stops it).
#   daemon_stop                SIGTERM to DAEMON_PID, SIGKILL after 20 s, reaped; its exit
#                              status in DAEMON_STATUS; clears DAEMON_PID. Nothing when it
#                              is empty: a test that kills and waits for the daemon itself
#                              clears DAEMON_PID.
#   daemon_vm KEY              the daemon's /proc status value KEY (VmRSS, VmHWM) in KiB
#   daemon_cleanup             kill the pids a test put in DAEMON_BG, daemon_stop, pg_stop,
#                              daemon_release, remove DAEMON_DIR, throttle_cleanup, loopfs_cleanup
#   daemon_release             unmount what is mounted under DAEMON_DIR and detach the loop
#                              devices of its image files (a daemon killed with SIGKILL leaves them)
#   DAEMON_RAW                 tests/api/http_raw, for requests curl will not make
#   DAEMON_STORE_OPT           for a daemon started with no daemon_config: empty (SQLite, in
#                              its state_dir), or with RL_TEST_STORE=postgresql
#                              "-c DAEMON_DIR/store.json", a configuration of the store alone
#   daemon_db_sql STATE SQL    SQL on the store of the daemon whose state_dir is STATE (its
#                              ringlab.db, or the test's PostgreSQL); prints the rows
#   daemon_db_check STATE      prints "ok" when that store is sound (SQLite's PRAGMA
#                              integrity_check; pg_check on PostgreSQL), else what is wrong
#
# A test that sets its own EXIT trap after daemon_require calls daemon_cleanup in it, as
# loopfs.sh asks for loopfs_cleanup.

. "$top_srcdir/tests/lib/loopfs.sh"
. "$top_srcdir/tests/lib/throttle.sh"
. "$top_srcdir/tests/lib/pg.sh"

DAEMON_BIN=${DAEMON_BIN:-$top_builddir/ringlabd}
DAEMON_WORKLOADS=${DAEMON_WORKLOADS:-$top_srcdir/workloads}
DAEMON_RAW=$top_builddir/tests/api/http_raw
DAEMON_DIR=
DAEMON_PID=
DAEMON_PORT=
DAEMON_URL=
DAEMON_ERR=
DAEMON_STATUS=
DAEMON_BG=
DAEMON_STORE_OPT=

daemon_require()
{
	for _daemon_tool in "$@"; do
		command -v "$_daemon_tool" >/dev/null 2>&1 || { echo "SKIP: needs $_daemon_tool" >&2; exit 77; }
	done
	[ -x "$DAEMON_BIN" ] || { echo "FAIL: $DAEMON_BIN is not built" >&2; exit 1; }
	loopfs_require
	pg_test_store
	DAEMON_DIR=$(mktemp -d -t ringlab-daemon.XXXXXX) || { echo "FAIL: mktemp -d" >&2; exit 1; }
	trap daemon_cleanup EXIT
	DAEMON_STORE_OPT=
	[ -z "$PG_STORE_JSON" ] && return 0
	echo "{$PG_STORE_JSON}" >"$DAEMON_DIR/store.json"
	DAEMON_STORE_OPT="-c $DAEMON_DIR/store.json"
}

daemon_db_sql()
{
	if [ -n "$PG_STORE_JSON" ]; then
		pg_sql "$2"
	else
		sqlite3 "$1/ringlab.db" "$2"
	fi
}

daemon_db_check()
{
	if [ -n "$PG_STORE_JSON" ]; then
		pg_check
	else
		sqlite3 "$1/ringlab.db" 'PRAGMA integrity_check' 2>&1
	fi
}

daemon_config()
{
	_daemon_token=
	_daemon_keys=
	_daemon_targets=
	while [ $# -gt 0 ]; do
		case $1 in
		--token) _daemon_token=", \"token\": \"$2\""; shift ;;
		--keys) _daemon_keys=${2:+, $2}; shift ;;
		*)
			_daemon_targets="$_daemon_targets${_daemon_targets:+, }{\"name\": \"${1%%=*}\","
			_daemon_targets="$_daemon_targets \"kind\": \"dir\", \"path\": \"${1#*=}\"}"
			;;
		esac
		shift
	done
	cat >"$DAEMON_DIR/ringlabd.json" <<JSON
{"state_dir": "$DAEMON_DIR/state", "workloads_dir": "$DAEMON_WORKLOADS",
 "targets": [$_daemon_targets]$_daemon_token$_daemon_keys${PG_STORE_JSON:+, $PG_STORE_JSON}}
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
		throttle_spawn "$DAEMON_BIN" "$@" --port 0 --port-file "$DAEMON_DIR/port" \
			>>"$DAEMON_DIR/rld.log" 2>&1 </dev/null
		DAEMON_PID=$THROTTLE_PID
	else
		"$DAEMON_BIN" "$@" --port 0 --port-file "$DAEMON_DIR/port" \
			>>"$DAEMON_DIR/rld.log" 2>&1 </dev/null &
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
	DAEMON_STATUS=$?
	DAEMON_PID=
}

daemon_vm()
{
	awk -v k="$1:" '$1 == k { print $2 }' "/proc/$DAEMON_PID/status"
}

# What a daemon that did not stop cleanly (SIGKILL, a hang) left under DAEMON_DIR: its
# mounts, deepest first, and the loop devices of image files there. A dying process can
# hold a mount busy for a moment, so each umount is tried for 5 s, then made lazy.
daemon_release()
{
	[ -n "$DAEMON_DIR" ] || return 0
	for _daemon_m in $(awk -v d="$DAEMON_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
		_daemon_i=0
		until umount "$_daemon_m" 2>/dev/null; do
			_daemon_i=$((_daemon_i + 1))
			[ "$_daemon_i" -lt 20 ] || { umount -l "$_daemon_m"; break; }
			sleep 0.25
		done
	done
	for _daemon_l in $(losetup -n -O NAME,BACK-FILE 2>/dev/null |
			   awk -v d="$DAEMON_DIR/" 'index($2, d) == 1 { print $1 }'); do
		losetup -d "$_daemon_l" 2>/dev/null
	done
}

daemon_cleanup()
{
	for _daemon_p in $DAEMON_BG; do
		kill "$_daemon_p" 2>/dev/null
	done
	daemon_stop
	pg_stop
	daemon_release
	[ -n "$DAEMON_DIR" ] && rm -rf "$DAEMON_DIR"
	DAEMON_DIR=
	throttle_cleanup
	loopfs_cleanup
}
