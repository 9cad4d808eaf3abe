/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/compare (base against head, each named as `ringlab compare`
 * names runs of a daemon: run:ID or a bare id, several joined by commas,
 * label:TEXT or kernel:TAG) and GET /api/v1/history (one workload x jobs across runs).
 * Both read the store's cell summaries, never a run's packed cells. Runs are
 * loaded one at a time, each under the store lock, so a long comparison
 * never holds the store from other requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "compare/hosts.h"
#include "routes.h"
#include "store/store.h"
#include "util/json.h"

#define SIDE_RUNS_MAX 100	/* runs pooled per side, as `ringlab compare label:` pools */
#define HISTORY_SCAN_MAX 5000	/* done runs looked at for one history */

struct side {
	struct rl_run *runs;
	const struct rl_run **ptrs;
	size_t n;
	int matched;		/* the runs the side names, before the newest SIDE_RUNS_MAX */
};

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		rl_run_free(&s->runs[i]);
	free(s->runs);
	free(s->ptrs);
	memset(s, 0, sizeof(*s));
}

#define SIDE_SPELLINGS "a run id or run:ID, several joined by commas, label:TEXT or kernel:TAG"

/* Whether ids[@n] is one of ids[0..@n). */
static bool named_before(const int64_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == ids[n])
			return true;
	return false;
}

/*
 * The runs a list names: "12", "run:12" or several joined by commas
 * ("run:12,run:14"), as `ringlab compare` names runs of a daemon. Returns
 * the count, or -EINVAL after replying 400 (also for a run named twice).
 */
static int list_ids(struct rl_http_req *r, const char *which, const char *spec, int64_t *ids)
{
	struct rl_err err = { "" };
	const char *p = spec, *id;
	char item[32];
	int n = 0;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (n == SIDE_RUNS_MAX) {
			rl_http_reply_error(r, 400, NULL, "query %s: more than %d runs", which,
					    SIDE_RUNS_MAX);
			return -EINVAL;
		}
		snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1), p);
		id = strncmp(item, "run:", 4) ? item : item + 4;
		if (!len || len >= sizeof(item) ||
		    rl_http_parse_int(which, id, 1, INT64_MAX, 0, &ids[n], &err) < 0) {
			rl_http_reply_error(r, 400, NULL, "query %s: '%.32s' is not a run (%s)", which,
					    item, SIDE_SPELLINGS);
			return -EINVAL;
		}
		if (named_before(ids, n)) {
			/* Pooled twice, its repetitions would narrow the interval they do not earn. */
			rl_http_reply_error(r, 400, NULL, "query %s: run %" PRId64 " is named twice",
					    which, ids[n]);
			return -EINVAL;
		}
		n++;
		if (!p[len])
			return n;
		p += len + 1;
	}
}

/*
 * How many done runs a full label: or kernel: side matched, of which it
 * takes the newest: `ringlab compare` says so. Counted only when the side
 * is full; @n otherwise (and when the count fails: it is only a warning).
 */
static int side_matched(struct rl_store *store, const char *label, const char *tag,
			const char *host, int n)
{
	struct rl_store_filter f = {
		.label = label, .kernel_tag = tag, .host = host, .status = "done", .limit = 1,
	};
	struct rl_err err = { "" };
	cJSON *list = NULL;
	int total = n;

	if (n == SIDE_RUNS_MAX && rl_store_runs_list(store, &f, &list, &total, &err) < 0)
		total = n;
	cJSON_Delete(list);
	return total > n ? total : n;
}

/*
 * The ids @spec names, and how many runs it matched into *@matched. Returns
 * the count, or -errno after replying (the caller only needs to know that
 * it failed: the reply says why).
 */
