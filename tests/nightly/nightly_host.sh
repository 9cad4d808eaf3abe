#!/bin/bash
# nightly_host.sh: `ringlab nightly` with "host" variants on a slow and a fast ext4: runs imported with the night's label and variant tags, the report stored and served as latest, improved (exit 0) one way and regressed (exit 1) the other, a failing variant reported failed while the rest run; a series family of host variants: each version against FAMILY:base and the version before it, the versions x cells matrices; bad configurations exit 2, a fleet night (--fleet) on the SQLite store too.
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
# as RAM: the cells write one block at a time, and each write waits for a CPU
# several times (ringlab, the loop device's worker). At load 27-31 (make check
# and busy loops) that held "fast" to 72-147 writes a second against slow's
# 56-92, and night 1 once found them 'unchanged'. So the nightly runs at nice -20
# (fast: 209-304 a second at load 30), and where cgroups can, with the slow
# device throttled to 200 bios a second: 100 of these writes (each spans a
# written and an unwritten block: two bios), a ceiling well under fast even
# then. Elsewhere the disk alone has to be slower. Few writes a cell (--scale
# 0.001: 128) keep the throttled runs short.
throttle_cgroup "$slow_dev" 200 || echo "note: no cgroup write throttling here: slow is the disk alone" >&2

token=nightly-test-$$
echo "$token" >"$work/token"
daemon_config --token "$token" fast="$fast"
daemon_start 60 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
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
		suites: ["aligned-mixed"], ringlab_args: "--jobs 1 --scale 0.001 --repeat 5",
		label_prefix: $prefix, work_dir: $wd, timeout_s: 120}' "$@" >"$file"
}
night() {	# NAME CONFIG: runs the night (in the throttling cgroup, if any, at nice -20); sets rc, report (its id)
	throttle_exec nice -n -20 "$rl" nightly -c "$2" >"$work/$1.out" 2>"$work/$1.err"
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

# 3. A series family of host variants (this kernel on the slow and the fast directory), given
# by path: every version compared with hf:base and with the version before it, in a matrix.
mkdir -p "$kp/families"
jq -n --arg slow "$slow" --arg fast "$fast" '{name: "hf", description: "host family",
	base: {kind: "host", dir: $slow}, versions: {v1: {dir: $fast}, v2: {dir: $slow}}}' >"$kp/families/hf.json"
config "$work/n3.json" n3 ""
jq --arg fam "$kp/families/hf.json" 'del(.variants, .base) | .family = $fam |
	.suites = ["aligned-mixed", "nw-overwrite-aligned"]' "$work/n3.json" >"$work/n3f.json"
night night3 "$work/n3f.json"
api "$url/api/v1/nightly/$report" >"$work/r3.json"
r3() { jq -e "$@" "$work/r3.json" >/dev/null; }
r3 '.report.families == [{name: "hf", manifest: .report.families[0].manifest, kind: "host",
	description: "host family", versions: ["v1", "v2"], members: ["hf:base", "hf:v1", "hf:v2"]}] and
	.report.base == "hf:base" and ([.report.variants[].name] == ["hf:base", "hf:v1", "hf:v2"])' ||
	fail "night 3: families $(jq -c '[.report.families, .report.base, [.report.variants[].name]]' "$work/r3.json")"
r3 '[.report.variants[] | [.family, .version, .compared_with, .previous]] ==
	[["hf", "base", null, null], ["hf", "v1", "hf:base", null], ["hf", "v2", "hf:base", "hf:v1"]]' ||
	fail "night 3: pairing $(jq -c '[.report.variants[] | [.name, .family, .version, .compared_with, .previous]]' "$work/r3.json")"
