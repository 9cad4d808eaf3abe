#!/bin/bash
# SPDX-License-Identifier: MIT
# vm-run.sh VARIANT SUITE|WORKLOAD|FILE.json OUT.json [OPTIONS] [-- RINGLAB_ARGS...]
#
# Run a ringlab suite inside a QEMU guest booting the kernel of VARIANT (a
# manifest path, a name under kernel-patches/variants, or FAMILY:VERSION of a
# family under kernel-patches/families), and write the run's
# JSON (format ringlab-run-1, tagged with the variant) to OUT.json. The guest's
# console is kept beside it as OUT.console.log (OUT minus ".json").
#
# Everything the run needs is checked before anything is fetched or built
# (the guest's ringlab, QEMU, busybox, mkfs.ext4, free space in the cache and
# the work directory, the manifest, the series); every missing thing is named
# with how to get it (exit 2).
#
# Options:
#   --ringlab PATH       the guest's ringlab (default $RINGLAB_BIN, $RINGLAB_STATIC,
#                        the ringlab beside the calling program, in the build
#                        tree, in PATH); a dynamic one takes its libraries along
#   --cache DIR          kernel cache (default $RINGLAB_VM_CACHE or ~/.cache/ringlab/kernels)
#   --timeout S          kill the guest after S seconds: "guest hung" (default 600)
#   --ringlab-args "..." more `ringlab run` arguments, split on white space
#                        (arguments after -- are passed as they are)
#   --append "..."       more kernel command line (e.g. ringlab.hang=1, see guest/init)
#   --accel auto|kvm|tcg default $RINGLAB_VM_ACCEL or auto: KVM when the kernel
#                        boots under it (probed once per host boot, lib/accel.sh),
#                        else TCG
#   --tcg-thread multi|single
#                        TCG's vCPU threads (default $RINGLAB_VM_TCG_THREAD or multi)
#   --cpu MODEL          QEMU CPU model (default host under KVM, max under TCG)
#   --memory MIB         guest memory (default 1024)
#   --smp N              guest CPUs (default: the host's, at most 8)
#   --disk-size SIZE     the ext4 scratch disk, truncate(1) units (default 1G)
#   --mkfs-opts "..."    more mkfs.ext4 options for the scratch disk
#   --mount-opts OPTS    ext4 mount options in the guest
#   --keep               keep the work directory (disk images, initramfs)
#   --guest-script FILE  run FILE (busybox sh) in the guest instead of `ringlab
#                        run`: it gets RINGLAB, RINGLAB_SUITE, RINGLAB_TAG,
#                        TRACEFS and the ringlab arguments, runs in /mnt, writes
#                        /tmp/run.json; its exit status is the guest's rc
#
# Exit status: 0 the JSON came back, ringlab exited 0 and the console shows no
# kernel oops, BUG, WARNING, panic, stall or ext4 error; 1 the run failed (the
# reason and the console lines on stderr; OUT.json is still written when the
# guest sent one); 2 bad usage, something missing, or the kernel could not be
# fetched or built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kernel-patches/lib/variant.sh
. "$here/lib/variant.sh"
# shellcheck source=kernel-patches/lib/preflight.sh
. "$here/lib/preflight.sh"
# shellcheck source=kernel-patches/lib/accel.sh
. "$here/lib/accel.sh"
# shellcheck source=kernel-patches/lib/lab_host.sh
. "$here/lib/lab_host.sh"

