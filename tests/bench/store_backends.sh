#!/bin/bash
# store_backends.sh: ringlabd's store on SQLite and on PostgreSQL side by side, through the API.
# One 192-cell nowait-fingerprint run (the null engine, so no storage is measured) is imported
# RUNS times (default 300) into a fresh ringlabd on each backend, alternating two labels; then
# GET /api/v1/history, a label listing and a label:A vs label:B comparison (64 runs a side) are
# timed (median of 5). Prints import runs/s and ms per request, and PostgreSQL's ratio to SQLite.
# PostgreSQL runs with its defaults (fsync, synchronous_commit on); SQLite as ringlabd sets it
# (WAL, synchronous=NORMAL).
#   sudo tests/bench/store_backends.sh [RUNS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-300}
build=${RINGLAB_BUILD:-$top}
for tool in jq curl; do
	command -v $tool >/dev/null || { echo "store_backends.sh: needs $tool" >&2; exit 1; }
done
top_srcdir=$top
. "$top/tests/lib/loopfs.sh"
. "$top/tests/lib/pg.sh"
loopfs_require
pg_require
loopfs_create 64
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
	pg_stop
	rm -rf "$work"
	loopfs_cleanup
}
trap cleanup EXIT
PG_DURABLE=1 pg_start
trap cleanup EXIT

"$build/ringlab" run nowait-fingerprint --engine null --scale 0.01 --json "$work/fp.json" \
	--workloads "$top/workloads" >/dev/null 2>&1 || "$build/ringlab" run nowait-fingerprint \
	--engine null --scale 0.01 --json "$work/fp.json" >/dev/null
for l in a b; do
	jq -c --arg l "bench-$l" '{run: ., label: $l, kernel_tag: "bench"}' "$work/fp.json" >"$work/body-$l.json"
done
workload=$(jq -r '.cells[0].workload' "$work/fp.json")
jobs=$(jq -r '.cells[0].jobs' "$work/fp.json")

start() {	# start ringlabd on the store JSON member $1
	cat >"$work/config.json" <<JSON
{"state_dir": "$work/state-$2", "workloads_dir": "$top/workloads",
 "targets": [{"name": "t", "kind": "dir", "path": "$LOOPFS_DIR"}], $1}
JSON
	mkdir -p "$work/state-$2"
	rm -f "$work/port"
	"$build/ringlabd" -c "$work/config.json" --port 0 --port-file "$work/port" >"$work/rld-$2.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
	url=http://127.0.0.1:$(cat "$work/port")
}

stop() {
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

ms() {	# the median of 5 GETs of $1, in ms
	for _ in 1 2 3 4 5; do
		curl -sS -o /dev/null -w '%{time_total}\n' "$url$1"
	done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }'
}

measure() {	# $1: sqlite|postgresql, $2: the store member
	local t0 t1 i
	start "$2" "$1"
	t0=$(date +%s.%N)
	for i in $(seq "$runs"); do
		curl -sS -o /dev/null -f --retry 20 --retry-delay 1 --data-binary @"$work/body-$([ $((i % 2)) = 0 ] && echo a || echo b).json" \
			"$url/api/v1/runs/import"
	done
	t1=$(date +%s.%N)
	rate[$1]=$(echo "$runs / ($t1 - $t0)" | bc -l | xargs printf '%.1f')
	hist[$1]=$(ms "/api/v1/history?workload=$workload&jobs=$jobs&limit=1000")
	list[$1]=$(ms "/api/v1/runs?label=bench-a&limit=1000")
	cmp[$1]=$(ms "/api/v1/compare?base=label:bench-a&head=label:bench-b")
	stop
}

declare -A rate hist list cmp
measure sqlite '"store": {"kind": "sqlite"}'
measure postgresql "\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"$PG_CONNINFO\"}"
echo "store_backends: $runs imported runs of $(jq '.cells | length' "$work/fp.json") cells"
printf '%-28s %10s %12s %8s\n' "" sqlite postgresql ratio
row() {
	printf '%-28s %10s %12s %8s\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l | xargs printf '%.2f')"
}
row "import (runs/s)" "${rate[sqlite]}" "${rate[postgresql]}"
row "GET /api/v1/history (ms)" "${hist[sqlite]}" "${hist[postgresql]}"
row "GET /api/v1/runs?label (ms)" "${list[sqlite]}" "${list[postgresql]}"
row "GET /api/v1/compare (ms)" "${cmp[sqlite]}" "${cmp[postgresql]}"
