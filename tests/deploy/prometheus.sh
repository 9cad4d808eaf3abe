#!/bin/sh
# prometheus.sh: deploy/prometheus's example scrape configuration and alert rules pass `promtool check config` and `check rules`, and each alert fires, and only then, as its unit test (promtool test rules) says.
command -v promtool >/dev/null 2>&1 || { echo "SKIP: needs promtool (apt-get install prometheus)" >&2; exit 77; }
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=$top_srcdir/deploy/prometheus
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(promtool check config "$dir/prometheus.yml" 2>&1) || fail "promtool check config: $out"
echo "$out" | grep -q "1 rule files found" || fail "the config does not load the rules: $out"
out=$(promtool check rules "$dir/ringlab.rules.yml" 2>&1) || fail "promtool check rules: $out"
echo "$out" | grep -q "2 rules found" || fail "expected the 2 alerts: $out"
# promtool test rules reads the rule files relative to the test file.
out=$(cd "$dir" && promtool test rules ringlab.rules_test.yml 2>&1) || fail "promtool test rules: $out"
for a in RinglabNightlyRegressed RinglabDaemonDown; do
	grep -q "alertname: $a" "$dir/ringlab.rules_test.yml" || fail "no unit test for $a"
done
exit 0
