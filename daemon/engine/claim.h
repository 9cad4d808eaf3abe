/* SPDX-License-Identifier: MIT */
/*
 * The ringlab-* files a run writes in its target are claimed while it runs:
 * an extended attribute marks each as a run's (with its pid and boot id, for
 * people), and a shared flock, held for as long as the run needs the file,
 * says the run is alive however it ends. A file still marked whose lock
 * nobody holds was left by a run that died (kill -9, a crash, a power cut),
 * and the next run in that directory removes it. A file a run keeps
 * (--keep-files) loses its mark, so nothing removes it.
 */
#ifndef RINGLAB_DAEMON_ENGINE_CLAIM_H
#define RINGLAB_DAEMON_ENGINE_CLAIM_H

#include "util/err.h"

#define RL_CLAIM_XATTR "user.ringlab.owner"
#define RL_CLAIM_PREFIX "ringlab-"

/*
 * rl_claim_file() - lock @fd (open on a file a run writes) shared and mark
 * the file as a run's. The claim lasts until @fd is closed. Returns 0, or
 * -errno (-EOPNOTSUPP: no user xattrs here, so the file is never swept).
 */
int rl_claim_file(int fd);

/*
 * rl_claim_release() - unmark @fd's file: it is kept, not left behind.
 * Returns 0 or -errno.
 */
int rl_claim_release(int fd);

/*
 * rl_claim_sweep() - remove the regular files named ringlab-* in @dir that
 * are marked but whose lock no process holds. Symlinks, unmarked files (a
 * kept one, `ringlab layout`'s) and files of live runs are left alone.
 * Returns how many were removed, or -errno with "DIR: reason" in @err when
 * @dir cannot be read.
 */
int rl_claim_sweep(const char *dir, struct rl_err *err);

#endif
