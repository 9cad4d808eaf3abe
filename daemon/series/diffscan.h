/* SPDX-License-Identifier: MIT */
/* The diff in a mail body: its files and hunks, and whether mail damaged it. */
#ifndef RINGLAB_DAEMON_SERIES_DIFFSCAN_H
#define RINGLAB_DAEMON_SERIES_DIFFSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct rl_hunk {
	unsigned int old_start;		/* "@@ -3688,6 ..." -> 3688 */
	unsigned int line;		/* body line of the "@@" line, from 1 */
	char *header;			/* the "@@ ... @@ context" line */
};

struct rl_diff_file {
	char *path;			/* after the patch, as `git apply -p1` sees it ("a/" off) */
	char *old_path;			/* before it; NULL for a new file */
	struct rl_hunk *hunks;
	size_t nhunks;
};

struct rl_diff {
	bool present;			/* the body has at least one file diff */
	struct rl_diff_file *files;
	size_t nfiles;
	unsigned int damaged_line;	/* body line of the first damaged line; 0 if none */
	char damage[160];		/* what is wrong there */
};

/*
 * rl_diff_scan() - find the unified diffs in @body (@len bytes) and fill @d:
 * files, hunks, and the first line a mailer damaged (a context line that
 * lost its leading space, a hunk shorter or longer than its "@@" says).
 * Returns 0 or -ENOMEM; @d is empty on failure.
 */
int rl_diff_scan(const char *body, size_t len, struct rl_diff *d);

/* rl_diff_find_hunk() - the hunk of @path starting at old line @old_start, or NULL. */
const struct rl_hunk *rl_diff_find_hunk(const struct rl_diff *d, const char *path,
					unsigned int old_start);

/* rl_diff_free() - free what rl_diff_scan() allocated; @d may be empty. */
void rl_diff_free(struct rl_diff *d);

#endif
