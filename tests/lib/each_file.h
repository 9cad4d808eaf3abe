/* SPDX-License-Identifier: MIT */
/* Checking every shipped file a glob matches, for the C tests of workloads and suites. */
#ifndef RINGLAB_TESTS_LIB_EACH_FILE_H
#define RINGLAB_TESTS_LIB_EACH_FILE_H

#include <glob.h>
#include <limits.h>
#include <stdio.h>

#include "check.h"

/*
 * Call @check on each file matching @dir/@pattern; CHECKs that there are at
 * least @min of them (@what names them in the failure).
 */
static inline void check_each_file(const char *dir, const char *pattern, size_t min,
				   const char *what, void (*check)(const char *path))
{
	char full[PATH_MAX];
	glob_t g;
	size_t i;

	snprintf(full, sizeof(full), "%s/%s", dir, pattern);
	if (glob(full, 0, NULL, &g)) {
		CHECK(0, "no %s in %s", what, full);
		return;
	}
	CHECK(g.gl_pathc >= min, "only %zu %s in %s", g.gl_pathc, what, full);
	for (i = 0; i < g.gl_pathc; i++)
		check(g.gl_pathv[i]);
	globfree(&g);
}

#endif
