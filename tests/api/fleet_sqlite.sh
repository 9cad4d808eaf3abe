#!/bin/sh
# fleet_sqlite.sh: on the SQLite store the fleet is this machine: "host": "any" or this machine's name runs here as any submit does; another host is refused with 400 naming the PostgreSQL store, and nothing is stored for it.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq hostname
[ "${RL_TEST_STORE:-sqlite}" = sqlite ] || { echo "SKIP: a SQLite test" >&2; exit 77; }
loopfs_create 64
daemon_config scratch="$LOOPFS_DIR"
daemon_up -c "$DAEMON_DIR/ringlabd.json"

small='"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1'
expect 400 POST /api/v1/runs "{$small, \"host\": \"elsewhere\"}" -H 'Content-Type: application/json'
jqe '.error | test("elsewhere") and test("fleet scheduling needs the PostgreSQL store")'
expect 400 POST /api/v1/runs "{$small, \"host\": \"a b\"}" -H 'Content-Type: application/json'
jqe '.error | test("field host")'
expect 200 GET /api/v1/runs
jqe '.total == 0'
for host in any "$(hostname)"; do
	expect 202 POST /api/v1/runs "{$small, \"host\": \"$host\", \"queue\": true}" -H 'Content-Type: application/json'
	id=$(body .id)
	wait_run "$id" 60 done failed aborted
	run_is "$id" done || fail "run $id (host $host): $(body '{status, error}')"
	expect 200 GET "/api/v1/runs/$id"
	jqe '.target == "scratch" and .fleet == null'
done
echo "ok: SQLite: host any and $(hostname) run here, another host is refused"
