/* SPDX-License-Identifier: MIT */
/*
 * One cell's numbers: pool each side's repetitions of a (workload, jobs),
 * then the IOPS and p99 ratios of medians with bootstrap intervals and
 * verdicts, the EAGAIN verdict from the repetitions' rates (never from
 * writes counted as independent trials: refusals cluster by repetition) and
 * the wall-time speedup.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause_change.h"
#include "cell_stats.h"
#include "engine/verify_found.h"

/* ---- a side's repetitions ------------------------------------------------ */

static size_t side_cells(const struct rl_run *const *runs, size_t n)
{
	size_t r, total = 0;

	for (r = 0; r < n; r++)
		total += runs[r]->ncells;
	return total;
}

struct placed {
	const struct rl_cell *c;
	size_t at;		/* its place in the runs' order */
};

static int cmp_key(const char *wa, uint32_t ja, const char *wb, uint32_t jb)
{
	int d = strcmp(wa, wb);

	return d ? d : (ja > jb) - (ja < jb);
}

/* By key, then by place: the sort keeps the runs' order within a key, as a scan would meet them. */
static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int d = cmp_key(x->c->workload, x->c->jobs, y->c->workload, y->c->jobs);

	return d ? d : (x->at > y->at) - (x->at < y->at);
}

/* @s->by_key: every cell of the side, sorted by key. Returns 0 or -ENOMEM. */
static int index_side(struct rl_cmp_side *s)
{
	struct placed *p = malloc((s->ncells ? s->ncells : 1) * sizeof(*p));
	size_t r, i, k = 0;

	s->by_key = malloc((s->ncells ? s->ncells : 1) * sizeof(*s->by_key));
	if (!p || !s->by_key) {
		free(p);
		return -ENOMEM;
	}
	for (r = 0; r < s->nruns; r++)
		for (i = 0; i < s->runs[r]->ncells; i++, k++)
			p[k] = (struct placed){ &s->runs[r]->cells[i], k };
	qsort(p, s->ncells, sizeof(*p), cmp_placed);
	for (k = 0; k < s->ncells; k++)
		s->by_key[k] = p[k].c;
	free(p);
	return 0;
}

int rl_cmp_side_scratch(struct rl_cmp_side *s)
{
	size_t room = s->ncells ? s->ncells : 1;

	s->iops = calloc(4 * room, sizeof(double));
	if (!s->iops) {
		s->p99 = s->elapsed = s->rates = NULL;
		return -ENOMEM;
	}
	s->p99 = s->iops + room;
	s->elapsed = s->p99 + room;
	s->rates = s->elapsed + room;
	return 0;
}

void rl_cmp_side_scratch_free(struct rl_cmp_side *s)
{
	free(s->iops);
	s->iops = s->p99 = s->elapsed = s->rates = NULL;
}

int rl_cmp_side_init(struct rl_cmp_side *s, const struct rl_run *const *runs, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->runs = runs;
	s->nruns = n;
	s->ncells = side_cells(runs, n);
	if (rl_cmp_side_scratch(s) < 0 || index_side(s) < 0) {
		rl_cmp_side_free(s);
		return -ENOMEM;
	}
	return 0;
}

void rl_cmp_side_free(struct rl_cmp_side *s)
{
	rl_cmp_side_scratch_free(s);
	free(s->by_key);
	s->by_key = NULL;
}

/* @s->key_cells: the side's cells of (@workload, @jobs), found by bisection. */
static void find_key(struct rl_cmp_side *s, const char *workload, uint32_t jobs)
{
	size_t lo = 0, hi = s->ncells, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_key(s->by_key[mid]->workload, s->by_key[mid]->jobs, workload, jobs) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->ncells && !cmp_key(s->by_key[end]->workload,
						      s->by_key[end]->jobs, workload, jobs); end++)
		;
	s->key_cells = s->by_key + lo;
	s->nkey_cells = end - lo;
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

	find_key(s, workload, jobs);
	s->niops = s->np99 = s->nelapsed = s->nrates = 0;
	s->reps = s->measured = s->verify_failed = 0;
	s->eagain = s->attempts = 0;
	memset(s->found_blocks, 0, sizeof(s->found_blocks));
	for (size_t i = 0; i < s->nkey_cells; i++) {
		c = s->key_cells[i];
		s->reps++;
		s->verify_failed += c->verify.status == RL_VERIFY_FAILED;
		for (int k = 0; k < RL_FOUND_MAX; k++)
			s->found_blocks[k] += c->verify.found_blocks.n[k];
		s->eagain += c->eagain;
		s->attempts += c->attempts;
		/* Each repetition is one value: its refusals are not independent. */
		if (c->attempts && c->eagain <= c->attempts)
			s->rates[s->nrates++] = (double)c->eagain / (double)c->attempts;
		if (!cell_measured(c))
			continue;
		s->measured++;
		/* Nothing completed: no IOPS, no latency (not "0 IOPS"). */
		if (!rl_cell_completed(c))
			continue;
		push_value(s->iops, &s->niops, c->iops);
		push_value(s->p99, &s->np99, (double)c->lat.p99);
		push_value(s->elapsed, &s->nelapsed, c->elapsed_s);
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
	/* Values are finite and >= 0: only a base median of 0 is left, which no completed cell has. */
	out->ci.base_median = rl_median(b, nb);
	out->ci.head_median = rl_median(h, nh);
	return 0;
}

