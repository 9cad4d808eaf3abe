#!/bin/sh
# causes.sh: trace_eagain names the kernel cause of every refused NOWAIT write, counts add up, and no tracefs instance outlives its process.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
command -v jq >/dev/null || loopfs_skip "jq is not installed"
loopfs_create 256

rl="$top_builddir/ringlab"
wl=$(mktemp -d -t ringlab-causes.XXXXXX) || exit 1
trap 'kill -9 $bg 2>/dev/null; rm -rf "$wl"; loopfs_cleanup' EXIT
bg=

fail() { echo "FAIL: $*" >&2; exit 1; }

# workload NAME BASE JQ-FILTER: a copy of workloads/BASE.json, renamed, traced, edited.
workload()
{
	jq ".name = \"$1\" | .trace_eagain = \"on\" | .repetitions = 1 | .expect = {} | $3" \
		"$top_srcdir/workloads/$2.json" >"$wl/$1.json" || fail "writing workload $1"
}

run()	# run NAME [more ringlab run options]: the run's JSON in $wl/NAME.out
{
	n=$1
	shift
	timeout 120 "$rl" run "$wl/$n.json" --dir "$LOOPFS_DIR" -q --json "$wl/$n.out" "$@" \
		>"$wl/$n.txt" 2>&1
}

# share NAME CAUSE: the share of the run's EAGAIN that CAUSE has, in percent (integer).
share()
{
	jq -r "[.cells[] | .eagain] as \$e | [.cells[] | .eagain_causes.counts.$2] as \$c |
		if (\$e | add) == 0 then 0 else ((\$c | add) * 100 / (\$e | add) | floor) end" "$wl/$1.out"
}

# Every cell's causes add up to its EAGAIN count.
sums()
{
	jq -e '[.cells[] | .eagain_causes as $k |
		(($k.counts | to_entries | map(.value) | add) + $k.unattributed) == .eagain] | all' \
		"$wl/$1.out" >/dev/null || fail "$1: causes do not add up to EAGAIN: $(jq -c '.cells[] | [.eagain, .eagain_causes]' "$wl/$1.out")"
}

workload ext nw-extend-aligned '.size_per_job = "4M"'
run ext || fail "extending run: $(cat "$wl/ext.txt")"
mech=$(jq -r .env.eagain_trace "$wl/ext.out")
case $mech in
unavailable*) loopfs_skip "trace_eagain: $mech" ;;
"tracepoints via "*) ;;
*) fail "env.eagain_trace is '$mech'" ;;
esac
tracefs=${mech#tracepoints via }
tracefs=${tracefs%%:*}
# The return probes follow what this kernel offers: none without fprobe or kprobe events.
probes=$(jq -r .env.eagain_probes "$wl/ext.out")
if grep -q '^  *f\[:\[<group>' "$tracefs/README" || [ -w "$tracefs/kprobe_events" ]; then
	case $probes in fprobe*kiocb_modified*|kretprobe*kiocb_modified*) ;; *) fail "env.eagain_probes is '$probes'" ;; esac
else
	case $probes in "none: "*) ;; *) fail "env.eagain_probes is '$probes' on a kernel without probe events" ;; esac
fi
[ "$(jq '[.cells[].eagain] | add' "$wl/ext.out")" -gt 0 ] || fail "extending writes were not refused"
[ "$(share ext extending_write)" -ge 95 ] || fail "extending: $(share ext extending_write)% extending_write"
sums ext
grep -q 'CAUSE' "$wl/ext.txt" && grep -q 'extending write 100%' "$wl/ext.txt" ||
	fail "the table has no cause column: $(cat "$wl/ext.txt")"

# [W][U]: the range is not one written extent, so the lock decision refuses it.
workload mixed nw-mixed-aligned '.size_per_job = "4M"'
run mixed || fail "mixed run: $(cat "$wl/mixed.txt")"
[ "$(share mixed allocation)" -ge 95 ] || fail "[W][U]: $(share mixed allocation)% allocation"
sums mixed
# trace_pipe's text, read where the binary per-CPU pages cannot be, names the same causes.
RINGLAB_TRACE_READER=text run mixed || fail "mixed run, text reader: $(cat "$wl/mixed.txt")"
[ "$(share mixed allocation)" -ge 95 ] || fail "text reader: [W][U]: $(share mixed allocation)% allocation"
sums mixed
workload umixed nw-mixed-unaligned '.size_per_job = "4M"'
run umixed || fail "unaligned mixed run: $(cat "$wl/umixed.txt")"
[ "$(share umixed allocation)" -ge 95 ] || fail "[W][U][U][W]: $(share umixed allocation)% allocation"
sums umixed

# A cold pure overwrite: on 6.18 the extent cache miss is read through (no refusal), and the
# reloaded inode lacks S_NOSEC until a write sets it: the privilege check refuses.
workload cold nw-overwrite-aligned '.size_per_job = "4M" | .cache = "cold"'
run cold || fail "cold run: $(cat "$wl/cold.txt")"
sums cold
case $(uname -r) in
6.18*)
	if [ "$(jq '[.cells[].eagain] | add' "$wl/cold.out")" -gt 0 ]; then
		[ "$(share cold timestamp_update)" -ge 95 ] ||
			fail "cold overwrite: $(jq -c '.cells[].eagain_causes' "$wl/cold.out")"
	fi
	;;
esac

# Nothing is left behind by a run that ends, by SIGTERM, or by SIGKILL (the next run removes it).
instance_of() { [ -d "$tracefs/instances/ringlab-$1" ]; }
wait_instance()
{
	i=0
	until instance_of "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "no tracefs instance appeared for pid $1"
		sleep 0.05
	done
}
workload long nw-mixed-aligned '.duration_ms = 20000 | .verify = false | .eagain_policy = "retry-blocking"'
for sig in TERM KILL; do
	"$rl" run "$wl/long.json" --dir "$LOOPFS_DIR" -q >/dev/null 2>&1 &
	bg=$!
	wait_instance $bg
	kill -$sig $bg
	wait $bg
	if [ $sig = TERM ]; then
		! instance_of $bg || fail "the instance of pid $bg outlived its SIGTERM"
	else
		instance_of $bg || fail "SIGKILL left nothing to clean up: test is void"
		run ext || fail "the run after SIGKILL: $(cat "$wl/ext.txt")"
		! instance_of $bg || fail "the next run did not remove the stale instance of $bg"
	fi
done
timeout 120 "$rl" run "$wl/ext.json" --dir "$LOOPFS_DIR" -q >/dev/null 2>&1 &
pid=$!
wait $pid || fail "last run"
! instance_of $pid || fail "a finished run left its instance"
for f in "$tracefs"/instances/ringlab-*; do
	[ -d "$f" ] || continue
	p=${f##*/ringlab-}
	p=${p%%.*}
	kill -0 "$p" 2>/dev/null || fail "stale instance $f remains"
done
exit 0
