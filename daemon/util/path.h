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
 * rl_path_normalize() - @path spelled one way into @out: repeated '/' as
 * one, "." components and a trailing '/' dropped ("/a//b/./c/" is "/a/b/c",
 * "a/./b" is "a/b", "/" stays "/", "." becomes ""). ".." is kept as it is
 * (rl_path_has_dotdot() refuses it) and symlinks are not followed, so two
 * spellings that still differ may name one place. Returns 0, or
 * -ENAMETOOLONG when the result does not fit @len.
 */
int rl_path_normalize(const char *path, char *out, size_t len);

#endif
