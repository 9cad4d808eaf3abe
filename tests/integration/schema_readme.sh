#!/bin/sh
# schema_readme.sh: the field table in workloads/README.md is exactly what `ringlab schema` prints.
readme="$top_srcdir/workloads/README.md"
rl="$top_builddir/ringlab"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

[ -f "$readme" ] || fail "$readme is missing"
[ -x "$rl" ] || fail "$rl is not built"
grep -qx '<!-- schema:begin -->' "$readme" || fail "no '<!-- schema:begin -->' line in $readme"
grep -qx '<!-- schema:end -->' "$readme" || fail "no '<!-- schema:end -->' line in $readme"

# The lines strictly between the markers.
sed -n '/^<!-- schema:begin -->$/,/^<!-- schema:end -->$/p' "$readme" | sed '1d;$d' >"$tmp/readme"
"$rl" schema >"$tmp/schema" || fail "ringlab schema exited $?"
[ -s "$tmp/schema" ] || fail "ringlab schema printed nothing"
if ! diff -u "$tmp/readme" "$tmp/schema" >"$tmp/diff"; then
	cat "$tmp/diff" >&2
	fail "workloads/README.md is out of date: paste the output of 'ringlab schema' between the schema markers"
fi
echo "ok: README schema block matches ringlab schema ($(wc -l <"$tmp/schema") lines)"
exit 0
