#!/bin/bash
# metrics_promtool.sh: ringlabd's /metrics passes `promtool check metrics` (Prometheus naming, units, HELP/TYPE) with runs of a host whose name needs escaping, a running run and a stored night; the newest night's status is a state set.
command -v promtool >/dev/null 2>&1 || { echo "SKIP: needs promtool (apt-get install prometheus)" >&2; exit 77; }
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
rl=$top_builddir/ringlab

# A run of a host whose name holds a quote and a backslash: label values must be escaped.
"$rl" run aligned-mixed --engine null --jobs 1 --scale 0.01 --json "$DAEMON_DIR/r.json" \
	>/dev/null 2>&1 || fail "ringlab run --engine null"
jq '{run: (.env.hostname = "lab\"7\\x" | .env.machine_id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	label: "odd"}' "$DAEMON_DIR/r.json" >"$DAEMON_DIR/import.json"
expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/import.json"
jq -n '{format: "ringlab-nightly-1", status: "regressed", summary: "1 regressed", label: "n1",
	started_ns: 1790000000e9, finished_ns: 1790000060e9}' >"$DAEMON_DIR/night.json"
expect 201 POST /api/v1/nightly --data-binary @"$DAEMON_DIR/night.json"

check() {	# WHAT: /metrics now passes promtool
	expect 200 GET /metrics
	promtool check metrics <"$DAEMON_DIR/body" >"$DAEMON_DIR/promtool.out" 2>&1 ||
		fail "promtool check metrics ($1): $(cat "$DAEMON_DIR/promtool.out")
$(cat "$DAEMON_DIR/body")"
}
check "idle"
grep -qF 'ringlab_runs_total{host="lab\"7\\x",status="done"} 1' "$DAEMON_DIR/body" ||
	fail "metrics: the odd host's run, escaped: $(grep runs_total "$DAEMON_DIR/body")"
grep -q '^ringlab_nightly_last_status{status="regressed"} 1$' "$DAEMON_DIR/body" &&
	grep -q '^ringlab_nightly_last_status{status="ok"} 0$' "$DAEMON_DIR/body" ||
	fail "metrics: nightly status: $(grep nightly "$DAEMON_DIR/body")"
grep -q '^ringlab_nightly_last_finish_timestamp_seconds 1790000060\.000$' "$DAEMON_DIR/body" ||
	fail "metrics: nightly finish: $(grep nightly_last_finish "$DAEMON_DIR/body")"

# While a run runs, the per-target gauges carry values too.
expect 202 POST /api/v1/runs -d '{"workload": "aligned-mixed", "jobs": [1], "scale": 0.05, "repeat": 20}'
id=$(jq -r .id "$DAEMON_DIR/body")
for _ in $(seq 300); do
	req GET /metrics >/dev/null
	grep -q '^ringlab_run_active{target="scratch"} 1$' "$DAEMON_DIR/body" && break
	sleep 0.1
done
check "running"
req POST "/api/v1/runs/$id/cancel" >/dev/null
exit 0