usage()
{
	sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die_setup()
{
	vm_log "$*"
	exit 2
}

now()
{
	date +%s
}

cache_arg='' timeout_s=600 append_extra='' accel='' memory=1024 smp='' disk_size=1G
mkfs_opts='' mount_opts='' keep='' ringlab_arg='' tcg_thread='' cpu_model='' guest_script=''
rl_args=()
pos=()
while [ $# -gt 0 ]; do
	case "$1" in
	--cache) cache_arg=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--ringlab-args) read -r -a more <<<"$2"; rl_args+=("${more[@]}"); shift 2 ;;
	--append) append_extra="$append_extra $2"; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--tcg-thread) tcg_thread=$2; shift 2 ;;
	--cpu) cpu_model=$2; shift 2 ;;
	--ringlab) ringlab_arg=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--disk-size) disk_size=$2; shift 2 ;;
	--mkfs-opts) mkfs_opts=$2; shift 2 ;;
	--mount-opts) mount_opts=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--guest-script) guest_script=$2; shift 2 ;;
	-h|--help) usage ;;
	--) shift; rl_args+=("$@"); break ;;
	-*) vm_log "unknown option $1"; usage ;;
	*) pos+=("$1"); shift ;;
	esac
done
[ ${#pos[@]} -eq 3 ] || usage
variant_arg=${pos[0]} suite=${pos[1]} out=${pos[2]}
[ -z "$guest_script" ] || [ -f "$guest_script" ] || die_setup "--guest-script $guest_script: no such file"
case "$timeout_s" in ''|*[!0-9]*) die_setup "--timeout $timeout_s: must be a number of seconds" ;; esac
for a in "${rl_args[@]}"; do
	case "$a" in
	--dir|-d|--json|-o|--dir=*|--json=*)
		die_setup "ringlab argument $a: vm-run.sh sets --dir and --json itself" ;;
	esac
done
accel=${accel:-${RINGLAB_VM_ACCEL:-auto}}
tcg_thread=${tcg_thread:-${RINGLAB_VM_TCG_THREAD:-multi}}
case "$accel" in auto|kvm|tcg) ;; *) die_setup "--accel $accel: auto, kvm or tcg" ;; esac
case "$tcg_thread" in single|multi) ;; *) die_setup "--tcg-thread $tcg_thread: single or multi" ;; esac
# The tinyconfig fragment builds kernels for up to 8 CPUs.
smp=${smp:-$(( $(nproc) < 8 ? $(nproc) : 8 ))}
case "$smp" in ''|0|*[!0-9]*) die_setup "--smp $smp: a number of CPUs" ;; esac
disk_mib=$(numfmt --from=iec "$disk_size" 2>/dev/null) ||
	die_setup "--disk-size $disk_size: a size such as 1G or 512M"
disk_mib=$(( disk_mib / 1048576 ))

# --- everything the run needs, before anything is fetched or built -----------
preflight_tool qemu-system-x86_64 "apt-get install qemu-system-x86"
preflight_tool mkfs.ext4 "apt-get install e2fsprogs"
for tool in jq cpio gzip numfmt; do
	preflight_tool "$tool" "apt-get install jq cpio gzip coreutils"
done
vm_find_ringlab "$ringlab_arg" || true
vm_find_busybox || true
variant_load "$variant_arg" || exit 2
cache=$(vm_cache_dir "$cache_arg") || die_setup "${cache_arg:-the kernel cache}: cannot create it"
[ -w "$cache" ] || preflight_problem "$cache: the kernel cache is not writable (--cache DIR)"
workloads=${RINGLAB_WORKLOADS:-$here/../workloads}
[ -d "$workloads" ] || preflight_problem "$workloads: no workloads directory (set RINGLAB_WORKLOADS)"
case "$out" in
*.json) console_out=${out%.json}.console.log ;;
*) console_out=$out.console.log ;;
esac

# A file is carried into the guest beside the shipped workloads (a suite file
# names its workloads relative to itself); a name must exist here already.
suite_file='' guest_suite=''
if [ -f "$suite" ]; then
	suite_file=$suite
	guest_suite=/ringlab/workloads/$(basename "$suite")
elif [ -f "$workloads/$suite.json" ] || [ -f "$workloads/suites/$suite.json" ]; then
	guest_suite=$suite
else
	preflight_problem "$suite: no such file, workload or suite (in $workloads)"
