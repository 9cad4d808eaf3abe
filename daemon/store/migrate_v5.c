/* SPDX-License-Identifier: MIT */
/*
 * The data of the migration to schema 5 (migrate.c has its tables): each run
 * stored before it gets its workloads in run_details, a summary row per
 * cell, its cell counts, and, unless it is running, its cells packed. A run
 * still running keeps its rows: rl_store_recover() ends it, and its end
 * packs them. Each cell is read with the code that reads a cell, so a cell
 * that no longer parses stops the migration (nothing changed) rather than
 * being lost.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "engine/result_json.h"

/* The summary rows of run @id's cell rows, whose workloads are in @run; counts into @n, @failed. */
static int summarize_rows(struct rl_store *s, int64_t id, const struct rl_run *run,
			  int64_t *n, int64_t *failed, struct rl_err *err)
{
	struct rl_store_summary_writer w;
	struct rl_cell c;
	struct rl_sql_stmt *q = NULL;
	bool nowait, timing;
	int64_t seq = 0;
	cJSON *j;
	int ret, more = 0;

	ret = rl_store_summary_begin(s, &w, err);
	if (!ret)
		ret = rl_store_prepare(s, "SELECT seq, json FROM cells WHERE run_id = ? ORDER BY seq",
				       &q, err);
	if (!ret)
		rl_sql_bind_i64(q, 1, id);
	while (!ret && (more = rl_sql_step(q, err)) > 0) {
		seq = rl_sql_col_i64(q, 0);
		j = cJSON_Parse(rl_sql_col_text(q, 1));
		ret = j ? rl_cell_from_json(j, &c, err) : rl_err_set(err, -EIO, "not JSON");
		cJSON_Delete(j);
		if (ret < 0) {
			rl_err_prefix(err, ret == -ENOMEM ? ret : -EIO, "run %lld: stored cell %lld",
				      (long long)id, (long long)seq);
			break;
		}
		rl_store_wflags_of(run, c.workload, &nowait, &timing);
		ret = rl_store_summary_add(s, &w, id, (uint32_t)seq, &c, nowait, timing, err);
		(*n)++;
		*failed += c.failed;
	}
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "run %lld: cells", (long long)id);
	rl_sql_finalize(q);
	rl_store_summary_end(&w);
	return ret;
}

/* Run @id, in @status, with its workloads' JSON @workloads (NULL: none yet). */
static int convert_run(struct rl_store *s, int64_t id, const char *status, const char *workloads,
		       struct rl_err *err)
{
	struct rl_run *run = calloc(1, sizeof(*run));
	int64_t n = 0, failed = 0;
	int ret = 0;

	if (!run)
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	/* Stored, then read back as every later reader will (parsed once per distinct list). */
	if (workloads)
		ret = rl_store_detail_put_workloads(s, id, workloads, err);
	if (!ret && workloads)
		ret = rl_store_detail_get_workloads(s, id, run, err);
	if (!ret)
		ret = summarize_rows(s, id, run, &n, &failed, err);
	if (!ret)
		ret = rl_store_summary_count(s, id, n, failed, err);
	if (!ret && strcmp(status, "running") != 0)
		ret = rl_store_detail_pack(s, id, err);
	rl_run_free(run);
	free(run);
	return ret;
}

int rl_store_migrate_v5(struct rl_store *s, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret, more = 0;

	ret = rl_store_prepare(s, "SELECT id, status, workloads FROM runs ORDER BY id", &q, err);
	if (ret < 0)
		return ret;
	while (!ret && (more = rl_sql_step(q, err)) > 0)
		ret = convert_run(s, rl_sql_col_i64(q, 0),
				  rl_sql_col_text(q, 1),
				  rl_sql_col_text(q, 2), err);
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "runs");
	rl_sql_finalize(q);
	return ret;
}
