#!/bin/sh
# state_full.sh: the state filesystem (a small tmpfs) fills up under a run: the run ends failed instead of staying "running", /health reports the store failure, cancel and new runs say why; with space again the end is recorded, and across a restart the real reason is recorded, not "interrupted".
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq mountpoint dd

state=$DAEMON_DIR/state
cleanup()
{
	daemon_stop
	mountpoint -q "$state" && umount "$state"
	daemon_cleanup
}
trap cleanup EXIT
fail()
{
	echo "FAIL: $*" >&2
	tail -n 20 "$DAEMON_DIR/rld.log" >&2
	exit 1
}
# req METHOD PATH [BODY]: the status code; the body in $DAEMON_DIR/body.
req()
{
	curl -sS --max-time 10 -o "$DAEMON_DIR/body" -w '%{http_code}' -X "$1" "$DAEMON_URL$2" \
		${3:+-d "$3"}
}
body() { jq -r "$1" "$DAEMON_DIR/body"; }
status() { req GET "/api/v1/runs/$1" >/dev/null && body .status; }
wait_status()	# ID STATUS: up to 120 s
{
	_i=0
	while [ "$(status "$1")" != "$2" ]; do
		[ $_i -lt 1200 ] || fail "run $1 is $(status "$1"), not $2"
		sleep 0.1
		_i=$((_i + 1))
	done
}
# Start a run of 3-second cells, let it store a cell, then fill the state filesystem.
run_into_full()
{
	_id=$(req POST /api/v1/runs '{"workload": "slow-cells"}' >/dev/null && body .id)
	[ -n "$_id" ] && [ "$_id" != null ] || fail "POST: $(cat "$DAEMON_DIR/body")"
	_i=0
	until [ "$(req GET "/api/v1/runs/$_id" >/dev/null && body '.cells | length')" -ge 1 ] 2>/dev/null; do
		[ $_i -lt 1200 ] || fail "run $_id stored no cell in 120 s"
		sleep 0.1
		_i=$((_i + 1))
	done
	dd if=/dev/zero of="$state/fill" bs=64k >/dev/null 2>&1
	[ "$(df --output=avail -k "$state" | tail -n 1)" -lt 64 ] || fail "the state filesystem is not full"
	# Its next cell cannot be stored: the run ends, and its end cannot be stored either.
	_i=0
	while [ "$(status "$_id")" = running ]; do
		[ $_i -lt 600 ] || fail "run $_id stays running on a full state filesystem"
		sleep 0.1
		_i=$((_i + 1))
	done
	id=$_id
}

loopfs_create 256
mkdir "$state" "$DAEMON_DIR/workloads" || fail "mkdir"
mount -t tmpfs -o size=8m,mode=0750 ringlab-state "$state" || fail "cannot mount a tmpfs"
jq '.name = "slow-cells" | .duration_ms = 3000 | .repetitions = 20' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/slow-cells.json"
jq '.name = "quick" | .repetitions = 1' \
	"$top_srcdir/workloads/nw-overwrite-aligned.json" >"$DAEMON_DIR/workloads/quick.json"
printf '{"state_dir": "%s", "workloads_dir": "%s", "targets": [{"name": "scratch", "kind": "dir", "path": "%s"}]}\n' \
	"$state" "$DAEMON_DIR/workloads" "$LOOPFS_DIR" >"$DAEMON_DIR/ringlabd.json"
daemon_start 30 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"

# 1. Full while the daemon runs on.
run_into_full
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && body .error | grep -q . && body .store_error | grep -q . ||
	fail "run $id: $(body '{status, error, store_error}' | tr -d '\n')"
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
echo "ok: run $id ended '$reason' on a full state filesystem; /health: $(req GET /api/v1/health >/dev/null; body .store)"

rm -f "$state/fill"
i=0
until [ "$(req GET /api/v1/health)" = 200 ]; do
	[ $i -lt 300 ] || fail "/health still $(cat "$DAEMON_DIR/body") 30 s after space came back"
	sleep 0.1
	i=$((i + 1))
done
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && [ "$(body .error)" = "$reason" ] && [ "$(body .store_error)" = null ] ||
	fail "run $id once recorded: $(body '{status, error, store_error}' | tr -d '\n')"
quick=$(req POST /api/v1/runs '{"workload": "quick"}' >/dev/null && body .id)
wait_status "$quick" done
echo "ok: with space again run $id is recorded as it ended and run $quick is done"

# 2. Full when ringlabd stops: the next start records the real end.
run_into_full
reason=$(req GET "/api/v1/runs/$id" >/dev/null && body .error)
daemon_stop
grep -q "recorded at the next start" "$DAEMON_DIR/rld.log" || fail "the end was not kept for the next start"
rm -f "$state/fill"
daemon_start 30 -c "$DAEMON_DIR/ringlabd.json" || fail "restart: $DAEMON_ERR"
req GET "/api/v1/runs/$id" >/dev/null
[ "$(body .status)" = failed ] && [ "$(body .error)" = "$reason" ] ||
	fail "run $id after the restart: $(body '{status, error}' | tr -d '\n'), want failed '$reason'"
[ "$(req GET /api/v1/health)" = 200 ] || fail "/health after the restart: $(cat "$DAEMON_DIR/body")"
echo "ok: after a restart run $id is failed '$reason'"
daemon_stop
exit 0
