#!/bin/sh
# SPDX-License-Identifier: MIT
# layout.sh: W/U/H layouts on a loop-mounted ext4 pass the FIEMAP check; corruptions caught.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 256
timeout 120 "$top_builddir/tests/integration/test_layout" "$LOOPFS_DIR"
exit $?
