/* SPDX-License-Identifier: MIT */
/*
 * Nightly reports: what `ringlab nightly` found, one JSON document per night,
 * kept whole; the few fields a listing shows are copied to columns.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "schema/nightly_format.h"
#include "util/clock.h"
#include "util/json.h"

/* The columns of a report, as rl_store_nightly_add() finds them in the document. */
struct report_cols {
	int64_t started_ns, finished_ns;
	const char *status, *label, *summary;
};

/*
 * A time in ns since the epoch, > 0, a whole number (1.5 is refused, not
 * truncated). As a JSON number (a double) it is exact to a few hundred ns
 * only, which is plenty for when a night ran.
 */
static int time_field(const cJSON *report, const char *key, int64_t *ns, struct rl_err *err)
{
	if (!rl_json_get_i64(report, key, ns) || *ns < 1)
		return rl_err_set(err, -EINVAL,
				  "field %s: must be a time in ns since the epoch, a whole number 1..2^63-1",
				  key);
	return 0;
}

/* A string field; @max counts bytes without the NUL; NULL when absent and optional. */
static int text_field(const cJSON *report, const char *key, size_t max, bool required,
		      const char **out, struct rl_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(report, key);

	*out = NULL;
	if (!v || (!required && cJSON_IsNull(v)))
		return required ? rl_err_set(err, -EINVAL, "field %s: required", key) : 0;
	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL, "field %s: expected a string", key);
	if (strlen(v->valuestring) > max)
		return rl_err_set(err, -EINVAL, "field %s: longer than %zu bytes", key, max);
	*out = v->valuestring;
	return 0;
}

static int report_cols(const cJSON *report, struct report_cols *c, struct rl_err *err)
{
	const char *format;
	int ret;

	if (!cJSON_IsObject(report))
		return rl_err_set(err, -EINVAL, "the report must be a JSON object");
	ret = text_field(report, "format", 64, true, &format, err);
	if (!ret && strcmp(format, RL_NIGHTLY_FORMAT))
		ret = rl_err_set(err, -EINVAL, "field format: expected \"" RL_NIGHTLY_FORMAT "\"");
	if (!ret)
		ret = text_field(report, "status", 16, true, &c->status, err);
	if (!ret && rl_nightly_status_parse(c->status) < 0)
		ret = rl_err_set(err, -EINVAL,
				 "field status: must be ok, failed, eagain-changed, regressed or corrupt, not \"%.32s\"",
				 c->status);
	if (!ret)
		ret = text_field(report, "summary", RL_STORE_SUMMARY_MAX - 1, true, &c->summary, err);
	if (!ret)
		ret = text_field(report, "label", RL_STORE_LABEL_MAX - 1, false, &c->label, err);
	if (!ret)
		ret = time_field(report, "started_ns", &c->started_ns, err);
	if (!ret)
		ret = time_field(report, "finished_ns", &c->finished_ns, err);
	if (!ret && c->finished_ns < c->started_ns)
		ret = rl_err_set(err, -EINVAL, "field finished_ns: before started_ns");
	return ret;
}

static int insert_report(struct rl_store *s, const struct report_cols *c, const char *text,
			 int64_t *id, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "INSERT INTO nightly_reports (created, started, finished, status,"
			       " label, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, rl_wall_ns());
	rl_sql_bind_i64(q, 2, c->started_ns);
	rl_sql_bind_i64(q, 3, c->finished_ns);
	rl_sql_bind_text(q, 4, c->status);
	rl_store_bind_opt(q, 5, c->label);
	rl_sql_bind_text(q, 6, c->summary);
	rl_sql_bind_text(q, 7, text);
	return rl_store_step_insert(s, q, id, err, "store nightly report");
}

int rl_store_nightly_add(struct rl_store *s, const cJSON *report, int64_t *id,
			 struct rl_err *err)
{
	struct report_cols c = { 0 };
	cJSON *copy;
	char *text;
	int ret;

	ret = report_cols(report, &c, err);
	if (ret < 0)
		return ret;
	/* Its _ns times as the digits they were sent in: a copy read back gives the columns' values. */
	copy = cJSON_Duplicate(report, true);
	text = rl_json_print_compact(copy);
	cJSON_Delete(copy);
	if (!text)
		return rl_err_set(err, -ENOMEM, "nightly report: out of memory");
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, insert_report(s, &c, text, id, err), err);
	cJSON_free(text);
	return ret;
}

/* ---- reading ------------------------------------------------------------- */

#define REPORT_COLS "id, status, label, summary, created, started, finished"
#define NREPORT_COLS 7
#define REPORT_ORDER " ORDER BY started DESC, id DESC"

