/* SPDX-License-Identifier: MIT */
/* struct rl_comparison -> JSON; every value is copied from the struct as it is. */
#include <math.h>
#include <stdio.h>

#include "engine/result_json.h"
#include "util/json.h"
#include "compare_json.h"

/*
 * Objects are built with the shared builder (util/json.h): the additions
 * read as a list and a failure is checked once per object.
 */

static void put_str(struct rl_jb *b, const char *key, const char *s)
{
	rl_jb_put(b, key, cJSON_CreateString(s));
}

static void put_bool(struct rl_jb *b, const char *key, bool v)
{
	rl_jb_put(b, key, cJSON_CreateBool(v));
}

static struct rl_jb jb_new(void)
{
	return rl_jb_new(cJSON_CreateObject());
}

/* @key: an array of @n items, item_of(@items, i) each; what is missing marks @b failed. */
static void put_array(struct rl_jb *b, const char *key, const void *items, size_t n,
		      cJSON *(*item_of)(const void *items, size_t i))
{
	cJSON *arr = cJSON_CreateArray(), *item;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		item = item_of(items, i);
		if (!item || !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			b->ok = false;
		}
	}
	rl_jb_put(b, key, arr);
}

static cJSON *run_desc(const struct rl_cmp_run_desc *d)
{
	struct rl_jb b = jb_new();

	put_str(&b, "suite", d->suite);
	put_str(&b, "label", d->label);
	put_str(&b, "kernel_release", d->kernel_release);
	put_str(&b, "kernel_tag", d->kernel_tag);
	put_str(&b, "hostname", d->hostname);
	rl_jb_str_or_null(&b, "host", d->host);
	rl_jb_str_or_null(&b, "machine_id", d->machine_id);
	rl_jb_put(&b, "started", rl_json_iso_time(d->started_ns));
	rl_jb_num(&b, "started_ns", (double)d->started_ns);
	rl_jb_num(&b, "scale", d->scale);
	rl_jb_num(&b, "cells", (double)d->ncells);
	rl_jb_str_or_null(&b, "accel", d->accel);
	rl_jb_str_or_null(&b, "tcg_thread", d->tcg_thread);
	rl_jb_num(&b, "cpus", d->cpus ? (double)d->cpus : NAN);
	put_str(&b, "status", rl_run_status_name(d->status));
	rl_jb_str_or_null(&b, "error", d->error);
	return rl_jb_end(&b);
}

static cJSON *run_desc_at(const void *runs, size_t i)
{
	return run_desc((const struct rl_cmp_run_desc *)runs + i);
}

static cJSON *side(const struct rl_cmp_run_desc *d, size_t n)
{
	struct rl_jb b = jb_new();

	put_array(&b, "runs", d, n, run_desc_at);
	return rl_jb_end(&b);
}

static cJSON *summary(const struct rl_cmp_summary *s)
{
	struct rl_jb b = jb_new();
	char line[256];
	int k;

	for (k = 0; k < RL_CMP_VERDICT_MAX; k++)
		rl_jb_num(&b, rl_cmp_verdict_name(rl_cmp_summary_order[k]),
			s->count[rl_cmp_summary_order[k]]);
	rl_jb_num(&b, "cells", s->cells);
	put_str(&b, "line", rl_cmp_summary_line(s, line, sizeof(line)));
	return rl_jb_end(&b);
}

/* The keys one ratio (IOPS or p99) is written under: the format names them unevenly. */
struct ratio_keys {
	const char *base_median, *head_median, *ratio, *ci_lo, *ci_hi, *verdict;
};

static const struct ratio_keys iops_keys = {
	"base_iops_median", "head_iops_median", "ratio", "ci_lo", "ci_hi", "iops_verdict",
};
static const struct ratio_keys p99_keys = {
	"base_p99_ns_median", "head_p99_ns_median", "p99_ratio", "p99_ci_lo", "p99_ci_hi",
	"p99_verdict",
};

