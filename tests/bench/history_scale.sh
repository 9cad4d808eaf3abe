#!/bin/bash
# history_scale.sh: what a long history costs the store. Starts a ringlabd of
# the build tree on a fresh state directory, imports nowait-fingerprint runs
# (192 cells each) through POST /api/v1/runs/import up to each checkpoint
# (default 1000 5000 10000 runs) and prints, at each: bytes per run, import
# runs/s (and ringlabd's CPU time a run, and PostgreSQL's: what an import
# costs whatever else the machine runs), GET /api/v1/history, a label listing of up to 1000 runs, a comparison
# of two runs, and of two label pools of 100 runs a side (the API's, and
# `ringlab compare label:A label:B`), each against its target; and, on
# stderr, the bytes a run each table takes (PostgreSQL: heap, indexes and
# TOAST; SQLite: its pages, from dbstat).
# Not part of make check: 10,000 runs take a while (the report says how long).
#
#   sudo make bench-history                  # from the build directory
#   sudo tests/bench/history_scale.sh [CHECKPOINT...]
#
# The template run is $HISTORY_TEMPLATE when set, else one made here:
# `ringlab run nowait-fingerprint --scale 0.05` on a loop-mounted ext4
# (tests/lib/loopfs.sh), about a minute. Needs root, curl, jq and python3.
# No set -e: the cleanup trap of tests/lib/daemon.sh must run to its end.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
[ -x "$top_builddir/ringlabd" ] || { echo "history_scale.sh: run it from the build directory (no ./ringlabd)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "history_scale.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
[ $# -gt 0 ] || set -- 1000 5000 10000
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 128
daemon_config scratch="$LOOPFS_DIR"
work=$DAEMON_DIR
template=${HISTORY_TEMPLATE:-}
if [ -z "$template" ]; then
	template=$work/fp.json
	echo "making the template: ringlab run nowait-fingerprint --scale 0.05 on $LOOPFS_DIR" >&2
	"$top_builddir/ringlab" run nowait-fingerprint --dir "$LOOPFS_DIR" --scale 0.05 -q \
		--json "$template" >/dev/null || [ -s "$template" ] || fail "the template run failed"
fi
daemon_up -c "$work/ringlabd.json"
start=$(date +%s)
# The store's size: the SQLite file and its WAL, or PostgreSQL's database (RL_TEST_STORE=postgresql).
db=$work/state/ringlab.db
[ "${RL_TEST_STORE:-sqlite}" = postgresql ] &&
	db="psql:$PG_BIN/psql -X -q -A -t -h $PG_DIR -p $PG_PORT -U ringlab -d ringlab"
# PostgreSQL's processes' CPU, with ringlabd's, says what an import costs whatever else the machine runs.
pg_pid=
[ "${RL_TEST_STORE:-sqlite}" = postgresql ] && pg_pid=$(head -n 1 "$PG_DIR/data/postmaster.pid")
DAEMON_PID=$DAEMON_PID PG_POSTMASTER_PID=$pg_pid /usr/bin/env python3 "$top_srcdir/tests/bench/history_scale.py" "$DAEMON_URL" "$db" \
	"$template" "$top_builddir/ringlab" "$@"
status=$?
echo "history_scale.sh: $(( $(date +%s) - start )) s for $* runs" >&2
exit $status
