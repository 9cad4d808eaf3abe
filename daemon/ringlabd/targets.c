/* SPDX-License-Identifier: MIT */
/*
 * Targets: the only places ringlabd writes. Every check here exists to
 * refuse something that would let a run write where nobody asked it to: a
 * mounted or busy disk, the system disk, a directory that is not ext4 or
 * not writable, a path that escapes through ".." or a symlink. Everything
 * is done with syscalls (loop ioctls, mount(2)); only mkfs.ext4 is run,
 * with an argv array and no shell. A failed open undoes what it did.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "schema/fields.h"
#include "log.h"
#include "targets.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/mountinfo.h"
#include "util/path.h"

#define BY_ID "/dev/disk/by-id/"
#define SYSTEM_DISK "/dev/vda"
#define EXT4_MAGIC_OFFSET 1080
#define MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define LOOP_ATTACH_TRIES 8
#define UMOUNT_TRIES 20
#define POLL_MS 50
#define LOOP_FREE_WAIT_MS 3000
#define MAX_PARTS 64

/* "target NAME: WHAT (PATH)": the one shape of every message from here. */
__attribute__((format(printf, 5, 6)))
static int tfail(const struct rl_target *t, struct rl_err *err, int ret, const char *path,
		 const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rl_err_set(err, ret, "target %s: %s (%.200s)", t->cfg.name, what, path);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Copy canonical path @src into a target's RL_PATH_MAX buffer. */
static int set_path(char dst[RL_PATH_MAX], const char *src)
{
	size_t n = strlen(src);

	if (n >= RL_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

/* mkdir -p @path with @mode for what it creates. Returns 0 or -errno. */
static int mkdir_p(const char *path, mode_t mode)
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

/* ---- /proc/self/mountinfo ------------------------------------------------ */

static int match_target(const struct rl_mount_entry *e, void *ctx)
{
	return !strcmp(e->mount_point, ctx);
}

/* Returns 1 when canonical path @dir is a mount point, 0 or -errno. */
static int is_mount_point(const char *dir)
{
	return rl_mountinfo_walk(match_target, (void *)dir);
}

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

/* ---- block devices -------------------------------------------------------- */

/* A whole disk and its partitions, by device number and sysfs name. */
struct disk_devs {
	dev_t dev[MAX_PARTS + 1];
	char name[MAX_PARTS + 1][NAME_MAX + 1];
	size_t n;
};

static int parse_devno(const char *s, dev_t *dev)
{
	unsigned int ma, mi;

	if (sscanf(s, "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	*dev = makedev(ma, mi);
	return 0;
}

/* The partitions of the disk @rdev: the sysfs children that have a "partition" file. */
static int list_partitions(dev_t rdev, struct disk_devs *d)
{
	char sys[64], path[PATH_MAX], buf[32];
	struct dirent *de;
	DIR *dir;

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	dir = opendir(sys);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && d->n <= MAX_PARTS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/partition", sys, de->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev", sys, de->d_name);
		if (rl_read_attr(path, buf, sizeof(buf)) < 0 || parse_devno(buf, &d->dev[d->n]))
			continue;
		snprintf(d->name[d->n], sizeof(d->name[0]), "%s", de->d_name);
		d->n++;
	}
	closedir(dir);
	return 0;
}

struct mounted_ctx {
	const struct disk_devs *d;
	size_t which;
	char where[PATH_MAX];
};

static int match_disk_mount(const struct rl_mount_entry *e, void *ctx)
{
	struct mounted_ctx *c = ctx;
	dev_t dev = makedev(e->maj, e->min);
	struct stat st;
	size_t i;

	/* btrfs and others report an anonymous device: look at the source too. */
	if (!strncmp(e->source, "/dev/", 5) && !stat(e->source, &st) && S_ISBLK(st.st_mode))
		dev = st.st_rdev;
	for (i = 0; i < c->d->n; i++) {
		if (c->d->dev[i] == dev || makedev(e->maj, e->min) == c->d->dev[i]) {
			c->which = i;
			snprintf(c->where, sizeof(c->where), "%s", e->mount_point);
			return 1;
		}
	}
	return 0;
}

/* The first entry of sysfs directory @dir, into @name; 0 when there is none. */
static int first_entry(const char *dir, char *name, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, len, "%s", de->d_name);
		found = 1;
	}
	closedir(d);
	return found;
}

/* The whole disk of block device @dev (itself unless it is a partition). */
static dev_t whole_disk(dev_t dev)
{
	char path[96], buf[32];
	dev_t disk;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition", major(dev), minor(dev));
	if (access(path, F_OK))
		return dev;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../dev", major(dev), minor(dev));
	if (rl_read_attr(path, buf, sizeof(buf)) < 0 || parse_devno(buf, &disk))
		return dev;
	return disk;
}

static int check_system_disk(const char *shown, dev_t rdev, struct rl_err *err)
{
	struct stat st;

	/* Lab VMs boot from /dev/vda: never a target, wherever / is mounted from. */
	if (!stat(SYSTEM_DISK, &st) && S_ISBLK(st.st_mode) && st.st_rdev == rdev)
		return rl_err_set(err, -EPERM, "is " SYSTEM_DISK ", the system disk (%s)", shown);
	if (!stat("/", &st) && (st.st_dev == rdev || whole_disk(st.st_dev) == rdev))
		return rl_err_set(err, -EPERM, "holds the root filesystem (%s)", shown);
	return 0;
}

static int check_unused(const char *shown, const struct disk_devs *d, struct rl_err *err)
{
	struct mounted_ctx mc = { .d = d };
	char path[PATH_MAX], holder[NAME_MAX + 1];
	size_t i;
	int ret;

	ret = rl_mountinfo_walk(match_disk_mount, &mc);
	if (ret < 0)
		return rl_err_set(err, ret, "cannot read /proc/self/mountinfo: %s (%s)",
				  strerror(-ret), shown);
	if (ret && mc.which == 0)
		return rl_err_set(err, -EBUSY, "is mounted at %.200s (%s)", mc.where, shown);
	if (ret)
		return rl_err_set(err, -EBUSY, "is mounted: its partition %s at %.200s (%s)",
				  d->name[mc.which], mc.where, shown);
	for (i = 0; i < d->n; i++) {
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders",
			 major(d->dev[i]), minor(d->dev[i]));
		ret = first_entry(path, holder, sizeof(holder));
		if (ret < 0)
			return rl_err_set(err, ret, "cannot read %s: %s (%s)", path,
					  strerror(-ret), shown);
		if (ret)
			return rl_err_set(err, -EBUSY, "is in use: %s%s%s holds it (%s)", holder,
					  i ? " on partition " : "", i ? d->name[i] : "", shown);
	}
	return 0;
}

