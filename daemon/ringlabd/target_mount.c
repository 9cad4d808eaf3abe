/* SPDX-License-Identifier: MIT */
/*
 * A target's filesystem: mkfs.ext4 (the one program ringlabd runs, with an
 * argv array and no shell), its mount point under state_dir/mnt, mount(2)
 * and the unmount, and reclaiming the mount a killed daemon left behind.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "state_lock.h"
#include "target_parts.h"
#include "util/mountinfo.h"

#define EXT4_MAGIC_OFFSET 1080
#define MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
/* A second for the files a run of ours just closed, at its stop. */
#define UMOUNT_TRIES 20
/*
 * A killed daemon's files go only after it is reaped: the kernel finishes its
 * I/O in flight (on a loop device over a busy disk, seconds) and a workqueue
 * drops io_uring's registered files. A restart at once finds the mount busy
 * meanwhile, so reclaiming waits up to 15 s.
 */
#define RECLAIM_TRIES (15000 / RL_TARGET_POLL_MS)
/*
 * The block size of what ringlabd formats: the workloads' (4096 for every
 * shipped one, and runs refuse a mismatch). Left to itself mke2fs picks
 * 1 KiB for filesystems under 512 MiB.
 */
#define MKFS_BLOCK_SIZE "4096"

int rl_target_has_ext4(int fd)
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
	char *const argv[] = { "mkfs.ext4", "-q", "-F", "-b", MKFS_BLOCK_SIZE, (char *)dev, NULL };

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

int rl_target_mkfs(const char *dev, char *msg, size_t len)
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

int rl_target_prepare_fs(const struct rl_target *t, const char *dev, const char *shown,
			 struct rl_err *err)
{
	char msg[200];
	int fd, ret;

	if (t->cfg.format) {
		ret = rl_target_mkfs(dev, msg, sizeof(msg));
		return ret ? rl_target_fail(t, err, ret, shown, "mkfs.ext4 failed: %s", msg) : 0;
	}
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_target_fail(t, err, -errno, shown, "cannot open: %s", strerror(errno));
	ret = rl_target_has_ext4(fd);
	close(fd);
	if (ret < 0)
		return rl_target_fail(t, err, ret, shown, "cannot read the superblock: %s",
				      strerror(-ret));
	if (!ret)
		return rl_target_fail(t, err, -EINVAL, shown,
				      "holds no ext4 filesystem (set \"format\": true to format it)");
	return 0;
}

/* ---- mount points --------------------------------------------------------- */

static int match_mount_point(const struct rl_mount_entry *e, void *ctx)
{
	return !strcmp(e->mount_point, ctx);
}

/* Returns 1 when canonical path @dir is a mount point, 0 or -errno. */
static int is_mount_point(const char *dir)
{
	return rl_mountinfo_walk(match_mount_point, (void *)dir);
}

int rl_target_mountpoint(struct rl_target *t, const char *state_dir, bool *made,
			 struct rl_err *err)
{
	char mnt[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int ret;

	*made = false;
	snprintf(mnt, sizeof(mnt), "%.900s/mnt", state_dir);
	ret = rl_target_mkdir_p(mnt, 0750);
	if (ret)
		return rl_target_fail(t, err, ret, mnt, "cannot create the mount directory: %s",
				      strerror(-ret));
	if (lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode))
		return rl_target_fail(t, err, -ENOTDIR, mnt, "the mount directory is not a directory");
	snprintf(mnt + strlen(mnt), sizeof(mnt) - strlen(mnt), "/%s", t->cfg.name);
	if (mkdir(mnt, 0750) == 0)
		*made = true;
	else if (errno != EEXIST)
		return rl_target_fail(t, err, -errno, mnt, "cannot create the mount point: %s",
				      strerror(errno));
	/* A symlink here would redirect the mount. */
	if (lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode))
		ret = rl_target_fail(t, err, -ENOTDIR, mnt, "the mount point is not a directory");
	else if (!realpath(mnt, real))
		ret = rl_target_fail(t, err, -errno, mnt, "cannot resolve the mount point: %s",
				     strerror(errno));
	else if ((ret = is_mount_point(real)) != 0)
		ret = ret < 0 ? rl_target_fail(t, err, ret, mnt, "cannot read /proc/self/mountinfo: %s",
					       strerror(-ret)) :
				rl_target_fail(t, err, -EBUSY, real,
					       "something is already mounted on the mount point");
	else if (rl_target_set_path(t->dir, real))
		ret = rl_target_fail(t, err, -ENAMETOOLONG, real, "the mount point's path is too long");
	if (ret) {
		if (*made)
			rmdir(mnt);
		*made = false;
		return ret;
	}
	return 0;
}