/* @na: a side completed nothing, so there is no ratio and the verdict is "n/a". */
static void put_ratio(struct rl_jb *b, const struct rl_cmp_ratio *r, const struct ratio_keys *k,
		      bool na)
{
	rl_jb_num(b, k->base_median, r->ci.base_median);
	rl_jb_num(b, k->head_median, r->ci.head_median);
	rl_jb_num(b, k->ratio, na ? NAN : r->ci.ratio);
	rl_jb_num(b, k->ci_lo, r->has_ci && !na ? r->ci.lo : NAN);
	rl_jb_num(b, k->ci_hi, r->has_ci && !na ? r->ci.hi : NAN);
	put_str(b, k->verdict, na ? "n/a" : rl_verdict_name(r->verdict));
}

/* One side's repetitions: the rate is null when they disagree (no rate to pool). */
static void put_side_rates(struct rl_jb *b, const char *side, const struct rl_rate_spread *sp,
			   bool tested, bool unstable)
{
	char key[48];

	snprintf(key, sizeof(key), "eagain_%s_rate", side);
	rl_jb_num(b, key, tested && !unstable ? sp->mean : NAN);
	snprintf(key, sizeof(key), "eagain_%s_reps", side);
	rl_jb_num(b, key, tested ? sp->n : 0);
	snprintf(key, sizeof(key), "eagain_%s_rate_min", side);
	rl_jb_num(b, key, tested ? sp->min : NAN);
	snprintf(key, sizeof(key), "eagain_%s_rate_max", side);
	rl_jb_num(b, key, tested ? sp->max : NAN);
	snprintf(key, sizeof(key), "eagain_%s_rate_sd", side);
	rl_jb_num(b, key, tested ? sp->sd : NAN);
	snprintf(key, sizeof(key), "eagain_%s_unstable", side);
	put_bool(b, key, unstable);
}

static void put_eagain(struct rl_jb *b, const struct rl_cmp_cell *cell)
{
	bool tested = cell->eagain_verdict != RL_CMP_EAGAIN_NA;
	bool pooled = tested && cell->eagain_verdict != RL_CMP_EAGAIN_UNSTABLE;

	put_bool(b, "nowait", cell->nowait);
	put_bool(b, "timing_dependent", cell->timing_dependent);
	rl_jb_num(b, "eagain_base", (double)cell->base_eagain);
	rl_jb_num(b, "eagain_base_attempts", (double)cell->base_attempts);
	rl_jb_num(b, "eagain_head", (double)cell->head_eagain);
	rl_jb_num(b, "eagain_head_attempts", (double)cell->head_attempts);
	put_side_rates(b, "base", &cell->eagain.base, tested, cell->base_unstable);
	put_side_rates(b, "head", &cell->eagain.head, tested, cell->head_unstable);
	rl_jb_num(b, "eagain_diff_pp", pooled ? cell->eagain.diff_pp : NAN);
	rl_jb_num(b, "eagain_ci_lo_pp", pooled ? cell->eagain.lo_pp : NAN);
	rl_jb_num(b, "eagain_ci_hi_pp", pooled ? cell->eagain.hi_pp : NAN);
	put_str(b, "eagain_verdict", rl_cmp_eagain_name(cell->eagain_verdict));
	rl_jb_str_or_null(b, "eagain_cause", cell->eagain_cause);
}

