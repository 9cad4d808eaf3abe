#!/bin/bash
# vm_incremental.sh: a new version of a family on linux-source-7.2 that touches only fs/ext4 is built incrementally in the kept tree (not from scratch) and boots with its own release (-rl-tNNN), and vm-run.sh says how long "new version" to "booted" took. Skips unless the tree is cached (make check-vm-source makes it).
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init
vm_test_need_build
shipped=$VM_KP/families/ext4-dio-shared-rwsem.json

# A family on the shipped one's base and config, with one new version: a
# token no earlier run built, so the build really happens.
ver=t$(date +%s)
mkdir -p "$VM_TMP/fam"
jq --arg v "$ver" --arg frag "$VM_KP/config/vm.fragment" \
	'.name = "rltest" | .config.fragment = $frag | .versions = {($v): ($v + ".diff")}' \
	"$shipped" >"$VM_TMP/fam/rltest.json"
: >"$VM_TMP/fam/$ver.diff"
"$VM_KP/build-kernel.sh" --check "$VM_TMP/fam/rltest.json:base" >"$VM_TMP/check" 2>&1 ||
	{ cat "$VM_TMP/check" >&2; vm_fail "build-kernel.sh --check failed"; }
grep -qx 'tree=ready' "$VM_TMP/check" ||
	vm_skip "no kept linux-source-7.2 tree in the kernel cache (make check-vm-source builds one, ~15 min)"
cache=${RINGLAB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlab/kernels}
tree=$(sed -n 's/^tree_dir=//p' "$VM_TMP/check")
[ -f "$tree/obj/vmlinux" ] || vm_skip "the kept tree $tree was never built (make check-vm-source builds it)"

# The version: one line more in fs/ext4/super.c, as a plain diff.
[ -d "$tree/src/.git" ] || vm_fail "no git tree in $tree"
git -C "$tree/src" show rl-base:fs/ext4/super.c >"$VM_TMP/super.c" || vm_fail "no fs/ext4/super.c in $tree"
cp "$VM_TMP/super.c" "$VM_TMP/super.new.c"
echo "static const char ringlab_test_version[] __attribute__((used)) = \"$ver\";" >>"$VM_TMP/super.new.c"
diff -u --label a/fs/ext4/super.c --label b/fs/ext4/super.c "$VM_TMP/super.c" "$VM_TMP/super.new.c" \
	>"$VM_TMP/fam/$ver.diff"
[ $? -eq 1 ] || vm_fail "cannot make the version's diff"

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup_build()
{
	local d

	for d in "$cache"/build/*/; do
		[ "$(cat "$d/release" 2>/dev/null)" = "7.2.13-rl-$ver" ] && rm -rf "$d"
	done
	rm -rf "$VM_TMP"
}
trap cleanup_build EXIT

t=$(vm_now)
"$VM_KP/vm-run.sh" "$VM_TMP/fam/rltest.json:$ver" nw-overwrite-aligned "$VM_TMP/run.json" --timeout 600 \
	--ringlab-args "--repeat 1 --scale 0.05" 2>"$VM_TMP/err"
rc=$?
sed 's/^/    /' "$VM_TMP/err"
echo "vm-run.sh exited $rc after $(( $(vm_now) - t )) s"
[ $rc -eq 0 ] || vm_fail "vm-run.sh rltest:$ver exited $rc"
grep -q "(incremental build: make [0-9]* s)" "$VM_TMP/err" || vm_fail "the version was not built incrementally"
jq -e --arg r "7.2.13-rl-$ver" --arg t "rltest:$ver" \
	'.env.kernel_release == $r and .env.kernel_tag == $t and .status == "done"' "$VM_TMP/run.json" >/dev/null ||
	vm_fail "the run is not a done run of 7.2.13-rl-$ver tagged rltest:$ver"
booted=$(sed -n 's/.*booted to \/init in [0-9]* s (\([0-9]*\) s since the start).*/\1/p' "$VM_TMP/err")
make_s=$(sed -n 's/.*(incremental build: make \([0-9]*\) s).*/\1/p' "$VM_TMP/err")
echo "new version to booted: $booted s (make $make_s s; the target is under 180 s on 2 cores); tree $tree"
exit 0
