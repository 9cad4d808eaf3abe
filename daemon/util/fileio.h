/* SPDX-License-Identifier: MIT */
/* Small files read whole: /proc and /sys attributes, token files. */
#ifndef RINGLAB_DAEMON_UTIL_FILEIO_H
#define RINGLAB_DAEMON_UTIL_FILEIO_H

#include <stddef.h>

#include "err.h"

/* rl_trim() - strip leading and trailing white space from @s in place; returns @s. */
char *rl_trim(char *s);

/*
 * rl_read_file() - read at most @size - 1 bytes of @path into @buf and
 * NUL-terminate them (@buf is "" on failure). For /proc and /sys files,
 * which are read in one go. Returns the length read, or -errno.
 */
int rl_read_file(const char *path, char *buf, size_t size);

/* rl_read_attr() - rl_read_file(), then rl_trim(): one sysfs value. Returns its length, or -errno. */
int rl_read_attr(const char *path, char *buf, size_t size);

/*
 * rl_read_token_file() - the secret on the first line of @path (a bearer
 * token, a database password: @what, as the error calls it), white space
 * trimmed, into @out (@size bytes). Returns 0, -errno when the file cannot
 * be read, or -EINVAL when the line is empty or the secret does not fit;
 * @err names the file either way.
 */
int rl_read_token_file(const char *path, const char *what, char *out, size_t size,
		       struct rl_err *err);

/*
 * rl_secret_file_exposed() - whether the file at @path, holding a secret,
 * is open to users other than root and @uid: readable by its group or by
 * anyone (mode & 0044), or owned by another user who is not root. Returns
 * 0 when it is not, 1 with the reason in @why (@len bytes: the mode and
 * owner), or -errno when it cannot be stat()ed.
 */
int rl_secret_file_exposed(const char *path, unsigned int uid, char *why, size_t len);

#endif
