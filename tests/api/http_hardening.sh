#!/bin/sh
# http_hardening.sh: security headers on every answer, Origin checked with its scheme and port, two Content-Lengths (or one with Transfer-Encoding) refused, _ns times printed as integers (by the CLI too), compare taking the CLI's run:ID spellings.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64
mkdir -p "$DAEMON_DIR/web"
printf '<!doctype html><title>hardening</title>\n' >"$DAEMON_DIR/web/index.html"
daemon_config scratch="$LOOPFS_DIR" --keys "\"web_dir\": \"$DAEMON_DIR/web\""
daemon_up -c "$DAEMON_DIR/ringlabd.json"
JSON="Content-Type: application/json"

# --- the security headers, on JSON, errors and the dashboard's files alike ---------------
secure_headers()
{
	csp=$(header Content-Security-Policy)
	case $csp in
	*"frame-ancestors 'none'"*"" ) ;;
	*) fail "$_m $_p: Content-Security-Policy '$csp' lacks frame-ancestors 'none'" ;;
	esac
	case $csp in
	*"default-src 'self'"*) ;;
	*) fail "$_m $_p: Content-Security-Policy '$csp' lacks default-src 'self'" ;;
	esac
	[ "$(header X-Content-Type-Options)" = nosniff ] || fail "$_m $_p: no X-Content-Type-Options: nosniff"
	[ "$(header Referrer-Policy)" = no-referrer ] || fail "$_m $_p: Referrer-Policy '$(header Referrer-Policy)'"
}
expect 200 GET /api/v1/health
secure_headers
expect 404 GET /api/v1/nope
secure_headers
expect 200 GET /
secure_headers
expect 421 GET /api/v1/health -H "Host: evil.example"
secure_headers

# --- an error quoting the request (a path, a Host) is still UTF-8 ---------------------------
utf8_error()
{
	iconv -f UTF-8 -t UTF-8 "$DAEMON_DIR/body" >/dev/null 2>&1 ||
		fail "$_m $_p: the answer is not UTF-8: $(od -c "$DAEMON_DIR/body" | head -n 3)"
	jqe "$1"
}
expect 404 GET '/api/v1/runs/%ff%c0'
utf8_error '.error | test("no run .\\?\\?.")'
expect 404 GET '/%ff.html'
utf8_error '(.error | test("no such file: /\\?")) and .detail == "/?.html"'
expect 421 GET /api/v1/health -H "$(printf 'Host: caf\351')"
utf8_error '.error | test("caf\\?")'

# --- Origin: this daemon's own scheme, host and port only ----------------------------------
expect 400 POST /api/v1/runs -H "Origin: http://127.0.0.1:$DAEMON_PORT" -H "$JSON" --data-binary '{}'
expect 400 POST /api/v1/runs -H "Origin: http://localhost:$DAEMON_PORT" -H "$JSON" --data-binary '{}'
for origin in "http://localhost:8080" "http://127.0.0.1:$((DAEMON_PORT + 1))" "https://127.0.0.1:$DAEMON_PORT" \
	"http://127.0.0.1" "http://evil.example:$DAEMON_PORT" "null"; do
	expect 403 POST /api/v1/runs -H "Origin: $origin" -H "$JSON" --data-binary '{}'
	jqe '.error | test("Origin")'
done

# --- where a body ends must be beyond doubt ----------------------------------------------
# send_raw TEXT: the raw answers to TEXT in $DAEMON_DIR/raw.
send_raw() { printf "$1" | "$DAEMON_RAW" send "$DAEMON_PORT" >"$DAEMON_DIR/raw" || fail "http_raw send failed"; }
send_raw 'POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 61\r\n\r\n{}GET /api/v1/runs/1/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
head -n 1 "$DAEMON_DIR/raw" | grep -q '^HTTP/1.1 400 ' || fail "two Content-Lengths: $(head -n 1 "$DAEMON_DIR/raw")"
grep -q 'Content-Length headers' "$DAEMON_DIR/raw" || fail "two Content-Lengths: the answer does not say why"
[ "$(grep -c '^HTTP/1' "$DAEMON_DIR/raw")" = 1 ] || fail "two Content-Lengths: a second request was answered: $(cat "$DAEMON_DIR/raw")"
send_raw 'POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'
head -n 1 "$DAEMON_DIR/raw" | grep -q '^HTTP/1.1 400 ' || fail "Content-Length with Transfer-Encoding: $(head -n 1 "$DAEMON_DIR/raw")"
send_raw 'POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
head -n 1 "$DAEMON_DIR/raw" | grep -q '^HTTP/1.1 400 ' || fail "one Content-Length: $(head -n 1 "$DAEMON_DIR/raw")"
grep -q 'Content-Length headers' "$DAEMON_DIR/raw" && fail "one Content-Length was refused as two"

