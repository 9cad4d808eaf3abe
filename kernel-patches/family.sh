#!/bin/bash
# SPDX-License-Identifier: MIT
# family.sh list|build FAMILY [CACHE_DIR]: the members of a series family.
#
#   list    print FAMILY:base and FAMILY:VERSION for every version, one a line,
#           in the manifest's order (what vm-run.sh and build-kernel.sh take)
#   build   build the base, then every version, in the family's one kept tree
#           (build-kernel.sh), and print a line per member:
#           MEMBER RELEASE full|incremental|cached MAKE_SECONDS TOTAL_SECONDS
#
# FAMILY is a path or a name under kernel-patches/families/. Exit 0 ok, 1 a
# build failed (the others are still built), 2 usage or a bad manifest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kernel-patches/lib/variant.sh
. "$here/lib/variant.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ] || { [ "$1" != list ] && [ "$1" != build ]; }; then
	echo "usage: $0 list|build FAMILY [CACHE_DIR]" >&2
	exit 2
fi
action=$1
# Loading the base checks the whole family.
variant_load "$2:base" || exit 2
members=("$VARIANT_FILE:base")
while IFS= read -r v; do
	members+=("$VARIANT_FILE:$v")
done < <(jq -r '.versions | keys_unsorted[]' "$VARIANT_FILE")

if [ "$action" = list ]; then
	for m in "${members[@]}"; do
		echo "$VARIANT_FAMILY:${m##*:}"
	done
	exit 0
fi
rc=0
for m in "${members[@]}"; do
	if ! out=$("$here/build-kernel.sh" "$m" ${3:+"$3"}); then
		vm_log "$VARIANT_FAMILY:${m##*:}: build failed"
		rc=1
		continue
	fi
	get()
	{
		sed -n "s/^$1=//p" <<<"$out"
	}
	kind=$(get build_kind)
	echo "$VARIANT_FAMILY:${m##*:} $(get release) ${kind:-cached} $(get build_seconds) $(get total_seconds)"
done
exit $rc