fi

# The scratch disk is sparse, but the suite may fill it.
preflight_space "${TMPDIR:-/tmp}" $((disk_mib + 256 + 64)) \
	"the work directory (the $disk_size scratch disk, the 256 MiB result disk; TMPDIR)"

# The kernel: what fetching or building it needs (the getter's --check).
getter=''
case "$VARIANT_KIND" in
debian-image) getter=$here/fetch-kernel.sh ;;
source|git) getter=$here/build-kernel.sh ;;
prebuilt)
	kernel=$(variant_path "$(variant_get kernel)") || preflight_problem "$VARIANT_SPEC: key kernel: no such file"
	modules=none
	if variant_has modules_dir; then
		modules=$(variant_path "$(variant_get modules_dir)") ||
			preflight_problem "$VARIANT_SPEC: key modules_dir: no such directory"
	fi
	release=$(variant_get release)
	if [ -f "${kernel:-}" ] && [ -z "$release" ]; then
		release=$(bzimage_release "$kernel") ||
			preflight_problem "$kernel: not a bzImage (no kernel version in its header)"
	fi
	;;
*) die_setup "$VARIANT_SPEC: kind $VARIANT_KIND: vm-run.sh boots debian-image, source, git and prebuilt variants" ;;
esac
if [ -n "$getter" ] && ! "$getter" --check "$VARIANT_SPEC" "$cache" >/dev/null 2>"$cache/.check.$$"; then
	while IFS= read -r line; do
		preflight_problem "${line#*: missing: }"
	done <"$cache/.check.$$"
fi
rm -f "$cache/.check.$$"
preflight_report || exit 2
ringlab=$VM_RINGLAB

