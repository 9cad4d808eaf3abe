/* SPDX-License-Identifier: MIT */
/*
 * Targets: where ringlabd may write. Each is checked at start-up and refused
 * with a clear reason unless it is safe: an image file the daemon owns, a
 * directory on ext4, or a listed whole block device that is not mounted and
 * not in use.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_TARGETS_H
#define RINGLAB_DAEMON_RINGLABD_TARGETS_H

#include <stdbool.h>
#include <sys/types.h>

#include "daemon_config.h"

struct rl_target {
	struct rl_target_cfg cfg;
	char dir[RL_PATH_MAX];		/* where runs write: the mount point or the directory */
	char device[RL_PATH_MAX];	/* loop device or resolved block device, "" for dir */
	dev_t dev;			/* st_dev of dir once open: runs check it stays */
	ino_t ino;			/* st_ino of dir once open */
	bool mounted_by_us;		/* unmount (and detach) at shutdown */
	bool loop_by_us;
};

/*
 * rl_target_open() - make @t usable from its cfg:
 *  image: create state_dir/<path> (sparse, cfg.size) and mkfs.ext4 it if new,
 *         attach a loop device, mount it at state_dir/mnt/<name>; never in a
 *         system directory;
 *  dir:   must exist, be a directory on ext4, writable, contain no ".." in cfg.path,
 *         and be given as an absolute path; neither a system directory (/etc,
 *         /usr, /boot, /proc, /sys, /dev, ...) nor @state_dir or below it;
 *  block: cfg.path must be /dev/disk/by-id/..., resolve to a whole-disk block
 *         device, not mounted, not a holder of other devices, openable O_EXCL,
 *         formatted only if cfg.format, mounted at state_dir/mnt/<name>.
 * Returns 0 or -errno with "target NAME: reason" in @err; nothing is left
 * mounted or attached on failure.
 */
int rl_target_open(struct rl_target *t, const char *state_dir, struct rl_err *err);

/*
 * rl_target_check_distinct() - whether open targets @t and @other write to
 * different places, whatever the configuration's spelling: not the same
 * directory (st_dev, st_ino: a symlink, a bind mount), neither directory
 * inside the other, and no dir target on the filesystem an image or block
 * target mounts. Returns 0, or -EINVAL with "target T: DIR ..., as target
 * OTHER (DIR)" in @err.
 */
int rl_target_check_distinct(const struct rl_target *t, const struct rl_target *other,
			     struct rl_err *err);

/* rl_target_close() - unmount and detach what rl_target_open() set up. */
void rl_target_close(struct rl_target *t);

/*
 * rl_target_check_block() - the block-device checks on a resolved node: a
 * whole disk, not the system disk, unmounted, no holders, openable O_EXCL;
 * never opened for writing. Returns 0 or -errno with "WHAT (DEV)".
 */
int rl_target_check_block(const char *devpath, struct rl_err *err);

/*
 * rl_target_check_path() - is @path (a file a run would write) inside @t->dir?
 * Resolves symlinks and ".."; returns 0 or -EPERM.
 */
int rl_target_check_path(const struct rl_target *t, const char *path);

#endif
