/* SPDX-License-Identifier: MIT */
/* The runs the cell summaries' tests store: three workloads, traced and not, a failed verification. */
#ifndef RINGLAB_TESTS_LIB_SUMMARY_RUNS_H
#define RINGLAB_TESTS_LIB_SUMMARY_RUNS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/result.h"
#include "engine/workload.h"
#include "check.h"

#define REPS 3

static const char *const summary_names[] = { "nw-count", "nw-retry", "blocking" };

static inline void summary_workload(struct rl_workload *w, int k)
{
	rl_workload_defaults(w);
	snprintf(w->name, sizeof(w->name), "%s", summary_names[k]);
	w->nowait = k != 2;
	w->eagain_policy = k == 1 ? RL_EAGAIN_RETRY_BLOCKING : RL_EAGAIN_COUNT;
}

/* A cell of workload @k at @jobs, repetition @rep, varied by @v so runs differ. */
static inline void summary_cell(struct rl_cell *c, int k, uint32_t jobs, uint32_t rep, double v)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), "%s", summary_names[k]);
	c->jobs = jobs;
	c->rep = rep;
	c->attempts = 1000;
	c->eagain = k == 2 ? 0 : (uint64_t)(100 * v) + rep;
	c->eagain_rate = (double)c->eagain / (double)c->attempts;
	/* The count workload completes nothing in its first repetition: IOPS n/a. */
	c->ops = k == 0 && rep == 1 ? 0 : 900 + rep;
	c->iops = c->ops ? 1000.0 / 3.0 * v * (1 + 0.01 * rep) : NAN;
	c->bw_bytes_s = c->ops ? c->iops * 4096 : NAN;
	c->elapsed_s = 0.1 * v + 0.001 * rep;
	c->lat.valid = c->ops > 0;
	c->lat.p50 = 1000;
	c->lat.p99 = c->ops ? (uint64_t)(50000 * v) + rep : 0;
	c->verify.status = k == 2 && rep == 2 && v > 1.5 ? RL_VERIFY_FAILED : RL_VERIFY_OK;
	c->failed = c->verify.status == RL_VERIFY_FAILED;
	if (c->failed) {	/* what the bad blocks hold: the comparison's verdict names it */
		c->verify.found_blocks.valid = true;
		c->verify.found_blocks.n[RL_FOUND_REFUSED_WRITE] = 3;
		c->verify.found_blocks.n[RL_FOUND_LAYOUT_LOST] = 1;
	}
	c->expect = k == 0 ? RL_EXPECT_MET : RL_EXPECT_NONE;
	c->es_cached_extents = 3;
	if (rep == 3) {
		c->nerrors = 1;
		c->errors[0].err = 5;
		c->errors[0].count = 2;
	}
	c->causes.valid = k != 2;
	c->causes.status = rep == 2 ? RL_CAUSES_PARTIAL : RL_CAUSES_OK;
	c->causes.counts[RL_CAUSE_EXTEND] = c->eagain / 2;
	c->causes.counts[k == 1 ? RL_CAUSE_LOCK : RL_CAUSE_ES_MISS] = c->eagain - c->eagain / 2 - 1;
	c->causes.unattributed = 1;
	snprintf(c->causes.note, sizeof(c->causes.note), "a note the summaries do not keep");
}

static inline void summary_make_run(struct rl_run *run, double v, int64_t started)
{
	struct rl_cell c;

	*run = (struct rl_run){ .suite = "sum-suite", .scale = 1, .status = RL_RUN_DONE,
				.started_ns = started, .finished_ns = started + 1000,
				.env.kernel_release = "7.2.13-test", .nworkloads = 3,
				.workloads = calloc(3, sizeof(*run->workloads)) };
	for (int k = 0; k < 3 && run->workloads; k++)
		summary_workload(&run->workloads[k], k);
	for (int k = 0; k < 3; k++)
		for (uint32_t jobs = 1; jobs <= 2; jobs++)
			for (uint32_t rep = 1; rep <= REPS; rep++) {
				summary_cell(&c, k, jobs, rep, v);
				CHECK(rl_run_add_cell(run, &c) == 0, "add cell");
			}
}

#endif
