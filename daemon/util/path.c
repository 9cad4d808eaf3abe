/* SPDX-License-Identifier: MIT */
/* Checks on paths from configuration and requests, and on where paths lie. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path.h"

bool rl_path_has_dotdot(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

bool rl_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

int rl_path_normalize(const char *path, char *out, size_t len)
{
	const char *p = path;
	size_t used = 0, n;

	if (!len)
		return -ENAMETOOLONG;
	if (*p == '/') {
		if (len < 2)
			return -ENAMETOOLONG;
		out[used++] = '/';
	}
	for (p += strspn(p, "/"); *p; p += strspn(p, "/")) {
		n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		/* A separator before every component but a path's first. */
		if (used && out[used - 1] != '/') {
			if (used + 1 >= len)
				return -ENAMETOOLONG;
			out[used++] = '/';
		}
		if (used + n >= len)
			return -ENAMETOOLONG;
		memcpy(out + used, p, n);
		used += n;
		p += n;
	}
	out[used] = '\0';
	return 0;
}

/* The kernel's RESOLVE_BENEATH: links that stay below @dfd are followed, others refused (-EXDEV). */
static int open_beneath_kernel(int dfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dfd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * Where openat2() is missing or filtered (seccomp answers EPERM): resolve
 * the path, check it, open what was checked without following a last link.
 */
static int open_beneath_realpath(const char *dir, const char *rel)
{
	char path[PATH_MAX], real[PATH_MAX], real_dir[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	if (!realpath(dir, real_dir) || !realpath(path, real))
		return -errno;
	if (!rl_path_within(real, real_dir))
		return -EXDEV;
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int rl_path_open_beneath(const char *dir, const char *rel)
{
	struct stat st;
	int dfd, fd;

	if (rel[0] == '/' || rl_path_has_dotdot(rel))
		return -EXDEV;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = open_beneath_kernel(dfd, rel);
	close(dfd);
	if (fd == -ENOSYS || fd == -EPERM)
		fd = open_beneath_realpath(dir, rel);
	if (fd < 0)
		return fd;
	/* Not a FIFO to block on or a device to read from: O_NONBLOCK kept the open from waiting. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * The system's own directories: writing a run's files there (a dir target,
 * an image, `ringlab run --dir`) would fill or clobber what the machine
 * needs to run. A filesystem of its own mounted below one (a scratch disk on
 * /run/media/x, a loop device's ext4 under /dev/shm) holds none of the
 * system's files.
 */
static const char *const system_dirs[] = {
	"/etc", "/usr", "/boot", "/proc", "/sys", "/dev", "/run",
	"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL,
};

const char *rl_path_system_dir(const char *real)
{
	struct stat sys, st;

	if (stat(real, &st) < 0)
		return NULL;
	for (const char *const *d = system_dirs; *d; d++)
		if (rl_path_within(real, *d) && !stat(*d, &sys) && sys.st_dev == st.st_dev)
			return *d;
	return NULL;
}
