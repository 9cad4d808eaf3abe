/* SPDX-License-Identifier: MIT */
/*
 * Results as text for people: tables shaped like the ones in ext4 patch
 * cover letters (JOBS, IOPS, ...), and one-line progress summaries. Numbers
 * come from struct rl_cell and rl_cell_summary(); nothing is computed here.
 */
#ifndef RINGLAB_DAEMON_ENGINE_RESULT_TEXT_H
#define RINGLAB_DAEMON_ENGINE_RESULT_TEXT_H

#include <stdio.h>

#include "result.h"

/*
 * rl_run_print_table() - a header naming the run and its environment, then
 * per workload a title with its shape and a table with one row per jobs
 * value: JOBS, IOPS (median over repetitions; "n/a" when nothing completed),
 * BW MiB/s, EAGAIN (rate, "-" without NOWAIT attempts; "0-100% unstable"
 * when the repetitions disagree; the min-max range of a retry-blocking rate
 * that moves), p99 us (worst repetition), VERIFY, and EXPECT
 * when any cell has an expectation. Below: failed cells with their error and
 * every verification mismatch kept, under a banner that cannot be missed.
 */
void rl_run_print_table(FILE *out, const struct rl_run *run);

/*
 * rl_group_digits() - @digits ("42322") with thousands separators ("42,322"),
 * for counts people compare by eye; cut short to fit @size (at least 1).
 * Returns @buf.
 */
char *rl_group_digits(const char *digits, char *buf, size_t size);

/* rl_cell_print_line() - one line (with newline) summarising @c, for progress logs. */
void rl_cell_print_line(FILE *out, const struct rl_cell *c);

#endif
