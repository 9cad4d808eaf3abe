/* SPDX-License-Identifier: MIT */
/* The environment of a run: kernel, mount, device, machine, and what follows from them. */
#ifndef RINGLAB_DAEMON_ENGINE_ENV_H
#define RINGLAB_DAEMON_ENGINE_ENV_H

#include <stdbool.h>
#include <stddef.h>
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

/*
 * rl_env_derive() - set the fields of @env that follow from others (in
 * env_derive.c): vm from the ringlab.* words of cmdline (valid only when one
 * is there), kernel_family and kernel_family_version from a kernel_tag of
 * the form FAMILY:VERSION (both "" otherwise). Call it whenever cmdline or
 * kernel_tag change: probing, a tag set by the runner or an import, a run
 * read back. Cannot fail.
 */
void rl_env_derive(struct rl_env *env);

/*
 * rl_env_family_name_ok() - whether the @n bytes at @s name a series family
 * or one of its versions as kernel-patches/lib/variant.sh accepts them: a
 * letter or digit, then letters, digits, ".", "_", "-".
 */
bool rl_env_family_name_ok(const char *s, size_t n);

/*
 * rl_env_host_probe() - this machine as runs name it (env_host.c): hostname,
 * /etc/machine-id and /proc/cpuinfo's CPU model, each "" when it cannot be
 * read; @h->valid is set. Cannot fail.
 */
void rl_env_host_probe(struct rl_env_host *h);

/* Which machine a run ran on, as listings filter and comparisons check it. */
struct rl_host_id {
	const char *host;		/* hostname: the lab host's for a guest run */
	const char *machine_id;		/* "" unknown (a run recorded before it existed) */
	const char *cpu_model;
	const char *guest;		/* the guest's hostname; "" outside a guest */
};

/*
 * rl_env_host_id() - the machine @env's run ran on: its lab_host when the run
 * was made in a guest (lab_host valid), else the machine that probed @env.
 * The strings point into @env. Cannot fail.
 */
void rl_env_host_id(const struct rl_env *env, struct rl_host_id *id);

#endif
