#!/bin/sh
# fleet.sh: two ringlabd on one PostgreSQL, hosts fleet-a and fleet-b: runs submitted with "host": "any" to either run exactly once each, on one daemon; "host": NAME (and ringlab submit --host NAME) runs on that host whichever daemon took the request; both daemons list both hosts' runs.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 0
fleet_up a fleet-a
fleet_up b fleet-b

small='"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1'
# A host named: asked of the other daemon, run by that host's.
DAEMON_URL=$fleet_url_a
expect 202 POST /api/v1/runs "{$small, \"host\": \"fleet-b\", \"label\": \"to-b\"}" -H 'Content-Type: application/json'
to_b=$(body .id)
DAEMON_URL=$fleet_url_b
expect 202 POST /api/v1/runs "{$small, \"host\": \"fleet-a\", \"label\": \"to-a\"}" -H 'Content-Type: application/json'
to_a=$(body .id)
# The CLI's --host, asked of B for host fleet-a.
cli=$("$top_builddir/ringlab" submit nw-overwrite-aligned --host fleet-a --scale 0.02 --repeat 1 \
	--label cli-to-a --url "$fleet_url_b") || fail "ringlab submit --host fleet-a: $cli"
# Any host: six runs, three asked of each daemon, all at once.
anys=
for i in 1 2 3; do
	for url in "$fleet_url_a" "$fleet_url_b"; do
		DAEMON_URL=$url
		expect 202 POST /api/v1/runs "{$small, \"host\": \"any\", \"label\": \"any-$i\"}" -H 'Content-Type: application/json'
		anys="$anys $(body .id)"
	done
done
DAEMON_URL=$fleet_url_a
for id in $to_b $to_a $cli $anys; do
	wait_run "$id" 60 done failed aborted
	run_is "$id" done || fail "run $id: $(body '{status, error}')"
done

expect 200 GET "/api/v1/runs/$to_b"
jqe '.host == "fleet-b" and .target == "b-t" and .fleet.host == "fleet-b" and .fleet.target == null
	and (.fleet.lease_owner | startswith("fleet-b/"))'
for id in $to_a $cli; do
	expect 200 GET "/api/v1/runs/$id"
	jqe '.host == "fleet-a" and .target == "a-t"'
done
for id in $to_b $to_a $cli $anys; do
	# Exactly once: one claim and one end across both daemons, by the host recorded.
	claims=$(( $(fleet_log_has a "run $id: claimed") + $(fleet_log_has b "run $id: claimed") ))
	[ "$claims" = 1 ] || fail "run $id claimed $claims times: $(grep -h "run $id:" "$DAEMON_DIR"/[ab].log)"
	expect 200 GET "/api/v1/runs/$id"
	host=$(body .host)
	case $host in
	fleet-a) by=a other=b ;;
	fleet-b) by=b other=a ;;
	*) fail "run $id recorded host '$host'" ;;
	esac
	[ "$(fleet_log_has $by "run $id: (claimed|done)")" = 2 ] && [ "$(fleet_log_has $other "run $id: ")" = 0 ] ||
		fail "run $id of host $host: $by's log and $other's: $(grep -h "run $id:" "$DAEMON_DIR"/[ab].log)"
	[ "$(pg_sql "SELECT count(*) FROM cell_summaries WHERE run_id = $id")" = 1 ] ||
		fail "run $id has $(pg_sql "SELECT count(*) FROM cell_summaries WHERE run_id = $id") cells, not 1"
	pg_sql "SELECT lease_owner FROM runs WHERE id = $id" | grep -q "^$host/.*/$(eval echo "\$fleet_pid_$by")\$" ||
		fail "run $id: lease owner $(pg_sql "SELECT lease_owner FROM runs WHERE id = $id"), ran on $host"
done

# One history: each daemon lists both hosts' runs.
for url in "$fleet_url_a" "$fleet_url_b"; do
	DAEMON_URL=$url
	expect 200 GET "/api/v1/runs?limit=50"
	jqe '[.runs[].host] | index("fleet-a") != null and index("fleet-b") != null'
done
# ringlab show names the host a run ran on, and the host a queued fleet run waits for.
out=$("$top_builddir/ringlab" show "$to_b" --url "$fleet_url_a") || fail "ringlab show $to_b: $out"
echo "$out" | grep -q "^host: *fleet-b (fleet run for host fleet-b, target any)$" || fail "ringlab show $to_b: $out"
DAEMON_URL=$fleet_url_a
expect 202 POST /api/v1/runs "{$small, \"host\": \"nowhere\", \"target\": \"nvme\"}" -H 'Content-Type: application/json'
nowhere=$(body .id)
out=$("$top_builddir/ringlab" show "$nowhere" --url "$fleet_url_b") || fail "ringlab show $nowhere: $out"
echo "$out" | grep -q "^host: *- (fleet run for host nowhere, target nvme)$" || fail "ringlab show $nowhere: $out"
expect 202 POST "/api/v1/runs/$nowhere/cancel"
echo "ok: fleet: $(echo $to_b $to_a $cli $anys | wc -w) runs each ran once; $(pg_sql "SELECT count(*) FROM runs WHERE host = 'fleet-a'") on fleet-a, $(pg_sql "SELECT count(*) FROM runs WHERE host = 'fleet-b'") on fleet-b"
