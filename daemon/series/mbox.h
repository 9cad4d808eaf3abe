/* SPDX-License-Identifier: MIT */
/* An mbox cut into its messages at the "From " lines that really separate them. */
#ifndef RINGLAB_DAEMON_SERIES_MBOX_H
#define RINGLAB_DAEMON_SERIES_MBOX_H

#include <stddef.h>

/* Called once per message: its text after the "From " line, and its first header's file line. */
typedef int (*rl_mbox_fn)(void *ctx, const char *text, size_t len, unsigned int line);

/*
 * rl_mbox_split() - call @fn for each message of the mbox @buf (@len bytes).
 * A "From " line separates only at the start or after a blank line, only
 * when it carries a date's "hh:mm:ss" and a header line follows it, because
 * `git format-patch --stdout` does not escape "From " in commit messages. The blank line before a
 * separator belongs to it, not to the message. Returns 0 or the first error
 * @fn returns.
 */
int rl_mbox_split(const char *buf, size_t len, rl_mbox_fn fn, void *ctx);

/* rl_mbox_is_separator() - whether the line at @p (of @buf..@end) is a "From " separator. */
int rl_mbox_is_separator(const char *buf, const char *p, const char *end);

/*
 * rl_mbox_like_separator() - whether the line at @p (up to @end) starts
 * with "From " and holds a time "hh:mm:ss": what a writer escapes so that
 * no reader takes it for a separator, whatever lines surround it.
 */
int rl_mbox_like_separator(const char *p, const char *end);

#endif
