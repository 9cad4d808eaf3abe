/* SPDX-License-Identifier: MIT */
/* test_compare: verdicts, pairing, incompatibility, EAGAIN verdicts by repetition (changed, unstable, timing-dependent, n/a IOPS, the gate, a self-comparison) and the text/JSON output of the comparison engine, on synthetic runs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "compare/compare_text.h"
#include "engine/result_json.h"
#include "../lib/check.h"

#define REPS_MAX 8

/* Multiplicative noise of about +/-1%: a quiet machine. */
static const double low_noise[REPS_MAX] = { 1.00, 1.01, 0.99, 1.005, 0.995, 1.0, 1.01, 0.99 };

/* What one (workload, jobs) looks like on one side. */
struct cell_spec {
	const char *workload;
	uint32_t jobs, reps;
	double iops;			/* level; each rep gets level * noise */
	double p99_ns;
	uint64_t eagain, attempts;	/* per rep */
	const double *rates;		/* per rep EAGAIN / attempts instead of eagain; or NULL */
	bool refused;			/* every first attempt refused: nothing completed */
	int verify_failed_rep;		/* 1-based rep whose verification failed; 0 none */
};

static void run_init(struct rl_run *run, const char *label)
{
	memset(run, 0, sizeof(*run));
	snprintf(run->suite, sizeof(run->suite), "seed");
	snprintf(run->env.label, sizeof(run->env.label), "%s", label);
	snprintf(run->env.kernel_release, sizeof(run->env.kernel_release), "6.18.0-test");
	snprintf(run->env.kernel_tag, sizeof(run->env.kernel_tag), "%s-tag", label);
	run->scale = 1.0;
	run->status = RL_RUN_DONE;
	run->started_ns = 1782462900000000000ll;
}

/* Add workload @name (defaults, 8 KiB I/O over [W][U]) unless the run has it; returns it. */
static struct rl_workload *run_workload(struct rl_run *run, const char *name)
{
	struct rl_workload *w;
	size_t i;

	for (i = 0; i < run->nworkloads; i++)
		if (!strcmp(run->workloads[i].name, name))
			return &run->workloads[i];
	w = realloc(run->workloads, (run->nworkloads + 1) * sizeof(*w));
	if (!w) {
		perror("realloc");
		exit(1);
	}
	run->workloads = w;
	w = &run->workloads[run->nworkloads++];
	rl_workload_defaults(w);
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->description, sizeof(w->description), "synthetic %s", name);
	snprintf(w->stripe, sizeof(w->stripe), "WU");
	w->io_size = 8192;
	return w;
}

/* The workload lists what it ran, as a real run's does: its JOBS values and repetitions. */
static void note_ran(struct rl_workload *w, uint32_t jobs, uint32_t reps)
{
	uint32_t i;

	for (i = 0; i < w->njobs && w->jobs[i] != jobs; i++)
		;
	if (i == w->njobs && w->njobs < RL_JOBS_LIST_MAX)
		w->jobs[w->njobs++] = jobs;
	if (w->repetitions < reps)
		w->repetitions = reps;
}

static void add_cells(struct rl_run *run, const struct cell_spec *s)
{
	struct rl_cell c;
	uint32_t r;

	note_ran(run_workload(run, s->workload), s->jobs, s->reps);
	for (r = 1; r <= s->reps; r++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.workload, sizeof(c.workload), "%s", s->workload);
		c.jobs = s->jobs;
		c.rep = r;
		c.ops = 10000;
		c.attempts = s->attempts;
		c.eagain = s->rates ? (uint64_t)llround(s->rates[r - 1] * (double)s->attempts)
				    : s->eagain;
		c.eagain_rate = c.attempts ? (double)c.eagain / (double)c.attempts : 0;
		c.iops = s->iops * low_noise[(r - 1) % REPS_MAX];
		c.elapsed_s = c.iops > 0 ? (double)c.ops / c.iops : 1.0;
		c.lat.valid = true;
		c.lat.p99 = (uint64_t)(s->p99_ns * low_noise[(r + 2) % REPS_MAX]);
		if (s->refused) {
			/* As ringlab-run-1 files before n/a recorded it: 0 IOPS, a p99 of refusals. */
			c.ops = 0;
			c.iops = 0;
			c.eagain = c.attempts;
		}
		c.verify.status = (int)r == s->verify_failed_rep ? RL_VERIFY_FAILED : RL_VERIFY_OK;
		c.failed = c.verify.status == RL_VERIFY_FAILED;
		if (c.failed)	/* what verify_found.c would say of a refused write's block */
			c.verify.found_blocks.n[RL_FOUND_REFUSED_WRITE] = 32;
		if (rl_run_add_cell(run, &c) < 0) {
			perror("rl_run_add_cell");
			exit(1);
		}
	}
}

/* A run of workloads @a and @b at JOBS 1, 2, 4 with IOPS @level * jobs. */
static void seed_run(struct rl_run *run, const char *label, const char *a, const char *b,
		     uint32_t reps, double level)
{
	static const uint32_t jobs[] = { 1, 2, 4 };
	const char *names[] = { a, b };
	size_t i, j;

	run_init(run, label);
	for (i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		for (j = 0; j < 3; j++) {
			struct cell_spec s = { .workload = names[i], .jobs = jobs[j], .reps = reps,
					       .iops = level * jobs[j], .p99_ns = 100000 };

			add_cells(run, &s);
		}
	}
}

static int compare1(const struct rl_run *b, const struct rl_run *h, double threshold,
		    struct rl_comparison *c, struct rl_err *err)
{
	struct rl_compare_opts o = { .threshold = threshold };

	return rl_compare_runs(&b, 1, &h, 1, &o, c, err);
}

static const struct rl_cmp_cell *find_cell(const struct rl_comparison *c, const char *w,
					   uint32_t jobs)
{
	size_t i;

	for (i = 0; i < c->ncells; i++)
		if (c->cells[i].jobs == jobs && !strcmp(c->cells[i].workload, w))
			return &c->cells[i];
	return NULL;
}

static void expect_all(const struct rl_comparison *c, enum rl_verdict b, const char *what)
{
	size_t i;

	CHECK(c->total.count[b] == c->ncells && c->ncells > 0,
	      "%s: expected every cell %s, got %u of %zu", what, rl_cmp_verdict_name(b),
	      c->total.count[b], c->ncells);
	for (i = 0; i < c->ncells; i++)
		CHECK(c->cells[i].verdict == b, "%s: %s JOBS %u is %s, expected %s", what,
		      c->cells[i].workload, c->cells[i].jobs,
		      rl_cmp_verdict_name(c->cells[i].verdict), rl_cmp_verdict_name(b));
}

