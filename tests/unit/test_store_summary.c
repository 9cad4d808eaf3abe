/* SPDX-License-Identifier: MIT */
/* test_store_summary: runs read from their cell summaries compare and summarise exactly as the whole runs do, the history reads the summaries newest first, listings count cells from the runs' columns, and a run's end packs its cell rows without changing what reads back; on SQLite, or on PostgreSQL with RL_TEST_STORE (tests/pg/store_units.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "engine/result_json.h"
#include "../lib/store_test.h"
#include "../lib/summary_runs.h"

#define T0 1790000000000000000LL

static char dir[] = "/tmp/test_store_summary.XXXXXX";
static char db_path[4096];

static int64_t import(struct rl_store *s, const struct rl_run *run, const char *label)
{
	const struct rl_store_run_req req = {
		.what = run->suite, .target = "vm", .label = label, .kernel_tag = "k",
		.scale = 1, .request_json = "{}",
	};
	int64_t id = 0;

	OK(rl_store_run_import(s, &req, run, &id, E));
	return id;
}

/* The comparison of @b against @h as JSON text (NULL on error). */
static char *compare_text(const struct rl_run *b, const struct rl_run *h)
{
	const struct rl_run *bp[1] = { b }, *hp[1] = { h };
	struct rl_comparison cmp;
	struct rl_err err = { "" };
	char *text = NULL;
	cJSON *j;

	if (rl_compare_runs(bp, 1, hp, 1, NULL, &cmp, &err) < 0) {
		CHECK(0, "compare: %s", err.msg);
		return NULL;
	}
	j = rl_comparison_to_json(&cmp);
	rl_comparison_free(&cmp);
	text = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	return text;
}

static bool same_summary(const struct rl_cell_summary *a, const struct rl_cell_summary *b)
{
#define EQ(f) (a->f == b->f || (isnan((double)a->f) && isnan((double)b->f)))
	return EQ(reps) && EQ(measured) && EQ(completed) && EQ(iops_median) && EQ(iops_min) &&
	       EQ(iops_max) && EQ(bw_median) && EQ(attempts) && EQ(eagain) && EQ(eagain_rate) &&
	       EQ(eagain_reps) && EQ(eagain_min) && EQ(eagain_max) && EQ(eagain_sd) &&
	       EQ(unstable) && EQ(timing_dependent) && EQ(p99_max) && EQ(verify_ok) &&
	       EQ(verify_failed) && EQ(expect_met) && EQ(expect_unmet) && EQ(failed) &&
	       EQ(errors) && EQ(causes.valid) && EQ(causes.status) && EQ(causes.unattributed) &&
	       !memcmp(a->causes.counts, b->causes.counts, sizeof(a->causes.counts));
#undef EQ
}

/* Light and whole runs: the same summaries, and the same comparison either way round. */
static void test_light_equals_whole(struct rl_store *s, int64_t a, int64_t b)
{
	struct rl_run wa, wb, la, lb;
	struct rl_cell_summary sw, sl;
	char *t1, *t2;

	if (OK(rl_store_run_get(s, a, &wa, NULL, E)) < 0 || OK(rl_store_run_get(s, b, &wb, NULL, E)) < 0 ||
	    OK(rl_store_run_summary(s, a, &la, NULL, E)) < 0 ||
	    OK(rl_store_run_summary(s, b, &lb, NULL, E)) < 0)
		return;
	CHECK(la.ncells == wa.ncells && la.nworkloads == wa.nworkloads, "light run: %zu cells, %zu workloads",
	      la.ncells, la.nworkloads);
	CHECK(!strcmp(la.cells[4].workload, wa.cells[4].workload) && la.cells[4].rep == wa.cells[4].rep,
	      "light cells in seq order");
	CHECK(!la.cells[0].causes.note[0] && wa.cells[0].causes.note[0], "the note stays in the details");
	for (int k = 0; k < 3; k++)
		for (uint32_t jobs = 1; jobs <= 2; jobs++) {
			rl_cell_summary(&wa, summary_names[k], jobs, &sw);
			rl_cell_summary(&la, summary_names[k], jobs, &sl);
			CHECK(same_summary(&sw, &sl), "%s x %u: the light summary differs",
			      summary_names[k], jobs);
		}
	t1 = compare_text(&wa, &wb);
	t2 = compare_text(&la, &lb);
	CHECK(t1 && t2 && !strcmp(t1, t2), "light comparison differs:\n%s\n%s", t1, t2 ? t2 : "");
	free(t1);
	free(t2);
	t1 = compare_text(&wb, &wa);
	t2 = compare_text(&lb, &la);
	CHECK(t1 && t2 && !strcmp(t1, t2), "light comparison (reversed) differs");
	free(t1);
	free(t2);
	rl_run_free(&wa);
	rl_run_free(&wb);
	rl_run_free(&la);
	rl_run_free(&lb);
}

