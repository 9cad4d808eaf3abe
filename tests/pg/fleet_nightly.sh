#!/bin/bash
# fleet_nightly.sh: `ringlab nightly --fleet` on two ringlabd (fleet-a, fleet-b) sharing a PostgreSQL: host variants and guest variants (a stand-in vm-run.sh behind each daemon's "vm": {"kernels"}) x two suites, each suite's runs on one host and the two suites on both daemons, every run taken exactly once, a guest that fails reported failed with its host, a kernel no daemon boots given up after fleet_queue_s naming it, and the report shaped as a local night's.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 1500
jq '.name = "fleet-slow2"' "$DAEMON_WORKLOADS/fleet-slow.json" >"$DAEMON_WORKLOADS/fleet-slow2.json" ||
	fail "workload fleet-slow2"
work=$DAEMON_DIR rl=$top_builddir/ringlab

# The stand-in for vm-run.sh: records where it ran and what it got, and plays the guest
# with the null engine (guest-hung hangs, as vm-run.sh reports a hung guest).
kp=$work/kernel-patches
mkdir -p "$kp/variants"
cat >"$kp/vm-run.sh" <<'EOF'
#!/bin/bash
echo "$(hostname) $*" >>"$VMRUN_LOG"
variant=$1 suite=$2 out=$3
shift 3
while [ $# -gt 0 ]; do
	case $1 in
	--ringlab) ringlab=$2; shift ;;
	--ringlab-args) rargs=$2; shift ;;
	esac
	shift
done
if [ "$variant" = guest-hung ]; then
	echo "vm-run: guest-hung: guest hung: no console output for 120 s" >&2
	exit 1
fi
# shellcheck disable=SC2086  # the arguments, split as vm-run.sh splits them
"$ringlab" run "$suite" --engine null $rargs -q --json "$out.tmp" --kernel-tag "$variant" >/dev/null || exit 1
jq --arg v "$variant" '.env.cmdline = "console=ttyS0 ringlab.variant=\($v) ringlab.accel=tcg ringlab.tcg_thread=multi ringlab.vcpus=2 ringlab.cpu=max"' \
	"$out.tmp" >"$out" && rm -f "$out.tmp"
EOF
chmod +x "$kp/vm-run.sh"
export VMRUN_LOG=$work/vmrun.log
: >"$VMRUN_LOG"
for v in hv-a hv-b; do
	echo "{\"name\": \"$v\", \"kind\": \"host\", \"dir\": \"$work\"}" >"$kp/variants/$v.json"
done
for v in guest-ok guest-hung vm-none; do
	echo "{\"name\": \"$v\", \"kind\": \"prebuilt\"}" >"$kp/variants/$v.json"
done
vm="\"vm\": {\"kernels\": [\"guest-ok\", \"guest-hung\"], \"kernel_patches_dir\": \"$kp\"}"
fleet_up a fleet-a "$vm"
fleet_up b fleet-b "$vm"
export RINGLAB_WORKLOADS=$DAEMON_WORKLOADS

config() {	# FILE PREFIX SUITES_JSON VARIANT...
	local file=$1 prefix=$2 suites=$3
	shift 3
	jq -n --arg url "$fleet_url_a" --arg kp "$kp" --arg prefix "$prefix" --argjson suites "$suites" \
		--arg wd "$work/nights" --args '{url: $url, kernel_patches_dir: $kp,
		variants: $ARGS.positional, base: "hv-a", suites: $suites, ringlab_args: "--repeat 2",
		label_prefix: $prefix, work_dir: $wd, timeout_s: 120, kernel_timeout_s: 0,
		fleet_queue_s: 8}' "$@" >"$file"
}
night() {	# NAME ARGS...: sets rc and report (its id)
	local name=$1
	shift
	"$rl" nightly "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	report=$(sed -n 's|^report: .*/#/nightly/\([0-9]*\)$|\1|p' "$work/$name.out")
	[ -n "$report" ] || fail "$name: no report id in the output (exit $rc): $(tail -n 5 "$work/$name.err")"
}
DAEMON_URL=$fleet_url_a

