/* SPDX-License-Identifier: MIT */
/*
 * `ringlab compare` when both sides are runs of one daemon (label:TEXT,
 * kernel:TAG, run:ID lists): one GET /api/v1/compare, read back into the
 * comparison the formatters print, so no run travels whole.
 */
#ifndef RINGLAB_DAEMON_CLI_COMPARE_REMOTE_H
#define RINGLAB_DAEMON_CLI_COMPARE_REMOTE_H

#include <stdbool.h>

#include "client/url.h"
#include "compare/compare.h"
#include "util/err.h"

/* rl_compare_on_daemon() - whether @operand names only runs of a daemon (no file). */
bool rl_compare_on_daemon(const char *operand);

/*
 * rl_compare_remote() - compare @base against @head (operands for which
 * rl_compare_on_daemon() holds) on the daemon @t with @o's threshold, gate
 * and cross_host, label: and kernel: sides from @host only (NULL: any) into
 * @c (rl_comparison_free() it). Warns on stderr, as loading the runs here
 * did, of a run that did not finish and of a side of which only the newest
 * runs were taken.
 * Returns 0, or -errno with the operand, the daemon or its answer named
 * in @err (-EINVAL a malformed operand, -ENOENT a label without done runs).
 */
int rl_compare_remote(const struct rl_client_target *t, const char *base, const char *head,
		      const struct rl_compare_opts *o, const char *host, struct rl_comparison *c,
		      struct rl_err *err);

#endif