# A failed run must not leave an older result looking like its own.
rm -f "$out" "$console_out" "${console_out%.log}.boot1.log"
t_start=$(now)
work=''
qpid=''
gpid=''

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup()
{
	local _

	# The kernel getter runs in its own process group: a build's make and
	# compilers go down with it.
	if [ -n "$gpid" ] && kill -0 "$gpid" 2>/dev/null; then
		kill -TERM -- -"$gpid" 2>/dev/null || true
		wait "$gpid" 2>/dev/null || true
	fi
	if [ -n "$VM_ACCEL_PID" ]; then
		kill -KILL "$VM_ACCEL_PID" 2>/dev/null || true
		wait "$VM_ACCEL_PID" 2>/dev/null || true
	fi
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [ -n "$work" ]; then
		[ ! -f "$work/console.log" ] || cp "$work/console.log" "$console_out" 2>/dev/null || true
		if [ -n "$keep" ]; then
			vm_log "kept $work"
		else
			rm -rf "$work"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- the kernel ------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-vm.XXXXXX")
: >"$work/kernel.info"
if [ -n "$getter" ]; then
	# In the background, so that a signal reaches our traps during a long build.
	setsid "$getter" "$VARIANT_SPEC" "$cache" >"$work/kernel.info" &
	gpid=$!
	wait "$gpid" || die_setup "$VARIANT_NAME: no kernel ($(basename "$getter") failed)"
	gpid=
	kernel=$(sed -n 's/^kernel=//p' "$work/kernel.info")
	modules=$(sed -n 's/^modules=//p' "$work/kernel.info")
	release=$(sed -n 's/^release=//p' "$work/kernel.info")
	[ -f "$kernel" ] || die_setup "$VARIANT_NAME: $(basename "$getter") gave no kernel"
fi
t_kernel=$(now)

# --- initramfs: the generic image, then this run's configuration -----------
mods_env=()
if variant_has modules; then
	mods_env=(RINGLAB_VM_MODULES="$(variant_list modules | tr '\n' ' ')")
fi
env "${mods_env[@]}" RINGLAB_WORKLOADS="$workloads" \
	"$here/make-initramfs.sh" --ringlab "$ringlab" "${modules:-none}" "$work/base.cpio.gz" || exit 2

squote()
{
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

mkdir -p "$work/conf/etc/ringlab"
{
	echo "RINGLAB_SUITE=$(squote "$guest_suite")"
	echo "RINGLAB_TAG=$(squote "$VARIANT_NAME")"
	echo "RINGLAB_MOUNT_OPTS=$(squote "$mount_opts")"
} >"$work/conf/etc/ringlab/run.conf"
: >"$work/conf/etc/ringlab/args"
for a in "${rl_args[@]}"; do
	case "$a" in *$'\n'*) die_setup "ringlab argument with a newline: $a" ;; esac
	printf '%s\n' "$a" >>"$work/conf/etc/ringlab/args"
done
[ -z "$guest_script" ] || cp "$guest_script" "$work/conf/etc/ringlab/guest.sh"
if [ -n "$suite_file" ]; then
	mkdir -p "$work/conf/ringlab/workloads"
	cp "$suite_file" "$work/conf/ringlab/workloads/"
fi
(cd "$work/conf" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 >"$work/conf.cpio.gz"
# The kernel unpacks concatenated archives in order: the second adds the run.
cat "$work/base.cpio.gz" "$work/conf.cpio.gz" >"$work/initrd.cpio.gz"

# --- disks: ext4 scratch formatted here, raw result disk -------------------
truncate -s "$disk_size" "$work/scratch.img"
# Initialise inode tables and journal now: no ext4lazyinit writing under the measurement.
# shellcheck disable=SC2086
mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0,nodiscard $mkfs_opts \
	"$work/scratch.img" || die_setup "mkfs.ext4 $mkfs_opts failed"
truncate -s 256M "$work/out.img"

# --- accelerator: KVM when this kernel boots under it, else multi-threaded TCG ---
if [ "$accel" = auto ]; then
	vm_accel_probe "$cache" "$kernel" "$work/base.cpio.gz" "$work" "$cpu_model"
	if [ "$VM_ACCEL_KVM" = yes ]; then
		accel=kvm
	else
		accel=tcg
		vm_log "not KVM: $VM_ACCEL_WHY"
	fi
fi
t_prep=$(now)
if [ "$accel" = kvm ]; then
	cpu_model=${cpu_model:-host}
	accel_opt=kvm
	accel_args="ringlab.accel=kvm"
else
	# -cpu max: the instructions lab CPUs have (AVX2, BMI2, AES...), which the
	# kernel's alternatives pick; qemu64 lacks them. Either model sees the
	# boot-time int3 oops of multi-threaded TCG, handled below.
	cpu_model=${cpu_model:-max}
	accel_opt=tcg,thread=$tcg_thread
	accel_args="ringlab.accel=tcg ringlab.tcg_thread=$tcg_thread"
fi

# --- boot --------------------------------------------------------------------
cmdline="console=ttyS0,115200 printk.time=1 panic=-1 rdinit=/init ringlab.variant=$VARIANT_NAME"
cmdline="$cmdline $accel_args ringlab.vcpus=$smp ringlab.cpu=$cpu_model"
cmdline="$cmdline $(variant_get cmdline)$append_extra"
vm_log "$VARIANT_NAME: booting $release ($accel_opt, -cpu $cpu_model, ${memory} MiB, $smp CPUs), timeout $timeout_s s"

# Multi-threaded TCG can also hang a boot for good (seen: silent after
# "HugeTLB: registered" for 600 s, under load): a guest whose console has not
# grown for this long before /init is stopped as stalled and booted once more.
boot_stall_s=${RINGLAB_VM_BOOT_STALL_S:-120}

# boot_guest: one boot, until QEMU exits, the guest panicked 15 s ago, KVM
# failed, a multi-threaded TCG boot stalled before /init or the timeout
# passed; sets hung, stalled, kvm_error, t_init, qrc.
boot_guest()
{
	local t t0 panic_at='' size grown_at grown=-1

	hung='' stalled='' kvm_error='' t_init='' qrc=0
	: >"$work/console.log"
	t0=$(now)
	qemu-system-x86_64 -accel "$accel_opt" -cpu "$cpu_model" -m "$memory" -smp "$smp" \
		-nodefaults -display none -no-reboot \
		-serial "file:$work/console.log" \
		-kernel "$kernel" -initrd "$work/initrd.cpio.gz" -append "$cmdline" \
		-drive "file=$work/scratch.img,if=virtio,format=raw" \
		-drive "file=$work/out.img,if=virtio,format=raw" \
		</dev/null >"$work/qemu.log" 2>&1 &
	qpid=$!
	# A guest that panics reboots (panic=-1) and QEMU exits (-no-reboot); one that
	# panicked but did not leave within 15 s, or ran past the timeout, is killed.
	grown_at=$t0
	while kill -0 "$qpid" 2>/dev/null; do
		t=$(now)
		size=$(stat -c %s "$work/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$grown" ]; then
			grown=$size
			grown_at=$t
		fi
		if [ -z "$t_init" ] && [ "$accel_opt" = tcg,thread=multi ] &&
				[ $((t - grown_at)) -ge "$boot_stall_s" ]; then
			stalled=1
			break
		fi
		if [ -z "$t_init" ] && grep -q '^ringlab-vm: kernel ' "$work/console.log"; then
			t_init=$t
			vm_log "$VARIANT_NAME: booted to /init in $((t_init - t0)) s ($((t_init - t_start)) s since the start)"
		fi
		# QEMU stops the guest and stays up on a KVM failure.
		if grep -q 'KVM internal error' "$work/qemu.log"; then
			kvm_error=1
			break
		fi
		if [ $((t - t0)) -ge "$timeout_s" ]; then
			hung=1
			break
		fi
		if [ -z "$panic_at" ] && grep -q 'Kernel panic - not syncing' "$work/console.log"; then
			panic_at=$t
		fi
		[ -n "$panic_at" ] && [ $((t - panic_at)) -ge 15 ] && break
		sleep 0.5
	done
	if kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		sleep 1
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	wait "$qpid" || qrc=$?
	qpid=
}

boot_guest
# Multi-threaded TCG (QEMU 7.2 here) can run a stale translation of code the
# kernel has just patched: an "Oops: int3" at boot, before /init, right after
# "sched_clock: Marking stable" flips a static key (kernel-patches/README.md,
# "Parallel guests"). That is the emulator's, not the kernel under test's, so
# such a boot is tried once more, and said so; its console is kept.
if [ -z "$t_init$hung$kvm_error" ] && [ "$accel_opt" = tcg,thread=multi ] &&
		grep -q 'Oops: int3' "$work/console.log"; then
	cp "$work/console.log" "${console_out%.log}.boot1.log"
	vm_log "the guest oopsed on an int3 before /init, in the kernel's own code patching under" \
		"multi-threaded TCG (a QEMU race, see kernel-patches/README.md): booting once more;" \
		"the first console is ${console_out%.log}.boot1.log"
	boot_guest
elif [ -n "$stalled" ]; then
	cp "$work/console.log" "${console_out%.log}.boot1.log"
	vm_log "the guest printed nothing for $boot_stall_s s before /init under multi-threaded TCG" \
		"(a QEMU race, see kernel-patches/README.md): booting once more;" \
		"the first console is ${console_out%.log}.boot1.log"
	boot_guest
fi
t_boot=$(now)
cp "$work/console.log" "$console_out"

# --- verdict -------------------------------------------------------------------
console_tail()
{
	vm_log "last console lines ($console_out):"
	tail -n "${1:-40}" "$work/console.log" | sed 's/^/  | /' >&2
}

bad_re='Kernel panic - not syncing|BUG: |Oops: |Oops[[:space:]]*\[#|kernel BUG at|WARNING: CPU: |WARNING: at |general protection fault|UBSAN: |KASAN: |KFENCE: |Unable to handle kernel|blocked for more than [0-9]+ seconds|detected stalls? on CPU|self-detected stall|EXT4-fs error'
problems=$(grep -n -E "$bad_re" "$work/console.log" | head -n 40 || true)

header=$(dd if="$work/out.img" bs=512 count=1 2>/dev/null | tr -d '\0' | sed -n 1p)
field()
{
	printf '%s\n' "$header" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}
guest_rc='' guest_len=0 guest_error=''
if [ "${header%% *}" = ringlab-vm-out-1 ]; then
	guest_rc=$(field rc)
	guest_len=$(field len)
	guest_error=$(printf '%s\n' "$header" | sed -n 's/.* error=//p')
fi

fail=0
if [ "${guest_len:-0}" -gt 0 ]; then
	dd if="$work/out.img" iflag=skip_bytes,count_bytes skip=4096 count="$guest_len" \
		of="$out.tmp" 2>/dev/null
	if jq -e '.format == "ringlab-run-1"' "$out.tmp" >/dev/null 2>&1; then
		lab_host_stamp "$out.tmp" || vm_log "could not record the lab host in the guest's JSON"
		mv "$out.tmp" "$out"
	else
		rm -f "$out.tmp"
		vm_log "the guest's JSON ($guest_len bytes) is not a ringlab-run-1 document"
		fail=1
	fi
fi

if [ -n "$kvm_error" ]; then
	vm_log "KVM could not run the guest (try --accel tcg):"
	head -n 5 "$work/qemu.log" | sed 's/^/  | /' >&2
	fail=1
elif [ -n "$stalled" ]; then
	vm_log "guest hung: its console stopped for $boot_stall_s s before /init, twice, killed"
	console_tail
	fail=1
elif [ -n "$hung" ]; then
	vm_log "guest hung: no result after $timeout_s s (--timeout), killed"
	console_tail
	fail=1
elif [ -n "$problems" ]; then
	vm_log "kernel problems in the guest's console:"
	printf '%s\n' "$problems" | sed 's/^/  | /' >&2
	first=${problems%%:*}
	vm_log "console from line $first:"
	sed -n "${first},$((first + 30))p" "$work/console.log" | sed 's/^/  | /' >&2
	console_tail 10
	fail=1
elif [ -z "$guest_rc" ]; then
	vm_log "the guest gave no result (QEMU exited $qrc)"
	[ ! -s "$work/qemu.log" ] || head -n 10 "$work/qemu.log" | sed 's/^/  qemu: /' >&2
	console_tail
	fail=1
elif [ "$guest_rc" != 0 ]; then
	vm_log "the guest reports: ${guest_error:-rc=$guest_rc}"
	console_tail 25
	fail=1
elif [ ! -f "$out" ]; then
	vm_log "ringlab exited 0 in the guest but sent no JSON"
	console_tail 25
	fail=1
fi
if [ $fail -eq 0 ]; then
	guest_release=$(jq -r '.env.kernel_release' "$out")
	if [ -n "$release" ] && [ "$guest_release" != "$release" ]; then
		vm_log "the guest ran $guest_release, not $release"
		fail=1
	fi
fi
built=$(sed -n 's/^build_kind=//p' "$work/kernel.info")
[ -z "$built" ] || built=" ($built build: make $(sed -n 's/^build_seconds=//p' "$work/kernel.info") s)"
vm_log "$VARIANT_NAME: kernel $((t_kernel - t_start)) s$built, initramfs+disks+accel $((t_prep - t_kernel)) s," \
	"boot+run $((t_boot - t_prep)) s, total $((t_boot - t_start)) s"
if [ $fail -ne 0 ]; then
	exit 1
fi
vm_log "$VARIANT_NAME: $out: $(jq '.cells | length' "$out") cells on $guest_release"
exit 0
