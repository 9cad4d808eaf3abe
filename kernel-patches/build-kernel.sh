#!/bin/bash
# SPDX-License-Identifier: MIT
# build-kernel.sh VARIANT.json [CACHE_DIR]: build a source variant's bzImage.
#
# Fetches the Debian linux-source-X package with a private apt state, unpacks
# it, applies the series in order (each message of each mbox with `git apply`:
# all of a message or nothing; a message that does not apply is named with
# its file, subject and failing hunk), configures `make tinyconfig` (or
# defconfig) plus the fragment, checks every fragment line survived, and runs
# `make bzImage`. The result is cached under CACHE_DIR/build/ by a hash of the
# source package version, the base config, the fragment, the series files and
# the compiler, and printed as:
#   kernel=PATH          the bzImage
#   modules=none         everything the guest needs is built in
#   release=REL          make kernelrelease (uname -r in the guest)
#   build_seconds=N      how long the build took (when it was built)
# Environment: RINGLAB_BUILD_JOBS (default nproc), RINGLAB_KEEP_TREE=1 keeps
# the built tree beside the result. Exit 0 ok, 1 failed, 2 usage.
set -euo pipefail
# Leave through exit on a signal, so the EXIT traps remove temporary files.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/apt-private.sh"
. "$here/lib/variant.sh"

# Bump when the way a tree is built changes, so old results are not reused.
BUILD_FORMAT=1

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 VARIANT.json [CACHE_DIR]" >&2
	exit 2
fi
variant_load "$1" || exit 2
[ "$VARIANT_KIND" = source ] ||
	{ vm_log "$VARIANT_FILE: kind $VARIANT_KIND: fetch it with fetch-kernel.sh"; exit 2; }
cache=$(vm_cache_dir "${2:-}")
jobs=${RINGLAB_BUILD_JOBS:-$(nproc)}
srcpkg=$(variant_get source_package)
pin=$(variant_get version)
base_config=$(variant_get base_config)
base_config=${base_config:-tinyconfig}
fragment=$(variant_path "$(variant_get fragment)") || exit 2

die()
{
	vm_log "$*"
	exit 1
}

