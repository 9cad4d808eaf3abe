/* SPDX-License-Identifier: MIT */
/* One cell: a workload at one JOBS value, one repetition. Used by runner.c. */
#ifndef RINGLAB_DAEMON_ENGINE_CELL_H
#define RINGLAB_DAEMON_ENGINE_CELL_H

#include <sys/types.h>

#include "runner.h"

/* What stays the same for every cell of one workload on one target. */
struct rl_target_ctx {
	const struct rl_run_opts *opts;
	const struct rl_env *env;
	dev_t dev;
	ino_t ino;			/* dir's inode (target_check.h) */
	int dir_fd;			/* dir pinned for the run (rl_target_pin()); -1: none */
	char sb[RL_NAME_MAX];		/* /proc/fs/ext4 name, "" if none */
	size_t cell, ncells;		/* progress position */
};

struct rl_cell_plan {
	const struct rl_workload *w;
	char path[4096];		/* the workload's file */
	uint64_t key;
	uint64_t stripes_per_job;
	uint32_t stripe_bytes;
	uint32_t jobs, rep;
	bool rebuild;			/* lay the file out before this cell */
	uint16_t gen_base;		/* first generation this cell writes */
	uint64_t passes;		/* most passes any job of the last cell made */
	uint16_t **gens;		/* [jobs][stripes_per_job], kept across reps */
	uint16_t **refused;		/* the same shape: last refused generation, verify.h */
	struct rl_engine_info used;	/* what the engine used, or'ed over cells */
};

/*
 * rl_cell_run() - lay out (when plan->rebuild), precondition, run the jobs,
 * sample, verify and evaluate the expectation into @c. Returns 0 when the
 * cell ran (it may still have failed: c->failed, c->error; an I/O answered
 * with an error fails it), -ECANCELED when the cancel flag stopped its
 * layout, I/O or verification (c->error says which; the cell is to be kept),
 * -ESTALE when the target stopped being the filesystem the run started on
 * (@c failed "target changed: ...", to be kept; the run must stop), or
 * -errno when the target failed under it (layout ENOSPC, open, io_uring
 * setup) with @err set.
 */
int rl_cell_run(struct rl_target_ctx *t, struct rl_cell_plan *plan, struct rl_cell *c,
		struct rl_err *err);

#endif
