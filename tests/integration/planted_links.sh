#!/bin/sh
# SPDX-License-Identifier: MIT
# planted_links.sh: a symbolic link, hard link or FIFO put under the name of a run's file (or its churn sibling) in the target is refused by name, and the file it leads to is left as it was.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 64
work=$(mktemp -d -t ringlab-links.XXXXXX) || exit 1
trap 'rm -rf "$work"; loopfs_cleanup' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The target is a directory of the filesystem, with a victim beside it on the same one
# and another on a different one: anyone who may write the target can plant names.
dir=$LOOPFS_DIR/target
mkdir "$dir" && chmod 1777 "$dir" || fail "cannot make $dir"
echo "beside the target" >"$LOOPFS_DIR/victim"
echo "on another filesystem" >"$work/victim"
cat >"$work/churny.json" <<JSON
{"name": "churny", "stripe": "W", "io_size": 4096, "jobs": [1], "size_per_job": "64K",
 "repetitions": 1, "churn": true}
JSON
cat >"$work/cold.json" <<JSON
{"name": "cold", "stripe": "W", "io_size": 4096, "jobs": [1], "size_per_job": "64K",
 "repetitions": 1, "cache": "cold"}
JSON

# try WORKLOAD NAME WHAT: NAME planted in the target, `ringlab run WORKLOAD` must fail saying WHAT.
try()
{
	timeout 60 "$top_builddir/ringlab" run "$1" --dir "$dir" --workloads "$work" -q \
		>"$work/out" 2>&1 && fail "$1 ran with $2 planted: $(cat "$work/out")"
	grep -q "$2.*$3" "$work/out" || fail "$1 with $2 planted: no '$3' in: $(cat "$work/out")"
	[ "$(cat "$LOOPFS_DIR/victim")" = "beside the target" ] || fail "$1 wrote through $2 into a file beside the target"
	[ "$(cat "$work/victim")" = "on another filesystem" ] || fail "$1 wrote through $2 into a file on another filesystem"
	rm -f "$dir/$2"
}

ln -s ../victim "$dir/ringlab-churny.dat"
try churny ringlab-churny.dat "is a symbolic link"
ln -s "$work/victim" "$dir/ringlab-churny.dat.churn"
try churny ringlab-churny.dat.churn "is a symbolic link"
ln "$LOOPFS_DIR/victim" "$dir/ringlab-churny.dat"
try churny ringlab-churny.dat "has 2 hard links"
mkfifo "$dir/ringlab-churny.dat"
try churny ringlab-churny.dat "is not a regular file"

# A cold cell opens its file by name again after the caches are dropped: the same holds.
timeout 60 "$top_builddir/ringlab" run cold --dir "$dir" --workloads "$work" -q >"$work/out" 2>&1 ||
	fail "the cold workload fails with nothing planted: $(cat "$work/out")"
timeout 60 "$top_builddir/ringlab" run churny --dir "$dir" --workloads "$work" -q >"$work/out" 2>&1 ||
	fail "the churn workload fails with nothing planted: $(cat "$work/out")"
[ -z "$(ls "$dir")" ] || fail "runs left files in the target: $(ls "$dir")"
echo "ok: planted links and FIFOs refused by name, the files they lead to untouched"
exit 0
