/* SPDX-License-Identifier: MIT */
/*
 * The state a cell's file is in before its first write. "Hot" is the file
 * as the layout left it. "Cold" is the file as it would be read back from
 * disk: its extent status cache empty and its inode carrying no S_NOSEC
 * (a NOWAIT write to an inode without S_NOSEC needs the exclusive lock, so
 * the flag alone turns a 0% EAGAIN cell into 100%). Dropping the caches
 * evicts the inode only when nothing holds it, which is why cold cells used
 * to come out 0% or 100% by what an earlier cell left; here every
 * repetition is brought to the same state and the state is checked.
 */
#ifndef RINGLAB_DAEMON_ENGINE_PRECONDITION_H
#define RINGLAB_DAEMON_ENGINE_PRECONDITION_H

#include <stdint.h>

#include "util/err.h"

/*
 * rl_es_cached_extents() - the number of extents in the extent status
 * cache of the inode open at @fd (EXT4_IOC_GET_ES_CACHE, which only looks).
 * Returns the count, or -1 when the kernel cannot say (not ext4, no ioctl).
 */
int32_t rl_es_cached_extents(int fd);

/*
 * rl_open_cold() - bring @path (closed by every fd of ours) to the cold
 * state and open it with @flags: clear S_NOSEC by a set-uid round trip of
 * its mode (what a reloaded inode has), sync the filesystem, drop the page,
 * dentry and inode caches, open, empty the inode's extent status cache
 * (EXT4_IOC_CLEAR_ES_CACHE: the drop leaves some extents of an inode that
 * something else holds) and count what it holds. Needs root.
 * *@cached is that count (0: cold; > 0: not cold; -1: the kernel cannot say).
 * @dir_fd: as rl_target_open_own()'s. Returns the fd, or -errno with @err
 * naming the step ("cache cold: ...").
 */
int rl_open_cold(int dir_fd, const char *path, int flags, int32_t *cached, struct rl_err *err);

#endif
