#!/bin/bash
# vs_fio.sh: ringlab against fio's io_uring engine on the same file, workload and queue depth,
# alternating ROUNDS times; prints the IOPS ratio and the CPU-per-I/O ratio (medians; CPU in us).
#   sudo tests/bench/vs_fio.sh [ROUNDS]      (RINGLAB=path/to/ringlab to pick a binary)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rl=${RINGLAB:-$top/ringlab}
rounds=${1:-3}
bench=$top/tests/bench
for tool in jq fio; do
	command -v $tool >/dev/null || { echo "vs_fio.sh: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$rl" ] || { echo "vs_fio.sh: no ringlab at $rl (build first)" >&2; exit 1; }
top_srcdir=$top
. "$top/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 2048
out=$(mktemp -d)
trap 'rm -rf "$out"; loopfs_cleanup' EXIT
dir=$LOOPFS_DIR

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# ringlab: IOPS and CPU seconds per I/O of the run's only cell.
rl_numbers() {
	jq -r '.cells[0] | "\(.iops) \((.cpu_user_s + .cpu_sys_s) / .ops * 1000000)"' "$1"
}

# fio: the same two numbers. fio's own usr/sys figures are its job thread's (RUSAGE_THREAD)
# and leave out the io-wq workers that do punted writes, which ringlab's process-wide count
# includes; so fio's CPU is taken process-wide too, from the shell's children times.
children_cpu() {	# user+sys seconds of this shell's finished children so far, into $1
	times >"$1"	# a builtin with a redirection: runs in this shell, not a subshell
	tail -n1 "$1" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' >"$1.s"
}
fio_numbers() {
	jq -r --arg cpu "$(cat "$out/fio.cpu")" \
		'.jobs[0] | "\(.write.iops) \(($cpu | tonumber) * 1000000 / .write.total_ios)"' "$1"
}
run_fio() {
	children_cpu "$out/t0"
	fio "$@" >"$out/fio.json"
	children_cpu "$out/t1"
	awk -v a="$(cat "$out/t1.s")" -v b="$(cat "$out/t0.s")" 'BEGIN { print a - b }' >"$out/fio.cpu"
}

fio_common=(--ioengine=io_uring --direct=1 --iodepth=32 --fixedbufs --registerfiles
	--numjobs=1 --group_reporting --output-format=json --size=256M)

compare() {
	local name=$1
	echo "== $name: $rounds rounds, ringlab $(basename "$rl") vs $(fio --version)"
	for what in rl_iops rl_cpu fio_iops fio_cpu; do :> "$out/$what"; done
	for r in $(seq "$rounds"); do
		"run_$name" "$r"
		read -r i c < <(rl_numbers "$out/rl.json");  echo "$i" >>"$out/rl_iops";  echo "$c" >>"$out/rl_cpu"
		read -r i c < <(fio_numbers "$out/fio.json"); echo "$i" >>"$out/fio_iops"; echo "$c" >>"$out/fio_cpu"
		printf '  round %s: ringlab %.0f IOPS %.2f us CPU/IO; fio %.0f IOPS %.2f us CPU/IO\n' "$r" \
			"$(tail -n1 "$out/rl_iops")" "$(tail -n1 "$out/rl_cpu")" \
			"$(tail -n1 "$out/fio_iops")" "$(tail -n1 "$out/fio_cpu")"
	done
	local ri rc fi fc
	ri=$(median <"$out/rl_iops"); rc=$(median <"$out/rl_cpu")
	fi=$(median <"$out/fio_iops"); fc=$(median <"$out/fio_cpu")
	awk -v n="$name" -v ri="$ri" -v fi="$fi" -v rc="$rc" -v fc="$fc" 'BEGIN {
		printf "%s: IOPS ratio ringlab/fio %.3f (%.0f / %.0f); CPU-per-I/O ratio ringlab/fio %.3f (%.2f / %.2f us)\n",
			n, ri / fi, ri, fi, rc / fc, rc, fc }'
}

# Pure overwrite: ringlab lays the file out all-written and keeps it; fio overwrites the same file.
run_overwrite() {
	"$rl" run "$bench/bench-overwrite-4k.json" --dir "$dir" --keep-files -q --json "$out/rl.json" >/dev/null
	run_fio --name=overwrite --filename="$dir/ringlab-bench-overwrite-4k.dat" --rw=randwrite --bs=4k \
		--time_based --runtime=10 "${fio_common[@]}"
}

# Aligned-mixed: each side writes once over a freshly built [W][U] layout.
run_aligned_mixed() {
	"$rl" layout "$bench/bench-aligned-mixed.json" --dir "$dir" >/dev/null
	run_fio --name=aligned-mixed --filename="$dir/ringlab-bench-aligned-mixed.dat" --rw=write --bs=8k \
		"${fio_common[@]}"
	"$rl" run "$bench/bench-aligned-mixed.json" --dir "$dir" -q --json "$out/rl.json" >/dev/null
}

compare overwrite
compare aligned_mixed
