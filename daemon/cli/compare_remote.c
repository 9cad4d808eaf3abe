/* SPDX-License-Identifier: MIT */
/*
 * `ringlab compare` of runs that are all on one daemon: the daemon compares
 * (GET /api/v1/compare) from its cell summaries and answers the comparison,
 * which is read back and printed here as a local one would be. Fetching
 * each run whole to compare them here cost a label: pool of 100 runs a
 * side 200 requests of about 300 KB.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/http.h"
#include "compare/compare_read.h"
#include "compare_remote.h"
#include "remote.h"

#define SPEC_MAX 2400	/* a side as the API spells it */
#define LIST_MAX 100	/* run:ID items the API pools a side; more are loaded here */

static bool is_selection(const char *operand)
{
	return !strncmp(operand, "label:", 6) || !strncmp(operand, "kernel:", 7);
}

bool rl_compare_on_daemon(const char *operand)
{
	const char *p = operand;
	size_t items = 0;

	if (is_selection(operand))
		return true;
	/* Every item run:ID (empty items aside, as the list of files skips them). */
	for (size_t len; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len && strncmp(p, "run:", 4))
			return false;
		items += len > 0;
	}
	return items && items <= LIST_MAX;
}

/*
 * @operand as the API's query spells it, checked as loading its runs here
 * checked it: "label:X" as it is, "run:1,,run:2" as "run:1,run:2".
 */
static int side_spec(const char *operand, char *spec, size_t size, struct rl_err *err)
{
	char item[64];
	size_t used = 0, len;
	int64_t id;

	if (is_selection(operand)) {
		if (!strchr(operand, ':')[1])
			return rl_err_set(err, -EINVAL, "'%s': give the %s after the colon", operand,
					  operand[0] == 'l' ? "label" : "kernel tag");
		if (strlen(operand) >= size)
			return rl_err_set(err, -EINVAL, "'%.64s...': too long", operand);
		snprintf(spec, size, "%s", operand);
		return 0;
	}
	spec[0] = '\0';
	for (const char *p = operand; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (!len)
			continue;
		snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1), p);
		if (len >= sizeof(item) || rl_remote_run_id(item, &id) < 0)
			return rl_err_set(err, -EINVAL, "'%s': a run id is a positive number", item);
		used += (size_t)snprintf(spec + used, size - used, "%srun:%" PRId64, used ? "," : "", id);
		if (used >= size)
			return rl_err_set(err, -EINVAL, "'%.64s...': too many runs", operand);
	}
	return 0;
}

static int query_path(const char *base, const char *head, const struct rl_compare_opts *o,
		      const char *host, char *path, size_t size)
{
	char threshold[32];

	/* 17 digits: the daemon reads back the very threshold given here. */
	snprintf(threshold, sizeof(threshold), "%.17g", o->threshold);
	snprintf(path, size, "/api/v1/compare");
	if (rl_client_query_add(path, size, "base", base) ||
	    rl_client_query_add(path, size, "head", head) ||
	    rl_client_query_add(path, size, "threshold", threshold) ||
	    rl_client_query_add(path, size, "gate", rl_cmp_gate_name(o->gate)) ||
	    rl_client_query_add(path, size, "cross_host", o->cross_host ? "1" : NULL) ||
	    rl_client_query_add(path, size, "host", host && *host ? host : NULL))
		return -ENAMETOOLONG;
	return 0;
}

/* The warnings loading the runs of @operand here gave: unfinished runs, a side cut to its newest. */
static void warn_side(const char *operand, const struct rl_cmp_run_desc *runs, size_t n,
		      const cJSON *side)
{
	double matched = rl_json_num(side, "matched", 0);
	const char *p = operand;
	size_t i = 0, len;

	if (is_selection(operand)) {
		if (matched > (double)n)
			fprintf(stderr, "ringlab compare: warning: %s: using the newest %zu of %.0f runs\n",
				operand, n, matched);
		return;
	}
	for (; *p && i < n; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (!len)
			continue;
		if (runs[i].status != RL_RUN_DONE)
			fprintf(stderr, "ringlab compare: warning: %.*s: run status is %s%s%s\n", (int)len,
				p, rl_run_status_name(runs[i].status), runs[i].error[0] ? ": " : "",
				runs[i].error);
		i++;
	}
}

int rl_compare_remote(const struct rl_client_target *t, const char *base, const char *head,
		      const struct rl_compare_opts *o, const char *host, struct rl_comparison *c,
		      struct rl_err *err)
{
	char bspec[SPEC_MAX], hspec[SPEC_MAX], path[3 * 2 * SPEC_MAX + 512];
	cJSON *answer = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = side_spec(base, bspec, sizeof(bspec), err);
	if (!ret)
		ret = side_spec(head, hspec, sizeof(hspec), err);
	if (ret)
		return ret;
	if (query_path(bspec, hspec, o, host, path, sizeof(path)))
		return rl_err_set(err, -ENAMETOOLONG, "base or head too long for a query");
	ret = rl_client_get_json(t, path, &answer, err);
	if (ret)
		return ret;
	ret = rl_comparison_from_json(answer, c, err);
	if (ret) {
		rl_err_prefix(err, ret, "ringlabd at %s answered a comparison", t->url);
	} else {
		warn_side(base, c->base_runs, c->nbase, cJSON_GetObjectItemCaseSensitive(answer, "base"));
		warn_side(head, c->head_runs, c->nhead, cJSON_GetObjectItemCaseSensitive(answer, "head"));
	}
	cJSON_Delete(answer);
	return ret;
}
