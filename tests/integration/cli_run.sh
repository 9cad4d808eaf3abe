#!/bin/sh
# cli_run.sh: `ringlab run seed` on a loop-mounted ext4 prints the JOBS table, writes JSON and removes its files.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 512
out=$(mktemp -d)
trap 'rm -rf "$out"; loopfs_cleanup' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

timeout 600 "$top_builddir/ringlab" run seed --dir "$LOOPFS_DIR" --scale 0.002 --repeat 2 \
	--jobs 1,2,4 --label cli-test --json "$out/run.json" >"$out/table.txt" 2>"$out/err.txt" ||
	{ cat "$out/err.txt" "$out/table.txt" >&2; fail "ringlab run exited $?"; }
cat "$out/table.txt"
for w in aligned-mixed unaligned-middle-unwritten; do
	grep -q "^$w" "$out/table.txt" || fail "no table for $w"
done
grep -q "JOBS" "$out/table.txt" || fail "no JOBS header"
rows=$(grep -cE '^ +(1|2|4) +[0-9,]+ ' "$out/table.txt")
[ "$rows" -eq 6 ] || fail "expected 6 JOBS rows (3 per workload), found $rows"
grep -q '"format":[[:space:]]*"ringlab-run-1"' "$out/run.json" || fail "JSON has no format tag"
grep -q '"label":[[:space:]]*"cli-test"' "$out/run.json" || fail "JSON lost the label"
cells=$(grep -c '"rep":' "$out/run.json")
[ "$cells" -eq 12 ] || fail "expected 12 cells in the JSON, found $cells"
grep -q '"status":[[:space:]]*"done"' "$out/run.json" || fail "run status is not done"
grep -q '"status":[[:space:]]*"failed"' "$out/run.json" && fail "a verification failed"
left=$(ls "$LOOPFS_DIR" | grep -c '^ringlab-')
[ "$left" -eq 0 ] || fail "ringlab left $left files in the target"
exit 0
