#!/bin/bash
# null_engine.sh: ringlab's own cost per I/O: the null engine's operations per second per core
# (operations / CPU seconds), with and without per-I/O data pattern fill, at queue depths 1 and 32.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rl=${RINGLAB:-$top/ringlab}
command -v jq >/dev/null || { echo "null_engine.sh: needs jq" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for qd in 1 32; do
	for verify in true false; do
		cat >"$out/w.json" <<JSON
{"name": "bench-null", "stripe": "W", "io_size": 4096, "queue_depth": $qd, "jobs": [1],
 "size_per_job": "8G", "repetitions": 3, "verify": $verify}
JSON
		"$rl" run "$out/w.json" --engine null -q --json "$out/r.json" >/dev/null
		jq -r --arg qd "$qd" --arg v "$verify" '[.cells[] | .ops / (.cpu_user_s + .cpu_sys_s)] | sort |
			"null engine, 4 KiB, qd \($qd), pattern fill \($v): \(.[1] | floor) ops per CPU-second (median of 3)"' "$out/r.json"
	done
done
