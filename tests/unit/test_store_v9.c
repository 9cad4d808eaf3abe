/* SPDX-License-Identifier: MIT */
/* test_store_v9: a version 8 store's cell summaries (traced cells, one count past 2^32, untraced cells, a failed verification's found counts) migrate to schema 9 and read back as they did: every light cell, the comparison, the history and the run; the rows are narrower; on SQLite, or on PostgreSQL with RL_TEST_STORE (tests/pg/store_units.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "../lib/store_test.h"
#include "../lib/summary_runs.h"

#define T0 1790000000000000000LL
#define BIG 5000000000ULL	/* a cause's count that needs 64 bits */
#define NRUNS 2

static char dir[] = "/tmp/test_store_v9.XXXXXX";
static char db_path[4096];

/*
 * summary_runs.h's run, as a real one is where the test needs it: cells
 * that trace nothing count nothing, and one count needs 64 bits.
 */
static void make_run(struct rl_run *run, double v, int64_t started)
{
	summary_make_run(run, v, started);
	for (size_t i = 0; i < run->ncells; i++) {
		struct rl_eagain_causes *c = &run->cells[i].causes;

		if (!c->valid) {
			memset(c->counts, 0, sizeof(c->counts));
			c->unattributed = 0;
		}
	}
	if (run->ncells)
		run->cells[0].causes.counts[RL_CAUSE_LOCK] = BIG;
}

static int64_t import(struct rl_store *s, const struct rl_run *run)
{
	const struct rl_store_run_req req = {
		.what = run->suite, .target = "vm", .label = "v9", .kernel_tag = "k",
		.scale = 1, .request_json = "{}",
	};
	int64_t id = 0;

	OK(rl_store_run_import(s, &req, run, &id, E));
	return id;
}

/* The first column of @sqlite's (or @pg's, on PostgreSQL) first row as an integer; -1 on error. */
static long long raw_value(const char *sqlite, const char *pg)
{
	return store_test_int(db_path, store_test_pg() ? pg : sqlite);
}

/* Everything the store gives back from the summaries and details, as text. */
struct seen {
	char *run[NRUNS], *compare, *history;
	struct rl_run light[NRUNS];
};

static char *json_text(cJSON *j)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	return text;
}

static void look(struct rl_store *s, const int64_t *ids, struct seen *out)
{
	const struct rl_run *bp[1] = { &out->light[0] }, *hp[1] = { &out->light[1] };
	struct rl_store_history_point pts[NRUNS];
	struct rl_comparison cmp;
	cJSON *j = NULL;
	int n;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < NRUNS; i++) {
		if (OK(rl_store_run_json(s, ids[i], &j, E)) >= 0) {
			cJSON_DeleteItemFromObject(j, "duration_s");
			out->run[i] = json_text(j);
		}
		OK(rl_store_run_summary(s, ids[i], &out->light[i], NULL, E));
	}
	if (OK(rl_compare_runs(bp, 1, hp, 1, NULL, &cmp, E)) >= 0) {
		out->compare = json_text(rl_comparison_to_json(&cmp));
		rl_comparison_free(&cmp);
	}
	n = OK(rl_store_history(s, NULL, summary_names[0], 1, 10, pts, NRUNS, E));
	CHECK(n == NRUNS, "history: %d points, want %d", n, NRUNS);
	out->history = calloc(NRUNS, 512);
	for (int i = 0, len = 0; i < n && out->history; i++) {
		const struct rl_cell_summary *p = &pts[i].sum;

		len += snprintf(out->history + len, 512, "%lld %lld %.17g %llu %llu %d %llu %llu %llu;",
				(long long)pts[i].run_id, (long long)pts[i].started_ns, p->iops_median,
				(unsigned long long)p->eagain, (unsigned long long)p->p99_max,
				p->causes.valid, (unsigned long long)p->causes.counts[RL_CAUSE_LOCK],
				(unsigned long long)p->causes.counts[RL_CAUSE_ES_MISS],
				(unsigned long long)p->causes.unattributed);
	}
}

static void seen_free(struct seen *v)
{
	for (int i = 0; i < NRUNS; i++) {
		free(v->run[i]);
		rl_run_free(&v->light[i]);
	}
	free(v->compare);
	free(v->history);
}

