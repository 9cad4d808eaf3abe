/* SPDX-License-Identifier: MIT */
/*
 * The comparison engine: pair cells by (workload, jobs) (pairing.c), judge
 * each pair (cell_stats.c), and assemble the result here: cells grouped by
 * workload, the summaries, the runs of each side, the gate. All numbers the
 * formatters show are computed in these three files.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "cell_stats.h"
#include "cells_fill.h"
#include "engine/env.h"
#include "hosts.h"
#include "machine.h"
#include "pairing.h"
#include "util/time_fmt.h"

const enum rl_verdict rl_cmp_summary_order[RL_CMP_VERDICT_MAX] = {
	RL_VERDICT_CORRUPT, RL_VERDICT_REGRESSED, RL_VERDICT_EAGAIN, RL_VERDICT_IMPROVED,
	RL_VERDICT_UNSTABLE, RL_VERDICT_UNCHANGED, RL_VERDICT_INSUFFICIENT, RL_CMP_INCOMPATIBLE,
};

/* In the order of enum rl_cmp_eagain and enum rl_cmp_gate. */
static const char *const eagain_names[] = {
	"n/a", "unchanged", "changed", "insufficient", "unstable", "timing-dependent",
};
static const char *const gate_names[] = { "both", "iops", "eagain" };

_Static_assert(sizeof(eagain_names) / sizeof(eagain_names[0]) == RL_CMP_EAGAIN_MAX,
	       "an EAGAIN verdict without a name");
_Static_assert(sizeof(gate_names) / sizeof(gate_names[0]) == RL_CMP_GATE_MAX,
	       "a gate without a name");

const char *rl_cmp_gate_name(enum rl_cmp_gate g)
{
	return (unsigned)g < RL_CMP_GATE_MAX ? gate_names[g] : "unknown";
}

int rl_cmp_gate_parse(const char *name)
{
	for (int g = 0; name && g < RL_CMP_GATE_MAX; g++)
		if (!strcmp(name, gate_names[g]))
			return g;
	return -1;
}

const char *rl_cmp_verdict_name(enum rl_verdict v)
{
	return v == RL_CMP_INCOMPATIBLE ? "incompatible" : rl_verdict_name(v);
}

const char *rl_cmp_eagain_name(enum rl_cmp_eagain v)
{
	return (unsigned)v < RL_CMP_EAGAIN_MAX ? eagain_names[v] : "unknown";
}

/* ---- assembling ---------------------------------------------------------- */

/* The two sides of a comparison being made. */
struct cmp_ctx {
	struct rl_cmp_side b, h;
};

static void summary_add(struct rl_cmp_summary *s, enum rl_verdict v)
{
	s->count[v]++;
	s->cells++;
}

static void group_reps(struct rl_cmp_group *g, const struct rl_cmp_cell *cells)
{
	const struct rl_cmp_cell *cell;
	size_t i;

	g->reps_min = UINT32_MAX;
	g->reps_max = 0;
	for (i = 0; i < g->ncells; i++) {
		cell = &cells[g->first + i];
		if (cell->iops.ci.n_base < g->reps_min)
			g->reps_min = cell->iops.ci.n_base;
		if (cell->iops.ci.n_head < g->reps_min)
			g->reps_min = cell->iops.ci.n_head;
		if (cell->iops.ci.n_base > g->reps_max)
			g->reps_max = cell->iops.ci.n_base;
		if (cell->iops.ci.n_head > g->reps_max)
			g->reps_max = cell->iops.ci.n_head;
	}
}

/* What a group's cells share: the workload's compatibility, NOWAIT and EAGAIN policy. */
struct group_state {
	bool incompatible, nowait, timing;
	char field[RL_NAME_MAX];
	char why[RL_CMP_WHY_MAX];
};

/* Start a group for @k's workload and check the workload's compatibility once. */
static int open_group(struct cmp_ctx *x, struct rl_comparison *c, const struct rl_cmp_key *k,
		      struct rl_cmp_group *g, struct group_state *st)
{
	const struct rl_workload *def;
	int ret;

