#!/bin/bash
# store_migrate.sh: a store main's ringlabd made at schema 3 (tests/data/store-v3: imported runs with causes, a failed verification, errors, a failed run, and a run it left running) opens at schema 4 and answers every run, the listing, a comparison and a history exactly as main answered them; the running run is aborted with its cells packed; nothing is left in the old places; a cell that no longer reads stops the migration with the run named and the store untouched.
. "$top_srcdir/tests/lib/ringlabd.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 is needed" >&2; exit 77; }
rld_init
rld_config
fx=$top_srcdir/tests/data/store-v3
db=$work/state/ringlab.db
same() {	# WHAT EXPECTED: the last body, sorted, is EXPECTED (jq -S) filtered by $filter
	jq -S "${filter:-.}" "$work/body" >"$work/got.json"
	jq -S "${filter:-.}" "$2" >"$work/want.json"
	diff "$work/want.json" "$work/got.json" >"$work/diff" || fail "$1 differs from main's: $(head -c 1500 "$work/diff")"
}

# A cell that is JSON but no cell: the migration stops, names the run, changes nothing.
mkdir -p "$work/state"
sqlite3 "$db" <"$fx/store.sql" || fail "cannot load $fx/store.sql"
sqlite3 "$db" "UPDATE cells SET json = '{\"workload\": 7}' WHERE run_id = 2 AND seq = 5" || fail "sqlite3"
sum_before=$(sqlite3 "$db" "SELECT count(*), sum(length(json)) FROM cells")
timeout 60 "$RLD" -c "$work/ringlabd.json" --port 0 >"$work/bad.log" 2>&1 && fail "ringlabd started on a store it cannot migrate"
grep -q "run 2" "$work/bad.log" || fail "the error does not name the run: $(cat "$work/bad.log")"
[ "$(sqlite3 "$db" "PRAGMA user_version")" = 3 ] || fail "the failed migration changed the schema version"
[ "$(sqlite3 "$db" "SELECT count(*), sum(length(json)) FROM cells")" = "$sum_before" ] ||
	fail "the failed migration changed the cells"
rm -f "$db" "$db-wal" "$db-shm"

sqlite3 "$db" <"$fx/store.sql" || fail "cannot load $fx/store.sql"
rld_start "$work/ringlabd.json"
[ "$(sqlite3 "$db" "PRAGMA user_version")" = 4 ] || fail "not migrated to schema 4"
for id in 1 2 3 4; do
	expect 200 GET "/api/v1/runs/$id"
	same "run $id" "$fx/run-$id.json"
done
expect 200 GET "/api/v1/runs?limit=100"
filter='.runs | map(select(.id != 5))' same "the listing" "$fx/list.json"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head"
same "compare label:base label:head" "$fx/compare.json"
expect 200 GET "/api/v1/history?workload=nw-overwrite-aligned@hot,fresh,count&jobs=1"
same "the history" "$fx/history.json"

# The run main's daemon left running: aborted at start-up, its two cells kept and packed.
expect 200 GET /api/v1/runs/5
jqe '.status == "aborted" and (.error | test("interrupted")) and (.cells | length) == 2'
jq -S '.cells' "$work/body" >"$work/run5.json"
jq -S '.cells[:2]' "$fx/run-3.json" | diff - "$work/run5.json" >/dev/null || fail "run 5's cells changed"
expect 200 GET "/api/v1/runs?label=crashed"
jqe '.runs[0].ncells == 2 and .runs[0].failed_cells == 0'
[ "$(sqlite3 "$db" "SELECT count(*) FROM cells")" = 0 ] || fail "cell rows left after the migration"
[ "$(sqlite3 "$db" "SELECT count(*) FROM cell_summaries")" = 37 ] || fail "not a summary per cell"
[ "$(sqlite3 "$db" "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'workloads'")" = 0 ] ||
	fail "runs.workloads is still there"
[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after the migration"

# Opened again at schema 4: the same answers, and it takes a new run.
rld_stop
rld_start "$work/ringlabd.json"
expect 200 GET /api/v1/runs/1
same "run 1 after a restart" "$fx/run-1.json"
jq -c '{run: (del(.id, .what, .target, .label, .kernel_tag, .kernel_release, .created, .created_ns,
	.duration_s, .summaries)), label: "again"}' "$fx/run-1.json" >"$work/again.json"
expect 201 POST /api/v1/runs/import --data-binary "@$work/again.json"
id=$(jq .id "$work/body")
expect 200 GET "/api/v1/runs/$id"
filter='.cells' same "run 1 imported again" "$fx/run-1.json"
echo "ok: schema 3 store migrated, every answer as main's"
