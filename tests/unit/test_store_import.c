/* SPDX-License-Identifier: MIT */
/* test_store_import: an import's summary rows, written many to a statement (across batch ends, on a connection that keeps its statement and the workloads' ids), read back as its cells hold them; its workloads read back as its own when the last import's were alike or not; cells given as text are stored as that text; and on SQLite the statements an import runs do not grow with its cells (SQLite's trace counts them). On PostgreSQL with RL_TEST_STORE (tests/pg/store_units.sh). */
#define RL_STORE_INTERNAL	/* the SQLite handle, for its statement trace */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/result_json.h"
#include "store/sql.h"
#include "store/sql_sqlite.h"
#include "../lib/store_test.h"

#define NWORKLOADS 5
#define T0 1790000000000000000LL

static char dir[] = "/tmp/test_store_import.XXXXXX";
static char db_path[4096];

/* @n cells over NWORKLOADS workloads (named "w@tag0".."w@tag4"), values distinct by @v and the cell. */
static void make_run(struct rl_run *run, size_t n, double v)
{
	struct rl_cell c;

	*run = (struct rl_run){ .suite = "import-suite", .scale = 1, .status = RL_RUN_DONE,
				.started_ns = T0, .finished_ns = T0 + 1000, .nworkloads = NWORKLOADS,
				.env.kernel_release = "7.2.13-test",
				.workloads = calloc(NWORKLOADS, sizeof(*run->workloads)) };
	for (int k = 0; k < NWORKLOADS && run->workloads; k++) {
		rl_workload_defaults(&run->workloads[k]);
		snprintf(run->workloads[k].name, sizeof(run->workloads[k].name), "w@tag%d", k);
		run->workloads[k].nowait = k % 2;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		/* A workload's cells together, as a suite runs them. */
		snprintf(c.workload, sizeof(c.workload), "w@tag%zu", i * NWORKLOADS / n);
		c.jobs = 1 + (uint32_t)(i % 2);
		c.rep = 1 + (uint32_t)(i / 2);
		c.attempts = 1000 + i;
		c.eagain = i % 7;
		c.ops = 900 + i;
		/* 15 significant digits at most: the value cJSON prints is the value. */
		c.iops = 1000.25 * v + (double)i;
		c.bw_bytes_s = c.iops * 4096;
		c.elapsed_s = 0.5 + (double)i / 1024;
		c.lat.valid = true;
		c.lat.p99 = 50000 + i;
		c.verify.status = RL_VERIFY_OK;
		c.es_cached_extents = -1;
		CHECK(rl_run_add_cell(run, &c) == 0, "add cell");
	}
}

static int64_t import(struct rl_store *s, const struct rl_run *run, const char *cells_json)
{
	struct rl_store_run_req req = {
		.what = run->suite, .target = "vm", .label = "imp", .scale = 1,
		.request_json = "{}", .cells_json = cells_json,
		.cells_json_len = cells_json ? strlen(cells_json) : 0,
	};
	int64_t id = 0;

	OK(rl_store_run_import(s, &req, run, &id, E));
	return id;
}

/* Run @id read back light (from its summaries) or whole into @back. Returns whether it read. */
static bool read_back(struct rl_store *s, int64_t id, bool light, struct rl_run *back)
{
	if (light)
		return OK(rl_store_run_summary(s, id, back, NULL, E)) >= 0;
	return OK(rl_store_run_get(s, id, back, NULL, E)) >= 0;
}

