/* SPDX-License-Identifier: MIT */
/*
 * The pieces targets.c builds a target from, for ringlabd's target code
 * only: the whole-disk checks (blockdev.c), the image file and its loop
 * device (loopimg.c), mkfs and mounting (target_mount.c), and the message
 * shape and path helpers they share (targets.c). Every error leaves
 * "target NAME: WHAT (PATH)" in @err, as rl_target_open() promises.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_TARGET_PARTS_H
#define RINGLAB_DAEMON_RINGLABD_TARGET_PARTS_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "targets.h"
#include "util/err.h"

/* How often a wait for the kernel (an unmount, a loop detach) looks again. */
#define RL_TARGET_POLL_MS 50

static inline void rl_target_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- targets.c --------------------------------------------------------------- */

/*
 * rl_target_fail() - record "target NAME: WHAT (PATH)", WHAT from @fmt, in
 * @err. Returns @ret.
 */
int rl_target_fail(const struct rl_target *t, struct rl_err *err, int ret, const char *path,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * rl_target_set_path() - copy canonical path @src into a target's
 * RL_PATH_MAX buffer. Returns 0 or -ENAMETOOLONG.
 */
int rl_target_set_path(char dst[RL_PATH_MAX], const char *src);

/* rl_target_mkdir_p() - mkdir -p @path, @mode for what it creates. Returns 0 or -errno. */
int rl_target_mkdir_p(const char *path, mode_t mode);

/* ---- blockdev.c: is this whole disk safe -------------------------------------- */

/*
 * rl_blockdev_resolve() - the device node a block target's cfg.path names:
 * it must be one entry of /dev/disk/by-id/ and exist. Returns 0 with the
 * resolved node in @dev and "PATH -> NODE" in @shown, or -errno.
 */
int rl_blockdev_resolve(const struct rl_target *t, char dev[PATH_MAX], char *shown,
			size_t shown_len, struct rl_err *err);

/*
 * rl_blockdev_check() - rl_target_check_block() with @shown as the path in
 * its messages. Returns 0, or -ENOTBLK, -EPERM, -EBUSY or -errno with
 * "WHAT (SHOWN)" in @err.
 */
int rl_blockdev_check(const char *devpath, const char *shown, struct rl_err *err);

/* ---- loopimg.c: the image file and its loop device ------------------------------ */

/*
 * rl_loopimg_path() - where the image of @t lies: cfg.path, relative to
 * @state_dir unless absolute, with no "..". Returns 0 or -EINVAL,
 * -ENAMETOOLONG.
 */
int rl_loopimg_path(const struct rl_target *t, const char *state_dir, char *img, size_t len,
		    struct rl_err *err);

/*
 * rl_loopimg_open() - open image @img read-write into *@fd, creating it
 * (sparse, cfg.size) and formatting it ext4 when it does not exist, nameless
 * until formatted where the filesystem has O_TMPFILE; then *@created is
 * true and the caller unlinks it should a later step fail.
 * An existing image must be a regular file of ours holding ext4. Returns 0
 * or -errno; *@fd may be open on failure too (the caller closes it).
 */
int rl_loopimg_open(const struct rl_target *t, const char *img, int *fd, bool *created,
		    struct rl_err *err);

/*
 * rl_loopimg_find() - the loop device whose backing file is canonical path
 * @img, as "/dev/loopN" in @dev. Returns 1 when there is one, 0 when not,
 * or -errno when /sys/block cannot be read.
 */
int rl_loopimg_find(const char *img, char *dev, size_t len);

/*
 * rl_loopimg_attach() - attach @file_fd (image @img) to a free loop device,
 * AUTOCLEAR and, where the backing filesystem allows, direct I/O; its path
 * goes to t->device. On success *@lfd is the open loop device: keep it open
 * until mounted, AUTOCLEAR fires on the last close. Returns 0 or -errno.
 */
int rl_loopimg_attach(struct rl_target *t, int file_fd, const char *img, int *lfd,
		      struct rl_err *err);

/*
 * rl_loopimg_detach() - detach loop device @dev, open as @lfd and never
 * mounted, close @lfd and wait until the kernel lets it go.
 */
void rl_loopimg_detach(int lfd, const char *dev);

/* rl_loopimg_wait_free() - wait (a few seconds at most) for AUTOCLEAR to detach @dev. */
void rl_loopimg_wait_free(const char *dev);

/* ---- target_mount.c: mkfs, mount, unmount ------------------------------------------ */

/* rl_target_has_ext4() - 1 when @fd holds the ext4 superblock magic, 0 when not, or -errno. */
int rl_target_has_ext4(int fd);

/*
 * rl_target_mkfs() - run mkfs.ext4 -q -F -b 4096 @dev (no shell). Returns 0, or
 * -EIO (or -errno) with its output or exit status in @msg.
 */
int rl_target_mkfs(const char *dev, char *msg, size_t len);

/*
 * rl_target_prepare_fs() - a block target's filesystem: formatted when
 * cfg.format, else @dev must already hold ext4. Returns 0 or -errno.
 */
int rl_target_prepare_fs(const struct rl_target *t, const char *dev, const char *shown,
			 struct rl_err *err);

/*
 * rl_target_mountpoint() - create state_dir/mnt/NAME (0750), which must be
 * a real directory with nothing mounted on it; its canonical path goes to
 * t->dir. *@made says whether it was created here (the caller removes it
 * should a later step fail). Returns 0 or -errno.
 */
int rl_target_mountpoint(struct rl_target *t, const char *state_dir, bool *made,
			 struct rl_err *err);

/*
 * rl_target_mount() - mount ext4 on @dev at t->dir (nosuid, nodev, noexec)
 * and mark it ours to unmount. Returns 0 or -errno.
 */
int rl_target_mount(struct rl_target *t, const char *dev, struct rl_err *err);

/* rl_target_unmount() - unmount @dir, waiting out short-lived users, lazily as the last resort. */
void rl_target_unmount(const char *dir);

/*
 * rl_target_reclaim() - take down what a killed ringlabd left mounted:
 * exactly image @img on its loop device on @t's mount point, nothing else,
 * and only when no other process holds @state_dir's lock and nothing uses
 * the mount (never detached lazily).
 */
void rl_target_reclaim(const struct rl_target *t, const char *state_dir, const char *img);

#endif
