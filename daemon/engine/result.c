/* SPDX-License-Identifier: MIT */
/*
 * The result structs' small helpers: growing a run's cells, freeing a run,
 * names of statuses, and the per-(workload, jobs) summary over repetitions
 * that every formatter prints, so the arithmetic lives in one place.
 */
#include <stdlib.h>
#include <string.h>

#include "stats/bootstrap.h"
#include "result.h"

static const char *const run_status_names[RL_RUN_MAX] = {
	[RL_RUN_QUEUED] = "queued",
	[RL_RUN_RUNNING] = "running",
	[RL_RUN_DONE] = "done",
	[RL_RUN_FAILED] = "failed",
	[RL_RUN_ABORTED] = "aborted",
};

static const char *const verify_status_names[RL_VERIFY_MAX] = {
	[RL_VERIFY_SKIPPED] = "skipped",
	[RL_VERIFY_OK] = "ok",
	[RL_VERIFY_FAILED] = "failed",
};

static const char *const expect_status_names[RL_EXPECT_MAX] = {
	[RL_EXPECT_NONE] = "none",
	[RL_EXPECT_MET] = "met",
	[RL_EXPECT_UNMET] = "unmet",
};

/* Out-of-range values name themselves "unknown" rather than crash a formatter. */
const char *rl_run_status_name(enum rl_run_status s)
{
	return (unsigned)s < RL_RUN_MAX ? run_status_names[s] : "unknown";
}

const char *rl_verify_status_name(enum rl_verify_status s)
{
	return (unsigned)s < RL_VERIFY_MAX ? verify_status_names[s] : "unknown";
}

const char *rl_expect_status_name(enum rl_expect_status s)
{
	return (unsigned)s < RL_EXPECT_MAX ? expect_status_names[s] : "unknown";
}

int rl_run_add_cell(struct rl_run *run, const struct rl_cell *c)
{
	struct rl_cell *cells;
	size_t cap;

	if (run->ncells == run->cells_cap) {
		cap = run->cells_cap ? run->cells_cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof(*cells))
			return -ENOMEM;
		cells = realloc(run->cells, cap * sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		run->cells = cells;
		run->cells_cap = cap;
	}
	run->cells[run->ncells++] = *c;
	return 0;
}

void rl_run_free(struct rl_run *run)
{
	free(run->cells);
	free(run->workloads);
	memset(run, 0, sizeof(*run));
}

const struct rl_workload *rl_run_workload(const struct rl_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nworkloads; i++)
		if (strcmp(run->workloads[i].name, name) == 0)
			return &run->workloads[i];
	return NULL;
}

/* A cell that failed before completing any I/O has no measurement to count. */
static bool cell_measured(const struct rl_cell *c)
{
	return !c->failed || c->ops > 0;
}

/* Counts and sums over every cell of the group, measured or not. */
static void summary_add(struct rl_cell_summary *s, const struct rl_cell *c)
{
	uint32_t i;

	s->reps++;
	s->attempts += c->attempts;
	s->eagain += c->eagain;
	s->verify_ok += c->verify.status == RL_VERIFY_OK;
	s->verify_failed += c->verify.status == RL_VERIFY_FAILED;
	s->expect_met += c->expect == RL_EXPECT_MET;
	s->expect_unmet += c->expect == RL_EXPECT_UNMET;
	s->failed += c->failed;
	for (i = 0; i < c->nerrors && i < RL_ERRNO_SLOTS; i++)
		s->errors += c->errors[i].count;
	rl_causes_add(&s->causes, &c->causes);
	if (cell_measured(c) && c->lat.p99 > s->p99_max)
		s->p99_max = c->lat.p99;
}

int rl_cell_summary(const struct rl_run *run, const char *workload, uint32_t jobs,
		    struct rl_cell_summary *out)
{
	const struct rl_workload *w = rl_run_workload(run, workload);
	double *iops, *bw;
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	out->eagain_rate = -1;
	iops = malloc(2 * (run->ncells ? run->ncells : 1) * sizeof(*iops));
	if (!iops)
		return -ENOMEM;
	bw = iops + (run->ncells ? run->ncells : 1);
	for (i = 0; i < run->ncells; i++) {
		const struct rl_cell *c = &run->cells[i];

		if (c->jobs != jobs || strcmp(c->workload, workload) != 0)
			continue;
		summary_add(out, c);
		if (!cell_measured(c))
			continue;
		iops[n] = c->iops;
		bw[n] = c->bw_bytes_s;
		n++;
	}
	out->measured = (uint32_t)n;
	if (n) {
		out->iops_median = rl_median(iops, n);	/* sorts iops */
		out->iops_min = iops[0];
		out->iops_max = iops[n - 1];
		out->bw_median = rl_median(bw, n);
	}
	/* Without the workload (an imported run) any first attempt may have been NOWAIT. */
	if (out->attempts && (!w || w->nowait))
		out->eagain_rate = (double)out->eagain / (double)out->attempts;
	free(iops);
	return (int)out->reps;
}
