/* SPDX-License-Identifier: MIT */
/*
 * "ringlab-compare-1" JSON -> struct rl_comparison: what `ringlab compare`
 * reads when ringlabd compared, so the text and JSON it prints are those of
 * a comparison made here. Every field the formatters read is in the JSON
 * (numbers in round-trip digits); numbers written as null read as NaN.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/time_fmt.h"
#include "compare_json.h"
#include "compare_read.h"

static const cJSON *item(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static double num(const cJSON *o, const char *key)
{
	return rl_json_num(o, key, NAN);
}

static uint32_t u32(const cJSON *o, const char *key)
{
	double v = num(o, key);

	return v >= 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
}

static uint64_t u64(const cJSON *o, const char *key)
{
	double v = num(o, key);

	return v >= 0 && v < 18446744073709551616.0 ? (uint64_t)v : 0;
}

static bool flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(item(o, key));
}

/* String @key into @buf; null or absent is "". */
static void str(const cJSON *o, const char *key, char *buf, size_t len)
{
	const cJSON *v = item(o, key);

	snprintf(buf, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* The verdict named by @key; "n/a" (a side completed nothing) reads as insufficient. */
static int verdict(const cJSON *o, const char *key, enum rl_verdict *out, struct rl_err *err)
{
	const cJSON *v = item(o, key);

	for (int k = 0; cJSON_IsString(v) && k < RL_CMP_VERDICT_MAX; k++)
		if (!strcmp(v->valuestring, rl_cmp_verdict_name((enum rl_verdict)k))) {
			*out = (enum rl_verdict)k;
			return 0;
		}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "n/a")) {
		*out = RL_VERDICT_INSUFFICIENT;
		return 0;
	}
	return rl_err_set(err, -EPROTO, "%s: '%.40s' is not a verdict", key,
			  cJSON_IsString(v) ? v->valuestring : "(not a string)");
}

static int eagain_verdict(const cJSON *o, enum rl_cmp_eagain *out, struct rl_err *err)
{
	const cJSON *v = item(o, "eagain_verdict");

	for (int k = 0; cJSON_IsString(v) && k < RL_CMP_EAGAIN_MAX; k++)
		if (!strcmp(v->valuestring, rl_cmp_eagain_name((enum rl_cmp_eagain)k))) {
			*out = (enum rl_cmp_eagain)k;
			return 0;
		}
	return rl_err_set(err, -EPROTO, "eagain_verdict: '%.40s' is not an EAGAIN verdict",
			  cJSON_IsString(v) ? v->valuestring : "(not a string)");
}

/* The inverse of compare_json.c's put_ratio(); the keys are named as it names them. */
static int ratio(const cJSON *o, const char *prefix, const char *ratio_key, const char *vkey,
		 struct rl_cmp_ratio *r, struct rl_err *err)
{
	char k[48];

	snprintf(k, sizeof(k), "base_%s_median", prefix);
	r->ci.base_median = num(o, k);
	snprintf(k, sizeof(k), "head_%s_median", prefix);
	r->ci.head_median = num(o, k);
	r->ci.ratio = num(o, ratio_key);
	snprintf(k, sizeof(k), "%sci_lo", strcmp(prefix, "iops") ? "p99_" : "");
	r->ci.lo = num(o, k);
	snprintf(k, sizeof(k), "%sci_hi", strcmp(prefix, "iops") ? "p99_" : "");
	r->ci.hi = num(o, k);
	r->has_ci = !isnan(r->ci.lo) && !isnan(r->ci.hi);
	return verdict(o, vkey, &r->verdict, err);
}

static void side_rates(const cJSON *o, const char *side, struct rl_rate_spread *s, bool *unstable)
{
	char k[48];

	snprintf(k, sizeof(k), "eagain_%s_rate", side);
	s->mean = num(o, k);
	snprintf(k, sizeof(k), "eagain_%s_reps", side);
	s->n = u32(o, k);
	snprintf(k, sizeof(k), "eagain_%s_rate_min", side);
	s->min = num(o, k);
	snprintf(k, sizeof(k), "eagain_%s_rate_max", side);
	s->max = num(o, k);
	snprintf(k, sizeof(k), "eagain_%s_rate_sd", side);
	s->sd = num(o, k);
	snprintf(k, sizeof(k), "eagain_%s_unstable", side);
	*unstable = flag(o, k);
}

