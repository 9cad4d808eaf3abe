/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz harnesses share: the libFuzzer entry points each defines,
 * the assertion that stops the fuzzer (or the replay) on a broken
 * invariant, the round trip of a document through its writer and reader,
 * an input as a C string or as a file, and the source tree.
 */
#ifndef RINGLAB_TESTS_FUZZ_FUZZ_H
#define RINGLAB_TESTS_FUZZ_FUZZ_H

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "util/err.h"
#include "../lib/check.h"

/* Every harness defines both; libFuzzer or tests/fuzz/replay.c calls them. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant (reported as CHECK() does) is a crash to libFuzzer: it keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                                              \
	do {                                                                                \
		CHECK(cond, __VA_ARGS__);                                                   \
		if (check_failures)                                                         \
			abort();                                                            \
	} while (0)

/* @data as a NUL-terminated copy (a NUL inside stays: parsers must cope). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* @j (taken over; NULL: @what failed) as compact text to compare; cJSON_free() it. */
static inline char *fuzz_json_text(cJSON *j, const char *what)
{
	char *text;

	FUZZ_ASSERT(j, "%s failed", what);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	FUZZ_ASSERT(text, "out of memory");
	return text;
}

/* A document a harness reads and writes back, for fuzz_round_trip(). */
struct fuzz_codec {
	const char *what;
	int (*read)(const cJSON *j, void *obj, struct rl_err *err);	/* 0 or -errno */
	cJSON *(*write)(const void *obj);	/* NULL when out of memory */
	void (*release)(void *obj);		/* what read() allocated; may be NULL */
};

/* @text read into @obj, which must succeed: ringlab reads what it writes. */
static inline void fuzz_read_back(const struct fuzz_codec *c, const char *text, void *obj)
{
	struct rl_err err = { "" };
	cJSON *j = cJSON_Parse(text);
	int ret;

	FUZZ_ASSERT(j, "%s: unparsable JSON written: %.300s", c->what, text);
	ret = c->read(j, obj, &err);
	cJSON_Delete(j);
	FUZZ_ASSERT(ret == 0, "%s written does not read back: %s\n%.300s", c->what, err.msg, text);
}

/*
 * @obj written must read back, into @back; that written, read into @again
 * and written again must give the same text: what ringlab stores means one
 * thing wherever it is read. (The first trip may move a double read from
 * outside by an ulp: cJSON prints 15 digits when they are that close.)
 */
static inline void fuzz_round_trip(const struct fuzz_codec *c, const void *obj, void *back,
				   void *again)
{
	char *text = fuzz_json_text(c->write(obj), c->what), *first, *second;

	fuzz_read_back(c, text, back);
	first = fuzz_json_text(c->write(back), c->what);
	fuzz_read_back(c, first, again);
	second = fuzz_json_text(c->write(again), c->what);
	FUZZ_ASSERT(!strcmp(first, second), "%s changed on the way back:\n%s\n%s", c->what, first,
		    second);
	if (c->release) {
		c->release(back);
		c->release(again);
	}
	cJSON_free(text);
	cJSON_free(first);
	cJSON_free(second);
}

/* The source tree: $top_srcdir under make check, else the one this was built from. */
static inline const char *fuzz_srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && *s ? s : RINGLAB_SRCDIR;
}

/* Paths under the scratch directory fit in FUZZ_PATH_MAX with room to spare. */
#define FUZZ_PATH_MAX 512

static char fuzz_scratch_dir[FUZZ_PATH_MAX - 128];

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);	/* best effort: a leftover in $TMPDIR is no failure */
	return 0;
}

static void fuzz_scratch_remove(void)
{
	if (fuzz_scratch_dir[0])
		nftw(fuzz_scratch_dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A private directory under $TMPDIR (or /tmp) for the files a harness
 * needs, made on the first call and removed at exit.
 */
static inline const char *fuzz_scratch(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_scratch_dir[0])
		return fuzz_scratch_dir;
	if ((size_t)snprintf(fuzz_scratch_dir, sizeof(fuzz_scratch_dir), "%s/ringlab-fuzz-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(fuzz_scratch_dir))
		FUZZ_ASSERT(0, "TMPDIR %s: too long", tmp);
	FUZZ_ASSERT(mkdtemp(fuzz_scratch_dir), "mkdtemp %s", fuzz_scratch_dir);
	atexit(fuzz_scratch_remove);
	return fuzz_scratch_dir;
}

/* Write @data to @path, replacing what was there. */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_ASSERT(fd >= 0, "open %s", path);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size, "write %s", path);
	close(fd);
}

#endif
