#!/bin/bash
# vm_causes.sh: in QEMU guests, refused pure overwrites are attributed through return probes (timestamp update >= 95% on Debian 7.3.4, no EAGAIN on 7.2.13), and no instance or probe outlives a run, its SIGTERM, or a SIGKILL followed by the next run.
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init

t0=$(vm_now)
vm_test_fetch base series-merged

# The traced cell: aligned 8 KiB overwrites of a written file, mtime current.
cat >"$VM_TMP/vm-causes.json" <<'JSON'
{
	"name": "vm-causes",
	"description": "pure overwrite, traced, for the VM causes test",
	"set": {"trace_eagain": "on"},
	"workloads": ["nw-overwrite-aligned"],
	"variants": [
		{"name": "hot,fresh,count", "set": {"cache": "hot", "timestamps": "fresh",
			"eagain_policy": "count", "expect": {"eagain_rate": -1, "kernel": ""}}}
	]
}
JSON
# A traced run long enough to be killed while its probes are in place.
long=$(jq -c '.name = "long" | .trace_eagain = "on" | .repetitions = 1 | .expect = {} |
	.duration_ms = 60000 | .verify = false | .eagain_policy = "retry-blocking"' \
	"$VM_KP/../workloads/nw-mixed-aligned.json") || vm_fail "writing the long workload"
short=$(jq -c '.name = "short" | .trace_eagain = "on" | .repetitions = 1 | .expect = {}' \
	"$VM_KP/../workloads/nw-extend-aligned.json") || vm_fail "writing the short workload"

# In the guest: the cell, then a run killed by TERM and one by KILL; each
# "rl-causes:" line gives the victim's instances and probes in tracefs.
cat >"$VM_TMP/guest.sh" <<GUEST
"\$RINGLAB" run "\$RINGLAB_SUITE" --dir /mnt --json /tmp/run.json --kernel-tag "\$RINGLAB_TAG" -q "\$@"
rc=\$?
echo '$long' >/tmp/long.json
echo '$short' >/tmp/short.json
left() { echo "\$(ls \$TRACEFS/instances | grep -c "^ringlab-\$1\\\$") \$(cat \$TRACEFS/dynamic_events | grep -c ":ringlab_\$1_")"; }
for sig in TERM KILL; do
	"\$RINGLAB" run /tmp/long.json --dir /mnt --scale 0.05 -q >/dev/null 2>&1 &
	bg=\$!
	i=0
	until [ "\$(left \$bg)" != "0 0" ] || [ \$i -ge 300 ]; do i=\$((i + 1)); sleep 0.1; done
	sleep 0.5
	echo "rl-causes: \$sig before: \$(left \$bg)"
	kill -\$sig \$bg
	wait \$bg
	echo "rl-causes: \$sig after: \$(left \$bg)"
done
"\$RINGLAB" run /tmp/short.json --dir /mnt --scale 0.05 -q >/dev/null 2>&1
echo "rl-causes: next run: \$(left \$bg)"
exit \$rc
GUEST

# Single-threaded TCG: every traced cell patches kernel text (tracepoint static
# keys, set_event_pid's scheduler hooks, ftrace sites of the probes), which
# meets multi-threaded TCG's stale-translation race (kernel-patches/README.md).
for v in base series-merged; do
	t=$(vm_now)
	"$VM_KP/vm-run.sh" "$v" "$VM_TMP/vm-causes.json" "$VM_TMP/$v.json" --timeout 600 --tcg-thread single \
		--guest-script "$VM_TMP/guest.sh" --ringlab-args "--repeat 3 --scale 0.1" \
		2>"$VM_TMP/$v.err"
	rc=$?
	echo "$v: $(( $(vm_now) - t )) s"
	[ $rc -eq 0 ] || { cat "$VM_TMP/$v.err" >&2; vm_fail "vm-run.sh $v exited $rc"; }
done

for v in base series-merged; do
	out=$VM_TMP/$v.json con=$VM_TMP/$v.console.log
	echo "$v ($(jq -r .env.kernel_release "$out")): $(jq -r .env.eagain_probes "$out")"
	jq -e '.env.eagain_probes | test("^(fprobe|kretprobe) return probes .*kiocb_modified")' \
		"$out" >/dev/null || vm_fail "$v: env.eagain_probes: $(jq -r .env.eagain_probes "$out")"
	jq -e '[.cells[] | .eagain_causes as $k | .eagain ==
		(($k.counts | to_entries | map(.value) | add) + $k.unattributed)] | all' \
		"$out" >/dev/null || vm_fail "$v: causes do not add up to the EAGAIN counts"
	grep 'rl-causes:\|tracing left behind' "$con"
	grep -q 'ringlab-vm: tracing left behind: 0 instances, 0 probes' "$con" ||
		vm_fail "$v: tracing was left behind after the guest's runs"
	grep -Eq 'rl-causes: TERM before: 1 [1-9]' "$con" ||
		vm_fail "$v: the TERM victim had no instance and probes: test is void"
	grep -q 'rl-causes: TERM after: 0 0' "$con" || vm_fail "$v: SIGTERM left tracing behind"
	grep -Eq 'rl-causes: KILL after: 1 [1-9]' "$con" ||
		vm_fail "$v: SIGKILL left nothing to clean up: test is void"
	grep -q 'rl-causes: next run: 0 0' "$con" ||
		vm_fail "$v: the run after SIGKILL did not remove the stale instance and probes"
done

jq -e '[.cells[].eagain] | add == 0' "$VM_TMP/base.json" >/dev/null ||
	vm_fail "base (7.2.13): pure overwrite refused $(jq '[.cells[].eagain] | add' "$VM_TMP/base.json") writes"
share=$(jq -r '([.cells[].eagain] | add) as $e | ([.cells[].eagain_causes.counts.timestamp_update] | add) as $t |
	if $e == 0 then "none" else ($t * 100 / $e | floor) end' "$VM_TMP/series-merged.json")
echo "series-merged (7.3.4): timestamp update $share% of the EAGAINs"
[ "$share" != none ] && [ "$share" -ge 95 ] ||
	vm_fail "series-merged: timestamp update is $share% of the refusals: $(jq -c '[.cells[].eagain_causes.counts]' "$VM_TMP/series-merged.json")"
echo "time: $(( $(vm_now) - t0 )) s"
exit 0
