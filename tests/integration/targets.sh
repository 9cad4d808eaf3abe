#!/bin/sh
# SPDX-License-Identifier: MIT
# targets.sh: image, dir and block targets on loop devices and a tmpfs: opened, used, closed, unsafe ones refused.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require

tmpfs_dir=
cleanup()
{
	if [ -n "$tmpfs_dir" ]; then
		umount "$tmpfs_dir" 2>/dev/null
		rmdir "$tmpfs_dir"
	fi
	loopfs_cleanup
}
trap cleanup EXIT

# An ext4 filesystem for the state directory and dir targets; its loop device is "mounted".
loopfs_create 256
ext4_dir=$LOOPFS_DIR
mounted_loop=$LOOPFS_DEV
# One to remount read-only.
loopfs_create 32
ro_dir=$LOOPFS_DIR
mount -o remount,ro "$ro_dir" || { echo "cannot remount $ro_dir read-only" >&2; exit 1; }
# A loop device holding ext4 that nothing mounts.
loopfs_create 32
free_loop=$LOOPFS_DEV
umount "$LOOPFS_DIR" || { echo "cannot unmount $LOOPFS_DIR" >&2; exit 1; }

# Its own ext4 mounted below /dev: no system directory.
TMPDIR=/dev/shm loopfs_create 32
shm_ext4_dir=$LOOPFS_DIR

tmpfs_dir=$(mktemp -d -t ringlab-targets-tmpfs.XXXXXX) || exit 1
mount -t tmpfs -o size=4m ringlab-test "$tmpfs_dir" || { echo "cannot mount a tmpfs" >&2; exit 1; }

timeout 120 "$top_builddir/tests/integration/test_targets" \
	"$ext4_dir" "$mounted_loop" "$ro_dir" "$free_loop" "$tmpfs_dir" "$shm_ext4_dir"
exit $?
