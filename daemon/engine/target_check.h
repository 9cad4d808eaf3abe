/* SPDX-License-Identifier: MIT */
/*
 * Is the target still the filesystem the run started on? A target
 * unmounted under a run, even lazily, leaves its directory on whatever
 * filesystem lies underneath (the system disk, for an image mounted in the
 * state directory), and every file opened there by name would land on it.
 * The runner checks before the first cell, each cell before and after it
 * opens a file by name, and each job every RL_TARGET_CHECK_NS while it
 * issues I/O; a change fails the cell "target changed" and stops the run.
 * A directory is also known by its inode: whoever can write its parent can
 * rename it away and put another directory of the same filesystem under
 * its name. The runner opens it once at the start of a run (refusing one
 * that is not the target's any more) and opens and removes the run's files
 * relative to that descriptor, so a swap cannot redirect them.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TARGET_CHECK_H
#define RINGLAB_DAEMON_ENGINE_TARGET_CHECK_H

#include <sys/types.h>

#include "util/err.h"

/* How often a job looks, at most: a stat() and an fstat() each time. */
#define RL_TARGET_CHECK_NS (50ull * 1000 * 1000)

/*
 * rl_target_check() - whether directory @dir and the open file @fd (-1:
 * none) are on filesystem @dev, and @dir is still the directory of inode
 * @ino (0: not checked). Returns 0, or -ESTALE with "target changed: WHAT
 * is on device M:N, not M:N as at the start", "... is another directory
 * (inode I, not J ...)" (or why @dir cannot be looked at) in @err.
 */
int rl_target_check(const char *dir, int fd, dev_t dev, ino_t ino, struct rl_err *err);

/*
 * rl_target_pin() - open directory @dir (O_DIRECTORY, its last component
 * not followed) for a run's files, and check it is on @dev (0: any) and the
 * directory of inode *@ino (0: any); *@ino is set to its inode. Returns the
 * fd (O_CLOEXEC), or -ESTALE ("target changed: ...") or -errno with @dir
 * named in @err.
 */
int rl_target_pin(const char *dir, dev_t dev, ino_t *ino, struct rl_err *err);

/*
 * rl_target_open_own() - open(@path, @flags, @mode) for a file a run writes
 * in its target, refusing one that is not ringlab's own to write: anyone
 * who can write the target directory could have put a symbolic link there
 * (to /etc/shadow, to a file beside the target) or a hard link to another
 * file under the name, and the run would truncate and overwrite that file.
 * The last component is never followed (O_NOFOLLOW), and the file must be a
 * regular file with one link. With @dir_fd > 0 (rl_target_pin()'s), the
 * file is opened by its last component relative to it, not through the
 * directory @path names now. Returns the fd, or -ELOOP, -EPERM (not a
 * regular file, or more than one link) or -errno with "PATH: WHY" in @err.
 */
int rl_target_open_own(int dir_fd, const char *path, int flags, mode_t mode, struct rl_err *err);

/*
 * rl_target_unlink() - remove a run's file @path, relative to @dir_fd as
 * rl_target_open_own() opens it. Returns 0 or -errno.
 */
int rl_target_unlink(int dir_fd, const char *path);

#endif
