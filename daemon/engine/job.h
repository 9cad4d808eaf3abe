/* SPDX-License-Identifier: MIT */
/*
 * A job: one thread, one engine instance (one ring), one region of the shared
 * file (or, interleaved, its own byte range of every stripe). The job loop
 * keeps queue_depth I/Os in flight, applies the EAGAIN policy and counts.
 */
#ifndef RINGLAB_DAEMON_ENGINE_JOB_H
#define RINGLAB_DAEMON_ENGINE_JOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "eagain_cause.h"
#include "engine.h"
#include "hist.h"
#include "result.h"
#include "workload.h"

/* Per-slot state of an I/O in flight. */
struct rl_slot {
	uint64_t t_first;	/* first submission, CLOCK_MONOTONIC ns */
	uint64_t ready;		/* retry-nowait: not before this time */
	uint32_t stripe;	/* index into the job's gens[] */
	uint32_t attempts;
	uint16_t gen;
	bool nowait;
};

struct rl_job_shared {
	pthread_barrier_t start;
	const atomic_bool *cancel;	/* set by the runner: stop issuing, drain */
	uint64_t stop_ns;		/* duration mode: stop issuing after this */
	const char *dir;		/* the target to watch (target_check.h); NULL: none */
	dev_t dev;			/* the filesystem dir must stay on */
	ino_t ino;			/* and the directory it must stay */
	atomic_bool changed;		/* a job found it changed: every job stops issuing */
};

struct rl_job {
	/* set up by the runner */
	const struct rl_workload *w;
	const struct rl_engine_ops *engine;
	struct rl_job_shared *shared;
	int fd;
	uint32_t index;
	uint64_t key;
	uint64_t nstripes;		/* stripes this job writes */
	uint64_t base_offset;		/* file offset of its stripe 0 plus its byte shift */
	uint32_t stripe_bytes;
	uint32_t queue_depth;		/* min(workload's, nstripes) */
	uint16_t gen_base;		/* generation of the first pass */
	uint16_t *gens;			/* [nstripes]: generation written, see verify.h */
	uint16_t *refused;		/* [nstripes]: generation refused (-EAGAIN, not retried) */

	/* engine state */
	void *engine_data;
	uint8_t *bufs;			/* queue_depth buffers of buf_stride bytes */
	uint32_t buf_stride;
	struct rl_engine_info info;

	/* loop state */
	struct rl_slot *slots;
	uint32_t *free_slots, nfree;
	uint32_t *order;		/* random order: permutation of stripes */
	uint32_t staged;		/* queued, not yet submitted */

	/* results */
	struct rl_hist lat, enter;
	uint64_t attempts, ops, bytes, eagain, retries, gave_up, short_ios;
	uint64_t enter_calls, enter_ns;
	uint64_t passes;		/* passes started over the stripes */
	uint64_t t_start, t_end;	/* after the start barrier, after draining */
	uint32_t nerrors;
	struct rl_errno_count errors[RL_ERRNO_SLOTS];
	atomic_uint_fast64_t done;	/* completions so far, for live progress */
	atomic_uint_fast64_t issued;	/* first attempts so far */
	int error;			/* -errno that stopped the job */

	/* -EAGAIN attribution (cell_causes.c): the thread, and its refusals in order */
	_Atomic pid_t tid;		/* set first thing in rl_job_run() */
	bool log_refusals;		/* set before the start barrier */
	struct rl_refusal *refusals;
	size_t nrefusals, refusals_cap;
	uint64_t refusals_dropped;	/* first attempts not logged: out of memory */
	char errmsg[256];
};

/*
 * rl_job_prepare() - allocate the job's buffers, slots, order and gens for the
 * fields the runner set. Returns 0 or -ENOMEM.
 */
int rl_job_prepare(struct rl_job *job);

/*
 * rl_job_run() - thread body: init the engine, wait on the start barrier, run
 * one pass over the stripes (or passes until stop_ns), drain, clean up.
 * Returns NULL; job->error holds -errno if the job could not run, -ESTALE
 * (and shared->changed) when it stopped because the target changed.
 */
void *rl_job_run(void *job);

/* rl_job_free() - free what rl_job_prepare() allocated (gens stay: the runner owns them). */
void rl_job_free(struct rl_job *job);

/* rl_job_fold() - add the job's counters and histograms into @c, @lat, @enter. */
void rl_job_fold(const struct rl_job *job, struct rl_cell *c, struct rl_hist *lat,
		 struct rl_hist *enter);

#endif
