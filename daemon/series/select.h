/* SPDX-License-Identifier: MIT */
/* Choosing from a thread: the newest version's N/M patches in order, and what was left out. */
#ifndef RINGLAB_DAEMON_SERIES_SELECT_H
#define RINGLAB_DAEMON_SERIES_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"
#include "util/err.h"

/* Why a message was not taken; the table in summary.c words each. */
enum rl_skip {
	RL_SKIP_COVER,		/* N = 0: a cover letter */
	RL_SKIP_REPLY,		/* "Re:", or a mail without a diff */
	RL_SKIP_OLDER,		/* a patch of an older version (counted per version in older[]) */
	RL_SKIP_DUPLICATE,	/* an N/M sent again in the version taken: the later copy is kept */
	RL_SKIP_UNNUMBERED,	/* a patch without N/M beside numbered ones of its version */
	RL_SKIP_MAX,
};

#define RL_SERIES_OLDER_MAX 16

struct rl_series_patch {
	const struct rl_msg *msg;
	unsigned int number;		/* N; for an unnumbered series, its position */
};

struct rl_series_older {
	unsigned int version;
	size_t count;
};

struct rl_series_sel {
	unsigned int version;
	unsigned int total;		/* M; for an unnumbered series, how many */
	bool rfc;			/* every patch taken says RFC */
	struct rl_series_patch *taken;	/* ordered by number */
	size_t ntaken;
	unsigned int *missing;		/* numbers of 1..M that no message has */
	size_t nmissing;
	size_t skipped[RL_SKIP_MAX];
	struct rl_series_older older[RL_SERIES_OLDER_MAX];	/* newest first; the rest in the last */
	size_t nolder;
};

/*
 * rl_series_select() - choose from @in's messages the patches of the newest
 * version, ordered by N, and count what was skipped and which numbers are
 * missing. A mail is a patch when it has a diff, is not a reply and is not
 * a cover letter (0/M); "[PATCH] x" is v1 1/1, and patches without N/M are
 * numbered in the order read. Returns 0, -ENOMEM, or -ENOMSG with "no
 * patch among N messages" in @err. @sel is empty on failure.
 */
int rl_series_select(const struct rl_series_input *in, struct rl_series_sel *sel,
		     struct rl_err *err);

/* rl_series_sel_free() - free what @sel holds; @sel may be empty. */
void rl_series_sel_free(struct rl_series_sel *sel);

#endif