static int side_ids(struct rl_http_req *r, const char *which, const char *spec, int64_t *ids,
		    int *matched)
{
	struct rl_err err = { "" };
	struct rl_store *store;
	const char *label = NULL, *tag = NULL;
	int n;

	if (!spec || !*spec) {
		rl_http_reply_error(r, 400, NULL, "query %s: missing (%s)", which, SIDE_SPELLINGS);
		return -EINVAL;
	}
	if (!strncmp(spec, "label:", 6))
		label = spec + 6;
	else if (!strncmp(spec, "kernel:", 7))
		tag = spec + 7;
	else
		return *matched = list_ids(r, which, spec, ids);
	if (!*(label ? label : tag)) {
		rl_http_reply_error(r, 400, NULL, "query %s: '%s' names nothing", which, spec);
		return -EINVAL;
	}
	store = rl_daemon_store_lock(r->d);
	n = rl_store_run_ids_host(store, label, tag, rl_http_query(r, "host"), ids, SIDE_RUNS_MAX,
				  &err);
	if (n > 0)
		*matched = side_matched(store, label, tag, rl_http_query(r, "host"), n);
	rl_daemon_store_unlock(r->d);
	if (n < 0) {
		rl_http_reply_errno(r, n, &err);
		return n;
	}
	if (!n) {
		/* Worded as `ringlab compare` said it when it selected the runs itself. */
		rl_http_reply_error(r, 404, NULL, "query %s: %s: no done run with it%s%s", which, spec,
				    rl_http_query(r, "host") ? " on host " : "",
				    rl_http_query(r, "host") ? rl_http_query(r, "host") : "");
		return -ENOENT;
	}
	return n;
}

/*
 * host= names the machine of every run compared: a label: or kernel: side
 * takes only its runs, and a run named by id that was made elsewhere is
 * refused rather than compared. Returns 0, or -EINVAL after replying 400.
 */
static int side_on_host(struct rl_http_req *r, const char *which, const struct side *s,
			const int64_t *ids)
{
	const char *host = rl_http_query(r, "host"), *made_on;

	for (size_t i = 0; host && *host && i < s->n; i++) {
		made_on = rl_cmp_run_host(&s->runs[i]);
		if (strcmp(made_on, host)) {
			rl_http_reply_error(r, 400, NULL,
					    "query %s: run %" PRId64 " was made on %s, not on host %s",
					    which, ids[i], *made_on ? made_on : "an unnamed host", host);
			return -EINVAL;
		}
	}
	return 0;
}

/* Load the runs of one side. Returns 0, or -errno after replying. */
static int side_load(struct rl_http_req *r, const char *which, struct side *s)
{
	struct rl_err err = { "" };
	struct rl_store *store;
	int64_t ids[SIDE_RUNS_MAX];
	int n, ret;

	memset(s, 0, sizeof(*s));
	n = side_ids(r, which, rl_http_query(r, which), ids, &s->matched);
	if (n < 0)
		return n;
	s->runs = calloc((size_t)n, sizeof(*s->runs));
	s->ptrs = calloc((size_t)n, sizeof(*s->ptrs));
	if (!s->runs || !s->ptrs) {
		side_free(s);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		store = rl_daemon_store_lock(r->d);
		ret = rl_store_run_summary(store, ids[i], &s->runs[i], NULL, &err);
		rl_daemon_store_unlock(r->d);
		if (ret < 0) {
			side_free(s);
			rl_err_prefix(&err, ret, "query %s", which);
			rl_http_reply_errno(r, ret, &err);
			return ret;
		}
		s->ptrs[i] = &s->runs[i];
		s->n++;
	}
	ret = side_on_host(r, which, s, ids);
	if (ret < 0)
		side_free(s);
	return ret;
}

/* Returns 0, or -EINVAL after replying 400. */
static int parse_threshold(struct rl_http_req *r, double *t)
{
	const char *v = rl_http_query(r, "threshold");
	char *end;

	*t = RL_CMP_THRESHOLD_DEFAULT;
	if (!v || !*v)
		return 0;
	*t = strtod(v, &end);
	if (*end || !isfinite(*t) || *t < 0 || *t >= 1) {
		rl_http_reply_error(r, 400, NULL,
				    "query threshold: '%.32s' is not a fraction in [0, 1) (0.05 is 5%%)", v);
		return -EINVAL;
	}
	return 0;
}

