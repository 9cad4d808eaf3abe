/* SPDX-License-Identifier: MIT */
/*
 * One cell's numbers: pool each side's repetitions of a (workload, jobs),
 * then the IOPS and p99 ratios of medians with bootstrap intervals and
 * verdicts, the two-proportion test of the EAGAIN rates and the wall-time
 * speedup.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause_change.h"
#include "cell_stats.h"

/* ---- a side's repetitions ------------------------------------------------ */

static size_t side_cells(const struct rl_run *const *runs, size_t n)
{
	size_t r, total = 0;

	for (r = 0; r < n; r++)
		total += runs[r]->ncells;
	return total ? total : 1;
}

int rl_cmp_side_init(struct rl_cmp_side *s, const struct rl_run *const *runs, size_t n)
{
	size_t room = side_cells(runs, n);

	memset(s, 0, sizeof(*s));
	s->runs = runs;
	s->nruns = n;
	s->iops = calloc(3 * room, sizeof(double));
	if (!s->iops)
		return -ENOMEM;
	s->p99 = s->iops + room;
	s->elapsed = s->p99 + room;
	return 0;
}

void rl_cmp_side_free(struct rl_cmp_side *s)
{
	free(s->iops);
	s->iops = s->p99 = s->elapsed = NULL;
}

/* As result.c: a repetition that failed before completing any I/O measured nothing. */
static bool cell_measured(const struct rl_cell *c)
{
	return !c->failed || c->ops > 0;
}

static void push_value(double *v, size_t *n, double x)
{
	if (isfinite(x) && x >= 0.0)
		v[(*n)++] = x;
}

static void gather_side(struct rl_cmp_side *s, const char *workload, uint32_t jobs)
{
	const struct rl_cell *c;
	size_t r, i;

	s->niops = s->np99 = s->nelapsed = 0;
	s->reps = s->verify_failed = 0;
	s->eagain = s->attempts = 0;
	for (r = 0; r < s->nruns; r++) {
		for (i = 0; i < s->runs[r]->ncells; i++) {
			c = &s->runs[r]->cells[i];
			if (c->jobs != jobs || strcmp(c->workload, workload) != 0)
				continue;
			s->reps++;
			s->verify_failed += c->verify.status == RL_VERIFY_FAILED;
			s->eagain += c->eagain;
			s->attempts += c->attempts;
			if (!cell_measured(c))
				continue;
			push_value(s->iops, &s->niops, c->iops);
			push_value(s->p99, &s->np99, (double)c->lat.p99);
			push_value(s->elapsed, &s->nelapsed, c->elapsed_s);
		}
	}
}

/* ---- judging ------------------------------------------------------------- */

/* FNV-1a of the name, mixed with jobs: a fixed seed per cell, same on every machine. */
static uint64_t cell_seed(const char *workload, uint32_t jobs)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *workload; workload++)
		h = (h ^ (uint8_t)*workload) * 0x100000001b3ull;
	return h ^ ((uint64_t)jobs * 0x9e3779b97f4a7c15ull);
}

/*
 * The bootstrap cannot take a base median of 0 (IOPS of a cell whose every
 * NOWAIT write was refused): both medians 0 is no change, a head above 0
 * is a change of infinite ratio.
 */
static void judge_zero_base(bool higher_is_better, const struct rl_comparison *c,
			    struct rl_cmp_ratio *out)
{
	double hm = out->ci.head_median;

	out->ci.base_median = 0.0;
	out->ci.ratio = hm > 0.0 ? INFINITY : NAN;
	out->ci.lo = out->ci.hi = out->ci.ratio;
	if (out->ci.n_base < c->min_reps || out->ci.n_head < c->min_reps)
		out->verdict = RL_VERDICT_INSUFFICIENT;
	else if (hm > 0.0)
		out->verdict = higher_is_better ? RL_VERDICT_IMPROVED : RL_VERDICT_REGRESSED;
	else
		out->verdict = RL_VERDICT_UNCHANGED;
}

