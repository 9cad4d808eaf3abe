/* SPDX-License-Identifier: MIT */
/* `git apply` as a child process: argv, no shell, its words captured for the caller to read. */
#ifndef RINGLAB_DAEMON_SERIES_GIT_APPLY_H
#define RINGLAB_DAEMON_SERIES_GIT_APPLY_H

#include <stddef.h>

/*
 * rl_git_apply() - run `git -C @dir apply @args... @patch` with LC_ALL=C
 * (so its messages can be read) and repository discovery stopped above
 * @dir (absolute), so that a repository around @dir is not used; its
 * stdout and stderr go into @out (@size bytes, NUL-terminated, cut to fit).
 * @args ends with NULL. Returns git's exit status (0: the patch applies),
 * or -errno when git cannot be run (-ENOENT: no git on PATH).
 */
int rl_git_apply(const char *dir, const char *const *args, const char *patch, char *out,
		 size_t size);

#endif
