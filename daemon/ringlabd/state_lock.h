/* SPDX-License-Identifier: MIT */
/*
 * One ringlabd per state directory. Two daemons on one state dir share a
 * database and mount points: the second would take down the first one's
 * image mount and leave its run writing onto whatever lies under it. The
 * lock is an flock on state_dir/ringlabd.lock, held for the daemon's life
 * and released by the kernel however it ends; the file names its holder.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_STATE_LOCK_H
#define RINGLAB_DAEMON_RINGLABD_STATE_LOCK_H

#include <sys/types.h>

#include "util/err.h"

#define RL_STATE_LOCK_NAME "ringlabd.lock"

/*
 * rl_state_lock() - create @state_dir (0750) if needed and take its lock for
 * this process, writing our pid in the lock file. Returns the descriptor
 * holding the lock (keep it open; O_CLOEXEC), or -EBUSY with "state_dir D
 * is in use by ringlabd pid N" in @err when another process holds it,
 * -EPERM when @state_dir is the root directory or lies in a system
 * directory (/etc, /usr, ...: util/path.h), before anything is created, or
 * -errno.
 */
int rl_state_lock(const char *state_dir, struct rl_err *err);

/*
 * rl_state_lock_other() - whether a process other than this one holds
 * @state_dir's lock: a mount there may then be its, alive. Returns 1 with
 * its pid in @pid (0 when the file names none), 0 when no other process
 * holds it (free, or ours), or -errno.
 */
int rl_state_lock_other(const char *state_dir, pid_t *pid);

#endif