# --- _ns times as integers ----------------------------------------------------------------
"$top_builddir/ringlab" run nw-overwrite-aligned --engine null --scale 0.01 --repeat 2 -q \
	--json "$DAEMON_DIR/run.json" >/dev/null || fail "ringlab run --engine null failed"
jq '{run: ., label: "ints"}' "$DAEMON_DIR/run.json" >"$DAEMON_DIR/import.json"
expect 201 POST /api/v1/runs/import -H "$JSON" --data-binary "@$DAEMON_DIR/import.json"
id=$(jq .id "$DAEMON_DIR/body")
# ns_integers KEY...: each KEY of the last raw body is written as an integer.
ns_integers()
{
	for _k in "$@"; do
		grep -Eq "\"$_k\":[0-9]{18,19}[,}]" "$DAEMON_DIR/body" ||
			fail "$_m $_p: $_k is not printed as an integer: $(grep -o "\"$_k\":[^,}]*" "$DAEMON_DIR/body" | head -n 1)"
	done
	grep -Eq '[0-9]e\+[0-9]' "$DAEMON_DIR/body" && fail "$_m $_p: a number in exponent form: $(grep -Eo '"[a-z_]*":[0-9.]*e\+[0-9]*' "$DAEMON_DIR/body" | head -n 3)"
	return 0
}
expect 200 GET "/api/v1/runs/$id"
ns_integers started_ns finished_ns
[ "$(jq .started_ns "$DAEMON_DIR/body")" = "$(jq .started_ns "$DAEMON_DIR/run.json")" ] ||
	[ "$(jq '.started_ns / 1000 | floor' "$DAEMON_DIR/body")" = "$(jq '.started_ns / 1000 | floor' "$DAEMON_DIR/run.json")" ] ||
	fail "started_ns $(jq .started_ns "$DAEMON_DIR/body") is not the run's $(jq .started_ns "$DAEMON_DIR/run.json")"
expect 200 GET /api/v1/runs
ns_integers created_ns started_ns finished_ns
# The CLI's --json prints the integers the API sent, not cJSON's exponent form.
cli_integers()
{
	grep -Eq '[0-9]e\+[0-9]' "$DAEMON_DIR/cli.json" &&
		fail "ringlab $1 --json: a number in exponent form: $(grep -Eo '"[a-z_]*":[[:space:]]*[0-9.]*e\+[0-9]*' "$DAEMON_DIR/cli.json" | head -n 3)"
	[ "$(jq "$2" "$DAEMON_DIR/cli.json")" = "$(jq "$2" "$DAEMON_DIR/body")" ] ||
		fail "ringlab $1 --json: $2 is $(jq "$2" "$DAEMON_DIR/cli.json"), the API says $(jq "$2" "$DAEMON_DIR/body")"
}
"$top_builddir/ringlab" list --url "$DAEMON_URL" --json >"$DAEMON_DIR/cli.json" || fail "ringlab list --json failed"
cli_integers list '[.runs[] | .created_ns, .started_ns, .finished_ns]'
expect 200 GET "/api/v1/runs/$id"
"$top_builddir/ringlab" show "$id" --url "$DAEMON_URL" --json >"$DAEMON_DIR/cli.json" || fail "ringlab show --json failed"
cli_integers show '[.started_ns, .finished_ns, .cells[0].started_ns]'
now=$(date +%s)
cat >"$DAEMON_DIR/night.json" <<EOF
{"format": "ringlab-nightly-1", "status": "ok", "summary": "nothing", "label": "ints",
 "started_ns": ${now}000000000, "finished_ns": ${now}123456789}
EOF
expect 201 POST /api/v1/nightly -H "$JSON" --data-binary "@$DAEMON_DIR/night.json"
expect 200 GET /api/v1/nightly/latest
ns_integers started_ns finished_ns

# --- compare: the spellings of `ringlab compare` ------------------------------------------
expect 200 GET "/api/v1/compare?base=run:$id&head=run:$id"
jqe '.format == "ringlab-compare-1"'
ns_integers started_ns
# Both spellings name one run: named twice, it would be pooled twice.
expect 400 GET "/api/v1/compare?base=run:$id,$id&head=$id"
jqe ".error == \"query base: run $id is named twice\""
expect 400 GET "/api/v1/compare?base=run:x&head=$id"
jqe '.error | test("run:ID") and test("run:x")'
expect 400 GET "/api/v1/compare?base=run:$id,&head=$id"
expect 404 GET "/api/v1/compare?base=run:999999&head=$id"
exit 0
