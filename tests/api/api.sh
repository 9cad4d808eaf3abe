#!/bin/sh
# api.sh: ringlabd's HTTP API end to end on loop-mounted ext4: every endpoint and error status of daemon/http/API.md, a real run, SSE, cancel, metrics, static files.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 256

TOKEN=api-test-token-$$
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"

# --- the daemon: a dir target on the loop fs, a token, a small dashboard ------------
mkdir -p "$DAEMON_DIR/state" "$DAEMON_DIR/web/js"
printf '<!doctype html><title>ringlab-api-test</title>\n' >"$DAEMON_DIR/web/index.html"
printf 'console.log("ringlab");\n' >"$DAEMON_DIR/web/js/app.js"
ln -s /etc/passwd "$DAEMON_DIR/web/escape.txt"
daemon_config scratch="$LOOPFS_DIR" --keys "\"listen\": \"127.0.0.1\", \"token\": \"$TOKEN\", \"web_dir\": \"$DAEMON_DIR/web\",
	\"allowed_hosts\": [\"ringlab.example\"]"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
grep -q "listening on 127.0.0.1:$DAEMON_PORT" "$DAEMON_DIR/rld.log" || fail "no 'listening on 127.0.0.1:$DAEMON_PORT' in the log"

# --- helpers beyond tests/lib/runs.sh's req, expect, jqe and header --------------------
# is_json_error: a JSON error response with the API's headers.
is_json_error()
{
	jqe '(.error | type == "string") and (.error | length > 0) and has("detail")'
	[ "$(header Content-Type)" = "application/json; charset=utf-8" ] ||
		fail "$_m $_p: Content-Type '$(header Content-Type)'"
	[ "$(header Cache-Control)" = "no-store" ] || fail "$_m $_p: Cache-Control '$(header Cache-Control)'"
}

submit_run()
{
	req POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary "$1"
}

