/* SPDX-License-Identifier: MIT */
/* A selection in words: "v3: patches 1,3-9 of 9 taken; ...", and a damaged patch's note. */
#ifndef RINGLAB_DAEMON_SERIES_SUMMARY_H
#define RINGLAB_DAEMON_SERIES_SUMMARY_H

#include <stddef.h>

#include "select.h"

/*
 * rl_series_summary() - one line for @sel into @buf (@size bytes): the
 * version, the numbers taken, what was skipped and which numbers are
 * missing, e.g. "v3: patches 1-9 of 9 taken; cover letter, 3 replies and
 * 9 v2 patches skipped". Returns @buf.
 */
char *rl_series_summary(const struct rl_series_sel *sel, char *buf, size_t size);

/* rl_series_ranges() - @n sorted numbers as "1,3-9" into @buf. Returns @buf. */
char *rl_series_ranges(const unsigned int *nums, size_t n, char *buf, size_t size);

/*
 * rl_series_damage_note() - for a patch whose diff a mailer damaged: "patch
 * 2/3 (TITLE): diff damaged at FILE line L: WHY" into @buf. Returns @buf,
 * or NULL when the patch's diff is whole.
 */
char *rl_series_damage_note(const struct rl_series_sel *sel, const struct rl_series_patch *p,
			    char *buf, size_t size);

#endif