/* Returns 0, or -EINVAL after replying 400. */
static int parse_gate(struct rl_http_req *r, enum rl_cmp_gate *g)
{
	const char *v = rl_http_query(r, "gate");

	*g = RL_CMP_GATE_BOTH;
	if (!v || !*v)
		return 0;
	if (rl_cmp_gate_parse(v) < 0) {
		rl_http_reply_error(r, 400, NULL, "query gate: '%.32s' is not iops, eagain or both", v);
		return -EINVAL;
	}
	*g = (enum rl_cmp_gate)rl_cmp_gate_parse(v);
	return 0;
}

/* Returns 0, or -EINVAL after replying 400: cross_host is 1 or 0 (true, false). */
static int parse_cross_host(struct rl_http_req *r, bool *cross)
{
	const char *v = rl_http_query(r, "cross_host");

	*cross = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	if (!v || *cross || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	rl_http_reply_error(r, 400, NULL, "query cross_host: '%.32s' is not 1 or 0", v);
	return -EINVAL;
}

static const char *const compare_keys[] = {
	"base", "head", "threshold", "gate", "host", "cross_host", NULL,
};

/* Each side's "matched": the runs it named, of which the comparison took the newest. */
static void put_matched(cJSON *o, int base, int head)
{
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(o, "base"), "matched", base);
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(o, "head"), "matched", head);
}

int rl_route_compare(struct rl_http_req *r)
{
	struct rl_compare_opts opts = { 0 };
	struct rl_comparison cmp;
	struct rl_err err = { "" };
	struct side base = { 0 }, head = { 0 };
	int ret, matched[2];
	cJSON *o;

	if (rl_http_query_check(r, compare_keys) || parse_threshold(r, &opts.threshold) ||
	    parse_gate(r, &opts.gate) || parse_cross_host(r, &opts.cross_host) ||
	    side_load(r, "base", &base))
		return r->resp ? 0 : -ENOMEM;
	if (side_load(r, "head", &head)) {
		side_free(&base);
		return r->resp ? 0 : -ENOMEM;
	}
	matched[0] = base.matched;
	matched[1] = head.matched;
	ret = rl_compare_runs(base.ptrs, base.n, head.ptrs, head.n, &opts, &cmp, &err);
	side_free(&base);
	side_free(&head);
	if (ret < 0)
		return ret == -ENOMEM ? ret : rl_http_reply_error(r, 400, NULL, "%s", err.msg);
	o = rl_comparison_to_json(&cmp);
	rl_comparison_free(&cmp);
	if (o)
		put_matched(o, matched[0], matched[1]);
	return o ? rl_http_reply_json(r, 200, o) : -ENOMEM;
}

/* ---- history ------------------------------------------------------------------ */

static cJSON *number_or_null(double v, bool ok)
{
	return ok ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *str_or_null(const char *v)
{
	return *v ? cJSON_CreateString(v) : cJSON_CreateNull();
}

/* The point @p as JSON, or NULL when out of memory. */
static cJSON *history_point(const struct rl_store_history_point *p)
{
	const struct rl_cell_summary *sum = &p->sum;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "run_id", (double)p->run_id);
	cJSON_AddItemToObject(o, "started", rl_json_iso_time(p->started_ns));
	cJSON_AddItemToObject(o, "kernel_release", str_or_null(p->kernel_release));
	cJSON_AddItemToObject(o, "kernel_tag", str_or_null(p->kernel_tag));
	cJSON_AddItemToObject(o, "label", str_or_null(p->label));
	cJSON_AddItemToObject(o, "host", str_or_null(p->host));
	cJSON_AddNumberToObject(o, "iops_median", sum->iops_median);
	cJSON_AddItemToObject(o, "eagain_rate", number_or_null(sum->eagain_rate, sum->eagain_rate >= 0));
	cJSON_AddNumberToObject(o, "p99_ns", (double)sum->p99_max);
	return o;
}

