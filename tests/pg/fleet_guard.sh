#!/bin/sh
# fleet_guard.sh: a fleet run's lease taken from under a live daemon between two of its cells (long leases, so its renewal does not notice first): its next cell is refused by the statement that writes it, the daemon stops the run and writes nothing more of it, neither a cell nor its end.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 0
jq '.name = "many-cells" | .size_per_job = "2M" | .duration_ms = 250 | .repetitions = 40 | del(.expect)' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/many-cells.json" ||
	fail "workload many-cells"
# Renewed every 20 s: the run has written many cells before a renewal could find the lease gone.
fleet_up a fleet-a '"fleet": {"lease_s": 60}'
DAEMON_URL=$fleet_url_a
cells() { pg_sql "SELECT count(*) || ' ' || (SELECT ncells FROM runs WHERE id = $1) FROM cell_summaries WHERE run_id = $1"; }

expect 202 POST /api/v1/runs '{"workload": "many-cells", "host": "fleet-a"}' -H 'Content-Type: application/json'
id=$(body .id)
wait_until 60 "run $id stored no 2 cells" eval '[ "$(cells "$id" | cut -d" " -f1)" -ge 2 ]'
# The lease goes to another owner; the run's cells at that moment are what it keeps.
at=$(pg_sql "UPDATE runs SET lease_owner = 'elsewhere/0/1' WHERE id = $id RETURNING ncells")
wait_until 30 "fleet-a never found its cell of run $id refused" eval \
	'[ "$(fleet_log_has a "run $id: its lease is held by elsewhere/0/1, not fleet-a/.*; stopping run $id here")" -ge 1 ]'
wait_until 30 "fleet-a never dropped run $id" eval '[ "$(fleet_log_has a "run $id: its lease was lost")" = 1 ]'
[ "$(cells "$id")" = "$at $at" ] ||
	fail "run $id had $at cells when its lease went; now (rows, ncells) $(cells "$id"): the old holder wrote more"
[ "$(pg_sql "SELECT status || ' ' || COALESCE(error, '-') || ' ' || lease_owner FROM runs WHERE id = $id")" = "running - elsewhere/0/1" ] ||
	fail "run $id after fleet-a lost it: $(pg_sql "SELECT status, error, lease_owner FROM runs WHERE id = $id")"
echo "ok: run $id's lease taken after $at cells; fleet-a's next cell refused, nothing more of it stored"