# 1. The fleet night: 5 variants x 2 suites.
config "$work/fleet.json" fn '["fleet-slow", "fleet-slow2"]' hv-a hv-b guest-ok guest-hung vm-none
night fleet -c "$work/fleet.json" --fleet
[ $rc -eq 1 ] || fail "the fleet night exited $rc, expected 1 (two variants fail)"
expect 200 GET "/api/v1/nightly/$report"
cp "$DAEMON_DIR/body" "$work/fleet-report.json"
r() { jq -e "$@" "$work/fleet-report.json" >/dev/null; }
label=$(jq -r .label "$work/fleet-report.json")
r '.report.format == "ringlab-nightly-1" and ([.report.variants[].name] == ["hv-a", "hv-b", "guest-ok", "guest-hung", "vm-none"])' ||
	fail "report: $(jq -c '[.report.format, [.report.variants[].name]]' "$work/fleet-report.json")"
expect 200 GET "/api/v1/runs?label=$label&limit=100"
cp "$DAEMON_DIR/body" "$work/runs.json"
jq -e '.total == 10' "$work/runs.json" >/dev/null || fail "$(jq .total "$work/runs.json") runs labelled $label, not 10"

# Each suite on one host, the two suites on both daemons.
hosts=
for s in fleet-slow fleet-slow2; do
	h=$(jq -r --arg s "$s" '[.runs[] | select(.what == $s and .host != null) | .host] | unique | join(",")' "$work/runs.json")
	case $h in
	fleet-a | fleet-b) ;;
	*) fail "suite $s ran on '$h', not on one host: $(jq -c --arg s "$s" '[.runs[] | select(.what == $s) | {kernel_tag, host}]' "$work/runs.json")" ;;
	esac
	hosts="$hosts $h"
done
[ "$(echo $hosts | tr ' ' '\n' | sort -u | wc -l)" = 2 ] || fail "both suites ran on$hosts: the night was not spread"

# Every run taken once, by the daemon of the host it records; vm-none by none.
for id in $(jq '.runs[] | select(.kernel_tag != "vm-none") | .id' "$work/runs.json"); do
	claims=$(( $(fleet_log_has a "run $id: claimed") + $(fleet_log_has b "run $id: claimed") ))
	[ "$claims" = 1 ] || fail "run $id claimed $claims times: $(jq -c --argjson i "$id" ".runs[] | select(.id == \$i)" "$work/runs.json"); $(grep -h "run $id:" "$DAEMON_DIR"/[ab].log)"
	# The report's host: also that of a guest that failed before sending a run back.
	host=$(jq -r --argjson i "$id" '.report.variants[].suites[].run | select(.id == $i) | .host' "$work/fleet-report.json")
	by=${host#fleet-}
	[ "$(fleet_log_has "$by" "run $id: claimed")" = 1 ] || fail "run $id records host $host, but $by did not take it"
done
for id in $(jq '.runs[] | select(.kernel_tag == "vm-none") | .id' "$work/runs.json"); do
	[ "$(( $(fleet_log_has a "run $id: claimed") + $(fleet_log_has b "run $id: claimed") ))" = 0 ] ||
		fail "run $id (kernel vm-none, booted by no daemon) was claimed"
	jq -e --argjson i "$id" '.runs[] | select(.id == $i) | .status == "aborted"' "$work/runs.json" >/dev/null ||
		fail "run $id (vm-none) is not aborted: $(jq -c --argjson i "$id" '.runs[] | select(.id == $i)' "$work/runs.json")"
done

# The host variants: compared on their host, hv-b with hv-a's run of the same suite.
for s in 0 1; do
	r --argjson s $s '.report.variants[0].suites[$s].run as $b | .report.variants[1].suites[$s] |
		.base_run_id == $b.id and .run.host == $b.host and .run.status == "done" and .status != "failed" and
		.comparison != null' || fail "hv-b x suite $s: $(jq -c --argjson s $s '.report.variants[1].suites[$s] | del(.comparison)' "$work/fleet-report.json")"
done
# The guest that ran: the stand-in's run in the claimed row, its env.vm, 2 repetitions.
for s in 0 1; do
	id=$(jq --argjson s $s '.report.variants[2].suites[$s].run.id' "$work/fleet-report.json")
	host=$(jq -r --argjson s $s '.report.variants[0].suites[$s].run.host' "$work/fleet-report.json")
	expect 200 GET "/api/v1/runs/$id"
	jq -e --arg h "$host" --arg l "$label" '.status == "done" and .host == $h and .kernel_tag == "guest-ok" and
		.label == $l and .env.vm.variant == "guest-ok" and (.cells | length) == 2 and .fleet.kernel == "guest-ok"' \
		"$DAEMON_DIR/body" >/dev/null || fail "guest-ok's run $id (host $host): $(jq -c '{status, host, kernel_tag, label, vm: .env.vm, cells: (.cells | length), fleet, error}' "$DAEMON_DIR/body")"
	r --argjson s $s '.report.variants[2].suites[$s] | .status != "failed" and .run.status == "done"' ||
		fail "guest-ok x suite $s: $(jq -c --argjson s $s '.report.variants[2].suites[$s] | del(.comparison)' "$work/fleet-report.json")"
done
# The guest that failed, and the kernel nobody boots: failed, saying where and why; the night went on.
r '.report.variants[3] | .status == "failed" and all(.suites[]; .status == "failed" and
	(.run.host | test("^fleet-[ab]$")) and (.run.error | test("kernel guest-hung on fleet-[ab]: .*guest hung")))' ||
	fail "guest-hung: $(jq -c '.report.variants[3].suites[] | {status, run: .run | {host, error}}' "$work/fleet-report.json")"
