/* SPDX-License-Identifier: MIT */
/* /proc/self/mountinfo, one line at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mountinfo.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo; undo it in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * ID, parent, maj:min, root, mount point, options, optional fields up to "-",
 * then type, source and superblock options. Splits @line in place; returns
 * false for a line that does not have that shape.
 */
static bool parse_line(char *line, struct rl_mount_entry *m)
{
	char *f[6], *tok, *save = NULL;
	int i;

	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i ? NULL : line, " \n", &save);
		if (!f[i])
			return false;
	}
	if (sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return false;
	m->mount_point = f[4];
	m->options = f[5];
	do {
		tok = strtok_r(NULL, " \n", &save);
	} while (tok && strcmp(tok, "-") != 0);
	if (!tok)
		return false;
	m->fs_type = strtok_r(NULL, " \n", &save);
	m->source = strtok_r(NULL, " \n", &save);
	m->super_options = strtok_r(NULL, " \n", &save);
	if (!m->fs_type || !m->source || !m->super_options)
		return false;
	unescape_octal(m->mount_point);
	unescape_octal(m->source);
	return true;
}

int rl_mountinfo_walk(int (*fn)(const struct rl_mount_entry *m, void *ctx), void *ctx)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	struct rl_mount_entry m;
	size_t cap = 0;
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && getline(&line, &cap, f) > 0)
		if (parse_line(line, &m))
			ret = fn(&m, ctx);
	return ret;
}
