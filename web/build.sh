#!/bin/sh
# SPDX-License-Identifier: MIT
# Assemble the dashboard ringlabd serves: web/build.sh OUTDIR copies
# index.html, js/ and css/ and uPlot's files (from npm, pinned by
# package-lock.json) into OUTDIR, replacing what was there. Nothing in OUTDIR
# loads from the network. uPlot comes from, in order: $UPLOT_DIST (a directory
# holding uPlot.esm.js and uPlot.min.css), web/node_modules, or an `npm ci`
# next to OUTDIR (so a read-only source tree works).
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
src=$(cd "$(dirname "$0")" && pwd)
out=$1

find_uplot()
{
	for d in "${UPLOT_DIST:-}" "$src/node_modules/uplot/dist" "$1/node_modules/uplot/dist"; do
		if [ -n "$d" ] && [ -f "$d/uPlot.esm.js" ] && [ -f "$d/uPlot.min.css" ]; then
			printf '%s\n' "$d"
			return 0
		fi
	done
	return 1
}

npm_dir="$out.npm"
if ! dist=$(find_uplot "$npm_dir"); then
	command -v npm >/dev/null 2>&1 || {
		echo "$0: uPlot not found and npm not installed (install npm, or set UPLOT_DIST)" >&2
		exit 1
	}
	mkdir -p "$npm_dir"
	cp "$src/package.json" "$src/package-lock.json" "$npm_dir/"
	(cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || {
		echo "$0: npm ci failed in $npm_dir" >&2
		exit 1
	}
	dist=$(find_uplot "$npm_dir") || {
		echo "$0: npm ci did not install uplot" >&2
		exit 1
	}
fi

# Built beside OUTDIR and moved into place, so OUTDIR is never half-written.
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/vendor/uplot"
cp "$src/index.html" "$tmp/"
cp -R "$src/js" "$src/css" "$tmp/"
cp "$dist/uPlot.esm.js" "$dist/uPlot.min.css" "$tmp/vendor/uplot/"
if [ -f "$dist/../LICENSE" ]; then
	cp "$dist/../LICENSE" "$tmp/vendor/uplot/LICENSE"
fi
chmod -R u+rwX,go+rX "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "dashboard in $out (uPlot from $dist)"
