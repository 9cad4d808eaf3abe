/* SPDX-License-Identifier: MIT */
/*
 * Layouts: a file of nstripes stripes, each a pattern of W (written),
 * U (unwritten: fallocated) and H (hole) blocks, built with pwrite, fallocate
 * and punch-hole and then checked block by block with FIEMAP.
 */
#ifndef RINGLAB_DAEMON_ENGINE_LAYOUT_H
#define RINGLAB_DAEMON_ENGINE_LAYOUT_H

#include <stdatomic.h>
#include <stdint.h>

#include "workload.h"

/*
 * rl_layout_build() - make @fd (opened O_RDWR, any O_DIRECT) hold @nstripes
 * stripes of @w->stripe: truncate to 0, write the W runs with the generation-0
 * pattern of @key (written back a few MiB at a time), fdatasync, fallocate the
 * U runs (KEEP_SIZE off: the file ends at nstripes * stripe bytes), leave holes
 * for H, and drop the file's clean pages from the page cache. With @w->extend
 * the file is only truncated to 0. @cancel (may be NULL) is checked between
 * spans and runs. Returns 0, -ECANCELED when @cancel was set (the file is
 * partly built), or -errno; @err says which step and which offset failed
 * (ENOSPC is named as "filesystem full (ENOSPC)").
 */
int rl_layout_build(int fd, const struct rl_workload *w, uint64_t nstripes,
		    uint64_t key, const atomic_bool *cancel, struct rl_err *err);

/*
 * rl_layout_check() - read the extent map with FIEMAP (FIEMAP_FLAG_SYNC) and
 * compare every block's state with what @w asks for. Returns 0 and the number
 * of extents in @extents, or -EILSEQ with "block B (offset O): expected U,
 * found W" for the first block that differs, or -errno if FIEMAP fails
 * (-EOPNOTSUPP: the filesystem has no FIEMAP).
 */
int rl_layout_check(int fd, const struct rl_workload *w, uint64_t nstripes,
		    uint32_t *extents, struct rl_err *err);

#endif
