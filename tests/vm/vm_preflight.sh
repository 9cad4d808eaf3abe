#!/bin/bash
# vm_preflight.sh: vm-run.sh names every missing thing (QEMU, a static busybox, the guest's ringlab, work-dir space, a series file that is not an mbox) with how to get it and exits 2 in seconds, before anything is fetched or built; the guest's ringlab comes from --ringlab, RINGLAB_BIN, RINGLAB_STATIC, then beside the calling program, with its libraries when dynamic.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "A && B || vm_fail": the failure is the point
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init_scripts
rl=$top_builddir/ringlab
[ -x "$rl" ] || vm_skip "no ringlab built in $top_builddir"
command -v busybox >/dev/null || vm_skip "no busybox"
export RINGLAB_WORKLOADS=$top_srcdir/workloads
unset RINGLAB_BIN RINGLAB_STATIC

# 1. Everything missing at once, nothing fetched: a PATH without QEMU, a
# dynamic busybox, no guest ringlab, a scratch disk bigger than /tmp, and a
# series that is a thread saved as text.
mkdir -p "$VM_TMP/bin"
ln -s /usr/sbin/* /sbin/* /usr/bin/* /bin/* "$VM_TMP/bin/" 2>/dev/null
rm -f "$VM_TMP/bin/qemu-system-x86_64"
cat >"$VM_TMP/thread.txt" <<'EOF'
[PATCH v3 1/9] ext4: prevent sleeping allocation in NOWAIT write path
Posted by a developer, 26 June 2026

Block allocation requires journal access which may sleep...
EOF
jq --arg s "$VM_TMP/thread.txt" --arg f "$top_srcdir/kernel-patches/config/vm.fragment" \
	'.name = "text-series" | .series = [$s] | .fragment = $f' \
	"$top_srcdir/kernel-patches/variants/example-source.json" >"$VM_TMP/text-series.json"
export RINGLAB_VM_CACHE=$VM_TMP/cache
t=$(vm_now)
env PATH="$VM_TMP/bin" RINGLAB_BUSYBOX=/bin/ls "$VM_KP/vm-run.sh" "$VM_TMP/text-series.json" \
	nw-overwrite-aligned "$VM_TMP/out.json" --ringlab "$VM_TMP/nonexistent" --disk-size 100T \
	2>"$VM_TMP/err"
rc=$?
took=$(( $(vm_now) - t ))
sed 's/^/    /' "$VM_TMP/err"
echo "vm-run.sh exited $rc after $took s"
[ $rc -eq 2 ] || vm_fail "exit $rc, expected 2"
[ "$took" -le 60 ] || vm_fail "took $took s to find what is missing"
for want in 'no qemu-system-x86_64 in PATH (apt-get install qemu-system-x86)' \
	"the guest's ringlab $VM_TMP/nonexistent: not an executable file" \
	'/bin/ls is dynamically linked: the guest needs a static one (apt-get install busybox-static' \
	'the 100T scratch disk' \
	'thread.txt: no patch in it' 'b4 mbox MESSAGE-ID'; do
	grep -qF -- "$want" "$VM_TMP/err" || vm_fail "the report misses \"$want\""
done
for d in image src tree build b4; do
	[ ! -e "$RINGLAB_VM_CACHE/$d" ] || vm_fail "something was fetched or built: $RINGLAB_VM_CACHE/$d"
done
[ ! -e "$VM_TMP/out.json" ] || vm_fail "an output was written"

# 2. The guest's ringlab: the first of --ringlab, RINGLAB_BIN, RINGLAB_STATIC,
# then the one beside the calling program.
for d in a b c d; do
	mkdir -p "$VM_TMP/$d"
	cp "$rl" "$VM_TMP/$d/ringlab"
done
cp "$(command -v bash)" "$VM_TMP/d/bash"
# initramfs ENV... COMMAND...: rc and got (the ringlab make-initramfs.sh took).
initramfs()
{
	env RINGLAB_WORKLOADS="$top_srcdir/workloads" "$@" 2>"$VM_TMP/err"
	rc=$?
	got=$(sed -n 's/^make-initramfs: guest ringlab: \([^ ]*\).*/\1/p' "$VM_TMP/err")
}
took_from()
{
	local want=$1 how=$2

	echo "$how: $got"
	[ $rc -eq 0 ] || { cat "$VM_TMP/err" >&2; vm_fail "$how: make-initramfs.sh exited $rc"; }
	[ "$got" = "$want" ] || vm_fail "$how: took $got, expected $want"
}
mi=$VM_KP/make-initramfs.sh
initramfs RINGLAB_BIN="$VM_TMP/b/ringlab" RINGLAB_STATIC="$VM_TMP/c/ringlab" \
	"$mi" --ringlab "$VM_TMP/a/ringlab" none "$VM_TMP/i.cpio.gz"
took_from "$VM_TMP/a/ringlab" "--ringlab"
initramfs RINGLAB_BIN="$VM_TMP/b/ringlab" RINGLAB_STATIC="$VM_TMP/c/ringlab" "$mi" none "$VM_TMP/i.cpio.gz"
took_from "$VM_TMP/b/ringlab" "RINGLAB_BIN"
initramfs RINGLAB_STATIC="$VM_TMP/c/ringlab" "$mi" none "$VM_TMP/i.cpio.gz"
took_from "$VM_TMP/c/ringlab" "RINGLAB_STATIC"
# A program in d/ runs make-initramfs.sh (as `ringlab vm run` runs vm-run.sh).
# shellcheck disable=SC2016  # expanded by the inner bash
initramfs "$VM_TMP/d/bash" -c '"$0" none "$1"; exit $?' "$mi" "$VM_TMP/i.cpio.gz"
took_from "$VM_TMP/d/ringlab" "beside the caller"
gzip -dc "$VM_TMP/i.cpio.gz" | cpio -t --quiet >"$VM_TMP/list"
grep -qx 'ringlab/ringlab' "$VM_TMP/list" || vm_fail "no ringlab/ringlab in the initramfs"
if ! readelf -l "$rl" | grep -q 'program interpreter'; then
	echo "(a static ringlab: no libraries to check)"
else
	lib=$(ldd "$rl" | sed -n 's|.*libc\.so\.6 => /\([^ ]*\).*|\1|p')
	grep -qx "$lib" "$VM_TMP/list" || vm_fail "the dynamic ringlab's $lib is not in the initramfs"
	echo "the dynamic ringlab's libraries are in the initramfs ($lib, ...)"
fi
initramfs RINGLAB_BIN=/etc/passwd "$mi" none "$VM_TMP/i.cpio.gz"
[ $rc -eq 1 ] && grep -q "the guest's ringlab /etc/passwd: not an executable file" "$VM_TMP/err" ||
	vm_fail "RINGLAB_BIN=/etc/passwd: exit $rc"
exit 0