static void test_identical(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	char line[128];
	int ret;

	seed_run(&base, "base", "aligned-mixed", "unaligned-middle-unwritten", 3, 40000);
	seed_run(&head, "head", "aligned-mixed", "unaligned-middle-unwritten", 3, 40000);
	ret = compare1(&base, &head, 0.05, &c, &err);
	CHECK(ret == 0, "identical: rl_compare_runs = %d (%s)", ret, err.msg);
	if (ret)
		goto out;
	CHECK(c.ncells == 6 && c.ngroups == 2, "identical: %zu cells in %zu groups, expected 6 in 2",
	      c.ncells, c.ngroups);
	expect_all(&c, RL_VERDICT_UNCHANGED, "identical");
	CHECK(!rl_comparison_gate(&c), "identical: gate is set");
	CHECK(fabs(c.cells[0].iops.ci.ratio - 1.0) < 1e-12, "identical: ratio %g",
	      c.cells[0].iops.ci.ratio);
	CHECK(c.cells[0].iops.ci.lo <= 1.0 && c.cells[0].iops.ci.hi >= 1.0,
	      "identical: interval [%g, %g] excludes 1", c.cells[0].iops.ci.lo, c.cells[0].iops.ci.hi);
	CHECK(c.cells[0].p99.verdict == RL_VERDICT_UNCHANGED, "identical: p99 %s",
	      rl_verdict_name(c.cells[0].p99.verdict));
	CHECK(c.cells[0].eagain_verdict == RL_CMP_EAGAIN_NA, "identical: EAGAIN of a non-NOWAIT workload is %s",
	      rl_cmp_eagain_name(c.cells[0].eagain_verdict));
	CHECK(!strcmp(rl_cmp_summary_line(&c.total, line, sizeof(line)), "6 unchanged"),
	      "identical: summary '%s'", line);
	CHECK(!strcmp(c.groups[0].workload, "aligned-mixed") && c.groups[0].ncells == 3 &&
	      c.cells[0].jobs == 1 && c.cells[2].jobs == 4, "identical: grouping or order wrong");
	CHECK(c.nunpaired == 0, "identical: %zu unpaired", c.nunpaired);
	rl_comparison_free(&c);
out:
	rl_run_free(&base);
	rl_run_free(&head);
}

static void test_faster_slower(void)
{
	struct rl_run base, fast, slow;
	struct rl_comparison c;
	struct rl_err err = { "" };
	char line[128];

	seed_run(&base, "base", "aligned-mixed", NULL, 3, 40000);
	seed_run(&fast, "fast", "aligned-mixed", NULL, 3, 48000);
	seed_run(&slow, "slow", "aligned-mixed", NULL, 3, 32000);
	if (compare1(&base, &fast, 0.05, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_IMPROVED, "20% faster");
		CHECK(!rl_comparison_gate(&c), "20%% faster: gate is set");
		CHECK(fabs(c.cells[1].iops.ci.ratio - 1.2) < 1e-9, "20%% faster: ratio %g",
		      c.cells[1].iops.ci.ratio);
		CHECK(c.cells[1].iops.ci.lo > 1.05, "20%% faster: lo %g", c.cells[1].iops.ci.lo);
		CHECK(fabs(c.cells[1].wall_speedup - 1.2) < 0.02, "20%% faster: wall speedup %g",
		      c.cells[1].wall_speedup);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "20%% faster: %s", err.msg);
	}
	if (compare1(&base, &slow, 0.05, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_REGRESSED, "20% slower");
		CHECK(rl_comparison_gate(&c), "20%% slower: gate is not set");
		CHECK(!strcmp(rl_cmp_summary_line(&c.total, line, sizeof(line)), "3 regressed"),
		      "20%% slower: summary '%s'", line);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "20%% slower: %s", err.msg);
	}
	/* A threshold above the change turns it into "unchanged". */
	if (compare1(&base, &slow, 0.5, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_UNCHANGED, "20% slower, threshold 50%");
		rl_comparison_free(&c);
	} else {
		CHECK(0, "threshold 0.5: %s", err.msg);
	}
	rl_run_free(&base);
	rl_run_free(&fast);
	rl_run_free(&slow);
}

static void test_corrupt(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	const struct rl_cmp_cell *cell;
	struct cell_spec s = { .workload = "aligned-mixed", .jobs = 8, .reps = 3, .iops = 40000,
			       .p99_ns = 100000 };
	char line[128];

	seed_run(&base, "base", "aligned-mixed", NULL, 3, 40000);
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 48000);
	add_cells(&base, &s);
	s.iops = 48000;
	s.verify_failed_rep = 2;
	add_cells(&head, &s);
	if (compare1(&base, &head, 0.05, &c, &err)) {
		CHECK(0, "corrupt: %s", err.msg);
		goto out;
	}
	cell = find_cell(&c, "aligned-mixed", 8);
	CHECK(cell && cell->verdict == RL_VERDICT_CORRUPT && cell->verdict == RL_VERDICT_CORRUPT,
	      "corrupt: JOBS 8 is not corrupt");
	CHECK(cell && cell->iops.verdict == RL_VERDICT_IMPROVED,
	      "corrupt: the IOPS verdict underneath should still be improved");
	CHECK(cell && cell->head_verify_failed == 1 && cell->base_verify_failed == 0,
	      "corrupt: verify counts wrong");
	CHECK(cell && !strcmp(cell->verify_found, "head: 32 blocks hold data of NOWAIT writes "
			      "that returned -EAGAIN (written although refused)"),
	      "corrupt: what the bad blocks hold: '%s'", cell ? cell->verify_found : "");
	CHECK(rl_comparison_gate(&c), "corrupt: gate is not set");
	CHECK(!strcmp(rl_cmp_summary_line(&c.total, line, sizeof(line)), "1 corrupt, 3 improved"),
	      "corrupt: summary '%s'", line);
	rl_comparison_free(&c);
out:
	rl_run_free(&base);
	rl_run_free(&head);
}

static void test_insufficient(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };

	seed_run(&base, "base", "aligned-mixed", NULL, 2, 40000);
	seed_run(&head, "head", "aligned-mixed", NULL, 2, 80000);
	if (compare1(&base, &head, 0.05, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_INSUFFICIENT, "2 reps");
		CHECK(!rl_comparison_gate(&c), "2 reps: gate is set");
		CHECK(fabs(c.cells[0].iops.ci.ratio - 2.0) < 1e-9, "2 reps: ratio still shown, %g",
		      c.cells[0].iops.ci.ratio);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "2 reps: %s", err.msg);
	}
	rl_run_free(&base);
	rl_run_free(&head);
}

