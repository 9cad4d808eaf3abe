/* SPDX-License-Identifier: MIT */
/* Which -EAGAIN causes appear or disappear between a cell's base and head runs. */
#ifndef RINGLAB_DAEMON_COMPARE_CAUSE_CHANGE_H
#define RINGLAB_DAEMON_COMPARE_CAUSE_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"

/*
 * rl_cmp_cause_change() - pool the eagain_causes of one (workload, jobs)'s
 * repetitions on each side (@base[0..nbase-1], @head[0..nhead-1]) and write
 * into @out the causes that appear in head ("timestamp/privilege update") and those gone from it ("allocation/unwritten
 * gone"), comma-separated, largest first. A cause counts on a side when it
 * has at least 5% of that side's refusals and none on the other. "" when
 * either side was not traced or nothing changed.
 */
void rl_cmp_cause_change(const struct rl_cell *const *base, size_t nbase,
			 const struct rl_cell *const *head, size_t nhead, char *out, size_t len);

#endif
