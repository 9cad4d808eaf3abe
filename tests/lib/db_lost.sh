# SPDX-License-Identifier: MIT
# db_lost.sh: a ringlabd on the test's PostgreSQL, whose server the test stops in the middle of a run of many short cells (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/db_lost.sh"    (sets RL_TEST_STORE=postgresql, sources daemon.sh and runs.sh)
#   db_lost_setup NAME MS REPS
#                         daemon_require curl jq; a loop-mounted ext4 of 64 MiB (LOOPFS_DIR) for
#                         the test's target "t"; workload NAME in DAEMON_DIR/workloads (DAEMON_WORKLOADS):
#                         REPS repetitions of a 2 MiB overwrite for MS ms each, a cell each;
#                         spool is where that target's cells wait (STATE/cells-spool-t)

RL_TEST_STORE=postgresql
export RL_TEST_STORE
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"

db_lost_setup()
{
	daemon_require curl jq
	loopfs_create 64
	mkdir -p "$DAEMON_DIR/workloads" || fail "mkdir $DAEMON_DIR/workloads"
	jq ".name = \"$1\" | .size_per_job = \"2M\" | .duration_ms = $2 | .repetitions = $3 | del(.expect)" \
		"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/$1.json" ||
		fail "workload $1"
	DAEMON_WORKLOADS=$DAEMON_DIR/workloads
	spool=$DAEMON_DIR/state/cells-spool-t
}