# refused_run KEY VALUE: nw-overwrite-aligned with KEY: VALUE is a 400 whose error names KEY.
refused_run()
{
	expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" \
		--data-binary "{\"workload\": \"nw-overwrite-aligned\", \"$1\": $2}"
	jqe ".error | test(\"$1\")"
}

# wait_status ID STATUS SECONDS
wait_status()
{
	_i=0
	while :; do
		expect 200 GET "/api/v1/runs/$1/progress"
		[ "$(jq -r .status "$DAEMON_DIR/body")" = "$2" ] && return 0
		[ $_i -lt $(($3 * 5)) ] || fail "run $1 is $(jq -r .status "$DAEMON_DIR/body") after $3 s, expected $2"
		sleep 0.2
		_i=$((_i + 1))
	done
}

# --- health, system, workloads -----------------------------------------------------
expect 200 GET /api/v1/health
jqe '.status == "ok" and .store == "ok" and .targets == 1 and .running == 0'
jqe ".store_kind == \"${RL_TEST_STORE:-sqlite}\""
jqe '(.version | type == "string") and .uptime_s >= 0'
[ "$(header Content-Type)" = "application/json; charset=utf-8" ] || fail "health: Content-Type '$(header Content-Type)'"
[ "$(header Cache-Control)" = "no-store" ] || fail "health: Cache-Control '$(header Cache-Control)'"

expect 200 GET /api/v1/system
jqe ".kernel.release == \"$(uname -r)\" and (.kernel.cmdline | type == \"string\") and .cpus >= 1"
jqe '(.hostname | length > 0) and (.ringlab_version | length > 0)'
jqe '(.io_uring.opcodes | type == "array") and (.io_uring.features | type == "array")'
jqe '(.versions.microhttpd | length > 0) and (.versions.sqlite | length > 0) and (.versions.libpq | length > 0) and (.versions.cjson | length > 0)'
jqe ".targets | length == 1 and .[0].name == \"scratch\" and .[0].kind == \"dir\" and .[0].fs_type == \"ext4\""
jqe ".targets[0].busy == false and .targets[0].current_run == null and .targets[0].path == \"$LOOPFS_DIR\""

expect 200 GET /api/v1/workloads
jqe '[.suites[].name] | index("seed") != null'
jqe '.suites[] | select(.name == "seed") | (.workloads | length >= 2) and .scale > 0'
jqe '.workloads[] | select(.name == "nw-overwrite-aligned") | .io_size == 8192 and .stripe == "WW"'

expect 200 GET /api/v1/runs
jqe '.runs == [] and .total == 0 and .limit == 50 and .offset == 0'

# --- errors that need no run ---------------------------------------------------------------
expect 404 GET /api/v1/nope
is_json_error
jqe '.error | test("no such path")'
expect 404 POST /api/v1/nope -H "$AUTH"
is_json_error
expect 404 GET /api/v1/runs/999999
is_json_error
jqe '.error | test("999999")'
expect 404 GET /api/v1/runs/abc
is_json_error
# One spelling per id: "01", "+1", " 1" are not run 1 (nor 404: the id is misspelt, not unknown).
for id in 01 +1 %201 1x; do
	expect 400 GET "/api/v1/runs/$id/progress"
	jqe '.error | test("decimal without")'
done
expect 400 GET '/api/v1/runs?limit=010'
expect 404 GET /api/v1/runs/999999/progress
expect 404 GET /api/v1/runs/999999/events
expect 404 POST /api/v1/runs/999999/cancel -H "$AUTH"
is_json_error

expect 405 DELETE /api/v1/runs -H "$AUTH"
is_json_error
[ "$(header Allow)" = "GET, HEAD, POST" ] || fail "405 Allow is '$(header Allow)'"
jqe '.error | test("DELETE")'
expect 405 PUT /api/v1/health
[ "$(header Allow)" = "GET, HEAD" ] || fail "405 on health: Allow is '$(header Allow)'"
expect 405 GET /api/v1/runs/1/cancel
[ "$(header Allow)" = "POST" ] || fail "405 on cancel: Allow is '$(header Allow)'"

small='{"workload": "nw-overwrite-aligned", "scale": 0.1, "repeat": 1}'
expect 401 POST /api/v1/runs -H "$JSON" --data-binary "$small"
is_json_error
[ "$(header WWW-Authenticate)" = 'Bearer realm="ringlab"' ] ||
	fail "401 without WWW-Authenticate: '$(header WWW-Authenticate)'"
expect 401 POST /api/v1/runs -H "Authorization: Bearer wrong-$TOKEN" -H "$JSON" --data-binary "$small"
is_json_error
[ "$(header WWW-Authenticate)" = 'Bearer realm="ringlab"' ] || fail "401 (wrong token) without WWW-Authenticate"
expect 401 POST /api/v1/runs/1/cancel
expect 200 GET /api/v1/runs -H "Authorization: Bearer wrong"

expect 421 GET /api/v1/health -H "Host: evil.example.com"
is_json_error
jqe '.error | test("evil.example.com")'
expect 421 GET / -H "Host: evil.example.com:$DAEMON_PORT"
expect 200 GET /api/v1/health -H "Host: localhost:$DAEMON_PORT"
expect 200 GET /api/v1/health -H "Host: [::1]:$DAEMON_PORT"
expect 200 GET /api/v1/health -H "Host: ringlab.example:8080"
expect 403 POST /api/v1/runs -H "$AUTH" -H "Origin: http://evil.example.com" -H "$JSON" \
	--data-binary "$small"
is_json_error

expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"workload": "nw-overwrite-aligned",'
is_json_error
jqe '.error | test("line 1, column [0-9]+")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '[1, 2'
jqe '.error | test("line 1")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON"
is_json_error
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" \
	--data-binary '{"workload": "nw-overwrite-aligned", "bogus_key": 1}'
is_json_error
jqe '.error | test("bogus_key")'
for bad in 0 -1 2e6 '"big"' null; do
	refused_run scale "$bad"
	is_json_error
done
for bad in 0 1001 1.5; do
	refused_run repeat "$bad"
done
for bad in '[]' '[0]' '[257]' '"4"'; do
	refused_run jobs "$bad"
done
refused_run jobs '[1, 2, 1]'
jqe '.error | test("field jobs: 1 appears twice")'
refused_run queue 1
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"suite": "seed", "workload": "nw-overwrite-aligned"}'
jqe '.error | test("suite") and test("workload")'
# A label that would be cut at its NUL, or would make every listing of it not UTF-8.
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"suite": "seed", "label": "a\u0000b"}'
jqe '.error | test("u0000")'
# A newline or an escape sequence in a name would break or recolour every listing of it.
refused_run label '"v3\nrc1"'
jqe '.error == "field label: holds a control character (0x0a)"'
refused_run kernel_tag '"v3\u001b[31m"'
jqe '.error == "field kernel_tag: holds a control character (0x1b)"'
printf '{"suite": "seed", "label": "\377"}' >"$DAEMON_DIR/latin1.json"
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary "@$DAEMON_DIR/latin1.json"
jqe '.error | test("not UTF-8")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"suite": "seed", "suite": "race"}'
jqe '.error | test("key .suite. given twice")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"label": "x"}'
jqe '.error | test("suite") and test("workload")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"workload": "no-such-workload"}'
jqe '.error | test("no-such-workload")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"suite": "no-such-suite"}'
jqe '.error | test("no-such-suite")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" --data-binary '{"workload": "../../etc/x"}'
jqe '.error | test("workload")'
expect 400 POST /api/v1/runs -H "$AUTH" -H "$JSON" \
	--data-binary '{"workload": "nw-overwrite-aligned", "target": "no-such-target"}'
