#!/bin/sh
# series_apply.sh: `ringlab series` on the project's fixtures and a tiny git tree: show's exit codes, check's applies / already present / does not apply (file and hunk named) with the tree never written, and export feeding git am.
rl="$top_builddir/ringlab"
data="$top_srcdir/tests/data/series"
command -v git >/dev/null 2>&1 || { echo "SKIP: git is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# run RC WHAT -- COMMAND...: COMMAND must exit RC; its output is in $tmp/out and $tmp/err.
run() {
	want=$1 what=$2
	shift 3
	timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "$what: exit $rc, want $want"; }
	echo "ok: $what (exit $rc)"
}

# has FILE TEXT: out or err must hold TEXT.
has() {
	grep -qF -- "$2" "$tmp/$1" || { cat "$tmp/$1" >&2; fail "no '$2' in $1"; }
}

git_q() { git -c user.name=ringlab -c user.email=ringlab@example.org -c init.defaultBranch=main "$@"; }

# --- show: what is taken, and the exit status ---------------------------------
run 0 "show thread" -- "$rl" series show "$data/thread.mbox"
has out "v3: patches 1-3 of 3 taken; 2 cover letters, 3 replies and 3 v2 patches skipped"
has out "2/3  counter: refuse negative steps"
run 1 "show maildir with 2/3 missing" -- "$rl" series show "$data/maildir"
has out "patch 2/3 missing from the input"
run 1 "show a damaged patch" -- "$rl" series show "$data/damaged.patch"
has out "damaged.patch line 19: a context line without its leading space"
run 2 "show a rendered thread" -- "$rl" series show "$data/rendered.txt"
has err "not an mbox"
has err "b4 mbox MSGID"
run 2 "show a missing file" -- "$rl" series show "$tmp/nothing.mbox"
run 2 "show without a source" -- "$rl" series show
run 0 "show --json" -- "$rl" series show --json "$data/fp"
has out '"summary":	"v1: patches 1-3 of 3 taken"'

# --- a tiny tree, git and not ------------------------------------------------
tree="$tmp/tree"
mkdir "$tree" && cp -R "$data/base/." "$tree/" || fail "copy the base"
(cd "$tree" && git_q init -q && git_q add . && git_q commit -qm base) || fail "git init"
snapshot() { (cd "$tree" && find . -path ./.git -prune -o -type f -print | sort | xargs cat | cksum); }
before=$(snapshot)

run 0 "check: all apply" -- "$rl" series check "$data/thread.mbox" --tree "$tree"
has out "3/3  applies"
has out "3 apply, 0 already present (skipped), 0 do not apply, 0 missing"
[ "$(snapshot)" = "$before" ] || fail "check wrote the tree"
[ -z "$(cd "$tree" && git status --porcelain)" ] || fail "check left the git tree dirty"

# The exported mails are what git am takes: the whole series lands as three commits.
run 0 "export" -- "$rl" series export "$data/thread.mbox" "$tmp/out3"
has err "v3: patches 1-3 of 3 taken"
[ "$(ls "$tmp/out3")" = "0001-counter-add-counter_reset.patch
0002-counter-refuse-negative-steps.patch
0003-counter-label-the-printed-value.patch" ] || fail "export names: $(ls "$tmp/out3")"
git_q clone -q "$tree" "$tmp/am" && (cd "$tmp/am" && git_q am -q "$tmp"/out3/*.patch) ||
	fail "git am of the exported series"
[ "$(cd "$tmp/am" && git log --format=%s -3 | tr '\n' '|')" = \
  "counter: label the printed value|counter: refuse negative steps|counter: add counter_reset()|" ] ||
	fail "git am subjects: $(cd "$tmp/am" && git log --format=%s -3)"
grep -q 'return -1;' "$tmp/am/src/counter.c" || fail "v2's patch 2 was applied, not v3's"
run 1 "export again: no file is overwritten" -- "$rl" series export "$data/thread.mbox" "$tmp/out3"
has err "File exists"
run 0 "export an encoded mail" -- "$rl" series export "$data/encoded.eml" "$tmp/enc"
git_q clone -q "$tree" "$tmp/am-enc" && (cd "$tmp/am-enc" && git_q am -q "$tmp"/enc/*.patch) ||
	fail "git am of the encoded mail"
[ "$(cd "$tmp/am-enc" && git log -1 --format='%an|%s')" = "Jörg Müller|counter: say grüß Gott" ] ||
	fail "encoded author and subject: $(cd "$tmp/am-enc" && git log -1 --format='%an|%s')"

# Patch 2 already in the base: noted and skipped, not a failure.
git -C "$tree" apply "$tmp/out3/0002-counter-refuse-negative-steps.patch" || fail "apply patch 2 to the tree"
run 0 "check: patch 2 already present" -- "$rl" series check "$data/thread.mbox" --tree "$tree"
has out "2/3  already present"
has out "2 apply, 1 already present (skipped), 0 do not apply, 0 missing"

# A base that moved under patch 1's hunk: the file and the hunk are named.
sed -i 's/^void counter_print(void)$/void counter_print(FILE *f)/' "$tree/src/counter.c"
before=$(snapshot)
run 1 "check: patch 1 does not apply" -- "$rl" series check "$data/thread.mbox" --tree "$tree"
has out "1/3  FAILS            counter: add counter_reset()"
has out "src/counter.c: does not apply at hunk @@ -14,6 +14,11 @@ int counter_get(void)"
has out "0 apply, 1 already present (skipped), 2 do not apply, 0 missing"
[ "$(snapshot)" = "$before" ] || fail "a failing check wrote the tree"
run 0 "check --json" -- "$rl" series check --json "$data/fp" --tree "$data/base"
has out '"verdict":	"applies"'

# Not a git tree, inside no repository: the same verdicts from plain files.
cp -R "$data/base" "$tmp/plain" || fail "copy"
run 1 "check a plain tree: 2/3 missing" -- "$rl" series check "$data/maildir" --tree "$tmp/plain"
has out "1/3  applies"
has out "2/3  missing"
run 1 "check a damaged patch" -- "$rl" series check "$data/damaged.patch" --tree "$tmp/plain"
has out "corrupt patch at $data/damaged.patch line 19"
run 2 "check without --tree" -- "$rl" series check "$data/thread.mbox"
run 2 "check a tree that is a file" -- "$rl" series check "$data/thread.mbox" --tree "$data/plain.diff"
has err "not a directory"
exit 0