# The runs: tagged FAMILY:VERSION, which env splits.
label3=$(jq -r .label "$work/r3.json")
id_of() { jq --arg v "$1" --argjson s "$2" '.report.variants[] | select(.name == $v) | .suites[$s].run.id' "$work/r3.json"; }
v1_id=$(id_of hf:v1 0) v2_id=$(id_of hf:v2 0) base_id=$(id_of hf:base 0)
api "$url/api/v1/runs/$v1_id" | jq -e --arg l "$label3" '.label == $l and .kernel_tag == "hf:v1" and
	.env.kernel_family == "hf" and .env.kernel_family_version == "v1" and .env.vm == null' >/dev/null ||
	fail "night 3: run $v1_id is $(api "$url/api/v1/runs/$v1_id" | jq -c '{label, kernel_tag, f: .env.kernel_family, v: .env.kernel_family_version}')"
# Against the base: v1 (fast) improved; against the version before it: v2 (slow) regressed,
# shown but not gated: the night's status is the worst against the base.
r3 --argjson b "$base_id" '.report.variants[1].suites[0] | .base_run_id == $b and
	.comparison.workloads[0].cells[0].verdict == "improved" and .previous == null' ||
	fail "night 3: hf:v1 $(jq -c '.report.variants[1].suites[0] | del(.comparison)' "$work/r3.json")"
r3 --argjson b "$base_id" --argjson p "$v1_id" '.report.variants[2].suites[0] | .base_run_id == $b and
	.previous.variant == "hf:v1" and .previous.run_id == $p and .previous.status == "regressed" and
	.previous.summary == "1 regressed" and .previous.gate == true and (.previous.regressed | length) == 1 and
	(has("comparison") and (.previous | has("comparison") | not))' ||
	fail "night 3: hf:v2 $(jq -c '.report.variants[2].suites[0] | del(.comparison)' "$work/r3.json")"
r3 '["ok", "failed", "eagain-changed", "regressed", "corrupt"] as $o |
	.report.status == ([.report.variants[].status as $s | $o | index($s)] | max | $o[.]) and .status == .report.status' ||
	fail "night 3: status $(jq -c '[.report.status, [.report.variants[].status]]' "$work/r3.json")"
st3=$(jq -r .status "$work/r3.json")
{ [ "$st3" = ok ] && [ $rc -eq 0 ]; } || { [ "$st3" != ok ] && [ $rc -eq 1 ]; } || fail "night 3: status $st3, exit $rc"
grep -q '^      vs hf:v1: regressed: 1 regressed$' "$work/night3.out" || fail "night 3: the text does not give v2 vs v1"
# The matrices, one per suite: columns v1, v2; each entry as the comparisons say.
r3 '[.report.matrices[] | [.family, .suite, .base, [.columns[].variant], [.columns[].previous],
	[.rows[] | "\(.workload)@\(.jobs)"]]] == [["hf", "aligned-mixed", "hf:base", ["hf:v1", "hf:v2"], [null, "hf:v1"],
	["aligned-mixed@1"]], ["hf", "nw-overwrite-aligned", "hf:base", ["hf:v1", "hf:v2"], [null, "hf:v1"],
	["nw-overwrite-aligned@1"]]]' || fail "night 3: matrices $(jq -c '[.report.matrices[] | del(.rows)]' "$work/r3.json")"
r3 '.report as $r | all(range(0; 2) as $s | range(0; 2) as $c |
	$r.matrices[$s] as $m | $r.variants[$c + 1].suites[$s] as $e |
	$m.columns[$c].run_id == $e.run.id and $m.columns[$c].status == $e.status and
	$m.columns[$c].previous_status == ($e.previous.status // null) and
	($m.rows[0].cells[$c].vs_base | [.verdict, .iops_verdict, .ratio, .eagain_verdict, .eagain_base_rate,
	.eagain_head_rate]) == ($e.comparison.workloads[0].cells[0] | [.verdict, .iops_verdict, .ratio,
	.eagain_verdict, .eagain_base_rate, .eagain_head_rate]); .)' ||
	fail "night 3: the matrix differs from the comparisons with the base $(jq -c '.report.matrices[0]' "$work/r3.json")"
