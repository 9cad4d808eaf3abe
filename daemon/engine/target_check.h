/* SPDX-License-Identifier: MIT */
/*
 * Is the target still the filesystem the run started on? A target
 * unmounted under a run, even lazily, leaves its directory on whatever
 * filesystem lies underneath (the system disk, for an image mounted in the
 * state directory), and every file opened there by name would land on it.
 * The runner checks before the first cell, each cell before and after it
 * opens a file by name, and each job every RL_TARGET_CHECK_NS while it
 * issues I/O; a change fails the cell "target changed" and stops the run.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TARGET_CHECK_H
#define RINGLAB_DAEMON_ENGINE_TARGET_CHECK_H

#include <sys/types.h>

#include "util/err.h"

/* How often a job looks, at most: a stat() and an fstat() each time. */
#define RL_TARGET_CHECK_NS (50ull * 1000 * 1000)

/*
 * rl_target_check() - whether directory @dir and the open file @fd (-1:
 * none) are on filesystem @dev. Returns 0, or -ESTALE with "target changed:
 * WHAT is on device M:N, not M:N as at the start" (or why @dir cannot be
 * looked at) in @err.
 */
int rl_target_check(const char *dir, int fd, dev_t dev, struct rl_err *err);

/*
 * rl_target_open_own() - open(@path, @flags, @mode) for a file a run writes
 * in its target, refusing one that is not ringlab's own to write: anyone
 * who can write the target directory could have put a symbolic link there
 * (to /etc/shadow, to a file beside the target) or a hard link to another
 * file under the name, and the run would truncate and overwrite that file.
 * The last component is never followed (O_NOFOLLOW), and the file must be a
 * regular file with one link. Returns the fd, or -ELOOP, -EPERM (not a
 * regular file, or more than one link) or -errno with "PATH: WHY" in @err.
 */
int rl_target_open_own(const char *path, int flags, mode_t mode, struct rl_err *err);

#endif
