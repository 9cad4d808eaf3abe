#!/bin/bash
# store_migrate.sh: a store main's ringlabd made at schema 3 (tests/data/store-v3: imported runs with causes, a failed verification, errors, a failed run, and a run it left running) opens at schema 5 and answers every run, the listing, a comparison and a history exactly as main answered them; the running run is aborted with its cells packed; nothing is left in the old places; the rewritten store is VACUUMed (logged, smaller, no free page) and systemd is asked for more start-up time while it migrates, within a unit whose TimeoutStartSec fits a 10-minute migration; a cell that no longer reads stops the migration with the run named and the store untouched.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq sqlite3
loopfs_create 64
daemon_config scratch="$LOOPFS_DIR"
fx=$top_srcdir/tests/data/store-v3
db=$DAEMON_DIR/state/ringlab.db
# What the recording daemon did not have yet: the host a run ran on (a migrated
# run has none), what bad blocks hold, the return probes.
later='walk(if type == "object" then del(.host, .machine_id, .cpu_model, .guest_host, .device_model,
	.cross_host, .host_note, .lab_host, .found_blocks, .found_as, .found_gen, .found_offset,
	.eagain_probes, .verify_found, .fleet) else . end)'
same() {	# WHAT EXPECTED: the last body, sorted, is EXPECTED (jq -S) filtered by $filter
	jq -S "${filter:-.} | $later" "$DAEMON_DIR/body" >"$DAEMON_DIR/got.json"
	jq -S "${filter:-.} | $later" "$2" >"$DAEMON_DIR/want.json"
	diff "$DAEMON_DIR/want.json" "$DAEMON_DIR/got.json" >"$DAEMON_DIR/diff" || fail "$1 differs from main's: $(head -c 1500 "$DAEMON_DIR/diff")"
}

# A cell that is JSON but no cell: the migration stops, names the run, changes nothing.
mkdir -p "$DAEMON_DIR/state"
sqlite3 "$db" <"$fx/store.sql" || fail "cannot load $fx/store.sql"
sqlite3 "$db" "UPDATE cells SET json = '{\"workload\": 7}' WHERE run_id = 2 AND seq = 5" || fail "sqlite3"
sum_before=$(sqlite3 "$db" "SELECT count(*), sum(length(json)) FROM cells")
timeout 60 "$DAEMON_BIN" -c "$DAEMON_DIR/ringlabd.json" --port 0 >"$DAEMON_DIR/bad.log" 2>&1 && fail "ringlabd started on a store it cannot migrate"
grep -q "run 2" "$DAEMON_DIR/bad.log" || fail "the error does not name the run: $(cat "$DAEMON_DIR/bad.log")"
[ "$(sqlite3 "$db" "PRAGMA user_version")" = 3 ] || fail "the failed migration changed the schema version"
[ "$(sqlite3 "$db" "SELECT count(*), sum(length(json)) FROM cells")" = "$sum_before" ] ||
	fail "the failed migration changed the cells"
rm -f "$db" "$db-wal" "$db-shm"

# A migration takes minutes on a large store: the unit waits that long, and ringlabd asks for more.
unit=$top_srcdir/systemd/ringlabd.service.in
grep -qx 'Type=notify' "$unit" || fail "$unit is not Type=notify: EXTEND_TIMEOUT_USEC would go unread"
start_min=$(sed -n 's/^TimeoutStartSec=\([0-9]*\)min$/\1/p' "$unit")
[ "${start_min:-0}" -ge 20 ] || fail "$unit: TimeoutStartSec=$(sed -n 's/^TimeoutStartSec=//p' "$unit") does not fit a 10-minute migration"
"$top_builddir/tests/api/notify_listen" "$DAEMON_DIR/notify.sock" "$DAEMON_DIR/notify.log" &
DAEMON_BG="$DAEMON_BG $!"
wait_until 10 "notify_listen did not bind" test -S "$DAEMON_DIR/notify.sock"

