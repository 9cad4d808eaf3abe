#!/bin/bash
# hosts.sh: every run records the host it ran on (a real run this machine's, imported runs theirs, a guest run stamped by vm-run.sh's lab_host.sh its lab host); listings, history, GET /api/v1/hosts, `ringlab list` and /metrics filter and group by host; compare across machine ids is incompatible naming both hosts unless cross_host=1 / --cross-host.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64
rl=$top_builddir/ringlab
daemon_config scratch="$LOOPFS_DIR"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
work=$DAEMON_DIR
base=$DAEMON_URL
jqt() { jq -e "$@" "$work/body" >/dev/null 2>&1; }

# One null-engine run, three repetitions a cell, made into runs of two lab machines and a guest.
"$rl" run aligned-mixed --engine null --jobs 1 --repeat 3 --scale 0.01 --json "$work/r.json" \
	>/dev/null 2>&1 || fail "ringlab run --engine null"
as_host() {	# NAME MACHINE_ID: the run as if made on that host
	jq --arg h "$1" --arg m "$2" '.env.hostname = $h | .env.machine_id = $m |
		.env.cpu_model = "CPU of \($h)" | .env.lab_host = null' "$work/r.json"
}
ida=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa idb=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
import() {	# LABEL FILE: prints the new run's id
	jq --arg l "$1" '{run: ., label: $l}' "$2" >"$work/import.json"
	expect 201 POST /api/v1/runs/import --data-binary @"$work/import.json"
	jq -r .id "$work/body"
}
as_host lab-a "$ida" >"$work/a.json"
as_host lab-b "$idb" >"$work/b.json"
a1=$(import base "$work/a.json")
a2=$(import head "$work/a.json")
b1=$(import head-b "$work/b.json")

# A guest's run: its own hostname and machine id, then the lab host stamped as vm-run.sh does.
. "$top_srcdir/kernel-patches/lib/lab_host.sh"
as_host guest1 cccccccccccccccccccccccccccccccc >"$work/g.json"
lab_host_stamp "$work/g.json" || fail "lab_host_stamp"
me=$(uname -n) my_id=$(tr -d '[:space:]' </etc/machine-id)
jq -e --arg h "$me" --arg m "$my_id" '.env.lab_host.hostname == $h and .env.lab_host.machine_id == $m and
	(.env.lab_host.cpu_model | length > 0) and .env.hostname == "guest1"' "$work/g.json" >/dev/null ||
	fail "lab_host_stamp wrote $(jq -c .env.lab_host "$work/g.json")"
g1=$(import guest "$work/g.json")
expect 200 GET "/api/v1/runs/$g1"
jqt --arg h "$me" --arg m "$my_id" '.host == $h and .machine_id == $m and .guest_host == "guest1" and
	.env.lab_host.machine_id == $m' || fail "guest run: $(jq -c '{host, machine_id, guest_host}' "$work/body")"

# A run made here records this machine.
expect 202 POST /api/v1/runs -d '{"workload": "aligned-mixed", "jobs": [1], "scale": 0.01, "label": "own"}'
own=$(jq -r .id "$work/body")
for _ in $(seq 600); do
	req GET "/api/v1/runs/$own" >/dev/null
	jqt '.status == "done" or .status == "failed" or .status == "aborted"' && break
	sleep 0.1
done
jqt --arg h "$me" --arg m "$my_id" '.status == "done" and .host == $h and .machine_id == $m and
	.guest_host == null and (.cpu_model | length > 0) and .env.machine_id == $m' ||
	fail "own run: $(jq -c '{status, host, machine_id, guest_host, cpu_model}' "$work/body")"

# --- listings -------------------------------------------------------------------------------
expect 200 GET "/api/v1/runs?label=own"
jqt --arg h "$me" '.runs[0].host == $h and .runs[0].device_model == "loop"' ||
	fail "own run listed: $(jq -c '.runs[0] | {host, device_model}' "$work/body")"
expect 200 GET "/api/v1/runs?host=lab-a"
jqt --arg m "$ida" '.total == 2 and ([.runs[] | select(.host == "lab-a" and .machine_id == $m)] | length == 2)' ||
	fail "host=lab-a: $(jq -c '[.runs[] | {id, host}]' "$work/body")"
expect 200 GET "/api/v1/runs?host=lab-b&label=head-b"
jqt --argjson id "$b1" '.total == 1 and .runs[0].id == $id and .runs[0].cpu_model == "CPU of lab-b"' ||
	fail "host=lab-b: $(jq -c . "$work/body")"
expect 200 GET "/api/v1/runs?host=nowhere"
jqt '.total == 0' || fail "host=nowhere matched runs"
expect 200 GET "/api/v1/runs?group=host"
jqt '[.runs[].host] as $h | $h == ($h | sort) and ($h | length == 5)' ||
	fail "group=host: not ordered by host: $(jq -c '[.runs[].host]' "$work/body")"
expect 400 GET "/api/v1/runs?group=label"
jqt '.error | test("group")' || fail "group=label: $(cat "$work/body")"
expect 200 GET "/api/v1/hosts"
jqt --arg me "$me" '[.hosts[] | {host, runs}] == ([{host: "lab-a", runs: 2}, {host: "lab-b", runs: 1},
	{host: $me, runs: 2}] | sort_by(.host))' || fail "hosts: $(jq -c . "$work/body")"
