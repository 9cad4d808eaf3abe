#!/bin/bash
# includes.sh: every folder of daemon/ includes only the folders below it (the table in the README's "Building by hand"), and the check itself catches a planted violation.
# SPDX-License-Identifier: MIT
set -uo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

# What each folder may include besides itself, lowest layer first.
declare -A may=(
	[util]=""
	[schema]="util"
	[stats]="util"
	[series]="util"
	[engine]="util schema stats"
	[compare]="util schema stats engine"
	[store]="util schema stats engine compare"
	[client]="util schema stats engine compare"
	[nightly]="util schema stats engine compare client"
	[ringlabd]="util schema stats engine compare store http"
	[http]="util schema stats engine compare store ringlabd"
	[cli]="util schema stats engine compare client nightly series"
)

# violations DAEMON_DIR: print "file: includes X" for each forbidden include; exit 1 if any.
violations()
{
	local root=$1 bad=0 dir f inc target

	for dir in "$root"/*/; do
		dir=$(basename "$dir")
		if [ -z "${may[$dir]+set}" ]; then
			echo "daemon/$dir/: a folder the layering table does not know"
			bad=1
			continue
		fi
		for f in "$root/$dir"/*.[ch]; do
			[ -e "$f" ] || continue
			while read -r inc; do
				case $inc in
				*/*) target=${inc%%/*} ;;
				config.h) continue ;;	# autoconf's
				*) [ -e "$root/$dir/$inc" ] && continue
					echo "daemon/$dir/$(basename "$f"): includes \"$inc\", not in its folder"
					bad=1; continue ;;
				esac
				[ "$target" = "$dir" ] && continue
				case " ${may[$dir]} " in *" $target "*) continue ;; esac
				echo "daemon/$dir/$(basename "$f"): includes \"$inc\"; $dir/ may include only: ${may[$dir]:-nothing}"
				bad=1
			done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
		done
	done
	return $bad
}

out=$(violations "$top_srcdir/daemon") || { echo "$out"; echo "FAIL: layering"; exit 1; }

# The check must catch what it is for: plant engine/ -> store/ and ringlabd/ -> cli/ in a copy.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp -R "$top_srcdir/daemon" "$tmp/daemon"
echo '#include "store/store.h"' >>"$tmp/daemon/engine/job.c"
echo '#include "cli/cli.h"' >>"$tmp/daemon/ringlabd/daemon.c"
out=$(violations "$tmp/daemon")
[ $? -eq 1 ] || { echo "FAIL: a planted violation passed"; exit 1; }
grep -q 'engine/job.c: includes "store/store.h"' <<<"$out" &&
	grep -q 'ringlabd/daemon.c: includes "cli/cli.h"' <<<"$out" ||
	{ echo "FAIL: the planted violations were not both named: $out"; exit 1; }
echo "layering ok: $(ls -d "$top_srcdir"/daemon/*/ | wc -l) folders"
exit 0