static const cJSON *get(const cJSON *o, const char *key);
static double num_of(const cJSON *o, const char *key);
static const char *str_of(const cJSON *o, const char *key);
static char *capture(const struct rl_comparison *c, bool seed, int *ret);
static void expect_text(const char *text, const char *what, const char *needle);

/* A NOWAIT workload @name of @policy in @run. */
static void nowait_workload(struct rl_run *run, const char *name, enum rl_eagain_policy policy)
{
	struct rl_workload *w = run_workload(run, name);

	w->nowait = true;
	w->eagain_policy = policy;
}

/* One NOWAIT cell a side, 2000 attempts a rep, with these per-rep EAGAIN rates. */
static int eagain_pair(enum rl_eagain_policy policy, const double *rb, uint32_t nb,
		       const double *rh, uint32_t nh, enum rl_cmp_gate gate, struct rl_comparison *c)
{
	struct cell_spec s = { .workload = "nw", .jobs = 1, .iops = 1000, .p99_ns = 1000,
			       .attempts = 2000 };
	struct rl_compare_opts o = { .threshold = 0.05, .gate = gate };
	const struct rl_run *pb, *ph;
	struct rl_run base, head;
	struct rl_err err = { "" };
	int ret;

	run_init(&base, "base");
	run_init(&head, "head");
	nowait_workload(&base, s.workload, policy);
	nowait_workload(&head, s.workload, policy);
	s.reps = nb;
	s.rates = rb;
	add_cells(&base, &s);
	s.reps = nh;
	s.rates = rh;
	add_cells(&head, &s);
	pb = &base;
	ph = &head;
	ret = rl_compare_runs(&pb, 1, &ph, 1, &o, c, &err);
	CHECK(ret == 0, "EAGAIN pair: %s", err.msg);
	rl_run_free(&base);
	rl_run_free(&head);
	return ret;
}

/* The verdicts of one pair, checked; @gates: the gate under both, iops, eagain. */
static void eagain_expect(const char *what, enum rl_eagain_policy policy, const double *rb,
			  uint32_t nb, const double *rh, uint32_t nh, enum rl_cmp_eagain ev,
			  enum rl_verdict cv, const bool gates[3])
{
	static const enum rl_cmp_gate gate[3] = {
		RL_CMP_GATE_BOTH, RL_CMP_GATE_IOPS, RL_CMP_GATE_EAGAIN
	};
	struct rl_comparison c;

	for (int g = 0; g < 3; g++) {
		if (eagain_pair(policy, rb, nb, rh, nh, gate[g], &c))
			return;
		CHECK(c.cells[0].eagain_verdict == ev, "%s: EAGAIN %s, expected %s", what,
		      rl_cmp_eagain_name(c.cells[0].eagain_verdict), rl_cmp_eagain_name(ev));
		CHECK(c.cells[0].verdict == cv, "%s: cell %s, expected %s", what,
		      rl_cmp_verdict_name(c.cells[0].verdict), rl_cmp_verdict_name(cv));
		CHECK(c.total.count[cv] == 1, "%s: not counted %s in the total", what,
		      rl_cmp_verdict_name(cv));
		CHECK(rl_comparison_gate(&c) == gates[g], "%s: gate %s %s", what,
		      rl_cmp_gate_name(gate[g]), rl_comparison_gate(&c) ? "fails" : "passes");
		rl_comparison_free(&c);
	}
}

static const double r_none[3] = { 0, 0, 0 }, r_all[3] = { 1, 1, 1 }, r_flip[3] = { 1, 0, 1 };
static const double r_half_b[3] = { 0.500, 0.505, 0.495 }, r_half_h[3] = { 0.505, 0.50, 0.498 };
/* Rates that cluster by repetition: pooled over 6000 writes they differ by 5 points (z ~ 5.5,
 * what the two-proportion test called a change); over 3 repetitions it is noise. */
static const double r_clus_b[3] = { 0.41, 0.59, 0.50 }, r_clus_h[3] = { 0.46, 0.64, 0.55 };
/* retry-blocking noise, a 10-point shift of tight reps, and a move far beyond the spread. */
static const double r_tb[3] = { 0.40, 0.55, 0.47 }, r_th[3] = { 0.50, 0.45, 0.58 };
static const double r_tight[3] = { 0.45, 0.47, 0.49 }, r_shift[3] = { 0.55, 0.57, 0.59 };
static const double r_far[3] = { 0.95, 0.98, 0.97 };

static const struct eagain_case {
	const char *what;
	enum rl_eagain_policy policy;
	const double *rb, *rh;
	uint32_t nb, nh;
	enum rl_cmp_eagain ev;
	enum rl_verdict cv;
	bool fails;		/* the gate, under both and eagain (never under iops) */
} eagain_cases[] = {
	{ "0% vs 100%", RL_EAGAIN_COUNT, r_none, r_all, 3, 3, RL_CMP_EAGAIN_CHANGED,
	  RL_VERDICT_EAGAIN, true },
	{ "100% vs 0%", RL_EAGAIN_COUNT, r_all, r_none, 3, 3, RL_CMP_EAGAIN_CHANGED,
	  RL_VERDICT_EAGAIN, true },
	{ "50% vs 50%", RL_EAGAIN_COUNT, r_half_b, r_half_h, 3, 3, RL_CMP_EAGAIN_UNCHANGED,
	  RL_VERDICT_UNCHANGED, false },
	{ "100% vs 100%", RL_EAGAIN_COUNT, r_all, r_all, 3, 3, RL_CMP_EAGAIN_UNCHANGED,
	  RL_VERDICT_UNCHANGED, false },
	{ "clustered", RL_EAGAIN_COUNT, r_clus_b, r_clus_h, 3, 3, RL_CMP_EAGAIN_UNCHANGED,
	  RL_VERDICT_UNCHANGED, false },
	/* One repetition a side: insufficient, as IOPS says, however far apart. */
	{ "1 rep a side", RL_EAGAIN_COUNT, r_none, r_all, 1, 1, RL_CMP_EAGAIN_INSUFFICIENT,
	  RL_VERDICT_INSUFFICIENT, false },
	{ "2 vs 3 reps", RL_EAGAIN_COUNT, r_none, r_all, 2, 3, RL_CMP_EAGAIN_INSUFFICIENT,
	  RL_VERDICT_INSUFFICIENT, false },
	/* Cold cells that came out 100/0/100: two states, not a rate of 66.7%. */
	{ "100/0/100 vs 100", RL_EAGAIN_COUNT, r_flip, r_all, 3, 3, RL_CMP_EAGAIN_UNSTABLE,
	  RL_VERDICT_UNSTABLE, false },
	{ "100 vs 100/0/100", RL_EAGAIN_COUNT, r_all, r_flip, 3, 3, RL_CMP_EAGAIN_UNSTABLE,
	  RL_VERDICT_UNSTABLE, false },
	{ "timing noise", RL_EAGAIN_RETRY_BLOCKING, r_tb, r_th, 3, 3, RL_CMP_EAGAIN_TIMING,
	  RL_VERDICT_UNCHANGED, false },
	/* 10 points up: a change of a fingerprint, not beyond 2x the spread of a timed rate. */
	{ "10 points", RL_EAGAIN_RETRY_BLOCKING, r_tight, r_shift, 3, 3, RL_CMP_EAGAIN_TIMING,
	  RL_VERDICT_UNCHANGED, false },
	{ "10 points, count", RL_EAGAIN_COUNT, r_tight, r_shift, 3, 3, RL_CMP_EAGAIN_CHANGED,
	  RL_VERDICT_EAGAIN, true },
	{ "47% to 97%", RL_EAGAIN_RETRY_BLOCKING, r_tb, r_far, 3, 3, RL_CMP_EAGAIN_CHANGED,
	  RL_VERDICT_EAGAIN, true },
	{ "100% both", RL_EAGAIN_RETRY_BLOCKING, r_all, r_all, 3, 3, RL_CMP_EAGAIN_TIMING,
	  RL_VERDICT_UNCHANGED, false },
};