/* rl_target_check_block() with @shown as the path in messages. */
static int check_block(const char *devpath, const char *shown, struct rl_err *err)
{
	struct disk_devs *d;
	char path[96];
	struct stat st;
	int fd, ret;

	if (stat(devpath, &st) < 0)
		return rl_err_set(err, -errno, "cannot stat: %s (%s)", strerror(errno), shown);
	if (!S_ISBLK(st.st_mode))
		return rl_err_set(err, -ENOTBLK, "is not a block device (%s)", shown);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition",
		 major(st.st_rdev), minor(st.st_rdev));
	if (!access(path, F_OK))
		return rl_err_set(err, -EPERM, "is a partition, not a whole disk (%s)", shown);
	ret = check_system_disk(shown, st.st_rdev, err);
	if (ret)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d)
		return rl_err_set(err, -ENOMEM, "out of memory (%s)", shown);
	d->dev[0] = st.st_rdev;
	snprintf(d->name[0], sizeof(d->name[0]), "%s", devpath);
	d->n = 1;
	ret = list_partitions(st.st_rdev, d);
	if (ret)
		ret = rl_err_set(err, ret, "cannot list its partitions in sysfs: %s (%s)",
				 strerror(-ret), shown);
	if (!ret)
		ret = check_unused(shown, d, err);
	free(d);
	if (ret)
		return ret;
	/* The kernel's own word: O_EXCL fails while anything holds the disk. */
	fd = open(devpath, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0 && errno == EBUSY)
		return rl_err_set(err, -EBUSY,
				  "is in use: another program holds it open exclusively (%s)", shown);
	if (fd < 0)
		return rl_err_set(err, -errno, "cannot open: %s (%s)", strerror(errno), shown);
	close(fd);
	return 0;
}

/*
 * rl_target_check_block() - is @devpath (an already resolved device node)
 * a whole-disk block device nobody uses: not the system disk, not mounted
 * (nor any of its partitions), no holders, and openable O_EXCL? Never opens
 * it for writing. Returns 0, or -ENOTBLK, -EPERM, -EBUSY or -errno with
 * "WHAT (DEVPATH)" in @err.
 */
