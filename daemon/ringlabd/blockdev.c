/* SPDX-License-Identifier: MIT */
/*
 * Is this whole disk safe to format and write: named by /dev/disk/by-id/,
 * not a partition, not the system disk, nothing of it mounted, no holders
 * (dm, md, LVM), and the kernel's own O_EXCL agreeing. Read-only: nothing
 * here opens a disk for writing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "target_parts.h"
#include "util/fileio.h"
#include "util/mountinfo.h"
#include "util/path.h"

#define BY_ID "/dev/disk/by-id/"
#define SYSTEM_DISK "/dev/vda"
#define MAX_PARTS 64

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

int rl_blockdev_check(const char *devpath, const char *shown, struct rl_err *err)
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
	return rl_blockdev_check(devpath, devpath, err);
}

int rl_blockdev_resolve(const struct rl_target *t, char dev[PATH_MAX], char *shown,
			size_t shown_len, struct rl_err *err)
{
	const char *p = t->cfg.path, *id = p + strlen(BY_ID);
	struct stat st;

	/* One by-id entry: a stable name that cannot be a partition table's guess or a path trick. */
	if (strncmp(p, BY_ID, strlen(BY_ID)) || !*id || strchr(id, '/') || rl_path_has_dotdot(id))
		return rl_target_fail(t, err, -EINVAL, p,
				      "a block target must be named by one entry of " BY_ID);
	if (lstat(p, &st) < 0)
		return rl_target_fail(t, err, -errno, p, "%s", errno == ENOENT ? "does not exist" :
				      strerror(errno));
	if (!realpath(p, dev))
		return rl_target_fail(t, err, -errno, p, "cannot resolve: %s", strerror(errno));
	snprintf(shown, shown_len, "%s -> %s", p, dev);
	return 0;
}
