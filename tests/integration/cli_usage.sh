#!/bin/sh
# cli_usage.sh: ringlab's daemon commands given the wrong operands exit 2 naming what they take (submit a suite or workload, show a run id, list nothing), before they reach for a daemon.
rl="$top_builddir/ringlab"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# usage_error WANT ARGS...: ringlab ARGS exits 2 and its error is exactly WANT.
usage_error()
{
	want=$1
	shift
	# Port 1: nothing listens there, and none of these may try it.
	"$rl" "$@" --url http://127.0.0.1:1 >/dev/null 2>"$out"
	rc=$?
	[ $rc -eq 2 ] || fail "ringlab $*: exit $rc, expected 2: $(cat "$out")"
	[ "$(cat "$out")" = "$want" ] || fail "ringlab $*: error '$(cat "$out")', expected '$want'"
	echo "ok: ringlab $*: $want"
}

usage_error "ringlab submit: usage: ringlab submit SUITE|WORKLOAD [OPTIONS] (see 'ringlab submit --help')" submit
usage_error "ringlab submit: usage: ringlab submit SUITE|WORKLOAD [OPTIONS] (see 'ringlab submit --help')" submit seed race
usage_error "ringlab show: give one run id (see 'ringlab show --help')" show
usage_error "ringlab cancel: give one run id (see 'ringlab cancel --help')" cancel 1 2
usage_error "ringlab watch: give one run id (see 'ringlab watch --help')" watch
usage_error "ringlab list: takes no arguments (see 'ringlab list --help')" list seed
exit 0
