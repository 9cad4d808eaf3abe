#!/bin/bash
# fuzz.sh: build the libFuzzer harnesses with clang in $top_builddir/fuzz-build and run each for FUZZ_SECONDS at nice 19; exit 1 when one found something (left in fuzz-out/NAME/).
# SPDX-License-Identifier: MIT
#
# make fuzz FUZZ_SECONDS=N runs it. FUZZ_NAMES picks harnesses (default: all
# of tests/fuzz/harnesses), FUZZ_CC the compiler (clang), FUZZ_JOBS libFuzzer's
# parallel jobs per harness (1: the machine is shared). What libFuzzer adds
# to a corpus goes to fuzz-out/NAME/corpus, never into the source tree; copy
# an input that matters (a crash, once fixed) to tests/fuzz/corpus/NAME/.
set -uo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}
build=$top_builddir/fuzz-build
out=$top_builddir/fuzz-out
# Instrumented for coverage, AddressSanitizer and UBSan everywhere; any UB is a crash.
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"

say() { printf '==> %s\n' "$*" >&2; }

command -v "$cc" >/dev/null ||
	{ say "make fuzz needs $cc (Debian: clang libclang-rt-dev, which ./bootstrap.sh fuzz installs)"; exit 2; }
names=${FUZZ_NAMES:-$(awk '!/^#/ && NF { print $1 }' "$top_srcdir/tests/fuzz/harnesses")}

mkdir -p "$build" "$out" || exit 2
if [ ! -f "$build/Makefile" ]; then
	say "configuring $build with $cc"
	(cd "$build" && nice -n 19 "$top_srcdir/configure" -q CC="$cc" CFLAGS="$cflags") || exit 2
fi
programs=$(for n in $names; do printf 'tests/fuzz/fuzz_%s ' "$n"; done)
say "building $programs (log in $out/build.log)"
nice -n 19 make -s -C "$build" -j2 LDFLAGS="-fsanitize=fuzzer" $programs >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; exit 2; }

found=0
for name in $names; do
	row=$(awk -v n="$name" '$1 == n' "$top_srcdir/tests/fuzz/harnesses")
	[ -n "$row" ] || { say "$name: not in tests/fuzz/harnesses"; exit 2; }
	read -r _ max_len seeds <<<"$row"
	dir=$out/$name
	mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/tmp"
	args=(-max_len="$max_len" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048
	      -artifact_prefix="$dir/artifacts/" -print_final_stats=1)
	[ -f "$top_srcdir/tests/fuzz/$name.dict" ] && args+=(-dict="$top_srcdir/tests/fuzz/$name.dict")
	[ "$jobs" -gt 1 ] && args+=(-jobs="$jobs" -workers="$jobs")
	seed_dirs=()
	for s in $seeds; do seed_dirs+=("$top_srcdir/$s"); done
	say "$name: ${seconds}s, max_len $max_len, log in $dir/log"
	# New inputs go to the first directory, the work one; the seeds are only read.
	TMPDIR=$dir/tmp ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		nice -n 19 "$build/tests/fuzz/fuzz_$name" "${args[@]}" "$dir/corpus" "${seed_dirs[@]}" \
		>"$dir/log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done )' "$dir/log" >&2
	n=$(find "$dir/artifacts" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$n" -gt 0 ]; then
		say "$name: exit $rc, $n finding(s) in $dir/artifacts; what it found:"
		grep -a -m1 -A24 -E 'ERROR: |runtime error|^FUZZ ' "$dir/log" >&2
		found=1
	fi
	rm -rf "$dir/tmp"
done
exit $found
