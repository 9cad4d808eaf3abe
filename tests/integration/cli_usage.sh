#!/bin/sh
# cli_usage.sh: ringlab's commands given a bad command line exit 2 naming what is wrong before anything runs (submit's operand, a run id, run without --dir, --jobs with a value twice, a --json file that cannot be written), exit 2 from every command when no daemon answers, and `ringlab run --json -` prints JSON alone on stdout.
rl="$top_builddir/ringlab"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# usage_error WANT ARGS...: ringlab ARGS exits 2, prints nothing on stdout, and its error is exactly WANT.
usage_error()
{
	want=$1
	shift
	"$rl" "$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	[ $rc -eq 2 ] || fail "ringlab $*: exit $rc, expected 2: $(cat "$out/stderr")"
	[ "$(cat "$out/stderr")" = "$want" ] || fail "ringlab $*: error '$(cat "$out/stderr")', expected '$want'"
	[ -s "$out/stdout" ] && fail "ringlab $*: something ran: $(head -n 3 "$out/stdout")"
	echo "ok: ringlab $*: $want"
}

# The daemon's commands, at port 1: nothing listens there, and none of these may try it.
nodaemon="--url http://127.0.0.1:1"
usage_error "ringlab submit: usage: ringlab submit SUITE|WORKLOAD [OPTIONS] (see 'ringlab submit --help')" submit $nodaemon
usage_error "ringlab submit: usage: ringlab submit SUITE|WORKLOAD [OPTIONS] (see 'ringlab submit --help')" submit seed race $nodaemon
usage_error "ringlab show: give one run id (see 'ringlab show --help')" show $nodaemon
usage_error "ringlab cancel: give one run id (see 'ringlab cancel --help')" cancel 1 2 $nodaemon
usage_error "ringlab watch: give one run id (see 'ringlab watch --help')" watch $nodaemon
usage_error "ringlab list: takes no arguments (see 'ringlab list --help')" list seed $nodaemon
usage_error "ringlab submit: option --jobs: 2 appears twice" submit seed --jobs 2,2 $nodaemon

# A daemon that cannot be reached: exit 2 from every command that asks it (1 is for what runs found).
for cmd in list "show 1" "cancel 1" "watch 1" "submit seed" "compare label:a label:b"; do
	"$rl" $cmd $nodaemon >/dev/null 2>"$out/stderr"
	rc=$?
	[ $rc -eq 2 ] && grep -q "cannot connect to http://127.0.0.1:1" "$out/stderr" ||
		fail "ringlab $cmd, no daemon: exit $rc, expected 2: $(cat "$out/stderr")"
done
echo "ok: no daemon: exit 2 from each command"

# ringlab run: said before the run, not after it.
usage_error "ringlab run: the io_uring engine needs a target directory (--dir PATH; --engine null needs none)" run seed
usage_error "ringlab run: option --jobs: 1 appears twice" run seed --engine null --jobs 1,4,1
usage_error "ringlab run: option --json: $out/no-dir/run.json: No such file or directory" \
	run seed --engine null --scale 0.001 --repeat 1 --jobs 1 --json "$out/no-dir/run.json"

# --json -: stdout is the run's JSON and nothing else.
"$rl" run seed --engine null --scale 0.001 --repeat 1 --jobs 1 -q --json - >"$out/run.json" 2>"$out/stderr" ||
	fail "ringlab run --json -: exit $?: $(cat "$out/stderr")"
[ "$(jq -r '.format + " " + .status' "$out/run.json")" = "ringlab-run-1 done" ] ||
	fail "ringlab run --json -: stdout is not the run's JSON: $(head -c 300 "$out/run.json")"
grep -q '^aligned-mixed: write' "$out/stderr" || fail "ringlab run --json -: no table on stderr"
echo "ok: ringlab run --json -: JSON alone on stdout"
exit 0
