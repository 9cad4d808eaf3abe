/* SPDX-License-Identifier: MIT */
/* Checks on paths from configuration and requests, and on where paths lie. */
#ifndef RINGLAB_DAEMON_UTIL_PATH_H
#define RINGLAB_DAEMON_UTIL_PATH_H

#include <stdbool.h>

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
 * rl_path_normalize() - spell @path one way, in place: no "." components, no
 * repeated or trailing '/' ("./mnt//x.img" becomes "mnt/x.img", "/a/./b/"
 * "/a/b", "" and "./" "."). ".." and symlinks stay as they are: callers
 * refuse the one and resolve the other. Returns @path.
 */
char *rl_path_normalize(char *path);

#endif
