#!/bin/bash
# nightly_host.sh: `ringlab nightly` with "host" variants on a slow and a fast ext4: runs imported with the night's label and variant tags, the report stored and served as latest, improved (exit 0) one way and regressed (exit 1) the other, a failing variant reported failed while the rest run, bad configurations exit 2.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq
rl=$top_builddir/ringlab
work=$DAEMON_DIR
fail() {
	echo "FAIL: $*" >&2
	for f in "$work"/night*.out "$work"/night*.err "$work/rld.log"; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}

# slow: ext4 on a loop device over a file on this machine's disk; fast: over a file in RAM.
loopfs_create 256
slow=$LOOPFS_DIR
slow_dev=$LOOPFS_DEV
TMPDIR=/dev/shm loopfs_create 256
fast=$LOOPFS_DIR

# A disk the host caches, or CPUs busy with other tests, can make "slow" as fast
# as RAM. Where cgroups can, the nightly runs with writes to the slow device
# throttled (about 1,000 of these writes a second, RAM does several times that
# even on a busy machine); elsewhere the disk alone has to be slower.
throttle_cgroup "$slow_dev" 2000 || echo "note: no cgroup write throttling here: slow is the disk alone" >&2

token=nightly-test-$$
echo "$token" >"$work/token"
daemon_config --token "$token" fast="$fast"
daemon_start 10 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
url=$DAEMON_URL
api() { curl -sS --max-time 10 "$@"; }

# Host variants: this kernel on two directories, and one whose directory does not exist.
kp=$work/kernel-patches
mkdir -p "$kp/variants"
echo "{\"name\": \"slow\", \"kind\": \"host\", \"description\": \"disk-backed loop\", \"dir\": \"$slow\"}" >"$kp/variants/slow.json"
echo "{\"name\": \"fast\", \"kind\": \"host\", \"dir\": \"$fast\"}" >"$kp/variants/fast.json"
echo "{\"name\": \"gone\", \"kind\": \"host\", \"dir\": \"$work/no-such-dir\"}" >"$kp/variants/gone.json"

config() {	# FILE PREFIX BASE VARIANT...
	local file=$1 prefix=$2 base=$3
	shift 3
	jq -n --arg url "$url" --arg tf "$work/token" --arg kp "$kp" --arg prefix "$prefix" \
		--arg base "$base" --arg wd "$work/nights" --args '{url: $url, token_file: $tf,
		kernel_patches_dir: $kp, variants: $ARGS.positional, base: $base,
		suites: ["aligned-mixed"], ringlab_args: "--jobs 1 --scale 0.005 --repeat 5",
		label_prefix: $prefix, work_dir: $wd, timeout_s: 120}' "$@" >"$file"
}
night() {	# NAME CONFIG: runs the night (in the throttling cgroup, if any); sets rc, report (its id)
	throttle_exec "$rl" nightly -c "$2" >"$work/$1.out" 2>"$work/$1.err"
	rc=$?
	[ $rc -ne 99 ] || fail "$1: cannot join the cgroup $THROTTLE_CG"
	report=$(sed -n 's|^report: .*/#/nightly/\([0-9]*\)$|\1|p' "$work/$1.out")
	[ -n "$report" ] || fail "$1: no report id in the output (exit $rc)"
}
# verdict REPORT VARIANT: the cell verdict of VARIANT's comparison in REPORT
verdict() {
	api "$url/api/v1/nightly/$1" | jq -r --arg v "$2" \
		'.report.variants[] | select(.name == $v) | .suites[0].comparison.workloads[0].cells[0].verdict'
}

# 1. fast against slow: improved, exit 0.
config "$work/n1.json" n1 slow slow fast
night night1 "$work/n1.json"
[ $rc -eq 0 ] || fail "night 1 (fast head) exited $rc"
v=$(verdict "$report" fast)
[ "$v" = improved ] || fail "night 1: fast vs slow is '$v', expected improved"
api "$url/api/v1/nightly/$report" >"$work/r1.json"
label=$(jq -r .label "$work/r1.json")
[[ $label =~ ^n1-[0-9]{8}-[0-9]{4}$ ]] || fail "night 1: label '$label' is not n1-YYYYMMDD-HHMM"
jq -e '.status == "ok" and .report.status == "ok" and .report.format == "ringlab-nightly-1"' "$work/r1.json" >/dev/null ||
	fail "night 1: report status $(jq -c '[.status, .report.status]' "$work/r1.json")"
api "$url/api/v1/runs?label=$label" >"$work/runs1.json"
jq -e '.total == 2 and ([.runs[].kernel_tag] | sort) == ["fast", "slow"] and
	all(.runs[]; .status == "done" and .target == "host" and .what == "aligned-mixed" and .ncells == 5)' \
	"$work/runs1.json" >/dev/null || fail "night 1: imported runs $(jq -c '[.runs[] | {id, kernel_tag, target, status, ncells}]' "$work/runs1.json")"
