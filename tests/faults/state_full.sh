#!/bin/sh
# state_full.sh: the filesystem the store writes to (a small tmpfs: the state directory's, or with RL_TEST_STORE=postgresql the database's tablespace) fills up under a run: the run ends failed instead of staying "running", /health reports the store failure, cancel and new runs say why; with space again the end is recorded, and across a restart the real reason is recorded, not "interrupted", with the environment only the end knows (env.uring_opcodes) kept in the end file.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq mountpoint dd

state=$DAEMON_DIR/state
cleanup()
{
	daemon_stop
	mountpoint -q "$state" && umount "$state"
	daemon_cleanup
}
trap cleanup EXIT
has_cell() { req GET "/api/v1/runs/$1" >/dev/null && [ "$(body '.cells | length')" -ge 1 ]; }
healthy() { [ "$(req GET /api/v1/health)" = 200 ]; }
# Start a run of 3-second cells, let it store a cell, then fill the state filesystem:
# its next cell cannot be stored, so the run ends, and its end cannot be stored either.
run_into_full()
{
	id=$(post_run '{"workload": "slow-cells"}')
	[ -n "$id" ] || fail "POST: $(cat "$DAEMON_DIR/body")"
	wait_until 120 "run $id stored no cell in 120 s" has_cell "$id"
	dd if=/dev/zero of="$full/fill" bs=64k >/dev/null 2>&1
	[ "$(df --output=avail -k "$full" | tail -n 1)" -lt 64 ] || fail "the store's filesystem is not full"
	wait_until 60 "run $id stays running on a full filesystem under the store" eval '! run_is "$id" running'
}

loopfs_create 256
mkdir "$state" "$DAEMON_DIR/workloads" || fail "mkdir"
# full: the filesystem the store writes to, which the test fills (pg_stop unmounts PostgreSQL's).
if [ -n "$PG_STORE_JSON" ]; then
	# A fresh database takes about 8 MB of its tablespace (its catalogs move with it).
	pg_small_space 16
	full=$PG_SPACE
else
	mount -t tmpfs -o size=8m,mode=0750 ringlab-state "$state" || fail "cannot mount a tmpfs"
	full=$state
fi
jq '.name = "slow-cells" | .duration_ms = 3000 | .repetitions = 20' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/slow-cells.json"
jq '.name = "quick" | .repetitions = 1' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/quick.json"
printf '{"state_dir": "%s", "workloads_dir": "%s", "targets": [{"name": "scratch", "kind": "dir", "path": "%s"}]%s}\n' \
	"$state" "$DAEMON_DIR/workloads" "$LOOPFS_DIR" "${PG_STORE_JSON:+, $PG_STORE_JSON}" >"$DAEMON_DIR/ringlabd.json"
daemon_start 30 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"

# 1. Full while the daemon runs on.
run_into_full
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && body .error | grep -q . && body .store_error | grep -q . &&
	[ "$(body '.finished_ns > 0 and (.finished | type) == "string"')" = true ] ||
	fail "run $id: $(body '{status, error, store_error, finished, finished_ns}' | tr -d '\n')"
reason=$(body .error)
[ "$(req GET /api/v1/health)" = 503 ] || fail "/health answered $(cat "$DAEMON_DIR/body")"
[ "$(body .status)" = degraded ] && body .store | grep -q "run $id" &&
	[ "$(body '.unrecorded_runs[0].id')" = "$id" ] || fail "/health: $(cat "$DAEMON_DIR/body")"
[ "$(req POST "/api/v1/runs/$id/cancel")" = 409 ] || fail "cancel: $(cat "$DAEMON_DIR/body")"
[ "$(req POST /api/v1/runs '{"workload": "quick"}')" = 503 ] && body .error | grep -q "run $id" ||
	fail "POST beside the unrecorded end: $(cat "$DAEMON_DIR/body")"
req GET "/api/v1/runs?status=running" >/dev/null
[ "$(body '.runs | map(select(.id == '"$id"')) | length')" = 0 ] || fail "listed as running"
req GET /api/v1/runs >/dev/null
[ "$(body '.runs[] | select(.id == '"$id"') | .status')" = failed ] || fail "listed: $(cat "$DAEMON_DIR/body")"
echo "ok: run $id ended '$reason' on a full filesystem under the store; /health: $(req GET /api/v1/health >/dev/null; body .store)"

rm -f "$full/fill"
wait_until 30 "/health not ok 30 s after space came back" healthy
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && [ "$(body .error)" = "$reason" ] && [ "$(body .store_error)" = null ] ||
	fail "run $id once recorded: $(body '{status, error, store_error}' | tr -d '\n')"
quick=$(post_run '{"workload": "quick"}')
wait_run "$quick" 120 done
echo "ok: with space again run $id is recorded as it ended and run $quick is done"

# 2. Full when ringlabd stops: the next start records the real end.
run_into_full
reason=$(req GET "/api/v1/runs/$id" >/dev/null && body .error)
daemon_stop
grep -q "recorded at the next start" "$DAEMON_DIR/rld.log" || fail "the end was not kept for the next start"
# The end file keeps the environment only the end knows (the io_uring opcodes used), as the spool does.
jq -e --argjson i "$id" '.id == $i and .status == "failed" and (.env.uring_opcodes // "") != ""' \
	"$state/run-end-scratch" >/dev/null || fail "the end file lacks run $id's final env: $(head -c 300 "$state/run-end-scratch")"
jq -S .env "$state/run-end-scratch" >"$DAEMON_DIR/want.env"
rm -f "$full/fill"
daemon_start 30 -c "$DAEMON_DIR/ringlabd.json" || fail "restart: $DAEMON_ERR"
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && [ "$(body .error)" = "$reason" ] ||
	fail "run $id after the restart: $(body '{status, error}' | tr -d '\n'), want failed '$reason'"
body '.env' | jq -S . >"$DAEMON_DIR/got.env"
opcodes=$(body .env.uring_opcodes)
[ -n "$opcodes" ] && cmp -s "$DAEMON_DIR/want.env" "$DAEMON_DIR/got.env" ||
	fail "run $id's env after the restart is not its end's: $(diff "$DAEMON_DIR/want.env" "$DAEMON_DIR/got.env" | head -n 10)"
healthy || fail "/health after the restart: $(cat "$DAEMON_DIR/body")"
echo "ok: after a restart run $id is failed '$reason' with its end's env (opcodes $opcodes)"
daemon_stop
exit 0
