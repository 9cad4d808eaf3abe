/* SPDX-License-Identifier: MIT */
/*
 * Verification. The expected content of any byte range is computed from the
 * layout (generation-0 pattern in W blocks, zeros elsewhere) overlaid with
 * each stripe's I/O range at the generation the jobs recorded. The file is
 * read back in large chunks and compared with memcmp; only a chunk that
 * differs is walked byte by byte to build the mismatch ranges: runs of
 * consecutive blocks holding a bad byte, with how many bytes differ.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "verify.h"
#include "verify_found.h"

#define VERIFY_CHUNK (4u << 20)
#define VERIFY_ALIGN 4096	/* O_DIRECT buffer, offset and length alignment */

struct vgeom {
	const struct rl_verify_spec *spec;
	const struct rl_workload *w;
	uint32_t bs, nb;
	uint64_t sb;		/* stripe bytes */
	uint64_t nstripes;	/* in the file */
	uint64_t file_bytes;
	uint64_t reach;		/* end of a stripe's last I/O, from the stripe start */
};

static bool vgeom_init(struct vgeom *g, const struct rl_verify_spec *spec)
{
	const struct rl_workload *w = spec->w;
	bool interleave = w->sharing == RL_SHARE_INTERLEAVE;

	g->spec = spec;
	g->w = w;
	g->bs = w->block_size;
	g->nb = 0;
	while (g->nb < RL_STRIPE_MAX && w->stripe[g->nb])
		g->nb++;
	g->sb = (uint64_t)g->nb * g->bs;
	g->nstripes = interleave ? spec->stripes_per_job : spec->jobs * spec->stripes_per_job;
	g->file_bytes = g->nstripes * g->sb;
	g->reach = w->io_offset + (uint64_t)(interleave ? spec->jobs : 1) * w->io_size;
	return g->sb != 0;
}

/* The layout alone: generation 0 in W blocks, zeros in U and H and past the end. */
static void fill_base(const struct vgeom *g, uint64_t off, uint32_t len, uint8_t *buf)
{
	uint64_t end = off + len, pos = off;

	while (pos < end) {
		uint64_t b = pos / g->bs;
		uint64_t bend = (b + 1) * g->bs < end ? (b + 1) * g->bs : end;
		bool written = !g->w->extend && pos < g->file_bytes &&
			       g->w->stripe[b % g->nb] == RL_BLOCK_WRITTEN;

		if (written)
			rl_pattern_fill(buf + (pos - off), bend - pos, g->spec->key, pos, 0);
		else
			memset(buf + (pos - off), 0, bend - pos);
		pos = bend;
	}
}

/*
 * Lay the I/O range [@start, +io_size) written at @gen over the window
 * [@off, +@len). Returns the number of bytes marked uncertain.
 */
static uint32_t overlay(const struct vgeom *g, uint64_t start, uint16_t gen, uint64_t off,
			uint32_t len, uint8_t *buf, uint8_t *skip)
{
	uint64_t s = start > off ? start : off;
	uint64_t e = start + g->w->io_size < off + len ? start + g->w->io_size : off + len;

	if (s >= e || gen == 0)
		return 0;
	if (gen == RL_GEN_UNKNOWN) {
		if (skip)
			memset(skip + (s - off), 1, e - s);
		return (uint32_t)(e - s);
	}
	rl_pattern_fill(buf + (s - off), e - s, g->spec->key, s, gen);
	return 0;
}

/* Expected bytes of [@off, +@len); returns how many are uncertain (0: memcmp will do). */
static uint32_t fill_expected(const struct vgeom *g, uint64_t off, uint32_t len,
			      uint8_t *buf, uint8_t *skip)
{
	const struct rl_verify_spec *spec = g->spec;
	const struct rl_workload *w = g->w;
	uint64_t s, s_first, s_end;
	uint32_t j, nskip = 0;

	if (skip)
		memset(skip, 0, len);
	fill_base(g, off, len, buf);
	if (w->op != RL_OP_WRITE || !spec->gens || !len)
		return 0;
	/* Only stripes whose I/O ranges can reach into the window. */
	s_first = off > g->reach ? (off - g->reach) / g->sb : 0;
	s_end = (off + len - 1) / g->sb + 1;
	if (s_end > g->nstripes)
		s_end = g->nstripes;
	for (s = s_first; s < s_end; s++) {
		uint64_t base = s * g->sb + w->io_offset;

		if (w->sharing == RL_SHARE_INTERLEAVE) {
			for (j = 0; j < spec->jobs; j++)
				nskip += overlay(g, base + (uint64_t)j * w->io_size,
						 spec->gens[j][s], off, len, buf, skip);
		} else {
			nskip += overlay(g, base, spec->gens[s / spec->stripes_per_job]
					 [s % spec->stripes_per_job], off, len, buf, skip);
		}
	}
	return nskip;
}

