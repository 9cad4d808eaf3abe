/* SPDX-License-Identifier: MIT */
/*
 * Runs for the API: one run as JSON, the filtered listing, and the queries of
 * the queue, comparisons and /metrics.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "engine/env.h"
#include "engine/result_json.h"
#include "util/clock.h"
#include "util/json.h"

/* ---- runs as JSON ------------------------------------------------------- */

static cJSON *str_or_null(const char *v)
{
	return *v ? cJSON_CreateString(v) : cJSON_CreateNull();
}

/* Finished minus started; while running, now minus started; null before the start. */
static cJSON *duration(const struct rl_store_run_meta *m)
{
	int64_t end = m->finished_ns ? m->finished_ns : rl_wall_ns();

	if (!m->started_ns)
		return cJSON_CreateNull();
	return cJSON_CreateNumber((double)(end - m->started_ns) / 1e9);
}

static bool add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return false;
	cJSON_AddItemToObject(obj, key, item);
	return true;
}

/* The keys rl_run_to_json() does not write. */
static bool add_meta(cJSON *obj, const struct rl_store_run_meta *m)
{
	return add(obj, "id", cJSON_CreateNumber((double)m->id)) &&
	       add(obj, "what", cJSON_CreateString(m->what)) &&
	       add(obj, "target", cJSON_CreateString(m->target)) &&
	       add(obj, "label", str_or_null(m->label)) &&
	       add(obj, "kernel_tag", str_or_null(m->kernel_tag)) &&
	       add(obj, "kernel_release", str_or_null(m->kernel_release)) &&
	       add(obj, "created", rl_json_iso_time(m->created_ns)) &&
	       add(obj, "created_ns", cJSON_CreateNumber((double)m->created_ns)) &&
	       add(obj, "duration_s", duration(m));
}

/* The keys rl_run_to_json() also writes, for list items. */
static bool add_status(cJSON *obj, const struct rl_store_run_meta *m)
{
	return add(obj, "status", cJSON_CreateString(rl_run_status_name(m->status))) &&
	       add(obj, "scale", cJSON_CreateNumber(m->scale)) &&
	       add(obj, "started", rl_json_iso_time(m->started_ns)) &&
	       add(obj, "started_ns", cJSON_CreateNumber((double)m->started_ns)) &&
	       add(obj, "finished", rl_json_iso_time(m->finished_ns)) &&
	       add(obj, "finished_ns", cJSON_CreateNumber((double)m->finished_ns)) &&
	       add(obj, "error", str_or_null(m->error));
}

/*
 * "host", "machine_id", "cpu_model", "guest_host": the machine the run ran
 * on; "device_model": its target's device. Each null when unknown.
 */
static bool add_host(cJSON *obj, const char *host, const char *machine_id, const char *cpu,
		     const char *guest, const char *device)
{
	return add(obj, "host", str_or_null(host)) &&
	       add(obj, "machine_id", str_or_null(machine_id)) &&
	       add(obj, "cpu_model", str_or_null(cpu)) &&
	       add(obj, "guest_host", str_or_null(guest)) &&
	       add(obj, "device_model", str_or_null(device));
}

static bool add_host_env(cJSON *obj, const struct rl_env *env)
{
	struct rl_host_id h;

	rl_env_host_id(env, &h);
	return add_host(obj, h.host, h.machine_id, h.cpu_model, h.guest, env->device_model);
}

