/* SPDX-License-Identifier: MIT */
/*
 * Claims on the files a run writes, and the sweep that removes those whose
 * run died. The lock, not the pid, decides: the kernel drops a dead
 * process's flock, while a pid may be reused or live in another pid
 * namespace. The sweep takes the lock itself before it unlinks, so a run
 * that starts claiming the same name meanwhile is not robbed of its file.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "claim.h"
#include "util/fileio.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

int rl_claim_file(int fd)
{
	char boot[64] = "unknown", owner[128];
	int n;

	if (flock(fd, LOCK_SH) < 0)
		return -errno;
	rl_read_attr(BOOT_ID_PATH, boot, sizeof(boot));
	n = snprintf(owner, sizeof(owner), "pid %d boot %s", (int)getpid(), boot);
	if (fsetxattr(fd, RL_CLAIM_XATTR, owner, (size_t)n, 0) < 0)
		return errno == ENOTSUP ? -EOPNOTSUPP : -errno;
	return 0;
}

int rl_claim_release(int fd)
{
	if (fremovexattr(fd, RL_CLAIM_XATTR) < 0 && errno != ENODATA)
		return -errno;
	return 0;
}

/* Whether @name in @dfd is a claimed file whose claim died: then it is removed. */
static int sweep_one(int dfd, const char *name)
{
	char owner[128];
	struct stat st;
	int fd, ret = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    fgetxattr(fd, RL_CLAIM_XATTR, owner, sizeof(owner)) >= 0 &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0)
		ret = unlinkat(dfd, name, 0) == 0;
	close(fd);
	return ret;
}

int rl_claim_sweep(const char *dir, struct rl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return rl_err_set(err, -errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, RL_CLAIM_PREFIX, strlen(RL_CLAIM_PREFIX)))
			n += sweep_one(dirfd(d), de->d_name);
	closedir(d);
	return n;
}