r '.report.variants[4] | .status == "failed" and all(.suites[]; .run.error | test("not taken in 8 s: it needs an idle daemon on host fleet-[ab] with kernel vm-none"))' ||
	fail "vm-none: $(jq -c '.report.variants[4].suites[] | .run.error' "$work/fleet-report.json")"
r '.report.counts.failed == 4 and .status != "ok"' || fail "counts $(jq -c '[.status, .report.counts]' "$work/fleet-report.json")"
# The stand-in ran on both machines, with the night's ringlab_args; twice each kernel.
[ "$(grep -c '^fleet-a ' "$VMRUN_LOG")" = 2 ] && [ "$(grep -c '^fleet-b ' "$VMRUN_LOG")" = 2 ] ||
	fail "the stand-in ran: $(cut -d' ' -f1,2 "$VMRUN_LOG" | tr '\n' ';')"
grep -v -- '--ringlab-args --scale 1 --repeat 2' "$VMRUN_LOG" && fail "a guest did not get --repeat 2"
grep -q "guest-hung x fleet-slow: FAILED: the run is failed on fleet-" "$work/fleet.err" ||
	fail "the progress does not say where guest-hung failed: $(grep guest-hung "$work/fleet.err")"
echo "ok: fleet night $label: suites on$hosts, guest-hung failed with its host, vm-none given up after 8 s"

# 2. The same shape as a local night's (host variants here, on an ext4 directory of their own).
loopfs_create 64
for v in hv-a hv-b; do
	echo "{\"name\": \"$v\", \"kind\": \"host\", \"dir\": \"$LOOPFS_DIR\"}" >"$kp/variants/$v.json"
done
config "$work/local.json" ln '["fleet-slow"]' hv-a hv-b
night local -c "$work/local.json"
expect 200 GET "/api/v1/nightly/$report"
shape() {	# the report's keys, down to one suite entry's run
	jq -S '.report | [keys, (.variants[1] | keys), (.variants[1].suites[0] | keys),
		(.variants[1].suites[0].run | keys), (.variants[0].suites[0] | keys)]' "$1"
}
shape "$DAEMON_DIR/body" >"$work/local.shape"
shape "$work/fleet-report.json" | diff -u "$work/local.shape" - >&2 || fail "the fleet night's report is shaped otherwise than a local night's"
jq -e '.report.variants[1].suites[0].run.host == .report.hostname' "$DAEMON_DIR/body" >/dev/null ||
	fail "a local night's run host: $(jq -c '[.report.variants[1].suites[0].run.host, .report.hostname]' "$DAEMON_DIR/body")"
echo "ok: the fleet night's report has a local night's shape"
exit 0
