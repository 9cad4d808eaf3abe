#!/bin/sh
# killed_cleanup.sh: a test whose ringlabd was killed with SIGKILL holding its image target mounted leaves no mount and no loop device behind once its cleanup has run (daemon_cleanup unmounts, waiting out the dying process's busy mount, and detaches), so no test leaks them into the machine.
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl losetup findmnt
inner=$DAEMON_DIR/inner.sh
out=$DAEMON_DIR/inner.out
# The inner test: its own DAEMON_DIR, a daemon with an image target, killed at once, then exit
# through the EXIT trap daemon_require set, as a failing test would.
cat >"$inner" <<'INNER'
. "$top_srcdir/tests/lib/faults.sh"
daemon_require curl losetup findmnt
echo "$DAEMON_DIR"
fault_config "$DAEMON_DIR/state" '{"name": "img", "kind": "image", "path": "img.img", "size": "1G"}'
daemon_start 120 -c "$DAEMON_DIR/ringlabd.json" || fail "$DAEMON_ERR"
mountpoint -q "$DAEMON_DIR/state/mnt/img" || fail "the image is not mounted"
kill -KILL "$DAEMON_PID"
DAEMON_PID=
exit 0
INNER
top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$inner" >"$out" 2>&1
rc=$?
dir=$(head -n 1 "$out")
case $dir in /*) ;; *) fail "the inner test printed no directory (exit $rc): $(tail -n 3 "$out")" ;; esac
[ $rc -eq 0 ] || fail "the inner test failed (exit $rc): $(tail -n 3 "$out")"
left=$(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts)
loops=$(losetup -n -O NAME,BACK-FILE | awk -v d="$dir/" 'index($2, d) == 1 { print $1 }')
kept=no
[ -e "$dir" ] && kept=yes
# Whatever it left, taken back here, so that this test leaks nothing either.
own=$DAEMON_DIR
DAEMON_DIR=$dir
daemon_release
DAEMON_DIR=$own
rm -rf "$dir"
[ -z "$left" ] || fail "still mounted after the cleanup: $left"
[ -z "$loops" ] || fail "loop devices still attached after the cleanup: $loops"
[ $kept = no ] || fail "$dir was not removed by the cleanup"
echo "ok: nothing mounted or attached under $dir after its daemon was killed"
