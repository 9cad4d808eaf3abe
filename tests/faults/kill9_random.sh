#!/bin/sh
# kill9_random.sh: ringlabd killed with SIGKILL in its first start's mkfs, then at a random point of its runs FAULT_KILLS times (20; make check-faults-long: 100), every fourth time again while it starts: each time the store passes its integrity check (SQLite's PRAGMA integrity_check; pg_amcheck with RL_TEST_STORE=postgresql), every run id it acknowledged (202 for a run, 201 for an import) is stored, every run it had finished is unchanged, no id is given twice, and the restarted daemon mounts its image once and goes on.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl jq sqlite3 losetup findmnt od

kills=${FAULT_KILLS:-20}
state=$DAEMON_DIR/state
mnt=$state/mnt/img
img=$state/img.img
acked=$DAEMON_DIR/acked		# one acknowledged id a line
finished=$DAEMON_DIR/finished	# each finished run as the listing shows it, a line
digests=$DAEMON_DIR/digests	# "ID DIGEST" of each finished run's whole JSON
poster=
cleanup()
{
	[ -n "$poster" ] && kill "$poster" 2>/dev/null
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null
	wait 2>/dev/null
	DAEMON_PID=
	# What a killed daemon leaves behind, if the last start did not take it back.
	mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
	for dev in $(losetup -n -O NAME -j "$img" 2>/dev/null); do
		losetup -d "$dev"
	done
	daemon_cleanup
}
trap cleanup EXIT
: >"$acked"
: >"$finished"
: >"$digests"

fault_config "$state" '{"name": "img", "kind": "image", "path": "img.img", "size": "1G"}'
# Runs of six short cells (layout, writes, verification each), so that a kill lands
# anywhere: in a layout, in the I/O, in a verification, in a store write, between runs.
fault_workload k9 nw-overwrite-aligned '.size_per_job = "2M" | .jobs = [1, 2] | del(.expect)'
fault_workload k9-holes nw-holes-aligned '.size_per_job = "2M" | .repetitions = 2 | .nowait = false'
fault_suite k9-suite k9 k9-holes

echo '{"suite": "k9-suite", "queue": true}' >"$DAEMON_DIR/run.json"
# A run made elsewhere, to import: the null engine's, which needs no target.
"$top_builddir/ringlab" run k9 --engine null --workloads "$DAEMON_DIR/workloads" -q \
	--json "$DAEMON_DIR/made.json" >/dev/null || fail "ringlab run --engine null"
jq '{run: ., label: "k9-import"}' "$DAEMON_DIR/made.json" >"$DAEMON_DIR/import.json"

# random_ms MAX: a random whole number of milliseconds in [0, MAX).
random_ms() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1)); }

# acked_post PATH BODY_FILE CODE: POST; the id is written down only once CODE has arrived.
acked_post()
{
	out=$(curl -sS --max-time 5 -w ' %{http_code}' -X POST "$DAEMON_URL$1" --data-binary "@$2" \
		2>/dev/null)
	case $out in
	*" $3") echo "${out% *}" | jq -r .id >>"$acked" ;;
	esac
}

# post_loop until killed: every 0.5 s a queued run (202) and an imported one (201).
post_loop()
{
	while :; do
		acked_post /api/v1/runs "$DAEMON_DIR/run.json" 202
		acked_post /api/v1/runs/import "$DAEMON_DIR/import.json" 201
		sleep 0.5
	done
}

# listed_finished: the finished runs as the listing shows them, a line each, by id (the
# listing pages by 1000 at the most, and 100 kills make more runs than that).
listed_finished()
{
	_off=0
	while :; do
		req GET "/api/v1/runs?limit=1000&offset=$_off" >/dev/null
		body '.runs[] | select(.status == "done" or .status == "failed" or .status == "aborted") |
			"\(.id) \(.status) \(.ncells) \(.failed_cells) \(.finished) \(.error)"'
		_off=$((_off + 1000))
		[ "$_off" -lt "$(body .total)" ] || break
	done | sort -n
}

run_digest() { req GET "/api/v1/runs/$1" >/dev/null && body '{status, error, cells}' | jq -S -c . | md5sum | cut -c1-32; }

# record_finished: what is finished now, and the whole JSON of what finished since the
# last call. A finished run never changes: check_after_kill compares the listing, the
# end the whole JSON.
record_finished()
{
	listed_finished >"$finished.now"
	while read -r id _; do
		grep -q "^$id " "$digests" || echo "$id $(run_digest "$id")" >>"$digests"
	done <"$finished.now"
	mv "$finished.now" "$finished"
}

# running_is_current: true when the runs listed as running are none, or the one the
# target says it runs ($running and $current: what the two requests answered).
running_is_current()
{
	req GET '/api/v1/runs?status=running' >/dev/null
	running=$(body '[.runs[].id] | join(" ")')
	req GET /api/v1/system >/dev/null
	current=$(body '.targets[0].current_run')
	[ -z "$running" ] || [ "$running" = "$current" ]
}

