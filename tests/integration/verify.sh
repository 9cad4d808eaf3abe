#!/bin/sh
# SPDX-License-Identifier: MIT
# verify.sh: read-back verification on a loop-mounted ext4 (flipped, zeroed, lost, uncertain).
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 256
timeout 120 "$top_builddir/tests/integration/test_verify" "$LOOPFS_DIR"
exit $?
