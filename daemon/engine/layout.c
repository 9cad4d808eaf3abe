/* SPDX-License-Identifier: MIT */
/*
 * Layouts: build a file of W/U/H stripes, then prove with FIEMAP that ext4
 * holds exactly that. The build order is the point: writing into an
 * unwritten extent lets ext4 zero out and convert neighbouring unwritten
 * blocks (extent_max_zeroout_kb), so the W runs are written first into an
 * empty file, flushed, and only then are the U runs fallocated around them.
 * They are flushed a span at a time, between checks of the cancel flag: a
 * layout of gigabytes is mostly writeback, and SIGTERM must not wait for it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "layout.h"
#include "pattern.h"

#define LAYOUT_BUF_BYTES (4u << 20)
#define LAYOUT_BUF_ALIGN 4096
#define FIEMAP_BATCH 1024	/* extents per FS_IOC_FIEMAP call */
#define LAYOUT_SYNC_SPAN (8ull << 20)	/* file bytes written back between cancel checks */

static const char *errno_text(int e)
{
	return e == ENOSPC ? "filesystem full (ENOSPC)" : strerror(e);
}

struct geom {
	const char *stripe;
	uint32_t nb;		/* blocks per stripe */
	uint32_t bs;		/* block size */
	uint64_t nblocks;	/* blocks in the file */
	const atomic_bool *cancel;	/* NULL: never */
};

/* The cancel flag is set: stop at @off with -ECANCELED. */
static int check_cancel(const struct geom *g, uint64_t off, struct rl_err *err)
{
	if (!g->cancel || !atomic_load_explicit(g->cancel, memory_order_relaxed))
		return 0;
	return rl_err_set(err, -ECANCELED, "layout: cancelled at offset %" PRIu64, off);
}

/* Write back [@from, @to) and wait for it, so that the next check comes soon after. */
static int write_back(int fd, uint64_t from, uint64_t to, struct rl_err *err)
{
	if (sync_file_range(fd, (off_t)from, (off_t)(to - from), SYNC_FILE_RANGE_WAIT_BEFORE |
			    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER))
		return rl_err_set(err, -errno, "layout: writing back offset %" PRIu64 " length %"
				  PRIu64 ": %s", from, to - from, errno_text(errno));
	return 0;
}

static int geom_init(struct geom *g, const struct rl_workload *w, uint64_t nstripes,
		     struct rl_err *err)
{
	uint32_t i;

	g->stripe = w->stripe;
	g->bs = w->block_size;
	g->nb = 0;
	while (g->nb < RL_STRIPE_MAX && w->stripe[g->nb])
		g->nb++;
	if (!g->bs || !g->nb)
		return rl_err_set(err, -EINVAL, "layout: empty stripe or zero block size");
	for (i = 0; i < g->nb; i++) {
		char c = w->stripe[i];

		if (c != RL_BLOCK_WRITTEN && c != RL_BLOCK_UNWRITTEN && c != RL_BLOCK_HOLE)
			return rl_err_set(err, -EINVAL,
					  "layout: stripe \"%s\": block %u is '%c', not W, U or H",
					  w->stripe, i, c);
	}
	if (nstripes > (uint64_t)INT64_MAX / ((uint64_t)g->nb * g->bs))
		return rl_err_set(err, -EFBIG, "layout: %" PRIu64 " stripes of %" PRIu64
				  " bytes overflow", nstripes, (uint64_t)g->nb * g->bs);
	g->nblocks = w->extend ? 0 : nstripes * g->nb;
	return 0;
}

/*
 * Find the next maximal run of @state blocks at or after *@b; runs continue
 * across stripe boundaries. Returns false when there is none.
 */
static bool next_run(const struct geom *g, uint64_t *b, char state, uint64_t *start,
		     uint64_t *len)
{
	uint64_t i = *b;
	uint32_t idx = i % g->nb;

	while (i < g->nblocks && g->stripe[idx] != state) {
		i++;
		idx = idx + 1 == g->nb ? 0 : idx + 1;
	}
	if (i >= g->nblocks)
		return false;
	*start = i;
	while (i < g->nblocks && g->stripe[idx] == state) {
		i++;
		idx = idx + 1 == g->nb ? 0 : idx + 1;
	}
	*len = i - *start;
	*b = i;
	return true;
}

