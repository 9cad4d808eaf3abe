#!/bin/bash
# vm_prebuilt_accel.sh: a prebuilt variant (a bzImage and a modules dir: the cached Debian 7.2.13 kernel) boots with its release read from the bzImage; the accelerator is chosen (KVM only when a probe guest boots under it, else multi-threaded TCG with -cpu max and -smp = host CPUs, up to 8) and handed to the guest's command line, where the run records it; a boot that oopses on an int3 before /init under multi-threaded TCG (QEMU's race) is booted once more.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "A && B || vm_fail": the failure is the point
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init
vm_test_fetch base
cache=${RINGLAB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlab/kernels}
moddir=$(dirname "$(echo "$cache"/image/linux-binary-7.2.13+deb14-cloud-amd64_*/root/usr/lib/modules/*/vmlinuz)")
[ -f "$moddir/vmlinuz" ] || vm_fail "no Debian 7.2.13 kernel in $cache/image"
jq -n --arg k "$moddir/vmlinuz" --arg m "$moddir" \
	'{name: "debian-prebuilt", kind: "prebuilt", kernel: $k, modules_dir: $m, modules: ["virtio_blk"]}' \
	>"$VM_TMP/prebuilt.json"
vcpus=$(nproc)
[ "$vcpus" -le 8 ] || vcpus=8

# run NAME VM-RUN-OPTIONS...: boot the prebuilt kernel, one short cell.
run()
{
	local name=$1 t rc
	shift

	t=$(vm_now)
	"$VM_KP/vm-run.sh" "$VM_TMP/prebuilt.json" nw-overwrite-aligned "$VM_TMP/$name.json" "$@" \
		--timeout 300 --ringlab-args "--repeat 1 --scale 0.05" 2>"$VM_TMP/$name.err"
	rc=$?
	sed 's/^/    /' "$VM_TMP/$name.err"
	echo "$name: vm-run.sh exited $rc after $(( $(vm_now) - t )) s"
	[ $rc -eq 0 ] || vm_fail "$name: vm-run.sh exited $rc"
	jq -e '.status == "done" and .env.kernel_tag == "debian-prebuilt" and
		(.env.kernel_release | startswith("7.2.13"))' "$VM_TMP/$name.json" >/dev/null ||
		vm_fail "$name: not a done run of 7.2.13 tagged debian-prebuilt"
	cmdline=$(jq -r .env.cmdline "$VM_TMP/$name.json")
	echo "$name: guest command line: $cmdline"
}
# has WORD: the guest's command line carries WORD.
has()
{
	case " $cmdline " in *" $1 "*) ;; *) vm_fail "the guest's command line has no $1" ;; esac
}

# 1. The default: auto. KVM if the probe guest boots under it, else MTTCG.
run auto
if grep -q 'not KVM: ' "$VM_TMP/auto.err"; then
	has ringlab.accel=tcg
	has ringlab.tcg_thread=multi
	has ringlab.cpu=max
	grep -q "(tcg,thread=multi, -cpu max, 1024 MiB, $vcpus CPUs)" "$VM_TMP/auto.err" ||
		vm_fail "auto: QEMU was not started with multi-threaded TCG, -cpu max and $vcpus CPUs"
else
	has ringlab.accel=kvm
	has ringlab.cpu=host
fi
has "ringlab.vcpus=$vcpus"
jq -e --argjson n "$vcpus" '.env.cpus == $n' "$VM_TMP/auto.json" >/dev/null ||
	vm_fail "auto: the guest saw $(jq .env.cpus "$VM_TMP/auto.json") CPUs, not $vcpus"

# 2. Chosen by hand: single-threaded TCG on one CPU.
run single --accel tcg --tcg-thread single --smp 1
has ringlab.accel=tcg
has ringlab.tcg_thread=single
has ringlab.vcpus=1
jq -e '.env.cpus == 1' "$VM_TMP/single.json" >/dev/null || vm_fail "single: the guest did not see 1 CPU"

# 3. A boot that oopses on an int3 before /init under multi-threaded TCG (the
# QEMU race of README "Parallel guests", played by a QEMU wrapper whose first
# boot writes that console and exits) is booted once more.
mkdir -p "$VM_TMP/fakeq"
real_qemu=$(command -v qemu-system-x86_64)
cat >"$VM_TMP/fakeq/qemu-system-x86_64" <<EOF
#!/bin/bash
if [ ! -e "$VM_TMP/fakeq/done" ] && [[ " \$* " == *" tcg,thread=multi "* ]]; then
	touch "$VM_TMP/fakeq/done"
	for a; do case "\$a" in file:*) con=\${a#file:} ;; esac; done
	printf '%s\n' '[    3.852862] sched_clock: Marking stable' '[    3.865851] Oops: int3: 0000 [#1] SMP NOPTI' \
		'[    3.866343] RIP: 0010:sched_clock_cpu+0x9/0x230' \
		'[    3.870000] Kernel panic - not syncing: Fatal exception in interrupt' >"\$con"
	exit 0
fi
exec "$real_qemu" "\$@"
EOF
chmod +x "$VM_TMP/fakeq/qemu-system-x86_64"
PATH=$VM_TMP/fakeq:$PATH run int3 --accel tcg
grep -q 'oopsed on an int3 before /init.*booting once more' "$VM_TMP/int3.err" ||
	vm_fail "int3: the second boot was not announced"
grep -q 'Oops: int3' "$VM_TMP/int3.console.boot1.log" || vm_fail "int3: the first boot's console was not kept"
[ -e "$VM_TMP/fakeq/done" ] || vm_fail "int3: the wrapper never played the oops"

# 4. A prebuilt kernel that is not one: refused before booting.
jq --arg k "$VM_KP/README.md" '.kernel = $k' "$VM_TMP/prebuilt.json" >"$VM_TMP/notkernel.json"
"$VM_KP/vm-run.sh" "$VM_TMP/notkernel.json" nw-overwrite-aligned "$VM_TMP/x.json" 2>"$VM_TMP/x.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'README.md: not a bzImage' "$VM_TMP/x.err" || vm_fail "notkernel: exit $rc"
exit 0
