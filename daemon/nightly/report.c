/* SPDX-License-Identifier: MIT */
/*
 * The night's report: each non-base variant's run of each suite compared
 * with the base's (runs fetched from ringlabd, compared here), as the
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
#include "util/time_fmt.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* A builder that remembers running out of memory, checked once per object. */
struct jb {
	cJSON *obj;
	bool ok;
};

static struct jb jb_new(cJSON *obj)
{
	return (struct jb){ obj, obj != NULL };
}

static void put(struct jb *b, const char *key, cJSON *item)
{
	if (!item || !b->obj || !cJSON_AddItemToObject(b->obj, key, item)) {
		cJSON_Delete(item);
		b->ok = false;
	}
}

static void put_num(struct jb *b, const char *key, double v)
{
	put(b, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

/* A string, or null for NULL or "". */
static void put_str(struct jb *b, const char *key, const char *s)
{
	put(b, key, s && *s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static void put_id(struct jb *b, const char *key, int64_t id)
{
	put(b, key, id > 0 ? cJSON_CreateNumber((double)id) : cJSON_CreateNull());
}

static cJSON *jb_end(struct jb *b)
{
	if (b->ok)
		return b->obj;
	cJSON_Delete(b->obj);
	return NULL;
}

static cJSON *iso_time(int64_t ns)
{
	char buf[RL_TIME_ISO_MAX];

	return ns && rl_time_iso(ns, buf, sizeof(buf)) > 0 ? cJSON_CreateString(buf)
							   : cJSON_CreateNull();
}

/* ---- one variant x suite --------------------------------------------------- */

static cJSON *run_json(const struct rl_nightly_result *r)
{
	struct jb b = jb_new(cJSON_CreateObject());

	put_id(&b, "id", r->run_id);
	put_str(&b, "status", r->run_status);
	put_str(&b, "kernel_release", r->kernel_release);
	put(&b, "exit_status", r->ran ? cJSON_CreateNumber(r->exit_status) : cJSON_CreateNull());
	put_num(&b, "duration_s", r->ran ? r->duration_s : NAN);
	put(&b, "failed", cJSON_CreateBool(r->failed));
	put_str(&b, "error", r->error);
	put_str(&b, "console_tail", r->console_tail);
	put_str(&b, "log_tail", r->log_tail);
	return jb_end(&b);
}

/* The cells of @c in bucket @k, in the few fields a report reader needs. */
static cJSON *cells_in(const struct rl_comparison *c, enum rl_verdict k)
{
	cJSON *arr = cJSON_CreateArray();
	struct jb b;

	for (size_t i = 0; arr && i < c->ncells; i++) {
		const struct rl_cmp_cell *cell = &c->cells[i];

		if (cell->verdict != k)
			continue;
		b = jb_new(cJSON_CreateObject());
		put(&b, "workload", cJSON_CreateString(cell->workload));
		put_num(&b, "jobs", cell->jobs);
		put_num(&b, "base_iops_median", cell->iops.ci.base_median);
		put_num(&b, "head_iops_median", cell->iops.ci.head_median);
		put_num(&b, "ratio", cell->iops.ci.ratio);
		put_num(&b, "ci_lo", cell->iops.has_ci ? cell->iops.ci.lo : NAN);
		put_num(&b, "ci_hi", cell->iops.has_ci ? cell->iops.ci.hi : NAN);
		put_num(&b, "base_verify_failed", cell->base_verify_failed);
		put_num(&b, "head_verify_failed", cell->head_verify_failed);
		if (!jb_end(&b) || !cJSON_AddItemToArray(arr, b.obj)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static enum rl_nightly_status comparison_status(const struct rl_comparison *c)
{
	if (c->total.count[RL_VERDICT_CORRUPT])
		return RL_NIGHTLY_CORRUPT;
	if (c->total.count[RL_VERDICT_REGRESSED])
		return RL_NIGHTLY_REGRESSED;
	return RL_NIGHTLY_OK;
}

/* What compare() found, into the suite entry @b. */
static void put_comparison(struct jb *b, const struct rl_comparison *c)
{
	char line[256];

	put(b, "summary", cJSON_CreateString(rl_cmp_summary_line(&c->total, line, sizeof(line))));
	put(b, "gate", cJSON_CreateBool(rl_comparison_gate(c)));
	put(b, "regressed", cells_in(c, RL_VERDICT_REGRESSED));
	put(b, "corrupt", cells_in(c, RL_VERDICT_CORRUPT));
	put(b, "comparison", rl_comparison_to_json(c));
}

/* An entry without a comparison: why, in the fields a comparison would fill. */
static void put_no_comparison(struct jb *b, const char *why)
{
	put(b, "summary", cJSON_CreateNull());
	put(b, "gate", cJSON_CreateNull());
	put(b, "regressed", cJSON_CreateArray());
	put(b, "corrupt", cJSON_CreateArray());
	put(b, "comparison", cJSON_CreateNull());
	put_str(b, "error", why);
}

/*
 * Fetch both runs from ringlabd and compare them into @b. Returns the
 * entry's status; a comparison that cannot be made is a failed entry, with
 * the reason in "error".
 */
static enum rl_nightly_status compare_into(struct jb *b, const struct rl_nightly_cfg *cfg,
					   const struct rl_client_target *t, int64_t base_id,
					   int64_t head_id)
{
	struct rl_compare_opts o = { .threshold = cfg->threshold };
	struct rl_run_set base = { 0 }, head = { 0 };
	struct rl_err err = { "" };
	struct rl_comparison c;
	enum rl_nightly_status st = RL_NIGHTLY_FAILED;
	int ret;

	ret = rl_run_set_add_fetched(&base, t, base_id, &err);
	if (!ret)
		ret = rl_run_set_add_fetched(&head, t, head_id, &err);
	if (!ret)
		ret = rl_compare_runs(base.ptrs, base.n, head.ptrs, head.n, &o, &c, &err);
	rl_run_set_free(&base);
	rl_run_set_free(&head);
	if (ret) {
		put_no_comparison(b, err.msg);
		return st;
	}
	put_comparison(b, &c);
	put(b, "error", cJSON_CreateNull());
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

/* The entry of variant @vi, suite @si. Returns it, or NULL when out of memory. */
static cJSON *suite_entry(struct rl_nightly_night *n, const struct rl_client_target *t,
			  uint32_t vi, uint32_t si, enum rl_nightly_status *status)
{
	const struct rl_nightly_cfg *cfg = n->cfg;
	const struct rl_nightly_result *r = rl_nightly_result_at(n, vi, si);
	const struct rl_nightly_result *base = rl_nightly_result_at(n, cfg->base_index, si);
	struct jb b = jb_new(cJSON_CreateObject());
	enum rl_nightly_status st = r->failed ? RL_NIGHTLY_FAILED : RL_NIGHTLY_OK;
	char why[RL_ERR_MSG_MAX + 64];

	put(&b, "suite", cJSON_CreateString(cfg->suites[si]));
	put(&b, "run", run_json(r));
	if (vi == cfg->base_index) {
		put(&b, "base_run_id", cJSON_CreateNull());
		put_no_comparison(&b, r->failed ? r->error : NULL);
	} else {
		put_id(&b, "base_run_id", base->run_id);
		if (r->run_id > 0 && base->run_id > 0) {
			st = max_status(st, compare_into(&b, cfg, t, base->run_id, r->run_id));
			/* The run's own failure explains more than what it did to the comparison. */
			if (r->failed)
				cJSON_ReplaceItemInObjectCaseSensitive(b.obj, "error",
								       cJSON_CreateString(r->error));
		} else {
			snprintf(why, sizeof(why), "%s%s", r->run_id > 0 ? "no base run to compare with: " : "",
				 r->run_id > 0 ? base->error : r->error);
			put_no_comparison(&b, why);
			st = RL_NIGHTLY_FAILED;
		}
	}
	put(&b, "status", cJSON_CreateString(rl_nightly_status_name(st)));
	*status = st;
	return jb_end(&b);
}

static cJSON *variant_entry(struct rl_nightly_night *n, const struct rl_client_target *t,
			    uint32_t vi, unsigned *counts, enum rl_nightly_status *status)
{
	const struct rl_nightly_variant *v = &n->cfg->v[vi];
	struct jb b = jb_new(cJSON_CreateObject());
	enum rl_nightly_status worst = RL_NIGHTLY_OK, st;
	cJSON *suites = cJSON_CreateArray(), *e;

	for (uint32_t si = 0; suites && si < n->cfg->nsuites; si++) {
		e = suite_entry(n, t, vi, si, &st);
		if (!e || !cJSON_AddItemToArray(suites, e)) {
			cJSON_Delete(e);
			cJSON_Delete(suites);
			suites = NULL;
			break;
		}
		counts[st]++;
		worst = max_status(worst, st);
	}
	put(&b, "name", cJSON_CreateString(v->name));
	put(&b, "kind", cJSON_CreateString(v->kind_name));
	put_str(&b, "description", v->description);
	put(&b, "base", cJSON_CreateBool(vi == n->cfg->base_index));
	put(&b, "status", cJSON_CreateString(rl_nightly_status_name(worst)));
	put(&b, "suites", suites);
	*status = worst;
	return jb_end(&b);
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

static cJSON *string_list(const char (*items)[RL_NAME_MAX], uint32_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (uint32_t i = 0; arr && i < n; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(items[i]))) {
			cJSON_Delete(arr);
			return NULL;
		}
	return arr;
}

static void put_header(struct jb *b, const struct rl_nightly_night *n)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	put(b, "format", cJSON_CreateString(RL_NIGHTLY_FORMAT));
	put(b, "label", cJSON_CreateString(n->label));
	put(b, "started", iso_time(n->started_ns));
	put_num(b, "started_ns", (double)n->started_ns);
	put(b, "finished", iso_time(n->finished_ns));
	put_num(b, "finished_ns", (double)n->finished_ns);
	put_num(b, "duration_s", (double)(n->finished_ns - n->started_ns) / 1e9);
	put_str(b, "hostname", host);
	put(b, "ringlab_version", cJSON_CreateString(PACKAGE_VERSION));
	put(b, "base", cJSON_CreateString(n->cfg->base));
	put(b, "suites", string_list(n->cfg->suites, n->cfg->nsuites));
	put_num(b, "threshold", n->cfg->threshold);
	put(b, "ringlab_args", cJSON_CreateString(n->cfg->ringlab_args));
	put(b, "interrupted", cJSON_CreateBool(n->interrupted));
}

static cJSON *counts_json(const unsigned *counts)
{
	struct jb b = jb_new(cJSON_CreateObject());

	for (int s = 0; s < RL_NIGHTLY_STATUS_MAX; s++)
		put_num(&b, rl_nightly_status_name(s), counts[s]);
	return jb_end(&b);
}

int rl_nightly_report(struct rl_nightly_night *n, const struct rl_client_target *t, cJSON **out,
		      enum rl_nightly_status *status)
{
	struct jb b = jb_new(cJSON_CreateObject());
	unsigned counts[RL_NIGHTLY_STATUS_MAX] = { 0 };
	enum rl_nightly_status worst = RL_NIGHTLY_OK, st;
	cJSON *variants = cJSON_CreateArray(), *e;
	char line[RL_ERR_MSG_MAX];

	*out = NULL;
	put_header(&b, n);
	for (uint32_t vi = 0; variants && vi < n->cfg->nvariants; vi++) {
		e = variant_entry(n, t, vi, counts, &st);
		if (!e || !cJSON_AddItemToArray(variants, e)) {
			cJSON_Delete(e);
			cJSON_Delete(variants);
			variants = NULL;
			break;
		}
		worst = max_status(worst, st);
	}
	/* A night cut short is not a clean bill of health, whatever ran. */
	if (n->interrupted)
		worst = max_status(worst, RL_NIGHTLY_FAILED);
	summary_line(n, counts, line, sizeof(line));
	put(&b, "status", cJSON_CreateString(rl_nightly_status_name(worst)));
	put(&b, "summary", cJSON_CreateString(line));
	put(&b, "counts", counts_json(counts));
	put(&b, "variants", variants);
	*out = jb_end(&b);
	*status = worst;
	return *out ? 0 : -ENOMEM;
}

/* ---- as text --------------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *key, const char *def)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : def;
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* What one entry says, after its variant and suite. */
static void print_entry(FILE *out, const cJSON *e, bool is_base, const char *url)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(e, "run");
	const char *status = jstr(e, "status", "?");
	double id = jnum(run, "id"), base_id = jnum(e, "base_run_id");

	fprintf(out, " %-9s", status);
	if (!isnan(id))
		fprintf(out, " run %.0f (%s, %.1f s)", id, jstr(run, "status", "?"),
			jnum(run, "duration_s"));
	if (!is_base && jstr(e, "summary", NULL))
		fprintf(out, ": %s", jstr(e, "summary", ""));
	if (jstr(e, "error", NULL))
		fprintf(out, "\n      %s", jstr(e, "error", ""));
	if (!is_base && !isnan(id) && !isnan(base_id) && jstr(e, "summary", NULL))
		fprintf(out, "\n      %s/#/compare?base=%.0f&head=%.0f", url, base_id, id);
	fputc('\n', out);
}

void rl_nightly_print(FILE *out, const cJSON *report, const char *daemon_url,
		      const char *report_url)
{
	const cJSON *variants = cJSON_GetObjectItemCaseSensitive(report, "variants"), *v, *e;

	fprintf(out, "%s: base %s, started %s\n", jstr(report, "label", "?"),
		jstr(report, "base", "?"), jstr(report, "started", "?"));
	cJSON_ArrayForEach(v, variants) {
		bool is_base = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "base"));

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "suites")) {
			fprintf(out, "  %-16s %-24s", jstr(v, "name", "?"), jstr(e, "suite", "?"));
			print_entry(out, e, is_base, daemon_url);
		}
	}
	fprintf(out, "verdict: %s: %s\n", jstr(report, "status", "?"), jstr(report, "summary", ""));
	if (report_url)
		fprintf(out, "report: %s\n", report_url);
}