int rl_target_check_block(const char *devpath, struct rl_err *err)
{
	return check_block(devpath, devpath, err);
}

/* Returns 1 when @fd has the ext4 superblock magic, 0 when not, or -errno. */
static int has_ext4_magic(int fd)
{
	unsigned char m[2];
	ssize_t n = pread(fd, m, sizeof(m), EXT4_MAGIC_OFFSET);

	if (n < 0)
		return -errno;
	return n == 2 && (m[0] | m[1] << 8) == EXT4_SUPER_MAGIC;
}

/* ---- mkfs.ext4 ----------------------------------------------------------- */

static void exec_mkfs(const char *dev, int out)
{
	char *const argv[] = { "mkfs.ext4", "-q", "-F", (char *)dev, NULL };

	/* Only async-signal-safe calls: the daemon has threads. */
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	execvp(argv[0], argv);
	/* A user's PATH often lacks the sbin directories. */
	execv("/usr/sbin/mkfs.ext4", argv);
	execv("/sbin/mkfs.ext4", argv);
	(void)!write(STDERR_FILENO, "mkfs.ext4 not found", 19);
	_exit(127);
}

/* Read the child's output; keep its start for the error message. */
static void drain(int fd, char *msg, size_t len)
{
	size_t used = 0;
	char buf[512];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < len) {
			size_t k = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;

			memcpy(msg + used, buf, k);
			used += k;
		}
	}
	msg[used] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* mkfs.ext4 -q -F @dev. Returns 0 or -EIO with its output (or status) in @msg. */
