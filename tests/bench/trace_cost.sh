#!/bin/sh
# trace_cost.sh DIR [REPS]: IOPS of the same cells with trace_eagain on and off, interleaved, REPS (3) times each.
# Not a test: prints one line per run; compare the medians. DIR is a mounted ext4 directory; needs root.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
rl=${RINGLAB:-$top/ringlab}
dir=$1
reps=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in on off; do
	jq ".name = \"ow-$m\" | .trace_eagain = \"$m\" | .size_per_job = \"64M\" | .repetitions = 1 | .expect = {}" \
		"$top/workloads/nw-overwrite-aligned.json" >"$tmp/ow-$m.json"
	jq ".name = \"mixrb-$m\" | .trace_eagain = \"$m\" | .size_per_job = \"16M\" | .repetitions = 1 |
		.eagain_policy = \"retry-blocking\" | .expect = {}" \
		"$top/workloads/nw-mixed-aligned.json" >"$tmp/mixrb-$m.json"
done
i=1
while [ "$i" -le "$reps" ]; do
	for m in on off; do
		for w in ow mixrb; do
			"$rl" run "$tmp/$w-$m.json" --dir "$dir" -q --json "$tmp/out.json" >/dev/null 2>&1 || true
			echo "$w trace=$m rep=$i iops=$(jq '.cells[0].iops | floor' "$tmp/out.json") eagain=$(jq '.cells[0].eagain' "$tmp/out.json")"
		done
	done
	i=$((i + 1))
done
