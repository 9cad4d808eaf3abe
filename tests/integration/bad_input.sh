#!/bin/sh
# bad_input.sh: a non-ext4, read-only, too-small, missing, root or system directory target gets a clear error and leaves nothing behind.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
rl="$top_builddir/ringlab"
out=$(mktemp -d)
tmpfs_dir=
cleanup() {
	[ -n "$tmpfs_dir" ] && { umount "$tmpfs_dir" 2>/dev/null; rmdir "$tmpfs_dir"; }
	rm -rf "$out"
	loopfs_cleanup
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error WHAT PATTERN -- command...: must exit 1 with PATTERN on stderr
expect_error() {
	what=$1 pattern=$2
	shift 3
	"$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	[ $rc -ne 0 ] || fail "$what: exit 0"
	grep -q -- "$pattern" "$out/stderr" || { cat "$out/stderr" >&2; fail "$what: no '$pattern' in the error"; }
	echo "ok: $what: $(head -n1 "$out/stderr")"
}

# Not ext4: a tmpfs.
tmpfs_dir=$(mktemp -d)
mount -t tmpfs -o size=64m tmpfs "$tmpfs_dir" || fail "mount tmpfs"
expect_error "tmpfs target" "not ext4" -- "$rl" run aligned-mixed --dir "$tmpfs_dir" --scale 0.001 --repeat 1 -q
[ -z "$(ls "$tmpfs_dir")" ] || fail "files left on the tmpfs"

# The root directory and a system directory, as ringlabd refuses them for a target.
expect_error "root target" "is the root directory" -- "$rl" run aligned-mixed --dir / --scale 0.0001 --repeat 1 --jobs 1 -q
expect_error "/etc target" "is in /etc, a system directory" -- "$rl" run aligned-mixed --dir /etc --scale 0.0001 --repeat 1 --jobs 1 -q
[ -e /ringlab-aligned-mixed.dat ] || [ -e /etc/ringlab-aligned-mixed.dat ] && fail "a run left its file in / or /etc"

# Missing directory.
expect_error "missing target" "No such file or directory" -- "$rl" run aligned-mixed --dir "$out/nope" -q

# Read-only ext4.
loopfs_create 64
ro=$LOOPFS_DIR
mount -o remount,ro "$ro" || fail "remount ro"
expect_error "read-only target" "not writable" -- "$rl" run aligned-mixed --dir "$ro" --scale 0.001 --repeat 1 -q

# Too small: 32 MiB of ext4 cannot hold 32 jobs x 16 MiB.
loopfs_create 32
small=$LOOPFS_DIR
expect_error "too-small target" "filesystem full" -- "$rl" run seed --dir "$small" -q
[ -z "$(ls "$small" | grep '^ringlab-')" ] || fail "files left on the small filesystem"

# Bad workload files name the file and the key, or the JSON position.
printf '{"name": "x", "io_size": 0}\n' >"$out/bad-range.json"
expect_error "out-of-range key" "io_size" -- "$rl" validate "$out/bad-range.json"
printf '{"name": "x", "queue_dept": 4}\n' >"$out/bad-key.json"
expect_error "unknown key" "queue_dept" -- "$rl" validate "$out/bad-key.json"
printf '{"name": "x",\n "io_size": }\n' >"$out/bad-json.json"
expect_error "malformed JSON" "line 2" -- "$rl" validate "$out/bad-json.json"
expect_error "unknown workload" "no workload or suite named" -- "$rl" run no-such-workload --dir "$small"
exit 0
