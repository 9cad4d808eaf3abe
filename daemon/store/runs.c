/* SPDX-License-Identifier: MIT */
/*
 * Runs: their life (create, start, finish, import, recover) and reading one
 * back. Listing them and their JSON for the API are in runs_list.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "engine/env.h"
#include "engine/result_json.h"
#include "util/clock.h"

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
	if (!ret)
		ret = check_len("kernel", req->fleet_kernel, RL_STORE_TAG_MAX, false, err);
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

/*
 * Step and finalize @q, an UPDATE guarded by the run's status: a run in
 * another status changes no row, and then the error says which it is in.
 */
static int step_guarded(struct rl_store *s, struct rl_sql_stmt *q, int64_t id, const char *action,
			const char *need, const char *what, struct rl_err *err)
{
	int ret = rl_store_step_done(s, q, err, what);
	int64_t changed = rl_sql_changes(q);

	rl_sql_finalize(q);
	if (!ret && !changed)
		ret = rl_store_state_err(s, id, action, need, err);
	return ret;
}

static int insert_run(struct rl_store *s, const struct rl_store_run_req *req, int64_t *id,
		      struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "INSERT INTO runs (created, status, what, target, label,"
			       " kernel_tag, scale, request, fleet_host, fleet_target, fleet_kernel, host)"
			       " VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			       &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, rl_wall_ns());
	rl_sql_bind_text(q, 2, req->what);
	rl_sql_bind_text(q, 3, req->target);
	rl_store_bind_opt(q, 4, req->label);
	rl_store_bind_opt(q, 5, req->kernel_tag);
	rl_sql_bind_double(q, 6, req->scale);
	rl_store_bind_opt(q, 7, req->request_json);
	rl_store_bind_opt(q, 8, req->fleet_host);
	/* A fleet run's target is whichever claims it unless one is asked for. */
	rl_store_bind_opt(q, 9, req->fleet_host && strcmp(req->target, "any") ? req->target : NULL);
	rl_store_bind_opt(q, 10, req->fleet_kernel);
	/* Whose queue a run of one daemon is in; a fleet run's host is its taker's. */
	rl_store_bind_opt(q, 11, req->fleet_host ? NULL : req->host);
	return rl_store_step_insert(s, q, id, err, "create run");
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

static int start_run(struct rl_store *s, int64_t id, int64_t started_ns, const char *env,
		     const char *kernel, const struct rl_store_blob *workloads, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET status = 'running', started = ?, env = ?,"
			       " kernel_release = ? WHERE id = ? AND status = 'queued'"
			       RL_STORE_LEASE_GUARD, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, started_ns > 0 ? started_ns : rl_wall_ns());
	rl_sql_bind_text(q, 2, env);
	rl_store_bind_opt(q, 3, kernel);
	rl_sql_bind_i64(q, 4, id);
	rl_sql_bind_text(q, 5, s->lease_owner);
	ret = step_guarded(s, q, id, "start", "a queued", "start run", err);
	return ret < 0 ? ret : rl_store_detail_put_workloads_blob(s, id, workloads, err);
}

/* The run's row, then its host's columns: from @env, the same transaction. */
static int start_run_host(struct rl_store *s, int64_t id, int64_t started_ns,
			  const struct rl_env *env, const char *env_text,
			  const struct rl_store_blob *workloads, struct rl_err *err)
{
	int ret = start_run(s, id, started_ns, env_text, env->kernel_release, workloads, err);

	return ret < 0 ? ret : rl_store_run_host_set(s, id, env, err);
}

int rl_store_run_start(struct rl_store *s, int64_t id, const struct rl_env *env,
		       const struct rl_workload *w, size_t nw, struct rl_err *err)
{
	return rl_store_run_start_at(s, id, env, w, nw, 0, err);
}

int rl_store_run_start_at(struct rl_store *s, int64_t id, const struct rl_env *env,
			  const struct rl_workload *w, size_t nw, int64_t started_ns,
			  struct rl_err *err)
{
	struct rl_store_blob w_blob;
	char *env_text;
	int ret;

