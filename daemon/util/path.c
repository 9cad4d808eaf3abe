/* SPDX-License-Identifier: MIT */
/* Checks on paths from configuration and requests, and on where paths lie. */
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

char *rl_path_normalize(char *path)
{
	bool abs = path[0] == '/';
	const char *p = path;
	char *w = path;
	size_t n;

	if (abs)
		*w++ = '/';
	for (;;) {
		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (!n)
			break;
		if (!(n == 1 && p[0] == '.')) {
			if (w > path + abs)
				*w++ = '/';
			/* Never ahead of what it reads, so the copy may overlap. */
			memmove(w, p, n);
			w += n;
		}
		p += n;
	}
	if (w == path)
		*w++ = '.';
	*w = '\0';
	return path;
}
