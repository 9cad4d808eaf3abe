#!/bin/bash
# compare_cli_api.sh: `ringlab compare label:A label:B` (and run:ID lists) against a daemon makes one GET /api/v1/compare, not a fetch per run, and prints what comparing the same runs from files prints (text, JSON, seed tables); a file on either side keeps the comparison local.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
rl=$top_builddir/ringlab
work=$DAEMON_DIR

"$rl" run aligned-mixed --engine null --jobs 1 --repeat 3 --scale 0.01 --json "$work/r.json" \
	>/dev/null 2>&1 || fail "ringlab run --engine null"
ids=()
for i in 1 2 3 4 5 6; do	# three runs a label; B's IOPS twice A's, each run and rep a bit apart
	label=A f=1
	[ "$i" -gt 3 ] && label=B f=2
	jq --arg l "$label" --argjson f "$f" --argjson i "$i" \
		'{label: $l, run: (.cells |= map(.iops = 100000 * ($f + $i / 100 + .rep / 1000)))}' \
		"$work/r.json" >"$work/import.json"
	expect 201 POST /api/v1/runs/import --data-binary @"$work/import.json"
	ids+=("$(jq -r .id "$work/body")")
	"$rl" show "${ids[-1]}" --url "$DAEMON_URL" --json >"$work/run$i.json" || fail "ringlab show ${ids[-1]}"
done
files_a=$work/run3.json,$work/run2.json,$work/run1.json	# newest first, as label: takes them
files_b=$work/run6.json,$work/run5.json,$work/run4.json

# Responses the daemon sent (2xx), read from /metrics: that read is counted too.
answered() { curl -sS "$DAEMON_URL/metrics" | awk '/^ringlab_http_requests_total\{code="2xx"\}/ { print $2 }'; }
# requests CMD...: the 2xx answers CMD cost the daemon in $n, its status in $rc, its stdout in $work/out.
requests() {
	local before after
	before=$(answered)
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	after=$(answered)
	n=$((after - before - 1))
}

for fmt in "" --json --seed-tables; do
	requests "$rl" compare label:A label:B --url "$DAEMON_URL" $fmt
	[ "$rc" -le 1 ] || fail "compare label:A label:B $fmt exited $rc: $(cat "$work/err")"
	[ "$n" -eq 1 ] || fail "compare label:A label:B $fmt made $n requests, expected 1 (GET /api/v1/compare)"
	cp "$work/out" "$work/daemon$fmt.out"
	"$rl" compare "$files_a" "$files_b" $fmt >"$work/files$fmt.out" 2>"$work/err"
	[ $? -le 1 ] || fail "compare of files $fmt: $(cat "$work/err")"
	cmp -s "$work/daemon$fmt.out" "$work/files$fmt.out" ||
		fail "label: through the daemon and files print differently ($fmt): $(diff "$work/daemon$fmt.out" "$work/files$fmt.out" | head -20)"
done
grep -q "improved" "$work/daemon.out" || fail "A -> B (IOPS x2) is not improved: $(head -20 "$work/daemon.out")"

requests "$rl" compare "run:${ids[2]},run:${ids[1]},,run:${ids[0]}" "run:${ids[5]},run:${ids[4]},run:${ids[3]}" \
	--url "$DAEMON_URL"
[ "$n" -eq 1 ] || fail "compare of run:ID lists made $n requests, expected 1"
cmp -s "$work/out" "$work/daemon.out" || fail "run:ID lists print otherwise than their labels"

# A file on one side: the daemon's side is loaded here, and the verdicts are the same.
requests "$rl" compare "$files_a" label:B --url "$DAEMON_URL"
[ "$rc" -le 1 ] && [ "$n" -ge 3 ] || fail "a file against label:B: exit $rc, $n requests (expected the runs fetched)"
cmp -s "$work/out" "$work/daemon.out" || fail "files against label:B print otherwise"

# Errors still name the operand.
"$rl" compare label:A label:nothing --url "$DAEMON_URL" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "label:nothing: no done run with it" "$work/err" || fail "unknown label: exit $rc, $(cat "$work/err")"
"$rl" compare label:A run:x --url "$DAEMON_URL" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "'run:x': a run id is a positive number" "$work/err" || fail "run:x: exit $rc, $(cat "$work/err")"
"$rl" compare label: label:B --url "$DAEMON_URL" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "give the label after the colon" "$work/err" || fail "label: empty: exit $rc, $(cat "$work/err")"
echo "ok: one request a comparison, the same output as from files"
