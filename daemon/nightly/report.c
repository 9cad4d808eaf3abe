/* SPDX-License-Identifier: MIT */
/*
 * The night's report: each non-base variant's run of each suite compared
 * with the base's, a family version's with its FAMILY:base and with the
 * version before it (runs fetched from ringlabd, compared here), the
 * families' versions x cells matrices (matrix.c), as the
 * "ringlab-nightly-1" JSON document ringlabd stores, and as text.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "nightly.h"
#include "client/run_source.h"
#include "util/json.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* What the report's entries share: the night, ringlabd, the matrices being filled. */
struct report_ctx {
	struct rl_nightly_night *n;
	const struct rl_client_target *t;
	cJSON *matrix[RL_NIGHTLY_FAMILIES_MAX][RL_NIGHTLY_SUITES_MAX];	/* NULL: none */
	bool oom;			/* a matrix could not be filled */
};

/* A run id, or null for none (0: not imported). */
static void put_id(struct rl_jb *b, const char *key, int64_t id)
{
	rl_jb_put(b, key, id > 0 ? cJSON_CreateNumber((double)id) : cJSON_CreateNull());
}

/*
 * Append @item (NULL: its allocation failed) to the array *@arr. On failure
 * both are freed and *@arr becomes NULL, which the rl_jb_put() of the array
 * then counts against its object. Returns whether @item was added.
 */
static bool append(cJSON **arr, cJSON *item)
{
	if (*arr && item && cJSON_AddItemToArray(*arr, item))
		return true;
	cJSON_Delete(item);
	cJSON_Delete(*arr);
	*arr = NULL;
	return false;
}

/* ---- one variant x suite --------------------------------------------------- */

static cJSON *run_json(const struct rl_nightly_result *r)
{
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());

	put_id(&b, "id", r->run_id);
	rl_jb_str_or_null(&b, "status", r->run_status);
	rl_jb_str_or_null(&b, "kernel_release", r->kernel_release);
	rl_jb_str_or_null(&b, "tcg_thread", r->tcg_thread);
	rl_jb_str_or_null(&b, "host", r->host);
	rl_jb_put(&b, "exit_status",
		  r->ran ? cJSON_CreateNumber(r->exit_status) : cJSON_CreateNull());
	rl_jb_num(&b, "duration_s", r->ran ? r->duration_s : NAN);
	rl_jb_put(&b, "failed", cJSON_CreateBool(r->failed));
	rl_jb_str_or_null(&b, "error", r->error);
	rl_jb_str_or_null(&b, "console_tail", r->console_tail);
	rl_jb_str_or_null(&b, "log_tail", r->log_tail);
	return rl_jb_end(&b);
}

/* The cells of @c with verdict @k, in the few fields a report reader needs. */
static cJSON *cells_in(const struct rl_comparison *c, enum rl_verdict k)
{
	cJSON *arr = cJSON_CreateArray();
	struct rl_jb b;

	for (size_t i = 0; arr && i < c->ncells; i++) {
		const struct rl_cmp_cell *cell = &c->cells[i];

		if (cell->verdict != k)
			continue;
		b = rl_jb_new(cJSON_CreateObject());
		rl_jb_put(&b, "workload", cJSON_CreateString(cell->workload));
		rl_jb_num(&b, "jobs", cell->jobs);
		rl_jb_num(&b, "base_iops_median", cell->iops.ci.base_median);
		rl_jb_num(&b, "head_iops_median", cell->iops.ci.head_median);
		rl_jb_num(&b, "ratio", cell->iops.ci.ratio);
		rl_jb_num(&b, "ci_lo", cell->iops.has_ci ? cell->iops.ci.lo : NAN);
		rl_jb_num(&b, "ci_hi", cell->iops.has_ci ? cell->iops.ci.hi : NAN);
		rl_jb_num(&b, "base_verify_failed", cell->base_verify_failed);
		rl_jb_num(&b, "head_verify_failed", cell->head_verify_failed);
		rl_jb_str_or_null(&b, "verify_found", cell->verify_found);
		rl_jb_put(&b, "eagain_verdict",
			  cJSON_CreateString(rl_cmp_eagain_name(cell->eagain_verdict)));
		rl_jb_num(&b, "eagain_base_rate", cell->eagain_verdict == RL_CMP_EAGAIN_CHANGED ?
			  cell->eagain.base.mean : NAN);
		rl_jb_num(&b, "eagain_head_rate", cell->eagain_verdict == RL_CMP_EAGAIN_CHANGED ?
			  cell->eagain.head.mean : NAN);
		if (!append(&arr, rl_jb_end(&b)))
			return NULL;
	}
	return arr;
}

