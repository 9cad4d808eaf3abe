/* SPDX-License-Identifier: MIT */
/* Assertions for the C tests: report and count, so one run shows every failure. */
#ifndef RINGLAB_TESTS_LIB_CHECK_H
#define RINGLAB_TESTS_LIB_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
			check_failures++;                                                  \
		}                                                                          \
	} while (0)

static inline int check_exit(void)
{
	if (check_failures)
		fprintf(stderr, "%d check(s) failed\n", check_failures);
	return check_failures ? 1 : 0;
}

#endif
