/* SPDX-License-Identifier: MIT */
/* Which -EAGAIN causes appear or disappear between a cell's base and head runs. */
#ifndef RINGLAB_DAEMON_COMPARE_CAUSE_CHANGE_H
#define RINGLAB_DAEMON_COMPARE_CAUSE_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"

/*
 * rl_cmp_cause_change() - pool the eagain_causes of cell (@workload, @jobs)
 * on each side and write into @out the causes that appear in head
 * ("timestamp/privilege update") and those gone from it ("allocation/unwritten
 * gone"), comma-separated, largest first. A cause counts on a side when it
 * has at least 5% of that side's refusals and none on the other. "" when
 * either side was not traced or nothing changed.
 */
void rl_cmp_cause_change(const struct rl_run *const *base, size_t nbase,
			 const struct rl_run *const *head, size_t nhead, const char *workload,
			 uint32_t jobs, char *out, size_t len);

#endif
