#!/bin/sh
# slowloris.sh: 64 connections that never finish their headers (16 from each of four loopback addresses, a header line a second) lock nobody out: curl from 127.0.0.1 and 127.0.0.5 is answered at once, and the daemon closes every slow connection at its header deadline.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
# The defaults under test: max_connections 64, per_ip_connections 16, header_timeout_s 10.
daemon_scratch

# 14 s of trickling: past the 10 s header deadline, with room for a busy machine.
"$DAEMON_RAW" slow "$DAEMON_PORT" 16 14 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 >"$DAEMON_DIR/slow.out" 2>"$DAEMON_DIR/slow.err" &
slow_pid=$!
DAEMON_BG=$slow_pid
i=0
until grep -q '^ready$' "$DAEMON_DIR/slow.out"; do
	kill -0 "$slow_pid" 2>/dev/null || fail "http_raw slow exited: $(cat "$DAEMON_DIR/slow.err")"
	[ $i -lt 50 ] || fail "the slow connections were not open after 10 s"
	sleep 0.2
	i=$((i + 1))
done
# Past the grace a connection has to send its headers before it may be displaced.
sleep 2

# Every address's quota and the whole pool are taken: loopback clients still get in.
for from in 127.0.0.1 127.0.0.1 127.0.0.5; do
	code=$(curl -sS -o "$DAEMON_DIR/body" -w '%{http_code}' --interface "$from" -m 5 "$DAEMON_URL/api/v1/health" 2>"$DAEMON_DIR/curl.err")
	[ "$code" = 200 ] || fail "GET /api/v1/health from $from under slowloris: status '$code' $(cat "$DAEMON_DIR/curl.err")"
	jqe '.status == "ok"'
done

wait "$slow_pid" || fail "http_raw slow failed: $(cat "$DAEMON_DIR/slow.err")"
result=$(tail -n 1 "$DAEMON_DIR/slow.out")
[ "$result" = "open 0 closed 64" ] ||
	fail "after 14 s of trickled headers (deadline 10 s) the slow connections are: $result"
grep -q "header deadline" "$DAEMON_DIR/rld.log" || fail "the daemon did not log the closed slow connections"
expect 200 GET /api/v1/health
exit 0
