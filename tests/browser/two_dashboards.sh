#!/bin/sh
# SPDX-License-Identifier: MIT
# two_dashboards.sh: two ringlabd on one real PostgreSQL, under host names of their own (dash-a, dash-b), each making a run: in chromium, each one's dashboard lists both runs, each with the host that made it. Skips (77) without chromium, node, PostgreSQL or unshare -u.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

. "$top_srcdir/tests/lib/browser.sh"
browser_require
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
browser_web "$DAEMON_DIR/web"
fleet_up a dash-a "\"web_dir\": \"$DAEMON_DIR/web\""
fleet_up b dash-b "\"web_dir\": \"$DAEMON_DIR/web\""

# One run on each machine, asked of its own daemon.
small='"workload": "nw-overwrite-aligned", "scale": 0.02, "repeat": 1'
DAEMON_URL=$fleet_url_a
run_a=$(post_run "{$small, \"label\": \"made-on-a\"}")
DAEMON_URL=$fleet_url_b
run_b=$(post_run "{$small, \"label\": \"made-on-b\"}")
[ -n "$run_a" ] && [ -n "$run_b" ] || fail "a run was refused: $(body .)"
for id in $run_a $run_b; do
	wait_run "$id" 60 done failed aborted
	run_is "$id" done || fail "run $id: $(body '{status, error}')"
done

RINGLAB_URLS="$fleet_url_a/ $fleet_url_b/" RINGLAB_RUNS="{\"$run_a\": \"dash-a\", \"$run_b\": \"dash-b\"}" \
	browser_test two_dashboards.test.mjs || fail "the dashboards do not show both hosts' runs"
exit 0