static int pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off, struct rl_err *err)
{
	ssize_t r;

	while (len) {
		r = pwrite(fd, buf, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : ENOSPC;	/* 0 bytes: no room */

			return rl_err_set(err, -e, "layout: pwrite at offset %" PRIu64 ": %s",
					  off, errno_text(e));
		}
		buf += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/*
 * One pwrite per run (per 4 MiB of a long run), with the generation-0
 * pattern; every LAYOUT_SYNC_SPAN of the file written back, then the cancel
 * flag checked.
 */
static int write_runs(int fd, const struct geom *g, uint64_t key, struct rl_err *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	uint64_t b = 0, start, len, synced = 0;
	int ret;

	if (posix_memalign((void **)&buf, LAYOUT_BUF_ALIGN, LAYOUT_BUF_BYTES))
		return rl_err_set(err, -ENOMEM, "layout: no memory for a write buffer");
	while (next_run(g, &b, RL_BLOCK_WRITTEN, &start, &len)) {
		uint64_t off = start * g->bs, end = (start + len) * g->bs;

		while (off < end) {
			size_t n = end - off < LAYOUT_BUF_BYTES ? end - off : LAYOUT_BUF_BYTES;

			rl_pattern_fill(buf, n, key, off, 0);
			ret = pwrite_all(fd, buf, n, off, err);
			if (ret)
				return ret;
			off += n;
			if (off - synced < LAYOUT_SYNC_SPAN)
				continue;
			ret = write_back(fd, synced, off, err);
			if (!ret)
				ret = check_cancel(g, off, err);
			if (ret)
				return ret;
			synced = off;
		}
	}
	return 0;
}

/* One fallocate per U run: never the whole file, so W blocks are not touched. */
static int fallocate_runs(int fd, const struct geom *g, struct rl_err *err)
{
	uint64_t b = 0, start, len;

	while (next_run(g, &b, RL_BLOCK_UNWRITTEN, &start, &len)) {
		uint64_t off = start * g->bs, n = len * g->bs;
		int ret = check_cancel(g, off, err);

		if (ret)
			return ret;
		if (fallocate(fd, 0, (off_t)off, (off_t)n))
			return rl_err_set(err, -errno,
					  "layout: fallocate at offset %" PRIu64 " length %" PRIu64
					  ": %s", off, n, errno_text(errno));
	}
	return 0;
}

static int build_steps(int fd, const struct geom *g, uint64_t key, struct rl_err *err)
{
	int ret;

	ret = write_runs(fd, g, key, err);
	if (ret)
		return ret;
	if (fdatasync(fd))
		return rl_err_set(err, -errno, "layout: fdatasync: %s", errno_text(errno));
	ret = fallocate_runs(fd, g, err);
	if (ret)
		return ret;
	/* Trailing holes only count once the size covers them. */
	if (ftruncate(fd, (off_t)(g->nblocks * g->bs)))
		return rl_err_set(err, -errno, "layout: ftruncate to %" PRIu64 ": %s",
				  g->nblocks * g->bs, errno_text(errno));
	return 0;
}

int rl_layout_build(int fd, const struct rl_workload *w, uint64_t nstripes,
		    uint64_t key, const atomic_bool *cancel, struct rl_err *err)
{
	struct geom g;
	int flags, ret;

	ret = geom_init(&g, w, nstripes, err);
	if (ret)
		return ret;
	g.cancel = cancel;
	if (ftruncate(fd, 0))
		return rl_err_set(err, -errno, "layout: ftruncate to 0: %s", strerror(errno));
	if (w->extend || !g.nblocks)
		return 0;

	/*
	 * Buffered writes: one writeback of many small runs is far cheaper than
	 * as many synchronous direct writes. O_DIRECT is restored afterwards.
	 */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return rl_err_set(err, -errno, "layout: F_GETFL: %s", strerror(errno));
	if ((flags & O_DIRECT) && fcntl(fd, F_SETFL, flags & ~O_DIRECT))
		return rl_err_set(err, -errno, "layout: clearing O_DIRECT: %s", strerror(errno));
	ret = build_steps(fd, &g, key, err);
	/*
	 * The W blocks are on disk but still in the page cache, and a NOWAIT
	 * DIO write over a cached page is -EAGAIN (invalidating it could block):
	 * drop the clean pages so the layout measures the extents, not the cache.
	 */
	if (!ret && (errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)))
		ret = rl_err_set(err, -errno, "layout: dropping the page cache: %s", strerror(errno));
	if ((flags & O_DIRECT) && fcntl(fd, F_SETFL, flags) && !ret)
		ret = rl_err_set(err, -errno, "layout: restoring O_DIRECT: %s", strerror(errno));
	return ret;
}

/* What FIEMAP said about a block, for the error message. */
struct found {
	char state;
	uint64_t logical, length;	/* the extent, when state is W or U */
};

static int mismatch(const struct geom *g, uint64_t b, char expected, const struct found *f,
		    struct rl_err *err)
{
	if (f->state == RL_BLOCK_HOLE)
		return rl_err_set(err, -EILSEQ,
				  "layout: block %" PRIu64 " (offset %" PRIu64 "): expected %c, "
				  "found H (no extent)", b, b * g->bs, expected);
	return rl_err_set(err, -EILSEQ,
			  "layout: block %" PRIu64 " (offset %" PRIu64 "): expected %c, found %c "
			  "(extent at %" PRIu64 "+%" PRIu64 ")", b, b * g->bs, expected,
			  f->state, f->logical, f->length);
}

/* Compare blocks [@from, @to) found in state @f with the layout; past its end, H. */
static int compare_blocks(const struct geom *g, uint64_t from, uint64_t to,
			  const struct found *f, struct rl_err *err)
{
	uint32_t idx = from % g->nb;
	uint64_t b;

	for (b = from; b < to; b++) {
		char expected = b < g->nblocks ? g->stripe[idx] : RL_BLOCK_HOLE;

		if (expected != f->state)
			return mismatch(g, b, expected, f, err);
		idx = idx + 1 == g->nb ? 0 : idx + 1;
	}
	return 0;
}

/* Check one extent and the gap before it; *@next is the first unchecked block. */
static int check_extent(const struct geom *g, const struct fiemap_extent *fe,
			uint64_t *next, struct rl_err *err)
{
	struct found hole = { .state = RL_BLOCK_HOLE };
	struct found f = {
		.state = fe->fe_flags & FIEMAP_EXTENT_UNWRITTEN ?
			 RL_BLOCK_UNWRITTEN : RL_BLOCK_WRITTEN,
		.logical = fe->fe_logical,
		.length = fe->fe_length,
	};
	uint64_t first = fe->fe_logical / g->bs;
	uint64_t end = (fe->fe_logical + fe->fe_length + g->bs - 1) / g->bs;
	int ret;

	if (first < *next)	/* overlapping extents: never seen, but stay monotonic */
		first = *next;
	ret = compare_blocks(g, *next, first, &hole, err);
	if (ret)
		return ret;
	ret = compare_blocks(g, first, end, &f, err);
	if (ret)
		return ret;
	if (end > *next)
		*next = end;
	return 0;
}

static int fiemap_batch(int fd, struct fiemap *fm, uint64_t start, bool sync, struct rl_err *err)
{
	memset(fm, 0, sizeof(*fm));
	fm->fm_start = start;
	fm->fm_length = FIEMAP_MAX_OFFSET - start;
	/* Sync once: later batches read the same, already flushed, map. */
	fm->fm_flags = sync ? FIEMAP_FLAG_SYNC : 0;
	fm->fm_extent_count = FIEMAP_BATCH;
	if (ioctl(fd, FS_IOC_FIEMAP, fm) == 0)
		return 0;
	if (errno == EOPNOTSUPP || errno == ENOTTY)
		return rl_err_set(err, -EOPNOTSUPP, "layout: FIEMAP is not supported here");
	return rl_err_set(err, -errno, "layout: FIEMAP at offset %" PRIu64 ": %s", start,
			  strerror(errno));
}

static int check_size(int fd, const struct geom *g, struct rl_err *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return rl_err_set(err, -errno, "layout: fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != g->nblocks * g->bs)
		return rl_err_set(err, -EILSEQ, "layout: file size %" PRIu64 ", expected %" PRIu64,
				  (uint64_t)st.st_size, g->nblocks * g->bs);
	return 0;
}

int rl_layout_check(int fd, const struct rl_workload *w, uint64_t nstripes,
		    uint32_t *extents, struct rl_err *err)
{
	struct found hole = { .state = RL_BLOCK_HOLE };
	_cleanup_free_ struct fiemap *fm = NULL;
	uint64_t start = 0, next = 0, count = 0;
	bool last = false, sync = true;
	struct geom g;
	uint32_t i;
	int ret;

	*extents = 0;
	ret = geom_init(&g, w, nstripes, err);
	if (ret)
		return ret;
	fm = malloc(sizeof(*fm) + FIEMAP_BATCH * sizeof(struct fiemap_extent));
	if (!fm)
		return rl_err_set(err, -ENOMEM, "layout: no memory for FIEMAP");
	while (!last) {
		ret = fiemap_batch(fd, fm, start, sync, err);
		if (ret)
			return ret;
		sync = false;
		if (!fm->fm_mapped_extents)
			break;
		for (i = 0; i < fm->fm_mapped_extents; i++) {
			const struct fiemap_extent *fe = &fm->fm_extents[i];

			ret = check_extent(&g, fe, &next, err);
			if (ret)
				return ret;
			last = fe->fe_flags & FIEMAP_EXTENT_LAST;
			start = fe->fe_logical + fe->fe_length;
		}
		count += fm->fm_mapped_extents;
	}
	ret = compare_blocks(&g, next, g.nblocks, &hole, err);
	if (ret)
		return ret;
	ret = check_size(fd, &g, err);
	if (ret)
		return ret;
	*extents = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	return 0;
}