	if (!env || (nw && !w))
		return rl_err_set(err, -EINVAL, "run %lld: start: no environment or workloads",
				  (long long)id);
	/* Serialize before taking the write lock: other writers wait on it. */
	env_text = rl_store_json_text(rl_env_to_json(env));
	if (!env_text)
		return rl_err_set(err, -ENOMEM, "run %lld: start: out of memory", (long long)id);
	ret = rl_store_detail_pack_workloads(s, w, nw, &w_blob, err);
	if (!ret)
		ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, start_run_host(s, id, started_ns, env, env_text, &w_blob, err),
				   err);
	free(env_text);
	return ret;
}

static int update_env(struct rl_store *s, int64_t id, const char *env, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET env = ? WHERE id = ? AND status = 'running'"
			       RL_STORE_LEASE_GUARD, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, env);
	rl_sql_bind_i64(q, 2, id);
	rl_sql_bind_text(q, 3, s->lease_owner);
	return step_guarded(s, q, id, "update the environment of", "a running", "update env", err);
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
		      int64_t finished_ns, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	/* A run ended before it started ran nowhere: it drops the host of the queue it was in. */
	ret = rl_store_prepare(s, "UPDATE runs SET status = ?1, error = ?2, finished = ?3,"
			       " host = CASE WHEN status = 'queued' THEN NULL ELSE host END"
			       " WHERE id = ?4 AND (status = 'running'"
			       "  OR (status = 'queued' AND ?1 <> 'done'))" RL_STORE_LEASE_GUARD, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, rl_run_status_name(st));
	rl_store_bind_opt(q, 2, error);
	rl_sql_bind_i64(q, 3, finished_ns ? finished_ns : rl_wall_ns());
	rl_sql_bind_i64(q, 4, id);
	rl_sql_bind_text(q, 5, s->lease_owner);
	ret = step_guarded(s, q, id, st == RL_RUN_DONE ? "done" : "finish",
			   st == RL_RUN_DONE ? "a running" : "a queued or running", "finish run",
			   err);
	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, "DELETE FROM progress WHERE run_id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_store_step_done(s, q, err, "delete progress");
	rl_sql_finalize(q);
	/* Ended: its cells will only be read now, packed. */
	return ret < 0 ? ret : rl_store_detail_pack(s, id, err);
}

int rl_store_run_finish(struct rl_store *s, int64_t id, enum rl_run_status st,
			const char *error, struct rl_err *err)
{
	return rl_store_run_finish_at(s, id, st, error, 0, err);
}

static int end_run(struct rl_store *s, int64_t id, enum rl_run_status st, const char *error,
		   int64_t finished_ns, const char *env_json, struct rl_err *err)
{
	int ret = env_json ? update_env(s, id, env_json, err) : 0;

	return ret < 0 ? ret : finish_run(s, id, st, error, finished_ns, err);
}

/* Whether run @id ended as @st at @finished_ns: its end is already stored. */
static bool ended_so(struct rl_store *s, int64_t id, enum rl_run_status st, int64_t finished_ns)
{
	struct rl_store_run_meta m;
	struct rl_err e = { "" };

	return rl_store_run_get(s, id, NULL, &m, &e) == 0 && m.status == st &&
	       m.finished_ns == finished_ns;
}

/* The end of run @id, with its last environment when @env_json is not NULL, in one transaction. */
static int end_txn(struct rl_store *s, int64_t id, enum rl_run_status st, const char *error,
		   int64_t finished_ns, const char *env_json, struct rl_err *err)
{
	int ret;

	if (st != RL_RUN_DONE && st != RL_RUN_FAILED && st != RL_RUN_ABORTED)
		return rl_err_set(err, -EINVAL, "run %lld: finish as %s: must be done, failed or aborted",
				  (long long)id, rl_run_status_name(st));
	ret = rl_store_begin(s, true, err);
	if (ret < 0)
		return ret;
	return rl_store_end(s, end_run(s, id, st, error, finished_ns, env_json, err), err);
}

