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
 * One row of (host, status, runs, cells, failed cells) added to its host's
 * entry. Returns 0 or -ENOMEM.
 */
static int count_row(struct rl_sql_stmt *q, struct rl_store_host_counts *v)
{
	struct rl_store_host_count *e;
	char host[sizeof(e->host)], status[16];
	int64_t cells, failed;
	int st;

	rl_store_col_str(q, 0, host, sizeof(host));
	rl_store_col_str(q, 1, status, sizeof(status));
	e = host_entry(v, host);
	if (!e)
		return -ENOMEM;
	st = rl_store_status_parse(status);
	if (st >= 0)
		e->runs[st] += (uint64_t)rl_sql_col_i64(q, 2);
	cells = rl_sql_col_i64(q, 3);
	failed = rl_sql_col_i64(q, 4);
	e->cells_failed += (uint64_t)failed;
	e->cells_ok += (uint64_t)(cells - failed);
	return 0;
}

/*
 * Runs stored before hosts were recorded, and queued runs, count under "".
 * The cells come from each run's ncells and failed_cells, which every
 * writer of cell_summaries keeps (a cell's guard, an import, the v5
 * conversion; a fleet re-queue zeroes them with the rows): a scrape reads
 * the runs, never every cell row.
 */
static int host_counts(struct rl_store *s, struct rl_store_host_counts *v, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int rc, ret;

	ret = rl_store_prepare(s, "SELECT host, status, count(*), CAST(sum(ncells) AS BIGINT),"
			       " CAST(sum(failed_cells) AS BIGINT) FROM runs"
			       " GROUP BY host, status ORDER BY host", &q, err);
	if (ret < 0)
		return ret;
	while ((rc = rl_sql_step(q, err)) > 0) {
		ret = count_row(q, v);
		if (ret < 0) {
			rl_err_set(err, ret, "count runs by host: out of memory");
			break;
		}
	}
	if (!ret && rc < 0)
		ret = rl_err_prefix(err, rc, "count runs by host");
	rl_sql_finalize(q);
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
