#!/bin/sh
# series_reference.sh: the real ext4 v3 series (../shared/reference) as an mbox and as format-patch files is read as v3, patches 1,3-9 of 9 with 2 missing; the archived thread page is refused as no mbox, with how to get one.
rl="$top_builddir/ringlab"
ref=${RINGLAB_REFERENCE:-$top_srcdir/../shared/reference}
# A worktree under /work/wt/NAME finds the same material one level further up.
[ -d "$ref" ] || ref=$top_srcdir/../../shared/reference
mbox="$ref/series/ext4-dio-shared-rwsem-v3-on-7.2.mbox"
dir="$ref/series/ext4-dio-shared-rwsem-v3-on-7.2"
seed="$ref/seeds/001_10e053bfd7601148.txt"
[ -f "$mbox" ] && [ -d "$dir" ] && [ -f "$seed" ] || { echo "SKIP: no reference series at $ref"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

want="v3: patches 1,3-9 of 9 taken; patch 2/9 missing from the input"
for src in "$mbox" "$dir"; do
	timeout 60 "$rl" series show "$src" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || { cat "$tmp/out" "$tmp/err" >&2; fail "$src: exit $rc, want 1 (a patch is missing)"; }
	[ "$(head -n1 "$tmp/out")" = "$want" ] || fail "$src: '$(head -n1 "$tmp/out")', want '$want'"
	grep -q 'damaged' "$tmp/out" && fail "$src: a whole patch was called damaged: $(grep damaged "$tmp/out")"
	[ "$(grep -c '^[0-9]/9  ext4: ' "$tmp/out")" -eq 8 ] || fail "$src: not 8 patches listed"
	timeout 60 "$rl" series show --json "$src" >"$tmp/json" || [ $? -eq 1 ] || fail "$src: --json"
	grep -q '"taken":	\[1, 3, 4, 5, 6, 7, 8, 9\]' "$tmp/json" && grep -q '"missing":	\[2\]' "$tmp/json" ||
		fail "$src: JSON numbers: $(grep -E '"(taken|missing)"' "$tmp/json")"
	echo "ok: $src: $want"
done

# The mbox's patch 1 touches fs/ext4/inode.c, patch 3 fs/ext4/file.c.
grep -A1 '^1/9 ' "$tmp/out" | grep -q 'fs/ext4/inode.c' && grep -A1 '^3/9 ' "$tmp/out" | grep -q 'fs/ext4/file.c' ||
	fail "files touched: $(cat "$tmp/out")"

# With the linux-source-7.2 tarball a source build keeps in the kernel cache, the
# patches are also checked on Debian's 7.2.13 itself: the eight given all apply.
cache=${RINGLAB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlab/kernels}
tarball=$(ls "$cache"/src/linux-source-7.2_*.tar.xz 2>/dev/null | tail -n1)
if [ -n "$tarball" ]; then
	mkdir "$tmp/linux" && tar -xJf "$tarball" -C "$tmp/linux" --strip-components=1 \
		--wildcards '*/fs/ext4/*' || fail "unpack fs/ext4 of $tarball"
	timeout 120 "$rl" series check "$mbox" --tree "$tmp/linux" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q '^[/].*: 8 apply, 0 already present (skipped), 0 do not apply, 1 missing$' "$tmp/out" ||
		{ cat "$tmp/out" >&2; fail "check on $(basename "$tarball"): exit $rc"; }
	echo "ok: patches 1,3-9 apply to $(basename "$tarball")"
else
	echo "note: no linux-source-7.2 tarball in $cache/src: the check on 7.2.13 is left out"
fi

timeout 60 "$rl" series show "$seed" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "the thread page: exit $rc, want 2"
for words in "not an mbox" "mail archive's page" "b4 mbox MSGID" "t.mbox.gz" "git format-patch"; do
	grep -qF "$words" "$tmp/err" || fail "the thread page: no '$words' in: $(cat "$tmp/err")"
done
echo "ok: $seed refused: $(cut -c1-100 "$tmp/err")..."
exit 0
