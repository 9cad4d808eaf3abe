#!/bin/bash
# SPDX-License-Identifier: MIT
# build-kernel.sh [--check] VARIANT [CACHE_DIR]: build a source or git variant's bzImage.
#
# VARIANT is a manifest (kind source: a Debian linux-source-X package; kind git:
# a local kernel git tree, base ref and a head ref or a series) or a family
# member FAMILY:VERSION. The series is collected (lib/series.sh), the kept
# build tree for (source, config) is made once (lib/tree.sh: unpacked source or
# a shared clone, configured from tinyconfig or defconfig plus the fragment),
# switched to the base or head, the series applied (a patch that does not
# apply is named with its number, subject, file and hunk before anything is
# compiled), and `make bzImage` rebuilds what changed since the tree's last
# build, with LOCALVERSION set so every build has its own release
# (`localversion`, default "-rl-NAME"; family members "-rl-VERSION"). The
# result is cached under CACHE_DIR/build/ by a hash of the tree, the patches
# and the release, and printed as:
#   kernel=PATH          the bzImage
#   modules=none         everything the guest needs is built in
#   release=REL          make kernelrelease (uname -r in the guest)
#   build_kind=K         full (a new tree) or incremental, when it was built
#   build_seconds=N      make's time, when it was built
#   total_seconds=N      the whole build (unpack, patch, config, make), when it was built
#
# --check: check everything without fetching or building (tools, the manifest,
# the series, free space; the series against the base when the tree is kept)
# and print cached=yes|no, tree=ready|absent, tree_dir=PATH, needs_mib=N.
#
# Environment: RINGLAB_BUILD_JOBS (default nproc), RINGLAB_BUILD_NICE (default
# 19: kernel builds yield to measurements), RINGLAB_BIN (a ringlab with
# `series export`). Exit 0 ok, 1 failed (the reason on stderr), 2 usage.
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
# shellcheck source=kernel-patches/lib/series.sh
. "$here/lib/series.sh"
# shellcheck source=kernel-patches/lib/tree.sh
. "$here/lib/tree.sh"

# Bump when the way a tree or a result is built changes, so old ones are not reused.
BUILD_FORMAT=2

check=''
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 [--check] VARIANT [CACHE_DIR]" >&2
	exit 2
fi
variant_load "$1" || exit 2
case "$VARIANT_KIND" in
source|git) ;;
debian-image) vm_log "$VARIANT_SPEC: kind $VARIANT_KIND: fetch it with fetch-kernel.sh"; exit 2 ;;
*) vm_log "$VARIANT_SPEC: kind $VARIANT_KIND: nothing to build"; exit 2 ;;
esac
cache=$(vm_cache_dir "${2:-}")
jobs=${RINGLAB_BUILD_JOBS:-$(nproc)}
nice_n=${RINGLAB_BUILD_NICE:-19}
base_config=$(variant_get base_config)
base_config=${base_config:-tinyconfig}
fragment=$(variant_path "$(variant_get fragment)") || exit 2
if variant_has localversion; then
	lv=$(variant_get localversion)
else
	lv=-rl-$VARIANT_NAME
fi