jqe '.error | test("target") and test("no-such-target")'

# A body over max_body (64 KiB by default): with a Content-Length, and chunked.
{
	printf '{"workload": "nw-overwrite-aligned", "label": "'
	head -c 70000 /dev/zero | tr '\0' a
	printf '"}'
} >"$DAEMON_DIR/big.json"
expect 413 POST /api/v1/runs -H "$AUTH" -H "$JSON" -H "Expect:" --data-binary "@$DAEMON_DIR/big.json"
is_json_error
jqe '.error | test("max_body")'
expect 413 POST /api/v1/runs -H "$AUTH" -H "$JSON" -H "Transfer-Encoding: chunked" \
	--data-binary "@$DAEMON_DIR/big.json"
is_json_error

expect 400 GET '/api/v1/runs?limit=0'
jqe '.error | test("limit")'
expect 400 GET '/api/v1/runs?limit=1001'
expect 400 GET '/api/v1/runs?limit=abc'
expect 400 GET '/api/v1/runs?offset=-1'
jqe '.error | test("offset")'
expect 400 GET '/api/v1/runs?lable=x'
jqe '.error | test("lable")'
expect 400 GET '/api/v1/runs?status=bogus'
jqe '.error | test("status")'
expect 400 GET /api/v1/compare
jqe '.error | test("base")'
expect 400 GET '/api/v1/compare?base=abc&head=1'
expect 404 GET '/api/v1/compare?base=999999&head=999998'
expect 404 GET '/api/v1/compare?base=label:no-such-label&head=1'
jqe '.error | test("no-such-label")'
expect 400 GET /api/v1/history
jqe '.error | test("workload")'
expect 400 GET '/api/v1/history?workload=nw-overwrite-aligned'
jqe '.error | test("jobs")'
expect 400 GET '/api/v1/history?workload=nw-overwrite-aligned&jobs=0'

# --- a long run, busy target, queue, cancel ---------------------------------------------
long='{"workload": "nw-overwrite-aligned", "scale": 1, "repeat": 1000, "label": "api-long"}'
[ "$(submit_run "$long")" = 202 ] || fail "POST long run: $(cat "$DAEMON_DIR/body")"
jqe '.status == "queued" and (.id | type == "number") and .url == "/api/v1/runs/\(.id)"'
L=$(jq -r .id "$DAEMON_DIR/body")
[ "$(header Location)" = "/api/v1/runs/$L" ] || fail "Location is '$(header Location)'"
wait_status "$L" running 30
# Taken from the queue, a run prepares (its target and workloads checked) before its cells
# are planned; under load a poll lands there: no cell count yet, never a count of 0.
_i=0
while [ "$(jq -r .phase "$DAEMON_DIR/body")" = prepare ]; do
	jqe '.ncells == null and .cell == null and .workload == null and .run_fraction == 0'
	[ $_i -lt 300 ] || fail "run $L still prepares after 30 s"
	sleep 0.1
	_i=$((_i + 1))
	expect 200 GET "/api/v1/runs/$L/progress"
done
jqe ".id == $L and .workload == \"nw-overwrite-aligned\" and .ncells >= 1 and .reps >= 1"
jqe '(.phase | type == "string") and .run_fraction >= 0 and .run_fraction <= 1 and .fraction >= 0'

[ "$(submit_run "$small")" = 409 ] || fail "a second POST to a busy target: $(cat "$DAEMON_DIR/body")"
is_json_error
jqe '.error | test("busy")'

