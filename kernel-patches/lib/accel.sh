# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# accel.sh: KVM when a guest really runs under it, else multi-threaded TCG (sourced; bash).
#
# A /dev/kvm that opens is not enough: under nested virtualisation KVM can
# start a guest and then stop it with "KVM internal error" (an instruction its
# emulator does not know) or refuse the host CPU's MSRs. So the kernel to be
# run is booted once under KVM with ringlab.probe=1 (guest/init says "probe
# ok" and powers off); the answer is remembered per host boot, QEMU version and
# kernel in CACHE/accel/.
#
#   vm_accel_probe CACHE KERNEL INITRD DIR [CPU]
#                       boot KERNEL under KVM with -cpu CPU (default host);
#                       set VM_ACCEL_KVM to yes or no and VM_ACCEL_WHY to the
#                       reason for no; the probe's files go in DIR (removed
#                       after), its QEMU's pid is in VM_ACCEL_PID while it runs
#                       (for the caller's signal trap)

VM_ACCEL_PID=

# _accel_probe_boot KERNEL INITRD DIR: 0 when the guest said "probe ok" under KVM.
_accel_probe_boot()
{
	local kernel=$1 initrd=$2 dir=$3 cpu=$4 i

	# In a subshell whose stderr is closed: a QEMU that aborts is an answer, not news.
	( qemu-system-x86_64 -accel kvm -cpu "$cpu" -m 256 -smp 1 -nodefaults -display none -no-reboot \
		-serial "file:$dir/console" -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0,115200 panic=-1 rdinit=/init ringlab.probe=1" \
		</dev/null >"$dir/qemu.log" 2>&1; exit $? ) 2>/dev/null &
	VM_ACCEL_PID=$!
	# A KVM boot reaches /init in a few seconds; a guest stopped by KVM never exits.
	for i in $(seq 120); do
		kill -0 "$VM_ACCEL_PID" 2>/dev/null || break
		grep -q 'KVM internal error' "$dir/qemu.log" && break
		[ "$i" -lt 120 ] && sleep 0.5
	done
	kill -KILL "$VM_ACCEL_PID" 2>/dev/null || true
	wait "$VM_ACCEL_PID" 2>/dev/null || true
	VM_ACCEL_PID=''
	grep -q 'ringlab-vm: probe ok' "$dir/console"
}

vm_accel_probe()
{
	local cache=$1 kernel=$2 initrd=$3 dir=$4/kvm-probe cpu=${5:-host} key memo

	VM_ACCEL_KVM=no
	if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		VM_ACCEL_WHY="no usable /dev/kvm"
		return 0
	fi
	key=$( {
		cat /proc/sys/kernel/random/boot_id
		qemu-system-x86_64 --version | sed -n 1p
		stat -L -c '%n %s %Y' "$kernel"
		echo "cpu $cpu"
	} | sha256sum | cut -c1-16)
	memo=$cache/accel/$key
	if [ -f "$memo" ]; then
		read -r VM_ACCEL_KVM VM_ACCEL_WHY <"$memo"
		VM_ACCEL_WHY="$VM_ACCEL_WHY (probed before, $memo)"
		return 0
	fi
	mkdir -p "$dir"
	if _accel_probe_boot "$kernel" "$initrd" "$dir" "$cpu"; then
		VM_ACCEL_KVM=yes VM_ACCEL_WHY=''
	elif grep -q 'KVM internal error' "$dir/qemu.log"; then
		VM_ACCEL_WHY="KVM stopped the probe guest: $(grep -m1 'KVM internal error' "$dir/qemu.log")"
	elif [ -s "$dir/qemu.log" ]; then
		VM_ACCEL_WHY="KVM could not run the probe guest: $(grep -m1 -i 'error' "$dir/qemu.log" ||
			sed -n 1p "$dir/qemu.log")"
	else
		VM_ACCEL_WHY="the probe guest did not reach /init under KVM within 60 s"
	fi
	rm -rf "$dir"
	mkdir -p "$cache/accel"
	echo "$VM_ACCEL_KVM $VM_ACCEL_WHY" >"$memo"
}
