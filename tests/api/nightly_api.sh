#!/bin/bash
# nightly_api.sh: POST /api/v1/runs/import (stored as finished runs, equal to the file, errors naming the field, a fractional _ns among them, its larger body cap) and /api/v1/nightly (store, list newest first, latest, one, errors; ids in canonical decimal).
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq
loopfs_create 256
rl=$top_builddir/ringlab
work=$DAEMON_DIR
fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/rld.log" ] && tail -n 20 "$work/rld.log" >&2
	exit 1
}

token=import-test-$$
daemon_config --token "$token" scratch="$LOOPFS_DIR"
daemon_start 10 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
base=$DAEMON_URL

# req METHOD PATH [curl options]: the status code; the body in $work/body, headers in $work/headers.
req() {
	local m=$1 p=$2
	shift 2
	curl -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$m" "$@" "$base$p"
}
expect() {	# STATUS METHOD PATH [curl options]
	local want=$1 got
	shift
	got=$(req "$@") || fail "$1 $2: curl failed"
	[ "$got" = "$want" ] || fail "$1 $2: status $got, expected $want: $(head -c 400 "$work/body")"
}
jqe() { jq -e "$1" "$work/body" >/dev/null || fail "body does not satisfy '$1': $(head -c 600 "$work/body")"; }
header() { grep -i "^$1:" "$work/headers" | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
AUTH="Authorization: Bearer $token"
post() {	# PATH FILE: POST the file with the token
	req POST "$1" -H "$AUTH" -H "Content-Type: application/json" -H "Expect:" --data-binary "@$2"
}
refused() {	# PATH FILE JQ-FILTER PATTERN: FILE through the filter, POSTed to PATH, is a 400 matching PATTERN
	jq "$3" "$2" >"$work/bad.json"
	[ "$(post "$1" "$work/bad.json")" = 400 ] || fail "$1 $3: $(cat "$work/body")"
	jq -e --arg p "$4" '.error | test($p)' "$work/body" >/dev/null || fail "$1 $3: error $(cat "$work/body"), expected /$4/"
}

# Two runs measured outside the daemon, one done and one failed.
"$rl" run nw-overwrite-aligned --dir "$LOOPFS_DIR" --scale 0.05 --repeat 3 -q \
	--label from-cli --kernel-tag cli-tag --json "$work/done.json" >/dev/null || fail "ringlab run failed"
"$rl" run nw-overwrite-aligned --dir "$work/no-such-dir" -q --json "$work/failed.json" >/dev/null 2>&1
jq -e '.status == "failed" and (.error | length > 0)' "$work/failed.json" >/dev/null || fail "no failed run to import"

# --- import ------------------------------------------------------------------------
jq '{run: ., label: "imported", kernel_tag: "v1"}' "$work/done.json" >"$work/imp.json"
expect 401 POST /api/v1/runs/import -H "Content-Type: application/json" --data-binary "@$work/imp.json"
[ "$(post /api/v1/runs/import "$work/imp.json")" = 201 ] || fail "import: $(cat "$work/body")"
jqe '.status == "done" and .url == "/api/v1/runs/\(.id)"'
id=$(jq .id "$work/body")
[ "$(header Location)" = "/api/v1/runs/$id" ] || fail "import: Location '$(header Location)'"
expect 200 GET "/api/v1/runs/$id"
cp "$work/body" "$work/got.json"
jqe '.status == "done" and .label == "imported" and .kernel_tag == "v1" and .target == "vm" and
	.what == "nw-overwrite-aligned" and .env.label == "imported" and .env.kernel_tag == "v1" and
	.ncells == 3 and .failed_cells == 0 and .created == .started'
for k in started finished started_ns finished_ns cells workloads scale suite; do
	diff <(jq -S ".$k" "$work/done.json") <(jq -S ".$k" "$work/got.json") >/dev/null ||
		fail "import: .$k differs from the imported file"
done
diff <(jq -S '.env | del(.label, .kernel_tag)' "$work/done.json") <(jq -S '.env | del(.label, .kernel_tag)' "$work/got.json") >/dev/null ||
	fail "import: the env differs from the imported file"

# Label and tag from the run's own env when not given; a target; a failed run stays failed.
jq '{run: ., target: "lab-2"}' "$work/done.json" >"$work/imp2.json"
[ "$(post /api/v1/runs/import "$work/imp2.json")" = 201 ] || fail "import 2: $(cat "$work/body")"
id2=$(jq .id "$work/body")
expect 200 GET "/api/v1/runs/$id2"
jqe '.label == "from-cli" and .kernel_tag == "cli-tag" and .target == "lab-2"'
jq '{run: ., label: "imported", kernel_tag: "v2"}' "$work/failed.json" >"$work/imp3.json"
[ "$(post /api/v1/runs/import "$work/imp3.json")" = 201 ] || fail "import of a failed run: $(cat "$work/body")"
jqe '.status == "failed"'
id3=$(jq .id "$work/body")
expect 200 GET "/api/v1/runs/$id3"
jqe '.status == "failed" and (.error | test("no-such-dir")) and .ncells == 0'
expect 200 GET '/api/v1/runs?label=imported&kernel=v1'
jqe ".total == 1 and .runs[0].id == $id"
expect 200 GET "/api/v1/compare?base=$id&head=$id2"
jqe '.format == "ringlab-compare-1" and .summary.cells == 1'
expect 200 GET /api/v1/system
jqe '[.targets[].name] == ["scratch"]'

# Errors name the field.
bad() { refused /api/v1/runs/import "$work/done.json" "$@"; }	# JQ-FILTER PATTERN
bad '{label: "x"}' 'field run: required'
bad '{run: 1}' 'field run'
bad '{run: (. + {format: "other"})}' 'field run: format'
bad '{run: (.cells[1].iops = "fast")}' 'field run: cells\[1\]\.iops'
bad '{run: (. + {status: "running"})}' 'field run: status'
bad '{run: (. + {started: null, started_ns: 0})}' 'field run: started'
bad '{run: (. + {started_ns: 1.5})}' 'field run: started_ns: expected a whole number'
bad '{run: (.cells[0].enter_ns = 1.5)}' 'field run: cells\[0\]\.enter_ns: expected an integer'
bad '{run: ., bogus: 1}' "unknown field 'bogus'"
bad '{run: ., target: "Has Space"}' 'field target'
bad '{run: ., label: ("x" * 200)}' 'field label'
bad '{run: ., kernel_tag: 5}' 'field kernel_tag'
expect 400 POST /api/v1/runs/import -H "$AUTH" --data-binary '[1]'
expect 400 POST /api/v1/runs/import -H "$AUTH" --data-binary '{"run": '
jqe '.error | test("line 1")'
expect 405 GET /api/v1/runs/import
[ "$(header Allow)" = "POST" ] || fail "GET import: Allow '$(header Allow)'"

# The import's cap is 16 MiB, the rest keep max_body (64 KiB).
head -c 300000 /dev/zero | tr '\0' a >"$work/pad"
jq --rawfile pad "$work/pad" '{run: (. + {padding: $pad}), label: "big"}' "$work/done.json" >"$work/big.json"
[ "$(post /api/v1/runs/import "$work/big.json")" = 201 ] || fail "a 300 KB import: $(head -c 300 "$work/body")"
[ "$(post /api/v1/runs "$work/big.json")" = 413 ] || fail "300 KB to /api/v1/runs: $(head -c 300 "$work/body")"
jqe '.error | test("max_body")'
{ printf '{"run": {"padding": "'; head -c $((17 << 20)) /dev/zero | tr '\0' a; printf '"}}'; } >"$work/huge.json"
[ "$(post /api/v1/runs/import "$work/huge.json")" = 413 ] || fail "17 MiB import: $(head -c 300 "$work/body")"
jqe '.error | test("16777216")'
echo "ok: import: runs $id, $id2, $id3 stored as measured; errors name the field; 16 MiB cap"

# --- nightly reports ------------------------------------------------------------------------
expect 200 GET /api/v1/nightly
jqe '.reports == [] and .total == 0 and .limit == 50 and .offset == 0'
expect 404 GET /api/v1/nightly/latest
jqe '.error | test("no nightly report")'
report() {	# STATUS STARTED_S LABEL
	jq -n --arg st "$1" --argjson t "$2" --arg l "$3" --argjson run "$id" '{format: "ringlab-nightly-1",
		status: $st, summary: "1 \($st) (2 variants x 1 suite)", label: $l,
		started: "x", started_ns: ($t * 1e9), finished_ns: (($t + 60) * 1e9),
		variants: [{name: "v1", suites: [{suite: "seed", run: {id: $run}}]}]}'
}
report regressed 1790000000 night-a >"$work/n1.json"
report ok 1790086400 night-b >"$work/n2.json"
expect 401 POST /api/v1/nightly -H "Content-Type: application/json" --data-binary "@$work/n1.json"
[ "$(post /api/v1/nightly "$work/n2.json")" = 201 ] || fail "POST nightly: $(cat "$work/body")"
jqe '.status == "ok" and .url == "/api/v1/nightly/\(.id)"'
newer=$(jq .id "$work/body")
[ "$(header Location)" = "/api/v1/nightly/$newer" ] || fail "nightly: Location '$(header Location)'"
# Stored second but started a day earlier: listed after.
[ "$(post /api/v1/nightly "$work/n1.json")" = 201 ] || fail "POST nightly 2: $(cat "$work/body")"
older=$(jq .id "$work/body")
expect 200 GET /api/v1/nightly
jqe ".total == 2 and [.reports[].id] == [$newer, $older] and .reports[1].status == \"regressed\""
jqe '.reports[0] | .label == "night-b" and .duration_s == 60 and (.summary | test("1 ok")) and
	.started == "2026-09-22T14:13:20.000000000Z" and (has("report") | not) and has("created")'