/* A cell whose IOPS regressed and whose EAGAIN changed counts as regressed: see the gate. */
static bool any_eagain_change(const struct rl_comparison *c)
{
	for (size_t i = 0; i < c->ncells; i++)
		if (!c->cells[i].incompatible && c->cells[i].eagain_verdict == RL_CMP_EAGAIN_CHANGED)
			return true;
	return false;
}

static enum rl_nightly_status comparison_status(const struct rl_comparison *c)
{
	if (c->total.count[RL_VERDICT_CORRUPT])
		return RL_NIGHTLY_CORRUPT;
	if (c->total.count[RL_VERDICT_REGRESSED])
		return RL_NIGHTLY_REGRESSED;
	if (any_eagain_change(c))
		return RL_NIGHTLY_EAGAIN;
	return RL_NIGHTLY_OK;
}

/* What compare() found, into the entry @b: the comparison itself is the caller's to add. */
static void put_comparison(struct rl_jb *b, const struct rl_comparison *c)
{
	char line[256];

	rl_jb_put(b, "summary",
		  cJSON_CreateString(rl_cmp_summary_line(&c->total, line, sizeof(line))));
	rl_jb_put(b, "gate", cJSON_CreateBool(rl_comparison_gate(c)));
	rl_jb_put(b, "regressed", cells_in(c, RL_VERDICT_REGRESSED));
	rl_jb_put(b, "eagain_changed", cells_in(c, RL_VERDICT_EAGAIN));
	rl_jb_put(b, "corrupt", cells_in(c, RL_VERDICT_CORRUPT));
}

/*
 * An entry without a comparison: why, in the fields a comparison would
 * fill; "comparison" too when @full (the entries against the base carry it).
 */
static void put_no_comparison(struct rl_jb *b, const char *why, bool full)
{
	rl_jb_put(b, "summary", cJSON_CreateNull());
	rl_jb_put(b, "gate", cJSON_CreateNull());
	rl_jb_put(b, "regressed", cJSON_CreateArray());
	rl_jb_put(b, "eagain_changed", cJSON_CreateArray());
	rl_jb_put(b, "corrupt", cJSON_CreateArray());
	if (full)
		rl_jb_put(b, "comparison", cJSON_CreateNull());
	rl_jb_str_or_null(b, "error", why);
}

/* Both runs fetched from ringlabd and compared into @c (free it). Returns 0 or -errno, why in @err. */
static int fetch_compare(const struct report_ctx *x, int64_t base_id, int64_t head_id,
			 struct rl_comparison *c, struct rl_err *err)
{
	struct rl_compare_opts o = { .threshold = x->n->cfg->threshold };
	struct rl_run_set base = { 0 }, head = { 0 };
	int ret;

	ret = rl_run_set_add_fetched(&base, x->t, base_id, err);
	if (!ret)
		ret = rl_run_set_add_fetched(&head, x->t, head_id, err);
	if (!ret)
		ret = rl_compare_runs(base.ptrs, base.n, head.ptrs, head.n, &o, c, err);
	rl_run_set_free(&base);
	rl_run_set_free(&head);
	return ret;
}

/* Where an entry's cells go: its family's matrix for its suite, NULL for none. */
struct matrix_slot {
	cJSON *m;
	const char *variant;
	const char *side;	/* "vs_base", "vs_previous" */
};

/*
 * Compare @base_id with @head_id into the entry @b (with the comparison's
 * JSON when @full) and its cells into @ms's matrix. Returns the entry's
 * status; a comparison that cannot be made is a failed entry, with the
 * reason in "error".
 */
static enum rl_nightly_status compare_into(struct rl_jb *b, struct report_ctx *x,
					   int64_t base_id, int64_t head_id,
					   const struct matrix_slot *ms, bool full)
{
	struct rl_err err = { "" };
	struct rl_comparison c;
	enum rl_nightly_status st;
	cJSON *json;

	if (fetch_compare(x, base_id, head_id, &c, &err)) {
		put_no_comparison(b, err.msg, full);
		return RL_NIGHTLY_FAILED;
	}
	json = rl_comparison_to_json(&c);
	if (!json || (ms->m && rl_nightly_matrix_add(ms->m, ms->variant, ms->side, json) < 0))
		x->oom = true;
	put_comparison(b, &c);
	if (full)
		rl_jb_put(b, "comparison", json);
	else
		cJSON_Delete(json);
	rl_jb_put(b, "error", cJSON_CreateNull());
	/* Nothing comparable (an incompatible pair) is no verdict: a failure to see. */
	st = rl_comparison_comparable(&c) || rl_comparison_gate(&c) ? comparison_status(&c)
								   : RL_NIGHTLY_FAILED;
	rl_comparison_free(&c);
	return st;
}