int rl_store_run_finish_at(struct rl_store *s, int64_t id, enum rl_run_status st,
			   const char *error, int64_t finished_ns, struct rl_err *err)
{
	return end_txn(s, id, st, error, finished_ns, NULL, err);
}

int rl_store_run_end_json(struct rl_store *s, int64_t id, enum rl_run_status st,
			  const char *error, int64_t finished_ns, const char *env_json,
			  struct rl_err *err)
{
	int ret = end_txn(s, id, st, error, finished_ns, env_json, err);

	if (ret == -EINVAL && finished_ns && ended_so(s, id, st, finished_ns))
		return rl_err_set(err, -EEXIST, "run %lld: already ended %s at that time",
				  (long long)id, rl_run_status_name(st));
	return ret;
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
			   const struct rl_run *run, const char *env,
			   const struct rl_store_blob *workloads, struct rl_store_pack_job *cells,
			   int64_t *id, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t failed = 0;
	int ret;

	for (size_t i = 0; i < run->ncells; i++)
		failed += run->cells[i].failed;
	/* The host's columns in the INSERT: an UPDATE after it would leave PostgreSQL a dead row. */
	ret = rl_store_prepare(s, "INSERT INTO runs (created, started, finished, status, error,"
			       " what, target, label, kernel_tag, kernel_release, scale, request, env,"
			       " ncells, failed_cells, " RL_STORE_HOST_COLS ") VALUES (?1, ?1, ?2, ?3,"
			       " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
			       " ?19) RETURNING id", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, run->started_ns);
	rl_sql_bind_i64(q, 2, run->finished_ns ? run->finished_ns : run->started_ns);
	rl_sql_bind_text(q, 3, rl_run_status_name(run->status));
	rl_store_bind_opt(q, 4, run->error);
	rl_sql_bind_text(q, 5, req->what);
	rl_sql_bind_text(q, 6, req->target);
	rl_store_bind_opt(q, 7, req->label);
	rl_store_bind_opt(q, 8, req->kernel_tag);
	rl_store_bind_opt(q, 9, run->env.kernel_release);
	rl_sql_bind_double(q, 10, req->scale);
	rl_store_bind_opt(q, 11, req->request_json);
	rl_sql_bind_text(q, 12, env);
	rl_sql_bind_i64(q, 13, (int64_t)run->ncells);
	rl_sql_bind_i64(q, 14, failed);
	rl_store_host_bind(q, 15, &run->env);
	ret = rl_store_step_insert(s, q, id, err, "import run");
	/* The summaries first: their rows are written while @cells is packed. */
	if (!ret)
		ret = rl_store_summaries_import(s, *id, run, err);
	if (!ret && cells)
		ret = rl_store_detail_put_cells_packing(s, *id, cells, workloads, err);
	else if (!ret)
		ret = rl_store_detail_put_cells(s, *id, run, workloads, err);
	return ret;
}

/* rl_store_run_import()'s transaction, @cells (NULL: none given) being packed meanwhile. */
static int import_txn(struct rl_store *s, const struct rl_store_run_req *req,
		      const struct rl_run *run, struct rl_store_pack_job *cells, int64_t *id,
		      struct rl_err *err)
{
	struct rl_store_blob w_blob;
	char *env_text = NULL;
	struct rl_env *env;
	int ret;

	env = malloc(sizeof(*env));
	if (env) {
		*env = run->env;
		snprintf(env->label, sizeof(env->label), "%s", req->label ? req->label : "");
		snprintf(env->kernel_tag, sizeof(env->kernel_tag), "%s",
			 req->kernel_tag ? req->kernel_tag : "");
		rl_env_derive(env);
		env_text = rl_store_json_text(rl_env_to_json(env));
		free(env);
	}
	if (!env_text)
		return rl_err_set(err, -ENOMEM, "import: out of memory");
	ret = rl_store_detail_pack_workloads(s, run->workloads, run->nworkloads, &w_blob, err);
	if (!ret)
		ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, insert_imported(s, req, run, env_text, &w_blob, cells, id, err),
				   err);
	free(env_text);
	return ret;
}

