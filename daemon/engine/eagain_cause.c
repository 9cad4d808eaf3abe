/* SPDX-License-Identifier: MIT */
/* The vocabulary of -EAGAIN causes and the rules that name one from tracepoint evidence. */
#include <string.h>

#include "eagain_cause.h"

static const struct {
	const char *key, *label;
} causes[] = {
	[RL_CAUSE_LOCK] = { "inode_lock", "inode lock not taken" },
	[RL_CAUSE_TIMESTAMP] = { "timestamp_update", "timestamp/privilege update" },
	[RL_CAUSE_ES_MISS] = { "extent_cache_miss", "extent-cache miss" },
	[RL_CAUSE_ALLOC] = { "allocation", "allocation/unwritten" },
	[RL_CAUSE_UNALIGNED] = { "unaligned_zeroing", "unaligned zeroing" },
	[RL_CAUSE_EXTEND] = { "extending_write", "extending write" },
	[RL_CAUSE_INVALIDATE] = { "invalidation", "page-cache invalidation" },
	[RL_CAUSE_JOURNAL] = { "journal_start", "journal start" },
	[RL_CAUSE_OTHER] = { "other", "other" },
	[RL_CAUSE_UNKNOWN] = { "unknown", "unknown" },
};
_Static_assert(sizeof(causes) / sizeof(causes[0]) == RL_CAUSE_MAX, "one name per cause");

static const char *const status_names[] = { "ok", "partial", "unavailable" };
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) == RL_CAUSES_STATUS_MAX,
	       "one name per status");

const char *rl_cause_key(enum rl_cause c)
{
	return c >= 0 && c < RL_CAUSE_MAX ? causes[c].key : "?";
}

const char *rl_cause_label(enum rl_cause c)
{
	return c >= 0 && c < RL_CAUSE_MAX ? causes[c].label : "?";
}

const char *rl_causes_status_name(enum rl_causes_status s)
{
	return s >= 0 && s < RL_CAUSES_STATUS_MAX ? status_names[s] : "?";
}

enum rl_cause rl_causes_top(const struct rl_eagain_causes *c, double *share)
{
	enum rl_cause top = RL_CAUSE_MAX;
	uint64_t total = c->unattributed, best = 0;

	*share = 0;
	if (!c->valid)
		return RL_CAUSE_MAX;
	for (int i = 0; i < RL_CAUSE_MAX; i++) {
		total += c->counts[i];
		if (c->counts[i] > best) {
			best = c->counts[i];
			top = (enum rl_cause)i;
		}
	}
	if (top != RL_CAUSE_MAX)
		*share = (double)best / (double)total;
	return top;
}

void rl_causes_add(struct rl_eagain_causes *dst, const struct rl_eagain_causes *src)
{
	if (!src->valid)
		return;
	if (!dst->valid || src->status > dst->status) {
		dst->status = src->status;
		memcpy(dst->note, src->note, sizeof(dst->note));
	}
	dst->valid = true;
	for (int i = 0; i < RL_CAUSE_MAX; i++)
		dst->counts[i] += src->counts[i];
	dst->unattributed += src->unattributed;
	if (!dst->other_function[0])
		memcpy(dst->other_function, src->other_function, sizeof(dst->other_function));
}

/* Does the first mapping cover every block of the write, as ext4_overwrite_io() asks? */
static bool covers(const struct rl_refusal_evidence *ev, uint64_t first, uint64_t last)
{
	if (ev->map_state != RL_MAP_WRITTEN && ev->map_state != RL_MAP_UNWRITTEN)
		return false;
	return ev->map_lblk <= first && (uint64_t)ev->map_lblk + ev->map_len > last;
}