expect 200 GET '/api/v1/nightly?limit=1&offset=1'
jqe ".total == 2 and (.reports | length) == 1 and .reports[0].id == $older"
expect 200 GET /api/v1/nightly/latest
jqe ".id == $newer and .status == \"ok\""
diff <(jq -S .report "$work/body") <(jq -S . "$work/n2.json") >/dev/null || fail "latest: the report is not what was posted"
expect 200 GET "/api/v1/nightly/$older"
jqe ".id == $older and .report.label == \"night-a\" and .report.variants[0].suites[0].run.id == $id"
expect 404 GET /api/v1/nightly/999
jqe '.error | test("999")'
expect 404 GET /api/v1/nightly/abc
expect 400 GET "/api/v1/nightly/0$older"
expect 400 GET '/api/v1/nightly?limit=0'
expect 400 GET '/api/v1/nightly?bogus=1'
jqe '.error | test("bogus")'
expect 405 DELETE /api/v1/nightly -H "$AUTH"
[ "$(header Allow)" = "GET, HEAD, POST" ] || fail "DELETE nightly: Allow '$(header Allow)'"

nbad() { refused /api/v1/nightly "$work/n1.json" "$@"; }	# JQ-FILTER PATTERN
nbad '.status = "meh"' 'field status'
nbad 'del(.summary)' 'field summary'
nbad '.format = "ringlab-run-1"' 'field format'
nbad '.started_ns = "yesterday"' 'field started_ns'
nbad '.finished_ns = 1' 'field finished_ns'
nbad '.started_ns = 1.5' 'field started_ns: .*whole number'
nbad '.finished_ns = 1e19' 'field finished_ns'
nbad '.label = 7' 'field label'
expect 400 POST /api/v1/nightly -H "$AUTH" --data-binary '"just a string"'
expect 200 GET /api/v1/nightly
jqe '.total == 2'
echo "ok: nightly reports $newer and $older: stored, listed newest first, latest, errors"
exit 0
