/* SPDX-License-Identifier: MIT */
/*
 * What a run writes while it runs: one row per finished cell (and its
 * summary, summary.c), and a progress row replaced a few times a second.
 * Both only for a running run, so a late write from a runner that was told
 * to stop cannot touch a finished run. The run's end packs its cell rows
 * (detail.c).
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
#include "engine/result_json.h"
#include "util/clock.h"

/* The columns bind_cell() binds, in its order: the cell's as 1-9, then the run id as 10. */
#define CELL_COLS "seq, workload, jobs, rep, iops, eagain_rate, verify, failed, json, run_id"
#define NCELL_COLS 10

/* Cell @seq of run @id as parameters @at + 1 .. @at + NCELL_COLS of an INSERT of CELL_COLS. */
static void bind_cell(struct rl_sql_stmt *q, int at, int64_t id, uint32_t seq,
		      const struct rl_cell *c, const char *json)
{
	rl_sql_bind_i64(q, at + 1, seq);
	rl_sql_bind_text(q, at + 2, c->workload);
	rl_sql_bind_i64(q, at + 3, c->jobs);
	rl_sql_bind_i64(q, at + 4, c->rep);
	rl_sql_bind_double(q, at + 5, c->iops);		/* NaN is stored as NULL */
	rl_sql_bind_double(q, at + 6, c->eagain_rate);
	rl_sql_bind_text(q, at + 7, rl_verify_status_name(c->verify.status));
	rl_sql_bind_i64(q, at + 8, c->failed);
	rl_sql_bind_text(q, at + 9, json);
	rl_sql_bind_i64(q, at + 10, id);
}

/* What listings and comparisons read of the cell: its summary row (the run counts it in guard()). */
static int add_summary(struct rl_store *s, int64_t id, uint32_t seq, const struct rl_cell *c,
		       struct rl_err *err)
{
	struct rl_store_summary_writer w;
	bool nowait, timing;
	int ret;

	ret = rl_store_run_wflags(s, id, c->workload, &nowait, &timing, err);
	if (ret < 0)
		return ret;
	ret = rl_store_summary_begin(s, &w, err);
	if (!ret)
		ret = rl_store_summary_add(s, &w, id, seq, c, nowait, timing, err);
	rl_store_summary_end(&w);
	return ret;
}

/*
 * The cell's first write: count it in its run's row, which only a running
 * run that this connection may write passes (RL_STORE_LEASE_GUARD). The
 * row stays locked to the commit: a lease taken over meanwhile waits.
 */
static int guard(struct rl_store *s, int64_t id, const struct rl_cell *c, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t changed;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET ncells = ncells + 1, failed_cells = failed_cells + ?"
			       " WHERE id = ? AND status = 'running'" RL_STORE_LEASE_GUARD, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, c->failed);
	rl_sql_bind_i64(q, 2, id);
	rl_sql_bind_text(q, 3, s->lease_owner);
	ret = rl_store_step_done(s, q, err, "count the cell");
	changed = rl_sql_changes(q);
	rl_sql_finalize(q);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld", (long long)id);
	if (!changed)
		return rl_store_state_err(s, id, "adding a cell", "a running", err);
	return 0;
}

static int insert_cell(struct rl_store *s, int64_t id, uint32_t seq, const struct rl_cell *c,
		       const char *json, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret = guard(s, id, c, err);

	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, "INSERT INTO cells (" CELL_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       &q, err);
	if (ret < 0)
		return ret;
	bind_cell(q, 0, id, seq, c, json);
	ret = rl_store_step_done(s, q, err, "add cell");
	rl_sql_finalize(q);
	if (ret == -EEXIST)
		return rl_err_set(err, ret, "run %lld: cell %u is already stored", (long long)id, seq);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld, cell %u", (long long)id, seq);
	return add_summary(s, id, seq, c, err);
}

int rl_store_cell_add(struct rl_store *s, int64_t id, uint32_t seq, const struct rl_cell *c,
		      struct rl_err *err)
{
	char *json;
	int ret;

	json = rl_store_json_text(rl_cell_to_json(c));
	if (!json)
		return rl_err_set(err, -ENOMEM, "run %lld, cell %u: out of memory", (long long)id, seq);
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, insert_cell(s, id, seq, c, json, err), err);
	free(json);
	return ret;
}

int rl_store_cell_add_json(struct rl_store *s, int64_t id, uint32_t seq, const char *json,
			   struct rl_err *err)
{
	cJSON *j = cJSON_Parse(json);
	struct rl_cell c;
	int ret;

	if (!j)
		return rl_err_set(err, -EINVAL, "run %lld, cell %u: not JSON", (long long)id, seq);
	ret = rl_cell_from_json(j, &c, err);
	cJSON_Delete(j);
	if (ret < 0)
		return rl_err_prefix(err, ret == -ENOMEM ? ret : -EINVAL, "run %lld, cell %u",
				     (long long)id, seq);
	/* The text itself is stored, not @c printed again: the cell as it was kept. */
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, insert_cell(s, id, seq, &c, json, err), err);
	return ret;
}

