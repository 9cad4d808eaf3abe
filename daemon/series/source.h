/* SPDX-License-Identifier: MIT */
/* A series' source (an mbox, a mail, a maildir, format-patch files, a diff) read into messages. */
#ifndef RINGLAB_DAEMON_SERIES_SOURCE_H
#define RINGLAB_DAEMON_SERIES_SOURCE_H

#include <stddef.h>

#include "message.h"
#include "util/err.h"

enum rl_series_kind {
	RL_SRC_MBOX,		/* one file of messages: a saved thread, b4 output, format-patch --stdout */
	RL_SRC_MESSAGE,		/* one mail (.eml) */
	RL_SRC_DIFF,		/* one plain diff, no mail headers */
	RL_SRC_MAILDIR,		/* a directory with cur/ or new/ */
	RL_SRC_PATCH_DIR,	/* a directory of *.patch, *.mbox, *.mbx, *.eml, *.diff files */
	RL_SRC_MAX,
};

struct rl_series_input {
	enum rl_series_kind kind;
	struct rl_msg *msgs;		/* in the order read: files by name, messages by position */
	size_t nmsgs;
	char **files;			/* the files read; messages point at these names */
	size_t nfiles;
};

/*
 * rl_series_load() - read every message at @path into @in. Returns 0, or
 * -errno with the reason in @err: the path's own errno ("X: No such file
 * or directory"), -EINVAL for a file that is not an mbox, a mail or a diff
 * (naming what it looks like and how to get an mbox), or a message that
 * does not parse (naming the file, message and line), -ENOMSG for a
 * directory without patch files, -EFBIG for a file over 64 MiB.
 * @in is empty on failure.
 */
int rl_series_load(const char *path, struct rl_series_input *in, struct rl_err *err);

/* rl_series_input_free() - free what @in holds; @in may be empty. */
void rl_series_input_free(struct rl_series_input *in);

/* rl_series_kind_name() - "mbox", "message", "diff", "maildir" or "patch directory". */
const char *rl_series_kind_name(enum rl_series_kind kind);

#endif