static int run_mkfs(const char *dev, char *msg, size_t len)
{
	int pfd[2], status;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(msg, len, "pipe: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int ret = -errno;

		snprintf(msg, len, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	if (!pid)
		exec_mkfs(dev, pfd[1]);
	close(pfd[1]);
	drain(pfd[0], msg, len);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!msg[0] || msg[0] == ' ')
		snprintf(msg, len, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -EIO;
}

/* ---- mount points --------------------------------------------------------- */

/*
 * state_dir/mnt/NAME, created 0750, must be a real directory (a symlink
 * there would redirect the mount) and not already a mount point. Its
 * canonical path goes to t->dir; *made says whether we created it.
 */
static int make_mountpoint(struct rl_target *t, const char *state_dir, bool *made,
			   struct rl_err *err)
{
	char mnt[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int ret;

	*made = false;
	snprintf(mnt, sizeof(mnt), "%.900s/mnt", state_dir);
	ret = mkdir_p(mnt, 0750);
	if (ret)
		return tfail(t, err, ret, mnt, "cannot create the mount directory: %s", strerror(-ret));
	if (lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode))
		return tfail(t, err, -ENOTDIR, mnt, "the mount directory is not a directory");
	snprintf(mnt + strlen(mnt), sizeof(mnt) - strlen(mnt), "/%s", t->cfg.name);
	if (mkdir(mnt, 0750) == 0)
		*made = true;
	else if (errno != EEXIST)
		return tfail(t, err, -errno, mnt, "cannot create the mount point: %s", strerror(errno));
	if (lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode))
		ret = tfail(t, err, -ENOTDIR, mnt, "the mount point is not a directory");
	else if (!realpath(mnt, real))
		ret = tfail(t, err, -errno, mnt, "cannot resolve the mount point: %s", strerror(errno));
	else if ((ret = is_mount_point(real)) != 0)
		ret = ret < 0 ? tfail(t, err, ret, mnt, "cannot read /proc/self/mountinfo: %s",
				      strerror(-ret)) :
				tfail(t, err, -EBUSY, real, "something is already mounted on the mount point");
	else if (set_path(t->dir, real))
		ret = tfail(t, err, -ENAMETOOLONG, real, "the mount point's path is too long");
	if (ret) {
		if (*made)
			rmdir(mnt);
		*made = false;
		return ret;
	}
	return 0;
}

/* Unmount @dir, waiting out short-lived users, lazily as the last resort. */
static void unmount_dir(const char *dir)
{
	int i;

	for (i = 0; i < UMOUNT_TRIES; i++) {
		if (!umount2(dir, UMOUNT_NOFOLLOW) || errno == EINVAL || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		sleep_ms(POLL_MS);
	}
	umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW);
}

static int mount_ext4(struct rl_target *t, const char *dev, struct rl_err *err)
{
	if (mount(dev, t->dir, "ext4", MOUNT_FLAGS, NULL) < 0)
		return tfail(t, err, -errno, dev, "cannot mount ext4 at %.200s: %s (the kernel log says why)",
			     t->dir, strerror(errno));
	t->mounted_by_us = true;
	return 0;
}

/* ---- loop devices ---------------------------------------------------------- */

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

/*
 * Attach @file_fd to a free loop device; on success *lfd is the open loop
 * device (keep it open until mounted: AUTOCLEAR fires on the last close).
 */
static int loop_attach(struct rl_target *t, int file_fd, const char *img, int *lfd,
		       struct rl_err *err)
{
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	int i, n, fd, ret = -EBUSY;

	if (ctl < 0)
		return tfail(t, err, -errno, "/dev/loop-control", "cannot open: %s", strerror(errno));
	/* Another process may take the device we were offered: ask again. */
	for (i = 0; i < LOOP_ATTACH_TRIES && ret == -EBUSY; i++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return tfail(t, err, -errno, "/dev/loop-control",
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
		tfail(t, err, ret, img, "cannot attach a loop device (%s): %s", t->device,
		      strerror(-ret));
		t->device[0] = '\0';
		return ret;
	}
	t->loop_by_us = true;
	return 0;
}

/* Is the image already behind some loop device? Mounting it twice corrupts it. */
static int image_attached(const char *img, char *dev, size_t len)
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

/* Wait for AUTOCLEAR to detach @dev (asynchronous after the unmount). */
static void wait_loop_free(const char *dev)
{
	const char *name = strrchr(dev, '/');
	char path[PATH_MAX];
	int waited;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name ? name + 1 : dev);
	for (waited = 0; waited < LOOP_FREE_WAIT_MS; waited += POLL_MS) {
		if (access(path, F_OK))
			return;
		sleep_ms(POLL_MS);
	}
}

/* ---- image targets --------------------------------------------------------- */

/*
 * Open the image, creating and formatting it when it does not exist yet.
 * An existing one must be a regular file of ours holding ext4.
 */
static int open_image_file(struct rl_target *t, const char *img, int *fd, bool *created,
			   struct rl_err *err)
{
	char msg[200];
	struct stat st;
	int ret;

	*created = false;
	*fd = open(img, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd >= 0) {
		*created = true;
		if (ftruncate(*fd, (off_t)t->cfg.size) < 0)
			return tfail(t, err, -errno, img, "cannot size the image: %s", strerror(errno));
		ret = run_mkfs(img, msg, sizeof(msg));
		if (ret)
			return tfail(t, err, ret, img, "mkfs.ext4 failed: %s", msg);
		return 0;
	}
	if (errno != EEXIST)
		return tfail(t, err, -errno, img, "cannot create the image: %s", strerror(errno));
	*fd = open(img, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return tfail(t, err, -errno, img, "cannot open the image: %s",
			     errno == ELOOP ? "it is a symlink" : strerror(errno));
	if (fstat(*fd, &st) < 0)
		return tfail(t, err, -errno, img, "cannot stat the image: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tfail(t, err, -EPERM, img, "the image is not a regular file");
	if (st.st_uid != geteuid())
		return tfail(t, err, -EPERM, img, "the image is owned by uid %u, not by us (uid %u)",
			     (unsigned int)st.st_uid, (unsigned int)geteuid());
	ret = has_ext4_magic(*fd);
	if (ret < 0)
		return tfail(t, err, ret, img, "cannot read the image: %s", strerror(-ret));
	if (!ret)
		return tfail(t, err, -EINVAL, img,
			     "the image exists but holds no ext4 filesystem; remove it to have it re-created");
	return 0;
}

static int image_path(const struct rl_target *t, const char *state_dir, char *img, size_t len,
		      struct rl_err *err)
{
	int n;

	if (!t->cfg.path[0])
		return tfail(t, err, -EINVAL, state_dir, "the image path is empty");
	if (rl_path_has_dotdot(t->cfg.path))
		return tfail(t, err, -EINVAL, t->cfg.path, "the image path must not contain '..'");
	if (t->cfg.path[0] == '/')
		n = snprintf(img, len, "%s", t->cfg.path);
	else
		n = snprintf(img, len, "%s/%s", state_dir, t->cfg.path);
	if (n < 0 || (size_t)n >= len)
		return tfail(t, err, -ENAMETOOLONG, t->cfg.path, "image path too long");
	return 0;
}

struct leftover_ctx {
	const char *mnt, *dev;
	bool found;
};

static int match_leftover(const struct rl_mount_entry *e, void *ctx)
{
	struct leftover_ctx *c = ctx;

	if (!strcmp(e->mount_point, c->mnt) && !strcmp(e->source, c->dev))
		c->found = true;
	return 0;
}

/*
 * A daemon killed with SIGKILL leaves its image mounted on its own mount
 * point (outside systemd's private mount namespace nothing unmounts it).
 * When exactly that is found, our image on our loop device on our mount
 * point, take it down so the target opens as usual; anything else stays
 * refused by the checks that follow.
 */
static void reclaim_leftover(const struct rl_target *t, const char *state_dir, const char *img)
{
	char real[PATH_MAX], mnt[PATH_MAX], mnt_real[PATH_MAX], dev[NAME_MAX + 8];
	struct leftover_ctx c = { 0 };

	snprintf(mnt, sizeof(mnt), "%.900s/mnt/%s", state_dir, t->cfg.name);
	if (!realpath(img, real) || !realpath(mnt, mnt_real) || image_attached(real, dev, sizeof(dev)) != 1)
		return;
	c.mnt = mnt_real;
	c.dev = dev;
	if (rl_mountinfo_walk(match_leftover, &c) < 0 || !c.found)
		return;
	rl_log(LOG_WARNING, "target %s: unmounting %s from %s, left by a ringlabd that did not stop",
	       t->cfg.name, dev, mnt_real);
	unmount_dir(mnt_real);
	wait_loop_free(dev);
}

static int open_image(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	char img[PATH_MAX], real[PATH_MAX], other[NAME_MAX + 8];
	bool made_mnt = false, created = false;
	int fd = -1, lfd = -1, ret;

	ret = image_path(t, state_dir, img, sizeof(img), err);
	if (ret)
		return ret;
	ret = mkdir_p(state_dir, 0750);
	if (ret)
		return tfail(t, err, ret, state_dir, "cannot create the state directory: %s",
			     strerror(-ret));
	reclaim_leftover(t, state_dir, img);
	ret = make_mountpoint(t, state_dir, &made_mnt, err);
	if (ret)
		return ret;
	ret = open_image_file(t, img, &fd, &created, err);
	if (ret)
		goto fail;
	/* The kernel reports the backing file by its canonical path. */
	if (!realpath(img, real)) {
		ret = tfail(t, err, -errno, img, "cannot resolve the image: %s", strerror(errno));
		goto fail;
	}
	ret = image_attached(real, other, sizeof(other));
	if (ret) {
		ret = ret < 0 ? tfail(t, err, ret, img, "cannot list loop devices: %s", strerror(-ret)) :
				tfail(t, err, -EBUSY, img, "the image is already attached to %s", other);
		goto fail;
	}
	ret = loop_attach(t, fd, real, &lfd, err);
	if (!ret)
		ret = mount_ext4(t, t->device, err);
	if (ret)
		goto fail;
	close(lfd);
	close(fd);
	return 0;
fail:
	if (lfd >= 0) {
		/* Never mounted (mount_ext4 failing is the last step): detach now. */
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
		wait_loop_free(t->device);
	}
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

static int open_dir(struct rl_target *t, struct rl_err *err)
{
	const char *p = t->cfg.path;
	char real[PATH_MAX], shown[2 * PATH_MAX + 8], fs[64];
	struct statvfs sv;
	struct statfs sf;
	struct stat st;

	if (p[0] != '/')
		return tfail(t, err, -EINVAL, p, "a dir target needs an absolute path");
	if (rl_path_has_dotdot(p))
		return tfail(t, err, -EINVAL, p, "the path must not contain '..'");
	if (!realpath(p, real))
		return tfail(t, err, -errno, p, "%s", errno == ENOENT ? "does not exist" :
			     strerror(errno));
	/* A symlink may lead elsewhere: every check below is on where it leads. */
	if (strcmp(real, p))
		snprintf(shown, sizeof(shown), "%s -> %s", p, real);
	else
		snprintf(shown, sizeof(shown), "%s", p);
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return tfail(t, err, -ENOTDIR, shown, "is not a directory");
	if (!strcmp(real, "/"))
		return tfail(t, err, -EPERM, shown, "is the root directory");
	if (statfs(real, &sf) < 0 || statvfs(real, &sv) < 0)
		return tfail(t, err, -errno, shown, "cannot statfs: %s", strerror(errno));
	if (sf.f_type != EXT4_SUPER_MAGIC) {
		fs_name(real, (long)sf.f_type, fs, sizeof(fs));
		return tfail(t, err, -EINVAL, shown, "is not on ext4 but on %s", fs);
	}
	if (sv.f_flag & ST_RDONLY)
		return tfail(t, err, -EROFS, shown, "is on a read-only filesystem");
	if (access(real, W_OK | X_OK) < 0)
		return tfail(t, err, -errno, shown, "is not writable: %s", strerror(errno));
	if (set_path(t->dir, real))
		return tfail(t, err, -ENAMETOOLONG, shown, "the resolved path is too long");
	return 0;
}

/* ---- block targets ----------------------------------------------------------- */

static int prepare_block_fs(struct rl_target *t, const char *dev, const char *shown,
			    struct rl_err *err)
{
	char msg[200];
	int fd, ret;

	if (t->cfg.format) {
		ret = run_mkfs(dev, msg, sizeof(msg));
		return ret ? tfail(t, err, ret, shown, "mkfs.ext4 failed: %s", msg) : 0;
	}
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tfail(t, err, -errno, shown, "cannot open: %s", strerror(errno));
	ret = has_ext4_magic(fd);
	close(fd);
	if (ret < 0)
		return tfail(t, err, ret, shown, "cannot read the superblock: %s", strerror(-ret));
	if (!ret)
		return tfail(t, err, -EINVAL, shown,
			     "holds no ext4 filesystem (set \"format\": true to format it)");
	return 0;
}

static int open_block(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	const char *p = t->cfg.path, *id = p + strlen(BY_ID);
	char dev[PATH_MAX], shown[2 * PATH_MAX + 8];
	bool made_mnt = false;
	struct stat st;
	int ret;

	if (strncmp(p, BY_ID, strlen(BY_ID)) || !*id || strchr(id, '/') || rl_path_has_dotdot(id))
		return tfail(t, err, -EINVAL, p, "a block target must be named by one entry of "
			     BY_ID);
	if (lstat(p, &st) < 0)
		return tfail(t, err, -errno, p, "%s", errno == ENOENT ? "does not exist" :
			     strerror(errno));
	if (!realpath(p, dev))
		return tfail(t, err, -errno, p, "cannot resolve: %s", strerror(errno));
	snprintf(shown, sizeof(shown), "%s -> %s", p, dev);
	ret = check_block(dev, shown, err);
	if (ret)
		return rl_err_prefix(err, ret, "target %s", t->cfg.name);
	if (set_path(t->device, dev))
		return tfail(t, err, -ENAMETOOLONG, shown, "the device path is too long");
	ret = prepare_block_fs(t, dev, shown, err);
	if (!ret)
		ret = make_mountpoint(t, state_dir, &made_mnt, err);
	if (!ret)
		ret = mount_ext4(t, dev, err);
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

int rl_target_open(struct rl_target *t, const char *state_dir, struct rl_err *err)
{
	t->dir[0] = '\0';
	t->device[0] = '\0';
	t->mounted_by_us = false;
	t->loop_by_us = false;
	/* The name becomes a path component: the config checked it, check again. */
	if (!t->cfg.name[0] || rl_charset_match("a-z0-9_-", t->cfg.name) >= 0)
		return rl_err_set(err, -EINVAL, "target '%.64s': the name must be [a-z0-9_-]",
				  t->cfg.name);
	if (t->cfg.kind != RL_TARGET_DIR && (!state_dir || state_dir[0] != '/'))
		return tfail(t, err, -EINVAL, state_dir ? state_dir : "",
			     "state_dir must be an absolute path");
	switch (t->cfg.kind) {
	case RL_TARGET_IMAGE:
		return open_image(t, state_dir, err);
	case RL_TARGET_DIR:
		return open_dir(t, err);
	case RL_TARGET_BLOCK:
		return open_block(t, state_dir, err);
	case RL_TARGET_KIND_MAX:
		break;
	}
	return tfail(t, err, -EINVAL, t->cfg.path, "unknown target kind %d", (int)t->cfg.kind);
}

void rl_target_close(struct rl_target *t)
{
	if (t->mounted_by_us)
		unmount_dir(t->dir);
	if (t->loop_by_us && t->device[0])
		wait_loop_free(t->device);
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
