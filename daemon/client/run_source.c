/* SPDX-License-Identifier: MIT */
/* Runs from files and from ringlabd, pooled into sets for rl_compare_runs(). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "schema/fields.h"
#include "engine/result_json.h"
#include "http.h"
#include "run_source.h"

/* Room for one more run; ptrs follows runs wherever realloc() moves them. */
static int set_grow(struct rl_run_set *s, struct rl_err *err)
{
	size_t cap = s->cap ? s->cap * 2 : 4, i;
	const struct rl_run **ptrs;
	struct rl_run *runs;

	if (s->n < s->cap)
		return 0;
	runs = realloc(s->runs, cap * sizeof(*runs));
	if (!runs)
		return rl_err_set(err, -ENOMEM, "out of memory");
	s->runs = runs;
	ptrs = realloc(s->ptrs, cap * sizeof(*ptrs));
	if (!ptrs)
		return rl_err_set(err, -ENOMEM, "out of memory");
	s->ptrs = ptrs;
	s->cap = cap;
	for (i = 0; i < s->n; i++)
		s->ptrs[i] = &s->runs[i];
	return 0;
}

/* Take the run just parsed into runs[n]. */
static void set_commit(struct rl_run_set *s)
{
	s->ptrs[s->n] = &s->runs[s->n];
	s->n++;
}

int rl_run_set_add_file(struct rl_run_set *s, const char *path, struct rl_err *err)
{
	cJSON *root;
	int ret;

	ret = set_grow(s, err);
	if (!ret)
		ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	ret = rl_run_from_json(root, &s->runs[s->n], err);
	cJSON_Delete(root);
	if (ret)
		return rl_err_prefix(err, ret, "%s", path);
	set_commit(s);
	return 0;
}

int rl_run_set_add_fetched(struct rl_run_set *s, const struct rl_client_target *t, int64_t id,
			   struct rl_err *err)
{
	char path[64];
	cJSON *j;
	int ret;

	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64, id);
	ret = set_grow(s, err);
	if (!ret)
		ret = rl_client_get_json(t, path, &j, err);
	if (!ret) {
		/* The API's extra keys ("id", "label", ...) are ignored by the reader. */
		ret = rl_run_from_json(j, &s->runs[s->n], err);
		cJSON_Delete(j);
	}
	if (ret)
		return rl_err_prefix(err, ret, "run:%" PRId64, id);
	set_commit(s);
	return 0;
}

static int select_path(const char *label, const char *kernel_tag, const char *host, size_t limit,
		       char *path, size_t size)
{
	char lim[24];
	int ret;

	snprintf(lim, sizeof(lim), "%zu", limit);
	snprintf(path, size, "/api/v1/runs");
	ret = rl_client_query_add(path, size, "label", label);
	if (!ret)
		ret = rl_client_query_add(path, size, "kernel", kernel_tag);
	if (!ret)
		ret = rl_client_query_add(path, size, "status", "done");
	if (!ret && host && *host)
		ret = rl_client_query_add(path, size, "host", host);
	if (!ret)
		ret = rl_client_query_add(path, size, "limit", lim);
	return ret;
}

int rl_run_set_select(struct rl_run_set *s, const struct rl_client_target *t, const char *label,
		      const char *kernel_tag, const char *host, size_t limit, size_t *total,
		      struct rl_err *err)
{
	const cJSON *runs, *r;
	cJSON *answer = NULL;
	char path[1200];
	double id;
	int ret, n = 0;

	if ((!label || !*label) && (!kernel_tag || !*kernel_tag))
		return rl_err_set(err, -EINVAL, "select runs: give a label or a kernel tag");
	if (select_path(label, kernel_tag, host, limit, path, sizeof(path)))
		return rl_err_set(err, -ENAMETOOLONG, "select runs: label, kernel tag or host too long");
	ret = rl_client_get_json(t, path, &answer, err);
	if (ret)
		return ret;
	runs = cJSON_GetObjectItemCaseSensitive(answer, "runs");
	cJSON_ArrayForEach(r, runs) {
		id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "id"));
		ret = id >= 1 ? rl_run_set_add_fetched(s, t, (int64_t)id, err)
			      : rl_err_set(err, -EPROTO, "ringlabd at %s listed a run without an id",
					   t->url);
		if (ret)
			break;
		n++;
	}
	if (!ret && total) {
		/* An older daemon without "total": what came is all there is. */
		id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(answer, "total"));
		*total = id >= n ? (size_t)id : (size_t)n;
	}
	cJSON_Delete(answer);
	return ret ? ret : n;
}

void rl_run_set_free(struct rl_run_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		rl_run_free(&s->runs[i]);
	free(s->runs);
	free(s->ptrs);
	memset(s, 0, sizeof(*s));
}
