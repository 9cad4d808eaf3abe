/* SPDX-License-Identifier: MIT */
/*
 * Statement helpers every file of the store shares: preparing, stepping,
 * binding and reading columns, one-row queries, and a listing's page read
 * with its total in one transaction.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"

int rl_store_prepare(struct rl_store *s, const char *sql, struct rl_sql_stmt **st,
		     struct rl_err *err)
{
	return s->db->ops->prepare(s->db, sql, st, err);
}

int rl_store_prepare_rows(struct rl_store *s, const struct rl_sql_rows *r, int nrows,
			  struct rl_sql_stmt **st, struct rl_err *err)
{
	return s->db->ops->prepare_rows(s->db, r, nrows, st, err);
}

int rl_store_step_done(struct rl_store *s, struct rl_sql_stmt *st, struct rl_err *err,
		       const char *what)
{
	int ret = rl_sql_step(st, err);

	return ret < 0 ? rl_err_prefix(err, ret, "%s", what) : 0;
}

int rl_store_step_insert(struct rl_store *s, struct rl_sql_stmt *st, int64_t *id,
			 struct rl_err *err, const char *what)
{
	int ret = rl_sql_step(st, err);

	if (ret > 0)
		*id = rl_sql_col_i64(st, 0);
	else if (!ret)
		ret = rl_err_set(err, -EIO, "%s: no id returned", what);
	else
		rl_err_prefix(err, ret, "%s", what);
	rl_sql_finalize(st);
	return ret < 0 ? ret : 0;
}

int rl_store_query_i64(struct rl_store *s, struct rl_sql_stmt *st, int64_t *v,
		       struct rl_err *err, const char *fmt, ...)
{
	char what[RL_ERR_MSG_MAX / 2];
	va_list ap;
	int ret;

	ret = rl_sql_step(st, err);
	if (ret > 0)
		*v = rl_sql_col_i64(st, 0);
	if (ret <= 0) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		if (!ret)
			ret = rl_err_set(err, -EIO, "%s: no row", what);
		else
			rl_err_prefix(err, ret, "%s", what);
	}
	rl_sql_finalize(st);
	return ret < 0 ? ret : 0;
}

void rl_store_bind_opt(struct rl_sql_stmt *st, int i, const char *v)
{
	rl_sql_bind_text(st, i, v && *v ? v : NULL);
}

void rl_store_col_str(struct rl_sql_stmt *st, int i, char *buf, size_t size)
{
	const char *v = rl_sql_col_text(st, i);

	snprintf(buf, size, "%s", v ? v : "");
}

int64_t rl_store_col_i64(struct rl_sql_stmt *st, int i)
{
	return rl_sql_col_i64(st, i);
}

char *rl_store_json_text(cJSON *j)
{
	char *text;

	if (!j)
		return NULL;
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

int rl_store_status_parse(const char *name)
{
	int i;

	for (i = 0; i < RL_RUN_MAX; i++)
		if (strcmp(name, rl_run_status_name(i)) == 0)
			return i;
	return -1;
}

/* ---- a listing's page ---------------------------------------------------- */

static int count_rows(struct rl_store *s, const struct rl_store_lister *l, const void *arg,
		      int *total, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t n = 0;
	int ret;

	ret = l->count(s, arg, &q, err);
	if (!ret)
		ret = rl_store_query_i64(s, q, &n, err, "count %s", l->what);
	*total = (int)n;
	return ret;
}

static int read_page(struct rl_store *s, const struct rl_store_lister *l, const void *arg,
		     int limit, int offset, cJSON *arr, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	cJSON *item;
	int ret, n = 0;

	ret = l->page(s, arg, limit, offset, &q, err);
	if (ret < 0)
		return ret;
	while ((ret = rl_sql_step(q, err)) > 0) {
		ret = l->item(q, &item, err);
		if (ret < 0)
			goto out;
		cJSON_AddItemToArray(arr, item);
		n++;
	}
	if (ret < 0)
		rl_err_prefix(err, ret, "list %s", l->what);
out:
	rl_sql_finalize(q);
	return ret < 0 ? ret : n;
}

int rl_store_list(struct rl_store *s, const struct rl_store_lister *l, const void *arg, int limit,
		  int offset, cJSON **out_array, int *total, struct rl_err *err)
{
	cJSON *arr;
	int ret, count = 0;

	*out_array = NULL;
	if (limit < 0 || limit > RL_STORE_LIST_MAX)
		return rl_err_set(err, -EINVAL, "limit: must be 1..%d", RL_STORE_LIST_MAX);
	if (offset < 0)
		return rl_err_set(err, -EINVAL, "offset: must be >= 0");
	arr = cJSON_CreateArray();
	if (!arr)
		return rl_err_set(err, -ENOMEM, "list %s: out of memory", l->what);
	/* One read transaction: the total and the page from one snapshot. */
	ret = rl_store_begin(s, false, err);
	if (!ret) {
		ret = count_rows(s, l, arg, &count, err);
		if (!ret)
			ret = read_page(s, l, arg, limit ? limit : RL_STORE_LIST_DEFAULT, offset,
					arr, err);
		ret = rl_store_end(s, ret, err);
	}
	if (ret < 0) {
		cJSON_Delete(arr);
		return ret;
	}
	if (total)
		*total = count;
	*out_array = arr;
	return ret;
}
