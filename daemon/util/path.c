/* SPDX-License-Identifier: MIT */
/* Checks on paths from configuration and requests, and on where paths lie. */
#include <errno.h>
#include <string.h>

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
