/* SPDX-License-Identifier: MIT */
/*
 * The target-changed check (see target_check.h): st_dev and st_ino of the
 * directory and st_dev of the open file; the directory pinned for a run;
 * and the open of a run's own files that follows no link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "target_check.h"

static int changed(struct rl_err *err, const char *what, const char *dir, dev_t now, dev_t dev)
{
	return rl_err_set(err, -ESTALE,
			  "target changed: %s%s is on device %u:%u, not %u:%u as at the start of the run",
			  what, dir, major(now), minor(now), major(dev), minor(dev));
}

static int replaced(struct rl_err *err, const char *dir, ino_t now, ino_t ino)
{
	return rl_err_set(err, -ESTALE,
			  "target changed: %s is another directory (inode %ju, not %ju as when the target was opened): it was replaced",
			  dir, (uintmax_t)now, (uintmax_t)ino);
}

int rl_target_check(const char *dir, int fd, dev_t dev, ino_t ino, struct rl_err *err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return rl_err_set(err, -ESTALE, "target changed: %s: %s", dir, strerror(errno));
	if (st.st_dev != dev)
		return changed(err, "", dir, st.st_dev, dev);
	if (ino && st.st_ino != ino)
		return replaced(err, dir, st.st_ino, ino);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev != dev)
		return changed(err, "the file just opened in ", dir, st.st_dev, dev);
	return 0;
}

int rl_target_pin(const char *dir, dev_t dev, ino_t *ino, struct rl_err *err)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), e = errno, ret = 0;

	/* Not a directory, or a link, where the target's directory was: it was replaced. */
	if (fd < 0)
		return rl_err_set(err, e == ELOOP || e == ENOTDIR || e == ENOENT ? -ESTALE : -e,
				  "target changed: %s: %s", dir,
				  e == ELOOP ? "is a symbolic link now" : strerror(e));
	if (fstat(fd, &st) < 0)
		ret = rl_err_set(err, -errno, "%s: fstat: %s", dir, strerror(errno));
	else if (dev && st.st_dev != dev)
		ret = changed(err, "", dir, st.st_dev, dev);
	else if (*ino && st.st_ino != *ino)
		ret = replaced(err, dir, st.st_ino, *ino);
	if (!ret) {
		*ino = st.st_ino;
		return fd;
	}
	close(fd);
	return ret;
}

/* The name @path has in its directory: what follows its last '/'. */
static const char *last_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int rl_target_unlink(int dir_fd, const char *path)
{
	int ret = dir_fd > 0 ? unlinkat(dir_fd, last_name(path), 0) : unlink(path);

	return ret < 0 ? -errno : 0;
}

int rl_target_open_own(int dir_fd, const char *path, int flags, mode_t mode, struct rl_err *err)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: a FIFO put under the name must not hang the open; cleared below. */
	flags |= O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	fd = dir_fd > 0 ? openat(dir_fd, last_name(path), flags, mode) : open(path, flags, mode);
	if (fd < 0 && errno == ELOOP)
		return rl_err_set(err, -ELOOP,
				  "%s: is a symbolic link: a run writes only files of its own in its target",
				  path);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: open%s: %s", path,
				  flags & O_DIRECT ? " O_DIRECT" : "", strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = rl_err_set(err, -errno, "%s: fstat: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = rl_err_set(err, -EPERM,
				 "%s: is not a regular file: a run writes only files of its own in its target",
				 path);
	} else if (st.st_nlink > 1) {
		ret = rl_err_set(err, -EPERM,
				 "%s: has %ju hard links: a run writes only files of its own in its target",
				 path, (uintmax_t)st.st_nlink);
	} else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		ret = rl_err_set(err, -errno, "%s: fcntl: %s", path, strerror(errno));
	} else {
		return fd;
	}
	close(fd);
	return ret;
}