int rl_store_run_json(struct rl_store *s, int64_t id, cJSON **out, struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_run run;
	cJSON *obj;
	bool ok;
	int ret;

	*out = NULL;
	ret = rl_store_run_get(s, id, &run, &m, err);
	if (ret < 0)
		return ret;
	obj = rl_run_to_json(&run);
	ok = obj && add_host_env(obj, &run.env) && add_meta(obj, &m);
	rl_run_free(&run);
	if (!ok) {
		cJSON_Delete(obj);
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	ret = rl_store_run_fleet_json(s, id, obj, err);
	if (ret < 0) {
		cJSON_Delete(obj);
		return ret;
	}
	*out = obj;
	return 0;
}

/* ---- listing ------------------------------------------------------------ */

/* Filters as data: the column each rl_store_filter string matches exactly. */
static const struct {
	const char *column;
	size_t off;
} filter_cols[] = {
	{ "label", offsetof(struct rl_store_filter, label) },
	{ "kernel_tag", offsetof(struct rl_store_filter, kernel_tag) },
	{ "kernel_release", offsetof(struct rl_store_filter, kernel_release) },
	{ "status", offsetof(struct rl_store_filter, status) },
	{ "what", offsetof(struct rl_store_filter, what) },
	{ "host", offsetof(struct rl_store_filter, host) },
};

#define NFILTERS (sizeof(filter_cols) / sizeof(filter_cols[0]))
#define LIST_ORDER " ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"
#define LIST_ORDER_HOST " ORDER BY host, created DESC, id DESC LIMIT ? OFFSET ?"

static const char *filter_value(const struct rl_store_filter *f, size_t i)
{
	const char *v = *(const char *const *)((const char *)f + filter_cols[i].off);

	return v && *v ? v : NULL;
}

/* "SELECT ... FROM runs WHERE label = ? AND ...": only the filters set. */
static void where_sql(char *buf, size_t size, const char *select,
		      const struct rl_store_filter *f)
{
	size_t i, len;
	const char *sep = " WHERE ";

	len = (size_t)snprintf(buf, size, "%s", select);
	for (i = 0; i < NFILTERS && len < size; i++) {
		if (!filter_value(f, i))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s = ?", sep, filter_cols[i].column);
		sep = " AND ";
	}
}

/* Bind the filters that are set; returns the next parameter's index. */
static int bind_filters(struct rl_sql_stmt *q, const struct rl_store_filter *f)
{
	int idx = 1;
	size_t i;

	for (i = 0; i < NFILTERS; i++)
		if (filter_value(f, i))
			rl_sql_bind_text(q, idx++, filter_value(f, i));
	return idx;
}

static int prepare_filtered(struct rl_store *s, const char *select, const char *tail,
			    const struct rl_store_filter *f, struct rl_sql_stmt **q, struct rl_err *err)
{
	char sql[1024];
	size_t len;

	where_sql(sql, sizeof(sql), select, f);
	len = strlen(sql);
	snprintf(sql + len, sizeof(sql) - len, "%s", tail);
	return rl_store_prepare(s, sql, q, err);
}

static int prepare_page(struct rl_store *s, const char *select, const struct rl_store_filter *f,
			int limit, int offset, struct rl_sql_stmt **q, struct rl_err *err)
{
	int ret, idx;

	ret = prepare_filtered(s, select, f->by_host ? LIST_ORDER_HOST : LIST_ORDER, f, q, err);
	if (ret < 0)
		return ret;
	idx = bind_filters(*q, f);
	rl_sql_bind_i64(*q, idx, limit);
	rl_sql_bind_i64(*q, idx + 1, offset);
	return 0;
}

static int list_count(struct rl_store *s, const void *arg, struct rl_sql_stmt **q, struct rl_err *err)
{
	int ret = prepare_filtered(s, "SELECT count(*) FROM runs", "", arg, q, err);

	if (!ret)
		bind_filters(*q, arg);
	return ret;
}

/* After the meta columns and the two cell counts. */
#define LIST_HOST_COLS "host, machine_id, cpu_model, guest_host, device_model"
#define LIST_HOST_COL (RL_STORE_NMETA_COLS + 2)

static const char *col_text(struct rl_sql_stmt *q, int i)
{
	const char *v = rl_sql_col_text(q, i);

	return v ? v : "";
}

static int list_page(struct rl_store *s, const void *arg, int limit, int offset,
		     struct rl_sql_stmt **q, struct rl_err *err)
{
	return prepare_page(s, "SELECT " RL_STORE_META_COLS ", ncells, failed_cells, " LIST_HOST_COLS
			    " FROM runs", arg, limit, offset, q, err);
}

static int list_item(struct rl_sql_stmt *q, cJSON **out, struct rl_err *err)
{
	struct rl_store_run_meta m;
	cJSON *obj;
	int ret;

	*out = NULL;
	ret = rl_store_meta_read(q, &m, err);
	if (ret < 0)
		return ret;
	obj = cJSON_CreateObject();
	if (obj && add_meta(obj, &m) && add_status(obj, &m) &&
	    add(obj, "ncells", cJSON_CreateNumber((int)rl_sql_col_i64(q, RL_STORE_NMETA_COLS))) &&
	    add(obj, "failed_cells",
		cJSON_CreateNumber((int)rl_sql_col_i64(q, RL_STORE_NMETA_COLS + 1))) &&
	    add_host(obj, col_text(q, LIST_HOST_COL), col_text(q, LIST_HOST_COL + 1),
		     col_text(q, LIST_HOST_COL + 2), col_text(q, LIST_HOST_COL + 3),
		     col_text(q, LIST_HOST_COL + 4))) {
		*out = obj;
		return 0;
	}
	cJSON_Delete(obj);
	return rl_err_set(err, -ENOMEM, "list runs: out of memory");
}

static const struct rl_store_lister runs_lister = {
	.what = "runs", .count = list_count, .page = list_page, .item = list_item,
};

int rl_store_runs_list(struct rl_store *s, const struct rl_store_filter *f, cJSON **out_array,
		       int *total, struct rl_err *err)
{
	static const struct rl_store_filter all;

	*out_array = NULL;
	if (!f)
		f = &all;
	if (f->status && *f->status && rl_store_status_parse(f->status) < 0)
		return rl_err_set(err, -EINVAL,
				  "status: must be queued, running, done, failed or aborted, not \"%s\"",
				  f->status);
	return rl_store_list(s, &runs_lister, f, f->limit, f->offset, out_array, total, err);
}

/* ---- the listing grouped by host ------------------------------------------ */

static int host_item(struct rl_sql_stmt *q, cJSON **out)
{
	cJSON *obj = cJSON_CreateObject();

	*out = obj;
	return obj && add(obj, "host", str_or_null(col_text(q, 0))) &&
	       add(obj, "machine_id", str_or_null(col_text(q, 1))) &&
	       add(obj, "cpu_model", str_or_null(col_text(q, 2))) &&
	       add(obj, "runs", cJSON_CreateNumber((double)rl_sql_col_i64(q, 3))) &&
	       add(obj, "last_created", rl_json_iso_time(rl_store_col_i64(q, 4)));
}

int rl_store_runs_hosts(struct rl_store *s, const struct rl_store_filter *f, cJSON **out_array,
			struct rl_err *err)
{
	static const struct rl_store_filter all;
	struct rl_sql_stmt *q;
	cJSON *arr, *item;
	int ret, rc = 0, n = 0;

	*out_array = NULL;
	if (!f)
		f = &all;
	if (f->status && *f->status && rl_store_status_parse(f->status) < 0)
		return rl_err_set(err, -EINVAL, "status: unknown \"%s\"", f->status);
	/* One machine id per host name, as a rule; max() picks one when a name moved. */
	ret = prepare_filtered(s, "SELECT host, max(machine_id), max(cpu_model), count(*),"
			       " max(created) FROM runs", " GROUP BY host ORDER BY host", f, &q, err);
	if (ret < 0)
		return ret;
	bind_filters(q, f);
	arr = cJSON_CreateArray();
	while (arr && (rc = rl_sql_step(q, err)) > 0) {
		if (!host_item(q, &item)) {
			cJSON_Delete(item);
			break;
		}
		cJSON_AddItemToArray(arr, item);
		n++;
	}
	if (!arr || rc > 0)
		ret = rl_err_set(err, -ENOMEM, "runs by host: out of memory");
	else if (rc < 0)
		ret = rl_err_prefix(err, rc, "runs by host");
	rl_sql_finalize(q);
	if (ret < 0) {
		cJSON_Delete(arr);
		return ret;
	}
	*out_array = arr;
	return n;
}

/* ---- queries for the queue, comparisons and /metrics -------------------- */

int rl_store_run_ids_by(struct rl_store *s, const char *label, const char *kernel_tag,
			int64_t *ids, int max, struct rl_err *err)
{
	return rl_store_run_ids_host(s, label, kernel_tag, NULL, ids, max, err);
}

int rl_store_run_ids_host(struct rl_store *s, const char *label, const char *kernel_tag,
			  const char *host, int64_t *ids, int max, struct rl_err *err)
{
	const struct rl_store_filter f = {
		.label = label, .kernel_tag = kernel_tag, .status = "done", .host = host,
	};
	struct rl_sql_stmt *q;
	int ret, n = 0;

	if (max < 1)
		return rl_err_set(err, -EINVAL, "run ids: room for at least one id needed");
	ret = prepare_page(s, "SELECT id FROM runs", &f, max, 0, &q, err);
	if (ret < 0)
		return ret;
	while ((ret = rl_sql_step(q, err)) > 0)
		ids[n++] = rl_sql_col_i64(q, 0);
	if (ret < 0)
		rl_err_prefix(err, ret, "run ids");
	rl_sql_finalize(q);
	return ret < 0 ? ret : n;
}

/*
 * A run of a daemon's own queue names its target, which another machine
 * sharing the store may also have: the run's host says whose it is.
 */
#define OF_HOST " AND (host IS NULL OR host = ?)"

int rl_store_next_queued(struct rl_store *s, const char *target, const char *host, int64_t *id,
			 struct rl_err *err)
{
	struct rl_sql_stmt *q;
	char sql[256];
	int ret, i = 1;

	if (target && !*target)
		target = NULL;
	if (host && !*host)
		host = NULL;
	/* Separate statements rather than "?1 IS NULL OR": that would not use the index. */
	snprintf(sql, sizeof(sql), "SELECT id FROM runs WHERE %sstatus = 'queued' AND fleet_host IS NULL%s"
		 " ORDER BY created, id LIMIT 1", target ? "target = ? AND " : "", host ? OF_HOST : "");
	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	if (target)
		rl_sql_bind_text(q, i++, target);
	if (host)
		rl_sql_bind_text(q, i, host);
	ret = rl_sql_step(q, err);
	if (ret > 0)
		*id = rl_sql_col_i64(q, 0);
	else if (!ret)
		ret = rl_err_set(err, -ENOENT, "no queued run%s%s", target ? " on target " : "",
				 target ? target : "");
	else
		rl_err_prefix(err, ret, "next queued run");
	ret = ret < 0 ? ret : 0;
	rl_sql_finalize(q);
	return ret;
}

int rl_store_target_busy(struct rl_store *s, const char *target, const char *host, bool *busy,
			 struct rl_err *err)
{
	struct rl_sql_stmt *q;
	char sql[256];
	int64_t n;
	int ret;

	if (!target || !*target)
		return rl_err_set(err, -EINVAL, "target: required");
	if (host && !*host)
		host = NULL;
	snprintf(sql, sizeof(sql), "SELECT CASE WHEN EXISTS (SELECT 1 FROM runs WHERE target = ?"
		 " AND status IN ('queued', 'running')%s) THEN 1 ELSE 0 END", host ? OF_HOST : "");
	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, target);
	if (host)
		rl_sql_bind_text(q, 2, host);
	ret = rl_store_query_i64(s, q, &n, err, "target %s", target);
	if (!ret)
		*busy = n != 0;
	return ret;
}

static int count_by_status(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret, st;

	ret = rl_store_prepare(s, "SELECT status, count(*) FROM runs GROUP BY status", &q, err);
	if (ret < 0)
		return ret;
	while ((ret = rl_sql_step(q, err)) > 0) {
		st = rl_store_status_parse(rl_sql_col_text(q, 0));
		if (st >= 0)
			c->runs[st] = (uint64_t)rl_sql_col_i64(q, 1);
		c->runs_total += (uint64_t)rl_sql_col_i64(q, 1);
	}
	if (ret < 0)
		rl_err_prefix(err, ret, "count runs");
	rl_sql_finalize(q);
	return ret;
}

static int count_cells(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t n;
	int ret;

	ret = rl_store_prepare(s, "SELECT count(*) FROM cell_summaries", &q, err);
	if (!ret)
		ret = rl_store_query_i64(s, q, &n, err, "count cells");
	if (!ret)
		c->cells = (uint64_t)n;
	return ret;
}

int rl_store_counts(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = rl_store_begin(s, false, err);
	if (ret < 0)
		return ret;
	ret = count_by_status(s, c, err);
	if (!ret)
		ret = count_cells(s, c, err);
	return rl_store_end(s, ret, err);
}
