#!/bin/bash
# vm_source_build.sh: the source path: a series that does not apply fails naming its file and hunk; linux-source-7.2 plus the example series builds (tinyconfig + vm.fragment), boots under QEMU and reports a release carrying the series' localversion. About 15 minutes: not for CI.
# SPDX-License-Identifier: MIT
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init
for tool in make gcc bison flex bc git; do
	command -v "$tool" >/dev/null || vm_skip "no $tool to build a kernel"
done
[ -f /usr/include/libelf.h ] || vm_skip "no libelf-dev to build a kernel"

# A fresh cache, so the kernel is really built (RINGLAB_VM_CACHE reuses one).
export RINGLAB_VM_CACHE=${RINGLAB_VM_CACHE:-$VM_TMP/cache}
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
grep -q '0001-makefile-for-another-kernel.patch: message 0001/1 "\[PATCH\] Makefile: written for another kernel" does not apply' \
	"$VM_TMP/bad.err" || vm_fail "bad series: the report does not name the patch file and message"
grep -q 'failing hunk in Makefile: @@ -2,5 +2,5 @@' "$VM_TMP/bad.err" ||
	vm_fail "bad series: the report does not name the failing hunk"

# 2. The example series: build, boot, read the release back.
t=$(vm_now)
"$VM_KP/vm-run.sh" example-source nw-overwrite-aligned "$VM_TMP/src.json" --timeout 3000 \
	--ringlab-args "--repeat 1 --scale 0.25" 2>"$VM_TMP/src.err"
rc=$?
took=$(( $(vm_now) - t ))
cat "$VM_TMP/src.err" >&2
[ $rc -eq 0 ] || vm_fail "vm-run.sh example-source exited $rc"
release=$(jq -r .env.kernel_release "$VM_TMP/src.json")
echo "example-source: the guest ran $release"
case "$release" in
7.2.*-ringlab-example) ;;
*) vm_fail "release $release does not carry the series' -ringlab-example" ;;
esac
jq -e '.env.kernel_tag == "example-source" and .status == "done"' "$VM_TMP/src.json" >/dev/null ||
	vm_fail "the run is not done or not tagged example-source"
jq -e '[.cells[] | select(.verify.status == "ok" and (.failed | not))] | length == 1' \
	"$VM_TMP/src.json" >/dev/null || vm_fail "the guest's run has no verified cell"

echo "time: build+boot+run $took s, total $(( $(vm_now) - t_all )) s"
exit 0