/* The light run @id holds what @run's cells hold, cell by cell. */
static void check_light(struct rl_store *s, int64_t id, const struct rl_run *run)
{
	struct rl_run light;

	if (!read_back(s, id, true, &light))
		return;
	CHECK(light.ncells == run->ncells, "run %lld: %zu summaries of %zu cells", (long long)id,
	      light.ncells, run->ncells);
	for (size_t i = 0; i < light.ncells && i < run->ncells; i++) {
		const struct rl_cell *a = &light.cells[i], *b = &run->cells[i];

		CHECK(!strcmp(a->workload, b->workload) && a->jobs == b->jobs && a->rep == b->rep &&
		      a->attempts == b->attempts && a->eagain == b->eagain && a->ops == b->ops &&
		      a->iops == b->iops && a->bw_bytes_s == b->bw_bytes_s &&
		      a->elapsed_s == b->elapsed_s && a->lat.p99 == b->lat.p99,
		      "run %lld, cell %zu: summary %s/%u/%u iops %.17g, cell %s/%u/%u iops %.17g",
		      (long long)id, i, a->workload, a->jobs, a->rep, a->iops, b->workload, b->jobs,
		      b->rep, b->iops);
	}
	rl_run_free(&light);
}

/* Run @id's workloads read back as @run's (the store reuses the last ones it packed when alike). */
static void check_workloads(struct rl_store *s, int64_t id, const struct rl_run *run)
{
	const struct rl_workload *a, *b;
	struct rl_run back;

	if (!read_back(s, id, false, &back))
		return;
	CHECK(back.nworkloads == run->nworkloads, "run %lld: %zu workloads of %zu", (long long)id,
	      back.nworkloads, run->nworkloads);
	for (size_t k = 0; k < back.nworkloads && k < run->nworkloads; k++) {
		a = &back.workloads[k];
		b = &run->workloads[k];
		CHECK(!strcmp(a->name, b->name) && a->nowait == b->nowait && a->seed == b->seed,
		      "run %lld, workload %zu: %s nowait %d seed %llu, want %s %d %llu", (long long)id,
		      k, a->name, a->nowait, (unsigned long long)a->seed, b->name, b->nowait,
		      (unsigned long long)b->seed);
	}
	rl_run_free(&back);
}

/* Given as text, the cells are stored as that text: an annotation the reader skips stays. */
static void test_cells_as_given(struct rl_store *s, const struct rl_run *run)
{
	cJSON *arr = cJSON_CreateArray(), *c0;
	struct rl_run back;
	char *text, *stored = NULL;
	int64_t id;

	for (size_t i = 0; i < run->ncells; i++)
		cJSON_AddItemToArray(arr, rl_cell_to_json(&run->cells[i]));
	c0 = cJSON_GetArrayItem(arr, 0);
	cJSON_AddStringToObject(c0, "note", "kept as sent");
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	id = import(s, run, text);
	if (read_back(s, id, false, &back)) {
		CHECK(back.ncells == run->ncells, "%zu cells read back of %zu", back.ncells, run->ncells);
		rl_run_free(&back);
	}
	if (store_test_pg() || !id)
		goto out;
	{
		sqlite3 *db = ((struct sqlite_conn *)s->db)->db;
		sqlite3_stmt *q;

		CHECK(sqlite3_prepare_v2(db, "SELECT cells FROM run_details WHERE run_id = ?", -1, &q,
					 NULL) == SQLITE_OK, "prepare");
		sqlite3_bind_int64(q, 1, id);
		if (sqlite3_step(q) == SQLITE_ROW)
			OK(rl_store_unpack(sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0),
					   &stored, E));
		sqlite3_finalize(q);
		CHECK(stored && !strcmp(stored, text), "the cells were not stored as given: %.120s",
		      stored ? stored : "(none)");
	}
out:
	check_light(s, id, run);
	free(stored);
	cJSON_free(text);
}

/*
 * Values cJSON prints in 15 digits that read back a bit off (0.1 + 0.2),
 * in 17, as an int, or at the ends of a double's range: the summaries hold
 * what the run read whole (its cells printed by cJSON) holds, bit for bit.
 */
