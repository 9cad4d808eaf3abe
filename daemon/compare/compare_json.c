/* SPDX-License-Identifier: MIT */
/* struct rl_comparison -> JSON; every value is copied from the struct as it is. */
#include <math.h>

#include "engine/result_json.h"
#include "util/json.h"
#include "compare_json.h"

/*
 * The shared builder (util/json.h) under this file's short names, so the
 * many additions below read as a list and the failure is checked once per
 * object.
 */
#define jb rl_jb
#define put rl_jb_put
#define put_num rl_jb_num	/* infinities and NaN are not JSON: they travel as null */
#define put_opt_str rl_jb_str_or_null
#define jb_end rl_jb_end

static void put_str(struct jb *b, const char *key, const char *s)
{
	put(b, key, cJSON_CreateString(s));
}

static void put_bool(struct jb *b, const char *key, bool v)
{
	put(b, key, cJSON_CreateBool(v));
}

static struct jb jb_new(void)
{
	return rl_jb_new(cJSON_CreateObject());
}

/* @key: an array of @n items, item_of(@items, i) each; what is missing marks @b failed. */
static void put_array(struct jb *b, const char *key, const void *items, size_t n,
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
	put(b, key, arr);
}

static cJSON *run_desc(const struct rl_cmp_run_desc *d)
{
	struct jb b = jb_new();

	put_str(&b, "suite", d->suite);
	put_str(&b, "label", d->label);
	put_str(&b, "kernel_release", d->kernel_release);
	put_str(&b, "kernel_tag", d->kernel_tag);
	put_str(&b, "hostname", d->hostname);
	put(&b, "started", rl_json_iso_time(d->started_ns));
	put_num(&b, "started_ns", (double)d->started_ns);
	put_num(&b, "scale", d->scale);
	put_num(&b, "cells", (double)d->ncells);
	return jb_end(&b);
}

static cJSON *run_desc_at(const void *runs, size_t i)
{
	return run_desc((const struct rl_cmp_run_desc *)runs + i);
}

static cJSON *side(const struct rl_cmp_run_desc *d, size_t n)
{
	struct jb b = jb_new();

	put_array(&b, "runs", d, n, run_desc_at);
	return jb_end(&b);
}

static cJSON *summary(const struct rl_cmp_summary *s)
{
	struct jb b = jb_new();
	char line[256];
	int k;

	for (k = 0; k < RL_CMP_VERDICT_MAX; k++)
		put_num(&b, rl_cmp_verdict_name(rl_cmp_summary_order[k]),
			s->count[rl_cmp_summary_order[k]]);
	put_num(&b, "cells", s->cells);
	put_str(&b, "line", rl_cmp_summary_line(s, line, sizeof(line)));
	return jb_end(&b);
}

static void put_iops(struct jb *b, const struct rl_cmp_cell *cell)
{
	const struct rl_cmp_ratio *r = &cell->iops;

	put_num(b, "base_reps_measured", r->ci.n_base);
	put_num(b, "head_reps_measured", r->ci.n_head);
	put_num(b, "base_iops_median", r->ci.base_median);
	put_num(b, "head_iops_median", r->ci.head_median);
	put_num(b, "ratio", r->ci.ratio);
	put_num(b, "ci_lo", r->has_ci ? r->ci.lo : NAN);
	put_num(b, "ci_hi", r->has_ci ? r->ci.hi : NAN);
	put_str(b, "iops_verdict", rl_verdict_name(r->verdict));
}

static void put_p99(struct jb *b, const struct rl_cmp_cell *cell)
{
	const struct rl_cmp_ratio *r = &cell->p99;

	put_num(b, "base_p99_ns_median", r->ci.base_median);
	put_num(b, "head_p99_ns_median", r->ci.head_median);
	put_num(b, "p99_ratio", r->ci.ratio);
	put_num(b, "p99_ci_lo", r->has_ci ? r->ci.lo : NAN);
	put_num(b, "p99_ci_hi", r->has_ci ? r->ci.hi : NAN);
	put_str(b, "p99_verdict", rl_verdict_name(r->verdict));
}