static int cell_read(const cJSON *o, struct rl_cmp_cell *c, struct rl_err *err)
{
	int ret;

	str(o, "workload", c->workload, sizeof(c->workload));
	c->jobs = u32(o, "jobs");
	c->incompatible = flag(o, "incompatible");
	str(o, "incompatible_field", c->incompatible_field, sizeof(c->incompatible_field));
	str(o, "incompatible_reason", c->why, sizeof(c->why));
	c->base_reps = u32(o, "base_reps");
	c->head_reps = u32(o, "head_reps");
	c->iops_na = flag(o, "iops_na");
	ret = verdict(o, "verdict", &c->verdict, err);
	if (!ret)
		ret = ratio(o, "iops", "ratio", "iops_verdict", &c->iops, err);
	if (!ret)
		ret = ratio(o, "p99_ns", "p99_ratio", "p99_verdict", &c->p99, err);
	if (!ret)
		ret = eagain_verdict(o, &c->eagain_verdict, err);
	if (ret)
		return rl_err_prefix(err, ret, "cell %s, jobs %u", c->workload, c->jobs);
	c->iops.ci.n_base = c->p99.ci.n_base = u32(o, "base_reps_measured");
	c->iops.ci.n_head = c->p99.ci.n_head = u32(o, "head_reps_measured");
	c->nowait = flag(o, "nowait");
	c->timing_dependent = flag(o, "timing_dependent");
	c->base_eagain = u64(o, "eagain_base");
	c->base_attempts = u64(o, "eagain_base_attempts");
	c->head_eagain = u64(o, "eagain_head");
	c->head_attempts = u64(o, "eagain_head_attempts");
	side_rates(o, "base", &c->eagain.base, &c->base_unstable);
	side_rates(o, "head", &c->eagain.head, &c->head_unstable);
	c->eagain.diff_pp = num(o, "eagain_diff_pp");
	c->eagain.lo_pp = num(o, "eagain_ci_lo_pp");
	c->eagain.hi_pp = num(o, "eagain_ci_hi_pp");
	str(o, "eagain_cause", c->eagain_cause, sizeof(c->eagain_cause));
	c->base_verify_failed = u32(o, "base_verify_failed");
	c->head_verify_failed = u32(o, "head_verify_failed");
	str(o, "verify_found", c->verify_found, sizeof(c->verify_found));
	c->base_elapsed_s = num(o, "base_elapsed_s");
	c->head_elapsed_s = num(o, "head_elapsed_s");
	c->wall_speedup = num(o, "wall_speedup");
	return 0;
}

static void summary_read(const cJSON *o, struct rl_cmp_summary *s)
{
	for (int k = 0; k < RL_CMP_VERDICT_MAX; k++)
		s->count[k] = u32(o, rl_cmp_verdict_name((enum rl_verdict)k));
	s->cells = u32(o, "cells");
}

static void run_read(const cJSON *o, struct rl_cmp_run_desc *d)
{
	const cJSON *started = item(o, "started");

	str(o, "suite", d->suite, sizeof(d->suite));
	str(o, "label", d->label, sizeof(d->label));
	str(o, "kernel_release", d->kernel_release, sizeof(d->kernel_release));
	str(o, "kernel_tag", d->kernel_tag, sizeof(d->kernel_tag));
	str(o, "hostname", d->hostname, sizeof(d->hostname));
	str(o, "host", d->host, sizeof(d->host));
	str(o, "machine_id", d->machine_id, sizeof(d->machine_id));
	/* The ISO time holds every nanosecond; started_ns went through a double. */
	if (!cJSON_IsString(started) || rl_time_parse_iso(started->valuestring, &d->started_ns) < 0)
		d->started_ns = (int64_t)rl_json_num(o, "started_ns", 0);
	d->scale = num(o, "scale");
	d->ncells = (size_t)u64(o, "cells");
	str(o, "accel", d->accel, sizeof(d->accel));
	str(o, "tcg_thread", d->tcg_thread, sizeof(d->tcg_thread));
	d->cpus = u32(o, "cpus");
	d->status = RL_RUN_DONE;
	for (int k = 0; k < RL_RUN_MAX; k++)
		if (cJSON_IsString(item(o, "status")) &&
		    !strcmp(item(o, "status")->valuestring, rl_run_status_name((enum rl_run_status)k)))
			d->status = (enum rl_run_status)k;
	str(o, "error", d->error, sizeof(d->error));
}

