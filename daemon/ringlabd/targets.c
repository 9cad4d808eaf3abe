/* SPDX-License-Identifier: MIT */
/*
 * Targets: the only places ringlabd writes. Every check here exists to
 * refuse something that would let a run write where nobody asked it to: a
 * mounted or busy disk, the system disk, a directory that is not ext4 or
 * not writable, a path that escapes through ".." or a symlink. Everything
 * is done with syscalls (loop ioctls, mount(2)); only mkfs.ext4 is run,
 * with an argv array and no shell. A failed open undoes what it did.
 *
 * This file opens each kind of target and answers the daemon's questions
 * about it; the pieces it assembles are in blockdev.c (is a whole disk
 * safe), loopimg.c (the image file and its loop device) and target_mount.c
 * (mkfs and mounting), declared in target_parts.h.
 */
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/target_check.h"
#include "schema/fields.h"
#include "target_parts.h"
#include "util/mountinfo.h"
#include "util/path.h"

int rl_target_fail(const struct rl_target *t, struct rl_err *err, int ret, const char *path,
		   const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rl_err_set(err, ret, "target %s: %s (%.200s)", t->cfg.name, what, path);
}

int rl_target_set_path(char dst[RL_PATH_MAX], const char *src)
{
	size_t n = strlen(src);

	if (n >= RL_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

int rl_target_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (i = 1; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* ---- places no target may be --------------------------------------------------- */

/*
 * Refuse canonical directory @real (@shown in messages) when it is a system
 * directory or, with @state_dir, the state directory or below it: the
 * database and the image targets' mounts live there.
 */
static int check_place(const struct rl_target *t, const char *real, const char *shown,
		       const char *state_dir, struct rl_err *err)
{
	const char *sys = rl_path_system_dir(real);
	char state[PATH_MAX];

	if (sys)
		return rl_target_fail(t, err, -EPERM, shown,
				      "is in %s, a system directory: give the target a directory of its own on a scratch filesystem",
				      sys);
	if (!state_dir || !realpath(state_dir, state))
		return 0;
	if (rl_path_within(real, state))
		return rl_target_fail(t, err, -EPERM, shown,
				      "%s ringlabd's state directory %s, which holds its database and mounts",
				      strcmp(real, state) ? "is inside" : "is", state);
	return 0;
}

/*
 * An image's directory, canonical (the config only saw its spelling), must be
 * neither a system directory nor state_dir/mnt, where targets are mounted.
 */
static int check_image_place(const struct rl_target *t, const char *img, const char *state_dir,
			     struct rl_err *err)
{
	char dir[PATH_MAX], real[PATH_MAX], mnt[PATH_MAX];
	const char *slash = strrchr(img, '/');
	size_t n = slash && slash != img ? (size_t)(slash - img) : 1;

	if (n >= sizeof(dir))
		return rl_target_fail(t, err, -ENAMETOOLONG, img, "image path too long");
	memcpy(dir, img, n);
	dir[n] = '\0';
	/* A missing directory is for the open that follows to report. */
	if (!realpath(dir, real))
		return 0;
	snprintf(dir, sizeof(dir), "%.4000s/mnt", state_dir);
	if (realpath(dir, mnt) && rl_path_within(real, mnt))
		return rl_target_fail(t, err, -EPERM, img,
				      "is inside %s, where targets are mounted", mnt);
	return check_place(t, real, img, NULL, err);
}

/* ---- image targets --------------------------------------------------------- */

static int open_image(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	char img[PATH_MAX], real[PATH_MAX], other[NAME_MAX + 8];
	bool made_mnt = false, created = false;
	int fd = -1, lfd = -1, ret;

	ret = rl_loopimg_path(t, state_dir, img, sizeof(img), err);
	if (ret)
		return ret;
	ret = rl_target_mkdir_p(state_dir, 0750);
	if (ret)
		return rl_target_fail(t, err, ret, state_dir,
				      "cannot create the state directory: %s", strerror(-ret));
	ret = check_image_place(t, img, state_dir, err);
	if (ret)
		return ret;
	rl_target_reclaim(t, state_dir, img);
	ret = rl_target_mountpoint(t, state_dir, &made_mnt, err);
	if (ret)
		return ret;
	ret = rl_loopimg_open(t, img, &fd, &created, err);
	if (ret)
		goto fail;
	/* The kernel reports the backing file by its canonical path. */
	if (!realpath(img, real)) {
		ret = rl_target_fail(t, err, -errno, img, "cannot resolve the image: %s",
				     strerror(errno));
		goto fail;
	}
	ret = rl_loopimg_find(real, other, sizeof(other));
	if (ret) {
		ret = ret < 0 ? rl_target_fail(t, err, ret, img, "cannot list loop devices: %s",
					       strerror(-ret)) :
				rl_target_fail(t, err, -EBUSY, img, "the image is already attached to %s",
					       other);
		goto fail;
	}
	ret = rl_loopimg_attach(t, fd, real, &lfd, err);
	if (!ret)
		ret = rl_target_mount(t, t->device, err);
	if (ret)
		goto fail;
	close(lfd);
	close(fd);
	return 0;
fail:
	/* Never mounted (mounting is the last step): detach now. */
	if (lfd >= 0)
		rl_loopimg_detach(lfd, t->device);
	t->loop_by_us = false;
	t->device[0] = '\0';
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(img);
	if (made_mnt)
		rmdir(t->dir);
	t->dir[0] = '\0';
	return ret;
}

/* ---- dir targets ------------------------------------------------------------ */

struct fstype_ctx {
	dev_t dev;
	char *out;
	size_t len;
};

static int match_dev_fstype(const struct rl_mount_entry *e, void *ctx)
{
	struct fstype_ctx *c = ctx;

	if (makedev(e->maj, e->min) != c->dev)
		return 0;
	snprintf(c->out, c->len, "%s", e->fs_type);
	return 1;
}

/* The name of the filesystem holding @path, for messages ("tmpfs"). */
static void fs_name(const char *path, long magic, char *out, size_t len)
{
	struct fstype_ctx c = { 0, out, len };
	struct stat st;

	snprintf(out, len, "filesystem magic 0x%lx", (unsigned long)magic);
	if (stat(path, &st) < 0)
		return;
	c.dev = st.st_dev;
	rl_mountinfo_walk(match_dev_fstype, &c);
}

/*
 * The checks above went by name: the directory they looked at must be the
 * one there now (@st, their first stat), not one swapped in meanwhile by
 * whoever can write its parent. Its st_dev and st_ino are the target's from
 * here on; each run checks them again (engine/target_check.h).
 */
static int pin_dir(struct rl_target *t, const char *shown, const struct stat *st,
		   struct rl_err *err)
{
	ino_t ino = st->st_ino;
	int fd = rl_target_pin(t->dir, st->st_dev, &ino, err);

	if (fd < 0)
		return rl_err_prefix(err, fd, "target %s: dir %s", t->cfg.name, shown);
	close(fd);
	t->dev = st->st_dev;
	t->ino = ino;
	return 0;
}

static int open_dir(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	const char *p = t->cfg.path;
	char real[PATH_MAX], shown[2 * PATH_MAX + 8], fs[64];
	struct statvfs sv;
	struct statfs sf;
	struct stat st;

	if (p[0] != '/')
		return rl_target_fail(t, err, -EINVAL, p, "a dir target needs an absolute path");
	if (rl_path_has_dotdot(p))
		return rl_target_fail(t, err, -EINVAL, p, "the path must not contain '..'");
	if (!realpath(p, real))
		return rl_target_fail(t, err, -errno, p, "%s", errno == ENOENT ? "does not exist" :
				      strerror(errno));
	/* A symlink may lead elsewhere: every check below is on where it leads. */
	if (strcmp(real, p))
		snprintf(shown, sizeof(shown), "%s -> %s", p, real);
	else
		snprintf(shown, sizeof(shown), "%s", p);
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return rl_target_fail(t, err, -ENOTDIR, shown, "is not a directory");
	if (!strcmp(real, "/"))
		return rl_target_fail(t, err, -EPERM, shown, "is the root directory");
	if (check_place(t, real, shown, state_dir, err))
		return -EPERM;
	if (statfs(real, &sf) < 0 || statvfs(real, &sv) < 0)
		return rl_target_fail(t, err, -errno, shown, "cannot statfs: %s", strerror(errno));
	if (sf.f_type != EXT4_SUPER_MAGIC) {
		fs_name(real, (long)sf.f_type, fs, sizeof(fs));
		return rl_target_fail(t, err, -EINVAL, shown, "is not on ext4 but on %s", fs);
	}
	if (sv.f_flag & ST_RDONLY)
		return rl_target_fail(t, err, -EROFS, shown, "is on a read-only filesystem");
	if (access(real, W_OK | X_OK) < 0)
		return rl_target_fail(t, err, -errno, shown, "is not writable: %s", strerror(errno));
	if (rl_target_set_path(t->dir, real))
		return rl_target_fail(t, err, -ENAMETOOLONG, shown, "the resolved path is too long");
	return pin_dir(t, shown, &st, err);
}

/* ---- block targets ----------------------------------------------------------- */

static int open_block(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	char dev[PATH_MAX], shown[2 * PATH_MAX + 8];
	bool made_mnt = false;
	int ret;

	ret = rl_blockdev_resolve(t, dev, shown, sizeof(shown), err);
	if (ret)
		return ret;
	ret = rl_blockdev_check(dev, shown, err);
	if (ret)
		return rl_err_prefix(err, ret, "target %s", t->cfg.name);
	if (rl_target_set_path(t->device, dev))
		return rl_target_fail(t, err, -ENAMETOOLONG, shown, "the device path is too long");
	ret = rl_target_prepare_fs(t, dev, shown, err);
	if (!ret)
		ret = rl_target_mountpoint(t, state_dir, &made_mnt, err);
	if (!ret)
		ret = rl_target_mount(t, dev, err);
	if (ret) {
		if (made_mnt)
			rmdir(t->dir);
		t->dir[0] = '\0';
		t->device[0] = '\0';
		return ret;
	}
	return 0;
}

/* ---- the contract --------------------------------------------------------------- */

/* The kinds' openers, by enum rl_target_kind. */
static int open_kind(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	/* The name becomes a path component: the config checked it, check again. */
	if (!t->cfg.name[0] || rl_charset_match("a-z0-9_-", t->cfg.name) >= 0)
		return rl_err_set(err, -EINVAL, "target '%.64s': the name must be [a-z0-9_-]",
				  t->cfg.name);
	if (t->cfg.kind != RL_TARGET_DIR && (!state_dir || state_dir[0] != '/'))
		return rl_target_fail(t, err, -EINVAL, state_dir ? state_dir : "",
				      "state_dir must be an absolute path");
	switch (t->cfg.kind) {
	case RL_TARGET_IMAGE:
		return open_image(t, state_dir, err);
	case RL_TARGET_DIR:
		return open_dir(t, state_dir, err);
	case RL_TARGET_BLOCK:
		return open_block(t, state_dir, err);
	case RL_TARGET_KIND_MAX:
		break;
	}
	return rl_target_fail(t, err, -EINVAL, t->cfg.path, "unknown target kind %d",
			      (int)t->cfg.kind);
}

int rl_target_open(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	struct stat st;
	int ret;

	t->dir[0] = '\0';
	t->device[0] = '\0';
	t->dev = 0;
	t->ino = 0;
	t->mounted_by_us = false;
	t->loop_by_us = false;
	ret = open_kind(t, state_dir, err);
	if (ret)
		return ret;
	/* A dir target's was taken from the directory its checks looked at. */
	if (t->cfg.kind == RL_TARGET_DIR)
		return 0;
	if (stat(t->dir, &st) < 0) {
		ret = rl_target_fail(t, err, -errno, t->dir, "cannot stat: %s", strerror(errno));
		rl_target_close(t);
		return ret;
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	return 0;
}

int rl_target_check_distinct(const struct rl_target *t, const struct rl_target *other,
			     struct rl_err *err)
{
	const char *how = NULL;

	if (t->dev == other->dev && t->ino == other->ino)
		how = "is the directory of";
	else if (rl_path_within(t->dir, other->dir))
		how = "lies inside the directory of";
	else if (rl_path_within(other->dir, t->dir))
		how = "holds the directory of";
	else if (t->dev == other->dev && (t->cfg.kind != RL_TARGET_DIR || other->cfg.kind != RL_TARGET_DIR))
		how = "is on the filesystem mounted for";
	if (!how)
		return 0;
	return rl_err_set(err, -EINVAL, "target %s (path %.200s): %.200s %s target %s (%.200s)",
			  t->cfg.name, t->cfg.path, t->dir, how, other->cfg.name, other->dir);
}

void rl_target_close(struct rl_target *t)
{
	if (t->mounted_by_us)
		rl_target_unmount(t->dir);
	if (t->loop_by_us && t->device[0])
		rl_loopimg_wait_free(t->device);
	t->mounted_by_us = false;
	t->loop_by_us = false;
}

int rl_target_check_path(const struct rl_target *t, const char *path)
{
	char parent[PATH_MAX], real[PATH_MAX];
	const char *slash, *base;
	struct stat st;

	if (!t->dir[0] || path[0] != '/' || rl_path_has_dotdot(path) ||
	    strlen(path) >= sizeof(parent))
		return -EPERM;
	slash = strrchr(path, '/');
	base = slash + 1;
	if (!*base || !strcmp(base, "."))
		return -EPERM;
	if (slash == path) {
		strcpy(parent, "/");
	} else {
		memcpy(parent, path, (size_t)(slash - path));
		parent[slash - path] = '\0';
	}
	if (!realpath(parent, real) || !rl_path_within(real, t->dir))
		return -EPERM;
	/* The file itself may be a symlink out (a dangling one would create it there). */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (!realpath(path, real) || !rl_path_within(real, t->dir)))
		return -EPERM;
	return 0;
}
