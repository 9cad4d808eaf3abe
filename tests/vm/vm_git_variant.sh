#!/bin/bash
# vm_git_variant.sh: a git variant (a tiny stand-in kernel tree) is checked and built in a shared clone: the series applies on the base ref, head refs build, a patch that does not apply is named with its hunk and whether it is already in the base, unknown refs are refused, a ringlab with `series export` is used when there is one, and the user's tree, index and refs are never touched.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015,SC2016  # "A && B || vm_fail" is meant; jq programs name jq variables
set -uo pipefail
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/vm.sh"
vm_test_init_fake_tree
repo=$VM_REPO
echo 'CONFIG_EXT4_FS=y' >"$VM_TMP/frag"

# The user's tree as it was: work tree, index, refs, worktrees, files.
snapshot()
{
	git -C "$repo" status --porcelain=v1 --untracked-files=all
	git -C "$repo" rev-parse HEAD
	git -C "$repo" for-each-ref --format='%(refname) %(objectname)'
	git -C "$repo" worktree list --porcelain
	sha256sum "$repo/.git/index"
	find "$repo" -newer "$VM_TMP/stamp" -not -path "$repo/.git/objects/*" -print
}
# A patch file named once: the thread as an mbox, cover letter and a reply included.
cat >"$VM_TMP/thread.mbox" <<EOF
From dev@example.org Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Subject: [PATCH v2 0/1] ext4: inode returns 3
Message-Id: <cover@example.org>

The cover letter: no diff here.

From dev@example.org Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Subject: [PATCH v2 1/1] ext4: inode returns 3
Message-Id: <p1@example.org>
In-Reply-To: <cover@example.org>

---
$(vm_fake_inode_diff)

From rev@example.org Mon Sep 17 00:00:00 2001
From: Reviewer <rev@example.org>
Subject: Re: [PATCH v2 1/1] ext4: inode returns 3
In-Reply-To: <p1@example.org>

Looks good.
EOF
sed -e 's/return 1;/return 7;/' -e 's/^ int inode_one/ int inode_two/' "$VM_TMP/thread.mbox" >"$VM_TMP/bad.mbox"

# variant NAME JQ-ASSIGNMENTS: a git variant manifest in VM_TMP.
variant()
{
	jq -n --arg repo "$repo" --arg frag "$VM_TMP/frag" --arg mbox "$VM_TMP/thread.mbox" \
		--arg bad "$VM_TMP/bad.mbox" --arg present "$VM_FAKE_PRESENT" \
		"{name: \"$1\", kind: \"git\", repo: \$repo, base: \"v7.2\", fragment: \$frag} | $2" \
		>"$VM_TMP/$1.json"
}
variant good '.series = [$mbox]'
variant head '.head = "ext4-v2" | .localversion = "-v2"'
variant bad '.series = [$bad]'
variant present '.series = [$present]'
variant noref '.base = "v9.9"'

touch "$VM_TMP/stamp"
sleep 1
before=$(snapshot)


# 1. --check: the series applies to v7.2, nothing is built.
vm_build --check "$VM_TMP/good.json"
[ $rc -eq 0 ] || vm_fail "check good: exit $rc"
[ "$(vm_field tree)" = absent ] && [ "$(vm_field cached)" = no ] || vm_fail "check good: $(cat "$VM_TMP/out")"
! compgen -G "$RINGLAB_VM_CACHE/build/*" >/dev/null || vm_fail "check good: built something"

# 2. Build: a full build in a new kept tree; the patch is in, the release is ours.
vm_build "$VM_TMP/good.json"
[ $rc -eq 0 ] || vm_fail "build good: exit $rc"
[ "$(vm_field release)" = 7.2.0-rl-good ] || vm_fail "build good: release $(vm_field release)"
[ "$(vm_field build_kind)" = full ] || vm_fail "build good: build_kind $(vm_field build_kind)"
grep -q 'return 3' "$(vm_field kernel)" || vm_fail "build good: the series is not in the kernel"
grep -q 'return 2' "$(vm_field kernel)" || vm_fail "build good: not built from v7.2"
tree=$(echo "$RINGLAB_VM_CACHE"/tree/git-linux-*/)
[ -f "$tree/src/.git/objects/info/alternates" ] || vm_fail "the kept tree is not a shared clone"
vm_build "$VM_TMP/good.json"
[ $rc -eq 0 ] && grep -q 'cached' "$VM_TMP/err" && [ -z "$(vm_field build_kind)" ] ||
	vm_fail "build good again: not taken from the cache"

