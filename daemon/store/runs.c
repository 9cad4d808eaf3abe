/* SPDX-License-Identifier: MIT */
/*
 * Runs: their life (create, start, finish, recover) and reading them back,
 * one at a time or as a filtered list.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "engine/result_json.h"
#include "util/clock.h"
#include "util/json.h"

#define INTERRUPTED "interrupted: ringlabd stopped during the run"

/* ---- life of a run ------------------------------------------------------ */

static int check_len(const char *key, const char *v, size_t max, bool required,
		     struct rl_err *err)
{
	if (required && (!v || !*v))
		return rl_err_set(err, -EINVAL, "%s: required", key);
	if (v && strlen(v) >= max)
		return rl_err_set(err, -EINVAL, "%s: longer than %zu bytes", key, max - 1);
	return 0;
}

static int check_req(const struct rl_store_run_req *req, struct rl_err *err)
{
	cJSON *j;
	int ret;

	ret = check_len("what", req->what, RL_STORE_NAME_MAX, true, err);
	if (!ret)
		ret = check_len("target", req->target, RL_STORE_NAME_MAX, true, err);
	if (!ret)
		ret = check_len("label", req->label, RL_STORE_LABEL_MAX, false, err);
	if (!ret)
		ret = check_len("kernel_tag", req->kernel_tag, RL_STORE_TAG_MAX, false, err);
	if (ret < 0)
		return ret;
	if (!(req->scale > 0) || !isfinite(req->scale))
		return rl_err_set(err, -EINVAL, "scale: must be a number > 0");
	if (req->request_json) {
		j = cJSON_Parse(req->request_json);
		if (!j)
			return rl_err_set(err, -EINVAL, "request_json: not valid JSON");
		cJSON_Delete(j);
	}
	return 0;
}

static int insert_run(struct rl_store *s, const struct rl_store_run_req *req, int64_t *id,
		      struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "INSERT INTO runs (created, status, what, target, label,"
			       " kernel_tag, scale, request) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
			       &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, rl_wall_ns());
	sqlite3_bind_text(q, 2, req->what, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, req->target, -1, SQLITE_STATIC);
	rl_store_bind_opt(q, 4, req->label);
	rl_store_bind_opt(q, 5, req->kernel_tag);
	sqlite3_bind_double(q, 6, req->scale);
	rl_store_bind_opt(q, 7, req->request_json);
	ret = rl_store_step_done(s, q, err, "create run");
	if (!ret)
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(q);
	return ret;
}

int rl_store_run_create(struct rl_store *s, const struct rl_store_run_req *req, int64_t *id,
			struct rl_err *err)
{
	int ret = check_req(req, err);

	if (!ret)
		ret = rl_store_begin(s, true, err);
	if (ret < 0)
		return ret;
	return rl_store_end(s, insert_run(s, req, id, err), err);
}

static char *workloads_text(const struct rl_workload *w, size_t nw)
{
	cJSON *arr = cJSON_CreateArray(), *item;
	size_t i;

	for (i = 0; arr && i < nw; i++) {
		item = rl_workload_to_json(&w[i]);
		if (!item) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, item);
	}
	return rl_store_json_text(arr);
}

static int start_run(struct rl_store *s, int64_t id, const char *env, const char *kernel,
		     const char *workloads, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET status = 'running', started = ?, env = ?,"
			       " kernel_release = ?, workloads = ? WHERE id = ? AND status = 'queued'",
			       &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, rl_wall_ns());
	sqlite3_bind_text(q, 2, env, -1, SQLITE_STATIC);
	rl_store_bind_opt(q, 3, kernel);
	sqlite3_bind_text(q, 4, workloads, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, id);
	ret = rl_store_step_done(s, q, err, "start run");
	sqlite3_finalize(q);
	if (!ret && !sqlite3_changes(s->db))
		ret = rl_store_state_err(s, id, "start", "a queued", err);
	return ret;
}

int rl_store_run_start(struct rl_store *s, int64_t id, const struct rl_env *env,
		       const struct rl_workload *w, size_t nw, struct rl_err *err)
{
	char *env_text, *w_text;
	int ret;

	if (!env || (nw && !w))
		return rl_err_set(err, -EINVAL, "run %lld: start: no environment or workloads",
				  (long long)id);
	/* Serialize before taking the write lock: other writers wait on it. */
	env_text = rl_store_json_text(rl_env_to_json(env));
	w_text = workloads_text(w, nw);
	if (!env_text || !w_text) {
		ret = rl_err_set(err, -ENOMEM, "run %lld: start: out of memory", (long long)id);
		goto out;
	}
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, start_run(s, id, env_text, env->kernel_release, w_text, err),
				   err);