small_q='{"workload": "nw-overwrite-aligned", "scale": 0.1, "repeat": 1, "label": "api-small", "kernel_tag": "api-tag", "queue": true}'
[ "$(submit_run "$small_q")" = 202 ] || fail "POST queued run: $(cat "$DAEMON_DIR/body")"
S=$(jq -r .id "$DAEMON_DIR/body")
expect 200 GET "/api/v1/runs/$S"
jqe '.status == "queued" and .label == "api-small" and .kernel_tag == "api-tag" and .started == null'
expect 200 GET "/api/v1/runs/$S/progress"
jqe '.status == "queued" and .run_fraction == 0 and .workload == null'

# SSE on the queued run, read while it goes queued -> running -> done.
curl -sS -N --max-time 120 "$DAEMON_URL/api/v1/runs/$S/events" >"$DAEMON_DIR/sse" 2>"$DAEMON_DIR/sse.err" &
sse_pid=$!
DAEMON_BG=$sse_pid

[ "$(submit_run '{"workload": "nw-overwrite-aligned", "scale": 0.1, "repeat": 1, "queue": true}')" = 202 ] ||
	fail "POST second queued run: $(cat "$DAEMON_DIR/body")"
Q=$(jq -r .id "$DAEMON_DIR/body")
expect 202 POST "/api/v1/runs/$Q/cancel" -H "$AUTH"
jqe ".id == $Q and .status == \"aborted\""

expect 200 GET /api/v1/health
jqe '.running == 1'
expect 200 GET /api/v1/system
jqe ".targets[0].busy == true and .targets[0].current_run == $L"
expect 200 GET "/api/v1/runs/$L"
jqe '.status == "running" and .progress.status == "running" and (.progress.ncells >= 1)'
expect 200 GET /metrics
grep -q '^ringlab_run_active{target="scratch"} 1$' "$DAEMON_DIR/body" || fail "metrics: run not active while running"

expect 202 POST "/api/v1/runs/$L/cancel" -H "$AUTH"
jqe ".id == $L and (.status == \"running\" or .status == \"aborted\")"
wait_status "$L" aborted 60
expect 409 POST "/api/v1/runs/$L/cancel" -H "$AUTH"
is_json_error
expect 409 POST "/api/v1/runs/$Q/cancel" -H "$AUTH"

# --- the small run: done, with its cell ---------------------------------------------------
wait_status "$S" "done" 120
jqe '.run_fraction == 1'
expect 200 GET "/api/v1/runs/$S"
jqe '.status == "done" and .id == '"$S"' and .what == "nw-overwrite-aligned" and .target == "scratch"'
jqe '(.cells | length) == 1 and .cells[0].workload == "nw-overwrite-aligned" and .cells[0].jobs == 1'
jqe '.cells[0].ops > 0 and .cells[0].iops > 0 and (.cells[0].failed | not) and .ncells == 1 and .failed_cells == 0'
jqe '.started != null and .finished != null and .duration_s >= 0 and (has("progress") | not)'
jqe ".env.kernel_release == \"$(uname -r)\" and .kernel_release == \"$(uname -r)\""
jqe '.format == "ringlab-run-1" and (.workloads | length) == 1'

wait "$sse_pid"
rc=$?
DAEMON_BG=
[ $rc -eq 0 ] || fail "the event stream of run $S did not end by itself (curl exit $rc): $(cat "$DAEMON_DIR/sse.err")"
grep -q '^event: progress$' "$DAEMON_DIR/sse" || fail "SSE: no progress event"
grep -q '^data: {.*"status":"queued"' "$DAEMON_DIR/sse" || fail "SSE: the run was never seen queued"
grep -q '^data: {.*"status":"running"' "$DAEMON_DIR/sse" || fail "SSE: the run was never seen running"
grep -q '^event: cell$' "$DAEMON_DIR/sse" || fail "SSE: no cell event"
grep -q '^id: 1$' "$DAEMON_DIR/sse" || fail "SSE: the cell event has no id"
[ "$(tail -n 3 "$DAEMON_DIR/sse" | head -n 1)" = "event: done" ] || fail "SSE: the stream does not end with event: done"
tail -n 2 "$DAEMON_DIR/sse" | grep '^data: ' | sed 's/^data: //' >"$DAEMON_DIR/body"
jqe ".id == $S and .status == \"done\""
grep '^event: cell$' -A 2 "$DAEMON_DIR/sse" | grep '^data: ' | head -n 1 | sed 's/^data: //' >"$DAEMON_DIR/body"
jqe '.workload == "nw-overwrite-aligned" and .ops > 0'

