#!/bin/sh
# SPDX-License-Identifier: MIT
# import_text.sh: POST /api/v1/runs/import stores a run's cells as the request carried them, blanks left out, not printed again (a number written 7.0e0 stays so), and the run reads back as the same import sent compact; a bad cell is refused naming it and stores nothing; a label or kernel tag with a control character (given, or the run's env's) is refused; and importing a body over max_body again and again does not fault the daemon's memory in again each time (it is trimmed only after a body of 1 MiB).
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require sqlite3
# The cells are packed by zlib behind an 8-byte header; SQLite's shell unpacks zlib with sqlar_uncompress().
sqlite3 :memory: "SELECT sqlar_uncompress(x'00', 1)" >/dev/null 2>&1 ||
	{ echo "SKIP: this sqlite3 shell has no sqlar_uncompress()" >&2; exit 77; }
daemon_scratch
rl=$top_builddir/ringlab
db=$DAEMON_DIR/state/ringlab.db

# What `ringlab run --json` writes: cJSON's formatted text, tabs and newlines.
"$rl" run aligned-mixed --engine null --jobs 1 --repeat 2 --scale 0.01 --json "$DAEMON_DIR/r.json" \
	>/dev/null 2>&1 || fail "ringlab run --engine null"
grep -q '	' "$DAEMON_DIR/r.json" || fail "ringlab run --json wrote no tabs: nothing to leave out"
# The first cell's ctx_voluntary written as cJSON never prints a number.
sed '0,/"ctx_voluntary":[[:space:]]*\([0-9][0-9]*\)/s//"ctx_voluntary": \1.0e0/' "$DAEMON_DIR/r.json" \
	>"$DAEMON_DIR/odd.json"
ctx=$(jq '.cells[0].ctx_voluntary' "$DAEMON_DIR/r.json")
grep -q "\"ctx_voluntary\": $ctx.0e0" "$DAEMON_DIR/odd.json" || fail "sed did not rewrite ctx_voluntary"
{ printf '{"label": "as-sent",\n "run": '; cat "$DAEMON_DIR/odd.json"; printf '}\n'; } >"$DAEMON_DIR/sent.json"
expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/sent.json"
sent=$(body .id)

# The stored cells: the header's length (little-endian), then zlib's stream.
stored_cells()	# ID: the run's packed cells as text
{
	_h=$(sqlite3 "$db" "SELECT hex(substr(cells, 5, 4)) FROM run_details WHERE run_id = $1")
	[ ${#_h} = 8 ] || fail "run $1: no packed cells ($_h)"
	_n=$(printf '%d' "0x$(echo "$_h" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')")
	sqlite3 "$db" "SELECT CAST(sqlar_uncompress(substr(cells, 9), $_n) AS TEXT) FROM run_details
		WHERE run_id = $1"
}
stored_cells "$sent" >"$DAEMON_DIR/stored"
grep -q "\"ctx_voluntary\":$ctx.0e0," "$DAEMON_DIR/stored" ||
	fail "the cells were not stored as sent: $(grep -o '"ctx_voluntary":[^,]*' "$DAEMON_DIR/stored" | head -n 1)"
[ "$(tr -d '\t\r' <"$DAEMON_DIR/stored" | wc -c)" = "$(wc -c <"$DAEMON_DIR/stored")" ] &&
	[ "$(wc -l <"$DAEMON_DIR/stored")" -le 1 ] || fail "the stored cells kept the request's blanks"
jq -e --argjson n "$(jq '.cells | length' "$DAEMON_DIR/r.json")" 'length == $n' "$DAEMON_DIR/stored" \
	>/dev/null || fail "the stored cells are not the run's array"

# Read back, the run is what the same run sent compact reads as.
jq -c '{run: ., label: "compact"}' "$DAEMON_DIR/r.json" >"$DAEMON_DIR/compact.json"
expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/compact.json"
compact=$(body .id)
expect 200 GET "/api/v1/runs/$sent"
jq -S .cells "$DAEMON_DIR/body" >"$DAEMON_DIR/cells.sent"
expect 200 GET "/api/v1/runs/$compact"
jq -S .cells "$DAEMON_DIR/body" >"$DAEMON_DIR/cells.compact"
cmp -s "$DAEMON_DIR/cells.sent" "$DAEMON_DIR/cells.compact" ||
	fail "the run sent with blanks reads back otherwise: $(diff "$DAEMON_DIR/cells.sent" "$DAEMON_DIR/cells.compact" | head -n 6)"
expect 200 GET "/api/v1/compare?base=$sent&head=$compact"
jqe '.summary.regressed == 0 and .summary.improved == 0 and .summary.corrupt == 0'

# A bad cell: refused naming it, and nothing of the run is stored.
runs=$(sqlite3 "$db" "SELECT count(*) FROM runs")
jq -c '{run: (.cells[1].jobs = "two")}' "$DAEMON_DIR/r.json" >"$DAEMON_DIR/bad.json"
expect 400 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/bad.json"
jqe '.error | test("cells\\[1\\]\\.jobs")'
[ "$(sqlite3 "$db" "SELECT count(*) FROM runs")" = "$runs" ] &&
	[ "$(sqlite3 "$db" "SELECT count(*) FROM cell_summaries WHERE run_id > $compact")" = 0 ] ||
	fail "a refused import left rows behind"

# Names every listing prints: a newline or an escape in a label or kernel tag, given or the run's own, is refused.
for f in '{label: "v3\nrc1"}' '{kernel_tag: "t\u001b[31m"}' '{run: {env: {label: "a\u0007"}}}' \
	'{run: {env: {kernel_tag: "b\u007f"}}}'; do
	jq -c "{run: .} * $f" "$DAEMON_DIR/r.json" >"$DAEMON_DIR/ctl.json"
	expect 400 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/ctl.json"
	jqe '.error | test("holds a control character")'
done
[ "$(sqlite3 "$db" "SELECT count(*) FROM runs")" = "$runs" ] || fail "a refused name left a run behind"

# A body over max_body (64 KiB: the large-body path) imported again and again: the memory its
# connection thread freed is used again, not given back and faulted in at every import.
"$rl" run aligned-mixed --engine null --jobs 1 --repeat 100 --scale 0.001 --json "$DAEMON_DIR/big.json" \
	>/dev/null 2>&1 || fail "ringlab run --repeat 100"
jq -c '{run: ., label: "big"}' "$DAEMON_DIR/big.json" >"$DAEMON_DIR/big-body.json"
[ "$(wc -c <"$DAEMON_DIR/big-body.json")" -gt 65536 ] || fail "the big body is not over 64 KiB"
minflt() { awk '{ print $10 }' "/proc/$DAEMON_PID/stat"; }
for _ in 1 2; do
	expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/big-body.json"
done
# The fewest of ten: trimming faults some 300 pages in at every import, while the machine's
# other load may fault in a few now and then (code pages it reclaimed).
least=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	f0=$(minflt)
	expect 201 POST /api/v1/runs/import --data-binary @"$DAEMON_DIR/big-body.json"
	f=$(($(minflt) - f0))
	[ -n "$least" ] && [ "$least" -le "$f" ] || least=$f
done
[ "$least" -lt 50 ] || fail "at least $least page faults an import of a $(wc -c <"$DAEMON_DIR/big-body.json")-byte body"
exit 0
