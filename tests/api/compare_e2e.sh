#!/bin/bash
# compare_e2e.sh: the same workload on a slow (mounted -o sync) and a fast ext4 target through ringlabd; CLI (daemon and file sources) and API give the same verdict: improved one way, regressed (exit 1) the other; unknown and incompatible runs are clear errors.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq
rl=$top_builddir/ringlab
work=$DAEMON_DIR
fail() { echo "FAIL: $*" >&2; [ -f "$work/rld.log" ] && tail -n 20 "$work/rld.log" >&2; exit 1; }

# Both over files in RAM, so the disk's noise stays out; the slow one is capped at 1000
# writes a second by a cgroup the daemon runs in or, where cgroups cannot, mounted -o sync
# (a journal commit per write to an unwritten extent).
TMPDIR=/dev/shm loopfs_create 256
slow=$LOOPFS_DIR
if ! throttle_cgroup "$LOOPFS_DEV" 1000; then
	mount -o remount,sync "$slow" || fail "remount -o sync"
fi
TMPDIR=/dev/shm loopfs_create 256
fast=$LOOPFS_DIR
daemon_config slow="$slow" fast="$fast"
daemon_start --throttled 10 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
url=$DAEMON_URL

run() {	# TARGET LABEL WORKLOAD: one run to the end; prints its id
	local id st
	id=$(curl -sS -X POST "$url/api/v1/runs" -d "{\"workload\": \"$3\", \"target\": \"$1\", \"label\": \"$2\",
		\"jobs\": [1], \"scale\": 0.01, \"repeat\": 7}" | jq -r .id)
	for _ in $(seq 1200); do
		st=$(curl -sS "$url/api/v1/runs/$id" | jq -r .status)
		case $st in done) echo "$id"; return 0 ;; failed|aborted) fail "run $id $st" ;; esac
		sleep 0.1
	done
	fail "run $id did not finish"
}
base=$(run slow base aligned-mixed)
head=$(run fast head aligned-mixed)
other=$(run fast other nw-overwrite-aligned)

pick='[.workloads[].cells[] | {workload, jobs, verdict, ratio, ci_lo, ci_hi, eagain_verdict}]'
curl -sS "$url/api/v1/compare?base=label:base&head=label:head" >"$work/api.json"
jq -e '[.workloads[].cells[]] | length == 1' "$work/api.json" >/dev/null || fail "API: expected one cell"
jq -e '.workloads[0].cells[0].verdict == "improved"' "$work/api.json" >/dev/null ||
	fail "API: verdict $(jq -c "$pick" "$work/api.json"), expected improved"

"$rl" compare label:base label:head --url "$url" --json >"$work/cli.json"; rc=$?
[ $rc -eq 0 ] || fail "CLI compare base->head exited $rc"
diff <(jq -S "$pick" "$work/api.json") <(jq -S "$pick" "$work/cli.json") || fail "CLI (daemon) and API differ"

"$rl" show "$base" --url "$url" --json >"$work/base.json"
"$rl" show "$head" --url "$url" --json >"$work/head.json"
"$rl" compare "$work/base.json" "$work/head.json" --json >"$work/files.json" || fail "CLI compare of files failed"
diff <(jq -S "$pick" "$work/api.json") <(jq -S "$pick" "$work/files.json") || fail "CLI (files) and API differ"
"$rl" compare "$work/base.json" "$work/head.json" | tee "$work/text.txt"
grep -q "improved" "$work/text.txt" || fail "the text table does not say improved"

"$rl" compare "run:$head" "run:$base" --url "$url" >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "fast->slow must exit 1 (regressed), exited $rc"
curl -sS "$url/api/v1/compare?base=$head&head=$base" | jq -e '.workloads[0].cells[0].verdict == "regressed"' >/dev/null ||
	fail "API: fast->slow is not regressed"

# The gate follows ?gate=: a regression fails iops and both, not eagain.
for g in iops:true both:true eagain:false; do
	curl -sS "$url/api/v1/compare?base=$head&head=$base&gate=${g%%:*}" |
		jq -e ".gate == ${g#*:} and .gate_on == \"${g%%:*}\"" >/dev/null ||
		fail "API: gate=${g%%:*} is not ${g#*:}"
done
code=$(curl -sS -o "$work/err.json" -w '%{http_code}' "$url/api/v1/compare?base=$head&head=$base&gate=all")
[ "$code" = 400 ] && jq -e '.error | test("gate")' "$work/err.json" >/dev/null ||
	fail "gate=all: HTTP $code $(cat "$work/err.json")"

code=$(curl -sS -o "$work/err.json" -w '%{http_code}' "$url/api/v1/compare?base=999&head=$head")
[ "$code" = 404 ] || fail "unknown run: HTTP $code"
jq -e '.error | test("999")' "$work/err.json" >/dev/null || fail "unknown run: error does not name it"
"$rl" compare run:999 "run:$head" --url "$url" 2>"$work/err.txt"; rc=$?
[ $rc -eq 2 ] && grep -q 999 "$work/err.txt" || fail "CLI unknown run: exit $rc, $(cat "$work/err.txt")"

code=$(curl -sS -o "$work/err.json" -w '%{http_code}' "$url/api/v1/compare?base=$base&head=$other")
[ "$code" = 400 ] || fail "no common cells: HTTP $code"
jq -e '.error | test("no common cells")' "$work/err.json" >/dev/null || fail "no common cells: $(cat "$work/err.json")"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?
[ $rc -eq 0 ] || fail "ringlabd exited $rc on SIGTERM (is \$DAEMON_PID the daemon?)"
pgrep -f "$work/ringlabd.json" >/dev/null && fail "a ringlabd of this test is still running"
DAEMON_PID=
echo "ok: improved $(jq -r '.workloads[0].cells[0].ratio' "$work/api.json")x, CLI and API agree"
exit 0
