#!/bin/sh
# eagain.sh: extending NOWAIT writes are always -EAGAIN; retry-blocking and retry-nowait count retries exactly.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 256
timeout 300 "$top_builddir/tests/integration/test_eagain" "$LOOPFS_DIR"
exit $?
