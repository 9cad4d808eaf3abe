#!/bin/bash
# vm_fleet_night.sh: `ringlab nightly --fleet` with guest variants on two ringlabd sharing a PostgreSQL, each booting the Debian kernels (base 7.2.13, series-merged 7.3.4) in QEMU from its "vm": {"kernels"}: the two suites on both daemons, each run once, in the claimed row with its guest's env.vm, and the overwrite's EAGAIN rate changed (0% -> 100%) as under a local night; skipped without QEMU, PostgreSQL or the kernels.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
# shellcheck source=tests/lib/vm.sh
. "$top_srcdir/tests/lib/vm.sh"
vm_test_init
# vm.sh's trap replaced daemon.sh's: both cleanups.
trap 'daemon_cleanup; rm -rf "$VM_TMP"' EXIT
vm_test_fetch base series-merged
fleet_workloads 0
work=$DAEMON_DIR rl=$top_builddir/ringlab
t0=$(vm_now)

vm="\"vm\": {\"kernels\": [\"base\", \"series-merged\"], \"kernel_patches_dir\": \"$VM_KP\", \"timeout_s\": 600}"
fleet_up a fleet-a "$vm"
fleet_up b fleet-b "$vm"
export RINGLAB_WORKLOADS=$DAEMON_WORKLOADS
jq -n --arg url "$fleet_url_a" --arg kp "$VM_KP" '{url: $url, kernel_patches_dir: $kp,
	variants: ["base", "series-merged"], base: "base",
	suites: ["nw-overwrite-aligned", "nw-mixed-aligned"], ringlab_args: "--repeat 3 --scale 0.25",
	label_prefix: "vmf", fleet: true, fleet_queue_s: 300, timeout_s: 600}' >"$work/night.json"
"$rl" nightly -c "$work/night.json" >"$work/night.out" 2>"$work/night.err"
rc=$?
cat "$work/night.err" >&2
report=$(sed -n 's|^report: .*/#/nightly/\([0-9]*\)$|\1|p' "$work/night.out")
[ -n "$report" ] || fail "no report (exit $rc)"
DAEMON_URL=$fleet_url_a
expect 200 GET "/api/v1/nightly/$report"
cp "$DAEMON_DIR/body" "$work/report.json"
r() { jq -e "$@" "$work/report.json" >/dev/null; }
r 'all(.report.variants[].suites[]; .run.status == "done")' ||
	fail "runs: $(jq -c '[.report.variants[].suites[].run | {id, status, host, error}]' "$work/report.json")"
# Each suite on one host, the two suites on both.
s0=$(jq -r '[.report.variants[].suites[0].run.host] | unique | join(",")' "$work/report.json")
s1=$(jq -r '[.report.variants[].suites[1].run.host] | unique | join(",")' "$work/report.json")
case "$s0 $s1" in
"fleet-a fleet-b" | "fleet-b fleet-a") ;;
*) fail "suites ran on '$s0' and '$s1'" ;;
esac
for id in $(jq '.report.variants[].suites[].run.id' "$work/report.json"); do
	claims=$(( $(fleet_log_has a "run $id: claimed") + $(fleet_log_has b "run $id: claimed") ))
	[ "$claims" = 1 ] || fail "run $id claimed $claims times"
	expect 200 GET "/api/v1/runs/$id"
	jq -e '.env.vm.variant == .kernel_tag and .fleet.kernel == .kernel_tag and .host == .fleet.lease_owner[0:7]
		and (.cells | length) == 3' "$DAEMON_DIR/body" >/dev/null ||
		fail "run $id: $(jq -c '{kernel_tag, host, vm: .env.vm, fleet, cells: (.cells | length)}' "$DAEMON_DIR/body")"
done
# The fingerprint, as a local night sees it: the pure overwrite's EAGAIN rate changed on 7.3.4.
r '.report.variants[1].suites[0].comparison.workloads[0].cells[0].eagain_verdict == "changed"' ||
	fail "series-merged x nw-overwrite-aligned: $(jq -c '.report.variants[1].suites[0] | {status, summary}' "$work/report.json")"
[ $rc -eq 1 ] || fail "the night exited $rc: the EAGAIN change gates it (1)"
echo "ok: fleet night of guests: nw-overwrite-aligned on $s0, nw-mixed-aligned on $s1, exit $rc, $(( $(vm_now) - t0 )) s"