static void test_eagain(void)
{
	for (size_t i = 0; i < sizeof(eagain_cases) / sizeof(eagain_cases[0]); i++) {
		const struct eagain_case *k = &eagain_cases[i];
		const bool gates[3] = { k->fails, false, k->fails };

		eagain_expect(k->what, k->policy, k->rb, k->nb, k->rh, k->nh, k->ev, k->cv, gates);
	}
}

/* Cold cells that came out 100/0/100: two states, not a rate of 66.7%. */
static void test_unstable(void)
{
	struct rl_comparison c;
	const cJSON *jc;
	cJSON *j;
	char *text;
	int n;

	if (eagain_pair(RL_EAGAIN_COUNT, r_flip, 3, r_all, 3, RL_CMP_GATE_BOTH, &c))
		return;
	CHECK(c.cells[0].base_unstable && !c.cells[0].head_unstable, "unstable side not marked");
	text = capture(&c, false, &n);
	expect_text(text, "unstable", "unstable");
	expect_text(text, "unstable", "EAGAIN reps disagree: base 0-100%, head 100%");
	expect_text(text, "unstable", "1 unstable");
	CHECK(!strstr(text, "66.7"), "unstable: pooled into a rate:\n%s", text);
	free(text);
	j = rl_comparison_to_json(&c);
	jc = j ? cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(j, "workloads"), 0), "cells"), 0)
	       : NULL;
	CHECK(jc && cJSON_IsNull(get(jc, "eagain_base_rate")), "JSON: unstable base has a rate");
	CHECK(jc && num_of(jc, "eagain_base_rate_min") == 0.0 &&
	      num_of(jc, "eagain_base_rate_max") == 1.0, "JSON: unstable base without its range");
	CHECK(jc && cJSON_IsTrue(get(jc, "eagain_base_unstable")), "JSON: base not unstable");
	CHECK(jc && !strcmp(str_of(jc, "eagain_verdict"), "unstable") &&
	      !strcmp(str_of(jc, "verdict"), "unstable"), "JSON: verdicts not unstable");
	CHECK(j && num_of(get(j, "summary"), "unstable") == 1, "JSON: summary has no unstable");
	cJSON_Delete(j);
	rl_comparison_free(&c);
}

/* A timing-dependent rate shows its range, not a fingerprint. */
static void test_timing(void)
{
	struct rl_comparison c;
	char *text;
	int n;

	if (eagain_pair(RL_EAGAIN_RETRY_BLOCKING, r_tb, 3, r_th, 3, RL_CMP_GATE_BOTH, &c))
		return;
	text = capture(&c, false, &n);
	expect_text(text, "timing", "40-55% \u2192 45-58%");
	expect_text(text, "timing", "EAGAIN timing-dependent");
	free(text);
	rl_comparison_free(&c);
}

/* Every first attempt refused: IOPS and latency are n/a, the cell is judged on EAGAIN. */
static void test_nothing_completed(void)
{
	struct cell_spec s = { .workload = "nw", .jobs = 1, .reps = 3, .iops = 50000,
			       .p99_ns = 5000, .attempts = 2000, .refused = true };
	struct rl_run base, head, open_;
	struct rl_comparison c;
	struct rl_err err = { "" };
	const cJSON *jc;
	cJSON *j;
	char *text;
	int n;

	run_init(&base, "base");
	run_init(&head, "head");
	run_init(&open_, "open");
	nowait_workload(&base, "nw", RL_EAGAIN_COUNT);
	nowait_workload(&head, "nw", RL_EAGAIN_COUNT);
	nowait_workload(&open_, "nw", RL_EAGAIN_COUNT);
	add_cells(&base, &s);
	add_cells(&head, &s);
	s.refused = false;
	add_cells(&open_, &s);
	if (compare1(&base, &head, 0.05, &c, &err) == 0) {
		CHECK(c.cells[0].iops_na && c.cells[0].verdict == RL_VERDICT_UNCHANGED,
		      "refused vs refused: %s, n/a %d", rl_cmp_verdict_name(c.cells[0].verdict),
		      c.cells[0].iops_na);
		text = capture(&c, false, &n);
		expect_text(text, "refused", "       n/a        n/a        -  -    ");
		expect_text(text, "refused", "IOPS n/a (nothing completed)");
		CHECK(!strstr(text, "0.00x") && !strstr(text, "p99"), "refused: a ratio:\n%s", text);
		free(text);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "refused: %s", err.msg);
	}
	/* 52,650 IOPS to nothing completed is no "unchanged": EAGAIN went 0% to 100%. */
	if (compare1(&open_, &base, 0.05, &c, &err) == 0) {
		CHECK(c.cells[0].iops_na && c.cells[0].verdict == RL_VERDICT_EAGAIN &&
		      c.cells[0].eagain_verdict == RL_CMP_EAGAIN_CHANGED, "open vs refused: %s",
		      rl_cmp_verdict_name(c.cells[0].verdict));
		j = rl_comparison_to_json(&c);
		jc = j ? cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(j, "workloads"), 0), "cells"), 0)
		       : NULL;
		CHECK(jc && !strcmp(str_of(jc, "iops_verdict"), "n/a") && cJSON_IsNull(get(jc, "ratio"))
		      && cJSON_IsNull(get(jc, "head_iops_median")) && cJSON_IsTrue(get(jc, "iops_na")),
		      "JSON: n/a IOPS not null");
		CHECK(jc && !strcmp(str_of(jc, "p99_verdict"), "n/a"), "JSON: p99 of refusals judged");
		cJSON_Delete(j);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "open vs refused: %s", err.msg);
	}
	rl_run_free(&base);
	rl_run_free(&head);
	rl_run_free(&open_);
}

