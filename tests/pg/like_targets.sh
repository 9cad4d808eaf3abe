#!/bin/sh
# like_targets.sh: two machines whose targets share a name ("nvme", as the README advises for the fleet): each keeps the runs submitted to it (its queue, its busy target, its start-up recovery), never taking, counting or aborting the other's.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 30000
FLEET_TARGET=nvme
fleet_up a lab-a
fleet_up b lab-b
json='-H Content-Type:application/json'

# A's own run, running; a second one queued behind it on A.
DAEMON_URL=$fleet_url_a
expect 202 POST /api/v1/runs '{"workload": "fleet-slow"}' $json
slow=$(body .id)
wait_run "$slow" 30 running
expect 202 POST /api/v1/runs '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1, "queue": true, "label": "behind"}' $json
behind=$(body .id)

# B's nvme is idle, whatever A's is doing: a run submitted to B is not refused busy, and runs on B.
DAEMON_URL=$fleet_url_b
expect 200 GET /api/v1/system
jqe '.targets[0].name == "nvme" and .targets[0].busy == false'
expect 202 POST /api/v1/runs '{"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1, "label": "on-b"}' $json
on_b=$(body .id)
fleet_done_on "$on_b" lab-b

# B idle again, and restarted: A's runs are A's.
kill -TERM "$fleet_pid_b" && wait "$fleet_pid_b"
fleet_up b lab-b
DAEMON_URL=$fleet_url_b
expect 200 GET "/api/v1/runs/$slow"
jqe '.status == "running" and .host == "lab-a"'
expect 200 GET "/api/v1/runs/$behind"
jqe '.status == "queued"'

# A's queue is A's: once its slow run is cancelled, A runs the one behind it.
DAEMON_URL=$fleet_url_a
expect 202 POST "/api/v1/runs/$slow/cancel"
wait_run "$slow" 30 aborted
fleet_done_on "$behind" lab-a
[ "$(fleet_log_has b "run $behind:")" = 0 ] || fail "daemon B took A's queued run $behind"
echo "ok: like-named targets on two machines: each keeps its own queue, busy target and recovery"