static void put_eagain(struct jb *b, const struct rl_cmp_cell *cell)
{
	bool tested = cell->eagain_verdict != RL_CMP_EAGAIN_NA;

	put_bool(b, "nowait", cell->nowait);
	put_num(b, "eagain_base", (double)cell->base_eagain);
	put_num(b, "eagain_base_attempts", (double)cell->base_attempts);
	put_num(b, "eagain_head", (double)cell->head_eagain);
	put_num(b, "eagain_head_attempts", (double)cell->head_attempts);
	put_num(b, "eagain_base_rate", tested ? cell->eagain.p_base : NAN);
	put_num(b, "eagain_head_rate", tested ? cell->eagain.p_head : NAN);
	put_num(b, "eagain_diff_pp", tested ? cell->eagain.diff_pp : NAN);
	put_num(b, "eagain_z", tested ? cell->eagain.z : NAN);
	put_num(b, "eagain_p_value", tested ? cell->eagain.p_value : NAN);
	put_str(b, "eagain_verdict", rl_cmp_eagain_name(cell->eagain_verdict));
}

static cJSON *cell_json(const struct rl_cmp_cell *cell)
{
	struct jb b = jb_new();

	put_str(&b, "workload", cell->workload);
	put_num(&b, "jobs", cell->jobs);
	put_str(&b, "verdict", rl_cmp_verdict_name(cell->verdict));
	put_bool(&b, "incompatible", cell->incompatible);
	put_opt_str(&b, "incompatible_field", cell->incompatible_field);
	put_opt_str(&b, "incompatible_reason", cell->why);
	put_num(&b, "base_reps", cell->base_reps);
	put_num(&b, "head_reps", cell->head_reps);
	put_iops(&b, cell);
	put_p99(&b, cell);
	put_eagain(&b, cell);
	put_num(&b, "base_verify_failed", cell->base_verify_failed);
	put_num(&b, "head_verify_failed", cell->head_verify_failed);
	put_num(&b, "base_elapsed_s", cell->base_elapsed_s);
	put_num(&b, "head_elapsed_s", cell->head_elapsed_s);
	put_num(&b, "wall_speedup", cell->wall_speedup);
	return jb_end(&b);
}

static cJSON *cell_at(const void *cells, size_t i)
{
	return cell_json((const struct rl_cmp_cell *)cells + i);
}

static cJSON *group_json(const struct rl_comparison *c, const struct rl_cmp_group *g)
{
	struct jb b = jb_new();

	put_str(&b, "workload", g->workload);
	put_str(&b, "description", g->description);
	put_num(&b, "reps_min", g->reps_min);
	put_num(&b, "reps_max", g->reps_max);
	put(&b, "summary", summary(&g->summary));
	put_array(&b, "cells", &c->cells[g->first], g->ncells, cell_at);
	return jb_end(&b);
}

static cJSON *unpaired_json(const struct rl_cmp_unpaired *u)
{
	struct jb b = jb_new();

	put_str(&b, "workload", u->workload);
	put_num(&b, "jobs", u->jobs);
	put_str(&b, "side", u->in_base ? "base" : "head");
	return jb_end(&b);
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
	struct jb b = jb_new();

	put_str(&b, "format", RL_COMPARE_FORMAT);
	put_num(&b, "threshold", c->threshold);
	put_num(&b, "confidence", c->confidence);
	put_num(&b, "iterations", c->iterations);
	put_num(&b, "min_reps", c->min_reps);
	put_num(&b, "eagain_alpha", c->eagain_alpha);
	put(&b, "base", side(c->base_runs, c->nbase));
	put(&b, "head", side(c->head_runs, c->nhead));
	put_bool(&b, "gate", rl_comparison_gate(c));
	put(&b, "summary", summary(&c->total));
	put_array(&b, "workloads", c, c->ngroups, group_at);
	put_array(&b, "unpaired", c, c->nunpaired, unpaired_at);
	return jb_end(&b);
}
