/* SPDX-License-Identifier: MIT */
/*
 * A "ringlab-compare-1" document read back into struct rl_comparison: how
 * `ringlab compare` prints a comparison ringlabd made as if it had made
 * it (the formatters read only the struct).
 */
#ifndef RINGLAB_DAEMON_COMPARE_COMPARE_READ_H
#define RINGLAB_DAEMON_COMPARE_COMPARE_READ_H

#include <cJSON.h>

#include "compare.h"
#include "util/err.h"

/*
 * rl_comparison_from_json() - @o, as rl_comparison_to_json() writes it, into
 * @c, which the caller releases with rl_comparison_free(). Numbers written
 * as null read as NaN, strings as "".
 * Returns 0; -EPROTO naming what is wrong (not that format, a side without
 * runs, a verdict no one names so); -ENOMEM. On error @c holds nothing to free.
 */
int rl_comparison_from_json(const cJSON *o, struct rl_comparison *c, struct rl_err *err);

#endif
