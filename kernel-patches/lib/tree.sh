# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tree.sh: kept kernel build trees, one per (source, config), built incrementally (sourced; bash).
#
# A tree is CACHE/tree/NAME/ with
#   src/    a git work tree: the unpacked Debian source committed as one commit
#           (tag rl-base), or a `git clone --shared` of the user's kernel tree
#           (its objects are borrowed, its work tree and index never touched)
#   obj/    the kbuild output (make O=obj), configured once: base config +
#           fragment; it keeps the objects of the last build
#   ready   written when src and obj/.config are complete; a tree without it
#           is half made (an interrupted creation) and is made again
#   info    how it was made, and the seconds of its first (full) build
# Switching versions is `git reset --hard` + `git clean`: git rewrites only the
# files that differ, so their mtimes move and make rebuilds what depends on
# them, and nothing else. A version that touches fs/ext4 rebuilds fs/ext4 and
# relinks.
#
#   tree_mk TREE LOCALVERSION ARGS...  make in TREE's src with O=obj, ARCH=x86_64
#   tree_create_tarball TREE TARBALL   unpack and commit a source tarball
#   tree_create_git TREE REPO REV      a shared clone of REPO with REV checked out
#   tree_configure TREE BASE_CONFIG FRAGMENT
#                                      obj/.config: tinyconfig or x86_64_defconfig,
#                                      the fragment merged, LOCALVERSION_AUTO off
#                                      (the release is ours to name)
#   tree_config_check TREE FRAGMENT    make olddefconfig, then every fragment line
#                                      must have survived; return 1 naming the lost ones
#   tree_switch TREE REV               the work tree at REV exactly, nothing else in it
# All return 0, or 1 with the reason on stderr.

# git for our own trees: our identity, no hooks, no user configuration.
_tree_git()
{
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=ringlab \
		-c user.email=ringlab@localhost -c core.hooksPath=/dev/null -c gc.auto=0 "$@"
}

tree_mk()
{
	local tree=$1 lv=$2
	shift 2

	make -C "$tree/src" O="$tree/obj" ARCH=x86_64 LOCALVERSION="$lv" "$@" </dev/null
}

tree_create_tarball()
{
	local tree=$1 tarball=$2

	rm -rf "$tree/src" "$tree/obj" "$tree/ready"
	mkdir -p "$tree/src" "$tree/obj"
	tar -xf "$tarball" -C "$tree/src" --strip-components=1 || return 1
	# Uncompressed objects: twice the disk of compressed ones, a third of the time.
	(cd "$tree/src" && _tree_git init -q && _tree_git -c core.looseCompression=0 add -f -A . &&
		_tree_git commit -q -m "$(basename "$tarball")" && _tree_git tag rl-base) ||
		{ echo "$tree/src: git could not record the unpacked source" >&2; return 1; }
}

tree_create_git()
{
	local tree=$1 repo=$2 rev=$3

	rm -rf "$tree/src" "$tree/obj" "$tree/ready"
	mkdir -p "$tree/obj"
	_tree_git clone -q --shared --no-checkout "$repo" "$tree/src" ||
		{ echo "$repo: git clone --shared failed" >&2; return 1; }
	_tree_git -C "$tree/src" checkout -q --detach "$rev" ||
		{ echo "$repo: cannot check out $rev in the clone" >&2; return 1; }
	_tree_git -C "$tree/src" tag rl-base "$rev"
}

tree_configure()
{
	local tree=$1 base_config=$2 fragment=$3

	case "$base_config" in
	tinyconfig) tree_mk "$tree" '' -s tinyconfig >/dev/null ;;
	defconfig) tree_mk "$tree" '' -s x86_64_defconfig >/dev/null ;;
	esac || { echo "make $base_config failed" >&2; return 1; }
	grep -E '^CONFIG_[A-Za-z0-9_]+=' "$fragment" >"$tree/obj/.fragment"
	(cd "$tree/obj" && "$tree/src/scripts/kconfig/merge_config.sh" -m -O . .config .fragment) \
		>"$tree/obj/.merge.log" 2>&1 || { cat "$tree/obj/.merge.log" >&2; echo "merge_config.sh failed" >&2; return 1; }
	"$tree/src/scripts/config" --file "$tree/obj/.config" --disable LOCALVERSION_AUTO
	tree_config_check "$tree" "$fragment"
}

tree_config_check()
{
	local tree=$1 fragment=$2 want lost=''

	tree_mk "$tree" '' -s olddefconfig >/dev/null || { echo "make olddefconfig failed" >&2; return 1; }
	while IFS= read -r want; do
		if [ "${want#*=}" = n ]; then
			if grep -q "^${want%%=*}=" "$tree/obj/.config"; then
				lost="$lost $want"
			fi
		elif ! grep -qxF "$want" "$tree/obj/.config"; then
			lost="$lost $want"
		fi
	done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$fragment")
	[ -z "$lost" ] && return 0
	echo "$fragment: dropped by olddefconfig (a dependency is missing):$lost" >&2
	return 1
}

tree_switch()
{
	local tree=$1 rev=$2

	if ! _tree_git -C "$tree/src" reset -q --hard "$rev" || ! _tree_git -C "$tree/src" clean -q -f -d -x; then
		echo "$tree/src: cannot reset to $rev" >&2
		return 1
	fi
}
