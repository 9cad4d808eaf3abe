#!/bin/bash
# store_backends.sh: ringlabd's store on SQLite and on PostgreSQL side by side, through the API.
# One 192-cell nowait-fingerprint run (the null engine, so no storage is measured) is imported
# RUNS times (default 300) into a fresh ringlabd on each backend, alternating two labels; then
# GET /api/v1/history, a label listing (median of 5) and a label:A vs label:B comparison (64 runs
# a side, median of 3) are timed. Both daemons run at once and the requests alternate between
# them. Prints import runs/s (the time the imports took) and ms per request, and PostgreSQL's
# ratio to SQLite.
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
declare -A url pid
cleanup() {
	for p in "${pid[@]:-}"; do
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	pid=()
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

start() {	# start ringlabd $1 (sqlite|postgresql) on the store JSON member $2
	cat >"$work/config-$1.json" <<JSON
{"state_dir": "$work/state-$1", "workloads_dir": "$top/workloads",
 "targets": [{"name": "t", "kind": "dir", "path": "$LOOPFS_DIR"}], $2}
JSON
	mkdir -p "$work/state-$1"
	"$build/ringlabd" -c "$work/config-$1.json" --port 0 --port-file "$work/port-$1" \
		>"$work/rld-$1.log" 2>&1 &
	pid[$1]=$!
	for _ in $(seq 100); do [ -s "$work/port-$1" ] && break; sleep 0.1; done
	url[$1]=http://127.0.0.1:$(cat "$work/port-$1")
}

post() {	# POST $2 to $1's import; prints the seconds it took (a 503 is tried again)
	local code
	while :; do
		code=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --data-binary @"$2" \
			"${url[$1]}/api/v1/runs/import")
		case $code in
		201\ *) echo "${code#* }"; return ;;
		503\ *) retries=$((retries + 1)); sleep 0.05 ;;
		*) echo "store_backends: import on $1 answered $code" >&2; exit 1 ;;
		esac
	done
}

get() {	# GET $2 on $1; prints the seconds
	curl -sS -o /dev/null -f -w '%{time_total}\n' "${url[$1]}$2"
}

median_ms() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1000 }'
}

# Both daemons at once and every request alternating between them: the
# machine's other load falls on both alike.
start sqlite '"store": {"kind": "sqlite"}'
start postgresql "\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"$PG_CONNINFO\"}"
declare -A total
retries=0
for b in sqlite postgresql; do total[$b]=0; done
for i in $(seq "$runs"); do
	body=$work/body-$([ $((i % 2)) = 0 ] && echo a || echo b).json
	for b in sqlite postgresql; do
		total[$b]=$(echo "${total[$b]} + $(post $b "$body")" | bc -l)
	done
done
declare -A hist list cmp
q_hist="/api/v1/history?workload=$workload&jobs=$jobs&limit=1000"
q_list="/api/v1/runs?label=bench-a&limit=1000"
q_cmp="/api/v1/compare?base=label:bench-a&head=label:bench-b"
for b in sqlite postgresql; do : >"$work/hist-$b"; : >"$work/list-$b"; : >"$work/cmp-$b"; done
for _ in 1 2 3 4 5; do
	for b in sqlite postgresql; do
		get $b "$q_hist" >>"$work/hist-$b"
		get $b "$q_list" >>"$work/list-$b"
	done
done
for _ in 1 2 3; do
	for b in sqlite postgresql; do
		get $b "$q_cmp" >>"$work/cmp-$b"
	done
done
for b in sqlite postgresql; do
	hist[$b]=$(median_ms <"$work/hist-$b")
	list[$b]=$(median_ms <"$work/list-$b")
	cmp[$b]=$(median_ms <"$work/cmp-$b")
done
echo "store_backends: $runs imported runs of $(jq '.cells | length' "$work/fp.json") cells a backend ($retries imports answered 503 and were sent again)"
printf '%-30s %10s %12s %8s\n' "" sqlite postgresql ratio
row() {
	printf '%-30s %10s %12s %8s\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l | xargs printf '%.2f')"
}
row "import (runs/s)" "$(echo "$runs / ${total[sqlite]}" | bc -l | xargs printf '%.1f')" \
	"$(echo "$runs / ${total[postgresql]}" | bc -l | xargs printf '%.1f')"
row "GET /api/v1/history (ms)" "${hist[sqlite]}" "${hist[postgresql]}"
row "GET /api/v1/runs?label= (ms)" "${list[sqlite]}" "${list[postgresql]}"
row "GET /api/v1/compare label: (ms)" "${cmp[sqlite]}" "${cmp[postgresql]}"