/* The points, oldest first, into @points. Returns 0 or -errno with @err. */
static int history_points(struct rl_http_req *r, const char *workload, uint32_t jobs,
			  int limit, cJSON *points, struct rl_err *err)
{
	const struct rl_store_filter f = {
		.label = rl_http_query(r, "label"), .kernel_tag = rl_http_query(r, "kernel"),
		.host = rl_http_query(r, "host"),
	};
	struct rl_store_history_point *pts = calloc((size_t)limit, sizeof(*pts));
	struct rl_store *store;
	cJSON *p;
	int n;

	if (!pts)
		return -ENOMEM;
	store = rl_daemon_store_lock(r->d);
	n = rl_store_history(store, &f, workload, jobs, HISTORY_SCAN_MAX, pts, limit, err);
	rl_daemon_store_unlock(r->d);
	/* The store reads newest first; the history reads oldest first. */
	for (int i = n - 1; i >= 0; i--) {
		p = history_point(&pts[i]);
		if (!p) {
			n = -ENOMEM;
			break;
		}
		cJSON_AddItemToArray(points, p);
	}
	free(pts);
	return n < 0 ? n : 0;
}

static const char *const history_keys[] = {
	"workload", "jobs", "label", "kernel", "host", "group", "limit", NULL,
};

/* The series of @host in @series, appended when new; NULL when out of memory. */
static cJSON *host_series(cJSON *series, const cJSON *host)
{
	const char *name = cJSON_IsString(host) ? host->valuestring : NULL;
	cJSON *s, *h;

	cJSON_ArrayForEach(s, series) {
		h = cJSON_GetObjectItemCaseSensitive(s, "host");
		if (name ? cJSON_IsString(h) && !strcmp(h->valuestring, name) : cJSON_IsNull(h))
			return cJSON_GetObjectItemCaseSensitive(s, "points");
	}
	s = cJSON_CreateObject();
	if (!s || !cJSON_AddItemToArray(series, s)) {
		cJSON_Delete(s);
		return NULL;
	}
	cJSON_AddItemToObject(s, "host", name ? cJSON_CreateString(name) : cJSON_CreateNull());
	return cJSON_AddArrayToObject(s, "points");
}

/* group=host: "series", one per host in order of first appearance, of the points' copies. */
static int history_group(cJSON *o, const cJSON *points)
{
	cJSON *series = cJSON_AddArrayToObject(o, "series"), *to, *copy;
	const cJSON *p;

	if (!series)
		return -ENOMEM;
	cJSON_ArrayForEach(p, points) {
		to = host_series(series, cJSON_GetObjectItemCaseSensitive(p, "host"));
		copy = to ? cJSON_Duplicate(p, true) : NULL;
		if (!copy || !cJSON_AddItemToArray(to, copy)) {
			cJSON_Delete(copy);
			return -ENOMEM;
		}
	}
	return 0;
}

int rl_route_history(struct rl_http_req *r)
{
	const char *workload = rl_http_query(r, "workload");
	const char *group = rl_http_query(r, "group");
	struct rl_err err = { "" };
	int64_t jobs, limit;
	cJSON *o, *points;
	int ret;

	if (rl_http_query_check(r, history_keys))
		return 0;
	if (group && strcmp(group, "host"))
		return rl_http_reply_error(r, 400, NULL,
					   "query group: '%.32s' is not host (the only grouping)", group);
	if (!workload || !*workload)
		return rl_http_reply_error(r, 400, NULL, "query workload: missing");
	if (!rl_http_query(r, "jobs"))
		return rl_http_reply_error(r, 400, NULL, "query jobs: missing");
	if (rl_http_parse_int("jobs", rl_http_query(r, "jobs"), 1, 4096, 0, &jobs, &err) < 0 ||
	    rl_http_parse_int("limit", rl_http_query(r, "limit"), 1, RL_STORE_LIST_MAX,
			      RL_STORE_LIST_DEFAULT, &limit, &err) < 0)
		return rl_http_reply_error(r, 400, NULL, "%s", err.msg);
	points = cJSON_CreateArray();
	o = cJSON_CreateObject();
	if (!points || !o) {
		cJSON_Delete(points);
		cJSON_Delete(o);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(o, "points", points);
	ret = history_points(r, workload, (uint32_t)jobs, (int)limit, points, &err);
	if (!ret && group)
		ret = history_group(o, points);
	if (ret < 0) {
		cJSON_Delete(o);
		return ret == -ENOMEM ? ret : rl_http_reply_errno(r, ret, &err);
	}
	return rl_http_reply_json(r, 200, o);
}