# The report's run ids are those runs, and the comparison is the API's own for them.
fast_id=$(jq '.runs[] | select(.kernel_tag == "fast") | .id' "$work/runs1.json")
slow_id=$(jq '.runs[] | select(.kernel_tag == "slow") | .id' "$work/runs1.json")
jq -e --argjson f "$fast_id" --argjson s "$slow_id" '.report.variants[] | select(.name == "fast") |
	.suites[0] | .run.id == $f and .base_run_id == $s and .status == "ok" and .gate == false and
	.summary == "1 improved"' "$work/r1.json" >/dev/null || fail "night 1: fast entry $(jq -c '.report.variants[1].suites[0] | del(.comparison)' "$work/r1.json")"
api "$url/api/v1/compare?base=$slow_id&head=$fast_id" | jq -S '[.workloads[].cells[] | {jobs, verdict, ratio}]' >"$work/api_cmp.json"
jq -S '[.report.variants[1].suites[0].comparison.workloads[].cells[] | {jobs, verdict, ratio}]' "$work/r1.json" |
	diff - "$work/api_cmp.json" || fail "night 1: the report's comparison differs from the API's"
[ -f "$work/nights/$label/report.json" ] && [ -f "$work/nights/$label/fast.aligned-mixed.json" ] ||
	fail "night 1: work_dir does not keep the report and the run files"
echo "ok: night 1 ($label): fast vs slow improved, runs $slow_id and $fast_id, report $report"

# 2. Swapped, with a variant that fails first: slow regressed, gone failed, exit 1.
config "$work/n2.json" n2 fast gone fast slow
night night2 "$work/n2.json"
[ $rc -eq 1 ] || fail "night 2 (slow head, gone) exited $rc, expected 1"
v=$(verdict "$report" slow)
[ "$v" = regressed ] || fail "night 2: slow vs fast is '$v', expected regressed"
api "$url/api/v1/nightly/latest" >"$work/latest.json"
api "$url/api/v1/nightly/$report" | diff - "$work/latest.json" >/dev/null || fail "night 2: latest is not report $report"
jq -e '.status == "regressed" and .report.counts == {"ok": 1, "failed": 1, "eagain-changed": 0, "regressed": 1, "corrupt": 0}' \
	"$work/latest.json" >/dev/null || fail "night 2: status/counts $(jq -c '[.status, .report.counts]' "$work/latest.json")"
jq -e '.report.variants[] | select(.name == "gone") | .status == "failed" and
	(.suites[0].error | test("no-such-dir")) and (.suites[0].run.log_tail | test("no-such-dir"))' \
	"$work/latest.json" >/dev/null || fail "night 2: gone is $(jq -c '.report.variants[0] | {status, suites: [.suites[] | {error}]}' "$work/latest.json")"
jq -e '.report.variants[] | select(.name == "slow") | .status == "regressed" and .suites[0].gate == true and
	(.suites[0].regressed | length) == 1 and .suites[0].regressed[0].jobs == 1' "$work/latest.json" >/dev/null ||
	fail "night 2: slow entry $(jq -c '.report.variants[2].suites[0] | del(.comparison)' "$work/latest.json")"
label2=$(jq -r .label "$work/latest.json")
api "$url/api/v1/runs?label=$label2&kernel=slow&status=done" | jq -e '.total == 1' >/dev/null ||
	fail "night 2: the slow variant did not run after the failing one"
grep -q "verdict: regressed" "$work/night2.out" || fail "night 2: the text does not give the verdict"
api "$url/api/v1/nightly" | jq -e --argjson r "$report" '.total == 2 and .reports[0].id == $r' >/dev/null ||
	fail "the list does not hold both nights, newest first"
echo "ok: night 2 ($label2): slow vs fast regressed, gone failed, exit 1"

# 3. Bad configurations: exit 2, nothing run.
before=$(api "$url/api/v1/runs" | jq .total)
jq '.base = "nope"' "$work/n1.json" >"$work/bad1.json"
jq '. + {bogus_key: 1}' "$work/n1.json" >"$work/bad2.json"
jq '.variants += ["missing"]' "$work/n1.json" >"$work/bad3.json"
jq '.ringlab_args = "--dir /tmp"' "$work/n1.json" >"$work/bad4.json"
for b in bad1:base bad2:bogus_key bad3:missing bad4:ringlab_args; do
	"$rl" nightly -c "$work/${b%%:*}.json" >/dev/null 2>"$work/bad.err"
	rc=$?
	[ $rc -eq 2 ] || fail "${b%%:*}: exit $rc, expected 2"
	grep -q "${b#*:}" "$work/bad.err" || fail "${b%%:*}: the error does not name ${b#*:}: $(cat "$work/bad.err")"
done
[ "$(api "$url/api/v1/runs" | jq .total)" = "$before" ] || fail "a bad configuration still ran something"
echo "ok: bad configurations exit 2"
exit 0