	memset(g, 0, sizeof(*g));
	memset(st, 0, sizeof(*st));
	snprintf(g->workload, sizeof(g->workload), "%s", k->workload);
	g->first = c->ncells;
	ret = rl_cmp_check_compat(x->b.runs, x->b.nruns, x->h.runs, x->h.nruns, k->workload, &def,
				  st->field, sizeof(st->field), st->why, sizeof(st->why));
	if (ret < 0)
		return ret;
	st->incompatible = ret == 1;
	/* Another machine makes every cell incompatible; the workload's reason goes first. */
	if (!st->incompatible && c->cross_host && !c->cross_host_allowed) {
		st->incompatible = true;
		snprintf(st->field, sizeof(st->field), "host");
		snprintf(st->why, sizeof(st->why), "host: %.240s", c->host_note);
	}
	if (def)
		snprintf(g->description, sizeof(g->description), "%s", def->description);
	/* Without a definition any first attempt may have been NOWAIT (as result.c). */
	st->nowait = !def || def->nowait;
	/* A retried NOWAIT write's first attempt fails or not by timing (a new tick, a lock). */
	st->timing = def && def->nowait && def->eagain_policy == RL_EAGAIN_RETRY_BLOCKING;
	return 0;
}

/* A failed verification is reported whatever else is wrong with the pair. */
static void mark_incompatible(struct rl_cmp_cell *cell, const struct group_state *st)
{
	cell->incompatible = true;
	if (cell->verdict != RL_VERDICT_CORRUPT)
		cell->verdict = RL_CMP_INCOMPATIBLE;
	snprintf(cell->incompatible_field, sizeof(cell->incompatible_field), "%s", st->field);
	snprintf(cell->why, sizeof(cell->why), "%s", st->why);
}

/* The groups, in @common's order, and each cell's flags from its group; @st: one per group. */
static int open_groups(struct cmp_ctx *x, struct rl_comparison *c,
		       const struct rl_cmp_keys *common, struct group_state *st)
{
	struct rl_cmp_group *g = NULL;
	struct rl_cmp_cell *cell;
	int ret;

	for (size_t i = 0; i < common->n; i++) {
		const struct rl_cmp_key *k = &common->v[i];

		if (!g || strcmp(g->workload, k->workload) != 0) {
			g = &c->groups[c->ngroups];
			ret = open_group(x, c, k, g, &st[c->ngroups++]);
			if (ret < 0)
				return ret;
		}
		cell = &c->cells[c->ncells++];
		cell->nowait = st[c->ngroups - 1].nowait;
		cell->timing_dependent = st[c->ngroups - 1].timing;
		g->ncells++;
	}
	return 0;
}

/*
 * Open the groups (a workload's compatibility is checked once), fill every
 * cell (cells_fill.c: the bootstrap, on several threads), then mark and
 * count each group's cells.
 */
static int build_cells(struct cmp_ctx *x, struct rl_comparison *c,
		       const struct rl_cmp_keys *common)
{
	struct group_state *st = calloc(common->n, sizeof(*st));
	struct rl_cmp_group *g;
	struct rl_cmp_cell *cell;
	int ret;

	if (!st)
		return -ENOMEM;
	ret = open_groups(x, c, common, st);
	if (!ret)
		ret = rl_cmp_cells_fill(&x->b, &x->h, common, c, c->cells);
	for (size_t gi = 0; !ret && gi < c->ngroups; gi++) {
		g = &c->groups[gi];
		for (size_t i = 0; i < g->ncells; i++) {
			cell = &c->cells[g->first + i];
			if (st[gi].incompatible)
				mark_incompatible(cell, &st[gi]);
			summary_add(&g->summary, cell->verdict);
			summary_add(&c->total, cell->verdict);
		}
		group_reps(g, c->cells);
	}
	free(st);
	return ret;
}

static void describe_run(const struct rl_run *run, struct rl_cmp_run_desc *d)
{
	struct rl_host_id h;

	snprintf(d->suite, sizeof(d->suite), "%s", run->suite);
	snprintf(d->label, sizeof(d->label), "%s", run->env.label);
	snprintf(d->kernel_release, sizeof(d->kernel_release), "%s", run->env.kernel_release);
	snprintf(d->kernel_tag, sizeof(d->kernel_tag), "%s", run->env.kernel_tag);
	snprintf(d->hostname, sizeof(d->hostname), "%s", run->env.hostname);
	rl_env_host_id(&run->env, &h);
	snprintf(d->host, sizeof(d->host), "%s", h.host);
	snprintf(d->machine_id, sizeof(d->machine_id), "%s", h.machine_id);
	d->started_ns = run->started_ns;
	d->scale = run->scale;
	d->ncells = run->ncells;
	if (run->env.vm.valid) {
		snprintf(d->accel, sizeof(d->accel), "%s", run->env.vm.accel);
		snprintf(d->tcg_thread, sizeof(d->tcg_thread), "%s", run->env.vm.tcg_thread);
	}
	d->cpus = run->env.cpus;
	d->status = run->status;
	snprintf(d->error, sizeof(d->error), "%s", run->error);
}

static int describe_side(const struct rl_run *const *runs, size_t n,
			 struct rl_cmp_run_desc **out)
{
	size_t i;