static enum rl_nightly_status max_status(enum rl_nightly_status a, enum rl_nightly_status b)
{
	return a > b ? a : b;
}

/*
 * @r's run against @base's (variant @base_name) into the entry @b: compared
 * when both came back, else why not. Returns the status, at least failed
 * when @r failed.
 */
static enum rl_nightly_status against(struct rl_jb *b, struct report_ctx *x,
				      const struct rl_nightly_result *r,
				      const struct rl_nightly_result *base, const char *base_name,
				      const struct matrix_slot *ms, bool full)
{
	enum rl_nightly_status st = r->failed ? RL_NIGHTLY_FAILED : RL_NIGHTLY_OK;
	char why[RL_ERR_MSG_MAX + 128];

	if (r->run_id <= 0 || base->run_id <= 0) {
		if (r->run_id > 0)
			snprintf(why, sizeof(why), "no run of %s to compare with: %s", base_name,
				 base->error);
		else
			snprintf(why, sizeof(why), "%s", r->error);
		put_no_comparison(b, why, full);
		return RL_NIGHTLY_FAILED;
	}
	st = max_status(st, compare_into(b, x, base->run_id, r->run_id, ms, full));
	/* The run's own failure explains more than what it did to the comparison. */
	if (r->failed)
		cJSON_ReplaceItemInObjectCaseSensitive(b->obj, "error", cJSON_CreateString(r->error));
	return st;
}

/* The matrix a family version's entries of suite @si go to; NULL for other variants. */
static cJSON *matrix_of(const struct report_ctx *x, const struct rl_nightly_variant *v,
			uint32_t si)
{
	return v->family >= 0 && strcmp(v->version, "base") ? x->matrix[v->family][si] : NULL;
}

/* A family version's run against the version before it: shown, never gated. */
static cJSON *previous_entry(struct report_ctx *x, uint32_t vi, uint32_t si,
			     enum rl_nightly_status *status)
{
	const struct rl_nightly_variant *v = &x->n->cfg->v[vi];
	const struct rl_nightly_result *prev = rl_nightly_result_at(x->n, (uint32_t)v->previous, si);
	struct matrix_slot ms = { matrix_of(x, v, si), v->name, "vs_previous" };
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());

	rl_jb_put(&b, "variant", cJSON_CreateString(x->n->cfg->v[v->previous].name));
	put_id(&b, "run_id", prev->run_id);
	*status = against(&b, x, rl_nightly_result_at(x->n, vi, si), prev,
			  x->n->cfg->v[v->previous].name, &ms, false);
	rl_jb_put(&b, "status", cJSON_CreateString(rl_nightly_status_name(*status)));
	return rl_jb_end(&b);
}

/* The entry of variant @vi, suite @si. Returns it, or NULL when out of memory. */
static cJSON *suite_entry(struct report_ctx *x, uint32_t vi, uint32_t si,
			  enum rl_nightly_status *status)
{
	const struct rl_nightly_cfg *cfg = x->n->cfg;
	const struct rl_nightly_variant *v = &cfg->v[vi];
	const struct rl_nightly_result *r = rl_nightly_result_at(x->n, vi, si), *base;
	struct matrix_slot ms = { matrix_of(x, v, si), v->name, "vs_base" };
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());
	enum rl_nightly_status st = r->failed ? RL_NIGHTLY_FAILED : RL_NIGHTLY_OK;
	enum rl_nightly_status prev_st = RL_NIGHTLY_OK;

	rl_jb_put(&b, "suite", cJSON_CreateString(cfg->suites[si]));
	rl_jb_put(&b, "run", run_json(r));
	if (v->compare_with < 0) {
		rl_jb_put(&b, "base_run_id", cJSON_CreateNull());
		put_no_comparison(&b, r->failed ? r->error : NULL, true);
	} else {
		base = rl_nightly_result_at(x->n, (uint32_t)v->compare_with, si);
		put_id(&b, "base_run_id", base->run_id);
		st = against(&b, x, r, base, cfg->v[v->compare_with].name, &ms, true);
	}
	rl_jb_put(&b, "status", cJSON_CreateString(rl_nightly_status_name(st)));
	if (v->previous >= 0)
		rl_jb_put(&b, "previous", previous_entry(x, vi, si, &prev_st));
	else
		rl_jb_put(&b, "previous", cJSON_CreateNull());
	if (ms.m)
		rl_nightly_matrix_status(ms.m, v->name, rl_nightly_status_name(st),
					 v->previous >= 0 ? rl_nightly_status_name(prev_st) : NULL);
	*status = st;
	return rl_jb_end(&b);
}