void rl_verify_expected(const struct rl_verify_spec *spec, uint64_t off, uint32_t len,
			uint8_t *buf, uint8_t *skip)
{
	struct vgeom g;

	if (!vgeom_init(&g, spec)) {
		memset(buf, 0, len);
		if (skip)
			memset(skip, 0, len);
		return;
	}
	fill_expected(&g, off, len, buf, skip);
}

/*
 * The mismatch range being grown, across chunk boundaries. Ranges are whole
 * blocks: bytes of a corrupted block that happen to equal what was expected
 * (0xab written over a pattern that holds some 0xab) do not split it.
 */
struct run {
	bool open, kept;
	uint64_t end;		/* offset just past its last bad block */
	uint32_t bs;
	uint64_t file_bytes;
	const struct rl_found_ctx *found;
	struct rl_found last;	/* what the last bad block holds */
};

/*
 * A bad block begins at byte @o (@got points at it, inside a read buffer
 * that starts 8-aligned at or before o & ~7 and holds the whole word):
 * decode the word holding @o and count the block by what it holds.
 */
static void classify_block(struct rl_verify_result *out, struct run *r, uint64_t o,
			   const uint8_t *got)
{
	uint64_t word;

	memcpy(&word, got - (o & 7), sizeof(word));
	rl_found_classify(r->found, o & ~7ull, word, &r->last);
	out->found_blocks.valid = true;
	out->found_blocks.n[r->last.kind]++;
}

/* A range starting in the block holding @o; its first bytes from @o on (up to @avail). */
static void open_range(struct rl_verify_result *out, struct run *r, uint64_t block,
		       uint64_t o, const uint8_t *exp, const uint8_t *got, size_t avail)
{
	struct rl_mismatch *m;
	size_t n = avail < sizeof(m->expected) ? avail : sizeof(m->expected);

	out->ranges_total++;
	r->open = true;
	r->kept = out->nranges < RL_MISMATCH_MAX;
	if (!r->kept)
		return;
	m = &out->ranges[out->nranges++];
	memset(m, 0, sizeof(*m));
	m->offset = block;
	m->first_bad = o;
	memcpy(m->expected, exp, n);
	memcpy(m->found, got, n);
	m->zeros = true;
	m->found_as = r->last;
}

/* Byte @o differs (*@exp expected, *@got found); @avail bytes of both from @o on. */
static void note_bad(struct rl_verify_result *out, struct run *r, uint64_t o,
		     const uint8_t *exp, const uint8_t *got, size_t avail)
{
	uint64_t block = o - o % r->bs;
	struct rl_mismatch *m;

	out->bytes_bad++;
	if (!(r->open && block < r->end))
		classify_block(out, r, o, got);
	/* The same block as the last bad byte, or the one right after it. */
	if (!(r->open && block <= r->end))
		open_range(out, r, block, o, exp, got, avail);
	r->end = block + r->bs;
	if (!r->kept)
		return;
	m = &out->ranges[out->nranges - 1];
	m->length = (r->end < r->file_bytes ? r->end : r->file_bytes) - m->offset;
	m->bytes_bad++;
	m->zeros = m->zeros && !*got;
}

/* Compare a stretch with no uncertain bytes; byte by byte only if it differs. */
static void compare_span(struct rl_verify_result *out, struct run *r, uint64_t off,
			 const uint8_t *exp, const uint8_t *got, size_t n)
{
	size_t i;

	out->bytes_checked += n;
	if (!memcmp(exp, got, n))
		return;
	for (i = 0; i < n; i++)
		if (exp[i] != got[i])
			note_bad(out, r, off + i, exp + i, got + i, n - i);
}

static void compare_chunk(struct rl_verify_result *out, struct run *r, uint64_t off,
			  const uint8_t *exp, const uint8_t *got, const uint8_t *skip,
			  size_t n, bool any_skip)
{
	size_t i = 0, j;
	const uint8_t *p;

	if (!any_skip) {
		compare_span(out, r, off, exp, got, n);
		return;
	}
	while (i < n) {
		p = memchr(skip + i, 1, n - i);
		j = p ? (size_t)(p - skip) : n;
		if (j > i)
			compare_span(out, r, off + i, exp + i, got + i, j - i);
		for (i = j; i < n && skip[i]; i++)
			out->bytes_skipped++;
	}
}