out:
	free(env_text);
	free(w_text);
	return ret;
}

static int update_env(struct rl_store *s, int64_t id, const char *env, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET env = ? WHERE id = ? AND status = 'running'", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(q, 1, env, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	ret = rl_store_step_done(s, q, err, "update env");
	sqlite3_finalize(q);
	if (!ret && !sqlite3_changes(s->db))
		ret = rl_store_state_err(s, id, "update the environment of", "a running", err);
	return ret;
}

int rl_store_run_env(struct rl_store *s, int64_t id, const struct rl_env *env, struct rl_err *err)
{
	char *text = rl_store_json_text(rl_env_to_json(env));
	int ret;

	if (!text)
		return rl_err_set(err, -ENOMEM, "run %lld: env: out of memory", (long long)id);
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, update_env(s, id, text, err), err);
	free(text);
	return ret;
}

static int finish_run(struct rl_store *s, int64_t id, enum rl_run_status st, const char *error,
		      struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET status = ?1, error = ?2, finished = ?3"
			       " WHERE id = ?4 AND (status = 'running'"
			       "  OR (status = 'queued' AND ?1 <> 'done'))", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(q, 1, rl_run_status_name(st), -1, SQLITE_STATIC);
	rl_store_bind_opt(q, 2, error);
	sqlite3_bind_int64(q, 3, rl_wall_ns());
	sqlite3_bind_int64(q, 4, id);
	ret = rl_store_step_done(s, q, err, "finish run");
	sqlite3_finalize(q);
	if (!ret && !sqlite3_changes(s->db))
		ret = rl_store_state_err(s, id, st == RL_RUN_DONE ? "done" : "finish",
					 st == RL_RUN_DONE ? "a running" : "a queued or running", err);
	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, "DELETE FROM progress WHERE run_id = ?", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, id);
	ret = rl_store_step_done(s, q, err, "delete progress");
	sqlite3_finalize(q);
	return ret;
}

int rl_store_run_finish(struct rl_store *s, int64_t id, enum rl_run_status st,
			const char *error, struct rl_err *err)
{
	int ret;

	if (st != RL_RUN_DONE && st != RL_RUN_FAILED && st != RL_RUN_ABORTED)
		return rl_err_set(err, -EINVAL, "run %lld: finish as %s: must be done, failed or aborted",
				  (long long)id, rl_run_status_name(st));
	ret = rl_store_begin(s, true, err);
	if (ret < 0)
		return ret;
	return rl_store_end(s, finish_run(s, id, st, error, err), err);
}

/* ---- runs measured elsewhere --------------------------------------------- */

static int check_import(const struct rl_run *run, struct rl_err *err)
{
	if (run->status != RL_RUN_DONE && run->status != RL_RUN_FAILED &&
	    run->status != RL_RUN_ABORTED)
		return rl_err_set(err, -EINVAL, "status: an imported run must be done, failed or aborted, not %s",
				  rl_run_status_name(run->status));
	if (run->started_ns <= 0)
		return rl_err_set(err, -EINVAL, "started: an imported run needs its start time");
	if (run->finished_ns && run->finished_ns < run->started_ns)
		return rl_err_set(err, -EINVAL, "finished: before started");
	return 0;
}

/* The row of an imported run: created when it started, already finished. */
static int insert_imported(struct rl_store *s, const struct rl_store_run_req *req,
			   const struct rl_run *run, const char *env, const char *workloads,
			   int64_t *id, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "INSERT INTO runs (created, started, finished, status, error,"
			       " what, target, label, kernel_tag, kernel_release, scale, request, env,"
			       " workloads) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
			       " ?13)", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, run->started_ns);
	sqlite3_bind_int64(q, 2, run->finished_ns ? run->finished_ns : run->started_ns);
	sqlite3_bind_text(q, 3, rl_run_status_name(run->status), -1, SQLITE_STATIC);
	rl_store_bind_opt(q, 4, run->error);
	sqlite3_bind_text(q, 5, req->what, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, req->target, -1, SQLITE_STATIC);
	rl_store_bind_opt(q, 7, req->label);
	rl_store_bind_opt(q, 8, req->kernel_tag);
	rl_store_bind_opt(q, 9, run->env.kernel_release);
	sqlite3_bind_double(q, 10, req->scale);
	rl_store_bind_opt(q, 11, req->request_json);
	sqlite3_bind_text(q, 12, env, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, workloads, -1, SQLITE_STATIC);
	ret = rl_store_step_done(s, q, err, "import run");
	if (!ret)
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(q);
	if (!ret)
		ret = rl_store_cells_import(s, *id, run, err);
	return ret;
}

