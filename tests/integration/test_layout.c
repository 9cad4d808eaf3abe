/* SPDX-License-Identifier: MIT */
/* test_layout DIR: layouts pass the FIEMAP check; corruption, extend and ENOSPC are caught. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "engine/layout.h"
#include "engine/pattern.h"
#include "../lib/check.h"

#define BS 4096
#define NSTRIPES 300

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void workload(struct rl_workload *w, const char *stripe)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "layout-%s", stripe);
	w->block_size = BS;
	snprintf(w->stripe, sizeof(w->stripe), "%s", stripe);
}

/* Maximal same-state runs of W or U in the file: the fewest extents possible. */
static uint64_t count_runs(const char *stripe, uint64_t nstripes, uint64_t *mapped)
{
	uint64_t n = strlen(stripe), b, runs = 0;
	char prev = 'H';

	*mapped = 0;
	for (b = 0; b < n * nstripes; b++) {
		char c = stripe[b % n];

		if (c != 'H') {
			(*mapped)++;
			if (c != prev)
				runs++;
		}
		prev = c;
	}
	return runs;
}

/* The first stripe's data: W blocks hold generation 0, U and H read zeros. */
static void check_data(int fd, const char *stripe, uint64_t key)
{
	static uint8_t got[BS], exp[BS];
	size_t i, n = strlen(stripe);

	for (i = 0; i < n; i++) {
		if (pread(fd, got, BS, (off_t)(i * BS)) != BS) {
			CHECK(0, "%s: short read of block %zu", stripe, i);
			return;
		}
		if (stripe[i] == 'W')
			rl_pattern_fill(exp, BS, key, i * BS, 0);
		else
			memset(exp, 0, BS);
		CHECK(!memcmp(got, exp, BS), "%s: block %zu (%c) has the wrong content",
		      stripe, i, stripe[i]);
	}
}

static void test_good(int fd, const char *stripe)
{
	struct rl_workload w;
	struct rl_err err = { "" };
	uint64_t key = rl_pattern_key(1, stripe), mapped, runs;
	uint32_t extents = 0;
	double t0, t1, t2;
	struct stat st;
	int ret;

	workload(&w, stripe);
	t0 = now_s();
	ret = rl_layout_build(fd, &w, NSTRIPES, key, NULL, &err);
	t1 = now_s();
	CHECK(ret == 0, "%s: build returned %d: %s", stripe, ret, err.msg);
	if (ret)
		return;
	ret = rl_layout_check(fd, &w, NSTRIPES, &extents, &err);
	t2 = now_s();
	CHECK(ret == 0, "%s: check returned %d: %s", stripe, ret, err.msg);
	runs = count_runs(stripe, NSTRIPES, &mapped);
	CHECK(extents >= runs && extents <= 2 * runs,
	      "%s: %u extents, expected %" PRIu64 "..%" PRIu64, stripe, extents, runs, 2 * runs);
	if (!strcmp(stripe, "WU"))
		CHECK(extents == 2 * NSTRIPES, "WU: %u extents, expected %d", extents,
		      2 * NSTRIPES);
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(strlen(stripe) * BS * NSTRIPES),
	      "%s: file size %jd", stripe, (intmax_t)st.st_size);
	check_data(fd, stripe, key);
	printf("%-5s %3d stripes: %5u extents (%" PRIu64 " runs), build %.3f s, check %.3f s\n",
	       stripe, NSTRIPES, extents, runs, t1 - t0, t2 - t1);
}

static void expect_bad(int fd, const struct rl_workload *w, const char *what, const char *needle)
{
	struct rl_err err = { "" };
	uint32_t extents;
	int ret;

	ret = rl_layout_check(fd, w, NSTRIPES, &extents, &err);
	CHECK(ret == -EILSEQ, "%s: check returned %d, expected -EILSEQ (%s)", what, ret, err.msg);
	CHECK(strstr(err.msg, needle), "%s: message \"%s\" does not name \"%s\"", what, err.msg,
	      needle);
}

static void expect_good(int fd, const struct rl_workload *w, const char *what)
{
	struct rl_err err = { "" };
	uint32_t extents;
	int ret;

	ret = rl_layout_check(fd, w, NSTRIPES, &extents, &err);
	CHECK(ret == 0, "%s: check returned %d: %s", what, ret, err.msg);
}

static void rebuild(int fd, const struct rl_workload *w, const char *what)
{
	struct rl_err err = { "" };
	int ret = rl_layout_build(fd, w, NSTRIPES, 7, NULL, &err);

	CHECK(ret == 0, "%s: build returned %d: %s", what, ret, err.msg);
}

