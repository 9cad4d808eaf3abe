#!/bin/sh
# compare_cli.sh: `ringlab compare` on run JSON files gives the cover-letter table, verdicts (eagain-changed of its own), --gate, JSON, seed tables, a note when base and head ran with other parallelism (VM accelerator, CPUs), and exit codes 0/1/2.
ringlab="$top_builddir/ringlab"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# cell WORKLOAD JOBS REP IOPS EAGAIN ATTEMPTS VERIFY: one cell of the "ringlab-run-1" format.
cell() {
	elapsed=$(awk -v i="$4" 'BEGIN { printf "%.6f", 10000 / i }')
	cat <<EOF
{"workload": "$1", "jobs": $2, "rep": $3, "attempts": $6, "ops": 10000,
 "bytes": 81920000, "eagain": $5, "retries": 0, "gave_up": 0, "short_ios": 0,
 "errors": [], "elapsed_s": $elapsed, "iops": $4, "bw_bytes_s": 0, "eagain_rate": 0,
 "lat_ns": {"p50": 50000, "p90": 80000, "p99": 100000, "p999": 120000, "max": 150000, "mean": 55000},
 "enter_calls": 100, "enter_ns": 100000,
 "enter_lat_ns": {"p50": 900, "p90": 1000, "p99": 1100, "p999": 1200, "max": 1300, "mean": 950},
 "cpu_user_s": 0.1, "cpu_sys_s": 0.5, "ctx_voluntary": 10, "ctx_involuntary": 1,
 "iowq_workers_max": 0, "es_before": null, "es_after": null, "disk_before": null,
 "disk_after": null, "layout_extents": 2, "layout_s": 0.01,
 "verify": {"status": "$7", "bytes_checked": 81920000, "bytes_bad": 0, "bytes_skipped": 0,
            "ranges_total": 0, "ranges": []},
 "expect": "none", "failed": false, "error": ""}
EOF
}

# cells WORKLOAD LEVEL [EAGAIN [VERIFY_OF_REP2]]: JOBS 1, 2, 4 x 3 reps at LEVEL * JOBS IOPS, +/-1% noise.
cells() {
	for j in 1 2 4; do
		l=$(($2 * j))
		cell "$1" $j 1 "$l" "${3:-0}" 2000 ok; echo ,
		cell "$1" $j 2 $((l * 101 / 100)) "${3:-0}" 2000 "${4:-ok}"; echo ,
		cell "$1" $j 3 $((l * 99 / 100)) "${3:-0}" 2000 ok
		[ $j = 4 ] || echo ,
	done
}

# write_run FILE LABEL IO_SIZE CELLS...: a run of aligned-mixed (8 KiB I/O unless IO_SIZE)
# and nw-mixed-aligned, with the cells given as JSON text.
write_run() {
	f=$1 label=$2 io=$3
	shift 3
	cat >"$f" <<EOF
{"format": "ringlab-run-1", "suite": "seed", "scale": 1, "status": "done", "error": "",
 "started": "2026-06-26T08:35:00.000000000Z", "started_ns": 1782462900000000000,
 "finished": "2026-06-26T08:40:00.000000000Z", "finished_ns": 1782463200000000000,
 "env": {"kernel_release": "6.18.0-$label", "kernel_version": "#1", "cmdline": "",
   "hostname": "lab", "machine": "x86_64", "cpus": 2, "ringlab_version": "test",
   "dir": "/mnt", "fs_type": "ext4", "mount_source": "/dev/loop0", "mount_options": "rw",
   "fs_block_size": 4096, "device": "loop0", "device_model": "", "backing_file": "",
   "rotational": false, "scheduler": "none", "logical_block_size": 512,
   "uring_setup_flags": 0, "uring_setup": "", "uring_features": "", "uring_opcodes": "",
   "label": "$label", "kernel_tag": "$label"},
 "workloads": [
   {"name": "aligned-mixed", "stripe": "WU", "io_size": $io, "jobs": [1, 2, 4]},
   {"name": "nw-mixed-aligned", "stripe": "WU", "io_size": 8192, "nowait": true, "jobs": [1, 2, 4]}],
 "cells": [$*]}
EOF
}

# run_compare NAME ARGS...: stdout, stderr and the exit status in $out/NAME.{txt,err,rc}.
run_compare() {
	name=$1
	shift
	timeout 60 "$ringlab" compare "$@" >"$out/$name.txt" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}

expect_rc() {
	rc=$(cat "$out/$1.rc")
	[ "$rc" = "$2" ] || { cat "$out/$1.txt" "$out/$1.err" >&2; fail "$1: exit $rc, expected $2"; }
}

expect_out() {
	grep -q -e "$2" "$out/$1.txt" || { cat "$out/$1.txt" >&2; fail "$1: no '$2' in stdout"; }
}

expect_err() {
	grep -q -e "$2" "$out/$1.err" || { cat "$out/$1.err" >&2; fail "$1: no '$2' in stderr"; }
}

