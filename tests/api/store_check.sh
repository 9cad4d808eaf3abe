#!/bin/sh
# SPDX-License-Identifier: MIT
# store_check.sh: a database corrupt only in its cell pages still starts ringlabd, whose /health names what PRAGMA quick_check found instead of "store ok".
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq sqlite3
loopfs_create 64
work=$DAEMON_DIR
db=$work/state/ringlab.db
fail()
{
	echo "FAIL: $*" >&2
	[ -f "$work/rld.log" ] && tail -n 20 "$work/rld.log" >&2
	exit 1
}

daemon_config scratch="$LOOPFS_DIR"
daemon_start 20 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
curl -sS "$DAEMON_URL/api/v1/health" >"$work/health" || fail "no /health"
jq -e '.status == "ok" and .store == "ok" and .store_check == "ok"' "$work/health" >/dev/null ||
	fail "a fresh store: $(cat "$work/health")"

# Runs with enough cells to fill several pages of the cell summaries.
"$top_builddir/ringlab" run aligned-mixed --engine null --repeat 3 --scale 0.001 \
	--workloads "$top_srcdir/workloads" --json "$work/run.json" >/dev/null 2>&1 ||
	fail "ringlab run --engine null failed"
for _ in 1 2 3 4; do
	jq '{run: .}' "$work/run.json" | curl -sS -o /dev/null -w '%{http_code}\n' \
		--data-binary @- "$DAEMON_URL/api/v1/runs/import" | grep -qx 201 || fail "import refused"
done
daemon_stop

# Garbage over the first leaf page of cell_summaries: the runs table, all start-up reads, is intact.
page=$(sqlite3 "$db" "SELECT pageno FROM dbstat WHERE name = 'cell_summaries' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1")
size=$(sqlite3 "$db" 'PRAGMA page_size')
[ -n "$page" ] && [ -n "$size" ] || fail "no leaf page of cell_summaries in $db"
head -c 512 /dev/zero | tr '\0' '\377' |
	dd of="$db" bs=1 seek=$(((page - 1) * size + 8)) conv=notrunc status=none || fail "dd"

daemon_start 20 -c "$work/ringlabd.json" || fail "a store corrupt in its cells stops start-up: $DAEMON_ERR"
code=$(curl -sS -o "$work/health" -w '%{http_code}' "$DAEMON_URL/api/v1/health")
[ "$code" = 503 ] || fail "/health answered $code: $(cat "$work/health")"
jq -e '.status == "degraded" and (.store_check | test("quick_check")) and
	(.store | test("quick_check"))' "$work/health" >/dev/null ||
	fail "/health does not report the corruption: $(cat "$work/health")"
grep -q "quick_check" "$work/rld.log" || fail "the log does not name the corruption"
# The daemon still serves; a run whose cells are lost is an error, not a crash.
curl -sS "$DAEMON_URL/api/v1/system" | jq -e '.targets[0].name == "scratch"' >/dev/null ||
	fail "/api/v1/system does not answer"
code=$(curl -sS -o "$work/run" -w '%{http_code}' "$DAEMON_URL/api/v1/runs/1")
[ "$code" = 200 ] || [ "$code" = 500 ] || fail "GET /api/v1/runs/1 answered $code: $(cat "$work/run")"
echo "ok: $(jq -r .store_check "$work/health")"
exit 0