/* The history: newest first, the label filter, the summary of the whole run's cells. */
static void test_history(struct rl_store *s, const int64_t *ids, int n)
{
	const struct rl_store_filter f = { .label = "even" };
	struct rl_store_history_point pts[8];
	struct rl_cell_summary sw;
	struct rl_run w;
	int got;

	got = OK(rl_store_history(s, NULL, "nw-retry", 2, 5000, pts, 8, E));
	CHECK(got == n, "history of every run: %d points, want %d", got, n);
	for (int i = 0; i < got && i < n; i++) {
		CHECK(pts[i].run_id == ids[n - 1 - i], "point %d is run %lld, want %lld (newest first)", i,
		      (long long)pts[i].run_id, (long long)ids[n - 1 - i]);
		if (OK(rl_store_run_get(s, pts[i].run_id, &w, NULL, E)) < 0)
			continue;
		rl_cell_summary(&w, "nw-retry", 2, &sw);
		CHECK(same_summary(&sw, &pts[i].sum), "point %d: summary differs from the whole run's", i);
		CHECK(pts[i].started_ns == w.started_ns && !strcmp(pts[i].kernel_tag, "k") &&
		      !strcmp(pts[i].kernel_release, "7.2.13-test"), "point %d: its run's columns", i);
		rl_run_free(&w);
	}
	got = OK(rl_store_history(s, &f, "nw-retry", 2, 5000, pts, 8, E));
	CHECK(got == (n + 1) / 2, "label even: %d points", got);
	for (int i = 0; i < got; i++)
		CHECK(!strcmp(pts[i].label, "even"), "point %d has label %s", i, pts[i].label);
	got = OK(rl_store_history(s, NULL, "nw-retry", 2, 5000, pts, 2, E));
	CHECK(got == 2 && pts[0].run_id == ids[n - 1], "a limit of 2: %d", got);
	got = OK(rl_store_history(s, NULL, "nw-retry", 2, 1, pts, 8, E));
	CHECK(got == 1, "a scan of 1 run: %d points", got);
	CHECK(OK(rl_store_history(s, NULL, "nw-retry", 7, 5000, pts, 8, E)) == 0, "no such jobs");
	CHECK(OK(rl_store_history(s, NULL, "no-such", 1, 5000, pts, 8, E)) == 0, "no such workload");
	/* The count workload's first repetition completed nothing: the point still has a median. */
	got = OK(rl_store_history(s, NULL, "nw-count", 1, 5000, pts, 8, E));
	CHECK(got == n && pts[0].sum.completed == REPS - 1 && pts[0].sum.measured == REPS,
	      "nw-count: %d points, completed %u", got, got ? pts[0].sum.completed : 0);
}

/* The ncells and failed_cells of run @id in the listing. */
static void check_listed(struct rl_store *s, int64_t id, int ncells, int failed)
{
	struct rl_store_filter f = { .limit = 1000 };
	const cJSON *item;
	cJSON *arr = NULL;
	bool found = false;

	OK(rl_store_runs_list(s, &f, &arr, NULL, E));
	cJSON_ArrayForEach(item, arr) {
		if (cJSON_GetObjectItem(item, "id")->valuedouble != (double)id)
			continue;
		found = true;
		CHECK(cJSON_GetObjectItem(item, "ncells")->valueint == ncells &&
		      cJSON_GetObjectItem(item, "failed_cells")->valueint == failed,
		      "run %lld listed with %d cells, %d failed; want %d, %d", (long long)id,
		      cJSON_GetObjectItem(item, "ncells")->valueint,
		      cJSON_GetObjectItem(item, "failed_cells")->valueint, ncells, failed);
	}
	CHECK(found, "run %lld is not listed", (long long)id);
	cJSON_Delete(arr);
}

