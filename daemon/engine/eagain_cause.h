/* SPDX-License-Identifier: MIT */
/*
 * Why a RWF_NOWAIT write was refused: the fixed vocabulary of causes, the
 * per-cell counts, and the rules that name a cause from what the kernel's
 * tracepoints showed while it refused one write (trace_eagain.c collects
 * that evidence). The rules follow the order in which ext4_dio_write_iter(),
 * ext4_dio_write_checks() and __iomap_dio_rw() take their -EAGAIN exits
 * (fs/ext4/file.c, fs/iomap/direct-io.c of 6.18 to 7.3), so a tracepoint
 * that fired, or did not fire, tells how far the write got.
 */
#ifndef RINGLAB_DAEMON_ENGINE_EAGAIN_CAUSE_H
#define RINGLAB_DAEMON_ENGINE_EAGAIN_CAUSE_H

#include <stdbool.h>
#include <stdint.h>

enum rl_cause {
	RL_CAUSE_LOCK,		/* i_rwsem trylock failed */
	RL_CAUSE_TIMESTAMP,	/* kiocb_modified / file_modified_flags / file_remove_privs */
	RL_CAUSE_ES_MISS,	/* extent lookup would need I/O: extent-status cache miss */
	RL_CAUSE_ALLOC,		/* block allocation or unwritten conversion needed */
	RL_CAUSE_UNALIGNED,	/* unaligned write needs partial-block zeroing */
	RL_CAUSE_EXTEND,	/* extending write (i_size) */
	RL_CAUSE_INVALIDATE,	/* page-cache invalidation failed */
	RL_CAUSE_JOURNAL,	/* journal start would block */
	RL_CAUSE_OTHER,		/* another -EAGAIN exit; other_function names it */
	RL_CAUSE_UNKNOWN,	/* the kernel's events cannot tell */
	RL_CAUSE_MAX
};

enum rl_causes_status {
	RL_CAUSES_OK,		/* every refusal attributed (unknown is an attribution) */
	RL_CAUSES_PARTIAL,	/* some refusals unattributed: note says why */
	RL_CAUSES_UNAVAILABLE,	/* tracing could not run: note says why */
	RL_CAUSES_STATUS_MAX
};

#define RL_CAUSE_FN_MAX 64
#define RL_CAUSE_NOTE_MAX 160

/* One cell's refusals by cause; counts + unattributed = the cell's eagain. */
struct rl_eagain_causes {
	bool valid;			/* first (RL_FT_OPT_OBJECT): tracing was asked for */
	enum rl_causes_status status;
	uint64_t counts[RL_CAUSE_MAX];
	uint64_t unattributed;
	char other_function[RL_CAUSE_FN_MAX];
	char note[RL_CAUSE_NOTE_MAX];
};

/* rl_cause_key() - the JSON key of @c ("extending_write"), "?" out of range. */
const char *rl_cause_key(enum rl_cause c);
/* rl_cause_label() - the words for people ("extending write"), "?" out of range. */
const char *rl_cause_label(enum rl_cause c);
const char *rl_causes_status_name(enum rl_causes_status s);

/*
 * rl_causes_top() - the cause with the most refusals in @c and its share of
 * all refusals (attributed or not). Returns RL_CAUSE_MAX when @c is not
 * valid or counts nothing.
 */
enum rl_cause rl_causes_top(const struct rl_eagain_causes *c, double *share);

/* rl_causes_add() - add @src's counts into @dst (valid when either is); the worse status wins. */
void rl_causes_add(struct rl_eagain_causes *dst, const struct rl_eagain_causes *src);

/* Which tracepoints fired between the submission of one write and its refusal. */
enum rl_evidence_flag {
	RL_EV_ES_LOOKUP = 1 << 0,	/* ext4_es_lookup_extent_exit */
	RL_EV_ES_MISS = 1 << 1,		/* ... with found 0 */
	RL_EV_MAP_BLOCKS = 1 << 2,	/* ext4_ext_map_blocks_exit: the tree was read */
	RL_EV_DIO_BEGIN = 1 << 3,	/* iomap_dio_rw_begin */
	RL_EV_INVAL_FAIL = 1 << 5,	/* iomap_dio_invalidate_fail */
	RL_EV_DIO_ERROR = 1 << 6,	/* iomap_dio_complete with error -EAGAIN */
	RL_EV_MAPPING = 1 << 7,		/* map_* below hold the first mapping seen */
	/* Return probes (trace_probes.c), each seen returning -EAGAIN: */
	RL_EV_RET_MODIFIED = 1 << 9,	/* kiocb_modified, file_remove_privs_flags, generic_update_time */
	RL_EV_RET_IOMAP = 1 << 10,	/* ext4_iomap_begin: ext4_iomap_alloc under IOMAP_NOWAIT */
	RL_EV_RET_INVAL = 1 << 11,	/* kiocb_invalidate_pages */
	RL_EV_RET_JOURNAL = 1 << 12,	/* jbd2__journal_start */
	RL_EV_LOCKED = 1 << 13,		/* ext4_generic_write_checks returned: the trylock had passed */
};

/* The mapping the first lookup (or tree read) returned, in blocks. */
enum rl_map_state { RL_MAP_WRITTEN, RL_MAP_UNWRITTEN, RL_MAP_HOLE, RL_MAP_DELAYED, RL_MAP_MAX };

struct rl_refusal_evidence {
	uint32_t slot;			/* the write's user_data */
	uint32_t flags;			/* enum rl_evidence_flag */
	uint32_t map_lblk, map_len;	/* first mapping: from map_lblk, map_len blocks */
	enum rl_map_state map_state;
	int64_t isize;			/* i_size the events last showed, -1 unknown */
};

/* One refused write as the job saw it. */
struct rl_refusal {
	uint64_t offset;
	uint32_t len;
	uint16_t slot;
	bool first;			/* a first attempt: counted in the cell's eagain */
};

/*
 * rl_cause_classify() - the cause of the refusal of @r (block size @bs)
 * given the evidence @ev of its window. Never fails: RL_CAUSE_UNKNOWN when
 * the evidence contradicts the write (another block looked up). @fn gets
 * the function named for RL_CAUSE_OTHER.
 */
enum rl_cause rl_cause_classify(const struct rl_refusal *r, uint32_t bs,
				const struct rl_refusal_evidence *ev, const char **fn);

/*
 * rl_causes_attribute() - classify the job's refusals @r (in the order the
 * job saw them) with the tracer's evidence @ev for the same thread, pairing
 * them slot by slot, and count the first attempts into @out. A refusal the
 * trace has no window for counts as unattributed.
 */
void rl_causes_attribute(struct rl_eagain_causes *out, const struct rl_refusal *r, size_t nr,
			 const struct rl_refusal_evidence *ev, size_t nev, uint32_t bs);

#endif
