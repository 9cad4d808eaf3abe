#!/bin/sh
# fingerprint.sh: on 6.18 the count fingerprint of aligned-mixed/unaligned-middle-unwritten is 1.0, of pure overwrite 0.0.
. "$top_srcdir/tests/lib/loopfs.sh"
loopfs_require
loopfs_create 256
timeout 300 "$top_builddir/tests/integration/test_fingerprint" "$LOOPFS_DIR"
exit $?