/* Corrupt on purpose; each must be caught at the right block; a rebuild resets. */
static void test_corrupt(int fd)
{
	struct rl_workload w;
	uint8_t byte = 0x5a;

	workload(&w, "WU");
	rebuild(fd, &w, "WU");
	expect_good(fd, &w, "WU before corruption");

	/* Block 35 is the U of stripe 17. */
	CHECK(pwrite(fd, &byte, 1, 35 * BS + 100) == 1, "pwrite into block 35");
	expect_bad(fd, &w, "byte written into a U block",
		   "block 35 (offset 143360): expected U, found W");

	rebuild(fd, &w, "WU after a byte write");
	expect_good(fd, &w, "WU rebuilt");

	/* Block 40 is the W of stripe 20. */
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 40 * BS, BS) == 0,
	      "punch block 40: %s", strerror(errno));
	expect_bad(fd, &w, "hole punched into a W block",
		   "block 40 (offset 163840): expected W, found H");

	workload(&w, "WH");
	rebuild(fd, &w, "WH");
	expect_good(fd, &w, "WH");
	CHECK(fallocate(fd, 0, 7 * BS, BS) == 0, "fallocate block 7: %s", strerror(errno));
	expect_bad(fd, &w, "fallocate into an H block", "block 7 (offset 28672): expected H, found U");

	rebuild(fd, &w, "WH rebuilt");
	CHECK(ftruncate(fd, NSTRIPES * 2 * BS + BS) == 0, "ftruncate");
	expect_bad(fd, &w, "file one block too long", "file size");
}

static void test_extend(int fd)
{
	struct rl_err err = { "" };
	struct rl_workload w;
	uint32_t extents = 99;
	uint8_t byte = 1;
	struct stat st;
	int ret;

	workload(&w, "WU");
	rebuild(fd, &w, "WU before extend");
	w.extend = true;
	ret = rl_layout_build(fd, &w, NSTRIPES, 7, NULL, &err);
	CHECK(ret == 0, "extend: build returned %d: %s", ret, err.msg);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "extend: size %jd, expected 0",
	      (intmax_t)st.st_size);
	ret = rl_layout_check(fd, &w, NSTRIPES, &extents, &err);
	CHECK(ret == 0 && extents == 0, "extend: check returned %d with %u extents: %s", ret,
	      extents, err.msg);
	CHECK(pwrite(fd, &byte, 1, 0) == 1, "extend: pwrite");
	expect_bad(fd, &w, "extend with a written block", "block 0 (offset 0): expected H, found W");
}

/* Build over an O_DIRECT fd: allowed, and the fd keeps O_DIRECT. */
static void test_direct(const char *dir)
{
	struct rl_err err = { "" };
	struct rl_workload w;
	char path[4096];
	uint32_t extents;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/layout-direct.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
	CHECK(fd >= 0, "open %s with O_DIRECT: %s", path, strerror(errno));
	if (fd < 0)
		return;
	workload(&w, "WUUW");
	ret = rl_layout_build(fd, &w, NSTRIPES, 3, NULL, &err);
	CHECK(ret == 0, "O_DIRECT: build returned %d: %s", ret, err.msg);
	ret = rl_layout_check(fd, &w, NSTRIPES, &extents, &err);
	CHECK(ret == 0, "O_DIRECT: check returned %d: %s", ret, err.msg);
	CHECK(fcntl(fd, F_GETFL) & O_DIRECT, "O_DIRECT: the fd lost O_DIRECT");
	close(fd);
	unlink(path);
}

static void expect_full(int fd, const char *stripe, uint64_t nstripes, const char *step)
{
	struct rl_err err = { "" };
	struct rl_workload w;
	int ret;

	workload(&w, stripe);
	ret = rl_layout_build(fd, &w, nstripes, 5, NULL, &err);
	CHECK(ret == -ENOSPC, "%s larger than the fs: build returned %d, expected -ENOSPC (%s)",
	      stripe, ret, err.msg);
	CHECK(strstr(err.msg, "filesystem full") && strstr(err.msg, step),
	      "%s larger than the fs: message \"%s\" lacks \"%s\" or \"filesystem full\"",
	      stripe, err.msg, step);
	CHECK(ftruncate(fd, 0) == 0, "ftruncate after ENOSPC");
}

static void test_full(const char *dir, int fd)
{
	struct statvfs sv;
	uint64_t fs_bytes;

	if (statvfs(dir, &sv)) {
		CHECK(0, "statvfs %s: %s", dir, strerror(errno));
		return;
	}
	fs_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
	/* All U: the fallocate fails. Then W: the buffered writes fail. */
	expect_full(fd, "UU", 2 * fs_bytes / (2 * BS), "fallocate at offset");
	expect_full(fd, "WU", 3 * fs_bytes / (2 * BS), "pwrite at offset");
}

int main(int argc, char **argv)
{
	static const char *const good[] = {
		"WU", "WUUW", "WW", "WH", "WHHW", "WWWW", "UUWH", "HWU", "U", "H",
	};
	char path[4096];
	struct stat st;
	size_t i;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (an ext4 filesystem with 4096-byte blocks)\n",
			argv[0]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/layout.dat", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "FAIL: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (st.st_blksize != BS) {
		fprintf(stderr, "SKIP: %s has %ld-byte blocks, this test needs %d\n", argv[1],
			(long)st.st_blksize, BS);
		return 77;
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		test_good(fd, good[i]);
	test_corrupt(fd);
	test_extend(fd);
	test_direct(argv[1]);
	test_full(argv[1], fd);
	close(fd);
	unlink(path);
	return check_exit();
}
