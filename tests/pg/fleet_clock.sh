#!/bin/sh
# fleet_clock.sh: leases on the database's clock: fleet-b runs with its clock an hour behind (libfaketime) and still re-queues the run of a daemon killed with -9 once its 3 s lease is past, and fleet-c (a right clock) leaves fleet-b's live run alone while fleet-b renews it.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
faketime_lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
[ -n "$faketime_lib" ] || { echo "SKIP: needs libfaketime (Debian's faketime package)" >&2; exit 77; }
fleet_workloads 5000
lease='"fleet": {"lease_s": 3}'

# fleet-a holds a run, then dies.
fleet_up a fleet-a "$lease"
DAEMON_URL=$fleet_url_a
fleet_slow_run any
lost=$fleet_id

# fleet-b's clock is an hour behind the database's (and fleet-a's).
real_bin=$DAEMON_BIN
cat >"$DAEMON_DIR/skewed" <<SH
#!/bin/sh
LD_PRELOAD=$faketime_lib FAKETIME=-1h FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$real_bin" "\$@"
SH
chmod +x "$DAEMON_DIR/skewed"
DAEMON_BIN=$DAEMON_DIR/skewed
fleet_up b fleet-b "$lease"
DAEMON_BIN=$real_bin
kill -KILL "$fleet_pid_a"
wait "$fleet_pid_a" 2>/dev/null

DAEMON_URL=$fleet_url_b
fleet_done_on "$lost" fleet-b
# Proof of the skew: fleet-b stamped the run's start with its own clock.
skew=$(( $(date +%s) - $(body .started_ns) / 1000000000 ))
[ "$skew" -gt 3000 ] || fail "fleet-b's clock is not behind: run $lost started ${skew} s ago"
[ "$(fleet_log_has b "back in the queue")" -ge 1 ] || fail "fleet-b never re-queued run $lost"

# fleet-c, on the right clock, leaves fleet-b's live lease alone.
fleet_up c fleet-c "$lease"
DAEMON_URL=$fleet_url_c
expect 202 POST /api/v1/runs '{"workload": "fleet-slow", "host": "fleet-b"}' -H 'Content-Type: application/json'
held=$(body .id)
fleet_done_on "$held" fleet-b
[ "$(fleet_log_has c "back in the queue")" = 0 ] ||
	fail "fleet-c re-queued a lease fleet-b held: $(grep -h "queue" "$DAEMON_DIR/c.log")"
[ "$(fleet_log_has b "run $held: claimed")" = 1 ] || fail "fleet-b claimed run $held $(fleet_log_has b "run $held: claimed") times"
echo "ok: fleet-b, $skew s behind, re-queued dead fleet-a's run $lost after its lease; fleet-c left fleet-b's run $held alone"