/* One run on one kernel: its repetitions, compared with each other, show no EAGAIN change. */
static void test_self_comparison(void)
{
	static const double count_all[3] = { 1, 1, 1 }, count_none[3] = { 0, 0, 0 };
	static const double retry[3] = { 0.44, 0.57, 0.51 }, retry2[3] = { 0.52, 0.41, 0.55 };
	struct cell_spec s = { .jobs = 1, .reps = 3, .iops = 30000, .p99_ns = 5000,
			       .attempts = 2000 };
	struct rl_run run, again, single[3];
	const struct rl_run *pa, *pb;
	struct rl_comparison c;
	struct rl_err err = { "" };
	unsigned changed = 0, verdicts = 0;

	run_init(&run, "one");
	run_init(&again, "again");
	nowait_workload(&run, "all", RL_EAGAIN_COUNT);
	nowait_workload(&run, "none", RL_EAGAIN_COUNT);
	nowait_workload(&run, "retry", RL_EAGAIN_RETRY_BLOCKING);
	nowait_workload(&again, "all", RL_EAGAIN_COUNT);
	nowait_workload(&again, "none", RL_EAGAIN_COUNT);
	nowait_workload(&again, "retry", RL_EAGAIN_RETRY_BLOCKING);
	s.workload = "all", s.rates = count_all;
	add_cells(&run, &s);
	add_cells(&again, &s);
	s.workload = "none", s.rates = count_none;
	add_cells(&run, &s);
	add_cells(&again, &s);
	s.workload = "retry", s.rates = retry;
	add_cells(&run, &s);
	s.rates = retry2;
	add_cells(&again, &s);
	/* Each repetition as a run of its own, every pair compared. */
	for (int r = 0; r < 3; r++) {
		run_init(&single[r], "single");
		single[r].workloads = NULL;
		nowait_workload(&single[r], "all", RL_EAGAIN_COUNT);
		nowait_workload(&single[r], "none", RL_EAGAIN_COUNT);
		nowait_workload(&single[r], "retry", RL_EAGAIN_RETRY_BLOCKING);
		for (size_t i = 0; i < run.ncells; i++)
			if (run.cells[i].rep == (uint32_t)r + 1)
				rl_run_add_cell(&single[r], &run.cells[i]);
	}
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			if (a == b)
				continue;
			pa = &single[a];
			pb = &single[b];
			if (rl_compare_runs(&pa, 1, &pb, 1, NULL, &c, &err)) {
				CHECK(0, "single reps: %s", err.msg);
				continue;
			}
			for (size_t i = 0; i < c.ncells; i++) {
				changed += c.cells[i].eagain_verdict == RL_CMP_EAGAIN_CHANGED;
				/* As IOPS says with one rep a side: insufficient. */
				verdicts += c.cells[i].eagain_verdict != RL_CMP_EAGAIN_INSUFFICIENT ||
					    c.cells[i].iops.verdict != RL_VERDICT_INSUFFICIENT;
			}
			CHECK(!rl_comparison_gate(&c), "single reps %d vs %d fail the gate", a, b);
			rl_comparison_free(&c);
		}
	}
	CHECK(changed == 0, "single reps of one run: %u EAGAIN changes", changed);
	CHECK(verdicts == 0, "single reps of one run: %u cells judged on one rep a side", verdicts);
	pa = &run;
	pb = &again;
	if (rl_compare_runs(&pa, 1, &pb, 1, NULL, &c, &err) == 0) {
		CHECK(c.total.count[RL_VERDICT_EAGAIN] == 0 && !rl_comparison_gate(&c),
		      "run vs run again: %u EAGAIN changes", c.total.count[RL_VERDICT_EAGAIN]);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "run vs again: %s", err.msg);
	}
	for (int r = 0; r < 3; r++)
		rl_run_free(&single[r]);
	rl_run_free(&run);
	rl_run_free(&again);
}

static void test_gate_names(void)
{
	CHECK(rl_cmp_gate_parse("iops") == RL_CMP_GATE_IOPS && rl_cmp_gate_parse("eagain") ==
	      RL_CMP_GATE_EAGAIN && rl_cmp_gate_parse("both") == RL_CMP_GATE_BOTH,
	      "gate names do not parse");
	CHECK(rl_cmp_gate_parse("all") == -1 && rl_cmp_gate_parse(NULL) == -1, "bad gate parsed");
	CHECK(!strcmp(rl_cmp_gate_name(RL_CMP_GATE_EAGAIN), "eagain"), "gate name");
}

static void test_no_common(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	int ret;

	seed_run(&base, "base", "wl-a", "wl-b", 3, 1000);
	seed_run(&head, "head", "wl-c", NULL, 3, 1000);
	ret = compare1(&base, &head, 0.05, &c, &err);
	CHECK(ret == -EINVAL, "no common cells: returned %d", ret);
	CHECK(strstr(err.msg, "no common cells") && strstr(err.msg, "base has workloads wl-a, wl-b") &&
	      strstr(err.msg, "head has wl-c"), "no common cells: message '%s'", err.msg);
	CHECK(c.cells == NULL && c.ncells == 0, "no common cells: output not empty");
	if (!ret)
		rl_comparison_free(&c);
	rl_run_free(&base);
	rl_run_free(&head);
}

static void test_bad_args(void)
{
	struct rl_run base, head;
	const struct rl_run *b = &base, *h = &head;
	struct rl_compare_opts o = { .threshold = 1.5 };
	struct rl_comparison c;
	struct rl_err err = { "" };
	int ret;

	seed_run(&base, "base", "wl-a", NULL, 3, 1000);
	seed_run(&head, "head", "wl-a", NULL, 3, 1000);
	ret = rl_compare_runs(&b, 1, &h, 1, &o, &c, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "threshold"), "threshold 1.5: %d '%s'", ret, err.msg);
	o.threshold = NAN;
	ret = rl_compare_runs(&b, 1, &h, 1, &o, &c, &err);
	CHECK(ret == -EINVAL, "threshold NaN: %d", ret);
	ret = rl_compare_runs(&b, 0, &h, 1, NULL, &c, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "base"), "no base runs: %d '%s'", ret, err.msg);
	ret = rl_compare_runs(&b, 1, NULL, 0, NULL, &c, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "head"), "no head runs: %d '%s'", ret, err.msg);
	ret = rl_compare_runs(&b, 1, &h, 1, NULL, &c, &err);
	CHECK(ret == 0 && c.threshold == RL_CMP_THRESHOLD_DEFAULT, "NULL opts: %d, threshold %g",
	      ret, c.threshold);
	if (!ret)
		rl_comparison_free(&c);
	rl_run_free(&base);
	rl_run_free(&head);
}

