/* SPDX-License-Identifier: MIT */
/*
 * Cold files for cells that ask for them: the same state before every
 * repetition, whether or not the kernel evicted the inode, and checked.
 * Every step is idempotent, so doing all of them every time costs a cache
 * drop and buys a state that does not depend on what came before.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "precondition.h"
#include "target_check.h"

/* include/uapi/linux/ext4.h, which not every libc's headers ship. */
#ifndef EXT4_IOC_CLEAR_ES_CACHE
#define EXT4_IOC_CLEAR_ES_CACHE _IO('f', 40)
#endif
#ifndef EXT4_IOC_GET_ES_CACHE
#define EXT4_IOC_GET_ES_CACHE _IOWR('f', 42, struct fiemap)
#endif

int32_t rl_es_cached_extents(int fd)
{
	/* No extent array: the kernel only counts (fm_mapped_extents). */
	struct fiemap fm = { .fm_start = 0, .fm_length = FIEMAP_MAX_OFFSET };

	if (fd < 0 || ioctl(fd, EXT4_IOC_GET_ES_CACHE, &fm) < 0)
		return -1;
	return fm.fm_mapped_extents > INT32_MAX ? INT32_MAX : (int32_t)fm.fm_mapped_extents;
}

/*
 * Setting S_ISUID clears S_NOSEC in notify_change(); clearing it again does
 * not set it back: the next write does, once, as on an inode read from disk.
 */
static int clear_nosec(int dir_fd, const char *path, struct rl_err *err)
{
	struct stat st;
	int fd, ret = 0;

	/* Through an fd that followed no link: chmod(2) on the name would follow one. */
	fd = rl_target_open_own(dir_fd, path, O_RDONLY, 0, err);
	if (fd < 0)
		return rl_err_prefix(err, fd, "cache cold");
	if (fstat(fd, &st) < 0)
		ret = rl_err_set(err, -errno, "cache cold: %s: %s", path, strerror(errno));
	else if (fchmod(fd, (st.st_mode & 07777) | S_ISUID) < 0 || fchmod(fd, st.st_mode & 07777) < 0)
		ret = rl_err_set(err, -errno, "cache cold: %s: chmod: %s", path, strerror(errno));
	close(fd);
	return ret;
}

/* Drop the page, dentry and inode caches (and with them the extent status cache). */
static int drop_caches(const char *path, struct rl_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), ret;

	if (fd >= 0) {
		/* Dirty inodes are not evicted: write the layout and the mode out first. */
		syncfs(fd);
		close(fd);
	}
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_err_set(err, -errno, "cache cold: /proc/sys/vm/drop_caches: %s (needs root)",
				  strerror(errno));
	ret = write(fd, "3", 1) == 1 ? 0 : -errno;
	close(fd);
	if (ret < 0)
		return rl_err_set(err, ret, "cache cold: dropping caches: %s", strerror(-ret));
	return 0;
}

int rl_open_cold(int dir_fd, const char *path, int flags, int32_t *cached, struct rl_err *err)
{
	int fd, ret;

	*cached = -1;
	ret = clear_nosec(dir_fd, path, err);
	if (!ret)
		ret = drop_caches(path, err);
	if (ret)
		return ret;
	fd = rl_target_open_own(dir_fd, path, flags, 0, err);
	if (fd < 0)
		return fd;
	/*
	 * An inode something else holds survives the drop with extents cached
	 * (the shrinker keeps some): empty its cache by hand, so a held inode
	 * starts as cold as an evicted one. Kernels before 5.4 lack the ioctl,
	 * and the check below then cannot say either.
	 */
	ioctl(fd, EXT4_IOC_CLEAR_ES_CACHE);
	*cached = rl_es_cached_extents(fd);
	return fd;
}