static void test_values_as_printed(struct rl_store *s)
{
	static const double edge[] = { 0.1 + 0.2, 1.0 / 3, 2.0 / 3 * 1e5, 2147483647.0,
					2147483648.5, -2147483648.0, 1e300, 4.9e-324,
					123456789012345.67, 0.5 };
	struct rl_run run, whole;
	double *a, *b;
	int64_t id;

	make_run(&run, 192, 1.0);
	srand48(13);
	for (size_t i = 0; i < run.ncells; i++) {
		struct rl_cell *c = &run.cells[i];

		c->iops = i < sizeof(edge) / sizeof(edge[0]) ? edge[i] :
			  drand48() * pow(10, (double)(i % 24) - 6);
		c->bw_bytes_s = c->iops * 4096.5;
		c->elapsed_s = drand48();
	}
	id = import(s, &run, NULL);
	if (!read_back(s, id, false, &whole))
		goto out;
	{
		struct rl_run light;

		if (read_back(s, id, true, &light)) {
			for (size_t i = 0; i < light.ncells && i < whole.ncells; i++) {
				a = &light.cells[i].iops;
				b = &whole.cells[i].iops;
				CHECK(!memcmp(a, b, sizeof(*a)) &&
				      !memcmp(&light.cells[i].bw_bytes_s, &whole.cells[i].bw_bytes_s,
					      sizeof(double)) &&
				      !memcmp(&light.cells[i].elapsed_s, &whole.cells[i].elapsed_s,
					      sizeof(double)),
				      "cell %zu: summary iops %.17g bw %.17g, read whole %.17g %.17g", i,
				      *a, light.cells[i].bw_bytes_s, *b, whole.cells[i].bw_bytes_s);
			}
			rl_run_free(&light);
		}
		rl_run_free(&whole);
	}
out:
	rl_run_free(&run);
}

/* A table of every type rows are written in, on either backend. */
static const enum rl_sql_type row_types[] = {
	RL_SQL_SMALLINT, RL_SQL_INT, RL_SQL_INTEGER, RL_SQL_REAL, RL_SQL_TEXT,
};
static const struct rl_sql_rows rows_t = {
	.table = "rows_t", .cols = "a, b, c, d, e", .types = row_types, .ncols = 5,
};

/* Rows of @rows_t from @v (3 a row; NULL text, NaN: NULL) in one statement. Returns the step's. */
static int write_rows(struct rl_store *s, const int64_t (*v)[3], const double *d,
		      const char *const *e, int n, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare_rows(s, &rows_t, n, &q, err);
	if (ret < 0)
		return ret;
	for (int r = 0; r < n; r++) {
		for (int k = 0; k < 3; k++)
			rl_sql_bind_i64(q, r * 5 + k + 1, v[r][k]);
		rl_sql_bind_double(q, r * 5 + 4, d[r]);
		rl_sql_bind_text(q, r * 5 + 5, e[r]);
	}
	ret = rl_sql_step(q, err);
	CHECK(ret < 0 || rl_sql_changes(q) == n, "%lld rows written of %d",
	      (long long)rl_sql_changes(q), n);
	rl_sql_finalize(q);
	return ret;
}

/*
 * Rows written many at a statement (a binary COPY on PostgreSQL) read back
 * as bound, each type at its ends; a value past its column's type is
 * refused naming the row and column, not cut short.
 */
