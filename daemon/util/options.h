/* SPDX-License-Identifier: MIT */
/*
 * Command-line options as a table: one row per option gives getopt_long its
 * arrays and --help its text, so the two cannot drift apart.
 */
#ifndef RINGLAB_DAEMON_UTIL_OPTIONS_H
#define RINGLAB_DAEMON_UTIL_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

struct rl_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short option character, or a value >= 256 for long-only */
	const char *arg;	/* argument name for --help, NULL for a flag */
	const char *help;
};

/* Called once per option found; returns 0 or -EINVAL with the reason in @err. */
typedef int (*rl_opt_fn)(void *ctx, int key, const char *arg, struct rl_err *err);

/*
 * rl_opts_parse() - parse argv[1..] against @table (terminated by a row with a
 * NULL name), calling @fn for each option; "-h"/"--help" sets *help. Returns
 * the index of the first operand, or -EINVAL with "option --x: reason" in @err.
 */
int rl_opts_parse(const struct rl_opt *table, int argc, char **argv, rl_opt_fn fn, void *ctx,
		  int *help, struct rl_err *err);

/* rl_opts_help() - "usage: ..." then one line per option of @table. */
void rl_opts_help(FILE *out, const char *usage, const char *summary, const struct rl_opt *table);

/* Number parsing with the option's name in the error. Return 0 or -EINVAL. */
int rl_opt_u32(const char *name, const char *arg, unsigned long min, unsigned long max,
	       uint32_t *out, struct rl_err *err);
int rl_opt_double(const char *name, const char *arg, double min, double max, double *out,
		  struct rl_err *err);

#endif