int rl_store_run_import(struct rl_store *s, const struct rl_store_run_req *req,
			const struct rl_run *run, int64_t *id, struct rl_err *err)
{
	char *env_text = NULL, *w_text = NULL;
	struct rl_env *env;
	int ret;

	ret = check_req(req, err);
	if (!ret)
		ret = check_import(run, err);
	if (ret < 0)
		return ret;
	env = malloc(sizeof(*env));
	if (env) {
		*env = run->env;
		snprintf(env->label, sizeof(env->label), "%s", req->label ? req->label : "");
		snprintf(env->kernel_tag, sizeof(env->kernel_tag), "%s",
			 req->kernel_tag ? req->kernel_tag : "");
		env_text = rl_store_json_text(rl_env_to_json(env));
		free(env);
	}
	w_text = workloads_text(run->workloads, run->nworkloads);
	if (!env_text || !w_text) {
		ret = rl_err_set(err, -ENOMEM, "import: out of memory");
		goto out;
	}
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, insert_imported(s, req, run, env_text, w_text, id, err), err);
out:
	free(env_text);
	free(w_text);
	return ret;
}

static int abort_running(struct rl_store *s, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, n;

	ret = rl_store_prepare(s, "UPDATE runs SET status = 'aborted', error = ?, finished = ?"
			       " WHERE status = 'running'", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(q, 1, INTERRUPTED, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, rl_wall_ns());
	ret = rl_store_step_done(s, q, err, "recover");
	n = sqlite3_changes(s->db);
	sqlite3_finalize(q);
	if (!ret)
		ret = rl_store_exec(s, "DELETE FROM progress WHERE run_id NOT IN"
				    " (SELECT id FROM runs WHERE status = 'running')", err);
	return ret < 0 ? ret : n;
}

int rl_store_recover(struct rl_store *s, int *n, struct rl_err *err)
{
	int ret = rl_store_begin(s, true, err);

	if (ret < 0)
		return ret;
	ret = rl_store_end(s, abort_running(s, err), err);
	if (ret >= 0 && n)
		*n = ret;
	return ret;
}

/* ---- reading a run ------------------------------------------------------ */

/* The columns read_meta() reads, first in every query that reads runs. */
#define META_COLS "id, status, what, target, label, kernel_tag, kernel_release, scale," \
	" created, started, finished, error"
#define NMETA_COLS 12

static int read_meta(sqlite3_stmt *q, struct rl_store_run_meta *m, struct rl_err *err)
{
	const char *status = (const char *)sqlite3_column_text(q, 1);
	int st = status ? rl_store_status_parse(status) : -1;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(q, 0);
	if (st < 0)
		return rl_err_set(err, -EIO, "run %lld: unknown status in the database",
				  (long long)m->id);
	m->status = (enum rl_run_status)st;
	rl_store_col_str(q, 2, m->what, sizeof(m->what));
	rl_store_col_str(q, 3, m->target, sizeof(m->target));
	rl_store_col_str(q, 4, m->label, sizeof(m->label));
	rl_store_col_str(q, 5, m->kernel_tag, sizeof(m->kernel_tag));
	rl_store_col_str(q, 6, m->kernel_release, sizeof(m->kernel_release));
	m->scale = sqlite3_column_double(q, 7);
	m->created_ns = rl_store_col_i64(q, 8);
	m->started_ns = rl_store_col_i64(q, 9);
	m->finished_ns = rl_store_col_i64(q, 10);
	rl_store_col_str(q, 11, m->error, sizeof(m->error));
	return 0;
}

/* A JSON column; *out stays NULL for SQL NULL. */
static int json_col(sqlite3_stmt *q, int col, cJSON **out, int64_t id, const char *name,
		    struct rl_err *err)
{
	const char *text = (const char *)sqlite3_column_text(q, col);

	*out = NULL;
	if (!text)
		return 0;
	*out = cJSON_Parse(text);
	if (!*out)
		return rl_err_set(err, -EIO, "run %lld: stored %s is not JSON", (long long)id, name);
	return 0;
}

static int read_env(sqlite3_stmt *q, int col, struct rl_run *run, int64_t id,
		    struct rl_err *err)
{
	cJSON *j;
	int ret = json_col(q, col, &j, id, "env", err);

	if (ret < 0 || !j)
		return ret;
	ret = rl_env_from_json(j, &run->env, err);
	cJSON_Delete(j);
	if (ret == -EINVAL)
		ret = rl_err_prefix(err, -EIO, "run %lld: stored env", (long long)id);
	return ret;
}

static int parse_workloads(const cJSON *arr, struct rl_run *run, int64_t id,
			   struct rl_err *err)
{
	const cJSON *item;
	int n, ret;

	if (!cJSON_IsArray(arr))
		return rl_err_set(err, -EIO, "run %lld: stored workloads: not an array", (long long)id);
	n = cJSON_GetArraySize(arr);
	if (!n)
		return 0;
	run->workloads = calloc((size_t)n, sizeof(*run->workloads));
	if (!run->workloads)
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	cJSON_ArrayForEach(item, arr) {
		ret = rl_workload_parse(item, &run->workloads[run->nworkloads], err);
		if (ret < 0)
			return rl_err_prefix(err, ret == -ENOMEM ? ret : -EIO,
					     "run %lld: stored workloads[%zu]", (long long)id,
					     run->nworkloads);
		run->nworkloads++;
	}
	return 0;
}

static int read_workloads(sqlite3_stmt *q, int col, struct rl_run *run, int64_t id,
			  struct rl_err *err)
{
	cJSON *j;
	int ret = json_col(q, col, &j, id, "workloads", err);

	if (ret < 0 || !j)
		return ret;
	ret = parse_workloads(j, run, id, err);
	cJSON_Delete(j);
	return ret;
}

static int fill_run(struct rl_store *s, sqlite3_stmt *q, const struct rl_store_run_meta *m,
		    struct rl_run *run, struct rl_err *err)
{
	int ret;

	snprintf(run->suite, sizeof(run->suite), "%s", m->what);
	snprintf(run->error, sizeof(run->error), "%s", m->error);
	run->scale = m->scale;
	run->status = m->status;
	run->started_ns = m->started_ns;
	run->finished_ns = m->finished_ns;
	ret = read_env(q, NMETA_COLS, run, m->id, err);
	if (!ret)
		ret = read_workloads(q, NMETA_COLS + 1, run, m->id, err);
	if (!ret)
		ret = rl_store_cells_load(s, m->id, run, err);
	return ret;
}

static int get_run(struct rl_store *s, int64_t id, struct rl_run *run,
		   struct rl_store_run_meta *meta, struct rl_err *err)
{
	struct rl_store_run_meta m;
	sqlite3_stmt *q;
	int ret, rc;

	ret = rl_store_prepare(s, "SELECT " META_COLS ", env, workloads FROM runs WHERE id = ?",
			       &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		ret = rl_err_set(err, -ENOENT, "run %lld: no such run", (long long)id);
	else if (rc != SQLITE_ROW)
		ret = rl_store_sqlerr(s, rc, err, "run %lld", (long long)id);
	else
		ret = read_meta(q, &m, err);
	if (!ret && run)
		ret = fill_run(s, q, &m, run, err);
	if (!ret && meta)
		*meta = m;
	sqlite3_finalize(q);
	return ret;
}

int rl_store_run_get(struct rl_store *s, int64_t id, struct rl_run *run,
		     struct rl_store_run_meta *meta, struct rl_err *err)
{
	int ret;

	if (run)
		memset(run, 0, sizeof(*run));
	/* One read transaction: the run row and its cells from one snapshot. */
	ret = rl_store_begin(s, false, err);
	if (!ret)
		ret = rl_store_end(s, get_run(s, id, run, meta, err), err);
	if (ret < 0 && run)
		rl_run_free(run);
	return ret;
}

int rl_store_run_request(struct rl_store *s, int64_t id, cJSON **request,
			 struct rl_store_run_meta *meta, struct rl_err *err)
{
	struct rl_store_run_meta m;
	sqlite3_stmt *q;
	int ret, rc;

	*request = NULL;
	ret = rl_store_prepare(s, "SELECT " META_COLS ", request FROM runs WHERE id = ?", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		ret = rl_err_set(err, -ENOENT, "run %lld: no such run", (long long)id);
	else if (rc != SQLITE_ROW)
		ret = rl_store_sqlerr(s, rc, err, "run %lld", (long long)id);
	else
		ret = read_meta(q, &m, err);
	if (!ret)
		ret = json_col(q, NMETA_COLS, request, id, "request", err);
	if (!ret && meta)
		*meta = m;
	sqlite3_finalize(q);
	return ret;
}

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

int rl_store_run_json(struct rl_store *s, int64_t id, cJSON **out, struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_run run;
	cJSON *obj;
	int ret;

	*out = NULL;
	ret = rl_store_run_get(s, id, &run, &m, err);
	if (ret < 0)
		return ret;
	obj = rl_run_to_json(&run);
	rl_run_free(&run);
	if (!obj || !add_meta(obj, &m)) {
		cJSON_Delete(obj);
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
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
};

#define NFILTERS (sizeof(filter_cols) / sizeof(filter_cols[0]))
#define LIST_ORDER " ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"

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
static int bind_filters(sqlite3_stmt *q, const struct rl_store_filter *f)
{
	int idx = 1;
	size_t i;

	for (i = 0; i < NFILTERS; i++)
		if (filter_value(f, i))
			sqlite3_bind_text(q, idx++, filter_value(f, i), -1, SQLITE_STATIC);
	return idx;
}

static int prepare_filtered(struct rl_store *s, const char *select, const char *tail,
			    const struct rl_store_filter *f, sqlite3_stmt **q, struct rl_err *err)
{
	char sql[1024];
	size_t len;

	where_sql(sql, sizeof(sql), select, f);
	len = strlen(sql);
	snprintf(sql + len, sizeof(sql) - len, "%s", tail);
	return rl_store_prepare(s, sql, q, err);
}

static int check_filter(const struct rl_store_filter *f, struct rl_err *err)
{
	if (f->status && *f->status && rl_store_status_parse(f->status) < 0)
		return rl_err_set(err, -EINVAL,
				  "status: must be queued, running, done, failed or aborted, not \"%s\"",
				  f->status);
	if (f->limit < 0 || f->limit > RL_STORE_LIST_MAX)
		return rl_err_set(err, -EINVAL, "limit: must be 1..%d", RL_STORE_LIST_MAX);
	if (f->offset < 0)
		return rl_err_set(err, -EINVAL, "offset: must be >= 0");
	return 0;
}

static int count_runs(struct rl_store *s, const struct rl_store_filter *f, int *total,
		      struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, rc;

	ret = prepare_filtered(s, "SELECT count(*) FROM runs", "", f, &q, err);
	if (ret < 0)
		return ret;
	bind_filters(q, f);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int(q, 0);
	else
		ret = rl_store_sqlerr(s, rc, err, "count runs");
	sqlite3_finalize(q);
	return ret;
}

static int list_item(sqlite3_stmt *q, cJSON **out, struct rl_err *err)
{
	struct rl_store_run_meta m;
	cJSON *obj;
	int ret;

	*out = NULL;
	ret = read_meta(q, &m, err);
	if (ret < 0)
		return ret;
	obj = cJSON_CreateObject();
	if (obj && add_meta(obj, &m) && add_status(obj, &m) &&
	    add(obj, "ncells", cJSON_CreateNumber(sqlite3_column_int(q, NMETA_COLS))) &&
	    add(obj, "failed_cells", cJSON_CreateNumber(sqlite3_column_int(q, NMETA_COLS + 1)))) {
		*out = obj;
		return 0;
	}
	cJSON_Delete(obj);
	return rl_err_set(err, -ENOMEM, "list runs: out of memory");
}

static int list_runs(struct rl_store *s, const struct rl_store_filter *f, cJSON *arr,
		     struct rl_err *err)
{
	sqlite3_stmt *q;
	cJSON *item;
	int ret, rc, idx, n = 0;

	ret = prepare_filtered(s, "SELECT " META_COLS ","
			       " (SELECT count(*) FROM cells c WHERE c.run_id = runs.id),"
			       " (SELECT count(*) FROM cells c WHERE c.run_id = runs.id AND c.failed)"
			       " FROM runs", LIST_ORDER, f, &q, err);
	if (ret < 0)
		return ret;
	idx = bind_filters(q, f);
	sqlite3_bind_int(q, idx, f->limit ? f->limit : RL_STORE_LIST_DEFAULT);
	sqlite3_bind_int(q, idx + 1, f->offset);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = list_item(q, &item, err);
		if (ret < 0)
			break;
		cJSON_AddItemToArray(arr, item);
		n++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = rl_store_sqlerr(s, rc, err, "list runs");
	sqlite3_finalize(q);
	return ret < 0 ? ret : n;
}

int rl_store_runs_list(struct rl_store *s, const struct rl_store_filter *f, cJSON **out_array,
		       int *total, struct rl_err *err)
{
	static const struct rl_store_filter all;
	cJSON *arr;
	int ret, count = 0;

	*out_array = NULL;
	if (!f)
		f = &all;
	ret = check_filter(f, err);
	if (ret < 0)
		return ret;
	arr = cJSON_CreateArray();
	if (!arr)
		return rl_err_set(err, -ENOMEM, "list runs: out of memory");
	ret = rl_store_begin(s, false, err);
	if (!ret) {
		ret = count_runs(s, f, &count, err);
		if (!ret)
			ret = list_runs(s, f, arr, err);
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

/* ---- queries for the queue, comparisons and /metrics -------------------- */

int rl_store_run_ids_by(struct rl_store *s, const char *label, const char *kernel_tag,
			int64_t *ids, int max, struct rl_err *err)
{
	const struct rl_store_filter f = {
		.label = label, .kernel_tag = kernel_tag, .status = "done",
	};
	sqlite3_stmt *q;
	int ret, rc, idx, n = 0;

	if (max < 1)
		return rl_err_set(err, -EINVAL, "run ids: room for at least one id needed");
	ret = prepare_filtered(s, "SELECT id FROM runs", LIST_ORDER, &f, &q, err);
	if (ret < 0)
		return ret;
	idx = bind_filters(q, &f);
	sqlite3_bind_int(q, idx, max);
	sqlite3_bind_int(q, idx + 1, 0);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(q, 0);
	if (rc != SQLITE_DONE)
		ret = rl_store_sqlerr(s, rc, err, "run ids");
	sqlite3_finalize(q);
	return ret < 0 ? ret : n;
}

int rl_store_next_queued(struct rl_store *s, const char *target, int64_t *id,
			 struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, rc;

	if (target && !*target)
		target = NULL;
	/* Two statements rather than "?1 IS NULL OR": that would not use the index. */
	ret = rl_store_prepare(s, target ?
			       "SELECT id FROM runs WHERE target = ? AND status = 'queued'"
			       " ORDER BY created, id LIMIT 1" :
			       "SELECT id FROM runs WHERE status = 'queued'"
			       " ORDER BY created, id LIMIT 1", &q, err);
	if (ret < 0)
		return ret;
	if (target)
		sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	else if (rc == SQLITE_DONE)
		ret = rl_err_set(err, -ENOENT, "no queued run%s%s", target ? " on target " : "",
				 target ? target : "");
	else
		ret = rl_store_sqlerr(s, rc, err, "next queued run");
	sqlite3_finalize(q);
	return ret;
}

int rl_store_target_busy(struct rl_store *s, const char *target, bool *busy,
			 struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, rc;

	if (!target || !*target)
		return rl_err_set(err, -EINVAL, "target: required");
	ret = rl_store_prepare(s, "SELECT EXISTS (SELECT 1 FROM runs WHERE target = ?"
			       " AND status IN ('queued', 'running'))", &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*busy = sqlite3_column_int(q, 0) != 0;
	else
		ret = rl_store_sqlerr(s, rc, err, "target %s", target);
	sqlite3_finalize(q);
	return ret;
}

static int count_by_status(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, rc, st;

	ret = rl_store_prepare(s, "SELECT status, count(*) FROM runs GROUP BY status", &q, err);
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		st = rl_store_status_parse((const char *)sqlite3_column_text(q, 0));
		if (st >= 0)
			c->runs[st] = (uint64_t)sqlite3_column_int64(q, 1);
		c->runs_total += (uint64_t)sqlite3_column_int64(q, 1);
	}
	if (rc != SQLITE_DONE)
		ret = rl_store_sqlerr(s, rc, err, "count runs");
	sqlite3_finalize(q);
	return ret;
}

static int count_cells(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err)
{
	sqlite3_stmt *q;
	int ret, rc;

	ret = rl_store_prepare(s, "SELECT count(*) FROM cells", &q, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		c->cells = (uint64_t)sqlite3_column_int64(q, 0);
	else
		ret = rl_store_sqlerr(s, rc, err, "count cells");
	sqlite3_finalize(q);
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
