#!/bin/bash
# hosts.sh: every run records the host it ran on (a real run this machine's, imported runs theirs, a guest run stamped by vm-run.sh's lab_host.sh its lab host); listings, history, GET /api/v1/hosts, `ringlab list` and /metrics filter and group by host; compare across machine ids is incompatible naming both hosts unless cross_host=1 / --cross-host; host= / --host refuses a run:ID made elsewhere.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_scratch
rl=$top_builddir/ringlab
jqt() { jq -e "$@" "$DAEMON_DIR/body" >/dev/null 2>&1; }

# One null-engine run, three repetitions a cell, made into runs of two lab machines and a guest.
"$rl" run aligned-mixed --engine null --jobs 1 --repeat 3 --scale 0.01 --json "$DAEMON_DIR/r.json" \
	>/dev/null 2>&1 || fail "ringlab run --engine null"
as_host() {	# NAME MACHINE_ID: the run as if made on that host
	jq --arg h "$1" --arg m "$2" '.env.hostname = $h | .env.machine_id = $m |
		.env.cpu_model = "CPU of \($h)" | .env.lab_host = null' "$DAEMON_DIR/r.json"
}
ida=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa idb=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
import() {	# LABEL FILE: prints the new run's id
	jq --arg l "$1" '{run: ., label: $l}' "$2" >"$DAEMON_DIR/import.json"
	expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/import.json"
	jq -r .id "$DAEMON_DIR/body"
}
as_host lab-a "$ida" >"$DAEMON_DIR/a.json"
as_host lab-b "$idb" >"$DAEMON_DIR/b.json"
a1=$(import base "$DAEMON_DIR/a.json")
a2=$(import head "$DAEMON_DIR/a.json")
b1=$(import head-b "$DAEMON_DIR/b.json")

# A guest's run: its own hostname and machine id, then the lab host stamped as vm-run.sh does.
. "$top_srcdir/kernel-patches/lib/lab_host.sh"
as_host guest1 cccccccccccccccccccccccccccccccc >"$DAEMON_DIR/g.json"
lab_host_stamp "$DAEMON_DIR/g.json" || fail "lab_host_stamp"
me=$(uname -n) my_id=$(tr -d '[:space:]' </etc/machine-id)
jq -e --arg h "$me" --arg m "$my_id" '.env.lab_host.hostname == $h and .env.lab_host.machine_id == $m and
	(.env.lab_host.cpu_model | length > 0) and .env.hostname == "guest1"' "$DAEMON_DIR/g.json" >/dev/null ||
	fail "lab_host_stamp wrote $(jq -c .env.lab_host "$DAEMON_DIR/g.json")"
g1=$(import guest "$DAEMON_DIR/g.json")
expect 200 GET "/api/v1/runs/$g1"
jqt --arg h "$me" --arg m "$my_id" '.host == $h and .machine_id == $m and .guest_host == "guest1" and
	.env.lab_host.machine_id == $m' || fail "guest run: $(jq -c '{host, machine_id, guest_host}' "$DAEMON_DIR/body")"

# A run made here records this machine.
expect 202 POST /api/v1/runs -d '{"workload": "aligned-mixed", "jobs": [1], "scale": 0.01, "label": "own"}'
own=$(jq -r .id "$DAEMON_DIR/body")
for _ in $(seq 600); do
	req GET "/api/v1/runs/$own" >/dev/null
	jqt '.status == "done" or .status == "failed" or .status == "aborted"' && break
	sleep 0.1
done
jqt --arg h "$me" --arg m "$my_id" '.status == "done" and .host == $h and .machine_id == $m and
	.guest_host == null and (.cpu_model | length > 0) and .env.machine_id == $m' ||
	fail "own run: $(jq -c '{status, host, machine_id, guest_host, cpu_model}' "$DAEMON_DIR/body")"

# --- listings -------------------------------------------------------------------------------
expect 200 GET "/api/v1/runs?label=own"
jqt --arg h "$me" '.runs[0].host == $h and .runs[0].device_model == "loop"' ||
	fail "own run listed: $(jq -c '.runs[0] | {host, device_model}' "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/runs?host=lab-a"
