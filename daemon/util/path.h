/* SPDX-License-Identifier: MIT */
/* Checks on paths from configuration and requests, and on where paths lie. */
#ifndef RINGLAB_DAEMON_UTIL_PATH_H
#define RINGLAB_DAEMON_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Bytes of a file system path held in a struct: configured directories and
 * targets, the daemon's config and database paths. Below PATH_MAX because
 * struct rl_config holds twenty of them and is copied and compared whole;
 * the config table refuses longer paths with a message.
 */
#define RL_PATH_MAX 1024

/*
 * rl_path_has_dotdot() - whether some '/'-separated component of @path is
 * exactly "..", i.e. whether the path can climb out of where it points.
 * "a/..b" and "a/b.." do not count. Returns true or false.
 */
bool rl_path_has_dotdot(const char *path);

/*
 * rl_path_within() - whether canonical (absolute, no "..", no repeated or
 * trailing '/') @path is @dir or below it: "/a/b" is within "/a" and "/",
 * "/ab" is not within "/a". Returns true or false.
 */
bool rl_path_within(const char *path, const char *dir);

/*
 * rl_path_system_dir() - the system directory (/etc, /usr, /boot, /proc,
 * /sys, /dev, /run, /bin, /sbin, /lib...) that canonical @real lies in on
 * that directory's own filesystem, or NULL when there is none (or @real
 * cannot be looked at): a filesystem mounted below one is not the system's.
 */
const char *rl_path_system_dir(const char *real);

/*
 * rl_path_normalize() - @path spelled one way into @out: repeated '/' as
 * one, "." components and a trailing '/' dropped ("/a//b/./c/" is "/a/b/c",
 * "a/./b" is "a/b", "/" stays "/", "." becomes ""). ".." is kept as it is
 * (rl_path_has_dotdot() refuses it) and symlinks are not followed, so two
 * spellings that still differ may name one place. Returns 0, or
 * -ENAMETOOLONG when the result does not fit @len.
 */
int rl_path_normalize(const char *path, char *out, size_t len);

/*
 * rl_path_open_beneath() - open @rel (relative, no "..") below directory
 * @dir for reading, never through a symbolic link that leads out of @dir
 * (relative links that stay below it are followed): openat2() with RESOLVE_BENEATH,
 * or a realpath() check where the kernel or a seccomp filter refuses
 * openat2(). Returns an O_CLOEXEC fd of a regular file, or -errno: -EXDEV
 * for a way out of @dir, -EINVAL for something other than a regular file
 * (a FIFO, a device: opened without waiting for either), -ENOENT, ...
 */
int rl_path_open_beneath(const char *dir, const char *rel);

#endif
