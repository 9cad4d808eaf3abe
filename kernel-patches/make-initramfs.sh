#!/bin/bash
# SPDX-License-Identifier: MIT
# make-initramfs.sh [--ringlab PATH] MODULES_DIR|none OUT.cpio.gz: the guest's initramfs.
#
# Holds busybox (static), the ringlab binary with the workloads beside it
# (/ringlab/ringlab, /ringlab/workloads), guest/init as /init and the kernel
# modules the guest must load before it can see its disks, decompressed here
# on the host (busybox insmod takes plain .ko files) and listed in load order
# in /etc/ringlab/modules. The run itself (suite, arguments) is not in it:
# vm-run.sh appends a second small cpio with /etc/ringlab/run.conf.
#
# MODULES_DIR is a lib/modules/<release> directory, or "none" for a kernel
# with everything built in.
# Environment:
#   RINGLAB_VM_MODULES   modules to load (default "virtio_blk"); their
#                        dependencies come from each module's own depends=
#                        field (Debian ships no modules.dep: depmod makes it
#                        at install time), built-in ones are skipped
#   RINGLAB_BIN, RINGLAB_STATIC
#                        the ringlab binary for the guest when --ringlab is not
#                        given; else the ringlab beside the calling program, in
#                        the build tree or in PATH (lib/preflight.sh). A
#                        dynamically linked one is taken with the libraries
#                        ldd names
#   RINGLAB_WORKLOADS    the workloads directory (default ../workloads)
#   RINGLAB_BUSYBOX      a static busybox (default: busybox in PATH)
# Exit 0 ok, 1 failed (the reason on stderr), 2 usage.
set -euo pipefail
# Leave through exit on a signal, so the EXIT traps remove temporary files.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kernel-patches/lib/variant.sh
. "$here/lib/variant.sh"
# shellcheck source=kernel-patches/lib/preflight.sh
. "$here/lib/preflight.sh"

usage()
{
	echo "usage: $0 [--ringlab PATH] MODULES_DIR|none OUT.cpio.gz" >&2
	exit 2
}

ringlab_arg=''
if [ "${1:-}" = --ringlab ]; then
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		usage
	fi
	ringlab_arg=$2
	shift 2
fi
[ $# -eq 2 ] || usage
moddir=$1
out=$2
modules_wanted=${RINGLAB_VM_MODULES-virtio_blk}
workloads=${RINGLAB_WORKLOADS:-$here/../workloads}

die()
{
	vm_log "$*"
	exit 1
}

vm_find_busybox || true
vm_find_ringlab "$ringlab_arg" || true
[ -d "$workloads" ] || preflight_problem "$workloads: no workloads directory (set RINGLAB_WORKLOADS)"
[ "$moddir" = none ] || [ -d "$moddir" ] || preflight_problem "$moddir: no such modules directory"
for tool in cpio gzip readelf; do
	preflight_tool "$tool" "apt-get install cpio gzip binutils"
done
preflight_report || exit 1
busybox=$VM_BUSYBOX
ringlab=$VM_RINGLAB

stage=$(mktemp -d)
trap 'rm -rf "$stage" "$out.tmp.$$"' EXIT
mkdir -p "$stage"/{bin,dev,etc/ringlab,lib/modules,mnt,proc,sys,tmp,ringlab/workloads/suites}
ln -s bin "$stage/sbin"
mkdir -p "$stage/usr"
ln -s ../bin "$stage/usr/bin"
ln -s ../bin "$stage/usr/sbin"

# /init makes the other applets' links itself (busybox --install).
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"

install -m 0755 "$here/guest/init" "$stage/init"

# ringlab finds its workloads beside itself (/ringlab/workloads).
strip -o "$stage/ringlab/ringlab" "$ringlab" 2>/dev/null || cp "$ringlab" "$stage/ringlab/ringlab"
if _preflight_is_static "$ringlab"; then
	vm_log "guest ringlab: $ringlab (static)"
else
	libs=$(ldd "$ringlab" | grep -o '/[^ ]*' | sort -u)
	vm_log "guest ringlab: $ringlab (dynamically linked: its $(wc -l <<<"$libs") libraries go along)"
	while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done <<<"$libs"
fi
cp "$workloads"/*.json "$stage/ringlab/workloads/"
[ ! -f "$workloads/README.md" ] || cp "$workloads/README.md" "$stage/ringlab/workloads/"
if compgen -G "$workloads/suites/*.json" >/dev/null; then
	cp "$workloads"/suites/*.json "$stage/ringlab/workloads/suites/"
fi

# --- modules ---------------------------------------------------------------
declare -A mod_path=() mod_done=()
load_order=()

norm()
{
	echo "${1//-/_}"
}

decompress()
{
	case "$1" in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -qdc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*.ko) cat "$1" ;;
	esac
}

# add_module NAME: NAME's dependencies first, then NAME; decompressed into the stage.
add_module()
{
	local name dest deps dep

	name=$(norm "$1")
	[ -z "${mod_done[$name]:-}" ] || return 0
	mod_done[$name]=1
	if [ -z "${mod_path[$name]:-}" ]; then
		if grep -q "/$name\.ko" <(norm "$(cat "$moddir/modules.builtin" 2>/dev/null)"); then
			return 0
		fi
		die "module $1: not in $moddir (nor built in)"
	fi
	dest=$name.ko
	decompress "${mod_path[$name]}" >"$stage/lib/modules/$dest" ||
		die "${mod_path[$name]}: cannot decompress"
	deps=$(tr '\0' '\n' <"$stage/lib/modules/$dest" | sed -n 's/^depends=//p')
	for dep in ${deps//,/ }; do
		add_module "$dep"
	done
	load_order+=("$dest")
}

if [ "$moddir" != none ] && [ -n "$modules_wanted" ]; then
	# No subshell per file: a Debian kernel has over a thousand modules.
	while IFS= read -r f; do
		base=${f##*/}
		base=${base%%.ko*}
		mod_path[${base//-/_}]=$f
	done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
	for m in $modules_wanted; do
		add_module "$m"
	done
	if [ ${#load_order[@]} -gt 0 ]; then
		printf '%s\n' "${load_order[@]}" >"$stage/etc/ringlab/modules"
	fi
fi

# --- archive ---------------------------------------------------------------
tmp_out=$out.tmp.$$
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 >"$tmp_out"
mv "$tmp_out" "$out"
vm_log "$out: $(du -k "$out" | cut -f1) KiB, modules: ${load_order[*]:-none}"
