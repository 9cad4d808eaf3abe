/* SPDX-License-Identifier: MIT */
/*
 * Events (trace_pipe lines, or records trace_raw.c decoded from the binary
 * buffers) turned into per-write evidence: each job
 * thread's io_uring_submit_req opens the window of one write (its
 * user_data is the job's slot), the ext4 and iomap events that thread
 * emits until the next submission belong to that write, and an
 * io_uring_complete with -EAGAIN closes it as a refusal. Kept apart from the
 * tracefs plumbing so it can be fed recorded lines in tests.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TRACE_EVENTS_H
#define RINGLAB_DAEMON_ENGINE_TRACE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eagain_cause.h"

/* Refusals kept per thread; beyond, they count as dropped (unattributed). */
#define RL_TRACE_EVIDENCE_MAX (1u << 20)

struct rl_trace_thread {
	pid_t tid;
	int32_t open;				/* slot whose window is open, -1 none */
	struct rl_refusal_evidence *win;	/* [nslots] */
	struct rl_refusal_evidence *ev;		/* refusals, in order */
	size_t nev, cap;
};

struct rl_trace_state {
	struct rl_trace_thread *threads;
	uint32_t nthreads, nslots;
	int64_t isize;			/* of the traced inode, as the events last showed */
	uint64_t lost;			/* "[LOST n EVENTS]" */
	uint64_t dropped;		/* refusals past RL_TRACE_EVIDENCE_MAX or out of memory */
	uint64_t lines;
};

/* The events the rules read, whether they came as text or as raw records. */
enum rl_trace_kind {
	RL_TR_SUBMIT,		/* io_uring_submit_req: user_data */
	RL_TR_COMPLETE,		/* io_uring_complete: user_data, res */
	RL_TR_ES_LOOKUP,	/* ext4_es_lookup_extent_exit: found, lblk, len, state */
	RL_TR_MAP_BLOCKS,	/* ext4_ext_map_blocks_exit: lblk, len, res (ret), state */
	RL_TR_DIO_BEGIN,	/* iomap_dio_rw_begin: isize */
	RL_TR_INVAL_FAIL,	/* iomap_dio_invalidate_fail */
	RL_TR_DIO_COMPLETE,	/* iomap_dio_complete: isize, res (error) */
	RL_TR_PROBE,		/* a return probe: probe_flag, res (ret) */
	RL_TR_KIND_MAX
};

/* One event, decoded. */
struct rl_trace_rec {
	uint64_t ts;			/* raw records only: to merge the CPUs' buffers */
	uint64_t user_data;
	int64_t res;
	int64_t isize;			/* -1: the event does not tell */
	uint32_t lblk, len;
	uint32_t probe_flag;		/* enum rl_evidence_flag */
	pid_t pid;
	uint8_t kind;			/* enum rl_trace_kind */
	bool found;			/* ES_LOOKUP: the cache had it */
	bool mapping;			/* lblk, len and state were read */
	uint8_t state;			/* enum rl_map_state */
};

/* rl_trace_state_init() - for @ntids job threads, slots 0..@nslots-1, i_size @isize. Returns 0 or -ENOMEM. */
int rl_trace_state_init(struct rl_trace_state *s, const pid_t *tids, uint32_t ntids,
			uint32_t nslots, int64_t isize);
void rl_trace_state_free(struct rl_trace_state *s);

/* rl_trace_feed_line() - one line of trace_pipe text (no newline needed); others' lines are ignored. */
void rl_trace_feed_line(struct rl_trace_state *s, const char *line);

/* rl_trace_feed_rec() - one decoded event, in the order its thread emitted it. */
void rl_trace_feed_rec(struct rl_trace_state *s, const struct rl_trace_rec *r);

/* rl_trace_thread_find() - the state of job thread @tid, or NULL. */
const struct rl_trace_thread *rl_trace_thread_find(const struct rl_trace_state *s, pid_t tid);

#endif
