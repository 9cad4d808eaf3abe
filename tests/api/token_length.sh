#!/bin/sh
# token_length.sh: a daemon listening beyond loopback refuses a token shorter than 16 characters from its token_file, at start-up (it does not start) and at SIGHUP (the running token stays), naming the file and the length; on loopback a one-character token is accepted.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64
tf=$DAEMON_DIR/token
daemon_config scratch="$LOOPFS_DIR" --keys "\"listen\": \"0.0.0.0\", \"token_file\": \"$tf\""
install -m 0600 /dev/null "$tf"
# token_works TOKEN: a mutating request gets past the token check (400: the empty body).
token_works() { expect 400 POST /api/v1/runs -H "Authorization: Bearer $1" -H "Content-Type: application/json" --data-binary '{}'; }

# At start-up: refused before it listens.
printf 'short\n' >"$tf"
daemon_start 20 -c "$DAEMON_DIR/ringlabd.json" && fail "ringlabd started on 0.0.0.0 with a 5-character token"
grep -q "token file $tf: the token is 5 characters long; listening on 0.0.0.0 (not loopback) needs at least 16" \
	"$DAEMON_DIR/rld.log" || fail "the refusal does not name the file and the length: $(tail -n 3 "$DAEMON_DIR/rld.log")"
DAEMON_PID=

# At SIGHUP: the short token is refused, the running one stays.
printf 'a-long-enough-token-1\n' >"$tf"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
token_works a-long-enough-token-1
printf 'x\n' >"$tf"
kill -HUP "$DAEMON_PID"
wait_until 10 "no SIGHUP answer in the log" grep -q 'SIGHUP: ' "$DAEMON_DIR/rld.log"
grep -q "SIGHUP: .*token file $tf: the token is 1 character long.*nothing reloaded" "$DAEMON_DIR/rld.log" ||
	fail "SIGHUP took a 1-character token: $(grep 'SIGHUP' "$DAEMON_DIR/rld.log")"
token_works a-long-enough-token-1
expect 401 POST /api/v1/runs -H "Authorization: Bearer x" -H "Content-Type: application/json" --data-binary '{}'
daemon_stop

# On loopback only local users reach the port: any token will do.
daemon_config scratch="$LOOPFS_DIR" --keys "\"listen\": \"127.0.0.1\", \"token_file\": \"$tf\""
daemon_up -c "$DAEMON_DIR/ringlabd.json"
token_works x
echo "ok: 0.0.0.0 refused 5- and 1-character tokens at start-up and SIGHUP; loopback took one"