expect 200 GET "/api/v1/hosts?label=head"
jqt '.hosts == [.hosts[0]] and .hosts[0].host == "lab-a" and .hosts[0].runs == 1' ||
	fail "hosts?label=head: $(jq -c . "$work/body")"

# --- history --------------------------------------------------------------------------------
expect 200 GET "/api/v1/history?workload=aligned-mixed&jobs=1&host=lab-b"
jqt '(.points | length) == 1 and .points[0].host == "lab-b"' || fail "history host=lab-b: $(jq -c . "$work/body")"
expect 200 GET "/api/v1/history?workload=aligned-mixed&jobs=1&group=host"
jqt --arg me "$me" '([.series[].host] | sort) == (["lab-a", "lab-b", $me] | sort) and
	([.series[].points | length] | add) == (.points | length) and
	all(.series[]; .host as $h | all(.points[]; .host == $h))' || fail "history group=host: $(jq -c . "$work/body")"

# --- compare --------------------------------------------------------------------------------
expect 200 GET "/api/v1/compare?base=label:base&head=label:head-b"
jqt '.cross_host == true and (.host_note | test("lab-a") and test("lab-b")) and
	all(.workloads[].cells[]; .verdict == "incompatible" and .incompatible_field == "host" and
		(.incompatible_reason | test("lab-a.*lab-b")))' ||
	fail "cross-host compare: $(jq -c '{cross_host, host_note, v: [.workloads[].cells[] | {verdict, incompatible_reason}]}' "$work/body")"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head-b&cross_host=1"
jqt '.cross_host == true and (.host_note | test("lab-a")) and
	all(.workloads[].cells[]; .verdict != "incompatible")' ||
	fail "cross_host=1: $(jq -c '{cross_host, v: [.workloads[].cells[].verdict]}' "$work/body")"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head"
jqt '.cross_host == false and .host_note == null and all(.workloads[].cells[]; .verdict != "incompatible")' ||
	fail "same-host compare: $(jq -c '{cross_host, host_note}' "$work/body")"
expect 404 GET "/api/v1/compare?base=label:base&head=label:head-b&host=lab-a"
jqt '.error | test("lab-a")' || fail "host=lab-a compare: $(cat "$work/body")"
expect 400 GET "/api/v1/compare?base=label:base&head=label:head&cross_host=maybe"

"$rl" compare label:base label:head-b --url "$base" >"$work/cli.out" 2>"$work/cli.err"; rc=$?
[ $rc -eq 2 ] || fail "CLI cross-host compare exited $rc, expected 2"
grep -q "incompatible.*lab-a.*lab-b" "$work/cli.err" || fail "CLI: $(cat "$work/cli.err")"
"$rl" compare label:base label:head-b --url "$base" --cross-host >"$work/cli.out" 2>"$work/cli.err"; rc=$?
[ $rc -le 1 ] || fail "CLI --cross-host exited $rc: $(cat "$work/cli.err")"
grep -q "crosses hosts.*lab-a" "$work/cli.out" || fail "CLI --cross-host does not say so: $(head -5 "$work/cli.out")"
"$rl" compare label:base label:head --url "$base" --host lab-b >/dev/null 2>"$work/cli.err" &&
	fail "CLI --host lab-b found lab-a's runs"
grep -q "no done run with it on host lab-b" "$work/cli.err" || fail "CLI --host: $(cat "$work/cli.err")"
"$rl" compare label:base label:head --url "$base" --host lab-a >/dev/null || fail "CLI --host lab-a"
"$rl" compare "run:$a1" "$work/b.json" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "CLI daemon run against a file of another host exited $rc, expected 2"

# --- ringlab list -----------------------------------------------------------------------------
"$rl" list --url "$base" --host lab-b >"$work/list.out" || fail "ringlab list --host"
[ "$(sed 1d "$work/list.out" | wc -l)" -eq 1 ] && head -1 "$work/list.out" | grep -q HOST &&
	sed 1d "$work/list.out" | grep -q "lab-b" || fail "ringlab list --host lab-b: $(cat "$work/list.out")"
"$rl" list --url "$base" --group host >"$work/list.out" || fail "ringlab list --group host"
[ "$(grep -c '^$' "$work/list.out")" -eq 2 ] || fail "ringlab list --group host: no blank line between 3 hosts:
$(cat "$work/list.out")"
"$rl" list --url "$base" --group label >/dev/null 2>&1 && fail "ringlab list --group label accepted"

# --- metrics --------------------------------------------------------------------------------
expect 200 GET /metrics
grep -q '^ringlab_runs_total{host="lab-a",status="done"} 2$' "$work/body" || fail "metrics: lab-a runs: $(grep runs_total "$work/body")"
grep -q '^ringlab_runs_total{host="lab-b",status="done"} 1$' "$work/body" || fail "metrics: lab-b runs"
cells=$(jq '.cells | length' "$work/b.json")
grep -q "^ringlab_cells_total{host=\"lab-b\",status=\"ok\"} $cells\$" "$work/body" ||
	fail "metrics: lab-b cells: $(grep cells_total "$work/body")"
exit 0