static void test_incompatible(void)
{
	struct rl_run base, head, base2;
	const struct rl_run *bs[2] = { &base, &base2 }, *h = &head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	char line[128];

	seed_run(&base, "base", "aligned-mixed", "other", 3, 1000);
	seed_run(&head, "head", "aligned-mixed", "other", 3, 1000);
	run_workload(&head, "aligned-mixed")->io_size = 4096;
	if (compare1(&base, &head, 0.05, &c, &err) == 0) {
		const struct rl_cmp_cell *cell = find_cell(&c, "aligned-mixed", 2);

		CHECK(cell && cell->incompatible && cell->verdict == RL_CMP_INCOMPATIBLE,
		      "io_size: cell not incompatible");
		CHECK(cell && !strcmp(cell->incompatible_field, "io_size") &&
		      strstr(cell->why, "io_size") && strstr(cell->why, "8192") &&
		      strstr(cell->why, "4096"), "io_size: reason '%s'", cell ? cell->why : "");
		cell = find_cell(&c, "other", 2);
		CHECK(cell && !cell->incompatible && cell->verdict == RL_VERDICT_UNCHANGED,
		      "io_size: the other workload must still be compared");
		CHECK(!strcmp(rl_cmp_summary_line(&c.total, line, sizeof(line)),
			      "3 unchanged, 3 incompatible"), "io_size: summary '%s'", line);
		CHECK(rl_comparison_comparable(&c) == 3, "io_size: %zu comparable",
		      rl_comparison_comparable(&c));
		rl_comparison_free(&c);
	} else {
		CHECK(0, "io_size: %s", err.msg);
	}
	/* Within one side too: pooled runs must agree on the workload. */
	run_workload(&head, "aligned-mixed")->io_size = 8192;
	seed_run(&base2, "base2", "aligned-mixed", NULL, 3, 1000);
	base2.started_ns += 60000000000ll;	/* another run: it started later */
	base2.scale = 0.5;
	if (rl_compare_runs(bs, 2, &h, 1, NULL, &c, &err) == 0) {
		const struct rl_cmp_cell *cell = find_cell(&c, "aligned-mixed", 1);

		CHECK(cell && cell->incompatible && !strcmp(cell->incompatible_field, "scale") &&
		      strstr(cell->why, "base runs"), "scale within base: '%s'",
		      cell ? cell->why : "");
		rl_comparison_free(&c);
	} else {
		CHECK(0, "scale within base: %s", err.msg);
	}
	rl_run_free(&base);
	rl_run_free(&base2);
	rl_run_free(&head);
}

/* Runs of two machines: every cell incompatible naming both, unless cross_host; an unknown id is no difference. */
static void test_cross_host(void)
{
	struct rl_run base, head;
	struct rl_compare_opts o = { .threshold = 0.05 };
	const struct rl_run *b = &base, *h = &head;
	struct rl_comparison c;
	struct rl_err err = { "" };

	seed_run(&base, "base", "aligned-mixed", NULL, 3, 1000);
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 1000);
	snprintf(base.env.hostname, sizeof(base.env.hostname), "lab-a");
	snprintf(base.env.machine_id, sizeof(base.env.machine_id), "1111aaaa2222");
	/* The head ran in a guest on lab-b: the lab host is what counts. */
	snprintf(head.env.hostname, sizeof(head.env.hostname), "guest");
	head.env.lab_host.valid = true;
	snprintf(head.env.lab_host.hostname, sizeof(head.env.lab_host.hostname), "lab-b");
	snprintf(head.env.lab_host.machine_id, sizeof(head.env.lab_host.machine_id), "3333bbbb");
	if (rl_compare_runs(&b, 1, &h, 1, &o, &c, &err) == 0) {
		expect_all(&c, RL_CMP_INCOMPATIBLE, "cross-host");
		CHECK(c.cross_host && strstr(c.host_note, "base on lab-a (machine id 1111aaaa)") &&
		      strstr(c.host_note, "head on lab-b (machine id 3333bbbb)"), "host note '%s'",
		      c.host_note);
		CHECK(!strcmp(c.cells[0].incompatible_field, "host") && strstr(c.cells[0].why, "lab-b"),
		      "cross-host reason '%s'", c.cells[0].why);
		rl_comparison_free(&c);
	} else {
		CHECK(0, "cross-host: %s", err.msg);
	}
	o.cross_host = true;
	if (rl_compare_runs(&b, 1, &h, 1, &o, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_UNCHANGED, "cross-host allowed");
		CHECK(c.cross_host && c.cross_host_allowed, "cross-host allowed: not said");
		rl_comparison_free(&c);
	}
	/* Ids that start alike are named in full. */
	snprintf(head.env.lab_host.machine_id, sizeof(head.env.lab_host.machine_id), "1111aaaa3333");
	o.cross_host = false;
	if (rl_compare_runs(&b, 1, &h, 1, &o, &c, &err) == 0) {
		CHECK(strstr(c.host_note, "(machine id 1111aaaa2222)") &&
		      strstr(c.host_note, "(machine id 1111aaaa3333)"), "alike ids: '%s'", c.host_note);
		rl_comparison_free(&c);
	}
	/* A machine id not recorded (a run from before) is no difference. */
	head.env.lab_host.machine_id[0] = '\0';
	o.cross_host = false;
	if (rl_compare_runs(&b, 1, &h, 1, &o, &c, &err) == 0) {
		CHECK(!c.cross_host && !c.host_note[0], "unknown machine id counted as another host");
		expect_all(&c, RL_VERDICT_UNCHANGED, "unknown machine id");
		rl_comparison_free(&c);
	}
	rl_run_free(&base);
	rl_run_free(&head);
}

