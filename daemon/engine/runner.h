/* SPDX-License-Identifier: MIT */
/*
 * The runner: a suite's workloads x JOBS x repetitions on one target
 * directory, each cell laid out, preconditioned, measured, verified and
 * appended to a struct rl_run. The CLI, the daemon and VM guests all run
 * suites through here, so their results are the same thing.
 */
#ifndef RINGLAB_DAEMON_ENGINE_RUNNER_H
#define RINGLAB_DAEMON_ENGINE_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine.h"
#include "result.h"
#include "suite.h"

struct rl_progress {
	const char *workload;
	const char *phase;		/* "layout", "run", "verify" */
	uint32_t jobs, rep, reps;
	size_t cell, ncells;		/* cell counts from 0 */
	double cell_fraction;		/* 0..1 of the current cell's I/O */
	double run_fraction;		/* 0..1 of the whole run */
	double live_iops;		/* over the last sampling interval */
};

struct rl_run_hooks {
	void *ctx;
	/* Once the target and workloads are checked and run->env is known, before any cell. */
	void (*started)(void *ctx, const struct rl_run *run);
	/* A few times a second while a cell runs, and at every phase change. */
	void (*progress)(void *ctx, const struct rl_progress *p);
	/* After each cell is appended to the run. */
	void (*cell_done)(void *ctx, const struct rl_run *run, const struct rl_cell *c);
};

struct rl_run_opts {
	const char *dir;		/* target directory (ext4); may be NULL for the null engine */
	const struct rl_engine_ops *engine;
	double scale;			/* > 0: overrides the suite's */
	uint32_t repeat;		/* > 0: overrides every workload's repetitions */
	uint32_t jobs[RL_JOBS_LIST_MAX];	/* njobs > 0: overrides every JOBS sweep */
	uint32_t njobs;
	bool keep_files;		/* leave the workload files in dir */
	const atomic_bool *cancel;	/* may be NULL */
	dev_t dev;			/* the filesystem dir must be on (a daemon's target
					 * as opened); 0: the one it is on at the start */
	ino_t ino;			/* with dev: dir's inode as the target was opened;
					 * 0: the directory there at the start */
	const char *label, *kernel_tag;
	struct rl_run_hooks hooks;
};

/*
 * rl_run_suite() - run @suite. @run is filled from scratch (free it with
 * rl_run_free). Returns 0 when every cell ran (run->status DONE, or FAILED
 * when a cell failed: an I/O error, verification, unmet expectation; then
 * run->error names the first failed cell and its error), -ECANCELED
 * when @cancel was set (status ABORTED, the cells so far kept), -ESTALE when
 * dir stopped being the filesystem the run started on (or opts->dev) before
 * or during a cell (status FAILED, "target changed: ..."; that cell is kept,
 * failed, and nothing more is opened there), or -errno when the target or a
 * workload could not be used (status FAILED, @err and run->error say why:
 * not ext4, read-only, too small, block size mismatch).
 * Files the runner created in dir are removed in every case unless keep_files
 * or the target changed; while it runs they are claimed (claim.h), and it
 * first removes the ringlab-* files in dir whose run was killed. A file an
 * earlier run kept counts as free space when the workload that wrote it is
 * about to replace it.
 */
int rl_run_suite(const struct rl_suite *suite, const struct rl_run_opts *opts,
		 struct rl_run *run, struct rl_err *err);

/*
 * rl_workload_file_path() - the file a workload writes in @dir:
 * DIR/ringlab-NAME.dat with NAME's unsafe characters as '_'.
 */
void rl_workload_file_path(char *buf, size_t len, const char *dir, const char *name);

/* rl_cell_stripes_per_job() - stripes each job writes under @scale (at least 1). */
uint64_t rl_stripes_per_job(const struct rl_workload *w, double scale);

#endif