static bool add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return false;
	cJSON_AddItemToObject(obj, key, item);
	return true;
}

static cJSON *text_or_null(struct rl_sql_stmt *q, int col)
{
	const char *v = rl_sql_col_text(q, col);

	return v && *v ? cJSON_CreateString(v) : cJSON_CreateNull();
}

/* The list item of the row @q is on. */
static cJSON *report_item(struct rl_sql_stmt *q)
{
	int64_t created = rl_sql_col_i64(q, 4), started = rl_sql_col_i64(q, 5),
		finished = rl_sql_col_i64(q, 6);
	cJSON *o = cJSON_CreateObject();

	if (o && add(o, "id", cJSON_CreateNumber((double)rl_sql_col_i64(q, 0))) &&
	    add(o, "status", text_or_null(q, 1)) && add(o, "label", text_or_null(q, 2)) &&
	    add(o, "summary", text_or_null(q, 3)) &&
	    add(o, "created", rl_json_iso_time(created)) &&
	    add(o, "created_ns", cJSON_CreateNumber((double)created)) &&
	    add(o, "started", rl_json_iso_time(started)) &&
	    add(o, "started_ns", cJSON_CreateNumber((double)started)) &&
	    add(o, "finished", rl_json_iso_time(finished)) &&
	    add(o, "finished_ns", cJSON_CreateNumber((double)finished)) &&
	    add(o, "duration_s", cJSON_CreateNumber((double)(finished - started) / 1e9)))
		return o;
	cJSON_Delete(o);
	return NULL;
}

static int list_count(struct rl_store *s, const void *arg, struct rl_sql_stmt **q, struct rl_err *err)
{
	(void)arg;
	return rl_store_prepare(s, "SELECT count(*) FROM nightly_reports", q, err);
}

static int list_page(struct rl_store *s, const void *arg, int limit, int offset,
		     struct rl_sql_stmt **q, struct rl_err *err)
{
	int ret;

	(void)arg;
	ret = rl_store_prepare(s, "SELECT " REPORT_COLS " FROM nightly_reports" REPORT_ORDER
			       " LIMIT ? OFFSET ?", q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(*q, 1, limit);
	rl_sql_bind_i64(*q, 2, offset);
	return 0;
}

static int list_item(struct rl_sql_stmt *q, cJSON **out, struct rl_err *err)
{
	*out = report_item(q);
	return *out ? 0 : rl_err_set(err, -ENOMEM, "list nightly reports: out of memory");
}

static const struct rl_store_lister reports_lister = {
	.what = "nightly reports", .count = list_count, .page = list_page, .item = list_item,
};

int rl_store_nightly_list(struct rl_store *s, int limit, int offset, cJSON **out_array,
			  int *total, struct rl_err *err)
{
	return rl_store_list(s, &reports_lister, NULL, limit, offset, out_array, total, err);
}

/* The item plus its stored document, from the row @q is on. */
static int report_full(struct rl_sql_stmt *q, int64_t id, cJSON **out, struct rl_err *err)
{
	const char *text = rl_sql_col_text(q, NREPORT_COLS);
	cJSON *item, *doc;

	doc = text ? cJSON_Parse(text) : NULL;
	if (!doc)
		return rl_err_set(err, -EIO, "nightly report %lld: the stored report is not JSON",
				  (long long)rl_sql_col_i64(q, 0));
	item = report_item(q);
	if (!item) {
		cJSON_Delete(doc);
		return rl_err_set(err, -ENOMEM, "nightly report %lld: out of memory", (long long)id);
	}
	cJSON_AddItemToObject(item, "report", doc);
	*out = item;
	return 0;
}

int rl_store_nightly_get(struct rl_store *s, int64_t id, cJSON **out, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	*out = NULL;
	ret = rl_store_prepare(s, id == RL_STORE_NIGHTLY_LATEST ?
			       "SELECT " REPORT_COLS ", report FROM nightly_reports" REPORT_ORDER
			       " LIMIT 1" :
			       "SELECT " REPORT_COLS ", report FROM nightly_reports WHERE id = ?",
			       &q, err);
	if (ret < 0)
		return ret;
	if (id != RL_STORE_NIGHTLY_LATEST)
		rl_sql_bind_i64(q, 1, id);
	ret = rl_sql_step(q, err);
	if (ret > 0)
		ret = report_full(q, id, out, err);
	else if (ret < 0)
		rl_err_prefix(err, ret, "nightly report");
	else if (id == RL_STORE_NIGHTLY_LATEST)
		ret = rl_err_set(err, -ENOENT, "no nightly report yet");
	else
		ret = rl_err_set(err, -ENOENT, "nightly report %lld: no such report", (long long)id);
	rl_sql_finalize(q);
	return ret;
}