	*out = calloc(n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		describe_run(runs[i], &(*out)[i]);
	return 0;
}

static int check_args(const struct rl_run *const *base, size_t nbase,
		      const struct rl_run *const *head, size_t nhead, double threshold,
		      enum rl_cmp_gate gate, struct rl_err *err)
{
	size_t i;

	if (!base || !nbase)
		return rl_err_set(err, -EINVAL, "base: no runs to compare");
	if (!head || !nhead)
		return rl_err_set(err, -EINVAL, "head: no runs to compare");
	for (i = 0; i < nbase; i++)
		if (!base[i])
			return rl_err_set(err, -EINVAL, "base: run %zu is missing", i + 1);
	for (i = 0; i < nhead; i++)
		if (!head[i])
			return rl_err_set(err, -EINVAL, "head: run %zu is missing", i + 1);
	if (!(threshold >= 0.0 && threshold < 1.0))
		return rl_err_set(err, -EINVAL,
				  "threshold %g: must be a fraction in [0, 1) (0.05 for 5%%)",
				  threshold);
	if ((unsigned)gate >= RL_CMP_GATE_MAX)
		return rl_err_set(err, -EINVAL, "gate %d: must be iops, eagain or both", (int)gate);
	return 0;
}

/* Equal, or both NaN (the IOPS of a cell that completed nothing). */
static bool same_value(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Whether @a and @b hold the same cells, in the same order: counts, time and IOPS. */
static bool same_cells(const struct rl_run *a, const struct rl_run *b)
{
	if (a->ncells != b->ncells)
		return false;
	for (size_t k = 0; k < a->ncells; k++) {
		const struct rl_cell *x = &a->cells[k], *y = &b->cells[k];

		if (strcmp(x->workload, y->workload) || x->jobs != y->jobs || x->rep != y->rep ||
		    x->attempts != y->attempts || x->ops != y->ops || x->eagain != y->eagain ||
		    x->elapsed_s != y->elapsed_s || !same_value(x->iops, y->iops))
			return false;
	}
	return true;
}

/*
 * One run pooled twice on a side (named twice, imported twice, a file and
 * its copy) would count each repetition twice and narrow the intervals with
 * samples that were never taken. One measurement is one start (to the
 * nanosecond) of one suite on one machine with the same cells; a run not
 * started has no identity. Returns 0, or -EINVAL naming the two.
 */
static int pooled_twice(const char *side, const struct rl_run *const *runs,
			const struct rl_cmp_run_desc *d, size_t n, struct rl_err *err)
{
	char when[64];

	for (size_t j = 1; j < n; j++)
		for (size_t i = 0; i < j; i++) {
			if (!d[j].started_ns || d[i].started_ns != d[j].started_ns ||
			    strcmp(d[i].host, d[j].host) || strcmp(d[i].machine_id, d[j].machine_id) ||
			    strcmp(d[i].suite, d[j].suite) || !same_cells(runs[i], runs[j]))
				continue;
			if (rl_time_iso(d[j].started_ns, when, sizeof(when)) < 0)
				snprintf(when, sizeof(when), "%lld ns", (long long)d[j].started_ns);
			return rl_err_set(err, -EINVAL,
					  "%s: runs %zu and %zu are one run (%s started %s on %s): "
					  "pooled, its repetitions would count twice",
					  side, i + 1, j + 1, d[j].suite, when,
					  d[j].host[0] ? d[j].host : "an unnamed host");
		}
	return 0;
}

static void init_comparison(struct rl_comparison *c, double threshold, enum rl_cmp_gate gate)
{
	memset(c, 0, sizeof(*c));
	c->threshold = threshold;
	c->gate = gate;
	c->eagain_min_pp = RL_CMP_EAGAIN_MIN_PP;
	c->timing_factor = RL_CMP_TIMING_FACTOR;
	c->iterations = RL_CMP_ITERATIONS;
	c->confidence = RL_CMP_CONFIDENCE;
	c->min_reps = RL_CMP_MIN_REPS;
	c->eagain_alpha = RL_CMP_EAGAIN_ALPHA;
}

static int compare(struct cmp_ctx *x, struct rl_comparison *c, struct rl_err *err)
{
	struct rl_cmp_keys bk = { 0 }, hk = { 0 }, common = { 0 };
	int ret;

	ret = rl_cmp_keys_collect(x->b.runs, x->b.nruns, &bk);
	if (!ret)
		ret = rl_cmp_keys_collect(x->h.runs, x->h.nruns, &hk);
	if (!ret)
		ret = rl_cmp_keys_common(&bk, &hk, &common);
	if (ret)
		goto out;
	if (!common.n) {
		ret = rl_cmp_no_common_cells(&bk, &hk, err);
		goto out;
	}
	ret = -ENOMEM;
	c->cells = calloc(common.n, sizeof(*c->cells));
	c->groups = calloc(common.n, sizeof(*c->groups));
	c->unpaired = calloc(bk.n + hk.n, sizeof(*c->unpaired));
	if (!c->cells || !c->groups || !c->unpaired)
		goto out;
	ret = build_cells(x, c, &common);
	if (ret)
		goto out;
	rl_cmp_add_unpaired(c, &bk, &hk, true);
	rl_cmp_add_unpaired(c, &hk, &bk, false);
out:
	free(bk.v);
	free(hk.v);
	free(common.v);
	if (ret == -ENOMEM)
		rl_err_set(err, ret, "compare: out of memory");
	return ret;
}

int rl_compare_runs(const struct rl_run *const *base, size_t nbase,
		    const struct rl_run *const *head, size_t nhead,
		    const struct rl_compare_opts *opts, struct rl_comparison *out,
		    struct rl_err *err)
{
	double threshold = opts ? opts->threshold : RL_CMP_THRESHOLD_DEFAULT;
	enum rl_cmp_gate gate = opts ? opts->gate : RL_CMP_GATE_BOTH;
	struct cmp_ctx x = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_args(base, nbase, head, nhead, threshold, gate, err);
	if (ret)
		return ret;
	init_comparison(out, threshold, gate);
	ret = rl_cmp_side_init(&x.b, base, nbase);
	if (!ret)
		ret = rl_cmp_side_init(&x.h, head, nhead);
	if (!ret)
		ret = describe_side(base, nbase, &out->base_runs);
	if (!ret)
		ret = describe_side(head, nhead, &out->head_runs);
	if (ret) {
		rl_err_set(err, ret, "compare: out of memory");
		goto out;
	}
	out->nbase = nbase;
	out->nhead = nhead;
	ret = pooled_twice("base", base, out->base_runs, nbase, err);
	if (!ret)
		ret = pooled_twice("head", head, out->head_runs, nhead, err);
	if (ret)
		goto out;
	rl_cmp_machine_note(out);
	rl_cmp_host_check(out);
	out->cross_host_allowed = opts && opts->cross_host;
	ret = compare(&x, out, err);
out:
	rl_cmp_side_free(&x.b);
	rl_cmp_side_free(&x.h);
	if (ret)
		rl_comparison_free(out);
	return ret;
}

void rl_comparison_free(struct rl_comparison *c)
{
	if (!c)
		return;
	free(c->base_runs);
	free(c->head_runs);
	free(c->cells);
	free(c->groups);
	free(c->unpaired);
	memset(c, 0, sizeof(*c));
}

/*
 * A cell's verdict names only its first finding (regressed outranks
 * eagain-changed), so the gate looks at each cell's own IOPS and EAGAIN
 * verdicts: --gate eagain must fail on a cell that also regressed.
 */
bool rl_comparison_gate(const struct rl_comparison *c)
{
	bool iops = c->gate != RL_CMP_GATE_EAGAIN, eagain = c->gate != RL_CMP_GATE_IOPS;
	const struct rl_cmp_cell *cell;

	if (c->total.count[RL_VERDICT_CORRUPT])
		return true;
	for (size_t i = 0; i < c->ncells; i++) {
		cell = &c->cells[i];
		if (cell->incompatible)
			continue;
		if (iops && cell->iops.verdict == RL_VERDICT_REGRESSED && !cell->iops_na)
			return true;
		if (eagain && cell->eagain_verdict == RL_CMP_EAGAIN_CHANGED)
			return true;
	}
	return false;
}

size_t rl_comparison_comparable(const struct rl_comparison *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->ncells; i++)
		n += !c->cells[i].incompatible;
	return n;
}

const struct rl_cmp_group *rl_comparison_group(const struct rl_comparison *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i].workload, name) == 0)
			return &c->groups[i];
	return NULL;
}

char *rl_cmp_summary_line(const struct rl_cmp_summary *s, char *buf, size_t len)
{
	size_t used = 0;
	enum rl_verdict v;
	int k;

	buf[0] = '\0';
	for (k = 0; k < RL_CMP_VERDICT_MAX && used < len; k++) {
		v = rl_cmp_summary_order[k];
		if (!s->count[v])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%u %s", used ? ", " : "",
					 s->count[v], rl_cmp_verdict_name(v));
	}
	if (!used)
		snprintf(buf, len, "no cells");
	return buf;
}
