/* SPDX-License-Identifier: MIT */
/*
 * test_verify DIR: read-back finds flipped, zeroed, lost and phantom writes;
 * skips uncertain; says what each bad block holds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/layout.h"
#include "engine/pattern.h"
#include "engine/verify.h"
#include "engine/verify_found.h"
#include "../lib/check.h"

#define BS 4096
#define MAX_JOBS 4

struct sim {
	const char *name;
	struct rl_workload w;
	struct rl_verify_spec spec;
	uint16_t *rows[MAX_JOBS];
	uint64_t nstripes, file_bytes;
	int fd;			/* buffered */
	int dfd;		/* O_DIRECT, same file */
	char path[4096];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sim_open(struct sim *s, const char *dir, const char *name, const char *stripe,
		    enum rl_sharing sharing, uint32_t jobs, uint64_t spj, uint32_t io_offset,
		    uint32_t io_size)
{
	struct rl_err err = { "" };
	uint32_t j;
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = s->dfd = -1;
	s->name = name;
	s->w.block_size = BS;
	snprintf(s->w.stripe, sizeof(s->w.stripe), "%s", stripe);
	s->w.op = RL_OP_WRITE;
	s->w.sharing = sharing;
	s->w.io_offset = io_offset;
	s->w.io_size = io_size;
	s->spec.w = &s->w;
	s->spec.key = rl_pattern_key(99, name);
	s->spec.jobs = jobs;
	s->spec.stripes_per_job = spj;
	for (j = 0; j < jobs; j++)
		s->rows[j] = calloc(spj, sizeof(uint16_t));
	s->spec.gens = s->rows;
	s->nstripes = sharing == RL_SHARE_INTERLEAVE ? spj : jobs * spj;
	s->file_bytes = s->nstripes * rl_workload_stripe_bytes(&s->w);
	snprintf(s->path, sizeof(s->path), "%s/%s.dat", dir, name);
	s->fd = open(s->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	s->dfd = open(s->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (s->fd < 0 || s->dfd < 0) {
		fprintf(stderr, "FAIL: open %s: %s\n", s->path, strerror(errno));
		return -1;
	}
	ret = rl_layout_build(s->fd, &s->w, s->nstripes, s->spec.key, NULL, &err);
	if (ret) {
		fprintf(stderr, "FAIL: %s: layout: %s\n", name, err.msg);
		return -1;
	}
	return 0;
}

static void sim_close(struct sim *s)
{
	uint32_t j;

	for (j = 0; j < MAX_JOBS; j++)
		free(s->rows[j]);
	if (s->fd >= 0)
		close(s->fd);
	if (s->dfd >= 0)
		close(s->dfd);
	unlink(s->path);
}

static void put(int fd, uint64_t off, const void *buf, size_t len)
{
	CHECK(pwrite(fd, buf, len, (off_t)off) == (ssize_t)len, "pwrite %zu at %" PRIu64 ": %s",
	      len, off, strerror(errno));
}

/* What a job does: write the I/O range at @gen (without recording it). */
static void write_io(struct sim *s, uint64_t off, uint32_t len, uint16_t gen)
{
	uint8_t *buf = malloc(len);

	rl_pattern_fill(buf, len, s->spec.key, off, gen);
	put(s->fd, off, buf, len);
	free(buf);
}

/* Start offset of job @j's I/O in stripe @st (regions: @st is the file stripe). */
static uint64_t io_start(const struct sim *s, uint32_t j, uint64_t st)
{
	uint64_t sb = rl_workload_stripe_bytes(&s->w);

	if (s->w.sharing == RL_SHARE_INTERLEAVE)
		return st * sb + s->w.io_offset + (uint64_t)j * s->w.io_size;
	return st * sb + s->w.io_offset;
}

/* A run: some stripes written once or twice (generations 1..3), some never. */
static void simulate(struct sim *s)
{
	uint64_t k, st;
	uint32_t j;

	for (j = 0; j < s->spec.jobs; j++) {
		for (k = 0; k < s->spec.stripes_per_job; k++) {
			uint16_t gen = (uint16_t)((k * 7 + j) % 4);

			st = s->w.sharing == RL_SHARE_INTERLEAVE ? k : j * s->spec.stripes_per_job + k;
			if (gen > 1)	/* an older generation first, then overwritten */
				write_io(s, io_start(s, j, st), s->w.io_size, gen - 1);
			if (gen)
				write_io(s, io_start(s, j, st), s->w.io_size, gen);
			s->rows[j][k] = gen;
		}
	}
	CHECK(fsync(s->fd) == 0, "fsync: %s", strerror(errno));
}

static struct rl_verify_result run_verify(struct sim *s, int fd, const char *what)
{
	struct rl_verify_result r;
	struct rl_err err = { "" };
	int ret;

	ret = rl_verify_file(fd, &s->spec, &r, &err);
	CHECK(ret == 0, "%s/%s: verify returned %d: %s", s->name, what, ret, err.msg);
	return r;
}

static void expect_ok(struct sim *s, int fd, const char *what, uint64_t skipped)
{
	struct rl_verify_result r = run_verify(s, fd, what);

	CHECK(r.status == RL_VERIFY_OK, "%s/%s: status %d, %" PRIu64 " bad bytes, first at %"
	      PRIu64, s->name, what, r.status, r.bytes_bad, r.nranges ? r.ranges[0].offset : 0);
	CHECK(r.bytes_checked + r.bytes_skipped == s->file_bytes && r.bytes_skipped == skipped,
	      "%s/%s: checked %" PRIu64 " skipped %" PRIu64 ", expected %" PRIu64 " and %" PRIu64,
	      s->name, what, r.bytes_checked, r.bytes_skipped, s->file_bytes - skipped, skipped);
	CHECK(r.nranges == 0 && r.ranges_total == 0, "%s/%s: %u ranges on success", s->name,
	      what, r.nranges);
}

/* Exactly one mismatch range: the blocks holding [@off, +@len), every byte of which is bad. */
static void expect_one_range(struct sim *s, int fd, const char *what, uint64_t off,
			     uint64_t len, bool zeros)
{
	struct rl_verify_result r = run_verify(s, fd, what);
	uint64_t lo = off / BS * BS, hi = (off + len + BS - 1) / BS * BS;

	CHECK(r.status == RL_VERIFY_FAILED, "%s/%s: status %d, expected FAILED", s->name, what,
	      r.status);
	CHECK(r.nranges == 1 && r.ranges_total == 1 && r.bytes_bad == len,
	      "%s/%s: %u ranges (%" PRIu64 " total), %" PRIu64 " bad bytes; expected 1 and %"
	      PRIu64, s->name, what, r.nranges, r.ranges_total, r.bytes_bad, len);
	if (!r.nranges)
		return;
	CHECK(r.ranges[0].offset == lo && r.ranges[0].length == hi - lo &&
	      r.ranges[0].bytes_bad == len && r.ranges[0].first_bad == off &&
	      r.ranges[0].zeros == zeros,
	      "%s/%s: range %" PRIu64 "+%" PRIu64 " (%" PRIu64 " bad from %" PRIu64 ") zeros %d,"
	      " expected %" PRIu64 "+%" PRIu64 " (%" PRIu64 " bad from %" PRIu64 ") zeros %d",
	      s->name, what, r.ranges[0].offset, r.ranges[0].length, r.ranges[0].bytes_bad,
	      r.ranges[0].first_bad, r.ranges[0].zeros, lo, hi - lo, len, off, zeros);
}

/* FAILED, with the first bad byte in [@lo, @hi); @zeros < 0: either. */
static void expect_failed_in(struct sim *s, int fd, const char *what, uint64_t lo,
			     uint64_t hi, int zeros)
{
	struct rl_verify_result r = run_verify(s, fd, what);

	CHECK(r.status == RL_VERIFY_FAILED && r.nranges >= 1, "%s/%s: status %d, %u ranges",
	      s->name, what, r.status, r.nranges);
	if (!r.nranges)
		return;
	CHECK(r.ranges[0].first_bad >= lo && r.ranges[0].first_bad < hi &&
	      r.ranges[0].offset == r.ranges[0].first_bad / BS * BS,
	      "%s/%s: first range at %" PRIu64 ", first bad byte %" PRIu64 ", expected in [%"
	      PRIu64 ", %" PRIu64 ")", s->name, what, r.ranges[0].offset, r.ranges[0].first_bad,
	      lo, hi);
	CHECK(zeros < 0 || r.ranges[0].zeros == zeros, "%s/%s: zeros %d, expected %d", s->name,
	      what, r.ranges[0].zeros, zeros);
}

/*
 * One block overwritten with 0xab: one range of one block, its bad bytes
 * those the pattern did not already hold as 0xab, however many of those
 * split the block.
 */
static void expect_block_overwritten(struct sim *s, uint64_t block)
{
	uint8_t exp[BS], ab[BS], saved[BS];
	uint64_t differ = 0, splits = 0;
	struct rl_verify_result r;
	size_t i;

	rl_verify_expected(&s->spec, block, BS, exp, NULL);
	for (i = 0; i < BS; i++) {
		differ += exp[i] != 0xab;
		splits += i && exp[i] == 0xab && exp[i - 1] != 0xab;
	}
	CHECK(splits > 1, "the pattern of block %" PRIu64 " holds 0xab only %" PRIu64 " times",
	      block, splits);
	memset(ab, 0xab, sizeof(ab));
	CHECK(pread(s->fd, saved, BS, (off_t)block) == BS, "pread block");
	put(s->fd, block, ab, BS);
	r = run_verify(s, s->dfd, "block of 0xab");
	CHECK(r.status == RL_VERIFY_FAILED && r.nranges == 1 && r.ranges_total == 1 &&
	      r.bytes_bad == differ, "block of 0xab: %" PRIu64 " ranges, %" PRIu64
	      " bad bytes; expected 1 range of %" PRIu64, r.ranges_total, r.bytes_bad, differ);
	CHECK(r.nranges && r.ranges[0].offset == block && r.ranges[0].length == BS &&
	      r.ranges[0].bytes_bad == differ && !r.ranges[0].zeros &&
	      r.ranges[0].found[0] == 0xab && r.ranges[0].expected[0] == exp[r.ranges[0].first_bad - block],
	      "block of 0xab: range %" PRIu64 "+%" PRIu64 ", %" PRIu64 " bad", r.ranges[0].offset,
	      r.ranges[0].length, r.ranges[0].bytes_bad);
	put(s->fd, block, saved, BS);
}

/* Flip bytes [@off, +@len) in place (or restore them: xor twice). */
static void flip(struct sim *s, uint64_t off, size_t len)
{
	uint8_t buf[64];
	size_t i;

	CHECK(len <= sizeof(buf) && pread(s->fd, buf, len, (off_t)off) == (ssize_t)len,
	      "pread %zu at %" PRIu64, len, off);
	for (i = 0; i < len; i++)
		buf[i] ^= 0xff;
	put(s->fd, off, buf, len);
}

/* The first stripe of job @j with generation @gen. */
static uint64_t stripe_with_gen(const struct sim *s, uint32_t j, uint16_t gen)
{
	uint64_t k;

	for (k = 0; k < s->spec.stripes_per_job; k++)
		if (s->rows[j][k] == gen)
			return s->w.sharing == RL_SHARE_INTERLEAVE ? k :
			       j * s->spec.stripes_per_job + k;
	return 0;
}

/*
 * A 512-aligned sector inside a written I/O range whose expected bytes are
 * all non-zero, so zeroing it makes exactly one mismatch range.
 */
static uint64_t nonzero_sector(const struct sim *s, uint32_t j)
{
	uint8_t exp[512];
	uint64_t k, st, off, end;

	for (k = 0; k < s->spec.stripes_per_job; k++) {
		if (!s->rows[j][k])
			continue;
		st = s->w.sharing == RL_SHARE_INTERLEAVE ? k : j * s->spec.stripes_per_job + k;
		off = (io_start(s, j, st) + 511) & ~511ull;
		end = io_start(s, j, st) + s->w.io_size;
		for (; off + 512 <= end; off += 512) {
			rl_verify_expected(&s->spec, off, 512, exp, NULL);
			if (!memchr(exp, 0, 512))
				return off;
		}
	}
	return UINT64_MAX;
}

static void test_regions(const char *dir)
{
	struct rl_verify_result r;
	uint8_t zeros[512] = { 0 }, saved[512];
	uint64_t off, st, chunk = 4u << 20;
	struct sim s;
	uint16_t keep;
	int i;

	/* Test 2's shape: 14336 bytes at +512 in [W][U][U][W]; 2 jobs, 8 MiB. */
	if (sim_open(&s, dir, "regions", "WUUW", RL_SHARE_REGIONS, 2, 256, 512, 14336)) {
		check_failures++;
		sim_close(&s);
		return;
	}
	simulate(&s);
	expect_ok(&s, s.fd, "clean", 0);
	expect_ok(&s, s.dfd, "clean O_DIRECT", 0);

	st = stripe_with_gen(&s, 1, 3);
	off = io_start(&s, 1, st) + 1000;
	flip(&s, off, 1);
	expect_one_range(&s, s.dfd, "one byte flipped", off, 1, false);
	flip(&s, off, 1);

	/* A whole block rewritten as 0xab: one range, not one per run of unlucky bytes. */
	expect_block_overwritten(&s, io_start(&s, 0, stripe_with_gen(&s, 0, 1)) / BS * BS);

	/* Across the 4 MiB read chunks: one range, not two. */
	flip(&s, chunk - 3, 6);
	expect_one_range(&s, s.fd, "6 bytes across a chunk edge", chunk - 3, 6, false);
	flip(&s, chunk - 3, 6);

	off = nonzero_sector(&s, 0);
	CHECK(off != UINT64_MAX, "no all-non-zero sector in a written range");
	if (off != UINT64_MAX) {
		CHECK(pread(s.fd, saved, 512, (off_t)off) == 512, "pread sector");
		put(s.fd, off, zeros, 512);
		expect_one_range(&s, s.dfd, "512 bytes zeroed", off, 512, true);
		put(s.fd, off, saved, 512);
	}

	/* Uncertain: a short write left half old, half new bytes. */
	st = stripe_with_gen(&s, 0, 2);
	keep = s.rows[0][st];
	write_io(&s, io_start(&s, 0, st), s.w.io_size / 2, 3);
	s.rows[0][st] = RL_GEN_UNKNOWN;
	expect_ok(&s, s.fd, "uncertain stripe skipped", s.w.io_size);
	write_io(&s, io_start(&s, 0, st), s.w.io_size, keep);
	s.rows[0][st] = keep;

	/* A write the map says never happened. */
	st = stripe_with_gen(&s, 1, 0);
	write_io(&s, io_start(&s, 1, st), s.w.io_size, 1);
	expect_failed_in(&s, s.fd, "phantom write", io_start(&s, 1, st),
			 io_start(&s, 1, st) + s.w.io_size, -1);
	s.rows[1][st - s.spec.stripes_per_job] = 1;
	expect_ok(&s, s.fd, "phantom write recorded", 0);

	/* More ranges than are kept: all counted, the first RL_MISMATCH_MAX kept. */
	for (i = 0; i < RL_MISMATCH_MAX + 4; i++)
		flip(&s, 100000 + (uint64_t)i * 2 * BS, 1);
	r = run_verify(&s, s.fd, "many ranges");
	CHECK(r.status == RL_VERIFY_FAILED && r.nranges == RL_MISMATCH_MAX &&
	      r.ranges_total == RL_MISMATCH_MAX + 4 && r.ranges[0].first_bad == 100000 &&
	      r.ranges[RL_MISMATCH_MAX - 1].first_bad == 100000 + (RL_MISMATCH_MAX - 1) * 2 * BS,
	      "many ranges: %u kept of %" PRIu64 ", first at %" PRIu64, r.nranges,
	      r.ranges_total, r.nranges ? r.ranges[0].first_bad : 0);
	/* Bad bytes in neighbouring blocks make one range. */
	for (i = 0; i < RL_MISMATCH_MAX + 4; i++)
		flip(&s, 100000 + (uint64_t)i * 2 * BS, 1);
	flip(&s, 100000, 1);
	flip(&s, 100000 + BS, 1);
	r = run_verify(&s, s.fd, "neighbouring blocks");
	CHECK(r.ranges_total == 1 && r.nranges == 1 && r.ranges[0].length == 2 * BS &&
	      r.ranges[0].bytes_bad == 2 && r.ranges[0].offset == 100000 / BS * BS,
	      "neighbouring blocks: %" PRIu64 " ranges, first %" PRIu64 "+%" PRIu64,
	      r.ranges_total, r.nranges ? r.ranges[0].offset : 0, r.nranges ? r.ranges[0].length : 0);
	flip(&s, 100000, 1);
	flip(&s, 100000 + BS, 1);
	sim_close(&s);
}

static void test_interleave(const char *dir)
{
	struct sim s;
	uint64_t st, off;

	/* 3 jobs, 1536 bytes each from +512 of [W][U]: the ranges straddle both blocks. */
	if (sim_open(&s, dir, "interleave", "WU", RL_SHARE_INTERLEAVE, 3, 600, 512, 1536)) {
		check_failures++;
		sim_close(&s);
		return;
	}
	simulate(&s);
	expect_ok(&s, s.dfd, "clean O_DIRECT", 0);
	expect_ok(&s, s.fd, "clean", 0);

	st = stripe_with_gen(&s, 2, 1);
	off = io_start(&s, 2, st) + 1535;	/* the last byte of job 2's range */
	flip(&s, off, 1);
	expect_one_range(&s, s.dfd, "job 2's last byte flipped", off, 1, false);
	flip(&s, off, 1);

	st = stripe_with_gen(&s, 1, 2);
	s.rows[1][st] = RL_GEN_UNKNOWN;
	expect_ok(&s, s.fd, "job 1 uncertain", s.w.io_size);
	s.rows[1][st] = 2;

	/* Job 0 lost its write: the map says gen 1 but the old bytes are there. */
	st = stripe_with_gen(&s, 0, 0);
	s.rows[0][st] = 1;
	expect_failed_in(&s, s.fd, "lost write", io_start(&s, 0, st),
			 io_start(&s, 0, st) + s.w.io_size, -1);
	s.rows[0][st] = 0;
	sim_close(&s);
}

/* Extend: nothing laid out, writes grow the file; the unwritten tail reads as zeros. */
static void test_extend(const char *dir)
{
	struct sim s;
	uint64_t k;

	if (sim_open(&s, dir, "extend", "WU", RL_SHARE_REGIONS, 1, 1000, 512, 4096)) {
		check_failures++;
		sim_close(&s);
		return;
	}
	s.w.extend = true;
	CHECK(ftruncate(s.fd, 0) == 0, "ftruncate");
	for (k = 0; k < 600; k += 3) {
		write_io(&s, io_start(&s, 0, k), s.w.io_size, 1);
		s.rows[0][k] = 1;
	}
	CHECK(fsync(s.fd) == 0, "fsync");
	/* EOF at 599 * 8192 + 4608: unaligned, well before the 8 MB expected size. */
	expect_ok(&s, s.dfd, "extend O_DIRECT", 0);
	expect_ok(&s, s.fd, "extend", 0);
	s.rows[0][900] = 1;
	expect_failed_in(&s, s.dfd, "write past EOF lost", io_start(&s, 0, 900),
			 io_start(&s, 0, 900) + 1, 1);
	sim_close(&s);
}

/* One bad block holding @kind (generation @gen of offset @at for pattern kinds). */
static void expect_found(struct sim *s, const char *what, uint64_t block, enum rl_found_kind kind,
			 uint32_t gen, uint64_t at)
{
	struct rl_verify_result r = run_verify(s, s->dfd, what);
	const struct rl_found *f = &r.ranges[0].found_as;
	uint64_t total = 0;

	for (int k = 0; k < RL_FOUND_MAX; k++)
		total += r.found_blocks.n[k];
	CHECK(r.status == RL_VERIFY_FAILED && r.nranges == 1 && total == 1 &&
	      r.found_blocks.valid && r.found_blocks.n[kind] == 1, "%s: %u ranges, %" PRIu64
	      " blocks counted, %" PRIu64 " as %s", what, r.nranges, total,
	      r.found_blocks.n[kind], rl_found_kind_name(kind));
	if (!r.nranges)
		return;
	CHECK(r.ranges[0].offset == block && f->kind == kind,
	      "%s: range at %" PRIu64 " holds %s, expected %s at %" PRIu64, what,
	      r.ranges[0].offset, rl_found_kind_name(f->kind), rl_found_kind_name(kind), block);
	if (kind == RL_FOUND_LAYOUT_LOST || kind == RL_FOUND_WRITE_LOST || kind == RL_FOUND_FOREIGN)
		return;
	CHECK(f->gen == gen && f->offset == at, "%s: generation %u of offset %" PRIu64
	      ", expected %u of %" PRIu64, what, f->gen, f->offset, gen, at);
}

/*
 * What bad blocks hold, on nw-holes-aligned's shape: 8 KiB writes over
 * [W][H]. Each case damages one W block, checks the verdict, and restores it.
 */
static void test_found(const char *dir)
{
	uint16_t *refused[MAX_JOBS] = { NULL };
	uint8_t blk[BS], ab[BS];
	struct rl_verify_result r;
	char text[512];
	struct sim s;
	const uint64_t sb = 2 * BS;

	if (sim_open(&s, dir, "found", "WH", RL_SHARE_REGIONS, 1, 64, 0, 2 * BS)) {
		check_failures++;
		sim_close(&s);
		return;
	}
	refused[0] = calloc(64, sizeof(uint16_t));
	s.spec.refused = refused;
	CHECK(fsync(s.fd) == 0, "fsync");
	expect_ok(&s, s.dfd, "found: clean", 0);

	/* A NOWAIT write refused with -EAGAIN whose first block reached the disk anyway. */
	write_io(&s, 5 * sb, BS, 1);
	refused[0][5] = 1;
	expect_found(&s, "refused write", 5 * sb, RL_FOUND_REFUSED_WRITE, 1, 5 * sb);
	r = run_verify(&s, s.dfd, "refused write summary");
	rl_found_summary(r.found_blocks.n, text, sizeof(text));
	CHECK(!strcmp(text, "1 block holds data of NOWAIT writes that returned -EAGAIN "
		      "(written although refused)"), "summary: \"%s\"", text);
	/* The same bytes with no refusal on record: a write nobody recorded. */
	refused[0][5] = 0;
	expect_found(&s, "unrecorded write", 5 * sb, RL_FOUND_UNRECORDED, 1, 5 * sb);
	write_io(&s, 5 * sb, BS, 0);

	/* The layout's block read back as zeros. */
	memset(blk, 0, sizeof(blk));
	put(s.fd, 7 * sb, blk, BS);
	expect_found(&s, "layout lost", 7 * sb, RL_FOUND_LAYOUT_LOST, 0, 0);
	write_io(&s, 7 * sb, BS, 0);

	/* Generation 2 recorded, generation 1 there; then the layout's data there. */
	write_io(&s, 9 * sb + BS, BS, 2);
	s.rows[0][9] = 2;
	write_io(&s, 9 * sb, BS, 1);
	expect_found(&s, "older write", 9 * sb, RL_FOUND_OLDER_WRITE, 1, 9 * sb);
	write_io(&s, 9 * sb, BS, 0);
	expect_found(&s, "layout data", 9 * sb, RL_FOUND_LAYOUT, 0, 9 * sb);
	put(s.fd, 9 * sb, memset(blk, 0, BS), BS);
	expect_found(&s, "write lost", 9 * sb, RL_FOUND_WRITE_LOST, 0, 0);
	write_io(&s, 9 * sb, BS, 0);
	put(s.fd, 9 * sb + BS, memset(blk, 0, BS), BS);
	s.rows[0][9] = 0;

	/* Stripe 3's block where stripe 11's belongs. */
	CHECK(pread(s.fd, blk, BS, (off_t)(3 * sb)) == BS, "pread");
	put(s.fd, 11 * sb, blk, BS);
	expect_found(&s, "misplaced", 11 * sb, RL_FOUND_MISPLACED, 0, 3 * sb);
	/* Bytes no ringlab file of this key held: 0xab, another file's layout. */
	put(s.fd, 11 * sb, memset(ab, 0xab, BS), BS);
	expect_found(&s, "0xab", 11 * sb, RL_FOUND_FOREIGN, 0, 0);
	rl_pattern_fill(blk, BS, rl_pattern_key(99, "another"), 11 * sb, 0);
	put(s.fd, 11 * sb, blk, BS);
	expect_found(&s, "another file", 11 * sb, RL_FOUND_FOREIGN, 0, 0);
	write_io(&s, 11 * sb, BS, 0);
	expect_ok(&s, s.dfd, "found: restored", 0);
	free(refused[0]);
	sim_close(&s);
}

/* How fast the read-back goes: a 128 MiB "WU" layout, half of it rewritten. */
static void bench(const char *dir)
{
	struct rl_verify_result r;
	struct sim s;
	double t0, t1;

	if (sim_open(&s, dir, "bench", "WU", RL_SHARE_REGIONS, 2, 8192, 0, 8192)) {
		check_failures++;
		sim_close(&s);
		return;
	}
	simulate(&s);
	CHECK(posix_fadvise(s.fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "fadvise");
	t0 = now_s();
	r = run_verify(&s, s.dfd, "bench O_DIRECT");
	t1 = now_s();
	CHECK(r.status == RL_VERIFY_OK, "bench: status %d", r.status);
	printf("verify: %" PRIu64 " MiB with O_DIRECT in %.3f s: %.0f MB/s\n",
	       s.file_bytes >> 20, t1 - t0, s.file_bytes / 1e6 / (t1 - t0));
	t0 = now_s();
	r = run_verify(&s, s.fd, "bench cached");
	t1 = now_s();
	printf("verify: %" PRIu64 " MiB buffered in %.3f s: %.0f MB/s\n",
	       s.file_bytes >> 20, t1 - t0, s.file_bytes / 1e6 / (t1 - t0));
	sim_close(&s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (an ext4 filesystem with 4096-byte blocks)\n",
			argv[0]);
		return 1;
	}
	test_regions(argv[1]);
	test_interleave(argv[1]);
	test_extend(argv[1]);
	test_found(argv[1]);
	bench(argv[1]);
	return check_exit();
}
