/* SPDX-License-Identifier: MIT */
/* Capturing what a formatter prints into a string, for the C tests to search. */
#ifndef RINGLAB_TESTS_LIB_CAPTURE_H
#define RINGLAB_TESTS_LIB_CAPTURE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

/*
 * Open @c for the formatter to print to. Returns its FILE, or NULL after a
 * failed CHECK (the caller gives up on what it meant to check).
 */
static inline FILE *capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	CHECK(c->f, "open_memstream: %s", strerror(errno));
	return c->f;
}

/* Close @c's FILE. Returns the text printed, NUL-terminated, for the caller to free(). */
static inline char *capture_text(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

#endif
