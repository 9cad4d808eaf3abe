/* SPDX-License-Identifier: MIT */
/*
 * The state directory's lock (see state_lock.h). The pid is written in a
 * fixed-width field at offset 0 and the file is never truncated or removed:
 * a restart on a full state filesystem rewrites bytes it already has.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_lock.h"
#include "util/path.h"

#define PID_FIELD 16	/* "%-15d\n" */

static int lock_path(const char *state_dir, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/" RL_STATE_LOCK_NAME, state_dir) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The pid written in the lock file open as @fd, or 0. */
static pid_t read_pid(int fd)
{
	char buf[PID_FIELD + 1];
	ssize_t n = pread(fd, buf, PID_FIELD, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 && pid <= INT_MAX ? (pid_t)pid : 0;
}

/*
 * The database, the lock and the image targets' mounts go in the state
 * directory: never among the system's files. A directory not made yet is
 * judged by its parent, where it would be made.
 */
static int check_place(const char *state_dir, struct rl_err *err)
{
	char real[PATH_MAX], parent[PATH_MAX], *slash;
	bool made = true;
	const char *sys;

	if (!realpath(state_dir, real)) {
		made = false;
		snprintf(parent, sizeof(parent), "%s", state_dir);
		slash = strrchr(parent, '/');
		if (errno != ENOENT || !slash)
			return 0;	/* for mkdir() and open() to report */
		*slash = '\0';
		if (!realpath(parent[0] ? parent : "/", real))
			return 0;
	}
	if (made && !strcmp(real, "/"))
		return rl_err_set(err, -EPERM,
				  "state_dir %s: is the root directory: give ringlabd a directory of its own, such as /var/lib/ringlab",
				  state_dir);
	sys = rl_path_system_dir(real);
	if (sys)
		return rl_err_set(err, -EPERM,
				  "state_dir %s: is in %s, a system directory: give ringlabd a directory of its own, such as /var/lib/ringlab",
				  state_dir, sys);
	return 0;
}

int rl_state_lock(const char *state_dir, struct rl_err *err)
{
	char path[PATH_MAX], field[PID_FIELD + 1];
	pid_t holder;
	int fd;

	if (lock_path(state_dir, path, sizeof(path)) < 0)
		return rl_err_set(err, -ENAMETOOLONG, "state_dir %.200s: path too long", state_dir);
	if (check_place(state_dir, err))
		return -EPERM;
	if (mkdir(state_dir, 0750) < 0 && errno != EEXIST)
		return rl_err_set(err, -errno, "state_dir %s: %s", state_dir, strerror(errno));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return rl_err_set(err, -errno, "state_dir lock %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int ret = errno == EWOULDBLOCK ? -EBUSY : -errno;

		holder = read_pid(fd);
		close(fd);
		if (ret != -EBUSY)
			return rl_err_set(err, ret, "state_dir lock %s: %s", path, strerror(-ret));
		if (holder)
			return rl_err_set(err, ret, "state_dir %s is in use by ringlabd pid %d (%s)",
					  state_dir, (int)holder, path);
		return rl_err_set(err, ret, "state_dir %s is in use by another ringlabd (%s)",
				  state_dir, path);
	}
	/* Naming the holder is a courtesy: a full filesystem must not stop the start. */
	snprintf(field, sizeof(field), "%-*d\n", PID_FIELD - 1, (int)getpid());
	if (pwrite(fd, field, PID_FIELD, 0) != PID_FIELD)
		(void)!ftruncate(fd, 0);
	return fd;
}

int rl_state_lock_other(const char *state_dir, pid_t *pid)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	*pid = 0;
	if (lock_path(state_dir, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	*pid = read_pid(fd);
	/* Our own lock, on another open file, would refuse the probe below. */
	if (*pid != getpid()) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			flock(fd, LOCK_UN);
		else
			ret = errno == EWOULDBLOCK ? 1 : -errno;
	}
	close(fd);
	return ret;
}
