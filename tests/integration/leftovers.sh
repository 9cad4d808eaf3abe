#!/bin/sh
# SPDX-License-Identifier: MIT
# leftovers.sh: ringlab-* files a killed `ringlab run` left are removed by the next run in the directory; kept files (--keep-files) are not, and their space counts as free for the run that replaces them.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
command -v getfattr >/dev/null 2>&1 || loopfs_skip "needs getfattr (Debian: attr)"
loopfs_create 128
dir=$LOOPFS_DIR
work=$(mktemp -d -t ringlab-leftovers.XXXXXX) || exit 1
rl=$top_builddir/ringlab
pid=
cleanup()
{
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
	loopfs_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# workload NAME SIZE_PER_JOB DURATION_MS: a one-job 4 KiB direct overwrite in $work.
workload()
{
	cat >"$work/$1.json" <<JSON
{"name": "$1", "op": "write", "block_size": 4096, "stripe": "W", "io_size": 4096,
 "io_offset": 0, "direct": true, "nowait": false, "queue_depth": 4, "jobs": [1],
 "size_per_job": "$2", "duration_ms": $3, "repetitions": 1, "verify": true}
JSON
}
workload slow 4M 60000
workload quick 4M 0
workload other 4M 0
workload big 72M 0
run() { timeout 120 "$rl" run "$@" --dir "$dir" --workloads "$work" -q >"$work/out" 2>&1; }

# kill_mid_run: `ringlab run slow` killed with SIGKILL once its file exists; the file stays.
kill_mid_run()
{
	"$rl" run slow --dir "$dir" --workloads "$work" -q >/dev/null 2>&1 &
	pid=$!
	pid_was=$pid
	i=0
	until [ -f "$dir/ringlab-slow.dat" ]; do
		[ $i -lt 100 ] || fail "ringlab run slow made no ringlab-slow.dat in 10 s"
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	pid=
	[ -f "$dir/ringlab-slow.dat" ] || fail "the killed run's file is already gone"
	getfattr -n user.ringlab.owner "$dir/ringlab-slow.dat" 2>/dev/null | grep -q "pid $pid_was " ||
		fail "the killed run's file is not marked with its pid $pid_was"
}

# 1. kill -9 in the middle of a run: its file stays, claimed by nobody alive.
kill_mid_run

# 2. The next run (another workload) removes it, and only it.
echo kept >"$dir/ringlab-mine.txt"
run quick || { cat "$work/out" >&2; fail "ringlab run quick failed"; }
[ -e "$dir/ringlab-slow.dat" ] && fail "ringlab-slow.dat, left by a killed run, survived the next run"
[ -f "$dir/ringlab-mine.txt" ] || fail "an unclaimed ringlab-* file was removed"
[ -e "$dir/ringlab-quick.dat" ] && fail "the run left its own file"

# 3. A kept file is unclaimed: the next run leaves it alone.
run quick --keep-files || { cat "$work/out" >&2; fail "ringlab run quick --keep-files failed"; }
[ -f "$dir/ringlab-quick.dat" ] || fail "--keep-files did not keep ringlab-quick.dat"
getfattr -n user.ringlab.owner "$dir/ringlab-quick.dat" >/dev/null 2>&1 &&
	fail "a kept file is still marked as a run's"
kill_mid_run
run other || { cat "$work/out" >&2; fail "ringlab run other beside a kept file failed"; }
[ -e "$dir/ringlab-slow.dat" ] && fail "the second killed run's file survived"
[ -f "$dir/ringlab-quick.dat" ] || fail "a kept file was swept"
rm -f "$dir/ringlab-quick.dat" "$dir/ringlab-mine.txt"

# 4. More than half the filesystem, kept, then run again: the kept file is replaced, not counted.
run big --keep-files || { cat "$work/out" >&2; fail "the first big run failed"; }
[ -f "$dir/ringlab-big.dat" ] || fail "--keep-files did not keep ringlab-big.dat"
run big || { cat "$work/out" >&2; fail "the big run was refused with its own kept file in the way"; }
[ -e "$dir/ringlab-big.dat" ] && fail "the second big run left its file"
echo "ok: a killed run's files swept, kept files left alone and counted as free"
exit 0
