/* SPDX-License-Identifier: MIT */
/*
 * The machine each run ran on: its columns (host, machine_id, cpu_model,
 * device_model, guest_host; schema version 4), written when a run starts or
 * is imported, and the per-host counts /metrics exports.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "engine/env.h"

void rl_store_host_bind(struct rl_sql_stmt *q, int i, const struct rl_env *env)
{
	struct rl_host_id h;

	rl_env_host_id(env, &h);
	rl_store_bind_opt(q, i, h.host);
	rl_store_bind_opt(q, i + 1, h.machine_id);
	rl_store_bind_opt(q, i + 2, h.cpu_model);
	rl_store_bind_opt(q, i + 3, env->device_model);
	rl_store_bind_opt(q, i + 4, h.guest);
}

int rl_store_run_host_set(struct rl_store *s, int64_t id, const struct rl_env *env,
			  struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET host = ?, machine_id = ?, cpu_model = ?,"
			       " device_model = ?, guest_host = ? WHERE id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_store_host_bind(q, 1, env);
	rl_sql_bind_i64(q, 6, id);
	ret = rl_store_step_done(s, q, err, "record the run's host");
	rl_sql_finalize(q);
	return ret;
}

/* The entry of @host in @v, appended when new; NULL when out of memory. */
static struct rl_store_host_count *host_entry(struct rl_store_host_counts *v, const char *host)
{
	struct rl_store_host_count *e;

	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->hosts[i].host, host))
			return &v->hosts[i];
	e = realloc(v->hosts, (v->n + 1) * sizeof(*e));
	if (!e)
		return NULL;
	v->hosts = e;
	e = &v->hosts[v->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	return e;
}

/*
 * Step @q, rows of (host, key, count), adding each count by @add. Finalizes
 * @q. Returns 0 or -errno.
 */
static int count_rows(struct rl_store *s, struct rl_sql_stmt *q, struct rl_store_host_counts *v,
		      void (*add)(struct rl_store_host_count *e, const char *key, uint64_t n),
		      struct rl_err *err)
{
	struct rl_store_host_count *e;
	char host[sizeof(e->host)], key[16];
	int rc, ret = 0;

	while ((rc = rl_sql_step(q, err)) > 0) {
		rl_store_col_str(q, 0, host, sizeof(host));
		rl_store_col_str(q, 1, key, sizeof(key));
		e = host_entry(v, host);
		if (!e) {
			ret = rl_err_set(err, -ENOMEM, "count runs by host: out of memory");
			break;
		}
		add(e, key, (uint64_t)rl_sql_col_i64(q, 2));
	}
	if (!ret && rc < 0)
		ret = rl_err_prefix(err, rc, "count runs by host");
	rl_sql_finalize(q);
	return ret;
}

static void add_runs(struct rl_store_host_count *e, const char *status, uint64_t n)
{
	int st = rl_store_status_parse(status);

	if (st >= 0)
		e->runs[st] += n;
}

static void add_cells(struct rl_store_host_count *e, const char *failed, uint64_t n)
{
	if (!strcmp(failed, "1"))
		e->cells_failed += n;
	else
		e->cells_ok += n;
}

/* Runs stored before hosts were recorded, and queued runs, count under "". */
static int host_counts(struct rl_store *s, struct rl_store_host_counts *v, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "SELECT host, status, count(*) FROM runs"
			       " GROUP BY host, status ORDER BY host", &q, err);
	if (!ret)
		ret = count_rows(s, q, v, add_runs, err);
	if (!ret)
		ret = rl_store_prepare(s, "SELECT r.host, c.failed, count(*) FROM cell_summaries c"
				       " JOIN runs r ON r.id = c.run_id GROUP BY r.host, c.failed",
				       &q, err);
	if (!ret)
		ret = count_rows(s, q, v, add_cells, err);
	return ret;
}

int rl_store_host_counts(struct rl_store *s, struct rl_store_host_counts *v, struct rl_err *err)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = rl_store_begin(s, false, err);
	if (!ret)
		ret = rl_store_end(s, host_counts(s, v, err), err);
	if (ret < 0)
		rl_store_host_counts_free(v);
	return ret;
}

void rl_store_host_counts_free(struct rl_store_host_counts *v)
{
	free(v->hosts);
	memset(v, 0, sizeof(*v));
}
