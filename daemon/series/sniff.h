/* SPDX-License-Identifier: MIT */
/* What a file's text is (an mbox, one mail, a diff, or none) and how to refuse the last. */
#ifndef RINGLAB_DAEMON_SERIES_SNIFF_H
#define RINGLAB_DAEMON_SERIES_SNIFF_H

#include <stddef.h>

#include "util/err.h"

enum rl_text_kind {
	RL_TEXT_MBOX,		/* starts with a "From " separator */
	RL_TEXT_MESSAGE,	/* starts with a header block (an .eml, a maildir file) */
	RL_TEXT_DIFF,		/* starts with "diff ", "--- "/"+++ " or "Index: " */
	RL_TEXT_UNKNOWN,
	RL_TEXT_MAX,
};

/*
 * rl_sniff() - the kind of @buf (@len bytes) from its first lines, blank
 * lines skipped; *@skipped is how many. Returns the kind.
 */
enum rl_text_kind rl_sniff(const char *buf, size_t len, unsigned int *skipped);

/*
 * rl_sniff_refuse() - the error for @file, whose text @buf is none of the
 * kinds: what its first line is, what it looks like (a mail archive's
 * page saved as text, a gzip file), and how to get an mbox instead.
 * Returns -EINVAL.
 */
int rl_sniff_refuse(const char *file, const char *buf, size_t len, struct rl_err *err);

#endif
