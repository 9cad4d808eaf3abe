# SPDX-License-Identifier: MIT
# Helpers for the VM tests (sourced; bash).
#
#   vm_test_init            set VM_KP (kernel-patches), VM_RINGLAB (the host ringlab,
#                           for compare), VM_TMP (a fresh directory removed at exit,
#                           also TMPDIR for vm-run.sh's work directories); exit 77
#                           when qemu-system-x86_64, jq, mkfs.ext4 or a ringlab
#                           build is missing
#   vm_test_fetch VARIANT   fetch a debian-image variant into the cache; exit 77
#                           when the Debian mirror cannot be reached, 1 when it can
#                           and the fetch still fails
#   vm_test_qemu_left       print the QEMU processes started from VM_TMP (none: empty)
#   vm_fail MSG             "FAIL: MSG" on stderr, exit 1
#   vm_now                  seconds since the epoch

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

vm_fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

vm_skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

vm_now()
{
	date +%s
}

vm_test_init()
{
	local tool

	for tool in qemu-system-x86_64 jq mkfs.ext4 cpio busybox; do
		command -v "$tool" >/dev/null || vm_skip "no $tool"
	done
	VM_KP=$top_srcdir/kernel-patches
	VM_RINGLAB=$top_builddir/ringlab
	[ -x "$VM_RINGLAB" ] || vm_skip "no ringlab built in $top_builddir"
	# The guest's binary: RINGLAB_STATIC, else this build's (make-initramfs.sh
	# takes the libraries of a dynamically linked one along).
	export RINGLAB_STATIC=${RINGLAB_STATIC:-$VM_RINGLAB}
	export RINGLAB_WORKLOADS=${RINGLAB_WORKLOADS:-$top_srcdir/workloads}
	VM_TMP=$(mktemp -d)
	trap 'rm -rf "$VM_TMP"' EXIT
	export TMPDIR=$VM_TMP
}

vm_test_fetch()
{
	local mirror

	"$VM_KP/fetch-kernel.sh" "$1" >/dev/null 2>"$VM_TMP/fetch.err" && return 0
	. "$VM_KP/lib/apt-private.sh"
	mirror=$(apt_private_mirror)
	if [ -z "$mirror" ] || ! curl -sf -o /dev/null --max-time 20 "$mirror/dists/sid/Release"; then
		cat "$VM_TMP/fetch.err" >&2
		vm_skip "the Debian mirror (${mirror:-none configured}) cannot be reached"
	fi
	cat "$VM_TMP/fetch.err" >&2
	vm_fail "fetch-kernel.sh $1"
}

vm_test_qemu_left()
{
	local p

	for p in /proc/[0-9]*; do
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "qemu-system.*$VM_TMP"; then
			echo "${p#/proc/}"
		fi
	done
}