static cJSON *variant_entry(struct report_ctx *x, uint32_t vi, unsigned *counts,
			    enum rl_nightly_status *status)
{
	const struct rl_nightly_cfg *cfg = x->n->cfg;
	const struct rl_nightly_variant *v = &cfg->v[vi];
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());
	enum rl_nightly_status worst = RL_NIGHTLY_OK, st;
	cJSON *suites = cJSON_CreateArray();

	for (uint32_t si = 0; suites && si < cfg->nsuites; si++) {
		if (!append(&suites, suite_entry(x, vi, si, &st)))
			break;
		counts[st]++;
		worst = max_status(worst, st);
	}
	rl_jb_put(&b, "name", cJSON_CreateString(v->name));
	rl_jb_put(&b, "kind", cJSON_CreateString(v->kind_name));
	rl_jb_str_or_null(&b, "description", v->description);
	rl_jb_put(&b, "base", cJSON_CreateBool(vi == cfg->base_index));
	rl_jb_str_or_null(&b, "family", v->family >= 0 ? cfg->families[v->family].name : NULL);
	rl_jb_str_or_null(&b, "version", v->version);
	rl_jb_str_or_null(&b, "compared_with", v->compare_with >= 0 ? cfg->v[v->compare_with].name : NULL);
	rl_jb_str_or_null(&b, "previous", v->previous >= 0 ? cfg->v[v->previous].name : NULL);
	rl_jb_put(&b, "status", cJSON_CreateString(rl_nightly_status_name(worst)));
	rl_jb_put(&b, "suites", suites);
	*status = worst;
	return rl_jb_end(&b);
}

/* ---- the night ------------------------------------------------------------- */

/* "1 regressed, 1 failed, 2 ok (3 variants x 1 suite)", worst first. */
static void summary_line(const struct rl_nightly_night *n, const unsigned *counts, char *buf,
			 size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int s = RL_NIGHTLY_STATUS_MAX - 1; s >= 0; s--)
		if (counts[s] && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%u %s", used ? ", " : "",
						 counts[s], rl_nightly_status_name(s));
	if (used < len)
		snprintf(buf + used, len - used, " (%u variant%s x %u suite%s)%s", n->cfg->nvariants,
			 n->cfg->nvariants == 1 ? "" : "s", n->cfg->nsuites,
			 n->cfg->nsuites == 1 ? "" : "s", n->interrupted ? "; interrupted" : "");
}

/* @n strings of @stride bytes each from @items, as a JSON array. */
static cJSON *string_list(const char *items, size_t stride, uint32_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (uint32_t i = 0; arr && i < n; i++)
		append(&arr, cJSON_CreateString(items + i * stride));
	return arr;
}

/* The night's members of family @fi, base first, then the versions in its order. */
static cJSON *members(const struct rl_nightly_cfg *cfg, uint32_t fi)
{
	const struct rl_nightly_family *f = &cfg->families[fi];
	cJSON *arr = cJSON_CreateArray();
	char name[RL_NIGHTLY_VARIANT_NAME_MAX + RL_NIGHTLY_VERSION_MAX];

	for (uint32_t k = 0; arr && k <= f->nversions; k++) {
		snprintf(name, sizeof(name), "%s:%s", f->name, k ? f->versions[k - 1] : "base");
		for (uint32_t i = 0; i < cfg->nvariants; i++)
			if (!strcmp(cfg->v[i].name, name))
				append(&arr, cJSON_CreateString(name));
	}
	return arr;
}