die()
{
	vm_log "$*"
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- tools ----------------------------------------------------------------------
for t in make:build-essential gcc:build-essential bc:bc flex:flex bison:bison git:git perl:perl; do
	preflight_tool "${t%%:*}" "apt-get install ${t#*:}"
done
[ -f /usr/include/libelf.h ] || preflight_problem "no libelf.h, objtool needs it (apt-get install libelf-dev)"
if [ "$VARIANT_KIND" = source ]; then
	for t in apt-get:apt dpkg-deb:dpkg xz:xz-utils; do
		preflight_tool "${t%%:*}" "apt-get install ${t#*:}"
	done
fi
preflight_report || exit 1

# --- the series: files, directories, mboxes, or b4 by message-id ----------------
entries=()
while IFS= read -r rel; do
	path=$(variant_path "$rel") || exit 2
	entries+=("$path")
done < <(variant_list series)
while IFS= read -r msgid; do
	dir=$cache/b4/$(printf '%s' "$msgid" | sha256sum | cut -c1-16)
	if ! compgen -G "$dir/*.mbx" >/dev/null; then
		command -v b4 >/dev/null || die "$VARIANT_SPEC: message_ids need b4 (pip install b4) and the network"
		[ -z "$check" ] || { vm_log "$msgid: to be fetched with b4"; continue; }
		mkdir -p "$dir"
		b4 -q am -o "$dir" -n series "$msgid" >&2 || die "b4 am $msgid failed"
	fi
	entries+=("$dir")
done < <(variant_list message_ids)
series_collect "$tmp/series" "${entries[@]}" || die "$VARIANT_SPEC: the series cannot be read"
npatches=$(wc -l <"$tmp/series/index")

# --- what is built: the source and the revisions ----------------------------------
tarball='' head_rev=''
if [ "$VARIANT_KIND" = source ]; then
	srcpkg=$(variant_get source_package)
	pin=$(variant_get version)
	exec 9>"$cache/.lock"
	flock 9
	if [ -n "$check" ] && [ -f "$cache/apt/$VARIANT_SUITE/updated" ]; then
		# No list refresh in a check: yesterday's lists name the package well enough.
		APT_PRIVATE_DIR=$cache/apt/$VARIANT_SUITE
	elif [ -n "$check" ]; then
		APT_PRIVATE_DIR=''
	else
		vm_apt_state "$cache" "$VARIANT_SUITE"
	fi
	srcdeb=''
	if [ -n "$APT_PRIVATE_DIR" ]; then
		srcdeb=$(vm_resolve_debs "$srcpkg${pin:+=$pin}") || die "$VARIANT_SPEC: $srcpkg not found"
	fi
	flock -u 9
	source_id="source ${srcdeb:-$srcpkg}"
	prefix=${srcdeb%%_*}
	prefix=${prefix:-$srcpkg}
	tarball=$cache/src/${srcdeb%.deb}.tar.xz
	base_rev='rl-base'
	what=${srcdeb%.deb}
else
	repo=$(variant_path "$(variant_get repo)") || exit 2
	git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo: not a git tree (key repo)"
	repo=$(cd "$repo" && pwd -P)
	rev()
	{
		git -C "$repo" rev-parse --verify -q "$1^{commit}" ||
			die "$VARIANT_SPEC: $2 $1: no such commit in $repo"
	}
	base_rev=$(rev "$(variant_get base)" base)
	if variant_has head; then
		head_rev=$(rev "$(variant_get head)" head)
	fi
	source_id="git $repo $base_rev"
	prefix=git-$(basename "$repo")
	what="$(variant_get base) (${base_rev:0:12})"
fi

# The tree: one per source and configuration. The result: the tree plus the version.
tree_key=$( {
	echo "format $BUILD_FORMAT"
	echo "$source_id"
	echo "config $base_config"
	echo "fragment $(sha256sum <"$fragment")"
	echo "compiler $(gcc --version | sed -n 1p)"
} | sha256sum | cut -c1-16)
tree=$cache/tree/$prefix-$tree_key
key=$(printf '%s\n' "tree $tree_key" "head $head_rev" "patches $(series_hash "$tmp/series")" \
	"localversion $lv" | sha256sum | cut -c1-16)
dest=$cache/build/$prefix-$key

print_result()
{
	printf 'kernel=%s\nmodules=none\nrelease=%s\n' "$dest/bzImage" "$(cat "$dest/release")"
}

# --- check: what a build would need ------------------------------------------------
if [ -n "$check" ]; then
	# Without package lists the source version, hence the key, is not known yet.
	cached=no
	if [ "$VARIANT_KIND" = git ] || [ -n "$srcdeb" ]; then
		[ ! -f "$dest/release" ] || cached=yes
	fi
	state=absent
	[ ! -f "$tree/ready" ] || state=ready
	need=0
	if [ $cached = no ]; then
		# Measured: a 7.2 tree is 1.8 GB of source, as much of git objects, and
		# its objects 0.4 GB (tinyconfig) or about 3 GB (defconfig).
		need=400
		if [ $state = absent ]; then
			[ "$base_config" = tinyconfig ] && need=4500 || need=7500
			[ "$VARIANT_KIND" = git ] && need=$((need - 1800))
			[ -z "$tarball" ] || [ -f "$tarball" ] || need=$((need + 350))
		fi
		preflight_space "$cache" "$need" "building $VARIANT_NAME ($state tree)"
	fi
	# Against the kept tree, or for a git variant a shared clone without a
	# checkout (seconds, and the user's tree is only read). A source variant
	# with no tree yet is checked right after unpacking, before compiling.
	checkin=''
	if [ $state = ready ]; then
		checkin=$tree/src
	elif [ "$VARIANT_KIND" = git ]; then
		_tree_git clone -q --shared --no-checkout "$repo" "$tmp/clone" && checkin=$tmp/clone
	fi
	if [ $cached = no ] && [ -n "$checkin" ] && [ "$npatches" -gt 0 ]; then
		series_check "$checkin" "$base_rev" "$tmp/series" "$what" ||
			preflight_problem "$VARIANT_SPEC: the series does not apply to $what (above)"
	fi
	preflight_report || exit 1
	vm_log "$VARIANT_NAME: ready to build: $npatches patch(es), tree $state, cached $cached"
	printf 'cached=%s\ntree=%s\ntree_dir=%s\nneeds_mib=%s\n' "$cached" "$state" "$tree" "$need"
	exit 0
fi

if [ -f "$dest/release" ]; then
	vm_log "$VARIANT_NAME: cached $(basename "$dest") ($(cat "$dest/release"))"
	print_result
	exit 0
fi
mkdir -p "$cache/tree" "$cache/build"
# One build per tree at a time: a second caller waits, then may find its result cached.
exec 8>"$tree.lock"
flock 8
if [ -f "$dest/release" ]; then
	print_result
	exit 0
fi
t0=$(date +%s)

# --- the tree ------------------------------------------------------------------------
if [ ! -f "$tree/ready" ]; then
	if [ "$VARIANT_KIND" = source ] && [ ! -f "$tarball" ]; then
		mkdir -p "$cache/src"
		dl=$(mktemp -d "$cache/src/dl.XXXXXX")
		trap 'rm -rf "$tmp" "$dl"' EXIT
		vm_log "$VARIANT_NAME: downloading $srcdeb"
		flock 9
		(cd "$dl" && apt_private -qq download "$srcpkg${pin:+=$pin}") >&2
		flock -u 9
		dpkg-deb --fsys-tarfile "$dl/$srcdeb" | tar -xO --wildcards './usr/src/linux-source-*.tar.*' \
			>"$dl/src.tar.xz"
		[ -s "$dl/src.tar.xz" ] || die "$srcdeb: no usr/src/linux-source-*.tar.* inside"
		mv "$dl/src.tar.xz" "$tarball"
		rm -rf "$dl"
		trap 'rm -rf "$tmp"' EXIT
	fi
	vm_log "$VARIANT_NAME: making the kept tree $tree"
	if [ "$VARIANT_KIND" = source ]; then
		tree_create_tarball "$tree" "$tarball" || die "$tree: cannot make the tree"
	else
		tree_create_git "$tree" "$repo" "$base_rev" || die "$tree: cannot make the tree"
	fi
	tree_configure "$tree" "$base_config" "$fragment" || die "$tree: cannot configure it"
	printf '%s\n' "$source_id" "base_config $base_config" "fragment $fragment" \
		"created $(date -Is)" >"$tree/info"
	touch "$tree/ready"
fi

# --- the version: base or head, then the series ---------------------------------------
target=${head_rev:-$base_rev}
tree_switch "$tree" "$target" || die "$tree: cannot switch to $target"
if [ "$npatches" -gt 0 ]; then
	series_apply "$tree/src" "$tmp/series" "$what" || exit 1
	vm_log "$VARIANT_NAME: applied $npatches patch(es) to $what"
fi
tree_config_check "$tree" "$fragment" || die "$VARIANT_SPEC: the configuration does not hold"

# --- build ------------------------------------------------------------------------------
kind=incremental
[ -f "$tree/obj/vmlinux" ] || kind=full
vm_log "$VARIANT_NAME: make -j$jobs bzImage ($kind, $base_config + $(basename "$fragment"), LOCALVERSION=$lv)," \
	"log in $tree/obj/build.log"
tb=$(date +%s)
if ! nice -n "$nice_n" make -C "$tree/src" O="$tree/obj" ARCH=x86_64 LOCALVERSION="$lv" \
		-j"$jobs" bzImage </dev/null >"$tree/obj/build.log" 2>&1; then
	cp "$tree/obj/build.log" "$cache/build/$(basename "$dest").failed.log"
	tail -n 30 "$tree/obj/build.log" | sed 's/^/  /' >&2
	die "make bzImage failed (log: $cache/build/$(basename "$dest").failed.log)"
fi
t1=$(date +%s)
[ $kind = incremental ] || echo "full_build_seconds $((t1 - tb))" >>"$tree/info"
mkdir -p "$tmp/out"
cp "$tree/obj/arch/x86/boot/bzImage" "$tree/obj/.config" "$tree/obj/build.log" "$tmp/out/"
tree_mk "$tree" "$lv" -s kernelrelease >"$tmp/out/release"
cp "$tmp/series/index" "$tmp/out/series"
{
	echo "variant $VARIANT_SPEC"
	echo "$source_id"
	echo "head ${head_rev:-none}"
	echo "base_config $base_config"
	echo "fragment $fragment"
	echo "localversion $lv"
	echo "patches $npatches"
	echo "build_kind $kind"
	echo "build_seconds $((t1 - tb))"
	echo "total_seconds $((t1 - t0))"
} >"$tmp/out/info"
rm -rf "$dest"
mv "$tmp/out" "$dest"
vm_log "$VARIANT_NAME: built $(cat "$dest/release") in $((t1 - tb)) s (make, $kind) / $((t1 - t0)) s (all)"
print_result
printf 'build_kind=%s\nbuild_seconds=%s\ntotal_seconds=%s\n' "$kind" "$((t1 - tb))" "$((t1 - t0))"
