/* SPDX-License-Identifier: MIT */
/*
 * "ringlab-compare-1" JSON -> struct rl_comparison: what `ringlab compare`
 * reads when ringlabd compared, so the text and JSON it prints are those of
 * a comparison made here. Every field the formatters read is in the JSON
 * (numbers in round-trip digits); numbers written as null read as NaN.
 */
#include <errno.h>
#include <stddef.h>
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

/* The plain members of a struct, by key: a table each, one walker. */
enum field_kind { F_U32, F_U64, F_NUM, F_FLAG, F_STR };

struct field {
	const char *key;
	enum field_kind kind;
	size_t off, len;	/* the member in the struct; len for strings */
};

#define FIELD(key, kind, type, member) \
	{ key, kind, offsetof(type, member), sizeof(((type *)0)->member) }

static void read_fields(const cJSON *o, void *to, const struct field *f, size_t n)
{
	char *base = to;

	for (size_t i = 0; i < n; i++) {
		void *at = base + f[i].off;

		switch (f[i].kind) {
		case F_U32: *(uint32_t *)at = u32(o, f[i].key); break;
		case F_U64: *(uint64_t *)at = u64(o, f[i].key); break;
		case F_NUM: *(double *)at = num(o, f[i].key); break;
		case F_FLAG: *(bool *)at = flag(o, f[i].key); break;
		case F_STR: str(o, f[i].key, at, f[i].len); break;
		}
	}
}

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

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

#define CELL(key, kind, member) FIELD(key, kind, struct rl_cmp_cell, member)

static const struct field cell_fields[] = {
	CELL("workload", F_STR, workload), CELL("jobs", F_U32, jobs),
	CELL("incompatible", F_FLAG, incompatible),
	CELL("incompatible_field", F_STR, incompatible_field),
	CELL("incompatible_reason", F_STR, why),
	CELL("base_reps", F_U32, base_reps), CELL("head_reps", F_U32, head_reps),
	CELL("base_reps_measured", F_U32, iops.ci.n_base),
	CELL("head_reps_measured", F_U32, iops.ci.n_head),
	CELL("iops_na", F_FLAG, iops_na), CELL("nowait", F_FLAG, nowait),
	CELL("timing_dependent", F_FLAG, timing_dependent),
	CELL("eagain_base", F_U64, base_eagain), CELL("eagain_base_attempts", F_U64, base_attempts),
	CELL("eagain_head", F_U64, head_eagain), CELL("eagain_head_attempts", F_U64, head_attempts),
	CELL("eagain_diff_pp", F_NUM, eagain.diff_pp), CELL("eagain_ci_lo_pp", F_NUM, eagain.lo_pp),
	CELL("eagain_ci_hi_pp", F_NUM, eagain.hi_pp), CELL("eagain_cause", F_STR, eagain_cause),
	CELL("base_verify_failed", F_U32, base_verify_failed),
	CELL("head_verify_failed", F_U32, head_verify_failed),
	CELL("verify_found", F_STR, verify_found),
	CELL("base_elapsed_s", F_NUM, base_elapsed_s), CELL("head_elapsed_s", F_NUM, head_elapsed_s),
	CELL("wall_speedup", F_NUM, wall_speedup),
};

_Static_assert(sizeof(((struct rl_cmp_cell *)0)->iops.ci.n_base) == sizeof(uint32_t),
	       "reps_measured is read as 32 bits");

static int cell_read(const cJSON *o, struct rl_cmp_cell *c, struct rl_err *err)
{
	int ret;

	read_fields(o, c, cell_fields, NFIELDS(cell_fields));
	ret = verdict(o, "verdict", &c->verdict, err);
	if (!ret)
		ret = ratio(o, "iops", "ratio", "iops_verdict", &c->iops, err);
	if (!ret)
		ret = ratio(o, "p99_ns", "p99_ratio", "p99_verdict", &c->p99, err);
	if (!ret)
		ret = eagain_verdict(o, &c->eagain_verdict, err);
	if (ret)
		return rl_err_prefix(err, ret, "cell %s, jobs %u", c->workload, c->jobs);
	c->p99.ci.n_base = c->iops.ci.n_base;
	c->p99.ci.n_head = c->iops.ci.n_head;
	side_rates(o, "base", &c->eagain.base, &c->base_unstable);
	side_rates(o, "head", &c->eagain.head, &c->head_unstable);
	return 0;
}

