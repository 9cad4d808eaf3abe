#!/bin/sh
# slow_body.sh: an import body over max_body trickled a byte a second holds the one large-body turn only body_timeout_s: meanwhile another import is 503, then its connection is closed and the next import is stored.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64
daemon_config scratch="$LOOPFS_DIR" --keys '"body_timeout_s": 3'
daemon_up -c "$DAEMON_DIR/ringlabd.json"

# An import past the 64 KiB max_body: a real run and 90000 blanks.
"$top_builddir/ringlab" run nw-overwrite-aligned --engine null --scale 0.01 --repeat 1 -q \
	--json "$DAEMON_DIR/run.json" >/dev/null || fail "ringlab run --engine null failed"
{
	printf '{"run": '
	cat "$DAEMON_DIR/run.json"
	head -c 90000 /dev/zero | tr '\0' ' '
	printf '}'
} >"$DAEMON_DIR/big.json"

# The trickler: its head, the start of a 200000-byte body, then a byte a second for 30 s.
printf 'POST /api/v1/runs/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{"run": ' |
	"$DAEMON_RAW" trickle "$DAEMON_PORT" 30 >"$DAEMON_DIR/trickle.out" 2>"$DAEMON_DIR/trickle.err" &
DAEMON_BG=$!
wait_until 10 "the trickler did not start: $(cat "$DAEMON_DIR/trickle.err")" grep -q '^ready$' "$DAEMON_DIR/trickle.out"
sleep 1
# Its turn: another large body waits (the CLI would retry after Retry-After).
expect 503 POST /api/v1/runs/import -H "Content-Type: application/json" --data-binary "@$DAEMON_DIR/big.json"
jqe '.error | test("one at a time")'
# Past body_timeout_s the trickler is cut off, well before its 30 s.
wait_until 25 "the trickler still holds its connection: $(cat "$DAEMON_DIR/trickle.out")" \
	grep -q '^closed after' "$DAEMON_DIR/trickle.out"
grep -q 'body_timeout_s' "$DAEMON_DIR/rld.log" || fail "the log does not say why the connection was closed"
expect 201 POST /api/v1/runs/import -H "Content-Type: application/json" --data-binary "@$DAEMON_DIR/big.json"
echo "ok: a trickled large body gave its turn up after body_timeout_s ($(cat "$DAEMON_DIR/trickle.out" | tail -n 1))"
exit 0