/* Refused before __iomap_dio_rw() started: ext4_dio_write_iter() and its checks. */
static enum rl_cause before_iomap(const struct rl_refusal *r, uint32_t bs,
				  const struct rl_refusal_evidence *ev)
{
	uint64_t first = r->offset / bs, last = (r->offset + r->len - 1) / bs;
	bool unaligned = (r->offset | r->len) % bs;

	if (!(ev->flags & RL_EV_ES_LOOKUP)) {
		/* ext4_overwrite_io() looks nothing up only for a write past i_size. */
		if (ev->isize >= 0 && r->offset + r->len > (uint64_t)ev->isize)
			return RL_CAUSE_EXTEND;
		/*
		 * The lock was taken (a probe saw the checks behind it) and no
		 * lookup came: 7.3 upgrading for an inode without S_NOSEC.
		 */
		if (ev->flags & RL_EV_LOCKED)
			return RL_CAUSE_TIMESTAMP;
		/* Otherwise the lookup was never reached: the trylock failed first. */
		return ev->isize >= 0 ? RL_CAUSE_LOCK : RL_CAUSE_UNKNOWN;
	}
	/* A cached-only lookup that missed and did not read the tree. */
	if ((ev->flags & RL_EV_ES_MISS) && !(ev->flags & RL_EV_MAP_BLOCKS))
		return RL_CAUSE_ES_MISS;
	if (!(ev->flags & RL_EV_MAPPING))
		return RL_CAUSE_UNKNOWN;
	/* Hole, delayed, or more than one extent: not a pure overwrite. */
	if (!covers(ev, first, last))
		return RL_CAUSE_ALLOC;
	if (ev->map_state == RL_MAP_UNWRITTEN && unaligned)
		return RL_CAUSE_UNALIGNED;
	/* The lock decision passed: what is left before iomap is kiocb_modified(). */
	return RL_CAUSE_TIMESTAMP;
}

enum rl_cause rl_cause_classify(const struct rl_refusal *r, uint32_t bs,
				const struct rl_refusal_evidence *ev, const char **fn)
{
	*fn = NULL;
	if (!bs || !r->len)
		return RL_CAUSE_UNKNOWN;
	/*
	 * A probed function said -EAGAIN inside this write's window: the kernel
	 * named the exit, nothing is inferred. The deepest one wins (a journal
	 * start under a timestamp update is the journal's refusal).
	 */
	if (ev->flags & RL_EV_RET_JOURNAL)
		return RL_CAUSE_JOURNAL;
	if (ev->flags & RL_EV_RET_MODIFIED)
		return RL_CAUSE_TIMESTAMP;
	if (ev->flags & RL_EV_RET_INVAL)
		return RL_CAUSE_INVALIDATE;
	if (ev->flags & RL_EV_RET_IOMAP)
		return RL_CAUSE_ALLOC;
	/* The extent found does not hold the write's first block: not this write's window. */
	if ((ev->flags & RL_EV_MAPPING) && !(ev->flags & RL_EV_MAP_BLOCKS) &&
	    (ev->map_lblk > r->offset / bs || (uint64_t)ev->map_lblk + ev->map_len <= r->offset / bs))
		return RL_CAUSE_UNKNOWN;
	if (!(ev->flags & RL_EV_DIO_BEGIN))
		return before_iomap(r, bs, ev);
	if (ev->flags & RL_EV_INVAL_FAIL)
		return RL_CAUSE_INVALIDATE;
	/*
	 * An -EAGAIN from the iteration (->iomap_begin) completes the dio with
	 * that error; kiocb_invalidate_pages() refusing under IOCB_NOWAIT
	 * (cached folios in the range) returns before any completion.
	 */
	if (!(ev->flags & RL_EV_DIO_ERROR))
		return RL_CAUSE_INVALIDATE;
	*fn = "iomap_iter";
	return RL_CAUSE_OTHER;
}

/*
 * Pair the job's refusals with the tracer's, slot by slot in order: a slot
 * has one attempt in flight at a time, so its n-th refusal in the job is its
 * n-th refused completion in the trace, whatever the interleaving of slots.
 */
void rl_causes_attribute(struct rl_eagain_causes *out, const struct rl_refusal *r, size_t nr,
			 const struct rl_refusal_evidence *ev, size_t nev, uint32_t bs)
{
	uint32_t nslots = 0;

	for (size_t i = 0; i < nr; i++)
		if ((uint32_t)r[i].slot + 1 > nslots)
			nslots = (uint32_t)r[i].slot + 1;
	for (uint32_t s = 0; s < nslots; s++) {
		size_t e = 0;

		for (size_t i = 0; i < nr; i++) {
			enum rl_cause c;
			const char *fn;

			if (r[i].slot != s)
				continue;
			while (e < nev && ev[e].slot != s)
				e++;
			if (e == nev) {
				out->unattributed += r[i].first;
				continue;
			}
			c = rl_cause_classify(&r[i], bs, &ev[e++], &fn);
			if (!r[i].first)
				continue;
			out->counts[c]++;
			if (fn && !out->other_function[0])
				strncpy(out->other_function, fn, sizeof(out->other_function) - 1);
		}
	}
}
