#!/bin/bash
# SPDX-License-Identifier: MIT
# fetch-kernel.sh [--check] VARIANT.json [CACHE_DIR]: download a debian-image variant's
# packages with a private apt state (nothing is installed, the machine's apt
# sources are untouched), extract them into CACHE_DIR/image/<package>_<version>/
# and print, one per line:
#   kernel=PATH    the vmlinuz
#   modules=PATH   its modules directory (lib/modules/<release>)
#   release=REL    the kernel release (uname -r)
# A second call for the same package versions only reads the cached lists.
# --check: fetch nothing; check the tools and the free space a fetch needs and
# print cached=yes|no, needs_mib=N.
# Progress goes to stderr. Exit 0 ok, 1 failed (the reason on stderr), 2 usage.
set -euo pipefail
# Leave through exit on a signal, so the EXIT traps remove temporary files.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kernel-patches/lib/apt-private.sh
. "$here/lib/apt-private.sh"
# shellcheck source=kernel-patches/lib/variant.sh
. "$here/lib/variant.sh"
# shellcheck source=kernel-patches/lib/preflight.sh
. "$here/lib/preflight.sh"

check=''
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 [--check] VARIANT.json [CACHE_DIR]" >&2
	exit 2
fi
variant_load "$1" || exit 2
[ "$VARIANT_KIND" = debian-image ] ||
	{ vm_log "$VARIANT_FILE: kind $VARIANT_KIND: build it with build-kernel.sh"; exit 2; }
cache=$(vm_cache_dir "${2:-}")
mapfile -t packages < <(variant_list packages)
pin=$(variant_get version)

for t in apt-get:apt dpkg-deb:dpkg; do
	preflight_tool "${t%%:*}" "apt-get install ${t#*:}"
done
preflight_report || exit 1

# One fetch at a time per cache: two runs of one variant must not race on a directory.
exec 9>"$cache/.lock"
flock 9

if [ -n "$check" ] && [ ! -f "$cache/apt/$VARIANT_SUITE/updated" ]; then
	# Never fetched: the lists (about 20 MB) and the packages (about 40 MB, 90 extracted).
	preflight_space "$cache" 300 "fetching $VARIANT_NAME"
	preflight_report || exit 1
	printf 'cached=no\nneeds_mib=300\n'
	exit 0
elif [ -n "$check" ]; then
	# A check refreshes no lists: old ones name the packages well enough.
	APT_PRIVATE_DIR=$cache/apt/$VARIANT_SUITE
else
	vm_apt_state "$cache" "$VARIANT_SUITE"
fi

# The .deb file names carry the versions: they are the cache key.
args=()
for p in "${packages[@]}"; do
	args+=("$p${pin:+=$pin}")
done
debs=$(vm_resolve_debs "${args[@]}") || { vm_log "$VARIANT_FILE: packages not found"; exit 1; }
key=$(printf '%s\n' "$debs" | awk -v p="${packages[0]}_" 'index($0, p) == 1 { sub(/_[^_]*\.deb$/, ""); print; exit }')
[ -n "$key" ] || { vm_log "$VARIANT_FILE: apt resolved no file for ${packages[0]}"; exit 1; }
dest=$cache/image/$key

find_tree()
{
	local root=$1 moddir

	for moddir in "$root"/usr/lib/modules/* "$root"/lib/modules/*; do
		[ -d "$moddir" ] || continue
		release=$(basename "$moddir")
		modules=$moddir
		for kernel in "$moddir/vmlinuz" "$root/boot/vmlinuz-$release"; do
			[ -f "$kernel" ] && return 0
		done
	done
	return 1
}

if [ -n "$check" ]; then
	if [ -f "$dest/debs" ] && [ "$(cat "$dest/debs")" = "$debs" ] && find_tree "$dest/root"; then
		printf 'cached=yes\nneeds_mib=0\n'
	else
		preflight_space "$cache" 300 "fetching $VARIANT_NAME"
		preflight_report || exit 1
		printf 'cached=no\nneeds_mib=300\n'
	fi
	exit 0
fi
if [ -f "$dest/debs" ] && [ "$(cat "$dest/debs")" = "$debs" ] && find_tree "$dest/root"; then
	vm_log "$VARIANT_NAME: cached $key"
else
	tmp=$(mktemp -d "$cache/image.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	start=$(date +%s)
	vm_log "$VARIANT_NAME: downloading $(printf '%s\n' "$debs" | tr '\n' ' ')"
	(cd "$tmp" && apt_private -qq download "${args[@]}") >&2
	for deb in $debs; do
		dpkg-deb -x "$tmp/$deb" "$tmp/root"
		rm -f "$tmp/$deb"
	done
	printf '%s\n' "$debs" >"$tmp/debs"
	find_tree "$tmp/root" ||
		{ vm_log "$VARIANT_FILE: no lib/modules/<release>/vmlinuz nor boot/vmlinuz-* in $debs"; exit 1; }
	mkdir -p "$cache/image"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
	find_tree "$dest/root"
	vm_log "$VARIANT_NAME: fetched $release in $(( $(date +%s) - start )) s"
fi
printf 'kernel=%s\nmodules=%s\nrelease=%s\n' "$kernel" "$modules" "$release"