/* The runs of side @key ("base", "head"). Returns 0, -EPROTO or -ENOMEM. */
static int side_read(const cJSON *o, const char *key, struct rl_cmp_run_desc **out, size_t *n,
		     struct rl_err *err)
{
	const cJSON *runs = item(item(o, key), "runs"), *r;
	size_t i = 0;

	*n = (size_t)cJSON_GetArraySize(runs);
	if (!cJSON_IsArray(runs) || !*n)
		return rl_err_set(err, -EPROTO, "%s: no runs", key);
	*out = calloc(*n, sizeof(**out));
	if (!*out)
		return rl_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(r, runs)
		run_read(r, &(*out)[i++]);
	return 0;
}

static void method_read(const cJSON *o, struct rl_comparison *c)
{
	const cJSON *gate = item(o, "gate_on");
	int g = cJSON_IsString(gate) ? rl_cmp_gate_parse(gate->valuestring) : -1;

	c->threshold = num(o, "threshold");
	c->confidence = num(o, "confidence");
	c->iterations = u32(o, "iterations");
	c->min_reps = u32(o, "min_reps");
	c->eagain_alpha = num(o, "eagain_alpha");
	c->eagain_min_pp = num(o, "eagain_min_pp");
	c->timing_factor = num(o, "timing_factor");
	c->gate = g < 0 ? RL_CMP_GATE_BOTH : (enum rl_cmp_gate)g;
	str(o, "machine_note", c->machine_note, sizeof(c->machine_note));
	c->cross_host = flag(o, "cross_host");
	c->cross_host_allowed = flag(o, "cross_host_allowed");
	str(o, "host_note", c->host_note, sizeof(c->host_note));
	summary_read(item(o, "summary"), &c->total);
}

/* The workloads' groups and their cells, flattened as rl_compare_runs() lays them out. */
static int groups_read(const cJSON *o, struct rl_comparison *c, struct rl_err *err)
{
	const cJSON *groups = item(o, "workloads"), *g, *cell;
	size_t ncells = 0;
	int ret;

	cJSON_ArrayForEach(g, groups)
		ncells += (size_t)cJSON_GetArraySize(item(g, "cells"));
	c->groups = calloc((size_t)cJSON_GetArraySize(groups) + 1, sizeof(*c->groups));
	c->cells = calloc(ncells + 1, sizeof(*c->cells));
	if (!c->groups || !c->cells)
		return rl_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(g, groups) {
		struct rl_cmp_group *grp = &c->groups[c->ngroups++];

		str(g, "workload", grp->workload, sizeof(grp->workload));
		str(g, "description", grp->description, sizeof(grp->description));
		grp->reps_min = u32(g, "reps_min");
		grp->reps_max = u32(g, "reps_max");
		summary_read(item(g, "summary"), &grp->summary);
		grp->first = c->ncells;
		cJSON_ArrayForEach(cell, item(g, "cells")) {
			ret = cell_read(cell, &c->cells[c->ncells++], err);
			if (ret)
				return ret;
			grp->ncells++;
		}
	}
	return 0;
}

static int unpaired_read(const cJSON *o, struct rl_comparison *c, struct rl_err *err)
{
	const cJSON *list = item(o, "unpaired"), *u;
	char side[8];

	c->unpaired = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*c->unpaired));
	if (!c->unpaired)
		return rl_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(u, list) {
		struct rl_cmp_unpaired *p = &c->unpaired[c->nunpaired++];

		str(u, "workload", p->workload, sizeof(p->workload));
		p->jobs = u32(u, "jobs");
		str(u, "side", side, sizeof(side));
		p->in_base = !strcmp(side, "base");
	}
	return 0;
}

int rl_comparison_from_json(const cJSON *o, struct rl_comparison *c, struct rl_err *err)
{
	const cJSON *format = item(o, "format");
	int ret;

	memset(c, 0, sizeof(*c));
	if (!cJSON_IsString(format) || strcmp(format->valuestring, RL_COMPARE_FORMAT))
		return rl_err_set(err, -EPROTO, "not a %s document", RL_COMPARE_FORMAT);
	method_read(o, c);
	ret = side_read(o, "base", &c->base_runs, &c->nbase, err);
	if (!ret)
		ret = side_read(o, "head", &c->head_runs, &c->nhead, err);
	if (!ret)
		ret = groups_read(o, c, err);
	if (!ret)
		ret = unpaired_read(o, c, err);
	if (ret)
		rl_comparison_free(c);
	return ret;
}
