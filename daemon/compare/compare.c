/* SPDX-License-Identifier: MIT */
/*
 * The comparison engine: pair cells by (workload, jobs), refuse to pair a
 * workload whose parameters differ, pool repetitions over the runs of a side
 * and judge each pair. All numbers the formatters show are computed here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "compare.h"
#include "util/cleanup.h"

/* A (workload, jobs) key; the name points into a run's cell, which outlives the call. */
struct cmp_key {
	const char *workload;
	uint32_t jobs;
	size_t order;		/* where the workload first appears in the base */
};

struct key_set {
	struct cmp_key *v;
	size_t n, cap;
};

/* Per-side scratch for one cell's repetitions. */
struct side_values {
	double *iops, *p99, *elapsed;
	size_t niops, np99, nelapsed;
	uint32_t reps, verify_failed;
	uint64_t eagain, attempts;
};

/* Workload keys that do not change what is measured, or that pairing itself handles. */
static const char *const ignored_keys[] = {
	"name", "description", "repetitions", "expect", "jobs", NULL
};

const enum rl_verdict rl_cmp_summary_order[RL_CMP_VERDICT_MAX] = {
	RL_VERDICT_CORRUPT, RL_VERDICT_REGRESSED, RL_VERDICT_IMPROVED, RL_VERDICT_UNCHANGED,
	RL_VERDICT_INSUFFICIENT, RL_CMP_INCOMPATIBLE,
};

static const char *const eagain_names[RL_CMP_EAGAIN_MAX] = {
	[RL_CMP_EAGAIN_NA] = "n/a",
	[RL_CMP_EAGAIN_UNCHANGED] = "unchanged",
	[RL_CMP_EAGAIN_CHANGED] = "changed",
};

const char *rl_cmp_verdict_name(enum rl_verdict v)
{
	return v == RL_CMP_INCOMPATIBLE ? "incompatible" : rl_verdict_name(v);
}

const char *rl_cmp_eagain_name(enum rl_cmp_eagain v)
{
	return (unsigned)v < RL_CMP_EAGAIN_MAX ? eagain_names[v] : "unknown";
}

/* ---- keys --------------------------------------------------------------- */

static struct cmp_key *key_find(const struct key_set *ks, const char *workload, uint32_t jobs)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->v[i].jobs == jobs && strcmp(ks->v[i].workload, workload) == 0)
			return &ks->v[i];
	return NULL;
}

static int key_add(struct key_set *ks, const char *workload, uint32_t jobs)
{
	struct cmp_key *v;
	size_t cap;

	if (key_find(ks, workload, jobs))
		return 0;
	if (ks->n == ks->cap) {
		cap = ks->cap ? 2 * ks->cap : 64;
		v = realloc(ks->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ks->v = v;
		ks->cap = cap;
	}
	ks->v[ks->n++] = (struct cmp_key){ .workload = workload, .jobs = jobs };
	return 0;
}

static int collect_keys(const struct rl_run *const *runs, size_t n, struct key_set *ks)
{
	size_t r, i;
	int ret;

	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r]->ncells; i++) {
			ret = key_add(ks, runs[r]->cells[i].workload, runs[r]->cells[i].jobs);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Where workload @name first appears in @ks: orders workloads as the base lists them. */
static size_t workload_rank(const struct key_set *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].workload, name) == 0)
			break;
	return i;
}

static int key_cmp(const void *a, const void *b)
{
	const struct cmp_key *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return (x->jobs > y->jobs) - (x->jobs < y->jobs);
}

static bool key_set_has_workload(const struct key_set *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].workload, name) == 0)
			return true;
	return false;
}

/*
 * "A, B" for the workloads of @ks; with @other given, a workload both sides
 * have gets its JOBS ("A (JOBS 1,2)"), since then the jobs are what differ.
 */
static void list_workloads(const struct key_set *ks, const struct key_set *other,
			   char *buf, size_t len)
{
	size_t i, j, k, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ks->n && used < len; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(ks->v[j].workload, ks->v[i].workload) == 0)
				break;
		if (j < i)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 ks->v[i].workload);
		if (used >= len || !key_set_has_workload(other, ks->v[i].workload))
			continue;
		for (k = i; k < ks->n && used < len; k++) {
			if (strcmp(ks->v[k].workload, ks->v[i].workload))
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%u",
						 k == i ? " (JOBS " : ",", ks->v[k].jobs);
		}
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, ")");
	}
	if (!ks->n)
		snprintf(buf, len, "no cells");
}

