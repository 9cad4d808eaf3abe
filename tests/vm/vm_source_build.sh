#!/bin/bash
# vm_source_build.sh: the source path (make check-vm-source, not CI): a series that does not apply is named with its file, number and hunk before anything is compiled; the family ext4-dio-shared-rwsem's base, its v3 (with ../shared) and example-source build from one kept linux-source-7.2 tree, boot under QEMU and report their own releases; prints each build's kind and seconds. The first build is a full one (~15 minutes on 2 cores).
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init
vm_test_need_build

# The user's cache by default, so the kept tree serves later versions;
# RINGLAB_VM_FRESH=1 builds everything from scratch in a throw-away cache.
[ -z "${RINGLAB_VM_FRESH:-}" ] || export RINGLAB_VM_CACHE=$VM_TMP/cache
t_all=$(vm_now)

# 1. A series that does not apply: a Makefile hunk written for another version.
mkdir -p "$VM_TMP/bad"
cat >"$VM_TMP/bad/0001-makefile-for-another-kernel.patch" <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: ringlab <ringlab@example.org>
Date: Sun, 22 Nov 2026 00:00:00 +0000
Subject: [PATCH] Makefile: written for another kernel

---
 Makefile | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/Makefile b/Makefile
--- a/Makefile
+++ b/Makefile
@@ -2,5 +2,5 @@
 VERSION = 6
 PATCHLEVEL = 1
 SUBLEVEL = 0
-EXTRAVERSION =
+EXTRAVERSION = -never
 NAME = Another Kernel
EOF
jq --arg bad "$VM_TMP/bad/0001-makefile-for-another-kernel.patch" \
	--arg kp "$VM_KP" '.name = "bad-series" |
	.series = [($kp + "/series/example-localversion"), $bad] |
	.fragment = ($kp + "/config/vm.fragment")' \
	"$VM_KP/variants/example-source.json" >"$VM_TMP/bad-series.json"
t=$(vm_now)
"$VM_KP/build-kernel.sh" "$VM_TMP/bad-series.json" >/dev/null 2>"$VM_TMP/bad.err"
rc=$?
echo "bad series: build-kernel.sh exited $rc after $(( $(vm_now) - t )) s"
sed 's/^/    /' "$VM_TMP/bad.err"
[ $rc -eq 1 ] || vm_fail "bad series: build-kernel.sh exited $rc, expected 1"
grep -q '0001-makefile-for-another-kernel.patch: patch 2/2 "\[PATCH\] Makefile: written for another kernel" does not apply' \
	"$VM_TMP/bad.err" || vm_fail "bad series: the report does not name the patch file, number and subject"
grep -q 'failing hunk in Makefile: @@ -2,5 +2,5 @@' "$VM_TMP/bad.err" ||
	vm_fail "bad series: the report does not name the failing hunk"
! grep -q 'make -j' "$VM_TMP/bad.err" || vm_fail "bad series: make ran before the series was applied"

# 2. Members of one tree: build (full the first time, then incremental), boot, release.
members=(ext4-dio-shared-rwsem:base)
# shellcheck source=kernel-patches/lib/variant.sh
if (. "$VM_KP/lib/variant.sh" && variant_load ext4-dio-shared-rwsem:v3 &&
	variant_path "$(variant_list series)") >/dev/null 2>&1; then
	members+=(ext4-dio-shared-rwsem:v3)
else
	echo "(no ../shared/reference/series beside the repository: v3 is not built)"
fi
members+=(example-source)
declare -A want=(
	[ext4-dio-shared-rwsem:base]='7.2.13-rl-base'
	[ext4-dio-shared-rwsem:v3]='7.2.13-rl-v3'
	[example-source]='7.2.*-ringlab-example-rl-example-source'
)
summary=''
for m in "${members[@]}"; do
	out=$VM_TMP/${m//:/-}.json
	t=$(vm_now)
	"$VM_KP/vm-run.sh" "$m" nw-overwrite-aligned "$out" --timeout 3000 \
		--ringlab-args "--repeat 1 --scale 0.25" 2>"$VM_TMP/run.err"
	rc=$?
	took=$(( $(vm_now) - t ))
	cat "$VM_TMP/run.err" >&2
	[ $rc -eq 0 ] || vm_fail "vm-run.sh $m exited $rc"
	release=$(jq -r .env.kernel_release "$out")
	# shellcheck disable=SC2254  # the wanted release is a pattern
	case "$release" in
	${want[$m]}) ;;
	*) vm_fail "$m: the guest ran $release, expected ${want[$m]}" ;;
	esac
	jq -e --arg t "$m" '.env.kernel_tag == $t and .status == "done" and
		([.cells[] | select(.verify.status == "ok" and (.failed | not))] | length) == 1' "$out" >/dev/null ||
		vm_fail "$m: the run is not done, not tagged $m, or has no verified cell"
	build=$(sed -n 's/.*: kernel \([0-9]* s[^,]*\),.*/\1/p' "$VM_TMP/run.err")
	booted=$(sed -n 's/.*booted to \/init in [0-9]* s (\([0-9]*\) s since the start).*/\1/p' "$VM_TMP/run.err")
	summary="$summary$m: $release, kernel $build, booted after $booted s, all $took s"$'\n'
done
printf '%s' "$summary"
echo "time: total $(( $(vm_now) - t_all )) s"
exit 0