jqt --arg m "$ida" '.total == 2 and ([.runs[] | select(.host == "lab-a" and .machine_id == $m)] | length == 2)' ||
	fail "host=lab-a: $(jq -c '[.runs[] | {id, host}]' "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/runs?host=lab-b&label=head-b"
jqt --argjson id "$b1" '.total == 1 and .runs[0].id == $id and .runs[0].cpu_model == "CPU of lab-b"' ||
	fail "host=lab-b: $(jq -c . "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/runs?host=nowhere"
jqt '.total == 0' || fail "host=nowhere matched runs"
expect 200 GET "/api/v1/runs?group=host"
jqt '[.runs[].host] as $h | $h == ($h | sort) and ($h | length == 5)' ||
	fail "group=host: not ordered by host: $(jq -c '[.runs[].host]' "$DAEMON_DIR/body")"
expect 400 GET "/api/v1/runs?group=label"
jqt '.error | test("group")' || fail "group=label: $(cat "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/hosts"
jqt --arg me "$me" '[.hosts[] | {host, runs}] == ([{host: "lab-a", runs: 2}, {host: "lab-b", runs: 1},
	{host: $me, runs: 2}] | sort_by(.host))' || fail "hosts: $(jq -c . "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/hosts?label=head"
jqt '.hosts == [.hosts[0]] and .hosts[0].host == "lab-a" and .hosts[0].runs == 1' ||
	fail "hosts?label=head: $(jq -c . "$DAEMON_DIR/body")"

# --- history --------------------------------------------------------------------------------
expect 200 GET "/api/v1/history?workload=aligned-mixed&jobs=1&host=lab-b"
jqt '(.points | length) == 1 and .points[0].host == "lab-b"' || fail "history host=lab-b: $(jq -c . "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/history?workload=aligned-mixed&jobs=1&group=host"
jqt --arg me "$me" '([.series[].host] | sort) == (["lab-a", "lab-b", $me] | sort) and
	([.series[].points | length] | add) == (.points | length) and
	all(.series[]; .host as $h | all(.points[]; .host == $h))' || fail "history group=host: $(jq -c . "$DAEMON_DIR/body")"

# --- compare --------------------------------------------------------------------------------
expect 200 GET "/api/v1/compare?base=label:base&head=label:head-b"
jqt '.cross_host == true and (.host_note | test("lab-a") and test("lab-b")) and
	all(.workloads[].cells[]; .verdict == "incompatible" and .incompatible_field == "host" and
		(.incompatible_reason | test("lab-a.*lab-b")))' ||
	fail "cross-host compare: $(jq -c '{cross_host, host_note, v: [.workloads[].cells[] | {verdict, incompatible_reason}]}' "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head-b&cross_host=1"
jqt '.cross_host == true and (.host_note | test("lab-a")) and
	all(.workloads[].cells[]; .verdict != "incompatible")' ||
	fail "cross_host=1: $(jq -c '{cross_host, v: [.workloads[].cells[].verdict]}' "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head"
jqt '.cross_host == false and .host_note == null and all(.workloads[].cells[]; .verdict != "incompatible")' ||
	fail "same-host compare: $(jq -c '{cross_host, host_note}' "$DAEMON_DIR/body")"
expect 404 GET "/api/v1/compare?base=label:base&head=label:head-b&host=lab-a"
jqt '.error | test("lab-a")' || fail "host=lab-a compare: $(cat "$DAEMON_DIR/body")"
expect 400 GET "/api/v1/compare?base=label:base&head=label:head&cross_host=maybe"

