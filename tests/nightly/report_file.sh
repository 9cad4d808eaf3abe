#!/bin/bash
# report_file.sh: the report.json `ringlab nightly` keeps in its work directory (two "host" variants on one ext4) holds every *_ns value as an integer, never in exponent form, and the same started_ns/finished_ns as ringlabd stored for the night.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq
work=$DAEMON_DIR
# fail MSG: the message, then what the night printed.
fail() { echo "FAIL: $*" >&2; tail -n 15 "$work"/night.{out,err} >&2 2>/dev/null; exit 1; }

loopfs_create 128
mkdir "$LOOPFS_DIR/a" "$LOOPFS_DIR/b" "$LOOPFS_DIR/t"
daemon_config t="$LOOPFS_DIR/t"
daemon_start 10 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
kp=$work/kernel-patches
mkdir -p "$kp/variants"
for v in a b; do
	echo "{\"name\": \"$v\", \"kind\": \"host\", \"dir\": \"$LOOPFS_DIR/$v\"}" >"$kp/variants/$v.json"
done
jq -n --arg url "$DAEMON_URL" --arg kp "$kp" --arg wd "$work/nights" '{url: $url, kernel_patches_dir: $kp,
	variants: ["a", "b"], base: "a", suites: ["aligned-mixed"], label_prefix: "rf", work_dir: $wd,
	ringlab_args: "--jobs 1 --scale 0.002 --repeat 3", timeout_s: 120}' >"$work/night.json"
"$top_builddir/ringlab" nightly -c "$work/night.json" >"$work/night.out" 2>"$work/night.err"
rc=$?
[ $rc -le 1 ] || fail "nightly exited $rc"
report=$(ls "$work"/nights/rf-*/report.json 2>/dev/null | head -n 1)
[ -f "$report" ] || fail "no report.json kept in $work/nights"

# The text itself, not only what jq reads back: no _ns value with an exponent or a fraction.
bad=$(grep -E '"[a-z_]*_ns":[[:space:]]*-?[0-9]+[.eE]' "$report")
[ -z "$bad" ] || fail "report.json has _ns values that are not integers: $bad"
n=$(jq '[.. | objects | to_entries[] | select(.key | endswith("_ns")) | .value |
	select(type == "number" and (tostring | test("e|\\.")))] | length' "$report")
[ "$n" = 0 ] || fail "report.json: $n _ns values are not integers"
jq -e '(.started_ns | type) == "number" and .started_ns > 1e18 and .finished_ns >= .started_ns' "$report" >/dev/null ||
	fail "report.json: started_ns/finished_ns $(jq -c '[.started_ns, .finished_ns]' "$report")"
# ringlabd's columns and its copy of the document say the same times, to the digit: every
# "KEY_ns": DIGITS of report.json is in the API's text twice for the night's own started/finished
# (column and copy), once for each run's. Compared as text: jq 1.6 rounds such numbers.
latest=$(curl -fsS --max-time 60 "$DAEMON_URL/api/v1/nightly/latest" 2>&1) ||
	fail "GET /api/v1/nightly/latest: $latest"
pairs=$(grep -oE '"[a-z_]*_ns":[[:space:]]*[0-9]+' "$report" | tr -d ' \t')
[ -n "$pairs" ] || fail "report.json has no _ns values"
for p in $pairs; do
	n=$(grep -oF "$p" <<<"$latest" | wc -l)
	[ "$n" -ge 1 ] || fail "ringlabd's copy of the report lacks $p (it answered: ${latest:0:400})"
done
for k in started_ns finished_ns; do
	p=$(grep -oE "\"$k\":[[:space:]]*[0-9]+" "$report" | head -n 1 | tr -d ' \t')
	[ "$(grep -oF "$p" <<<"$latest" | wc -l)" -ge 2 ] || fail "ringlabd's $k column is not report.json's $p: it answered $(grep -oE "\"$k\":[^,]+" <<<"$latest" | tr '\n' ' ')"
done
echo "ok: report.json's _ns values are integers ($(jq -c '[.started_ns, .finished_ns]' "$report"))"
exit 0