static void summary_read(const cJSON *o, struct rl_cmp_summary *s)
{
	for (int k = 0; k < RL_CMP_VERDICT_MAX; k++)
		s->count[k] = u32(o, rl_cmp_verdict_name((enum rl_verdict)k));
	s->cells = u32(o, "cells");
}

#define RUN(key, kind, member) FIELD(key, kind, struct rl_cmp_run_desc, member)

static const struct field run_fields[] = {
	RUN("suite", F_STR, suite), RUN("label", F_STR, label),
	RUN("kernel_release", F_STR, kernel_release), RUN("kernel_tag", F_STR, kernel_tag),
	RUN("hostname", F_STR, hostname), RUN("host", F_STR, host),
	RUN("machine_id", F_STR, machine_id), RUN("scale", F_NUM, scale),
	RUN("accel", F_STR, accel), RUN("tcg_thread", F_STR, tcg_thread), RUN("cpus", F_U32, cpus),
	RUN("error", F_STR, error),
};

static void run_read(const cJSON *o, struct rl_cmp_run_desc *d)
{
	const cJSON *started = item(o, "started"), *status = item(o, "status");

	read_fields(o, d, run_fields, NFIELDS(run_fields));
	/* The ISO time holds every nanosecond; started_ns went through a double. */
	if (!cJSON_IsString(started) || rl_time_parse_iso(started->valuestring, &d->started_ns) < 0)
		d->started_ns = (int64_t)rl_json_num(o, "started_ns", 0);
	d->ncells = (size_t)u64(o, "cells");
	d->status = RL_RUN_DONE;
	for (int k = 0; cJSON_IsString(status) && k < RL_RUN_MAX; k++)
		if (!strcmp(status->valuestring, rl_run_status_name((enum rl_run_status)k)))
			d->status = (enum rl_run_status)k;
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

#define METHOD(key, kind, member) FIELD(key, kind, struct rl_comparison, member)

static const struct field method_fields[] = {
	METHOD("threshold", F_NUM, threshold), METHOD("confidence", F_NUM, confidence),
	METHOD("iterations", F_U32, iterations), METHOD("min_reps", F_U32, min_reps),
	METHOD("eagain_alpha", F_NUM, eagain_alpha), METHOD("eagain_min_pp", F_NUM, eagain_min_pp),
	METHOD("timing_factor", F_NUM, timing_factor), METHOD("machine_note", F_STR, machine_note),
	METHOD("cross_host", F_FLAG, cross_host),
	METHOD("cross_host_allowed", F_FLAG, cross_host_allowed),
	METHOD("host_note", F_STR, host_note),
};

static void method_read(const cJSON *o, struct rl_comparison *c)
{
	const cJSON *gate = item(o, "gate_on");
	int g = cJSON_IsString(gate) ? rl_cmp_gate_parse(gate->valuestring) : -1;

	read_fields(o, c, method_fields, NFIELDS(method_fields));
	c->gate = g < 0 ? RL_CMP_GATE_BOTH : (enum rl_cmp_gate)g;
	summary_read(item(o, "summary"), &c->total);
}

static const struct field group_fields[] = {
	FIELD("workload", F_STR, struct rl_cmp_group, workload),
	FIELD("description", F_STR, struct rl_cmp_group, description),
	FIELD("reps_min", F_U32, struct rl_cmp_group, reps_min),
	FIELD("reps_max", F_U32, struct rl_cmp_group, reps_max),
};

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

		read_fields(g, grp, group_fields, NFIELDS(group_fields));
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