# check_after_kill N: the dead daemon's store, then a restarted daemon's answers.
check_after_kill()
{
	ic=$(daemon_db_check "$state")
	[ "$ic" = ok ] || fail "kill $1: the store's integrity check: $ic"
	stored=$(daemon_db_sql "$state" 'SELECT id FROM runs ORDER BY id' | tr '\n' ' ')
	for id in $(sort -n "$acked"); do
		case " $stored " in
		*" $id "*) ;;
		*) fail "kill $1: run $id was acknowledged and is not in the store (stored: $stored)" ;;
		esac
	done
	daemon_start 60 -c "$DAEMON_DIR/ringlabd.json" || fail "kill $1: restart: $DAEMON_ERR"
	[ "$(findmnt -rn -o TARGET | grep -cx "$mnt")" = 1 ] ||
		fail "kill $1: $mnt is mounted $(findmnt -rn -o TARGET | grep -cx "$mnt") times"
	[ "$(losetup -n -O NAME -j "$img" | wc -l)" = 1 ] ||
		fail "kill $1: $img is attached to $(losetup -n -O NAME -j "$img" | tr '\n' ' ')"
	listed_finished >"$finished.now"
	while read -r line; do
		grep -qxF "$line" "$finished.now" || fail "kill $1: finished run changed: was '$line', now '$(grep "^${line%% *} " "$finished.now")'"
	done <"$finished"
	# The run the kill interrupted is aborted: at most the target's current run is running.
	# The listing and the target come from two requests, and the runner may move on to the
	# next run between them, again and again on a busy machine: asked until they agree,
	# which a run left running from before the kill never lets them do.
	deadline 60
	until running_is_current; do
		in_time || fail "kill $1: runs $running are running, the target runs $current"
		sleep 0.2
	done
	max=$(sort -n "$acked" | tail -n 1)
	new=$(post_ok '{"suite": "k9-suite", "queue": true}')
	[ "$new" -gt "${max:-0}" ] || fail "kill $1: a new run got id $new, not above $max: ids reused"
	echo "$new" >>"$acked"
}

# spawn: ringlabd in the background, DAEMON_PID set at once (daemon_start waits for it).
spawn()
{
	rm -f "$DAEMON_DIR/port"
	"$top_builddir/ringlabd" -c "$DAEMON_DIR/ringlabd.json" --port 0 --port-file "$DAEMON_DIR/port" \
		>>"$DAEMON_DIR/rld.log" 2>&1 &
	DAEMON_PID=$!
}
sleep_ms() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
kill_daemon()
{
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

# Kill 0: the first start, while mkfs.ext4 makes the image (a stand-in first in PATH that
# only waits: the real one takes 50 ms). systemd kills the whole unit
# (KillMode=control-group): the daemon and its mkfs together.
mkdir "$DAEMON_DIR/bin"
printf '#!/bin/sh\necho $$ >"%s/mkfs.pid"\nexec sleep 60\n' "$DAEMON_DIR" >"$DAEMON_DIR/bin/mkfs.ext4"
chmod +x "$DAEMON_DIR/bin/mkfs.ext4"
path=$PATH
PATH=$DAEMON_DIR/bin:$PATH
spawn
PATH=$path
deadline 30
until [ -s "$DAEMON_DIR/mkfs.pid" ]; do
	in_time && [ ! -s "$DAEMON_DIR/port" ] || fail "the first start ran no mkfs.ext4"
	sleep 0.05
done
kill -KILL "$DAEMON_PID" "$(cat "$DAEMON_DIR/mkfs.pid")"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
daemon_start 120 -c "$DAEMON_DIR/ringlabd.json" ||
	fail "the start after one killed in its mkfs: $DAEMON_ERR: $(tail -n 3 "$DAEMON_DIR/rld.log")"
health_ok
echo "ok: kill 0, in the first start's mkfs.ext4: the next start made the image"

delays=
n=1
while [ $n -le "$kills" ]; do
	post_loop &
	poster=$!
	ms=$(random_ms 3000)
	delays="$delays $ms"
	sleep_ms "$ms"
	record_finished
	kill_daemon
	kill "$poster"
	wait "$poster" 2>/dev/null
	poster=
	if [ $((n % 4)) = 0 ]; then
		# And again while it starts: reclaiming the image's mount, recovering the store.
		spawn
		ms=$(random_ms 500)
		delays="$delays+${ms}"
		sleep_ms "$ms"
		kill_daemon
	fi
	check_after_kill $n
	n=$((n + 1))
done
health_ok
record_finished
while read -r id digest; do
	[ "$(run_digest "$id")" = "$digest" ] || fail "finished run $id changed: $(body '{status, error}')"
done <"$digests"
stop_daemon TERM 30
[ "$STOP_RC" = 0 ] || fail "ringlabd exited $STOP_RC after the last SIGTERM"
mountpoint -q "$mnt" && fail "$mnt still mounted after SIGTERM"
[ -z "$(losetup -n -O NAME -j "$img")" ] || fail "$img still attached after SIGTERM"
no_stray_files "$DAEMON_DIR"
echo "ok: $kills kills after$delays ms (+N: again N ms into the start): $(wc -l <"$acked") acknowledged runs stored, $(wc -l <"$digests") finished ones unchanged"
exit 0