static void test_pooling_and_seed(void)
{
	struct rl_run b1, b2, head;
	const struct rl_run *bs[2] = { &b1, &b2 }, *h = &head;
	struct rl_comparison c, again;
	struct rl_err err = { "" };
	struct cell_spec s = { .workload = "aligned-mixed", .jobs = 16, .reps = 3, .iops = 1,
			       .p99_ns = 1000 };

	seed_run(&b1, "b1", "aligned-mixed", NULL, 2, 40000);
	seed_run(&b2, "b2", "aligned-mixed", NULL, 2, 40000);
	b2.started_ns += 60000000000ll;	/* another run: it started later */
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 44000);
	add_cells(&head, &s);	/* JOBS 16 only in head */
	if (rl_compare_runs(bs, 2, &h, 1, NULL, &c, &err)) {
		CHECK(0, "pooling: %s", err.msg);
		goto out;
	}
	CHECK(c.cells[0].iops.ci.n_base == 4 && c.cells[0].base_reps == 4,
	      "pooling: %u base reps, expected 4", c.cells[0].iops.ci.n_base);
	CHECK(c.nbase == 2 && !strcmp(c.base_runs[1].label, "b2"), "pooling: run descriptions");
	CHECK(c.nunpaired == 1 && c.unpaired[0].jobs == 16 && !c.unpaired[0].in_base,
	      "pooling: JOBS 16 should be unpaired, only in head");
	if (rl_compare_runs(bs, 2, &h, 1, NULL, &again, &err) == 0) {
		CHECK(c.cells[1].iops.ci.lo == again.cells[1].iops.ci.lo &&
		      c.cells[1].iops.ci.hi == again.cells[1].iops.ci.hi,
		      "seeded bootstrap is not reproducible");
		rl_comparison_free(&again);
	}
	rl_comparison_free(&c);
out:
	rl_run_free(&b1);
	rl_run_free(&b2);
	rl_run_free(&head);
}

/*
 * One run pooled twice (named twice, imported twice, a file and its copy)
 * is refused: its repetitions would count twice and narrow the interval.
 * Another run of the same machine and suite that started 1 ns later, or
 * whose cells differ, is not.
 */