# A finished run's stream replays its cells and ends; Last-Event-ID skips what was seen.
curl -sS -N --max-time 10 "$DAEMON_URL/api/v1/runs/$S/events" >"$DAEMON_DIR/sse2" ||
	fail "the event stream of a finished run did not end"
grep -q '^event: cell$' "$DAEMON_DIR/sse2" || fail "SSE replay: no cell event"
grep -q '^event: done$' "$DAEMON_DIR/sse2" || fail "SSE replay: no done event"
curl -sS -N --max-time 10 -H "Last-Event-ID: 1" "$DAEMON_URL/api/v1/runs/$S/events" >"$DAEMON_DIR/sse3" ||
	fail "the resumed event stream did not end"
grep -q '^event: cell$' "$DAEMON_DIR/sse3" && fail "SSE resume: a cell already seen was sent again"
grep -q '^event: done$' "$DAEMON_DIR/sse3" || fail "SSE resume: no done event"
expect 409 POST "/api/v1/runs/$S/cancel" -H "$AUTH"

# --- listing and filters ------------------------------------------------------------------
expect 200 GET /api/v1/runs
jqe ".total == 3 and (.runs | length) == 3 and .runs[0].id == $Q and .runs[2].id == $L"
jqe '.runs[0] | has("id") and has("status") and has("what") and has("target") and has("label") and has("kernel_tag") and has("kernel_release") and has("created") and has("started") and has("finished") and has("duration_s") and has("ncells") and has("failed_cells") and has("error")'
expect 200 GET '/api/v1/runs?label=api-small'
jqe ".total == 1 and .runs[0].id == $S and .runs[0].ncells == 1 and .runs[0].status == \"done\""
expect 200 GET '/api/v1/runs?kernel=api-tag'
jqe ".total == 1 and .runs[0].id == $S"
expect 200 GET "/api/v1/runs?release=$(uname -r)&status=done"
jqe ".total == 1 and .runs[0].id == $S"
expect 200 GET '/api/v1/runs?status=aborted'
jqe ".total == 2 and ([.runs[].id] | sort) == ([$L, $Q] | sort)"
expect 200 GET '/api/v1/runs?what=nw-overwrite-aligned&limit=1&offset=1'
jqe ".total == 3 and (.runs | length) == 1 and .runs[0].id == $S and .limit == 1 and .offset == 1"
expect 200 GET '/api/v1/runs?label=no-such-label'
jqe '.total == 0 and .runs == []'

# --- compare and history ----------------------------------------------------------------------
expect 200 GET "/api/v1/compare?base=$S&head=$S"
jqe '.format == "ringlab-compare-1" and .summary.cells >= 1 and (.workloads | length) == 1'
expect 200 GET '/api/v1/compare?base=label:api-small&head=kernel:api-tag&threshold=0.1'
jqe '.format == "ringlab-compare-1" and .threshold == 0.1'
expect 400 GET "/api/v1/compare?base=$S&head=$S&threshold=2"
jqe '.error | test("threshold")'
expect 400 GET "/api/v1/compare?base=$S&head=$S&bogus=1"
# Which of two values would count is a guess: refused, naming the parameter.
expect 400 GET "/api/v1/compare?base=$S&head=$S&base=1"
jqe '.error | test("query parameter .base. is given more than once")'
# One run named twice would be pooled twice: its repetitions counted twice.
expect 400 GET "/api/v1/compare?base=$S,run:$S&head=$S"
jqe ".error == \"query base: run $S is named twice\""
expect 400 GET '/api/v1/runs?limit=1&limit=1000'
jqe '.error | test("limit")'
# A route that reads no query parameter refuses them, before it reads the body: a
# label sent in the query instead of the body would otherwise be dropped unsaid.
expect 400 POST '/api/v1/runs?label=in-query' -H "$AUTH" -H "$JSON" --data-binary '{"workload": "nw-overwrite-aligned"}'
jqe '.error == "query parameter '"'"'label'"'"' is unknown (known: none)"'
expect 400 GET "/api/v1/runs/$S?verbose=1"
jqe '.error | test("query parameter .verbose. is unknown")'
expect 400 POST "/api/v1/runs/$S/cancel?force=1" -H "$AUTH"
expect 400 GET '/api/v1/health?x=1'
expect 200 GET '/index.html?v=2'
expect 200 GET '/api/v1/history?workload=nw-overwrite-aligned&jobs=1'
jqe "(.points | length) == 1 and .points[0].run_id == $S and .points[0].iops_median > 0"
jqe '.points[0] | has("started") and has("kernel_release") and has("kernel_tag") and has("label") and has("eagain_rate") and .p99_ns > 0'
expect 200 GET '/api/v1/history?workload=nw-overwrite-aligned&jobs=1&label=no-such-label'
jqe '.points == []'
expect 200 GET '/api/v1/history?workload=nw-overwrite-aligned&jobs=4'
jqe '.points == []'

