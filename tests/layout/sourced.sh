#!/bin/bash
# sourced.sh: every helper a shell script sources (". "$top_srcdir/PATH"") exists, so that no test runs on without the helpers it names (bash goes on after a missing ". FILE", and a test whose fail() is missing passes); the check itself catches a planted missing helper.
# SPDX-License-Identifier: MIT
set -uo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

# missing ROOT: print "script: sources PATH, which does not exist" for each; exit 1 if any.
missing()
{
	local root=$1 bad=0 f path

	while IFS= read -r f; do
		while IFS= read -r path; do
			[ -e "$root/$path" ] && continue
			echo "${f#"$root"/}: sources $path, which does not exist"
			bad=1
		done < <(sed -n 's/^[[:space:]]*\.[[:space:]]\+"\$top_srcdir\/\([^"]*\)".*/\1/p' "$f")
	done < <(find "$root/tests" "$root/kernel-patches" -name '*.sh' -type f)
	return $bad
}

missing "$top_srcdir" || { echo "FAIL: a script sources a helper that is not there" >&2; exit 1; }

# The check catches what it is for: a copy with a test sourcing a helper that went.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/api" "$tmp/tests/lib" "$tmp/kernel-patches"
printf '. "$top_srcdir/tests/lib/gone.sh"\nfail x\n' >"$tmp/tests/api/t.sh"
out=$(missing "$tmp") && { echo "FAIL: a missing helper went unnoticed" >&2; exit 1; }
[[ $out == *"tests/api/t.sh: sources tests/lib/gone.sh"* ]] || { echo "FAIL: not named: $out" >&2; exit 1; }
echo "ok: every sourced helper exists"
