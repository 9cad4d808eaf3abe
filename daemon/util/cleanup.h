/* SPDX-License-Identifier: MIT */
/* __attribute__((cleanup)) helpers; every destructor accepts "nothing to free". */
#ifndef RINGLAB_DAEMON_UTIL_CLEANUP_H
#define RINGLAB_DAEMON_UTIL_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void rl_freep(void *p)
{
	free(*(void **)p);
}

static inline void rl_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void rl_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ __attribute__((cleanup(rl_freep)))
#define _cleanup_close_ __attribute__((cleanup(rl_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(rl_fclosep)))

#endif
