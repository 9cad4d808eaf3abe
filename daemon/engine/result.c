/* SPDX-License-Identifier: MIT */
/*
 * The result structs' small helpers: growing a run's cells, freeing a run,
 * names of statuses, and the per-(workload, jobs) summary over repetitions
 * that every formatter prints, so the arithmetic lives in one place.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/bootstrap.h"
#include "stats/rates.h"
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
	if (cell_measured(c) && rl_cell_completed(c) && c->lat.p99 > s->p99_max)
		s->p99_max = c->lat.p99;
}

/* The spread of the repetitions' EAGAIN rates @r[0..n-1] into @out. */
static void summary_rates(struct rl_cell_summary *out, const double *r, size_t n)
{
	struct rl_rate_spread sp;

	out->eagain_min = out->eagain_max = out->eagain_sd = NAN;
	out->eagain_reps = (uint32_t)n;
	if (!n || rl_rate_spread(r, n, &sp) < 0)
		return;
	out->eagain_min = sp.min;
	out->eagain_max = sp.max;
	out->eagain_sd = sp.sd;
	out->unstable = rl_rate_unstable(&sp);
}

/* Scratch for one summary: IOPS, bandwidth and EAGAIN rate per repetition. */
struct summary_scratch {
	double *iops, *bw, *rates;
	size_t n, nrates;
};

static void scratch_add(struct summary_scratch *x, const struct rl_cell *c, bool nowait)
{
	if (nowait && c->attempts && c->eagain <= c->attempts)
		x->rates[x->nrates++] = (double)c->eagain / (double)c->attempts;
	if (!cell_measured(c) || !rl_cell_completed(c))
		return;
	x->iops[x->n] = c->iops;
	x->bw[x->n] = c->bw_bytes_s;
	x->n++;
}

int rl_cell_summary(const struct rl_run *run, const char *workload, uint32_t jobs,
		    struct rl_cell_summary *out)
{
	const struct rl_workload *w = rl_run_workload(run, workload);
	size_t i, room = run->ncells ? run->ncells : 1;
	/* Without the workload (an imported run) any first attempt may have been NOWAIT. */
	bool nowait = !w || w->nowait;
	struct summary_scratch x = { 0 };

	memset(out, 0, sizeof(*out));
	out->eagain_rate = -1;
	out->iops_median = out->iops_min = out->iops_max = out->bw_median = NAN;
	x.iops = malloc(3 * room * sizeof(double));
	if (!x.iops)
		return -ENOMEM;
	x.bw = x.iops + room;
	x.rates = x.bw + room;
	for (i = 0; i < run->ncells; i++) {
		const struct rl_cell *c = &run->cells[i];

		if (c->jobs != jobs || strcmp(c->workload, workload) != 0)
			continue;
		summary_add(out, c);
		out->measured += cell_measured(c);
		scratch_add(&x, c, nowait);
	}
	out->completed = (uint32_t)x.n;
	if (x.n) {
		out->iops_median = rl_median(x.iops, x.n);	/* sorts iops */
		out->iops_min = x.iops[0];
		out->iops_max = x.iops[x.n - 1];
		out->bw_median = rl_median(x.bw, x.n);
	}
	if (out->attempts && nowait)
		out->eagain_rate = (double)out->eagain / (double)out->attempts;
	summary_rates(out, x.rates, x.nrates);
	out->timing_dependent = w && w->nowait && w->eagain_policy == RL_EAGAIN_RETRY_BLOCKING;
	free(x.iops);
	return (int)out->reps;
}
