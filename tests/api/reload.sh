#!/bin/sh
# reload.sh: SIGHUP reloads the token (token and token_file, the file read again), workloads_dir and allowed_hosts, says which changed and which changed keys wait for a restart, and keeps everything when the new configuration is bad (a fleet lease on SQLite too), warns (at start-up too) of a token file other users can read; the store (SQLite, or PostgreSQL with RL_TEST_STORE=postgresql) serves a run after them all.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64

# config TOKEN_KEYS [EXTRA_KEYS]: the configuration file, rewritten in place.
config() { daemon_config scratch="$LOOPFS_DIR" --keys "$1${2:+, $2}"; }

# hup: SIGHUP, then wait for the daemon to log its answer.
hups=0
hup()
{
	hups=$((hups + 1))
	kill -HUP "$DAEMON_PID"
	_i=0
	until [ "$(grep -c 'SIGHUP: ' "$DAEMON_DIR/rld.log")" -ge "$hups" ]; do
		[ $_i -lt 50 ] || fail "no SIGHUP answer in the log after 10 s"
		sleep 0.2
		_i=$((_i + 1))
	done
}

# token_works TOKEN / token_refused TOKEN: a mutating request gets past (400: the
# empty body) or is stopped by the token check (401).
token_works() { expect 400 POST /api/v1/runs -H "Authorization: Bearer $1" -H "Content-Type: application/json" --data-binary '{}'; }
token_refused() { expect 401 POST /api/v1/runs -H "Authorization: Bearer $1" -H "Content-Type: application/json" --data-binary '{}'; }

config '"token": "first-token"'
daemon_up -c "$DAEMON_DIR/ringlabd.json"
token_works first-token
token_refused second-token
expect 421 GET /api/v1/health -H "Host: lab.example"

# A new token and allowed host apply at once; a new max_connections waits for a restart.
config '"token": "second-token"' '"allowed_hosts": ["lab.example"], "max_connections": 32'
hup
token_works second-token
token_refused first-token
expect 200 GET /api/v1/health -H "Host: lab.example"
grep -q "SIGHUP: reloaded token, token_file, workloads_dir and allowed_hosts from $DAEMON_DIR/ringlabd.json: the token changed, changed: token, allowed_hosts; not reloaded, kept until a restart: max_connections$" "$DAEMON_DIR/rld.log" ||
	fail "the log does not say what the SIGHUP reloaded and what waits for a restart"

# token_file: read at SIGHUP, and read again at the next one even when the configuration is the same.
printf 'file-token-1\n' >"$DAEMON_DIR/token"
config "\"token_file\": \"$DAEMON_DIR/token\"" '"allowed_hosts": ["lab.example"], "max_connections": 32'
chmod 0644 "$DAEMON_DIR/token"
hup
token_works file-token-1
token_refused second-token
# A token file others can read is told at each SIGHUP (not refused); once closed, no more.
warned() { grep -c "token_file $DAEMON_DIR/token: mode $1 lets $2 read it" "$DAEMON_DIR/rld.log"; }
[ "$(warned 0644 'every user')" -eq 1 ] || fail "a token file of mode 0644 was not warned about"
printf 'file-token-2\n' >"$DAEMON_DIR/token"
chmod 0600 "$DAEMON_DIR/token"
hup
[ "$(grep -c "token_file $DAEMON_DIR/token: mode" "$DAEMON_DIR/rld.log")" -eq 1 ] ||
	fail "a token file of mode 0600 was warned about"
token_works file-token-2
token_refused file-token-1
grep -q 'from .*: the token changed, no key changed; not reloaded, kept until a restart: max_connections$' "$DAEMON_DIR/rld.log" ||
	fail "the log does not say that only the token file's token changed"

# A bad configuration or an unreadable token file changes nothing.
printf '{"token": ' >"$DAEMON_DIR/ringlabd.json"
hup
grep -q 'SIGHUP: .*malformed JSON.*nothing reloaded, the running configuration stays' "$DAEMON_DIR/rld.log" ||
	fail "a bad configuration was not reported"
token_works file-token-2
config "\"token_file\": \"$DAEMON_DIR/no-such-token\""
hup
grep -q "SIGHUP: .*no-such-token.*nothing reloaded" "$DAEMON_DIR/rld.log" || fail "an unreadable token file was not reported"
token_works file-token-2
# On SQLite a fleet's lease changes nothing: refused, naming the key (PostgreSQL takes it).
if [ -z "$PG_STORE_JSON" ]; then
	config "\"token_file\": \"$DAEMON_DIR/token\"" '"fleet": {"lease_s": 10}'
	hup
	grep -q "SIGHUP: .*key fleet.lease_s: a fleet needs store kind postgresql.*nothing reloaded" "$DAEMON_DIR/rld.log" ||
		fail "a fleet object on SQLite was not refused: $(grep 'SIGHUP' "$DAEMON_DIR/rld.log" | tail -n 1)"
	token_works file-token-2
fi
expect 200 GET /api/v1/health -H "Host: lab.example"
# A loopback daemon may drop its token altogether.
config '"token": ""'
hup
expect 400 POST /api/v1/runs -H "Content-Type: application/json" --data-binary '{}'
expect 421 GET /api/v1/health -H "Host: lab.example"
# Seven or eight SIGHUPs later the store (SQLite, or PostgreSQL's connections) still takes a run and its end.
id=$(post_run '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1}')
[ -n "$id" ] || fail "a run after the reloads was refused: $(cat "$DAEMON_DIR/body")"
wait_run "$id" 120 done failed aborted
expect 200 GET "/api/v1/runs/$id"
jqe '.status == "done" and (.cells | length) == 1'
# At start-up too: a token file its group can read.
daemon_stop
chmod 0640 "$DAEMON_DIR/token"
config "\"token_file\": \"$DAEMON_DIR/token\""
daemon_up -c "$DAEMON_DIR/ringlabd.json"
token_works file-token-2
[ "$(warned 0640 'its group')" -eq 1 ] || fail "a token file of mode 0640 was not warned about at start-up"
exit 0