static cJSON *cell_json(const struct rl_cmp_cell *cell)
{
	struct rl_jb b = jb_new();

	put_str(&b, "workload", cell->workload);
	rl_jb_num(&b, "jobs", cell->jobs);
	put_str(&b, "verdict", rl_cmp_verdict_name(cell->verdict));
	put_bool(&b, "incompatible", cell->incompatible);
	rl_jb_str_or_null(&b, "incompatible_field", cell->incompatible_field);
	rl_jb_str_or_null(&b, "incompatible_reason", cell->why);
	rl_jb_num(&b, "base_reps", cell->base_reps);
	rl_jb_num(&b, "head_reps", cell->head_reps);
	rl_jb_num(&b, "base_reps_measured", cell->iops.ci.n_base);
	rl_jb_num(&b, "head_reps_measured", cell->iops.ci.n_head);
	put_bool(&b, "iops_na", cell->iops_na);
	put_ratio(&b, &cell->iops, &iops_keys, cell->iops_na);
	put_ratio(&b, &cell->p99, &p99_keys, cell->iops_na);
	put_eagain(&b, cell);
	rl_jb_num(&b, "base_verify_failed", cell->base_verify_failed);
	rl_jb_num(&b, "head_verify_failed", cell->head_verify_failed);
	rl_jb_str_or_null(&b, "verify_found", cell->verify_found);
	rl_jb_num(&b, "base_elapsed_s", cell->base_elapsed_s);
	rl_jb_num(&b, "head_elapsed_s", cell->head_elapsed_s);
	rl_jb_num(&b, "wall_speedup", cell->wall_speedup);
	return rl_jb_end(&b);
}

static cJSON *cell_at(const void *cells, size_t i)
{
	return cell_json((const struct rl_cmp_cell *)cells + i);
}

static cJSON *group_json(const struct rl_comparison *c, const struct rl_cmp_group *g)
{
	struct rl_jb b = jb_new();

	put_str(&b, "workload", g->workload);
	put_str(&b, "description", g->description);
	rl_jb_num(&b, "reps_min", g->reps_min);
	rl_jb_num(&b, "reps_max", g->reps_max);
	rl_jb_put(&b, "summary", summary(&g->summary));
	put_array(&b, "cells", &c->cells[g->first], g->ncells, cell_at);
	return rl_jb_end(&b);
}

static cJSON *unpaired_json(const struct rl_cmp_unpaired *u)
{
	struct rl_jb b = jb_new();

	put_str(&b, "workload", u->workload);
	rl_jb_num(&b, "jobs", u->jobs);
	put_str(&b, "side", u->in_base ? "base" : "head");
	return rl_jb_end(&b);
}

static cJSON *group_at(const void *c, size_t i)
{
	const struct rl_comparison *cmp = c;

	return group_json(cmp, &cmp->groups[i]);
}

static cJSON *unpaired_at(const void *c, size_t i)
{
	return unpaired_json(&((const struct rl_comparison *)c)->unpaired[i]);
}

cJSON *rl_comparison_to_json(const struct rl_comparison *c)
{
	struct rl_jb b = jb_new();

	put_str(&b, "format", RL_COMPARE_FORMAT);
	rl_jb_num(&b, "threshold", c->threshold);
	rl_jb_num(&b, "confidence", c->confidence);
	rl_jb_num(&b, "iterations", c->iterations);
	rl_jb_num(&b, "min_reps", c->min_reps);
	rl_jb_num(&b, "eagain_alpha", c->eagain_alpha);
	rl_jb_num(&b, "eagain_min_pp", c->eagain_min_pp);
	rl_jb_num(&b, "eagain_unstable_pp", RL_RATE_UNSTABLE_SPREAD * 100.0);
	rl_jb_num(&b, "timing_factor", c->timing_factor);
	put_str(&b, "gate_on", rl_cmp_gate_name(c->gate));
	rl_jb_put(&b, "base", side(c->base_runs, c->nbase));
	rl_jb_put(&b, "head", side(c->head_runs, c->nhead));
	rl_jb_str_or_null(&b, "machine_note", c->machine_note);
	put_bool(&b, "cross_host", c->cross_host);
	put_bool(&b, "cross_host_allowed", c->cross_host_allowed);
	rl_jb_str_or_null(&b, "host_note", c->host_note);
	put_bool(&b, "gate", rl_comparison_gate(c));
	rl_jb_put(&b, "summary", summary(&c->total));
	put_array(&b, "workloads", c, c->ngroups, group_at);
	put_array(&b, "unpaired", c, c->nunpaired, unpaired_at);
	return rl_jb_end(&b);
}