int rl_store_run_import(struct rl_store *s, const struct rl_store_run_req *req,
			const struct rl_run *run, int64_t *id, struct rl_err *err)
{
	struct rl_store_pack_job *cells = NULL, job;
	int ret;

	ret = check_req(req, err);
	if (!ret)
		ret = check_import(run, err);
	if (!ret && req->cells_json) {
		ret = rl_store_pack_start(&job, req->cells_json, req->cells_json_len, err);
		cells = ret ? NULL : &job;
	}
	if (ret < 0)
		return ret;
	ret = import_txn(s, req, run, cells, id, err);
	if (cells)
		rl_store_pack_end(cells);
	return ret;
}

/* The ids of the runs that ended with cell rows not packed, into @ids (malloc'd). Returns their count or -errno. */
static int unpacked_ids(struct rl_store *s, int64_t **ids, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t *v = NULL, *p;
	int ret, more, n = 0;

	*ids = NULL;
	ret = rl_store_prepare(s, "SELECT DISTINCT run_id FROM cells WHERE run_id NOT IN"
			       " (SELECT id FROM runs WHERE status = 'running')", &q, err);
	if (ret < 0)
		return ret;
	while ((more = rl_sql_step(q, err)) > 0) {
		p = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!p) {
			ret = rl_err_set(err, -ENOMEM, "recover: out of memory");
			break;
		}
		v = p;
		v[n++] = rl_sql_col_i64(q, 0);
	}
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "recover");
	rl_sql_finalize(q);
	if (ret < 0) {
		free(v);
		return ret;
	}
	*ids = v;
	return n;
}

/* Pack the cell rows of every run that is not running. Returns 0 or -errno. */
static int pack_ended(struct rl_store *s, struct rl_err *err)
{
	int64_t *ids;
	int ret = 0, n = unpacked_ids(s, &ids, err);

	for (int i = 0; i < n && !ret; i++)
		ret = rl_store_detail_pack(s, ids[i], err);
	free(ids);
	return n < 0 ? n : ret;
}

/* Abort the running runs, of @targets (and @host's) only unless it is NULL. */
static int abort_running(struct rl_store *s, const char *host, const char *const *targets,
			 size_t ntargets, struct rl_err *err)
{
	char sql[200 + RL_STORE_RECOVER_MAX * 3];
	struct rl_sql_stmt *q;
	size_t i, len;
	int ret, n;

	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE runs SET status = 'aborted', error = ?,"
			       " finished = ? WHERE status = 'running'");
	for (i = 0; targets && i < ntargets; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? ", " : " AND target IN (");
	/* A fleet run goes back to the queue when its lease runs out, not here. */
	if (targets)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") AND fleet_host IS NULL");
	/* Another machine's target of the same name is not ours. */
	if (targets && host)
		snprintf(sql + len, sizeof(sql) - len, " AND (host IS NULL OR host = ?)");
	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, INTERRUPTED);
	rl_sql_bind_i64(q, 2, rl_wall_ns());
	for (i = 0; targets && i < ntargets; i++)
		rl_sql_bind_text(q, 3 + (int)i, targets[i]);
	if (targets && host)
		rl_sql_bind_text(q, 3 + (int)i, host);
	ret = rl_store_step_done(s, q, err, "recover");
	n = (int)rl_sql_changes(q);
	rl_sql_finalize(q);
	if (!ret)
		ret = rl_store_exec(s, "DELETE FROM progress WHERE run_id NOT IN"
				    " (SELECT id FROM runs WHERE status = 'running')", err);
	/* Ended too: their cells are packed as a run's end packs them. */
	if (!ret)
		ret = pack_ended(s, err);
	return ret < 0 ? ret : n;
}

static int recover(struct rl_store *s, const char *host, const char *const *targets,
		   size_t ntargets, int *n, struct rl_err *err)
{
	int ret = rl_store_begin(s, true, err);

	if (ret < 0)
		return ret;
	ret = rl_store_end(s, abort_running(s, host, targets, ntargets, err), err);
	if (ret >= 0 && n)
		*n = ret;
	return ret;
}

