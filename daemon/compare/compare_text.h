/* SPDX-License-Identifier: MIT */
/*
 * A comparison as text for people: per workload a table shaped like the ext4
 * series' cover letter (JOBS, base, head, speedup) with the interval, the
 * EAGAIN rates and a verdict per row; and the cover letter's own plain
 * Test 1 / Test 2 tables, ready to paste into a mail reply. Everything
 * printed comes from struct rl_comparison; nothing is computed here.
 */
#ifndef RINGLAB_DAEMON_COMPARE_COMPARE_TEXT_H
#define RINGLAB_DAEMON_COMPARE_COMPARE_TEXT_H

#include <stdio.h>

#include "compare.h"

/*
 * rl_comparison_print_text() - a header naming the base and head runs and the
 * method, then per workload its table and summary line, the (workload, jobs)
 * found on one side only, and a total line.
 */
void rl_comparison_print_text(FILE *out, const struct rl_comparison *c);

/*
 * rl_comparison_print_seed_tables() - "Test 1" (aligned-mixed) and "Test 2"
 * (unaligned-middle-unwritten) in the cover letter's layout ("JOBS base head
 * speedup", "----" underlines, "1.97x"), each followed by its wall-time line;
 * a note instead of a table for a workload that is absent from either side or
 * not comparable. Returns the number of tables printed (0 to 2).
 */
int rl_comparison_print_seed_tables(FILE *out, const struct rl_comparison *c);

#endif
