/* SPDX-License-Identifier: MIT */
/*
 * An image target's file and its loop device: create (sparse, formatted
 * ext4) or reopen the image, attach it with loop ioctls, find which loop
 * device already backs it, detach it. Loop devices are AUTOCLEAR, so the
 * unmount detaches them; an image is never attached twice (mounting one
 * ext4 twice corrupts it).
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target_parts.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/path.h"

#define LOOP_ATTACH_TRIES 8
#define LOOP_FREE_WAIT_MS 3000

int rl_loopimg_path(const struct rl_target *t, const char *state_dir, char *img, size_t len,
		    struct rl_err *err)
{
	int n;

	if (!t->cfg.path[0])
		return rl_target_fail(t, err, -EINVAL, state_dir, "the image path is empty");
	if (rl_path_has_dotdot(t->cfg.path))
		return rl_target_fail(t, err, -EINVAL, t->cfg.path,
				      "the image path must not contain '..'");
	if (t->cfg.path[0] == '/')
		n = snprintf(img, len, "%s", t->cfg.path);
	else
		n = snprintf(img, len, "%s/%s", state_dir, t->cfg.path);
	if (n < 0 || (size_t)n >= len)
		return rl_target_fail(t, err, -ENAMETOOLONG, t->cfg.path, "image path too long");
	return 0;
}

/* Size @fd sparse to cfg.size and format it, mkfs.ext4 opening it as @path. */
static int format_image(const struct rl_target *t, const char *img, int fd, const char *path,
			struct rl_err *err)
{
	char msg[200];
	int ret;

	if (ftruncate(fd, (off_t)t->cfg.size) < 0)
		return rl_target_fail(t, err, -errno, img, "cannot size the image: %s", strerror(errno));
	ret = rl_target_mkfs(path, msg, sizeof(msg));
	if (ret)
		return rl_target_fail(t, err, ret, img, "mkfs.ext4 failed: %s", msg);
	return 0;
}

/*
 * A new image, made nameless (O_TMPFILE in its directory) and linked under
 * its name only once formatted: a start killed in mkfs.ext4 (systemd kills
 * every process of the unit) leaves nothing behind, where a named image
 * without a filesystem made every later start refuse it. Returns 0 (the
 * image is not open), -EOPNOTSUPP when the directory's filesystem has no
 * O_TMPFILE, or -errno with @err set.
 */
static int create_image(const struct rl_target *t, const char *img, struct rl_err *err)
{
	char dir[PATH_MAX], link[64];
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", img);
	fd = open(dirname(dir), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR))	/* EISDIR: before O_TMPFILE */
		return -EOPNOTSUPP;
	if (fd < 0)
		return rl_target_fail(t, err, -errno, img, "cannot create the image: %s",
				      strerror(errno));
	/* mkfs.ext4 is another process: it reaches the file through ours. */
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)getpid(), fd);
	ret = format_image(t, img, fd, link, err);
	if (!ret && linkat(AT_FDCWD, link, AT_FDCWD, img, AT_SYMLINK_FOLLOW) < 0)
		ret = rl_target_fail(t, err, -errno, img, "cannot name the new image: %s",
				     strerror(errno));
	close(fd);
	return ret;
}

/* Where there is no O_TMPFILE: named from the start, unformatted for a while. */
static int create_named(const struct rl_target *t, const char *img, int *fd, bool *created,
			struct rl_err *err)
{
	*fd = open(img, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return rl_target_fail(t, err, -errno, img, "cannot create the image: %s",
				      strerror(errno));
	*created = true;
	return format_image(t, img, *fd, img, err);
}

/* An image that was there already: a regular file of ours holding ext4. */
static int check_image(const struct rl_target *t, const char *img, int fd, struct rl_err *err)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0)
		return rl_target_fail(t, err, -errno, img, "cannot stat the image: %s",
				      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return rl_target_fail(t, err, -EPERM, img, "the image is not a regular file");
	if (st.st_uid != geteuid())
		return rl_target_fail(t, err, -EPERM, img,
				      "the image is owned by uid %u, not by us (uid %u)",
				      (unsigned int)st.st_uid, (unsigned int)geteuid());
	ret = rl_target_has_ext4(fd);
	if (ret < 0)
		return rl_target_fail(t, err, ret, img, "cannot read the image: %s", strerror(-ret));
	if (!ret)
		return rl_target_fail(t, err, -EINVAL, img,
				      "the image exists but holds no ext4 filesystem; remove it to have it re-created");
	return 0;
}