static cJSON *family_json(const struct rl_nightly_cfg *cfg, uint32_t fi)
{
	const struct rl_nightly_family *f = &cfg->families[fi];
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());

	rl_jb_put(&b, "name", cJSON_CreateString(f->name));
	rl_jb_put(&b, "manifest", cJSON_CreateString(f->manifest));
	rl_jb_put(&b, "kind", cJSON_CreateString(f->kind));
	rl_jb_str_or_null(&b, "description", f->description);
	rl_jb_put(&b, "versions", string_list(f->versions[0], sizeof(f->versions[0]), f->nversions));
	rl_jb_put(&b, "members", members(cfg, fi));
	return rl_jb_end(&b);
}

static cJSON *families_json(const struct rl_nightly_cfg *cfg)
{
	cJSON *arr = cJSON_CreateArray();

	for (uint32_t fi = 0; arr && fi < cfg->nfamilies; fi++)
		append(&arr, family_json(cfg, fi));
	return arr;
}

static void put_header(struct rl_jb *b, const struct rl_nightly_night *n)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	rl_jb_put(b, "format", cJSON_CreateString(RL_NIGHTLY_FORMAT));
	rl_jb_put(b, "label", cJSON_CreateString(n->label));
	rl_jb_put(b, "started", rl_json_iso_time(n->started_ns));
	rl_jb_num(b, "started_ns", (double)n->started_ns);
	rl_jb_put(b, "finished", rl_json_iso_time(n->finished_ns));
	rl_jb_num(b, "finished_ns", (double)n->finished_ns);
	rl_jb_num(b, "duration_s", (double)(n->finished_ns - n->started_ns) / 1e9);
	rl_jb_str_or_null(b, "hostname", host);
	rl_jb_put(b, "ringlab_version", cJSON_CreateString(PACKAGE_VERSION));
	rl_jb_put(b, "base", cJSON_CreateString(n->cfg->base));
	rl_jb_put(b, "suites", string_list(n->cfg->suites[0], sizeof(n->cfg->suites[0]),
					   n->cfg->nsuites));
	rl_jb_num(b, "threshold", n->cfg->threshold);
	rl_jb_put(b, "ringlab_args", cJSON_CreateString(n->cfg->ringlab_args));
	rl_jb_put(b, "interrupted", cJSON_CreateBool(n->interrupted));
	rl_jb_put(b, "families", families_json(n->cfg));
}

static cJSON *counts_json(const unsigned *counts)
{
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());

	for (int s = 0; s < RL_NIGHTLY_STATUS_MAX; s++)
		rl_jb_num(&b, rl_nightly_status_name(s), counts[s]);
	return rl_jb_end(&b);
}

/* An empty matrix per family x suite with a version tonight; false when out of memory. */
static bool new_matrices(struct report_ctx *x)
{
	bool oom = false;

	for (uint32_t fi = 0; fi < x->n->cfg->nfamilies; fi++)
		for (uint32_t si = 0; !oom && si < x->n->cfg->nsuites; si++)
			x->matrix[fi][si] = rl_nightly_matrix_new(x->n, fi, si, &oom);
	return !oom;
}

/* The matrices, family-major; each moves into the array (or is freed). */
static cJSON *matrices_json(struct report_ctx *x)
{
	cJSON *arr = cJSON_CreateArray();

	for (uint32_t fi = 0; fi < x->n->cfg->nfamilies; fi++) {
		for (uint32_t si = 0; si < x->n->cfg->nsuites; si++) {
			if (x->matrix[fi][si] && !append(&arr, x->matrix[fi][si]))
				x->oom = true;
			x->matrix[fi][si] = NULL;
		}
	}
	if (!x->oom)
		return arr;
	cJSON_Delete(arr);
	return NULL;
}

int rl_nightly_report(struct rl_nightly_night *n, const struct rl_client_target *t, cJSON **out,
		      enum rl_nightly_status *status)
{
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());
	unsigned counts[RL_NIGHTLY_STATUS_MAX] = { 0 };
	enum rl_nightly_status worst = RL_NIGHTLY_OK, st;
	cJSON *variants = cJSON_CreateArray();
	struct report_ctx x = { .n = n, .t = t };
	char line[RL_ERR_MSG_MAX];

	*out = NULL;
	put_header(&b, n);
	x.oom = !new_matrices(&x);
	for (uint32_t vi = 0; variants && vi < n->cfg->nvariants; vi++) {
		if (!append(&variants, variant_entry(&x, vi, counts, &st)))
			break;
		worst = max_status(worst, st);
	}
	/* A night cut short is not a clean bill of health, whatever ran. */
	if (n->interrupted)
		worst = max_status(worst, RL_NIGHTLY_FAILED);
	summary_line(n, counts, line, sizeof(line));
	rl_jb_put(&b, "status", cJSON_CreateString(rl_nightly_status_name(worst)));
	rl_jb_put(&b, "summary", cJSON_CreateString(line));
	rl_jb_put(&b, "counts", counts_json(counts));
	rl_jb_put(&b, "variants", variants);
	rl_jb_put(&b, "matrices", matrices_json(&x));
	*out = rl_jb_end(&b);
	*status = worst;
	return *out ? 0 : -ENOMEM;
}

