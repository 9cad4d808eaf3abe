#!/bin/sh
# trace_cost.sh DIR [REPS]: IOPS of the same cells with trace_eagain off, on (per-CPU binary buffers) and on read as trace_pipe text, interleaved, REPS (3) times each.
# Not a test: prints one line per run (IOPS, CPU microseconds per write); compare the medians. DIR is a mounted ext4 directory; needs root.
# "text" is how trace_eagain read the kernel's events before the binary reader (RINGLAB_TRACE_READER=text).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
rl=${RINGLAB:-$top/ringlab}
dir=$1
reps=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in raw text off; do
	t=on
	[ "$m" = off ] && t=off
	jq ".name = \"ow-$m\" | .trace_eagain = \"$t\" | .size_per_job = \"64M\" | .repetitions = 1 | .expect = {}" \
		"$top/workloads/nw-overwrite-aligned.json" >"$tmp/ow-$m.json"
	jq ".name = \"mixrb-$m\" | .trace_eagain = \"$t\" | .size_per_job = \"16M\" | .repetitions = 1 |
		.eagain_policy = \"retry-blocking\" | .expect = {}" \
		"$top/workloads/nw-mixed-aligned.json" >"$tmp/mixrb-$m.json"
done
i=1
while [ "$i" -le "$reps" ]; do
	for m in raw text off; do
		for w in ow mixrb; do
			RINGLAB_TRACE_READER=$m "$rl" run "$tmp/$w-$m.json" --dir "$dir" -q --json "$tmp/out.json" >/dev/null 2>&1 || true
			# CPU per write (the process: jobs, the reader thread, the kernel for both)
			# is steadier than IOPS on a shared machine.
			echo "$w trace=$m rep=$i iops=$(jq '.cells[0].iops | floor' "$tmp/out.json") eagain=$(jq '.cells[0].eagain' "$tmp/out.json")" \
				"cpu_us_per_write=$(jq '.cells[0] | (.cpu_user_s + .cpu_sys_s) * 1e6 / .attempts * 10 | floor / 10' "$tmp/out.json")"
		done
	done
	i=$((i + 1))
done