# expect_lines NAME PATTERN N: N lines of NAME's stdout match PATTERN.
expect_lines() {
	n=$(grep -c -e "$2" "$out/$1.txt")
	[ "$n" -eq "$3" ] || fail "$1: expected $3 lines matching '$2', found $n"
}

[ -x "$ringlab" ] || fail "no $ringlab"
write_run "$out/base.json" base 8192 "$(cells aligned-mixed 40000), $(cells nw-mixed-aligned 1000 0)"
write_run "$out/base2.json" base 8192 "$(cells aligned-mixed 40000), $(cells nw-mixed-aligned 1000 0)"
# Another run, not base.json again (that would be refused: pooled twice): it started a minute later.
sed -i 's/"started_ns": 1782462900000000000/"started_ns": 1782462960000000000/; s/08:35:00/08:36:00/' "$out/base2.json"
write_run "$out/fast.json" fast 8192 "$(cells aligned-mixed 48000), $(cells nw-mixed-aligned 1000 0)"
write_run "$out/slow.json" slow 8192 "$(cells aligned-mixed 32000), $(cells nw-mixed-aligned 1000 2000)"
write_run "$out/slower.json" slower 8192 "$(cells aligned-mixed 32000), $(cells nw-mixed-aligned 1000 0)"
write_run "$out/refused.json" refused 8192 "$(cells aligned-mixed 40000), $(cells nw-mixed-aligned 1000 2000)"
write_run "$out/corrupt.json" corrupt 8192 "$(cells aligned-mixed 40000 0 failed), $(cells nw-mixed-aligned 1000 0)"
write_run "$out/io4k.json" io4k 4096 "$(cells aligned-mixed 40000)"
write_run "$out/other.tmp" other 8192 "$(cells nw-mixed-aligned 1000 0)"
sed 's/nw-mixed-aligned/nw-holes-aligned/' "$out/other.tmp" >"$out/other.json"
printf '{"format": "ringlab-run-1",\n "suite": ' >"$out/truncated.json"

# The same run on both sides: nothing changed, exit 0, the cover letter's table.
run_compare same "$out/base.json" "$out/base.json"
expect_rc same 0
expect_out same '^aligned-mixed  (IOPS, median of 3 reps; CI: bootstrap 95%)$'
expect_out same '^JOBS       base       head  speedup  CI  '
expect_out same '^----  ---------  ---------  -------  --------------  '
expect_out same '^   1     40,000     40,000    1.00x  \[0.9[0-9], 1.0[0-9]\]  '
expect_out same '^   4    160,000    160,000    1.00x  '
expect_out same '^aligned-mixed: 3 unchanged$'
expect_out same '^total: 6 unchanged'
expect_out same '0.0% → 0.0%'
expect_lines same '^ *[0-9].*  unchanged$' 6

# 20% faster: improved, still exit 0; options after the operands work too.
run_compare fast "$out/base.json" "$out/fast.json" --threshold 5
expect_rc fast 0
expect_out fast '^   2     80,000     96,000    1.20x  \[1.1'
expect_out fast '^aligned-mixed: 3 improved$'

# 20% slower and every NOWAIT write refused: regressed, EAGAIN changed, exit 1.
run_compare slow "$out/base.json" "$out/slow.json"
expect_rc slow 1
expect_out slow '^   1     40,000     32,000    0.80x  .*regressed'
expect_out slow '0.0% → 100.0%  *eagain-changed, EAGAIN +100.0 points \[+100.0, +100.0\]'
expect_out slow '^total: 3 regressed, 3 eagain-changed (6 cells in 2 workloads); GATE (both): FAIL$'

# Only the EAGAIN rate moved: a verdict of its own that fails the gate, unless --gate iops.
run_compare eagain "$out/base.json" "$out/refused.json"
expect_rc eagain 1
expect_out eagain '^nw-mixed-aligned: 3 eagain-changed$'
expect_out eagain '^total: 3 eagain-changed, 3 unchanged'
run_compare eagain-iops --gate iops "$out/base.json" "$out/refused.json"
expect_rc eagain-iops 0
run_compare eagain-gate "$out/base.json" "$out/refused.json" --gate eagain
expect_rc eagain-gate 1
expect_out eagain-gate 'GATE (eagain): FAIL$'
# An IOPS regression alone passes --gate eagain.
run_compare iops-only --gate eagain "$out/base.json" "$out/slower.json"
expect_rc iops-only 0
run_compare bad-gate --gate all "$out/base.json" "$out/refused.json"
expect_rc bad-gate 2
expect_err bad-gate "--gate 'all': must be iops, eagain or both"

# A wide threshold makes the same IOPS change "unchanged" (the EAGAIN one stays).
run_compare wide --threshold 50% "$out/base.json" "$out/slow.json"
expect_rc wide 1
expect_out wide '^total: 3 eagain-changed, 3 unchanged'
run_compare wide-iops --threshold 50% --gate iops "$out/base.json" "$out/slow.json"
expect_rc wide-iops 0