int rl_target_mount(struct rl_target *t, const char *dev, struct rl_err *err)
{
	if (mount(dev, t->dir, "ext4", MOUNT_FLAGS, NULL) < 0)
		return rl_target_fail(t, err, -errno, dev,
				      "cannot mount ext4 at %.200s: %s (the kernel log says why)",
				      t->dir, strerror(errno));
	t->mounted_by_us = true;
	return 0;
}

/*
 * Unmount @dir, retried @tries times (RL_TARGET_POLL_MS apart) while it is busy.
 * Returns 0 (or nothing was mounted), -EBUSY or -errno.
 */
static int unmount_waiting(const char *dir, int tries)
{
	int i;

	for (i = 0; i < tries; i++) {
		if (!umount2(dir, UMOUNT_NOFOLLOW) || errno == EINVAL || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		rl_target_sleep_ms(RL_TARGET_POLL_MS);
	}
	return -EBUSY;
}

void rl_target_unmount(const char *dir)
{
	if (unmount_waiting(dir, UMOUNT_TRIES) < 0)
		umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW);
}

/* ---- what a killed daemon left ----------------------------------------------- */

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
 * point, and its owner is dead, take it down so the target opens as usual;
 * anything else stays refused by the checks that follow. The owner is dead
 * when no other process holds the state directory's lock, and nothing has a
 * file open on the mount once the kernel has let go of the dead one's (see
 * RECLAIM_TRIES): a busy one is never detached lazily, which would leave a
 * live run writing into the directory underneath.
 */
void rl_target_reclaim(const struct rl_target *t, const char *state_dir, const char *img)
{
	char real[PATH_MAX], mnt[PATH_MAX], mnt_real[PATH_MAX], dev[NAME_MAX + 8];
	struct leftover_ctx c = { 0 };
	pid_t owner;
	int ret;

	snprintf(mnt, sizeof(mnt), "%.900s/mnt/%s", state_dir, t->cfg.name);
	if (!realpath(img, real) || !realpath(mnt, mnt_real) ||
	    rl_loopimg_find(real, dev, sizeof(dev)) != 1)
		return;
	c.mnt = mnt_real;
	c.dev = dev;
	if (rl_mountinfo_walk(match_leftover, &c) < 0 || !c.found)
		return;
	ret = rl_state_lock_other(state_dir, &owner);
	if (ret > 0)
		rl_log(LOG_WARNING, "target %s: %s on %s belongs to ringlabd pid %d, which runs: left alone",
		       t->cfg.name, dev, mnt_real, (int)owner);
	else if (ret < 0)
		rl_log(LOG_WARNING, "target %s: %s on %s: cannot read the state lock (%s): left alone",
		       t->cfg.name, dev, mnt_real, strerror(-ret));
	if (ret)
		return;
	rl_log(LOG_WARNING, "target %s: unmounting %s from %s, left by a ringlabd that did not stop",
	       t->cfg.name, dev, mnt_real);
	ret = unmount_waiting(mnt_real, RECLAIM_TRIES);
	if (ret < 0) {
		rl_log(LOG_WARNING, "target %s: %s is still in use (%s): left mounted",
		       t->cfg.name, mnt_real, strerror(-ret));
		return;
	}
	rl_loopimg_wait_free(dev);
}
