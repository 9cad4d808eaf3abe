#!/bin/bash
# vm_family.sh: a series family (one git base, one config, versions v1 = an mbox, v2 = a head ref) builds its base without a series and each version from the same kept tree, incrementally, each with its own release (-rl-base, -rl-v1, -rl-v2); bad family manifests are refused naming the key.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "A && B || vm_fail": the failure is the point
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init_fake_tree
repo=$VM_REPO
mkdir -p "$VM_TMP/fam"
echo 'CONFIG_EXT4_FS=y' >"$VM_TMP/fam/frag"
{
	printf '%s\n' 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001' \
		'From: Dev <dev@example.org>' 'Subject: [PATCH v1] ext4: inode returns 3' '' '---'
	vm_fake_inode_diff
} >"$VM_TMP/fam/v1.patch"
# Paths relative to the family file.
jq -n --arg repo "$repo" '{
	name: "fam", description: "a test family",
	base: {kind: "git", repo: $repo, ref: "v7.2"},
	config: {fragment: "frag"},
	versions: {v1: "v1.patch", v2: {head: "ext4-v2"}}
}' >"$VM_TMP/fam/fam.json"


# 1. Bad manifests: each problem is named by its key.
expect_refused()
{
	local what=$1 pattern=$2 spec=${3:-$VM_TMP/fam/bad.json:v1}

	jq "$what" "$VM_TMP/fam/fam.json" >"$VM_TMP/fam/bad.json"
	vm_build --check "$spec"
	[ $rc -eq 2 ] || vm_fail "$what: exit $rc, expected 2"
	grep -q -- "$pattern" "$VM_TMP/err" || vm_fail "$what: no /$pattern/ in the report"
}
expect_refused 'del(.versions)' 'key versions: required'
expect_refused '.versions.base = "x.patch"' 'key versions.base: "base" is the base itself'
expect_refused '.base = {kind: "source", suite: "sid", source_package: "linux-source-7.2"}' \
	'key versions.v2.head: only on a git base'
expect_refused '.config.colour = "blue"' 'key config.colour: unknown'
expect_refused '.base.kind = "tarball"' 'key base.kind: must be "source" or "git"'
expect_refused '.' 'no version "v9" (it has: base v1 v2)' "$VM_TMP/fam/bad.json:v9"
echo "bad family manifests are refused"

# 2. The base without a series, then each version: one tree, incremental builds.
tree=''
declare -A release=(
	[base]=7.2.0-rl-base [v1]=7.2.0-rl-v1 [v2]=7.2.0-rl-v2
)
declare -A kind=(
	[base]=full [v1]=incremental [v2]=incremental
)
declare -A compiled=(
	[base]="fs/ext4/file.c fs/ext4/inode.c fs/ext4/super.c mm/filemap.c "
	[v1]="fs/ext4/inode.c "
	[v2]="fs/ext4/file.c fs/ext4/inode.c "
)
for v in base v1 v2; do
	n=0
	[ -z "$tree" ] || n=$(wc -l <"$tree/obj/rebuilt")
	vm_build "$VM_TMP/fam/fam.json:$v"
	[ $rc -eq 0 ] || vm_fail "build fam:$v: exit $rc"
	tree=$(echo "$RINGLAB_VM_CACHE"/tree/git-linux-*/)
	got=$(tail -n +$((n + 1)) "$tree/obj/rebuilt" | sort | tr '\n' ' ')
	echo "fam:$v: $(vm_field release), $(vm_field build_kind) build, compiled $got"
	[ "$(vm_field release)" = "${release[$v]}" ] || vm_fail "fam:$v: release $(vm_field release), expected ${release[$v]}"
	[ "$(vm_field build_kind)" = "${kind[$v]}" ] || vm_fail "fam:$v: a $(vm_field build_kind) build, expected ${kind[$v]}"
	[ "$got" = "${compiled[$v]}" ] || vm_fail "fam:$v: compiled $got, expected ${compiled[$v]}"
done
[ "$(find "$RINGLAB_VM_CACHE/tree" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 1 ] ||
	vm_fail "the family's builds did not share one tree"
grep -q 'return 3' "$RINGLAB_VM_CACHE"/build/*/bzImage || vm_fail "no build carries v1"

# 3. The base again: cached, nothing compiled.
vm_build "$VM_TMP/fam/fam.json:base"
[ $rc -eq 0 ] && [ -z "$(vm_field build_kind)" ] && [ "$(vm_field release)" = 7.2.0-rl-base ] ||
	vm_fail "fam:base again: not from the cache"
echo "fam:base again: cached"

# 4. family.sh: the members in order, and all of them built (cached by now).
[ "$("$VM_KP/family.sh" list "$VM_TMP/fam/fam.json" | tr '\n' ' ')" = "fam:base fam:v1 fam:v2 " ] ||
	vm_fail "family.sh list: $("$VM_KP/family.sh" list "$VM_TMP/fam/fam.json")"
"$VM_KP/family.sh" build "$VM_TMP/fam/fam.json" >"$VM_TMP/built" 2>/dev/null || vm_fail "family.sh build failed"
cat "$VM_TMP/built"
[ "$(awk '{ print $1, $2, $3 }' "$VM_TMP/built" | tr '\n' ' ')" = \
	"fam:base 7.2.0-rl-base cached fam:v1 7.2.0-rl-v1 cached fam:v2 7.2.0-rl-v2 cached " ] ||
	vm_fail "family.sh build: not every member, or not from the cache"
exit 0