static int no_common_cells(const struct key_set *b, const struct key_set *h, struct rl_err *err)
{
	char bl[200], hl[200];

	list_workloads(b, h, bl, sizeof(bl));
	list_workloads(h, b, hl, sizeof(hl));
	return rl_err_set(err, -EINVAL, "no common cells: base has workloads %s; head has %s",
			  bl, hl);
}

/* ---- workload compatibility ---------------------------------------------- */

static bool key_ignored(const char *key)
{
	const char *const *k;

	for (k = ignored_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* The JSON text of @item, into @buf ("8192", "\"WU\""). */
static void item_text(const cJSON *item, char *buf, size_t len)
{
	char *s = item ? cJSON_PrintUnformatted(item) : NULL;

	snprintf(buf, len, "%s", s ? s : "(absent)");
	free(s);
}

/*
 * Compare the parameters of @a (run scale @sa) and @b (scale @sb). Returns 0
 * when equal, 1 with the first differing field and both values, or -ENOMEM.
 * The schema's field table drives it through the JSON form, so a field added
 * to the workload is compared without touching this file.
 */
static int workload_diff(const struct rl_workload *a, double sa, const struct rl_workload *b,
			 double sb, char *field, size_t flen, char *va, char *vb, size_t vlen)
{
	cJSON *ja, *jb, *x;
	int ret = 0;

	if (sa != sb) {
		snprintf(field, flen, "scale");
		snprintf(va, vlen, "%g", sa);
		snprintf(vb, vlen, "%g", sb);
		return 1;
	}
	ja = rl_workload_to_json(a);
	jb = rl_workload_to_json(b);
	if (!ja || !jb) {
		ret = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(x, ja) {
		cJSON *y = cJSON_GetObjectItemCaseSensitive(jb, x->string);

		if (key_ignored(x->string) || (y && cJSON_Compare(x, y, true)))
			continue;
		snprintf(field, flen, "%s", x->string);
		item_text(x, va, vlen);
		item_text(y, vb, vlen);
		ret = 1;
		break;
	}
out:
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return ret;
}

/*
 * The definition of workload @name on one side: the first run that carries
 * it, checked against every other run of the side. Returns 0 (*@ref NULL
 * when no run carries it), 1 with the mismatch in @field/@why, or -ENOMEM.
 */
static int side_reference(const struct rl_run *const *runs, size_t n, const char *name,
			  const char *side, const struct rl_workload **ref, double *scale,
			  char *field, size_t flen, char *why, size_t wlen)
{
	char va[96], vb[96];
	const struct rl_workload *w;
	size_t r;
	int ret;

	*ref = NULL;
	for (r = 0; r < n; r++) {
		w = rl_run_workload(runs[r], name);
		if (!w)
			continue;
		if (!*ref) {
			*ref = w;
			*scale = runs[r]->scale;
			continue;
		}
		ret = workload_diff(*ref, *scale, w, runs[r]->scale, field, flen, va, vb,
				    sizeof(va));
		if (ret == 1)
			snprintf(why, wlen, "%s differs between %s runs: %s vs %s", field, side,
				 va, vb);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Whether workload @name means the same thing on both sides. Returns 0, 1
 * when not (field and reason filled), or -ENOMEM. A side whose runs carry no
 * definition (an imported run) cannot be checked and is taken as it is.
 * *@def is set to a definition found (base first), or NULL.
 */
static int check_compat(const struct rl_run *const *base, size_t nbase,
			const struct rl_run *const *head, size_t nhead, const char *name,
			const struct rl_workload **def, char *field, size_t flen,
			char *why, size_t wlen)
{
	const struct rl_workload *bw = NULL, *hw = NULL;
	double bs = 0, hs = 0;
	char vb[96], vh[96];
	int ret;

	ret = side_reference(base, nbase, name, "base", &bw, &bs, field, flen, why, wlen);
	if (!ret)
		ret = side_reference(head, nhead, name, "head", &hw, &hs, field, flen, why, wlen);
	*def = bw ? bw : hw;
	if (ret || !bw || !hw)
		return ret;
	ret = workload_diff(bw, bs, hw, hs, field, flen, vb, vh, sizeof(vb));
	if (ret == 1)
		snprintf(why, wlen, "%.40s: base %.60s, head %.60s", field, vb, vh);
	return ret;
}

/* ---- one cell ------------------------------------------------------------ */

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

static void gather_side(const struct rl_run *const *runs, size_t n, const char *workload,
			uint32_t jobs, struct side_values *s)
{
	const struct rl_cell *c;
	size_t r, i;

	s->niops = s->np99 = s->nelapsed = 0;
	s->reps = s->verify_failed = 0;
	s->eagain = s->attempts = 0;
	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r]->ncells; i++) {
			c = &runs[r]->cells[i];
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

static void judge_eagain(const struct side_values *b, const struct side_values *h,
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

struct cmp_ctx {
	const struct rl_run *const *base, *const *head;
	size_t nbase, nhead;
	struct side_values b, h;
};

static int fill_cell(struct cmp_ctx *x, const struct cmp_key *k, const struct rl_comparison *c,
		     struct rl_cmp_cell *cell)
{
	uint64_t seed = cell_seed(k->workload, k->jobs);
	double be, he;
	int ret;

	snprintf(cell->workload, sizeof(cell->workload), "%s", k->workload);
	cell->jobs = k->jobs;
	gather_side(x->base, x->nbase, k->workload, k->jobs, &x->b);
	gather_side(x->head, x->nhead, k->workload, k->jobs, &x->h);
	cell->base_reps = x->b.reps;
	cell->head_reps = x->h.reps;
	cell->base_verify_failed = x->b.verify_failed;
	cell->head_verify_failed = x->h.verify_failed;
	ret = judge_ratio(x->b.iops, x->b.niops, x->h.iops, x->h.niops, seed, true, c,
			  &cell->iops);
	if (!ret)
		ret = judge_ratio(x->b.p99, x->b.np99, x->h.p99, x->h.np99,
				  seed ^ 0x7039390000000000ull, false, c, &cell->p99);
	if (ret)
		return ret;
	judge_eagain(&x->b, &x->h, c, cell);
	be = x->b.nelapsed ? rl_median(x->b.elapsed, x->b.nelapsed) : NAN;
	he = x->h.nelapsed ? rl_median(x->h.elapsed, x->h.nelapsed) : NAN;
	cell->base_elapsed_s = be;
	cell->head_elapsed_s = he;
	cell->wall_speedup = he > 0.0 ? be / he : NAN;
	cell->verdict = cell->iops.verdict;
	if (x->b.verify_failed || x->h.verify_failed)
		cell->verdict = RL_VERDICT_CORRUPT;
	return 0;
}

/* ---- assembling ---------------------------------------------------------- */

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

/* What a group's cells share: the workload's compatibility and whether it is NOWAIT. */
struct group_state {
	bool incompatible, nowait;
	char field[RL_NAME_MAX];
	char why[RL_CMP_WHY_MAX];
};

/* Start a group for @k's workload and check the workload's compatibility once. */
static int open_group(struct cmp_ctx *x, struct rl_comparison *c, const struct cmp_key *k,
		      struct rl_cmp_group *g, struct group_state *st)
{
	const struct rl_workload *def;
	int ret;

	memset(g, 0, sizeof(*g));
	memset(st, 0, sizeof(*st));
	snprintf(g->workload, sizeof(g->workload), "%s", k->workload);
	g->first = c->ncells;
	ret = check_compat(x->base, x->nbase, x->head, x->nhead, k->workload, &def,
			   st->field, sizeof(st->field), st->why, sizeof(st->why));
	if (ret < 0)
		return ret;
	st->incompatible = ret == 1;
	if (def)
		snprintf(g->description, sizeof(g->description), "%s", def->description);
	/* Without a definition any first attempt may have been NOWAIT (as result.c). */
	st->nowait = !def || def->nowait;
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

static int build_cells(struct cmp_ctx *x, struct rl_comparison *c, const struct key_set *common)
{
	struct rl_cmp_group *g = NULL;
	struct group_state st;
	struct rl_cmp_cell *cell;
	size_t i;
	int ret;

	for (i = 0; i < common->n; i++) {
		const struct cmp_key *k = &common->v[i];

		if (!g || strcmp(g->workload, k->workload) != 0) {
			if (g)
				group_reps(g, c->cells);
			g = &c->groups[c->ngroups++];
			ret = open_group(x, c, k, g, &st);
			if (ret < 0)
				return ret;
		}
		cell = &c->cells[c->ncells++];
		cell->nowait = st.nowait;
		ret = fill_cell(x, k, c, cell);
		if (ret < 0)
			return ret;
		if (st.incompatible)
			mark_incompatible(cell, &st);
		g->ncells++;
		summary_add(&g->summary, cell->verdict);
		summary_add(&c->total, cell->verdict);
	}
	if (g)
		group_reps(g, c->cells);
	return 0;
}

static void describe_run(const struct rl_run *run, struct rl_cmp_run_desc *d)
{
	snprintf(d->suite, sizeof(d->suite), "%s", run->suite);
	snprintf(d->label, sizeof(d->label), "%s", run->env.label);
	snprintf(d->kernel_release, sizeof(d->kernel_release), "%s", run->env.kernel_release);
	snprintf(d->kernel_tag, sizeof(d->kernel_tag), "%s", run->env.kernel_tag);
	snprintf(d->hostname, sizeof(d->hostname), "%s", run->env.hostname);
	d->started_ns = run->started_ns;
	d->scale = run->scale;
	d->ncells = run->ncells;
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

/* Keys of @from missing in @other, appended to c->unpaired. */
static void add_unpaired(struct rl_comparison *c, const struct key_set *from,
			 const struct key_set *other, bool in_base)
{
	struct rl_cmp_unpaired *u;
	size_t i;

	for (i = 0; i < from->n; i++) {
		if (key_find(other, from->v[i].workload, from->v[i].jobs))
			continue;
		u = &c->unpaired[c->nunpaired++];
		snprintf(u->workload, sizeof(u->workload), "%s", from->v[i].workload);
		u->jobs = from->v[i].jobs;
		u->in_base = in_base;
	}
}

/* The keys of @b also in @h, ordered by the base's workload order, then jobs. */
static int common_keys(const struct key_set *b, const struct key_set *h, struct key_set *out)
{
	size_t i;
	int ret;

	for (i = 0; i < b->n; i++) {
		if (!key_find(h, b->v[i].workload, b->v[i].jobs))
			continue;
		ret = key_add(out, b->v[i].workload, b->v[i].jobs);
		if (ret < 0)
			return ret;
		out->v[out->n - 1].order = workload_rank(b, b->v[i].workload);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), key_cmp);
	return 0;
}

static size_t side_cells(const struct rl_run *const *runs, size_t n)
{
	size_t r, total = 0;

	for (r = 0; r < n; r++)
		total += runs[r]->ncells;
	return total ? total : 1;
}

static int alloc_values(struct side_values *s, size_t n)
{
	s->iops = calloc(3 * n, sizeof(double));
	if (!s->iops)
		return -ENOMEM;
	s->p99 = s->iops + n;
	s->elapsed = s->p99 + n;
	return 0;
}

static int check_args(const struct rl_run *const *base, size_t nbase,
		      const struct rl_run *const *head, size_t nhead, double threshold,
		      struct rl_err *err)
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
	return 0;
}

static void init_comparison(struct rl_comparison *c, double threshold)
{
	memset(c, 0, sizeof(*c));
	c->threshold = threshold;
	c->iterations = RL_CMP_ITERATIONS;
	c->confidence = RL_CMP_CONFIDENCE;
	c->min_reps = RL_CMP_MIN_REPS;
	c->eagain_alpha = RL_CMP_EAGAIN_ALPHA;
}

static int compare(struct cmp_ctx *x, struct rl_comparison *c, struct rl_err *err)
{
	struct key_set bk = { 0 }, hk = { 0 }, common = { 0 };
	int ret;

	ret = collect_keys(x->base, x->nbase, &bk);
	if (!ret)
		ret = collect_keys(x->head, x->nhead, &hk);
	if (!ret)
		ret = common_keys(&bk, &hk, &common);
	if (ret)
		goto out;
	if (!common.n) {
		ret = no_common_cells(&bk, &hk, err);
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
	add_unpaired(c, &bk, &hk, true);
	add_unpaired(c, &hk, &bk, false);
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
	struct cmp_ctx x = { .base = base, .head = head, .nbase = nbase, .nhead = nhead };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_args(base, nbase, head, nhead, threshold, err);
	if (ret)
		return ret;
	init_comparison(out, threshold);
	ret = alloc_values(&x.b, side_cells(base, nbase));
	if (!ret)
		ret = alloc_values(&x.h, side_cells(head, nhead));
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
	ret = compare(&x, out, err);
out:
	free(x.b.iops);
	free(x.h.iops);
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

bool rl_comparison_gate(const struct rl_comparison *c)
{
	return c->total.count[RL_VERDICT_REGRESSED] || c->total.count[RL_VERDICT_CORRUPT];
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
