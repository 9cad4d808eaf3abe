#!/bin/sh
# two_daemons.sh: two ringlabd on one PostgreSQL store: each lists the other's runs (one history), and a daemon starting up aborts only the runs left running on its own targets, never another daemon's.
RL_TEST_STORE=postgresql
export RL_TEST_STORE
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
a_base=$DAEMON_URL

# A second daemon, its own state and target, the same store.
loopfs_create 64
b_pid=
cat >"$DAEMON_DIR/b.json" <<EOF2
{ "state_dir": "$DAEMON_DIR/state-b", "workloads_dir": "$DAEMON_WORKLOADS",
  "targets": [{ "name": "b-scratch", "kind": "dir", "path": "$LOOPFS_DIR" }], $PG_STORE_JSON }
EOF2
start_b()
{
	rm -f "$DAEMON_DIR/b.port"
	"$DAEMON_BIN" -c "$DAEMON_DIR/b.json" --port 0 --port-file "$DAEMON_DIR/b.port" >>"$DAEMON_DIR/b.log" 2>&1 </dev/null &
	b_pid=$!
	DAEMON_BG="$DAEMON_BG $b_pid"
	i=0
	while [ ! -s "$DAEMON_DIR/b.port" ]; do
		kill -0 "$b_pid" 2>/dev/null || fail "daemon B exited at start-up: $(tail -n 3 "$DAEMON_DIR/b.log")"
		[ $i -lt 100 ] || fail "daemon B wrote no port file"
		sleep 0.2
		i=$((i + 1))
	done
	b_base=http://127.0.0.1:$(cat "$DAEMON_DIR/b.port")
}

# A's run, running as far as the store knows: B starting must leave it alone.
a_run=$(pg_sql "INSERT INTO runs (created, started, status, what, target, scale)
	VALUES (1, 1, 'running', 'seed', 'scratch', 1) RETURNING id" | head -n 1)
b_run=$(pg_sql "INSERT INTO runs (created, started, status, what, target, scale)
	VALUES (1, 1, 'running', 'seed', 'b-scratch', 1) RETURNING id" | head -n 1)
[ -n "$a_run" ] && [ -n "$b_run" ] || fail "could not insert the running runs"
start_b
[ "$(pg_sql "SELECT status FROM runs WHERE id = $a_run")" = running ] ||
	fail "daemon B aborted daemon A's running run $a_run"
[ "$(pg_sql "SELECT status FROM runs WHERE id = $b_run")" = aborted ] ||
	fail "daemon B left its own interrupted run $b_run $(pg_sql "SELECT status FROM runs WHERE id = $b_run")"

# One history: a run submitted to B is listed by A, and A's by B.
DAEMON_URL=$b_base
expect 202 POST /api/v1/runs -H 'Content-Type: application/json' \
	--data-binary '{"workload": "nw-overwrite-aligned", "label": "from-b", "scale": 0.05}'
from_b=$(jq -r .id "$DAEMON_DIR/body")
DAEMON_URL=$a_base
expect 200 GET "/api/v1/runs?label=from-b"
jqe ".total == 1 and .runs[0].id == $from_b and .runs[0].target == \"b-scratch\""
expect 200 GET "/api/v1/runs/$a_run"
jqe '.status == "running"'
DAEMON_URL=$b_base
expect 200 GET "/api/v1/runs/$a_run"
jqe '.status == "running" and .target == "scratch"'

# A restarting is what ends A's run.
DAEMON_URL=$a_base
daemon_stop
daemon_up -c "$DAEMON_DIR/ringlabd.json"
[ "$(pg_sql "SELECT status FROM runs WHERE id = $a_run")" = aborted ] ||
	fail "daemon A did not abort its own interrupted run $a_run"
kill -TERM "$b_pid"
wait "$b_pid"
echo "ok: two daemons on one store: one history, each recovers only its own targets"
