/* SPDX-License-Identifier: MIT */
/* The environment of a run: kernel, mount, device, machine. */
#ifndef RINGLAB_DAEMON_ENGINE_ENV_H
#define RINGLAB_DAEMON_ENGINE_ENV_H

#include <sys/types.h>

#include "result.h"

/*
 * rl_env_probe() - fill @env for target directory @dir: uname, /proc/cmdline,
 * hostname, CPU count, ringlab version, and from /proc/self/mountinfo and
 * /sys/dev/block the filesystem type, mount source and options, block size,
 * device name, model, rotational, scheduler, logical block size and a loop
 * device's backing file. Also returns the filesystem's st_dev in @dev and the
 * /proc/fs/ext4 name in @sb (size RL_NAME_MAX). io_uring fields are left for
 * the engine. Returns 0, or -errno with @err naming what could not be read
 * (-ENOENT: @dir does not exist; -ENOTDIR).
 */
int rl_env_probe(const char *dir, struct rl_env *env, dev_t *dev, char *sb, struct rl_err *err);

#endif
