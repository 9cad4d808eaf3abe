/* SPDX-License-Identifier: MIT */
/*
 * Lines of a tracefs trace_pipe turned into per-write evidence: each job
 * thread's io_uring_submit_req opens the window of one write (its
 * user_data is the job's slot), the ext4 and iomap events that thread
 * emits until the next submission belong to that write, and an
 * io_uring_complete with -EAGAIN closes it as a refusal. Kept apart from the
 * tracefs plumbing so it can be fed recorded lines in tests.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TRACE_EVENTS_H
#define RINGLAB_DAEMON_ENGINE_TRACE_EVENTS_H

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

/* rl_trace_state_init() - for @ntids job threads, slots 0..@nslots-1, i_size @isize. Returns 0 or -ENOMEM. */
int rl_trace_state_init(struct rl_trace_state *s, const pid_t *tids, uint32_t ntids,
			uint32_t nslots, int64_t isize);
void rl_trace_state_free(struct rl_trace_state *s);

/* rl_trace_feed_line() - one line of trace_pipe text (no newline needed); others' lines are ignored. */
void rl_trace_feed_line(struct rl_trace_state *s, const char *line);

/* rl_trace_thread_find() - the state of job thread @tid, or NULL. */
const struct rl_trace_thread *rl_trace_thread_find(const struct rl_trace_state *s, pid_t tid);

#endif
