#!/bin/bash
# vm_nowait_refused.sh: ext4-dio-shared-rwsem:v3 writes part of RWF_NOWAIT writes it refuses with -EAGAIN. nw-holes-refused (8 KiB NOWAIT writes over [W][H], count, churn) fails verification on v3 with every bad block holding data of a refused write, passes on the family's base, and `ringlab compare` calls the cell corrupt and says why. Skips unless both kernels are built and cached (make check-vm-source builds them).
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init
fam=ext4-dio-shared-rwsem
wl=nw-holes-refused

# Never a 12-minute kernel build from make check: only kernels already built.
for v in base v3; do
	"$VM_KP/build-kernel.sh" --check "$fam:$v" >"$VM_TMP/check.$v" 2>"$VM_TMP/check.$v.err" ||
		vm_skip "$fam:$v cannot be checked: $(tail -1 "$VM_TMP/check.$v.err")"
	grep -qx 'cached=yes' "$VM_TMP/check.$v" ||
		vm_skip "$fam:$v is not built (make check-vm-source builds it)"
done

# Six repetitions at half size: a repetition lets some writes through to the
# refused path with odds of about 2 in 3 (when churn has just updated mtime).
for v in v3 base; do
	t=$(vm_now)
	"$VM_KP/vm-run.sh" "$fam:$v" "$wl" "$VM_TMP/$v.json" --timeout 600 \
		--ringlab-args "--repeat 6 --scale 0.5" 2>"$VM_TMP/$v.err"
	rc=$?
	echo "$fam:$v: vm-run.sh exited $rc in $(( $(vm_now) - t )) s"
	[ -f "$VM_TMP/$v.json" ] || { cat "$VM_TMP/$v.err" >&2; vm_fail "$fam:$v: no result"; }
	jq -r '.cells[] | "  rep \(.rep): EAGAIN \(.eagain)/\(.attempts), verify \(.verify.status)" +
		(if .error != "" then ": " + .error else "" end)' "$VM_TMP/$v.json"
done

# Every write refused, none completed, on both kernels: what the cell is about.
for v in v3 base; do
	jq -e '[.cells[] | select(.attempts == 0 or .eagain != .attempts or .ops != 0)] | length == 0' \
		"$VM_TMP/$v.json" >/dev/null || vm_fail "$fam:$v: a write was not refused"
done

# v3: some repetition failed, and every bad block of every failed one holds data
# of a write that returned -EAGAIN (its own offset, its generation), nothing else.
failed=$(jq '[.cells[] | select(.verify.status == "failed")] | length' "$VM_TMP/v3.json")
[ "$failed" -ge 1 ] || vm_fail "$fam:v3: no repetition failed verification (6 passed)"
jq -e '[.cells[] | select(.verify.status == "failed") |
	select((.verify.found_blocks | add) != .verify.found_blocks.refused_write or
	       .verify.found_blocks.refused_write == 0 or
	       (.error | contains("data of NOWAIT writes that returned -EAGAIN") | not) or
	       ([.verify.ranges[] | select(.found_as != "refused_write" or .found_offset != .offset)] |
		length) != 0)] | length == 0' "$VM_TMP/v3.json" >/dev/null ||
	vm_fail "$fam:v3: a failed repetition holds something other than refused writes' data"
echo "$fam:v3: $failed of 6 repetitions hold data of refused writes," \
	"$(jq '[.cells[].verify.found_blocks.refused_write] | add' "$VM_TMP/v3.json") blocks in all"

# base: refuses the same writes before any I/O; every block reads back as laid out.
[ "$(jq '[.cells[] | select(.verify.status != "ok")] | length' "$VM_TMP/base.json")" -eq 0 ] ||
	vm_fail "$fam:base: verification failed"

# compare: corrupt, and the verdict says what the bad blocks hold.
"$VM_RINGLAB" compare "$VM_TMP/base.json" "$VM_TMP/v3.json" >"$VM_TMP/cmp.txt"
[ $? -le 1 ] || vm_fail "ringlab compare failed"
grep -E "corrupt, verification failed in 0/6 base and [1-6]/6 head reps, head: [0-9]+ blocks? holds? data of NOWAIT writes that returned -EAGAIN" \
	"$VM_TMP/cmp.txt" || { cat "$VM_TMP/cmp.txt" >&2; vm_fail "compare does not say what is corrupt"; }
exit 0
