/* SPDX-License-Identifier: MIT */
/* Whether each patch of a selection applies to a kernel tree, is in it already, or fails where. */
#ifndef RINGLAB_DAEMON_SERIES_CHECK_H
#define RINGLAB_DAEMON_SERIES_CHECK_H

#include "select.h"
#include "util/err.h"

enum rl_check_verdict {
	RL_CHECK_APPLIES,
	RL_CHECK_PRESENT,	/* git apply --reverse --check succeeds: already in the base */
	RL_CHECK_FAILS,
	RL_CHECK_MAX,
};

struct rl_check {
	enum rl_check_verdict verdict;
	char file[256];		/* for FAILS: the file git named, or "" */
	char hunk[160];		/* its hunk, "@@ -3688,6 +3688,9 @@ ...", or "" */
	char reason[256];	/* git's words, or ours for a damaged diff */
};

/* rl_check_verdict_name() - "applies", "already present" or "fails". */
const char *rl_check_verdict_name(enum rl_check_verdict v);

/*
 * rl_series_check() - try the patches of @sel in order on a scratch copy
 * of the files they touch in @tree (a directory, git or not; never
 * written): each applies (and is applied to the copy, for the next one),
 * is already present (its reverse applies: it is skipped), or fails, with
 * the file, hunk and reason git gave. @res has sel->ntaken entries.
 * Returns 0 whatever the verdicts, or -errno with @err set: @tree is not a
 * directory, a patch's path leaves the tree, git cannot be run, the copy
 * fails.
 */
int rl_series_check(const struct rl_series_sel *sel, const char *tree, struct rl_check *res,
		    struct rl_err *err);

#endif