int rl_store_recover(struct rl_store *s, int *n, struct rl_err *err)
{
	return recover(s, NULL, NULL, 0, n, err);
}

int rl_store_recover_targets(struct rl_store *s, const char *host,
			     const char *const *targets, size_t ntargets, int *n, struct rl_err *err)
{
	if (!ntargets || ntargets > RL_STORE_RECOVER_MAX)
		return rl_err_set(err, -EINVAL, "recover: 1 to %d targets, not %zu",
				  RL_STORE_RECOVER_MAX, ntargets);
	return recover(s, host && *host ? host : NULL, targets, ntargets, n, err);
}

/* ---- reading a run ------------------------------------------------------ */

int rl_store_meta_read(struct rl_sql_stmt *q, struct rl_store_run_meta *m, struct rl_err *err)
{
	const char *status = rl_sql_col_text(q, 1);
	int st = status ? rl_store_status_parse(status) : -1;

	memset(m, 0, sizeof(*m));
	m->id = rl_sql_col_i64(q, 0);
	if (st < 0)
		return rl_err_set(err, -EIO, "run %lld: unknown status in the database",
				  (long long)m->id);
	m->status = (enum rl_run_status)st;
	rl_store_col_str(q, 2, m->what, sizeof(m->what));
	rl_store_col_str(q, 3, m->target, sizeof(m->target));
	rl_store_col_str(q, 4, m->label, sizeof(m->label));
	rl_store_col_str(q, 5, m->kernel_tag, sizeof(m->kernel_tag));
	rl_store_col_str(q, 6, m->kernel_release, sizeof(m->kernel_release));
	m->scale = rl_sql_col_double(q, 7);
	m->created_ns = rl_store_col_i64(q, 8);
	m->started_ns = rl_store_col_i64(q, 9);
	m->finished_ns = rl_store_col_i64(q, 10);
	rl_store_col_str(q, 11, m->error, sizeof(m->error));
	return 0;
}

/* A JSON column; *out stays NULL for SQL NULL. */
static int json_col(struct rl_sql_stmt *q, int col, cJSON **out, int64_t id, const char *name,
		    struct rl_err *err)
{
	const char *text = rl_sql_col_text(q, col);

	*out = NULL;
	if (!text)
		return 0;
	*out = cJSON_Parse(text);
	if (!*out)
		return rl_err_set(err, -EIO, "run %lld: stored %s is not JSON", (long long)id, name);
	return 0;
}

/* Reads a stored JSON column into @run; what it finds wrong is -EIO. */
typedef int (*json_reader)(const cJSON *j, struct rl_run *run, int64_t id, struct rl_err *err);

static int parse_env(const cJSON *j, struct rl_run *run, int64_t id, struct rl_err *err)
{
	int ret = rl_env_from_json(j, &run->env, err);

	if (ret == -EINVAL)
		ret = rl_err_prefix(err, -EIO, "run %lld: stored env", (long long)id);
	return ret;
}

/* JSON column @col, named @name in errors, into @run by @parse; SQL NULL leaves @run as it is. */
static int read_json(struct rl_sql_stmt *q, int col, const char *name, json_reader parse,
		     struct rl_run *run, int64_t id, struct rl_err *err)
{
	cJSON *j;
	int ret = json_col(q, col, &j, id, name, err);

	if (ret < 0 || !j)
		return ret;
	ret = parse(j, run, id, err);
	cJSON_Delete(j);
	return ret;
}

/* The columns after RL_STORE_META_COLS that fill_run() reads. */
#define RUN_COLS ", env"

/* Reads run @id's cells into @run: whole (rl_store_detail_get_cells) or light (summaries). */
typedef int (*cells_reader)(struct rl_store *s, int64_t id, struct rl_run *run,
			    struct rl_err *err);

