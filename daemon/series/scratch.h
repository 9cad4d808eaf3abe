/* SPDX-License-Identifier: MIT */
/* A throwaway copy of the tree files a series touches, so a check never writes the tree. */
#ifndef RINGLAB_DAEMON_SERIES_SCRATCH_H
#define RINGLAB_DAEMON_SERIES_SCRATCH_H

#include <stddef.h>

#include "util/err.h"

/*
 * rl_scratch_make() - create a private directory under $TMPDIR (or /tmp)
 * and put its absolute path in @dir (@size bytes). Returns 0 or -errno
 * with the reason in @err.
 */
int rl_scratch_make(char *dir, size_t size, struct rl_err *err);

/*
 * rl_scratch_copy() - copy @tree/@rel to @dir/@rel with its mode, making
 * the directories between. A file missing from @tree is no error (the
 * patch may create it, or git apply will name it). Returns 0, or -errno
 * with the file in @err; -EINVAL when @rel is absolute or has a ".."
 * component, since it would leave the tree.
 */
int rl_scratch_copy(const char *tree, const char *dir, const char *rel, struct rl_err *err);

/* rl_scratch_remove() - remove @dir and everything below it, best effort. */
void rl_scratch_remove(const char *dir);

#endif