int rl_loopimg_open(const struct rl_target *t, const char *img, int *fd, bool *created,
		    struct rl_err *err)
{
	int ret;

	*created = false;
	*fd = open(img, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return check_image(t, img, *fd, err);
	if (errno != ENOENT)
		return rl_target_fail(t, err, -errno, img, "cannot open the image: %s",
				      errno == ELOOP ? "it is a symlink" : strerror(errno));
	ret = create_image(t, img, err);
	if (ret == -EOPNOTSUPP)
		return create_named(t, img, fd, created, err);
	if (ret)
		return ret;
	*created = true;
	/* By its name: the loop device reports its backing file by the path it was opened by. */
	*fd = open(img, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return rl_target_fail(t, err, -errno, img, "cannot open the new image: %s",
				      strerror(errno));
	return 0;
}

static int loop_configure(int lfd, int file_fd, const char *img)
{
	struct loop_config lc;
	struct loop_info64 info;

	memset(&lc, 0, sizeof(lc));
	lc.fd = (uint32_t)file_fd;
	/* AUTOCLEAR: the device detaches itself when the filesystem is unmounted. */
	lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO;
	/* Only informational (losetup -l shows it): a long path is cut. */
	memcpy(lc.info.lo_file_name, img, strnlen(img, LO_NAME_SIZE - 1));
	if (!ioctl(lfd, LOOP_CONFIGURE, &lc))
		return 0;
	if (errno == EBUSY)
		return -EBUSY;
	/* Direct I/O refused (the backing filesystem cannot do it): go buffered. */
	lc.info.lo_flags &= ~LO_FLAGS_DIRECT_IO;
	if (!ioctl(lfd, LOOP_CONFIGURE, &lc))
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	/* Kernels before 5.8 have no LOOP_CONFIGURE. */
	if (ioctl(lfd, LOOP_SET_FD, file_fd) < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	memcpy(info.lo_file_name, lc.info.lo_file_name, LO_NAME_SIZE);
	if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0) {
		int ret = -errno;

		ioctl(lfd, LOOP_CLR_FD, 0);
		return ret;
	}
	ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL);
	return 0;
}

int rl_loopimg_attach(struct rl_target *t, int file_fd, const char *img, int *lfd,
		      struct rl_err *err)
{
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	int i, n, fd, ret = -EBUSY;

	if (ctl < 0)
		return rl_target_fail(t, err, -errno, "/dev/loop-control", "cannot open: %s",
				      strerror(errno));
	/* Another process may take the device we were offered: ask again. */
	for (i = 0; i < LOOP_ATTACH_TRIES && ret == -EBUSY; i++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return rl_target_fail(t, err, -errno, "/dev/loop-control",
					      "no free loop device: %s", strerror(errno));
		snprintf(t->device, sizeof(t->device), "/dev/loop%d", n);
		fd = open(t->device, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			ret = errno == ENOENT ? -EBUSY : -errno;
			continue;
		}
		ret = loop_configure(fd, file_fd, img);
		if (ret)
			close(fd);
		else
			*lfd = fd;
	}
	if (ret) {
		rl_target_fail(t, err, ret, img, "cannot attach a loop device (%s): %s", t->device,
			       strerror(-ret));
		t->device[0] = '\0';
		return ret;
	}
	t->loop_by_us = true;
	return 0;
}

int rl_loopimg_find(const char *img, char *dev, size_t len)
{
	char path[PATH_MAX], buf[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/sys/block");
	int found = 0;

	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", de->d_name);
		if (rl_read_attr(path, buf, sizeof(buf)) < 0)
			continue;
		if (!strcmp(buf, img)) {
			snprintf(dev, len, "/dev/%s", de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

void rl_loopimg_wait_free(const char *dev)
{
	const char *name = strrchr(dev, '/');
	char path[PATH_MAX];
	int waited;

	/* The detach is asynchronous after the unmount (or LOOP_CLR_FD). */
	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name ? name + 1 : dev);
	for (waited = 0; waited < LOOP_FREE_WAIT_MS; waited += RL_TARGET_POLL_MS) {
		if (access(path, F_OK))
			return;
		rl_target_sleep_ms(RL_TARGET_POLL_MS);
	}
}

void rl_loopimg_detach(int lfd, const char *dev)
{
	ioctl(lfd, LOOP_CLR_FD, 0);
	close(lfd);
	rl_loopimg_wait_free(dev);
}