"$rl" compare label:base label:head-b --url "$DAEMON_URL" >"$DAEMON_DIR/cli.out" 2>"$DAEMON_DIR/cli.err"; rc=$?
[ $rc -eq 2 ] || fail "CLI cross-host compare exited $rc, expected 2"
grep -q "incompatible.*lab-a.*lab-b" "$DAEMON_DIR/cli.err" || fail "CLI: $(cat "$DAEMON_DIR/cli.err")"
"$rl" compare label:base label:head-b --url "$DAEMON_URL" --cross-host >"$DAEMON_DIR/cli.out" 2>"$DAEMON_DIR/cli.err"; rc=$?
[ $rc -le 1 ] || fail "CLI --cross-host exited $rc: $(cat "$DAEMON_DIR/cli.err")"
grep -q "crosses hosts.*lab-a" "$DAEMON_DIR/cli.out" || fail "CLI --cross-host does not say so: $(head -5 "$DAEMON_DIR/cli.out")"
"$rl" compare label:base label:head --url "$DAEMON_URL" --host lab-b >/dev/null 2>"$DAEMON_DIR/cli.err" &&
	fail "CLI --host lab-b found lab-a's runs"
grep -q "no done run with it on host lab-b" "$DAEMON_DIR/cli.err" || fail "CLI --host: $(cat "$DAEMON_DIR/cli.err")"
"$rl" compare label:base label:head --url "$DAEMON_URL" --host lab-a >/dev/null || fail "CLI --host lab-a"
"$rl" compare "run:$a1" "$DAEMON_DIR/b.json" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "CLI daemon run against a file of another host exited $rc, expected 2"
# host= names the machine of every run compared: a run named by id made elsewhere is refused.
expect 400 GET "/api/v1/compare?base=run:$a1&head=run:$a2,run:$b1&host=lab-a"
jqt --arg b "$b1" '.error | test("query head: run \($b) was made on lab-b, not on host lab-a")' ||
	fail "host=lab-a with run $b1: $(cat "$DAEMON_DIR/body")"
expect 200 GET "/api/v1/compare?base=run:$a1&head=run:$a2&host=lab-a"
for base in "run:$a1" "$DAEMON_DIR/a.json"; do	# compared by the daemon, then here
	"$rl" compare "$base" "run:$b1" --host lab-a --cross-host --url "$DAEMON_URL" >/dev/null 2>"$DAEMON_DIR/cli.err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "run.$b1.* made on lab-b, not on host lab-a" "$DAEMON_DIR/cli.err" ||
		fail "CLI $base run:$b1 --host lab-a: exit $rc, $(cat "$DAEMON_DIR/cli.err")"
done

# --- ringlab list -----------------------------------------------------------------------------
"$rl" list --url "$DAEMON_URL" --host lab-b >"$DAEMON_DIR/list.out" || fail "ringlab list --host"
[ "$(sed 1d "$DAEMON_DIR/list.out" | wc -l)" -eq 1 ] && head -1 "$DAEMON_DIR/list.out" | grep -q HOST &&
	sed 1d "$DAEMON_DIR/list.out" | grep -q "lab-b" || fail "ringlab list --host lab-b: $(cat "$DAEMON_DIR/list.out")"
"$rl" list --url "$DAEMON_URL" --group host >"$DAEMON_DIR/list.out" || fail "ringlab list --group host"
[ "$(grep -c '^$' "$DAEMON_DIR/list.out")" -eq 2 ] || fail "ringlab list --group host: no blank line between 3 hosts:
$(cat "$DAEMON_DIR/list.out")"
"$rl" list --url "$DAEMON_URL" --group label >/dev/null 2>&1 && fail "ringlab list --group label accepted"

# --- metrics --------------------------------------------------------------------------------
expect 200 GET /metrics
grep -q '^ringlab_runs_total{host="lab-a",status="done"} 2$' "$DAEMON_DIR/body" || fail "metrics: lab-a runs: $(grep runs_total "$DAEMON_DIR/body")"
grep -q '^ringlab_runs_total{host="lab-b",status="done"} 1$' "$DAEMON_DIR/body" || fail "metrics: lab-b runs"
cells=$(jq '.cells | length' "$DAEMON_DIR/b.json")
grep -q "^ringlab_cells_total{host=\"lab-b\",status=\"ok\"} $cells\$" "$DAEMON_DIR/body" ||
	fail "metrics: lab-b cells: $(grep cells_total "$DAEMON_DIR/body")"
exit 0