# A failed verification outranks everything: corrupt, exit 1.
run_compare corrupt "$out/base.json" "$out/corrupt.json"
expect_rc corrupt 1
expect_out corrupt 'corrupt, verification failed in 0/3 base and 1/3 head reps'
expect_out corrupt '^aligned-mixed: 3 corrupt$'

# Pooled sides: two base runs, 6 repetitions per cell.
run_compare pooled "$out/base.json,$out/base2.json" "$out/fast.json"
expect_rc pooled 0
expect_out pooled '^base: 2 runs pooled$'
expect_out pooled '^aligned-mixed  (IOPS, median of 3-6 reps'
# One run twice (the same file, or a copy) is not two: its repetitions would count twice.
cp "$out/base.json" "$out/base-copy.json"
run_compare twice "$out/base.json,$out/base-copy.json" "$out/fast.json"
expect_rc twice 2
expect_err twice '^ringlab compare: base: runs 1 and 2 are one run (seed started 2026-06-26T08:35:00.000000000Z on lab): pooled'

# JSON for the API and scripts.
run_compare json "$out/base.json" "$out/slow.json" --json
expect_rc json 1
expect_out json '"format":[[:space:]]*"ringlab-compare-1"'
expect_out json '"gate":[[:space:]]*true'
expect_out json '"verdict":[[:space:]]*"regressed"'
expect_out json '"eagain_verdict":[[:space:]]*"changed"'
expect_out json '"base_iops_median":[[:space:]]*40000'
expect_lines json '"ci_lo"' 6

# The cover letter's own layout.
run_compare seed "$out/base.json" "$out/fast.json" --seed-tables
expect_rc seed 0
expect_out seed '^Test 1: aligned-mixed\. Metric: IOPS'
expect_out seed '^JOBS      base      head speedup$'
expect_out seed '^---- --------- --------- -------$'
expect_out seed '^   4   160,000   192,000   1.20x$'
expect_out seed '^Test 2: no unaligned-middle-unwritten cells'

# A head made on 1 vCPU under single-threaded TCG (vm-run.sh's words on its command line):
# a note on its run line and in JSON, verdicts and exit status as without it.
jq '.env.cmdline = "console=ttyS0 ringlab.variant=fam:v3 ringlab.accel=tcg ringlab.tcg_thread=single ringlab.vcpus=1" |
	.env.cpus = 1 | .env.kernel_tag = "fam:v3"' "$out/base.json" >"$out/vm1.json"
run_compare vm "$out/base.json" "$out/vm1.json"
expect_rc vm 0
expect_out vm '^head: 6.18.0-base (label base, tag fam:v3), scale 1, started .*; note: job parallelism differs: base no VM, 2 CPUs; head tcg single-threaded, 1 CPU$'
expect_out vm '^total: 6 unchanged'
run_compare vm-json --json "$out/base.json" "$out/vm1.json"
jq -e '.machine_note == "job parallelism differs: base no VM, 2 CPUs; head tcg single-threaded, 1 CPU" and
	.head.runs[0].accel == "tcg" and .head.runs[0].cpus == 1 and .base.runs[0].accel == null' \
	"$out/vm-json.txt" >/dev/null || fail "vm-json: $(jq -c '{machine_note, head: .head.runs[0]}' "$out/vm-json.txt")"
run_compare same-json --json "$out/base.json" "$out/base.json"
jq -e '.machine_note == null' "$out/same-json.txt" >/dev/null || fail "same-json: a note for the same machine"
! grep -q 'note:' "$out/same.txt" || fail "same: a note for the same machine"

# Bad input: exit 2 with the reason, naming the file.
run_compare missing "$out/base.json" "$out/nonexistent.json"
expect_rc missing 2
expect_err missing 'nonexistent.json'
run_compare malformed "$out/truncated.json" "$out/base.json"
expect_rc malformed 2
expect_err malformed 'truncated.json: line 2'
run_compare incompatible "$out/base.json" "$out/io4k.json"
expect_rc incompatible 2
expect_err incompatible 'io_size: base 8192, head 4096'
expect_out incompatible 'incompatible'
run_compare nocommon "$out/base.json" "$out/other.json"
expect_rc nocommon 2
expect_err nocommon 'no common cells: base has workloads aligned-mixed, nw-mixed-aligned; head has nw-holes-aligned'
run_compare threshold --threshold 150 "$out/base.json" "$out/base.json"
expect_rc threshold 2
run_compare operands "$out/base.json"
expect_rc operands 2

# The real pipeline: a run measured by the null engine (no storage) compared with itself.
timeout 120 "$ringlab" run nw-overwrite-aligned --engine null --repeat 3 --quiet \
	--json "$out/null.json" >"$out/null-run.txt" 2>&1 ||
	{ cat "$out/null-run.txt" >&2; fail "ringlab run --engine null exited $?"; }
run_compare null "$out/null.json" "$out/null.json"
expect_rc null 0
expect_out null '^nw-overwrite-aligned: 1 unchanged$'
exit 0
