/* SPDX-License-Identifier: MIT */
/* One mail as a series needs it: a few headers, the decoded body, its subject tags, its diff. */
#ifndef RINGLAB_DAEMON_SERIES_MESSAGE_H
#define RINGLAB_DAEMON_SERIES_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "diffscan.h"
#include "subject.h"
#include "util/err.h"

/* The headers kept; the table in message.c names them. */
enum rl_hdr {
	RL_HDR_FROM,
	RL_HDR_DATE,
	RL_HDR_SUBJECT,
	RL_HDR_MESSAGE_ID,
	RL_HDR_IN_REPLY_TO,
	RL_HDR_CTE,		/* Content-Transfer-Encoding */
	RL_HDR_CONTENT_TYPE,
	RL_HDR_MAX,
};

struct rl_msg {
	char *raw[RL_HDR_MAX];		/* unfolded, as sent (encoded-words kept); NULL if absent */
	char *hdr[RL_HDR_MAX];		/* decoded to UTF-8, white space collapsed; NULL if absent */
	char *body;			/* transfer encoding undone; NUL-terminated */
	size_t body_len;
	const char *file;		/* where it came from (owned by the input) */
	unsigned int index;		/* its number within @file, from 1 */
	unsigned int line;		/* @file's line of its first header */
	unsigned int body_line;		/* @file's line of the body's first line; 0 if decoded */
	bool mail;			/* read as a mail (rl_msg_parse); false for a plain diff */
	struct rl_subject subj;
	struct rl_diff diff;
};

/* Where a message comes from, for errors and for line numbers. */
struct rl_msg_origin {
	const char *file;
	unsigned int index, line;
	int mboxrd;			/* ">From " lines are escaped (an mbox) */
};

/* rl_header_name_len() - the length of NAME when @line (@len bytes) is "NAME: ...", else 0. */
size_t rl_header_name_len(const char *line, size_t len);

/*
 * rl_msg_parse() - parse the message @text (@len bytes: headers, a blank
 * line, the body; no "From " separator) into @m. Returns 0, -ENOMEM, or
 * -EINVAL with "FILE: message N (line L): ..." in @err when a header line
 * is malformed, the body does not decode or the subject's N/M is impossible.
 */
int rl_msg_parse(const char *text, size_t len, const struct rl_msg_origin *o, struct rl_msg *m,
		 struct rl_err *err);

/*
 * rl_msg_from_diff() - @text as a message without headers (a plain diff):
 * the subject is @title, the body the whole text. Returns 0 or -ENOMEM.
 */
int rl_msg_from_diff(const char *text, size_t len, const char *title,
		     const struct rl_msg_origin *o, struct rl_msg *m);

/* rl_msg_file_line() - @m's file line for body line @body_line; 0 when the body was decoded. */
unsigned int rl_msg_file_line(const struct rl_msg *m, unsigned int body_line);

/* rl_msg_free() - free what @m holds; @m may be zeroed. */
void rl_msg_free(struct rl_msg *m);

#endif
