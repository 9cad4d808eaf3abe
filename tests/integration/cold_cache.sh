#!/bin/sh
# cold_cache.sh: every repetition of a cold cell starts from the same state (extent status cache empty, checked) and gives the same EAGAIN rate, also when something else holds the inode so that dropping the caches cannot evict it; repetitions of one run compared show no EAGAIN change.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
command -v jq >/dev/null 2>&1 || loopfs_skip "jq not found"
loopfs_create 256
out=$(mktemp -d)
trap 'exec 7>&- 8>&-; rm -rf "$out"; loopfs_cleanup' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# One suite: the pure-overwrite fingerprint, cold, 4 repetitions, count and retry-blocking.
mkdir -p "$out/wl/suites"
cp "$top_srcdir/workloads/nw-overwrite-aligned.json" "$out/wl/"
cat >"$out/wl/suites/cold-cache-test.json" <<'JSON'
{"name": "cold-cache-test", "description": "cold cells, repeated",
 "workloads": ["nw-overwrite-aligned"],
 "set": {"repetitions": 4, "cache": "cold", "expect": {"eagain_rate": -1, "kernel": ""}},
 "variants": [
	{"name": "cold,count", "set": {"eagain_policy": "count"}},
	{"name": "cold,retry-blocking", "set": {"eagain_policy": "retry-blocking"}}]}
JSON

run() {
	RINGLAB_WORKLOADS="$out/wl" timeout 300 "$top_builddir/ringlab" run cold-cache-test \
		--dir "$LOOPFS_DIR" --scale 0.25 --json "$out/$1.json" >"$out/$1.txt" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { cat "$out/$1.txt" >&2; fail "$1: ringlab run exited $rc"; }
}

# Per cold cell: its repetitions' rates ("1,1,1,1"), and every rep's extent status cache count.
rates() {
	jq -r '[.cells | group_by(.workload)[] | "\(.[0].workload)=\([.[].eagain_rate] | map(tostring) | join(","))"] | join(" ")' "$1"
}

check_run() {
	jq -e '[.cells[] | select(.es_cached_extents != 0)] | length == 0' "$out/$1.json" >/dev/null ||
		fail "$1: a cold cell started with extents cached: $(jq -c '[.cells[].es_cached_extents]' "$out/$1.json")"
	jq -e '[.cells[].eagain_rate] | length == 8' "$out/$1.json" >/dev/null || fail "$1: not 8 cells"
	jq -e '[.cells | group_by(.workload)[] | [.[].eagain_rate] | unique | length] | all(. == 1)' \
		"$out/$1.json" >/dev/null || fail "$1: repetitions of a cold cell differ: $(rates "$out/$1.json")"
	jq -e '[.summaries[] | .unstable] | all(. == false)' "$out/$1.json" >/dev/null ||
		fail "$1: a cell is flagged unstable"
}

run free
check_run free

# The same, with the files held open by this shell: the inodes stay in memory through every
# cache drop, as an earlier cell's leftovers can keep them. Cold must not depend on it.
for v in count retry-blocking; do
	: >"$LOOPFS_DIR/ringlab-nw-overwrite-aligned_cold_$v.dat"
done
exec 7<"$LOOPFS_DIR/ringlab-nw-overwrite-aligned_cold_count.dat"
exec 8<"$LOOPFS_DIR/ringlab-nw-overwrite-aligned_cold_retry-blocking.dat"
run held
exec 7>&- 8>&-
check_run held
[ "$(rates "$out/free.json")" = "$(rates "$out/held.json")" ] ||
	fail "cold depends on whether the inode was evicted: free $(rates "$out/free.json"), held $(rates "$out/held.json")"

# Repetitions of one kernel compared with each other: no EAGAIN change.
timeout 60 "$top_builddir/ringlab" compare --gate eagain "$out/free.json" "$out/held.json" \
	>"$out/cmp.txt" 2>&1 || { cat "$out/cmp.txt" >&2; fail "free vs held: EAGAIN changed"; }
grep '^total:' "$out/cmp.txt" | grep -q 'eagain-changed\|unstable' &&
	{ cat "$out/cmp.txt" >&2; fail "free vs held: EAGAIN not unchanged"; }
echo "ok: cold reps equal, free and held: $(rates "$out/held.json")"
exit 0