# 3. A head ref: incremental, only what differs from the last build is compiled.
n=$(wc -l <"$tree/obj/rebuilt")
vm_build "$VM_TMP/head.json"
[ $rc -eq 0 ] || vm_fail "build head: exit $rc"
[ "$(vm_field release)" = 7.2.0-v2 ] || vm_fail "build head: release $(vm_field release)"
[ "$(vm_field build_kind)" = incremental ] || vm_fail "build head: build_kind $(vm_field build_kind)"
rebuilt=$(tail -n +$((n + 1)) "$tree/obj/rebuilt" | sort | tr '\n' ' ')
echo "head: compiled $rebuilt"
[ "$rebuilt" = "fs/ext4/file.c fs/ext4/inode.c " ] ||
	vm_fail "build head: compiled $rebuilt, expected fs/ext4/file.c (changed) and fs/ext4/inode.c (series undone)"
grep -q 'return 22' "$(vm_field kernel)" && ! grep -q 'return 3' "$(vm_field kernel)" ||
	vm_fail "build head: not ext4-v2 exactly"

# 4. A patch that does not apply, one already in the base, a ref that is not there.
vm_build --check "$VM_TMP/bad.json"
[ $rc -eq 1 ] || vm_fail "check bad: exit $rc, expected 1"
grep -q 'bad.mbox: patch 1/1 "\[PATCH v2 1/1\] ext4: inode returns 3" does not apply to v7.2 (' "$VM_TMP/err" ||
	vm_fail "check bad: the patch is not named"
grep -q 'failing hunk in fs/ext4/inode.c: @@ -1,5 +1,5 @@' "$VM_TMP/err" || vm_fail "check bad: no hunk"
grep -q 'not already in v7.2' "$VM_TMP/err" || vm_fail "check bad: does not say it is not in the base"
vm_build "$VM_TMP/bad.json"
[ $rc -eq 1 ] && grep -q 'failing hunk in fs/ext4/inode.c' "$VM_TMP/err" || vm_fail "build bad: exit $rc"
vm_build --check "$VM_TMP/present.json"
[ $rc -eq 1 ] && grep -q 'it is already in v7.2 ([0-9a-f]*) (it applies in reverse)' "$VM_TMP/err" ||
	vm_fail "check present: exit $rc, or not said to be in the base already"
vm_build --check "$VM_TMP/noref.json"
[ $rc -eq 1 ] && grep -q 'base v9.9: no such commit' "$VM_TMP/err" || vm_fail "check noref: exit $rc"

# 5. With a ringlab that has `series export` (RINGLAB_BIN), each series entry
# goes through it: its patches are what is applied, its summary is shown, and
# its failure stops the build. The stand-in writes the thread's one patch.
mkdir -p "$VM_TMP/rl"
cat >"$VM_TMP/rl/ringlab" <<EOF
#!/bin/bash
[ "\$1 \$2" = "series export" ] || exit 2
[ "\$3" != --help ] || exit 0
case "\$3" in *bad.mbox) echo "\$3: not a thread this stand-in knows" >&2; exit 2 ;; esac
mkdir -p "\$4" && git mailsplit -o"\$4" "\$3" >/dev/null &&
	mv "\$4/0002" "\$4/0001-ext4-inode-returns-3.patch" && rm -f "\$4"/000[0-9]
echo "v2: patches 1-1 of 1, cover letter and 1 reply skipped" >&2
EOF
chmod +x "$VM_TMP/rl/ringlab"
RINGLAB_BIN=$VM_TMP/rl/ringlab vm_build --check "$VM_TMP/good.json"
[ $rc -eq 0 ] && grep -q 'v2: patches 1-1 of 1, cover letter and 1 reply skipped' "$VM_TMP/err" &&
	grep -q 'ready to build: 1 patch' "$VM_TMP/err" || vm_fail "export: exit $rc, or the export was not used"
RINGLAB_BIN=$VM_TMP/rl/ringlab vm_build --check "$VM_TMP/bad.json"
[ $rc -eq 1 ] && grep -q 'bad.mbox: ringlab series export failed' "$VM_TMP/err" ||
	vm_fail "export of bad.mbox: exit $rc, or the failure not said"

# 6. The user's tree was only read.
after=$(snapshot)
[ "$before" = "$after" ] || vm_fail "the user's tree changed: $(diff <(echo "$before") <(echo "$after"))"
echo "the user's tree, index and refs are unchanged"
exit 0
