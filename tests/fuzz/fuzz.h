/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz harnesses share: the libFuzzer entry points each defines,
 * the assertion that stops the fuzzer (or the replay) on a broken
 * invariant, an input as a C string or as a file, and the source tree.
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

/* Every harness defines both; libFuzzer or tests/fuzz/replay.c calls them. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash to libFuzzer: it keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                                              \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "FUZZ %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
			fprintf(stderr, __VA_ARGS__);                                       \
			fputc('\n', stderr);                                                \
			abort();                                                            \
		}                                                                           \
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
