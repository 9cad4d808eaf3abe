/* SPDX-License-Identifier: MIT */
/* Scratch copies: mkdtemp, a file copy that makes its parents, and a depth-first removal. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "util/cleanup.h"
#include "util/path.h"

int rl_scratch_make(char *dir, size_t size, struct rl_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char base[PATH_MAX];

	if (!tmp || !*tmp || !realpath(tmp, base))
		strcpy(base, "/tmp");
	if ((size_t)snprintf(dir, size, "%s/ringlab-series-XXXXXX", base) >= size)
		return rl_err_set(err, -ENAMETOOLONG, "%s: a temporary directory's name too long", base);
	if (!mkdtemp(dir))
		return rl_err_set(err, -errno, "%s: %s", dir, strerror(errno));
	return 0;
}

/* mkdir -p for the directories above @path's last component, from the deepest one that exists. */
static int make_parents(char *path)
{
	char *slash = strrchr(path, '/');
	int ret = 0;

	if (!slash || slash == path)
		return 0;
	*slash = '\0';
	if (mkdir(path, 0755) < 0) {
		ret = errno == EEXIST ? 0 : -errno;
		if (ret == -ENOENT) {
			ret = make_parents(path);
			if (!ret && mkdir(path, 0755) < 0 && errno != EEXIST)
				ret = -errno;
		}
	}
	*slash = '/';
	return ret;
}

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (ssize_t w, off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return -errno;
		}
	}
	return 0;
}

int rl_scratch_copy(const char *tree, const char *dir, const char *rel, struct rl_err *err)
{
	_cleanup_close_ int in = -1, out = -1;
	char src[PATH_MAX], dst[PATH_MAX];
	struct stat st;
	int ret;

	if (rel[0] == '/' || rl_path_has_dotdot(rel))
		return rl_err_set(err, -EINVAL, "%s: a path that leaves the tree", rel);
	if ((size_t)snprintf(src, sizeof(src), "%s/%s", tree, rel) >= sizeof(src) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, rel) >= sizeof(dst))
		return rl_err_set(err, -ENAMETOOLONG, "%s: a path too long", rel);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (in < 0 || fstat(in, &st) < 0)
		return rl_err_set(err, -errno, "%s: %s", src, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return 0;	/* git apply says what it makes of a directory or a device */
	ret = make_parents(dst);
	if (ret)
		return rl_err_set(err, ret, "%s: %s", dst, strerror(-ret));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (st.st_mode & 07777) | 0200);
	if (out < 0)
		return rl_err_set(err, -errno, "%s: %s", dst, strerror(errno));
	ret = copy_fd(in, out);
	return ret ? rl_err_set(err, ret, "%s: %s", dst, strerror(-ret)) : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(flag == FTW_DP ? rmdir : unlink)(path);
	return 0;
}

void rl_scratch_remove(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