/*
 * Read [@off, +@len) into @buf; bytes past EOF become zeros. With O_DIRECT
 * the request is rounded up to the alignment (@buf has room: the chunk size
 * is a multiple of it).
 */
static int read_chunk(int fd, bool direct, uint8_t *buf, uint64_t off, size_t len,
		      struct rl_err *err)
{
	size_t want = direct ? (len + VERIFY_ALIGN - 1) & ~(size_t)(VERIFY_ALIGN - 1) : len;
	size_t got = 0;
	struct stat st;
	ssize_t r;

	while (got < len) {
		r = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return rl_err_set(err, -errno, "verify: pread at offset %" PRIu64 ": %s",
					  off + got, strerror(errno));
		if (r == 0)
			break;
		got += (size_t)r;
		if (got >= len)
			break;
		/* Short: EOF, or an interrupted read worth resuming. */
		if (fstat(fd, &st))
			return rl_err_set(err, -errno, "verify: fstat: %s", strerror(errno));
		if (off + got >= (uint64_t)st.st_size)
			break;
		if (direct && (got & (VERIFY_ALIGN - 1)))
			return rl_err_set(err, -EIO, "verify: short O_DIRECT read at offset %"
					  PRIu64 " before EOF", off + got);
	}
	if (got < len)
		memset(buf + got, 0, len - got);
	return 0;
}

struct vbufs {
	uint8_t *got, *exp, *skip;
};

static void vbufs_free(struct vbufs *b)
{
	free(b->got);
	free(b->exp);
	free(b->skip);
}

static int vbufs_alloc(struct vbufs *b)
{
	memset(b, 0, sizeof(*b));
	if (posix_memalign((void **)&b->got, VERIFY_ALIGN, VERIFY_CHUNK) ||
	    posix_memalign((void **)&b->exp, VERIFY_ALIGN, VERIFY_CHUNK) ||
	    posix_memalign((void **)&b->skip, VERIFY_ALIGN, VERIFY_CHUNK)) {
		vbufs_free(b);
		return -ENOMEM;
	}
	return 0;
}

static int verify_chunks(int fd, bool direct, const struct vgeom *g, struct vbufs *b,
			 struct rl_verify_result *out, struct rl_err *err)
{
	struct rl_found_ctx found;
	struct run r = { .bs = g->bs, .file_bytes = g->file_bytes, .found = &found };
	uint64_t off;
	uint32_t n, nskip;
	int ret;

	rl_found_init(&found, g->spec);
	for (off = 0; off < g->file_bytes; off += n) {
		/* A file of gigabytes takes long to read: SIGTERM must not wait for it. */
		if (g->spec->cancel && atomic_load_explicit(g->spec->cancel, memory_order_relaxed))
			return rl_err_set(err, -ECANCELED, "verify: cancelled at offset %" PRIu64, off);
		n = g->file_bytes - off < VERIFY_CHUNK ? (uint32_t)(g->file_bytes - off)
						       : VERIFY_CHUNK;
		ret = read_chunk(fd, direct, b->got, off, n, err);
		if (ret)
			return ret;
		nskip = fill_expected(g, off, n, b->exp, b->skip);
		compare_chunk(out, &r, off, b->exp, b->got, b->skip, n, nskip != 0);
	}
	return 0;
}

int rl_verify_file(int fd, const struct rl_verify_spec *spec, struct rl_verify_result *out,
		   struct rl_err *err)
{
	struct vbufs bufs;
	struct vgeom g;
	int flags, ret;

	memset(out, 0, sizeof(*out));
	out->status = RL_VERIFY_SKIPPED;
	if (!vgeom_init(&g, spec))
		return rl_err_set(err, -EINVAL, "verify: empty stripe or zero block size");
	if (spec->w->op == RL_OP_WRITE && spec->jobs && !spec->gens)
		return rl_err_set(err, -EINVAL, "verify: no generation map for a write workload");
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return rl_err_set(err, -errno, "verify: F_GETFL: %s", strerror(errno));
	if (vbufs_alloc(&bufs))
		return rl_err_set(err, -ENOMEM, "verify: no memory for %u-byte buffers",
				  VERIFY_CHUNK);
	ret = verify_chunks(fd, flags & O_DIRECT, &g, &bufs, out, err);
	vbufs_free(&bufs);
	if (ret)
		return ret;
	out->status = out->bytes_bad ? RL_VERIFY_FAILED : RL_VERIFY_OK;
	return 0;
}