static bool same_text(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* What a light cell keeps of @want, equal in @got. */
static bool same_cell(const struct rl_cell *want, const struct rl_cell *got)
{
#define EQ(f) (want->f == got->f)
	return !strcmp(want->workload, got->workload) && EQ(jobs) && EQ(rep) && EQ(attempts) &&
	       EQ(ops) && EQ(eagain) && EQ(lat.valid) && EQ(lat.p99) && EQ(verify.status) &&
	       EQ(failed) && EQ(expect) && EQ(causes.valid) && EQ(causes.unattributed) &&
	       (!want->causes.valid || EQ(causes.status)) &&
	       !memcmp(want->causes.counts, got->causes.counts, sizeof(want->causes.counts)) &&
	       EQ(verify.found_blocks.valid) &&
	       !memcmp(want->verify.found_blocks.n, got->verify.found_blocks.n,
		       sizeof(want->verify.found_blocks.n));
#undef EQ
}

static void check_cells(const struct rl_run *want, const struct rl_run *got, const char *when)
{
	CHECK(got->ncells == want->ncells, "%s: %zu light cells, want %zu", when, got->ncells,
	      want->ncells);
	for (size_t i = 0; i < want->ncells && i < got->ncells; i++)
		CHECK(same_cell(&want->cells[i], &got->cells[i]), "%s: light cell %zu differs", when, i);
}

/* The store back at version 8, each summary in the columns version 5 made. */
static bool to_v8(void)
{
	return store_test_raw(db_path,
			      "BEGIN;" STORE_TEST_UNDO_V9(STORE_TEST_V9_COUNT_SQLITE)
			      "PRAGMA user_version = 8; COMMIT",
			      "BEGIN;" STORE_TEST_UNDO_V9(STORE_TEST_V9_COUNT_PG)
			      "UPDATE ringlab_schema SET version = 8; COMMIT");
}

/* What schema 9 is for: PostgreSQL rows of the narrow types, SQLite's the packed column. */
static void check_layout(void)
{
	long long width;

	if (store_test_pg()) {
		width = raw_value(NULL, "SELECT max(pg_column_size(c.*)) FROM cell_summaries c"
				  " WHERE cause_counts IS NULL AND found IS NULL");
		/* The row as a datum, with its header: version 8's, 30 8-byte columns, was about 270 bytes. */
		CHECK(width > 0 && width <= 140, "an untraced summary row is %lld bytes", width);
		CHECK(raw_value(NULL, "SELECT count(*) FROM pg_constraint WHERE conrelid ="
				" 'cell_summaries'::regclass AND contype = 'f'") == 0,
		      "cell_summaries still checks foreign keys");
		return;
	}
	CHECK(raw_value("SELECT count(*) FROM pragma_table_info('cell_summaries')"
			" WHERE name IN ('inode_lock', 'unattributed')", NULL) == 0 &&
	      raw_value("SELECT count(*) FROM pragma_table_info('cell_summaries')"
			" WHERE name = 'cause_counts'", NULL) == 1, "the causes' counts are not packed");
	CHECK(raw_value("SELECT count(*) FROM cell_summaries WHERE cause_counts IS NULL", NULL) ==
	      2 * REPS * NRUNS, "untraced cells' counts not NULL");
}

int main(void)
{
	struct rl_store *s = NULL;
	struct rl_store_migrated m;
	struct rl_run runs[NRUNS];
	struct seen before, after;
	int64_t ids[NRUNS];

	if (store_test_begin(dir, db_path, sizeof(db_path), &s) < 0)
		return 1;
	for (int i = 0; i < NRUNS; i++) {
		/* v > 1.5: the run with a failed verification's found counts */
		make_run(&runs[i], 1.0 + 0.6 * i, T0 + i * 1000000000LL);
		ids[i] = import(s, &runs[i]);
	}
	look(s, ids, &before);
	check_cells(&runs[0], &before.light[0], "at version 9");
	CHECK(runs[1].ncells > 17 && runs[1].cells[16].verify.found_blocks.valid,
	      "the test's run has no found counts");
	rl_store_close(s);
	s = NULL;
	if (!to_v8())
		goto out;
	CHECK(raw_value("SELECT count(*) FROM cell_summaries WHERE inode_lock = 5000000000"
			" AND unattributed = 1",
			"SELECT count(*) FROM cell_summaries WHERE inode_lock = 5000000000"
			" AND unattributed = 1") == NRUNS,
	      "the version 8 store lacks its traced counts");
	if (OK(store_test_open(db_path, &s, E)) < 0)
		goto out;
	rl_store_migration(s, &m);
	CHECK(m.from == 8 && m.to == rl_store_schema_version() && m.to >= 9,
	      "migrated from %d to %d", m.from, m.to);
	look(s, ids, &after);
	for (int i = 0; i < NRUNS; i++) {
		check_cells(&runs[i], &after.light[i], "migrated");
		CHECK(same_text(before.run[i], after.run[i]), "run %lld reads back otherwise",
		      (long long)ids[i]);
	}
	CHECK(same_text(before.compare, after.compare), "the comparison differs:\n%s\n%s",
	      before.compare, after.compare);
	CHECK(same_text(before.history, after.history), "the history differs:\n%s\n%s",
	      before.history, after.history);
	check_layout();
	seen_free(&after);
out:
	seen_free(&before);
	for (int i = 0; i < NRUNS; i++)
		rl_run_free(&runs[i]);
	rl_store_close(s);
	store_test_remove(dir, db_path);
	return check_exit();
}
