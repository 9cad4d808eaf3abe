#!/bin/sh
# health.sh: ringlabd on a PostgreSQL store that goes away and comes back: /health says postgresql and ok, then 503 degraded naming the lost server, and requests that need the store answer 503 (/metrics 200, ringlab_store_up 0); once the server is back the same daemon answers 200 again and has lost nothing.
export RL_TEST_STORE=postgresql
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
grep -q "store: postgresql host=127.0.0.1" "$DAEMON_DIR/rld.log" || fail "the log does not name the postgresql store"

expect 200 GET /api/v1/health
jqe '.status == "ok" and .store == "ok" and .store_kind == "postgresql" and .store_check == "ok"'
expect 200 GET /api/v1/runs
jqe '.total == 0'
expect 202 POST /api/v1/runs -H 'Content-Type: application/json' \
	--data-binary '{"workload": "nw-overwrite-aligned", "label": "kept", "scale": 0.05}'
id=$(jq -r .id "$DAEMON_DIR/body")
i=0
until [ "$(req GET "/api/v1/runs/$id" && jq -r .status "$DAEMON_DIR/body")" = "200done" ]; do
	[ $i -lt 300 ] || fail "run $id not done in 60 s: $(head -c 300 "$DAEMON_DIR/body")"
	sleep 0.2
	i=$((i + 1))
done

pg_down
expect 503 GET /api/v1/health
jqe '.status == "degraded" and .store_kind == "postgresql" and (.store | test("PostgreSQL|server|connection"; "i"))'
expect 503 GET /api/v1/runs
jqe '.error | length > 0'
kill -0 "$DAEMON_PID" || fail "ringlabd died when PostgreSQL went away"
# Still scraped: the daemon is up, its store is not (else every machine of a lab looks down).
expect 200 GET /metrics
grep -qx 'ringlab_up 1' "$DAEMON_DIR/body" && grep -qx 'ringlab_store_up 0' "$DAEMON_DIR/body" &&
	! grep -q '^ringlab_runs_total' "$DAEMON_DIR/body" || fail "/metrics with the store away: $(head -c 600 "$DAEMON_DIR/body")"
! command -v promtool >/dev/null 2>&1 || promtool check metrics <"$DAEMON_DIR/body" >/dev/null 2>&1 ||
	fail "/metrics with the store away: promtool: $(promtool check metrics <"$DAEMON_DIR/body" 2>&1)"

pg_up
i=0
until [ "$(req GET /api/v1/health)" = 200 ]; do
	[ $i -lt 50 ] || fail "/api/v1/health not 200 again after PostgreSQL came back: $(cat "$DAEMON_DIR/body")"
	sleep 0.2
	i=$((i + 1))
done
jqe '.store == "ok" and .store_kind == "postgresql"'
expect 200 GET "/api/v1/runs?label=kept"
jqe ".total == 1 and .runs[0].id == $id"
echo "ok: /health follows PostgreSQL down and back; run $id kept"