/* SQLite only: the first column of @sql's first row, -1 on error. */
static int sqlite_value(const char *sql)
{
	sqlite3_stmt *q = NULL;
	sqlite3 *db = NULL;
	int v = -1;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static char *run_text(struct rl_store *s, int64_t id)
{
	cJSON *j = NULL;
	char *text;

	if (OK(rl_store_run_json(s, id, &j, E)) < 0)
		return NULL;
	cJSON_DeleteItemFromObject(j, "duration_s");
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

/* A run that runs: summaries and counts as each cell comes; its end packs the rows. */
static void test_running(struct rl_store *s, const struct rl_run *like)
{
	const struct rl_store_run_req req = {
		.what = "sum-suite", .target = "t", .label = "live", .scale = 1,
	};
	struct rl_store_history_point pts[2];
	struct rl_run light;
	char *before, *after;
	int64_t id = 0;
	int failed = 0;

	OK(rl_store_run_create(s, &req, &id, E));
	OK(rl_store_run_start(s, id, &like->env, like->workloads, like->nworkloads, E));
	for (size_t i = 0; i < like->ncells; i++) {
		OK(rl_store_cell_add(s, id, (uint32_t)i, &like->cells[i], E));
		failed += like->cells[i].failed;
	}
	check_listed(s, id, (int)like->ncells, failed);
	if (OK(rl_store_run_summary(s, id, &light, NULL, E)) >= 0) {
		CHECK(light.ncells == like->ncells, "running: %zu light cells", light.ncells);
		rl_run_free(&light);
	}
	CHECK(OK(rl_store_history(s, &(struct rl_store_filter){ .label = "live" }, "nw-retry", 1,
				  5000, pts, 2, E)) == 0, "a running run is no history point");
	before = run_text(s, id);
	OK(rl_store_run_finish(s, id, RL_RUN_DONE, NULL, E));
	after = run_text(s, id);
	CHECK(before && after && strstr(before, "\"status\":\"running\"") &&
	      strstr(after, "\"status\":\"done\""), "statuses");
	/* Past the status and times, the packed run reads back as its rows did. */
	if (before && after) {
		CHECK(!strcmp(strstr(before, "\"cells\""), strstr(after, "\"cells\"")),
		      "the cells read back differently once packed");
	}
	free(before);
	free(after);
	CHECK(OK(rl_store_history(s, &(struct rl_store_filter){ .label = "live" }, "nw-retry", 1,
				  5000, pts, 2, E)) == 1, "the done run is a history point");
	if (!store_test_pg())
		CHECK(sqlite_value("SELECT count(*) FROM cells") == 0,
		      "cell rows left after the run's end");
}

int main(void)
{
	struct rl_store *s = NULL;
	struct rl_run runs[4];
	int64_t ids[4];

	if (store_test_begin(dir, db_path, sizeof(db_path), &s) < 0)
		return 1;
	for (int i = 0; i < 4; i++) {
		summary_make_run(&runs[i], 1.0 + 0.3 * i, T0 + i * 1000000000LL);
		ids[i] = import(s, &runs[i], i % 2 ? "odd" : "even");
	}
	check_listed(s, ids[3], 3 * 2 * REPS, 2);
	check_listed(s, ids[0], 3 * 2 * REPS, 0);
	test_light_equals_whole(s, ids[0], ids[3]);
	test_light_equals_whole(s, ids[1], ids[2]);
	test_history(s, ids, 4);
	test_running(s, &runs[2]);
	for (int i = 0; i < 4; i++)
		rl_run_free(&runs[i]);
	rl_store_close(s);
	store_test_remove(dir, db_path);
	return check_exit();
}
