#!/bin/sh
# migrate_lock.sh: ringlabd migrating a shared PostgreSQL store take turns under one lock: two starting at once while another holds it (here psql, longer than the 5 s lock_timeout of the daemons' statements) both wait, one migrates and the other finds the store migrated and starts; a ringlabd that waited there while a newer one migrated past its schema refuses to start rather than run on it.
RL_TEST_STORE=postgresql
export RL_TEST_STORE
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64
lock_key=1380729154	# sql_pg.c's MIGRATE_LOCK
holder=

# Daemon $1 (its own state and target directory, the test's store) in the background; its pid in pid_$1.
spawn()
{
	mkdir -p "$LOOPFS_DIR/$1" || fail "mkdir $LOOPFS_DIR/$1"
	cat >"$DAEMON_DIR/$1.json" <<JSON
{"state_dir": "$DAEMON_DIR/state-$1", "workloads_dir": "$DAEMON_WORKLOADS",
 "targets": [{"name": "$1", "kind": "dir", "path": "$LOOPFS_DIR/$1"}], $PG_STORE_JSON}
JSON
	"$DAEMON_BIN" -c "$DAEMON_DIR/$1.json" --port 0 --port-file "$DAEMON_DIR/$1.port" \
		>>"$DAEMON_DIR/$1.log" 2>&1 </dev/null &
	eval "pid_$1=$!"
	DAEMON_BG="$DAEMON_BG $!"
}

# psql holding the migrations' lock, as a daemon migrating does, until release_lock.
hold_lock()
{
	"$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U ringlab -d ringlab \
		-c "SELECT pg_advisory_lock($lock_key)" -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
	holder=$!
	DAEMON_BG="$DAEMON_BG $holder"
	wait_until 20 "psql did not take the lock" eval \
		'[ "$(pg_sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND granted")" = 1 ]'
}

release_lock()
{
	pg_sql "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted" >/dev/null
	wait "$holder" 2>/dev/null
}

# $1 daemons waiting for the lock.
waiters() { wait_until 30 "$1 daemon(s) never waited for the migration lock" eval \
	'[ "$(pg_sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND NOT granted")" = '"$1"' ]'; }

# 1. Two daemons open an empty store while a migration holds the lock for longer than lock_timeout.
hold_lock
spawn a
spawn b
waiters 2
sleep 7	# past the 5 s lock_timeout: a daemon that gave up has exited by now
for n in a b; do
	eval "p=\$pid_$n"
	kill -0 "$p" 2>/dev/null || fail "daemon $n gave up waiting for the migration lock: $(tail -n 2 "$DAEMON_DIR/$n.log")"
done
release_lock
for n in a b; do
	wait_until 60 "daemon $n did not start: $(tail -n 2 "$DAEMON_DIR/$n.log")" test -s "$DAEMON_DIR/$n.port"
	DAEMON_URL=http://127.0.0.1:$(cat "$DAEMON_DIR/$n.port")
	expect 200 GET /api/v1/health
	jqe '.status == "ok" and .schema == 9 and .store_schema == 9'
done
# Both up means one migrated: a second run of migration 1 fails (table runs exists) and stops its daemon.
[ "$(pg_sql "SELECT application || ' ' || version FROM ringlab_schema")" = "ringlab 9" ] ||
	fail "ringlab_schema holds $(pg_sql "SELECT * FROM ringlab_schema")"

# 2. A daemon waits to migrate from 8 while a newer one (psql) takes the store to 10.
pg_sql "UPDATE ringlab_schema SET version = 8" >/dev/null
hold_lock
spawn c
waiters 1
pg_sql "UPDATE ringlab_schema SET version = 10" >/dev/null
release_lock
i=0
while kill -0 "$pid_c" 2>/dev/null; do
	[ ! -s "$DAEMON_DIR/c.port" ] || fail "daemon c started on a store migrated past its schema"
	[ $i -lt 300 ] || fail "daemon c neither started nor gave up"
	sleep 0.1
	i=$((i + 1))
done
wait "$pid_c"
[ $? -ne 0 ] || fail "daemon c exited 0"
grep -q "schema version 10 is newer than this ringlab knows (9)" "$DAEMON_DIR/c.log" ||
	fail "daemon c does not say why: $(tail -n 2 "$DAEMON_DIR/c.log")"
for n in a b; do
	eval "kill -TERM \$pid_$n"
	eval "wait \$pid_$n"
done
echo "ok: two daemons waited for a migration past lock_timeout, one migrated; one that waited while the store went to 10 refused to start"