# --- the series: files (a directory stands for its patches, sorted) or b4 ----
series=()
add_series()
{
	local p n=${#series[@]}

	if [ -d "$1" ]; then
		while IFS= read -r p; do
			series+=("$p")
		done < <(find "$1" -maxdepth 1 -type f \( -name '*.patch' -o -name '*.mbox' \
			-o -name '*.mbx' -o -name '*.eml' -o -name '*.diff' \) | LC_ALL=C sort)
		[ ${#series[@]} -gt "$n" ] || die "$1: no *.patch, *.mbox, *.mbx, *.eml or *.diff in it"
	else
		series+=("$1")
	fi
}

while IFS= read -r rel; do
	path=$(variant_path "$rel") || exit 2
	add_series "$path"
done < <(variant_list series)
while IFS= read -r msgid; do
	command -v b4 >/dev/null || die "$VARIANT_FILE: message_ids need b4 (pip install b4) and the network"
	dir=$cache/b4/$(printf '%s' "$msgid" | sha256sum | cut -c1-16)
	if ! compgen -G "$dir/*.mbx" >/dev/null; then
		mkdir -p "$dir"
		b4 -q am -o "$dir" -n series "$msgid" >&2 || die "b4 am $msgid failed"
	fi
	add_series "$dir"
done < <(variant_list message_ids)

# --- resolve the source package (the lists are shared: under the cache lock) --
exec 9>"$cache/.lock"
flock 9
vm_apt_state "$cache" "$VARIANT_SUITE"
srcdeb=$(vm_resolve_debs "$srcpkg${pin:+=$pin}") || die "$VARIANT_FILE: $srcpkg not found"
flock -u 9

key=$( {
	echo "format $BUILD_FORMAT"
	echo "source $srcdeb"
	echo "config $base_config"
	echo "fragment $(sha256sum <"$fragment")"
	for f in "${series[@]}"; do
		echo "patch $(basename "$f") $(sha256sum <"$f")"
	done
	echo "compiler $(gcc --version | sed -n 1p)"
} | sha256sum | cut -c1-16)
name=${srcdeb%%_*}-$key
dest=$cache/build/$name
mkdir -p "$cache/build"

print_result()
{
	printf 'kernel=%s\nmodules=none\nrelease=%s\n' "$dest/bzImage" "$(cat "$dest/release")"
	[ -z "${1:-}" ] || printf 'build_seconds=%s\n' "$1"
}

if [ -f "$dest/release" ]; then
	vm_log "$VARIANT_NAME: cached $name ($(cat "$dest/release"))"
	print_result
	exit 0
fi
# One build per key: a second caller waits and then finds it cached.
exec 8>"$cache/build/$name.lock"
flock 8
if [ -f "$dest/release" ]; then
	print_result
	exit 0
fi

# --- the source tarball, kept (the .deb is not) --------------------------------
tarball=$cache/src/${srcdeb%.deb}.tar.xz
if [ ! -f "$tarball" ]; then
	mkdir -p "$cache/src"
	dl=$(mktemp -d "$cache/src/dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	vm_log "$VARIANT_NAME: downloading $srcdeb"
	flock 9
	(cd "$dl" && apt_private -qq download "$srcpkg${pin:+=$pin}") >&2
	flock -u 9
	dpkg-deb --fsys-tarfile "$dl/$srcdeb" | tar -xO --wildcards './usr/src/linux-source-*.tar.*' \
		>"$dl/src.tar.xz"
	[ -s "$dl/src.tar.xz" ] || die "$srcdeb: no usr/src/linux-source-*.tar.* inside"
	mv "$dl/src.tar.xz" "$tarball"
	rm -rf "$dl"
	trap - EXIT
fi

t0=$(date +%s)
tmp=$(mktemp -d "$cache/build/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir -p "$src"
vm_log "$VARIANT_NAME: unpacking $(basename "$tarball")"
tar -xf "$tarball" -C "$src" --strip-components=1

# --- apply ----------------------------------------------------------------------
# hunk_of MSG FILE LINE: the "@@ -LINE,..." header of FILE's hunk in MSG.
hunk_of()
{
	awk -v f="$2" -v l="$3" '
		/^diff --git / { cur = (substr($0, length($0) - length(f) - 1) == "b/" f) }
		cur && /^@@ / { split($2, a, ","); if (substr(a[1], 2) + 0 == l + 0) { print; exit } }' "$1"
}

apply_message()
{
	local f=$1 msg=$2 what=$3 err loc file line

	if ! grep -q '^diff --git \|^--- ' "$msg"; then
		return 0        # a cover letter
	fi
	# No repository may be found above the tree: git apply would patch relative to it.
	if err=$(cd "$src" && GIT_CEILING_DIRECTORIES=$tmp git apply --whitespace=nowarn "$msg" 2>&1); then
		return 0
	fi
	vm_log "$f: $what does not apply to $(basename "$tarball" .tar.xz):"
	printf '%s\n' "$err" | sed 's/^/  /' >&2
	loc=$(printf '%s\n' "$err" | sed -n 's/^error: patch failed: //p' | sed -n 1p)
	if [ -n "$loc" ]; then
		file=${loc%:*}
		line=${loc##*:}
		vm_log "  failing hunk in $file: $(hunk_of "$msg" "$file" "$line")"
	fi
	exit 1
}

n_applied=0
for f in "${series[@]}"; do
	mail=$tmp/mail/$n_applied
	mkdir -p "$mail"
	count=$(git mailsplit -b -o"$mail" "$f") || die "$f: not an mbox or patch file"
	for msg in "$mail"/*; do
		subject=$(sed -n '/^Subject: /{s///p;q}' "$msg")
		what="message $(basename "$msg")/$count${subject:+ \"$subject\"}"
		apply_message "$f" "$msg" "$what"
	done
	n_applied=$((n_applied + 1))
done
vm_log "$VARIANT_NAME: applied ${#series[@]} series file(s)"

# --- configure: base config + fragment, every fragment line checked --------------
mk()
{
	make -C "$src" ARCH=x86_64 "$@"
}
case "$base_config" in
tinyconfig) mk -s tinyconfig >/dev/null ;;
defconfig) mk -s x86_64_defconfig >/dev/null ;;
esac
grep -E '^CONFIG_[A-Za-z0-9_]+=' "$fragment" >"$tmp/fragment"
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$tmp/fragment") >"$tmp/merge.log" 2>&1 ||
	{ cat "$tmp/merge.log" >&2; die "merge_config.sh failed"; }
mk -s olddefconfig >/dev/null
lost=
while IFS= read -r want; do
	if [ "${want#*=}" = n ]; then
		if grep -q "^${want%%=*}=" "$src/.config"; then
			lost="$lost $want"
		fi
	elif ! grep -qxF "$want" "$src/.config"; then
		lost="$lost $want"
	fi
done <"$tmp/fragment"
[ -z "$lost" ] || die "$fragment: dropped by olddefconfig (a dependency is missing):$lost"

# --- build ------------------------------------------------------------------------
vm_log "$VARIANT_NAME: make -j$jobs bzImage ($base_config + $(basename "$fragment")), log in $tmp/build.log"
tb=$(date +%s)
if ! mk -j"$jobs" bzImage >"$tmp/build.log" 2>&1; then
	cp "$tmp/build.log" "$cache/build/$name.failed.log"
	tail -n 30 "$tmp/build.log" | sed 's/^/  /' >&2
	die "make bzImage failed (log: $cache/build/$name.failed.log)"
fi
t1=$(date +%s)
mkdir -p "$tmp/out"
cp "$src/arch/x86/boot/bzImage" "$src/.config" "$tmp/build.log" "$tmp/out/"
mk -s kernelrelease >"$tmp/out/release"
{
	echo "source $srcdeb"
	echo "base_config $base_config"
	echo "fragment $fragment"
	for f in "${series[@]}"; do
		echo "series $f"
	done
	echo "build_seconds $((t1 - tb))"
	echo "total_seconds $((t1 - t0))"
} >"$tmp/out/info"
[ -z "${RINGLAB_KEEP_TREE:-}" ] || mv "$src" "$tmp/out/src"
rm -rf "$dest"
mv "$tmp/out" "$dest"
vm_log "$VARIANT_NAME: built $(cat "$dest/release") in $((t1 - tb)) s (make) / $((t1 - t0)) s (all)"
print_result $((t1 - t0))
