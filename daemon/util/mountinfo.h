/* SPDX-License-Identifier: MIT */
/*
 * /proc/self/mountinfo, read one way for the engine (which mount holds a
 * target, with what options) and the daemon (is a directory a mount point,
 * which filesystem a device carries).
 */
#ifndef RINGLAB_DAEMON_UTIL_MOUNTINFO_H
#define RINGLAB_DAEMON_UTIL_MOUNTINFO_H

#include <stdbool.h>

/* One line of mountinfo; the strings point into the line, octal escapes undone. */
struct rl_mount_entry {
	unsigned int maj, min;
	char *mount_point, *options, *fs_type, *source, *super_options;
};

/*
 * rl_mountinfo_walk() - call @fn for each mount of /proc/self/mountinfo, in
 * order, until it returns non-zero; lines that do not parse are skipped.
 * Returns that non-zero value, 0 when every mount was seen, or -errno when
 * the file cannot be opened.
 */
int rl_mountinfo_walk(int (*fn)(const struct rl_mount_entry *m, void *ctx), void *ctx);

#endif
