/* SPDX-License-Identifier: MIT */
/* Running one workload of the real workloads/ directory from a C test. */
#ifndef RINGLAB_TESTS_LIB_RUN_HELPERS_H
#define RINGLAB_TESTS_LIB_RUN_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runner.h"
#include "engine/suite.h"

/*
 * Load workload @name from $top_srcdir/workloads into @s, for the caller to
 * adjust before run_loaded(). Returns 0 or -errno (message printed).
 */
static inline int load_workload(const char *name, struct rl_suite *s)
{
	const char *top = getenv("top_srcdir");
	static char dir[4096];
	const char *dirs[] = { dir, NULL };
	struct rl_err err = { "" };
	int ret;

	snprintf(dir, sizeof(dir), "%s/workloads", top ? top : ".");
	memset(s, 0, sizeof(*s));
	ret = rl_suite_resolve(name, dirs, s, &err);
	if (ret < 0)
		fprintf(stderr, "loading %s: %s\n", name, err.msg);
	return ret;
}

/* Run @s on @dir with the io_uring engine, one repetition per cell unless @repeat. */
static inline int run_loaded(const struct rl_suite *s, const char *dir, uint32_t repeat,
			     struct rl_run *run)
{
	struct rl_run_opts o = { .dir = dir, .engine = &rl_engine_uring, .repeat = repeat };
	struct rl_err err = { "" };
	int ret = rl_run_suite(s, &o, run, &err);

	if (ret < 0)
		fprintf(stderr, "run %s: %s\n", s->name, err.msg);
	return ret;
}

#endif