static void test_rows(struct rl_store *s)
{
	static const int64_t v[3][3] = {
		{ INT16_MIN, INT32_MIN, INT64_MIN }, { INT16_MAX, INT32_MAX, INT64_MAX }, { 0, -1, 5 },
	};
	static const double d[3] = { -1.5e300, 0.1 + 0.2, NAN };
	static const char *const e[3] = { "é,\ttab \\ \"q\"", "", NULL };
	static const int64_t too_big[1][3] = { { INT16_MAX + 1, 0, 0 } };
	struct rl_sql_stmt *q;
	struct rl_err err = { "" };
	int r = 0;

	OK(rl_store_exec(s, "CREATE TABLE rows_t (a SMALLINT, b INT, c INTEGER, d REAL, e TEXT)", E));
	OK(rl_store_begin(s, true, E));
	OK(rl_store_end(s, write_rows(s, v, d, e, 3, E), E));
	OK(rl_store_prepare(s, "SELECT a, b, c, d, e FROM rows_t ORDER BY c", &q, E));
	while (rl_sql_step(q, &err) > 0) {
		int w = r == 0 ? 0 : r == 1 ? 2 : 1;	/* ordered by c: min, 5, max */
		const char *t = rl_sql_col_text(q, 4);

		CHECK(rl_sql_col_i64(q, 0) == v[w][0] && rl_sql_col_i64(q, 1) == v[w][1] &&
		      rl_sql_col_i64(q, 2) == v[w][2], "row %d: %lld %lld %lld", r,
		      (long long)rl_sql_col_i64(q, 0), (long long)rl_sql_col_i64(q, 1),
		      (long long)rl_sql_col_i64(q, 2));
		CHECK(isnan(d[w]) ? rl_sql_col_null(q, 3) : rl_sql_col_double(q, 3) == d[w],
		      "row %d: d %.17g", r, rl_sql_col_double(q, 3));
		CHECK(e[w] ? t && !strcmp(t, e[w]) : t == NULL, "row %d: e '%s'", r, t ? t : "(null)");
		r++;
	}
	rl_sql_finalize(q);
	CHECK(r == 3, "%d rows read back of 3", r);
	if (!store_test_pg())	/* SQLite keeps any integer in any integer column */
		return;
	OK(rl_store_begin(s, true, E));
	CHECK(rl_store_end(s, write_rows(s, too_big, d, e, 1, &err), &err) == -EINVAL &&
	      strstr(err.msg, "row 1, column a: out of range for a SMALLINT"),
	      "a SMALLINT of %d: %s", INT16_MAX + 1, err.msg);
}

static int count_stmt(unsigned type, void *ctx, void *p, void *x)
{
	(void)type, (void)p, (void)x;
	(*(int *)ctx)++;
	return 0;
}

/* The statements one import of @run runs (SQLite's trace: each statement as it starts). */
static int statements(struct rl_store *s, const struct rl_run *run)
{
	sqlite3 *db = ((struct sqlite_conn *)s->db)->db;
	int n = 0;

	sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_stmt, &n);
	import(s, run, NULL);
	sqlite3_trace_v2(db, 0, NULL, NULL);
	return n;
}

/*
 * A run of 192 cells is stored with the statements of a run of one: its
 * row (the host in it), its details' row (workloads and cells together) and
 * one INSERT of its summaries, besides the transaction's.
 */
static void test_statements(struct rl_store *s)
{
	struct rl_run one, many;
	int n1, n192;

	make_run(&one, 1, 3.0);
	make_run(&many, 192, 3.0);
	n1 = statements(s, &one);
	n192 = statements(s, &many);
	CHECK(n1 > 0 && n1 <= 5 && n192 == n1, "statements of an import: %d for 1 cell, %d for 192",
	      n1, n192);
	rl_run_free(&one);
	rl_run_free(&many);
}

int main(void)
{
	struct rl_store *s = NULL;
	struct rl_run runs[3];
	int64_t ids[3];

	if (store_test_begin(dir, db_path, sizeof(db_path), &s) < 0)
		return 1;
	/* 150 cells: two whole batches and a part; the second import reuses what the first kept. */
	make_run(&runs[0], 150, 1.0);
	make_run(&runs[1], 150, 2.0);
	make_run(&runs[2], 7, 1.5);
	/* Imported between the other two: workloads unlike theirs, then theirs again. */
	runs[2].workloads[1].nowait = !runs[2].workloads[1].nowait;
	runs[2].workloads[1].seed += 7;
	ids[0] = import(s, &runs[0], NULL);
	ids[2] = import(s, &runs[2], NULL);
	ids[1] = import(s, &runs[1], NULL);
	for (int i = 0; i < 3; i++) {
		check_light(s, ids[i], &runs[i]);
		check_workloads(s, ids[i], &runs[i]);
	}
	test_cells_as_given(s, &runs[1]);
	test_values_as_printed(s);
	test_rows(s);
	if (!store_test_pg())
		test_statements(s);
	for (int i = 0; i < 3; i++)
		rl_run_free(&runs[i]);
	rl_store_close(s);
	store_test_remove(dir, db_path);
	return check_exit();
}
