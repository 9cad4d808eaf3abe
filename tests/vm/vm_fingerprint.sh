#!/bin/bash
# vm_fingerprint.sh: under QEMU, pure-overwrite RWF_NOWAIT writes (count) get EAGAIN 0% on Debian 7.2.13 and 100% on 7.3.4, aligned-mixed 100% on both, and `ringlab compare` calls the overwrite cell's EAGAIN rate changed.
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init

t0=$(vm_now)
vm_test_fetch base
vm_test_fetch series-merged

# One boot per kernel: both workloads in one suite file, 3 repetitions so that
# compare has enough to decide.
cat >"$VM_TMP/vm-fingerprint.json" <<'EOF'
{
	"name": "vm-fingerprint",
	"description": "NOWAIT fingerprint subset for the VM test: pure overwrite and aligned mixed, count policy",
	"workloads": ["nw-overwrite-aligned", "nw-mixed-aligned"]
}
EOF

declare -A took
for v in base series-merged; do
	t=$(vm_now)
	"$VM_KP/vm-run.sh" "$v" "$VM_TMP/vm-fingerprint.json" "$VM_TMP/$v.json" --timeout 900 \
		--ringlab-args "--repeat 3 --label vm-fingerprint" 2>"$VM_TMP/$v.err"
	rc=$?
	took[$v]=$(( $(vm_now) - t ))
	cat "$VM_TMP/$v.err" >&2
	[ $rc -eq 0 ] || vm_fail "vm-run.sh $v exited $rc"
done

# rate RUN WORKLOAD: EAGAIN on first attempts over first attempts, all repetitions pooled.
rate()
{
	jq -r --arg w "$2" '[.cells[] | select(.workload == $w)] |
		if length < 3 then "only \(length) cells"
		else (map(.eagain) | add) / (map(.attempts) | add) | tostring end' "$VM_TMP/$1.json"
}

# check RUN WORKLOAD 0|1: the rate is within 1% of 0 or 1. Not exactly: a write
# that lands in the same timestamp tick as the layout's own last write needs no
# mtime update, so a 7.3.4 kernel may let one NOWAIT write in thousands through.
check()
{
	local run=$1 w=$2 want=$3 got

	got=$(rate "$run" "$w")
	echo "$run ($(jq -r .env.kernel_release "$VM_TMP/$run.json")): $w EAGAIN rate $got"
	awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; exit !(g == g + 0 && d <= 0.01 && d >= -0.01) }' ||
		vm_fail "$run: $w: EAGAIN rate $got, expected $want (within 0.01)"
}

for run in base series-merged; do
	jq -e --arg t "$run" '.env.kernel_tag == $t and .status == "done" and
		([.cells[] | select(.failed)] | length) == 0' "$VM_TMP/$run.json" >/dev/null ||
		vm_fail "$run: not done, failed cells or a wrong kernel tag"
done
jq -e '.env.kernel_release | startswith("7.2.13")' "$VM_TMP/base.json" >/dev/null ||
	vm_fail "base ran $(jq -r .env.kernel_release "$VM_TMP/base.json"), not 7.2.13"
jq -e '.env.kernel_release | startswith("7.3.4")' "$VM_TMP/series-merged.json" >/dev/null ||
	vm_fail "series-merged ran $(jq -r .env.kernel_release "$VM_TMP/series-merged.json"), not 7.3.4"
check base nw-overwrite-aligned 0
check series-merged nw-overwrite-aligned 1
check base nw-mixed-aligned 1
check series-merged nw-mixed-aligned 1

# compare exits 1 on a regression (the EAGAIN change may count as one); 2 is bad input.
"$VM_RINGLAB" compare "$VM_TMP/base.json" "$VM_TMP/series-merged.json" --json >"$VM_TMP/cmp.json"
[ $? -le 1 ] || vm_fail "ringlab compare failed"
verdict()
{
	jq -r --arg w "$1" '[.workloads[].cells[] | select(.workload == $w)] |
		if length == 1 then .[0].eagain_verdict else "\(length) cells" end' "$VM_TMP/cmp.json"
}
v=$(verdict nw-overwrite-aligned)
echo "compare: nw-overwrite-aligned EAGAIN $v"
[ "$v" = changed ] || vm_fail "compare: nw-overwrite-aligned EAGAIN verdict $v, expected changed"
v=$(verdict nw-mixed-aligned)
echo "compare: nw-mixed-aligned EAGAIN $v"
[ "$v" = unchanged ] || vm_fail "compare: nw-mixed-aligned EAGAIN verdict $v, expected unchanged"

echo "time: base ${took[base]} s, series-merged ${took[series-merged]} s, total $(( $(vm_now) - t0 )) s"
exit 0