static int fill_run(struct rl_store *s, struct rl_sql_stmt *q, const struct rl_store_run_meta *m,
		    cells_reader cells, struct rl_run *run, struct rl_err *err)
{
	int ret;

	snprintf(run->suite, sizeof(run->suite), "%s", m->what);
	snprintf(run->error, sizeof(run->error), "%s", m->error);
	run->scale = m->scale;
	run->status = m->status;
	run->started_ns = m->started_ns;
	run->finished_ns = m->finished_ns;
	ret = read_json(q, RL_STORE_NMETA_COLS, "env", parse_env, run, m->id, err);
	if (!ret)
		ret = rl_store_detail_get_workloads(s, m->id, run, err);
	if (!ret)
		ret = cells(s, m->id, run, err);
	return ret;
}

/*
 * Run @id's row: RL_STORE_META_COLS and then @more columns, its meta read
 * into @m and @q left on the row. The caller finalizes @q, whatever this
 * returns: 0, -ENOENT or -errno.
 */
static int select_run(struct rl_store *s, const char *more, int64_t id, struct rl_sql_stmt **q,
		      struct rl_store_run_meta *m, struct rl_err *err)
{
	char sql[256];
	int ret;

	snprintf(sql, sizeof(sql), "SELECT " RL_STORE_META_COLS "%s FROM runs WHERE id = ?", more);
	ret = rl_store_prepare(s, sql, q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(*q, 1, id);
	ret = rl_sql_step(*q, err);
	if (!ret)
		return rl_err_set(err, -ENOENT, "run %lld: no such run", (long long)id);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld", (long long)id);
	return rl_store_meta_read(*q, m, err);
}

int rl_store_state_err(struct rl_store *s, int64_t id, const char *action, const char *need,
		       struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_sql_stmt *q = NULL;
	int ret = rl_store_lease_err(s, id, err);

	if (ret < 0)
		return ret;
	ret = select_run(s, "", id, &q, &m, err);
	rl_sql_finalize(q);
	if (ret < 0)
		return ret;
	return rl_err_set(err, -EINVAL, "run %lld is %s: %s needs %s run", (long long)id,
			  rl_run_status_name(m.status), action, need);
}

static int get_run(struct rl_store *s, int64_t id, cells_reader cells, struct rl_run *run,
		   struct rl_store_run_meta *meta, struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_sql_stmt *q = NULL;
	int ret;

	ret = select_run(s, RUN_COLS, id, &q, &m, err);
	if (!ret && run)
		ret = fill_run(s, q, &m, cells, run, err);
	if (!ret && meta)
		*meta = m;
	rl_sql_finalize(q);
	return ret;
}

static int read_run(struct rl_store *s, int64_t id, cells_reader cells, struct rl_run *run,
		    struct rl_store_run_meta *meta, struct rl_err *err)
{
	int ret;

	if (run)
		memset(run, 0, sizeof(*run));
	/* One read transaction: the run row and its cells from one snapshot. */
	ret = rl_store_begin(s, false, err);
	if (!ret)
		ret = rl_store_end(s, get_run(s, id, cells, run, meta, err), err);
	if (ret < 0 && run)
		rl_run_free(run);
	return ret;
}

int rl_store_run_get(struct rl_store *s, int64_t id, struct rl_run *run,
		     struct rl_store_run_meta *meta, struct rl_err *err)
{
	return read_run(s, id, rl_store_detail_get_cells, run, meta, err);
}

int rl_store_run_summary(struct rl_store *s, int64_t id, struct rl_run *run,
			 struct rl_store_run_meta *meta, struct rl_err *err)
{
	return read_run(s, id, rl_store_summaries_load, run, meta, err);
}

int rl_store_run_request(struct rl_store *s, int64_t id, cJSON **request,
			 struct rl_store_run_meta *meta, struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_sql_stmt *q = NULL;
	int ret;

	*request = NULL;
	ret = select_run(s, ", request", id, &q, &m, err);
	if (!ret)
		ret = json_col(q, RL_STORE_NMETA_COLS, request, id, "request", err);
	if (!ret && meta)
		*meta = m;
	rl_sql_finalize(q);
	return ret;
}