sqlite3 "$db" <"$fx/store.sql" || fail "cannot load $fx/store.sql"
loaded=$(stat -c %s "$db")
NOTIFY_SOCKET=$DAEMON_DIR/notify.sock daemon_up -c "$DAEMON_DIR/ringlabd.json"
[ "$(sqlite3 "$db" "PRAGMA user_version")" -ge 5 ] || fail "not migrated to schema 5"
# The port file comes before READY=1, and notify_listen writes what it got when it runs: wait for it.
wait_until 10 "no READY=1 in $DAEMON_DIR/notify.log" grep -q '^READY=1$' "$DAEMON_DIR/notify.log"
extend=$(grep -n -m 1 '^EXTEND_TIMEOUT_USEC=60000000$' "$DAEMON_DIR/notify.log" | cut -d: -f1)
ready=$(grep -n -m 1 '^READY=1$' "$DAEMON_DIR/notify.log" | cut -d: -f1)
[ -n "$extend" ] && [ -n "$ready" ] && [ "$extend" -lt "$ready" ] ||
	fail "no EXTEND_TIMEOUT_USEC before READY=1: $(cat "$DAEMON_DIR/notify.log")"
grep -q "store: schema migrated from version 3 to $(sqlite3 "$db" "PRAGMA user_version")" "$DAEMON_DIR/rld.log" ||
	fail "the migration is not logged"
vac=$(sed -n 's/.*store: VACUUM after the migration: \([0-9]*\) bytes -> \([0-9]*\) bytes in .*/\1 \2/p' "$DAEMON_DIR/rld.log")
[ -n "$vac" ] && [ "${vac#* }" -lt "${vac% *}" ] || fail "no VACUUM that shrank the store logged: '$vac'"
[ "$(sqlite3 "$db" "PRAGMA freelist_count")" = 0 ] || fail "free pages left after the migration's VACUUM"
for id in 1 2 3 4; do
	expect 200 GET "/api/v1/runs/$id"
	same "run $id" "$fx/run-$id.json"
done
expect 200 GET "/api/v1/runs?limit=100"
filter='.runs | map(select(.id != 5))' same "the listing" "$fx/list.json"
expect 200 GET "/api/v1/compare?base=label:base&head=label:head"
# Added since: each side's matched, its runs' status and error, a cell's eagain_cause, cross_host_allowed.
filter='del(.base.matched, .head.matched, .cross_host_allowed) |
	.base.runs |= map(del(.status, .error)) | .head.runs |= map(del(.status, .error)) |
	walk(if type == "object" then del(.eagain_cause) else . end)' \
	same "compare label:base label:head" "$fx/compare.json"
expect 200 GET "/api/v1/history?workload=nw-overwrite-aligned@hot,fresh,count&jobs=1"
same "the history" "$fx/history.json"

# The run main's daemon left running: aborted at start-up, its two cells kept and packed.
expect 200 GET /api/v1/runs/5
jqe '.status == "aborted" and (.error | test("interrupted")) and (.cells | length) == 2'
jq -S ".cells | $later" "$DAEMON_DIR/body" >"$DAEMON_DIR/run5.json"
jq -S ".cells[:2] | $later" "$fx/run-3.json" | diff - "$DAEMON_DIR/run5.json" >/dev/null || fail "run 5's cells changed"
expect 200 GET "/api/v1/runs?label=crashed"
jqe '.runs[0].ncells == 2 and .runs[0].failed_cells == 0'
[ "$(sqlite3 "$db" "SELECT count(*) FROM cells")" = 0 ] || fail "cell rows left after the migration"
[ "$(sqlite3 "$db" "SELECT count(*) FROM cell_summaries")" = 37 ] || fail "not a summary per cell"
[ "$(sqlite3 "$db" "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'workloads'")" = 0 ] ||
	fail "runs.workloads is still there"
[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after the migration"

# Opened again at schema 5: the same answers, and it takes a new run.
daemon_stop
[ "$(stat -c %s "$db")" -lt "$loaded" ] || fail "the migrated store ($(stat -c %s "$db") bytes) is not smaller than at schema 3 ($loaded)"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
expect 200 GET /api/v1/runs/1
same "run 1 after a restart" "$fx/run-1.json"
jq -c '{run: (del(.id, .what, .target, .label, .kernel_tag, .kernel_release, .created, .created_ns,
	.duration_s, .summaries)), label: "again"}' "$fx/run-1.json" >"$DAEMON_DIR/again.json"
expect 201 POST /api/v1/runs/import --data-binary "@$DAEMON_DIR/again.json"
id=$(jq .id "$DAEMON_DIR/body")
expect 200 GET "/api/v1/runs/$id"
filter='.cells' same "run 1 imported again" "$fx/run-1.json"
echo "ok: schema 3 store migrated, every answer as main's; VACUUM ${vac% *} -> ${vac#* } bytes"