# --- metrics -------------------------------------------------------------------------------------
expect 200 GET /metrics
[ "$(header Content-Type)" = "text/plain; version=0.0.4; charset=utf-8" ] ||
	fail "metrics: Content-Type '$(header Content-Type)'"
grep -q '^ringlab_up 1$' "$DAEMON_DIR/body" || fail "metrics: no ringlab_up 1"
me=$(uname -n)
grep -q "^ringlab_runs_total{host=\"$me\",status=\"done\"} 1\$" "$DAEMON_DIR/body" || fail "metrics: done runs"
# One aborted while it ran (on this host), one while queued: it never ran anywhere.
grep -q "^ringlab_runs_total{host=\"$me\",status=\"aborted\"} 1\$" "$DAEMON_DIR/body" &&
	grep -q '^ringlab_runs_total{host="unknown",status="aborted"} 1$' "$DAEMON_DIR/body" || fail "metrics: aborted runs"
grep -q '^# TYPE ringlab_runs_total counter$' "$DAEMON_DIR/body" || fail "metrics: ringlab_runs_total is not a counter"
grep -Eq '^ringlab_cells_total\{host="[^"]*",status="ok"\} [1-9][0-9]*$' "$DAEMON_DIR/body" || fail "metrics: no cells counted"
grep -q '^ringlab_run_active{target="scratch"} 0$' "$DAEMON_DIR/body" || fail "metrics: run still active"
grep -Eq '^ringlab_start_time_seconds [0-9]+(\.[0-9]+)?$' "$DAEMON_DIR/body" || fail "metrics: start time"
grep -Eq '^ringlab_http_requests_total\{code="4xx"\} [1-9][0-9]*$' "$DAEMON_DIR/body" || fail "metrics: 4xx not counted"
grep -Eq '^ringlab_http_requests_total\{code="2xx"\} [1-9][0-9]*$' "$DAEMON_DIR/body" || fail "metrics: 2xx not counted"
for f in ringlab_runs_total ringlab_cells_total ringlab_run_active ringlab_run_progress_ratio \
	ringlab_live_iops ringlab_http_requests_total ringlab_up ringlab_start_time_seconds; do
	grep -q "^# HELP $f " "$DAEMON_DIR/body" || fail "metrics: no HELP for $f"
done
bad=$(awk '$1 == "#" && $2 == "TYPE" && (($4 == "counter") != ($3 ~ /_total$/)) { print $3 }' "$DAEMON_DIR/body")
[ -z "$bad" ] || fail "metrics: _total must be on counters only: $bad"

# --- static files ------------------------------------------------------------------------------------
expect 200 GET /
grep -q ringlab-api-test "$DAEMON_DIR/body" || fail "/ did not serve index.html"
[ "$(header Content-Type)" = "text/html; charset=utf-8" ] || fail "/: Content-Type '$(header Content-Type)'"
[ -n "$(header Cache-Control)" ] || fail "/: no Cache-Control"
expect 200 GET /js/app.js
[ "$(header Content-Type)" = "text/javascript; charset=utf-8" ] || fail "app.js: Content-Type '$(header Content-Type)'"
expect 404 GET /nope.html
expect 404 GET /escape.txt
expect 404 GET /../../../../etc/passwd --path-as-is
expect 404 GET /%2e%2e/%2e%2e/%2e%2e/etc/passwd --path-as-is
expect 404 GET /js/..%2f..%2f..%2fetc/passwd --path-as-is
expect 404 GET /index.html%00.png
expect 405 POST /index.html -H "$AUTH"
[ "$(header Allow)" = "GET, HEAD" ] || fail "static 405: Allow is '$(header Allow)'"

# --- SIGTERM stops the daemon cleanly ---------------------------------------------------------------
daemon_stop
[ $DAEMON_STATUS -eq 0 ] || fail "ringlabd exited $DAEMON_STATUS after SIGTERM (137: not within 20 s)"
exit 0