static void test_pooled_twice(void)
{
	struct rl_run b1, b1_copy, head;
	const struct rl_run *bs[2] = { &b1, &b1_copy }, *hs[2] = { &head, &head }, *b = &b1;
	struct rl_comparison c;
	struct rl_err err = { "" };
	int ret;

	seed_run(&b1, "b1", "aligned-mixed", NULL, 3, 40000);
	seed_run(&b1_copy, "b1-imported-again", "aligned-mixed", NULL, 3, 40000);
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 40000);
	snprintf(b1.env.hostname, sizeof(b1.env.hostname), "lab1");
	snprintf(b1_copy.env.hostname, sizeof(b1_copy.env.hostname), "lab1");
	ret = rl_compare_runs(bs, 2, &b, 1, NULL, &c, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "base: runs 1 and 2 are one run (seed started "
					   "2026-06-26T08:35:00.000000000Z on lab1)"),
	      "one run pooled twice in base: %d '%s'", ret, err.msg);
	if (!ret)
		rl_comparison_free(&c);
	ret = rl_compare_runs(&b, 1, hs, 2, NULL, &c, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "head: runs 1 and 2 are one run"),
	      "one run pooled twice in head: %d '%s'", ret, err.msg);
	if (!ret)
		rl_comparison_free(&c);
	/* Same start, other cells: a fixture edited by hand, two measurements as far as we know. */
	b1_copy.cells[0].iops *= 1.01;
	ret = rl_compare_runs(bs, 2, &b, 1, NULL, &c, &err);
	CHECK(ret == 0, "same start, another cell: %s", err.msg);
	if (!ret)
		rl_comparison_free(&c);
	b1_copy.cells[0].iops = b1.cells[0].iops;
	b1_copy.started_ns++;
	ret = rl_compare_runs(bs, 2, &b, 1, NULL, &c, &err);
	CHECK(ret == 0, "two runs 1 ns apart: %s", err.msg);
	if (!ret) {
		CHECK(c.cells[0].base_reps == 6, "two runs pooled: %u base reps, expected 6",
		      c.cells[0].base_reps);
		rl_comparison_free(&c);
	}
	rl_run_free(&b1);
	rl_run_free(&b1_copy);
	rl_run_free(&head);
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The number at @key, NaN when missing: a failed lookup fails a check, not the test binary. */
static double num_of(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void check_json_cell(const cJSON *jc, const struct rl_cmp_cell *cell)
{
	static const char *const keys[] = {
		"workload", "jobs", "verdict", "base_iops_median", "head_iops_median", "ratio",
		"ci_lo", "ci_hi", "iops_verdict", "p99_ratio", "p99_verdict", "eagain_base_rate",
		"eagain_head_rate", "eagain_diff_pp", "eagain_ci_lo_pp", "eagain_verdict",
		"base_verify_failed", "head_verify_failed", "incompatible_reason", NULL
	};
	const char *const *k;

	for (k = keys; *k; k++)
		CHECK(get(jc, *k), "JSON cell %s/%u has no %s", cell->workload, cell->jobs, *k);
	CHECK(num_of(jc, "jobs") == cell->jobs, "JSON cell jobs differ");
	CHECK(!strcmp(str_of(jc, "verdict"), rl_cmp_verdict_name(cell->verdict)),
	      "JSON cell %s/%u verdict differs", cell->workload, cell->jobs);
	CHECK(fabs(num_of(jc, "ratio") - cell->iops.ci.ratio) < 1e-9,
	      "JSON cell %s/%u ratio differs", cell->workload, cell->jobs);
	CHECK(fabs(num_of(jc, "ci_lo") - cell->iops.ci.lo) < 1e-9 &&
	      fabs(num_of(jc, "ci_hi") - cell->iops.ci.hi) < 1e-9,
	      "JSON cell %s/%u interval differs", cell->workload, cell->jobs);
	CHECK(!strcmp(str_of(jc, "eagain_verdict"), rl_cmp_eagain_name(cell->eagain_verdict)),
	      "JSON cell %s/%u EAGAIN verdict differs", cell->workload, cell->jobs);
}

static void test_json(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	struct cell_spec s = { .workload = "aligned-mixed", .jobs = 8, .reps = 3, .iops = 1000,
			       .p99_ns = 100000, .verify_failed_rep = 1 };
	const cJSON *w, *jc, *sum;
	cJSON *j;
	size_t n = 0, i;

	seed_run(&base, "base", "aligned-mixed", "unaligned-middle-unwritten", 3, 40000);
	seed_run(&head, "head", "aligned-mixed", "unaligned-middle-unwritten", 3, 48000);
	add_cells(&base, &s);
	add_cells(&head, &s);
	if (compare1(&base, &head, 0.05, &c, &err)) {
		CHECK(0, "json: %s", err.msg);
		goto out;
	}
	j = rl_comparison_to_json(&c);
	CHECK(j != NULL, "json: rl_comparison_to_json returned NULL");
	if (!j)
		goto free;
	CHECK(!strcmp(str_of(j, "format"), RL_COMPARE_FORMAT), "json: format");
	CHECK(cJSON_IsTrue(get(j, "gate")), "json: gate should be true (a corrupt cell)");
	CHECK(num_of(j, "threshold") == 0.05, "json: threshold");
	jc = get(get(j, "base"), "runs");
	CHECK(cJSON_GetArraySize(jc) == 1 &&
	      !strcmp(str_of(cJSON_GetArrayItem(jc, 0), "label"), "base") &&
	      !strcmp(str_of(cJSON_GetArrayItem(jc, 0), "started"), "2026-06-26T08:35:00.000000000Z"),
	      "json: base run description");
	sum = get(j, "summary");
	CHECK(num_of(sum, "corrupt") == 1 && num_of(sum, "improved") == 6 &&
	      !strcmp(str_of(sum, "line"), "1 corrupt, 6 improved"), "json: total summary");
	cJSON_ArrayForEach(w, get(j, "workloads")) {
		CHECK(*str_of(get(w, "summary"), "line"), "json: workload summary");
		cJSON_ArrayForEach(jc, get(w, "cells")) {
			for (i = 0; i < c.ncells; i++)
				if (!strcmp(c.cells[i].workload, str_of(jc, "workload")) &&
				    c.cells[i].jobs == num_of(jc, "jobs"))
					break;
			CHECK(i < c.ncells, "json: a cell that is not in the comparison");
			if (i < c.ncells)
				check_json_cell(jc, &c.cells[i]);
			n++;
		}
	}
	CHECK(n == c.ncells && n == 7, "json: %zu cells, expected %zu", n, c.ncells);
	cJSON_Delete(j);
free:
	rl_comparison_free(&c);
out:
	rl_run_free(&base);
	rl_run_free(&head);
}

/* The printed text of @c: the comparison table or the seed tables. */
static char *capture(const struct rl_comparison *c, bool seed, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	*ret = 0;
	if (seed)
		*ret = rl_comparison_print_seed_tables(f, c);
	else
		rl_comparison_print_text(f, c);
	fclose(f);
	return buf;
}

static void expect_text(const char *text, const char *what, const char *needle)
{
	CHECK(strstr(text, needle), "%s: no '%s' in:\n%s", what, needle, text);
}

static void test_text(void)
{
	struct rl_run base, head;
	struct rl_comparison c;
	struct rl_err err = { "" };
	char *text;
	int n;

	seed_run(&base, "base", "aligned-mixed", "unaligned-middle-unwritten", 3, 60000);
	seed_run(&head, "head", "aligned-mixed", "unaligned-middle-unwritten", 3, 118200);
	if (compare1(&base, &head, 0.05, &c, &err)) {
		CHECK(0, "text: %s", err.msg);
		goto out;
	}
	text = capture(&c, false, &n);
	expect_text(text, "text", "aligned-mixed  (IOPS, median of 3 reps; CI: bootstrap 95%)\n");
	expect_text(text, "text", "JOBS       base       head  speedup  CI              "
		    "EAGAIN base\u2192head   verdict\n");
	expect_text(text, "text", "----  ---------  ---------  -------  --------------  "
		    "-----------------  ---------\n");
	expect_text(text, "text", "\n   1     60,000    118,200    1.97x  [1.9");
	expect_text(text, "text", "\n   4    240,000    472,800    1.97x  [");
	expect_text(text, "text", "]    -                  improved\n");
	expect_text(text, "text", "aligned-mixed: 3 improved\n");
	expect_text(text, "text", "total: 6 improved (6 cells in 2 workloads)\n");
	expect_text(text, "text", "base: 6.18.0-test (label base, tag base-tag)");
	free(text);
	text = capture(&c, true, &n);
	CHECK(n == 2, "seed tables: %d printed, expected 2", n);
	expect_text(text, "seed", "Test 1: aligned-mixed. Metric: IOPS (median of 3 reps).\n"
		    "JOBS      base      head speedup\n---- --------- --------- -------\n"
		    "   1    60,000   118,200   1.97x\n   2   120,000   236,400   1.97x\n");
	expect_text(text, "seed", "Test 2: unaligned-middle-unwritten.");
	expect_text(text, "seed", "Wall time at JOBS=4: ");
	expect_text(text, "seed", "1.97x faster.");
	CHECK(!strstr(text, "CI") && !strstr(text, "verdict"), "seed: not the plain layout:\n%s",
	      text);
	free(text);
	rl_comparison_free(&c);
	rl_run_free(&base);
	rl_run_free(&head);

	/* Without Test 2 the seed output says so instead of printing an empty table. */
	seed_run(&base, "base", "aligned-mixed", NULL, 3, 60000);
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 60000);
	if (compare1(&base, &head, 0.05, &c, &err)) {
		CHECK(0, "text: %s", err.msg);
		goto out;
	}
	text = capture(&c, true, &n);
	CHECK(n == 1, "seed tables without Test 2: %d printed", n);
	expect_text(text, "seed", "Test 2: no unaligned-middle-unwritten cells in both base and head");
	free(text);
	rl_comparison_free(&c);
out:
	rl_run_free(&base);
	rl_run_free(&head);
}

/* A run that went through its JSON form compares the same as the struct itself. */
static void test_json_round_trip(void)
{
	struct rl_run base, head, back;
	struct rl_comparison c;
	struct rl_err err = { "" };
	cJSON *j;
	int ret;

	seed_run(&base, "base", "aligned-mixed", NULL, 3, 40000);
	seed_run(&head, "head", "aligned-mixed", NULL, 3, 32000);
	j = rl_run_to_json(&head);
	ret = j ? rl_run_from_json(j, &back, &err) : -ENOMEM;
	cJSON_Delete(j);
	CHECK(ret == 0, "round trip: %d %s", ret, err.msg);
	if (ret)
		goto out;
	if (compare1(&base, &back, 0.05, &c, &err) == 0) {
		expect_all(&c, RL_VERDICT_REGRESSED, "round trip");
		rl_comparison_free(&c);
	} else {
		CHECK(0, "round trip: %s", err.msg);
	}
	rl_run_free(&back);
out:
	rl_run_free(&base);
	rl_run_free(&head);
}

int main(void)
{
	test_identical();
	test_faster_slower();
	test_corrupt();
	test_insufficient();
	test_eagain();
	test_no_common();
	test_bad_args();
	test_incompatible();
	test_cross_host();
	test_pooling_and_seed();
	test_pooled_twice();
	test_unstable();
	test_timing();
	test_nothing_completed();
	test_self_comparison();
	test_gate_names();
	test_json();
	test_text();
	test_json_round_trip();
	return check_exit();
}