int rl_store_cells_load(struct rl_store *s, int64_t id, struct rl_run *run, struct rl_err *err)
{
	struct rl_cell c;
	struct rl_sql_stmt *q;
	cJSON *j;
	int ret, more;

	ret = rl_store_prepare(s, "SELECT seq, json FROM cells WHERE run_id = ? ORDER BY seq",
			       &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	while (!ret && (more = rl_sql_step(q, err)) > 0) {
		j = cJSON_Parse(rl_sql_col_text(q, 1));
		if (!j) {
			ret = rl_err_set(err, -EIO, "run %lld: stored cell %lld is not JSON",
					 (long long)id, (long long)rl_sql_col_i64(q, 0));
			break;
		}
		ret = rl_cell_from_json(j, &c, err);
		cJSON_Delete(j);
		if (ret < 0)
			ret = rl_err_prefix(err, ret == -ENOMEM ? ret : -EIO, "run %lld: stored cell %lld",
					    (long long)id, (long long)rl_sql_col_i64(q, 0));
		else if (rl_run_add_cell(run, &c) < 0)
			ret = rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "run %lld: cells", (long long)id);
	rl_sql_finalize(q);
	return ret;
}

static int upsert_progress(struct rl_store *s, int64_t id, const struct rl_store_progress *p,
			   struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t changed;
	int ret;

	ret = rl_store_prepare(s, "INSERT INTO progress (run_id, cell, ncells, workload, jobs, rep,"
			       " reps, phase, fraction, run_fraction, live_iops, updated)"
			       " SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM runs"
			       " WHERE id = ? AND status = 'running'" RL_STORE_LEASE_GUARD
			       " ON CONFLICT (run_id) DO UPDATE SET cell = excluded.cell,"
			       " ncells = excluded.ncells, workload = excluded.workload,"
			       " jobs = excluded.jobs, rep = excluded.rep, reps = excluded.reps,"
			       " phase = excluded.phase, fraction = excluded.fraction,"
			       " run_fraction = excluded.run_fraction,"
			       " live_iops = excluded.live_iops, updated = excluded.updated", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, p->cell);
	rl_sql_bind_i64(q, 2, p->ncells);
	rl_sql_bind_text(q, 3, p->workload);
	rl_sql_bind_i64(q, 4, p->jobs);
	rl_sql_bind_i64(q, 5, p->rep);
	rl_sql_bind_i64(q, 6, p->reps);
	rl_sql_bind_text(q, 7, p->phase);
	rl_sql_bind_double(q, 8, p->fraction);
	rl_sql_bind_double(q, 9, p->run_fraction);
	rl_sql_bind_double(q, 10, p->live_iops);
	rl_sql_bind_i64(q, 11, rl_wall_ns());
	rl_sql_bind_i64(q, 12, id);
	rl_sql_bind_text(q, 13, s->lease_owner);
	ret = rl_store_step_done(s, q, err, "set progress");
	changed = rl_sql_changes(q);
	rl_sql_finalize(q);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld", (long long)id);
	if (!changed)
		return rl_store_state_err(s, id, "progress", "a running", err);
	return 0;
}

int rl_store_progress_set(struct rl_store *s, int64_t id, const struct rl_store_progress *p,
			  struct rl_err *err)
{
	int ret = rl_store_begin(s, true, err);

	if (ret < 0)
		return ret;
	return rl_store_end(s, upsert_progress(s, id, p, err), err);
}

int rl_store_progress_get(struct rl_store *s, int64_t id, struct rl_store_progress *p,
			  struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = rl_store_prepare(s, "SELECT cell, ncells, workload, jobs, rep, reps, phase,"
			       " fraction, run_fraction, live_iops, updated"
			       " FROM progress WHERE run_id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_sql_step(q, err);
	if (ret > 0) {
		ret = 0;
		p->cell = (uint32_t)rl_sql_col_i64(q, 0);
		p->ncells = (uint32_t)rl_sql_col_i64(q, 1);
		rl_store_col_str(q, 2, p->workload, sizeof(p->workload));
		p->jobs = (uint32_t)rl_sql_col_i64(q, 3);
		p->rep = (uint32_t)rl_sql_col_i64(q, 4);
		p->reps = (uint32_t)rl_sql_col_i64(q, 5);
		rl_store_col_str(q, 6, p->phase, sizeof(p->phase));
		p->fraction = rl_sql_col_double(q, 7);
		p->run_fraction = rl_sql_col_double(q, 8);
		p->live_iops = rl_sql_col_double(q, 9);
		p->updated_ns = rl_sql_col_i64(q, 10);
	} else if (!ret) {
		ret = rl_err_set(err, -ENOENT, "run %lld: no progress (not running)", (long long)id);
	} else {
		rl_err_prefix(err, ret, "run %lld: progress", (long long)id);
	}
	rl_sql_finalize(q);
	return ret;
}
