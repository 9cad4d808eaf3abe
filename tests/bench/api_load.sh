#!/bin/bash
# api_load.sh: what serving the API costs a measurement. wrk saturates /api/v1/runs and /metrics
# (requests/s, p99 latency); the same workload runs without load, under a paced load (20 requests/s,
# several dashboards open) and under wrk's saturation, alternating ROUNDS times: prints the IOPS
# ratios against the unloaded runs (target: paced > 0.98). On a 2-core machine wrk itself takes a
# core from the measurement, so the saturated ratio is an upper bound on the cost, not the cost.
#   sudo tests/bench/api_load.sh [ROUNDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
rld=${RINGLABD:-$top/ringlabd}
for tool in jq curl wrk; do
	command -v $tool >/dev/null || { echo "api_load.sh: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
top_srcdir=$top
. "$top/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 1024
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; loopfs_cleanup' EXIT
mkdir "$work/workloads"
cp "$top/tests/bench/bench-overwrite-4k.json" "$work/workloads/"
cat >"$work/config.json" <<JSON
{"state_dir": "$work/state", "workloads_dir": "$work/workloads",
 "targets": [{"name": "t", "kind": "dir", "path": "$LOOPFS_DIR"}]}
JSON
"$rld" -c "$work/config.json" --port 0 --port-file "$work/port" >"$work/rld.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")

run_iops() {	# one 10 s run of bench-overwrite-4k; prints its IOPS
	local id st
	id=$(curl -sS -X POST "$url/api/v1/runs" -d '{"workload": "bench-overwrite-4k", "repeat": 1}' | jq -r .id)
	while st=$(curl -sS "$url/api/v1/runs/$id" | jq -r .status); [ "$st" = queued ] || [ "$st" = running ]; do
		sleep 0.5
	done
	curl -sS "$url/api/v1/runs/$id" | jq -r '.cells[0].iops'
}

cat >"$work/paths.lua" <<'LUA'
local paths = { "/api/v1/runs", "/metrics" }
local i = 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[i % 2 + 1])
end
LUA
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >"$work/quiet"; : >"$work/paced"; : >"$work/loaded"
paced_load() {	# 20 requests/s until killed
	while :; do
		curl -s -o /dev/null "$url/api/v1/runs"; curl -s -o /dev/null "$url/metrics"
		sleep 0.1
	done
}
for r in $(seq "$rounds"); do
	q=$(run_iops); echo "$q" >>"$work/quiet"
	paced_load & ppid=$!
	p=$(run_iops); echo "$p" >>"$work/paced"
	kill $ppid; wait $ppid 2>/dev/null || true
	wrk -t1 -c8 -d14s --latency -s "$work/paths.lua" "$url" >"$work/wrk.$r" &
	wpid=$!
	sleep 1
	l=$(run_iops); echo "$l" >>"$work/loaded"
	wait $wpid
	rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.$r")
	p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.$r")
	printf 'round %s: unloaded %.0f IOPS, paced %.0f, saturated %.0f; wrk %s req/s, p99 %s\n' \
		"$r" "$q" "$p" "$l" "$rps" "$p99"
done
awk -v q="$(median <"$work/quiet")" -v p="$(median <"$work/paced")" -v l="$(median <"$work/loaded")" \
	'BEGIN { printf "IOPS ratio paced/unloaded: %.3f; saturated/unloaded: %.3f (%.0f, %.0f / %.0f)\n",
		p / q, l / q, p, l, q }'