/* ---- as text --------------------------------------------------------------- */

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* What one entry says, after its variant and suite; @width: the status column's. */
static void print_entry(FILE *out, const cJSON *e, bool is_base, const char *url, int width)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(e, "run");
	const char *status = rl_json_str(e, "status", "?");
	double id = rl_json_num(run, "id", NAN), base_id = rl_json_num(e, "base_run_id", NAN);

	fprintf(out, " %-*s", width, status);
	if (!isnan(id))
		fprintf(out, " run %.0f (%s, %.1f s)", id, rl_json_str(run, "status", "?"),
			rl_json_num(run, "duration_s", NAN));
	if (!is_base && rl_json_str(e, "summary", NULL))
		fprintf(out, ": %s", rl_json_str(e, "summary", ""));
	if (rl_json_str(e, "error", NULL))
		fprintf(out, "\n      %s", rl_json_str(e, "error", ""));
	if (!is_base && !isnan(id) && !isnan(base_id) && rl_json_str(e, "summary", NULL))
		fprintf(out, "\n      %s/#/compare?base=%.0f&head=%.0f", url, base_id, id);
	fputc('\n', out);
}

/* A family version against the version before it: "vs fam:v1: STATUS: summary", and the link. */
static void print_previous(FILE *out, const cJSON *e, const char *url)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "previous");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(e, "run");
	double id = rl_json_num(run, "id", NAN), prev_id = rl_json_num(p, "run_id", NAN);

	if (!cJSON_IsObject(p))
		return;
	fprintf(out, "      vs %s: %s", rl_json_str(p, "variant", "?"), rl_json_str(p, "status", "?"));
	if (rl_json_str(p, "summary", NULL))
		fprintf(out, ": %s", rl_json_str(p, "summary", ""));
	else if (rl_json_str(p, "error", NULL))
		fprintf(out, ": %s", rl_json_str(p, "error", ""));
	if (!isnan(id) && !isnan(prev_id) && rl_json_str(p, "summary", NULL))
		fprintf(out, "\n      %s/#/compare?base=%.0f&head=%.0f", url, prev_id, id);
	fputc('\n', out);
}

/* The widest of @min and the entries' @key strings ("?" for none), as the text prints them. */
static int column_width(const cJSON *variants, bool of_entries, const char *key, int min)
{
	const cJSON *v, *e;
	int width = min;

	cJSON_ArrayForEach(v, variants) {
		if (!of_entries) {
			width = max_int(width, (int)strlen(rl_json_str(v, key, "?")));
			continue;
		}
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "suites"))
			width = max_int(width, (int)strlen(rl_json_str(e, key, "?")));
	}
	return width;
}

void rl_nightly_print(FILE *out, const cJSON *report, const char *daemon_url,
		      const char *report_url)
{
	const cJSON *variants = cJSON_GetObjectItemCaseSensitive(report, "variants"), *v, *e;
	/* Each column as wide as its longest value, so the rows line up (eagain-changed: 14). */
	int name_w = column_width(variants, false, "name", 16);
	int suite_w = column_width(variants, true, "suite", 24);
	int status_w = column_width(variants, true, "status", 0);

	fprintf(out, "%s: base %s, started %s\n", rl_json_str(report, "label", "?"),
		rl_json_str(report, "base", "?"), rl_json_str(report, "started", "?"));
	cJSON_ArrayForEach(v, variants) {
		bool is_base = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "base"));

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "suites")) {
			fprintf(out, "  %-*s %-*s", name_w, rl_json_str(v, "name", "?"), suite_w,
				rl_json_str(e, "suite", "?"));
			print_entry(out, e, is_base, daemon_url, status_w);
			print_previous(out, e, daemon_url);
		}
	}
	fprintf(out, "verdict: %s: %s\n", rl_json_str(report, "status", "?"),
		rl_json_str(report, "summary", ""));
	if (report_url)
		fprintf(out, "report: %s\n", report_url);
}
