#!/bin/sh
# duplicate_targets.sh: ringlabd refuses to start with two targets writing to one place however the config spells it: '//', a trailing slash, a symlink, one directory inside another, a dir target in an image's mount point.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require mountpoint
state=$DAEMON_DIR/state
dir() { printf '{"name": "%s", "kind": "dir", "path": "%s"}' "$1" "$2"; }
# refused CASE WANT TARGET...: ringlabd exits at start-up with WANT in its message.
refused()
{
	_case=$1
	_want=$2
	shift 2
	_t=$(printf '%s,' "$@")
	printf '{"state_dir": "%s", "workloads_dir": "%s", "targets": [%s]}\n' \
		"$state" "$top_srcdir/workloads" "${_t%,}" >"$DAEMON_DIR/$_case.json"
	rm -f "$DAEMON_DIR/port"
	timeout 60 "$top_builddir/ringlabd" -c "$DAEMON_DIR/$_case.json" --port 0 \
		--port-file "$DAEMON_DIR/port" >"$DAEMON_DIR/$_case.log" 2>&1
	_rc=$?
	[ $_rc -ne 0 ] && [ $_rc -ne 124 ] && [ ! -s "$DAEMON_DIR/port" ] ||
		fail "$_case: ringlabd exited $_rc: $(cat "$DAEMON_DIR/$_case.log")"
	grep -qF -- "$_want" "$DAEMON_DIR/$_case.log" ||
		fail "$_case: no '$_want' in: $(cat "$DAEMON_DIR/$_case.log")"
	! mountpoint -q "$state/mnt/img" || fail "$_case: the image is still mounted"
	echo "ok: $_case: $(tail -n 1 "$DAEMON_DIR/$_case.log")"
}

loopfs_create 256
x=$LOOPFS_DIR
mkdir "$x/shared" "$x/shared/sub" "$x/other" || fail "mkdir in $x"
ln -s "$x/shared" "$DAEMON_DIR/shared-link" || fail "ln -s"
ln -s "$state/mnt/img" "$DAEMON_DIR/img-link" || fail "ln -s"
img='{"name": "img", "kind": "image"}'

refused double-slash "already the path of targets[0]" "$(dir a "$x/shared")" "$(dir b "$x//shared")"
refused trailing-slash "already the path of targets[0]" "$(dir a "$x/shared")" "$(dir b "$x/shared/")"
refused symlink "is the directory of target a" "$(dir a "$x/shared")" "$(dir b "$DAEMON_DIR/shared-link")"
refused nested "inside $x/shared where targets[0] writes" "$(dir a "$x/shared")" "$(dir b "$x/shared/sub")"
refused in-image-mount "inside $state/mnt/img where targets[0] writes" "$img" "$(dir d "$state//mnt/img/sub")"
# Resolved, it lies in the state directory, refused as such before targets are compared
# (test_targets checks that the comparison would catch it too).
refused symlink-to-image-mount "is inside ringlabd's state directory $state" "$img" "$(dir d "$DAEMON_DIR/img-link")"

# Two directories of one filesystem are two targets.
printf '{"state_dir": "%s", "workloads_dir": "%s", "targets": [%s, %s]}\n' "$state" \
	"$top_srcdir/workloads" "$(dir a "$x/shared")" "$(dir b "$x/other")" >"$DAEMON_DIR/ok.json"
daemon_start 30 -c "$DAEMON_DIR/ok.json" || fail "two distinct targets: $DAEMON_ERR: $(cat "$DAEMON_DIR/rld.log")"
daemon_stop
exit 0