/* A change of a timing-dependent rate must clear its spread (either side's) this many times. */
static double eagain_margin(const struct rl_cmp_cell *cell, const struct rl_comparison *c)
{
	double spread = fmax(cell->eagain.base.max - cell->eagain.base.min,
			     cell->eagain.head.max - cell->eagain.head.min) * 100.0;

	if (!cell->timing_dependent)
		return c->eagain_min_pp;
	return fmax(c->eagain_min_pp, c->timing_factor * spread);
}

static enum rl_cmp_eagain eagain_verdict(const struct rl_cmp_cell *cell,
					 const struct rl_comparison *c)
{
	bool clears = rl_rate_clears(&cell->eagain, eagain_margin(cell, c));

	/* Repetitions that disagree have no rate: what they pool into means nothing. */
	if (cell->base_unstable || cell->head_unstable)
		return RL_CMP_EAGAIN_UNSTABLE;
	if (cell->eagain.base.n < c->min_reps || cell->eagain.head.n < c->min_reps)
		return RL_CMP_EAGAIN_INSUFFICIENT;
	if (clears)
		return RL_CMP_EAGAIN_CHANGED;
	return cell->timing_dependent ? RL_CMP_EAGAIN_TIMING : RL_CMP_EAGAIN_UNCHANGED;
}

static void judge_eagain(const struct rl_cmp_side *b, const struct rl_cmp_side *h,
			 uint64_t seed, const struct rl_comparison *c, struct rl_cmp_cell *cell)
{
	cell->base_eagain = b->eagain;
	cell->base_attempts = b->attempts;
	cell->head_eagain = h->eagain;
	cell->head_attempts = h->attempts;
	cell->eagain_verdict = RL_CMP_EAGAIN_NA;
	if (!cell->nowait || !b->nrates || !h->nrates)
		return;
	if (rl_rate_diff(b->rates, b->nrates, h->rates, h->nrates, c->iterations,
			 1.0 - c->eagain_alpha, seed, &cell->eagain) < 0)
		return;	/* out of memory: nothing to say about EAGAIN */
	cell->base_unstable = rl_rate_unstable(&cell->eagain.base);
	cell->head_unstable = rl_rate_unstable(&cell->eagain.head);
	cell->eagain_verdict = eagain_verdict(cell, c);
}

/* The cell's one verdict, by what matters most (see struct rl_cmp_cell). */
static enum rl_verdict cell_verdict(const struct rl_cmp_cell *cell)
{
	enum rl_verdict iops = cell->iops.verdict;

	if (!cell->iops_na && iops == RL_VERDICT_REGRESSED)
		return iops;
	if (cell->eagain_verdict == RL_CMP_EAGAIN_CHANGED)
		return RL_VERDICT_EAGAIN;
	if (!cell->iops_na && iops == RL_VERDICT_IMPROVED)
		return iops;
	if (cell->eagain_verdict == RL_CMP_EAGAIN_UNSTABLE)
		return RL_VERDICT_UNSTABLE;
	if (!cell->iops_na)
		return iops;
	/* Nothing completed on a side: judged on EAGAIN alone. */
	if (cell->eagain_verdict == RL_CMP_EAGAIN_UNCHANGED ||
	    cell->eagain_verdict == RL_CMP_EAGAIN_TIMING)
		return RL_VERDICT_UNCHANGED;
	return RL_VERDICT_INSUFFICIENT;
}

/* What "corrupt" means: "head: 64 blocks hold data of NOWAIT writes that returned -EAGAIN". */
static void found_note(const struct rl_cmp_side *b, const struct rl_cmp_side *h,
		       struct rl_cmp_cell *cell)
{
	char bs[RL_CMP_WHY_MAX], hs[RL_CMP_WHY_MAX];

	rl_found_summary(b->found_blocks, bs, sizeof(bs));
	rl_found_summary(h->found_blocks, hs, sizeof(hs));
	snprintf(cell->verify_found, sizeof(cell->verify_found), "%s%s%s%s%s", *bs ? "base: " : "",
		 bs, *bs && *hs ? "; " : "", *hs ? "head: " : "", hs);
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
	cell->iops_na = (b->measured && !b->niops) || (h->measured && !h->niops);
	judge_eagain(b, h, seed ^ 0xea6a140000000000ull, c, cell);
	rl_cmp_cause_change(b->key_cells, b->nkey_cells, h->key_cells, h->nkey_cells,
			    cell->eagain_cause, sizeof(cell->eagain_cause));
	be = b->nelapsed ? rl_median(b->elapsed, b->nelapsed) : NAN;
	he = h->nelapsed ? rl_median(h->elapsed, h->nelapsed) : NAN;
	cell->base_elapsed_s = be;
	cell->head_elapsed_s = he;
	cell->wall_speedup = he > 0.0 ? be / he : NAN;
	cell->verdict = cell_verdict(cell);
	if (b->verify_failed || h->verify_failed)
		cell->verdict = RL_VERDICT_CORRUPT;
	found_note(b, h, cell);
	return 0;
}