/* Sorts @b and @h in place. Returns 0 or -ENOMEM. */
static int judge_ratio(double *b, size_t nb, double *h, size_t nh, uint64_t seed,
		       bool higher_is_better, const struct rl_comparison *c,
		       struct rl_cmp_ratio *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->ci.n_base = (unsigned)nb;
	out->ci.n_head = (unsigned)nh;
	out->ci.ratio = out->ci.lo = out->ci.hi = NAN;
	out->verdict = RL_VERDICT_INSUFFICIENT;
	if (!nb || !nh) {
		out->ci.base_median = nb ? rl_median(b, nb) : NAN;
		out->ci.head_median = nh ? rl_median(h, nh) : NAN;
		return 0;
	}
	ret = rl_bootstrap_ratio(b, nb, h, nh, c->iterations, c->confidence, seed, &out->ci);
	if (ret == -ENOMEM)
		return ret;
	if (!ret) {
		out->has_ci = true;
		out->verdict = rl_verdict_ratio(&out->ci, c->threshold, higher_is_better,
						c->min_reps);
		return 0;
	}
	/* Values were filtered to finite and >= 0, so only a zero base median is left. */
	out->ci.head_median = rl_median(h, nh);
	judge_zero_base(higher_is_better, c, out);
	return 0;
}

static void judge_eagain(const struct rl_cmp_side *b, const struct rl_cmp_side *h,
			 const struct rl_comparison *c, struct rl_cmp_cell *cell)
{
	cell->base_eagain = b->eagain;
	cell->base_attempts = b->attempts;
	cell->head_eagain = h->eagain;
	cell->head_attempts = h->attempts;
	cell->eagain_verdict = RL_CMP_EAGAIN_NA;
	if (!cell->nowait || !b->attempts || !h->attempts)
		return;
	if (rl_two_proportion(b->eagain, b->attempts, h->eagain, h->attempts, c->eagain_alpha,
			      &cell->eagain) < 0)
		return;	/* more EAGAIN than attempts: a damaged file, nothing to test */
	cell->eagain_verdict = cell->eagain.significant ? RL_CMP_EAGAIN_CHANGED
						     : RL_CMP_EAGAIN_UNCHANGED;
}

int rl_cmp_cell_fill(struct rl_cmp_side *b, struct rl_cmp_side *h, const char *workload,
		     uint32_t jobs, const struct rl_comparison *c, struct rl_cmp_cell *cell)
{
	uint64_t seed = cell_seed(workload, jobs);
	double be, he;
	int ret;

	snprintf(cell->workload, sizeof(cell->workload), "%s", workload);
	cell->jobs = jobs;
	gather_side(b, workload, jobs);
	gather_side(h, workload, jobs);
	cell->base_reps = b->reps;
	cell->head_reps = h->reps;
	cell->base_verify_failed = b->verify_failed;
	cell->head_verify_failed = h->verify_failed;
	ret = judge_ratio(b->iops, b->niops, h->iops, h->niops, seed, true, c, &cell->iops);
	if (!ret)
		ret = judge_ratio(b->p99, b->np99, h->p99, h->np99, seed ^ 0x7039390000000000ull,
				  false, c, &cell->p99);
	if (ret)
		return ret;
	judge_eagain(b, h, c, cell);
	rl_cmp_cause_change(b->runs, b->nruns, h->runs, h->nruns, workload, jobs,
			    cell->eagain_cause, sizeof(cell->eagain_cause));
	be = b->nelapsed ? rl_median(b->elapsed, b->nelapsed) : NAN;
	he = h->nelapsed ? rl_median(h->elapsed, h->nelapsed) : NAN;
	cell->base_elapsed_s = be;
	cell->head_elapsed_s = he;
	cell->wall_speedup = he > 0.0 ? be / he : NAN;
	cell->verdict = cell->iops.verdict;
	if (b->verify_failed || h->verify_failed)
		cell->verdict = RL_VERDICT_CORRUPT;
	return 0;
}