r3 '.report.matrices | .[0].rows[0].cells[0].vs_previous == null and .[0].rows[0].cells[1].vs_previous.verdict == "regressed" and
	.[0].columns[1].previous_status == "regressed" and (.[1].rows[0].cells[0].vs_base.eagain_verdict | type) == "string" and
	.[1].rows[0].cells[1].vs_previous.eagain_verdict != "n/a"' ||
	fail "night 3: matrix entries $(jq -c '[.report.matrices[].rows[0].cells]' "$work/r3.json")"
# vs_previous is the API's own comparison of v1's run with v2's.
for s in 0 1; do
	p=$(id_of hf:v1 $s) h=$(id_of hf:v2 $s)
	api "$url/api/v1/compare?base=$p&head=$h" | jq -S '.workloads[0].cells[0] | {verdict, ratio, eagain_verdict}' >"$work/prev_api.json"
	jq -S --argjson s $s '.report.matrices[$s].rows[0].cells[1].vs_previous | {verdict, ratio, eagain_verdict}' "$work/r3.json" |
		diff - "$work/prev_api.json" >&2 || fail "night 3: vs_previous of suite $s differs from the API's comparison"
done
echo "ok: night 3 ($label3): family hf, v1 vs base improved, v2 vs v1 regressed, status $st3, matrices"

# 4. Bad configurations: exit 2, nothing run.
before=$(api "$url/api/v1/runs" | jq .total)
jq '.base = "nope"' "$work/n1.json" >"$work/bad1.json"
jq '. + {bogus_key: 1}' "$work/n1.json" >"$work/bad2.json"
jq '.variants += ["missing"]' "$work/n1.json" >"$work/bad3.json"
jq '.ringlab_args = "--dir /tmp"' "$work/n1.json" >"$work/bad4.json"
jq '.variants = ["slow", "hf:v2"]' "$work/n1.json" >"$work/bad5.json"
jq '.variants = ["hf:base", "hf:v9"] | .base = "hf:base"' "$work/n1.json" >"$work/bad6.json"
jq '.family = "nofam"' "$work/n3f.json" >"$work/bad7.json"
jq '.versions.v2 = {dir: "relative"}' "$kp/families/hf.json" >"$kp/families/hfbad.json"
jq '.family = "hfbad"' "$work/n3f.json" >"$work/bad8.json"
for b in bad1:base bad2:bogus_key bad3:missing bad4:ringlab_args "bad5:hf:v2 is compared with its same-base build hf:base" \
	"bad6:has no version 'v9'" "bad7:key family: family nofam" "bad8:key versions.v2.dir"; do
	"$rl" nightly -c "$work/${b%%:*}.json" >/dev/null 2>"$work/bad.err"
	rc=$?
	[ $rc -eq 2 ] || fail "${b%%:*}: exit $rc, expected 2"
	grep -q "${b#*:}" "$work/bad.err" || fail "${b%%:*}: the error does not name ${b#*:}: $(cat "$work/bad.err")"
done
[ "$(api "$url/api/v1/runs" | jq .total)" = "$before" ] || fail "a bad configuration still ran something"
# A fleet night needs the PostgreSQL store; this daemon keeps SQLite: refused before anything runs.
"$rl" nightly -c "$work/n1.json" --fleet >/dev/null 2>"$work/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "--fleet on SQLite: exit $rc, expected 2"
grep -q "keeps its runs in sqlite: a fleet night needs the PostgreSQL store" "$work/bad.err" ||
	fail "--fleet on SQLite: $(cat "$work/bad.err")"
jq '.fleet = true | .ringlab_args = "--repeat 5 --engine null"' "$work/n1.json" >"$work/bad9.json"
"$rl" nightly -c "$work/bad9.json" >/dev/null 2>"$work/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "key ringlab_args: '--engine' cannot go to the fleet" "$work/bad.err" ||
	fail "fleet with --engine: exit $rc, $(cat "$work/bad.err")"
[ "$(api "$url/api/v1/runs" | jq .total)" = "$before" ] || fail "a refused fleet night still ran something"
echo "ok: bad configurations exit 2"
exit 0
