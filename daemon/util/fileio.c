/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

char *rl_trim(char *s)
{
	size_t len = strlen(s);
	char *p = s;

	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	return s;
}

int rl_read_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf[0] = '\0';
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (int)len;
}

int rl_read_attr(const char *path, char *buf, size_t size)
{
	int ret = rl_read_file(path, buf, size);

	return ret < 0 ? ret : (int)strlen(rl_trim(buf));
}

int rl_read_token_file(const char *path, const char *what, char *out, size_t size,
		       struct rl_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[1024];
	int e;

	if (!f) {
		e = errno;
		return rl_err_set(err, -e, "%s file %s: %s", what, path, strerror(e));
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	rl_trim(line);
	if (!line[0])
		return rl_err_set(err, -EINVAL, "%s file %s: the first line is empty", what, path);
	if (strlen(line) >= size)
		return rl_err_set(err, -EINVAL, "%s file %s: the %s is longer than %zu characters",
				  what, path, what, size - 1);
	strcpy(out, line);
	return 0;
}

int rl_secret_file_exposed(const char *path, unsigned int uid, char *why, size_t len)
{
	struct stat st;
	unsigned int mode;

	if (stat(path, &st) < 0)
		return -errno;
	mode = st.st_mode & 07777;
	if (mode & 0044) {
		snprintf(why, len, "mode %04o lets %s read it", mode,
			 mode & 0004 ? "every user" : "its group");
		return 1;
	}
	/* Its owner may chmod it open at any time, and read it meanwhile. */
	if (st.st_uid != 0 && st.st_uid != uid) {
		snprintf(why, len, "mode %04o, owned by uid %u, neither root nor this daemon's",
			 mode, (unsigned int)st.st_uid);
		return 1;
	}
	return 0;
}
