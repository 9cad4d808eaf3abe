#!/bin/bash
# vm_family_v3.sh: the shipped family ext4-dio-shared-rwsem reads: its base is linux-source-7.2 without a series (-rl-base), its v3 is the 8 patches of ../shared/reference/series in order (-rl-v3), the same as the v3 mbox gives; when the family's kept tree is cached, v3 is checked to apply to it. Skips without ../shared.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "A && B || vm_fail": the failure is the point
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init_scripts
# shellcheck source=kernel-patches/lib/variant.sh
. "$VM_KP/lib/variant.sh"
# shellcheck source=kernel-patches/lib/series.sh
. "$VM_KP/lib/series.sh"
fam=ext4-dio-shared-rwsem

variant_load "$fam:base" || vm_fail "$fam:base does not load"
[ "$(variant_get localversion)" = -rl-base ] && ! variant_has series ||
	vm_fail "$fam:base: $VARIANT_JSON"
[ "$(variant_get source_package)" = linux-source-7.2 ] || vm_fail "$fam:base: not linux-source-7.2"
variant_load "$fam:v3" || vm_fail "$fam:v3 does not load"
[ "$(variant_get localversion)" = -rl-v3 ] || vm_fail "$fam:v3: localversion $(variant_get localversion)"
dir=$(variant_path "$(variant_list series)" 2>/dev/null) ||
	vm_skip "no ../shared/reference/series/ext4-dio-shared-rwsem-v3-on-7.2 beside the repository"
echo "$fam:v3: $dir"

# The directory and the mbox of the same series give the same patches, in order.
unset RINGLAB_BIN
series_collect "$VM_TMP/dir" "$dir" || vm_fail "the v3 directory cannot be read"
series_collect "$VM_TMP/mbox" "$dir.mbox" || vm_fail "the v3 mbox cannot be read"
cut -f3 "$VM_TMP/dir/index" | sed 's/^/    /'
[ "$(wc -l <"$VM_TMP/dir/index")" -eq 8 ] || vm_fail "v3: $(wc -l <"$VM_TMP/dir/index") patches, expected 8"
nums=$(cut -f3 "$VM_TMP/dir/index" | sed -n 's/.*\[PATCH v3 \([0-9]*\)\/9\].*/\1/p' | tr '\n' ' ')
[ "$nums" = "1 3 4 5 6 7 8 9 " ] || vm_fail "v3: patches $nums, expected 1 3 4 5 6 7 8 9 in order"
[ "$(cut -f3 "$VM_TMP/dir/index")" = "$(cut -f3 "$VM_TMP/mbox/index")" ] ||
	vm_fail "the mbox and the directory give different patches"
for i in 0001 0002 0003 0004 0005 0006 0007 0008; do
	cmp -s <(sed -n '/^diff --git/,$p' "$VM_TMP/dir/$i") <(sed -n '/^diff --git/,$p' "$VM_TMP/mbox/$i") ||
		vm_fail "patch $i: the mbox's diff differs from the directory's"
done

# Against the kept tree when there is one (build-kernel.sh --check applies it there).
"$VM_KP/build-kernel.sh" --check "$fam:v3" >"$VM_TMP/out" 2>"$VM_TMP/err"
rc=$?
sed 's/^/    /' "$VM_TMP/err"
[ $rc -eq 0 ] || vm_fail "build-kernel.sh --check $fam:v3 exited $rc"
if grep -qx 'tree=ready' "$VM_TMP/out"; then
	echo "v3 applies to the kept linux-source-7.2 tree"
else
	echo "(no kept tree for $fam in the cache: v3 is checked against the source when it is built)"
fi
exit 0
