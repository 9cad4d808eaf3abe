/* SPDX-License-Identifier: MIT */
/* test_store_nightly: imported runs (one transaction, timestamps and status kept) and nightly reports (checked, listed newest first, latest), and the v1 -> v2 migration keeping runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "../lib/check.h"
#include "../lib/store_test.h"

#define NCELLS 4
#define T0 1790000000123456789LL	/* a start time with every digit used */

static char dir[] = "/tmp/test_store_nightly.XXXXXX";
static char db_path[4096];

/* A finished run of @ncells cells, as `ringlab run --json` would give it. */
static void make_run(struct rl_run *run, enum rl_run_status st, size_t ncells)
{
	struct rl_cell c;

	memset(run, 0, sizeof(*run));
	snprintf(run->suite, sizeof(run->suite), "seed");
	run->scale = 0.25;
	run->status = st;
	run->started_ns = T0;
	run->finished_ns = T0 + 5000000000LL;
	if (st != RL_RUN_DONE)
		snprintf(run->error, sizeof(run->error), "target /x: No such file or directory");
	snprintf(run->env.kernel_release, sizeof(run->env.kernel_release), "7.2.13-test");
	snprintf(run->env.label, sizeof(run->env.label), "guest-label");
	snprintf(run->env.kernel_tag, sizeof(run->env.kernel_tag), "guest-tag");
	for (size_t i = 0; i < ncells; i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.workload, sizeof(c.workload), "aligned-mixed");
		c.jobs = 1;
		c.rep = (uint32_t)i + 1;
		c.attempts = c.ops = 1000;
		c.iops = 5000.0 + (double)i;
		c.verify.status = RL_VERIFY_OK;
		CHECK(rl_run_add_cell(run, &c) == 0, "add cell %zu", i);
	}
}

static int64_t import(struct rl_store *s, const struct rl_run *run, const char *label,
		      const char *tag, int want)
{
	const struct rl_store_run_req req = {
		.what = run->suite, .target = "vm", .label = label, .kernel_tag = tag,
		.scale = run->scale, .request_json = "{\"import\": {}}",
	};
	struct rl_err err = { "" };
	int64_t id = 0;
	int ret;

	ret = rl_store_run_import(s, &req, run, &id, &err);
	CHECK(ret == want, "import %s/%s: %d (%s), want %d", label, tag, ret, err.msg, want);
	return ret ? 0 : id;
}

static void test_import(struct rl_store *s)
{
	struct rl_store_run_meta m;
	struct rl_err err = { "" };
	struct rl_run run, back;
	int64_t id;

	make_run(&run, RL_RUN_DONE, NCELLS);
	id = import(s, &run, "nightly-x", "base", 0);
	CHECK(rl_store_run_get(s, id, &back, &m, &err) == 0, "get %lld: %s", (long long)id, err.msg);
	CHECK(m.status == RL_RUN_DONE && !strcmp(m.target, "vm") && !strcmp(m.what, "seed"),
	      "meta: status %d target %s what %s", m.status, m.target, m.what);
	CHECK(m.created_ns == T0 && m.started_ns == T0 && m.finished_ns == T0 + 5000000000LL,
	      "times: created %lld started %lld finished %lld", (long long)m.created_ns,
	      (long long)m.started_ns, (long long)m.finished_ns);
	CHECK(!strcmp(m.label, "nightly-x") && !strcmp(m.kernel_tag, "base") &&
	      !strcmp(m.kernel_release, "7.2.13-test"), "meta: %s %s %s", m.label, m.kernel_tag,
	      m.kernel_release);
	CHECK(!strcmp(back.env.label, "nightly-x") && !strcmp(back.env.kernel_tag, "base"),
	      "the env keeps the guest's label/tag: %s %s", back.env.label, back.env.kernel_tag);
	CHECK(back.ncells == NCELLS && back.cells[3].rep == 4 && back.cells[3].iops == 5003.0,
	      "cells: %zu read back", back.ncells);
	rl_run_free(&back);
	rl_run_free(&run);

	/* More cells than one INSERT takes: every one back, in order, none twice. */
	make_run(&run, RL_RUN_DONE, 150);
	id = import(s, &run, "many", "base", 0);
	CHECK(rl_store_run_get(s, id, &back, NULL, &err) == 0, "get %lld: %s", (long long)id, err.msg);
	CHECK(back.ncells == 150, "150 cells imported, %zu read back", back.ncells);
	for (size_t i = 0; i < back.ncells; i++)
		CHECK(back.cells[i].rep == i + 1 && back.cells[i].iops == 5000.0 + (double)i,
		      "cell %zu: rep %u iops %g", i, back.cells[i].rep, back.cells[i].iops);
	rl_run_free(&back);
	rl_run_free(&run);

	/* A failed run keeps its status and error; no cells is fine. */
	make_run(&run, RL_RUN_FAILED, 0);
	id = import(s, &run, NULL, NULL, 0);
	CHECK(rl_store_run_get(s, id, NULL, &m, &err) == 0, "get failed run: %s", err.msg);
	CHECK(m.status == RL_RUN_FAILED && strstr(m.error, "No such file") && !m.label[0],
	      "failed run: status %d error \"%s\" label \"%s\"", m.status, m.error, m.label);
	rl_run_free(&run);

	/* Refused: a run that is not over, one without a start, one ending before it began. */
	make_run(&run, RL_RUN_RUNNING, 1);
	import(s, &run, "x", "y", -EINVAL);
	run.status = RL_RUN_DONE;
	run.started_ns = 0;
	import(s, &run, "x", "y", -EINVAL);
	run.started_ns = T0;
	run.finished_ns = T0 - 1;
	import(s, &run, "x", "y", -EINVAL);
	run.finished_ns = T0;
	run.suite[0] = '\0';
	import(s, &run, "x", "y", -EINVAL);
	rl_run_free(&run);
}


static int count_runs(struct rl_store *s)
{
	struct rl_err err = { "" };
	int total = -1;
	cJSON *arr = NULL;

	CHECK(rl_store_runs_list(s, NULL, &arr, &total, &err) >= 0, "list: %s", err.msg);
	cJSON_Delete(arr);
	return total;
}

/* What undoes schema version 4, in the SQL both backends read. */
/* A cell that fails to insert takes the whole import back with it. */
static void test_import_atomic(struct rl_store *s)
{
	struct rl_run run;
	int before = count_runs(s);

	if (!store_test_raw(db_path, "CREATE TRIGGER boom BEFORE INSERT ON cell_summaries"
			    " WHEN NEW.seq = 2"
			    " BEGIN SELECT RAISE(ABORT, 'boom'); END",
			    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
			    " $$BEGIN IF NEW.seq = 2 THEN RAISE EXCEPTION 'boom'"
			    " USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END$$;"
			    "CREATE TRIGGER boom BEFORE INSERT ON cell_summaries FOR EACH ROW"
			    " EXECUTE FUNCTION boom()"))
		return;
	make_run(&run, RL_RUN_DONE, NCELLS);
	import(s, &run, "atomic", "t", -EINVAL);
	CHECK(count_runs(s) == before, "a failed import left a run behind (%d, was %d)",
	      count_runs(s), before);
	store_test_raw(db_path, "DROP TRIGGER boom", "DROP TRIGGER boom ON cell_summaries");
	CHECK(import(s, &run, "atomic", "t", 0) > 0, "the import after the failure");
	rl_run_free(&run);
}

static cJSON *report(const char *status, double started_s, const char *label)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "format", "ringlab-nightly-1");
	cJSON_AddStringToObject(r, "status", status);
	cJSON_AddStringToObject(r, "summary", "1 regressed, 2 ok (3 variants x 1 suite)");
	if (label)
		cJSON_AddStringToObject(r, "label", label);
	cJSON_AddNumberToObject(r, "started_ns", started_s * 1e9);
	cJSON_AddNumberToObject(r, "finished_ns", (started_s + 90) * 1e9);
	cJSON_AddItemToObject(r, "variants", cJSON_CreateArray());
	return r;
}

static int64_t add_report(struct rl_store *s, cJSON *r, int want, const char *msg)
{
	struct rl_err err = { "" };
	int64_t id = 0;
	int ret = rl_store_nightly_add(s, r, &id, &err);

	CHECK(ret == want, "nightly add: %d (%s), want %d", ret, err.msg, want);
	CHECK(!msg || strstr(err.msg, msg), "nightly add: \"%s\" lacks \"%s\"", err.msg, msg);
	cJSON_Delete(r);
	return id;
}

static const char *item_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "(none)";
}

static void test_reports(struct rl_store *s)
{
	struct rl_err err = { "" };
	cJSON *arr = NULL, *one = NULL, *r;
	int64_t a, b;
	int total = 0, n;

	CHECK(rl_store_nightly_get(s, RL_STORE_NIGHTLY_LATEST, &one, &err) == -ENOENT,
	      "latest of none: %s", err.msg);
	a = add_report(s, report("regressed", 1790086400, "nightly-b"), 0, NULL);
	b = add_report(s, report("ok", 1790000000, NULL), 0, NULL);	/* an older night, stored later */
	n = rl_store_nightly_list(s, 0, 0, &arr, &total, &err);
	CHECK(n == 2 && total == 2, "list: %d of %d (%s)", n, total, err.msg);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "id")) == a,
	      "newest night first");
	r = cJSON_GetArrayItem(arr, 0);
	CHECK(!strcmp(item_str(r, "status"), "regressed") && !strcmp(item_str(r, "label"), "nightly-b") &&
	      !strcmp(item_str(r, "started"), "2026-09-22T14:13:20.000000000Z") &&
	      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "duration_s")) == 90 &&
	      !cJSON_HasObjectItem(r, "report"), "list item: %s", cJSON_PrintUnformatted(r));
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 1), "label")),
	      "no label is null");
	cJSON_Delete(arr);
	n = rl_store_nightly_list(s, 1, 1, &arr, &total, &err);
	CHECK(n == 1 && cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0),
									      "id")) == b, "limit 1 offset 1");
	cJSON_Delete(arr);
	CHECK(rl_store_nightly_list(s, RL_STORE_LIST_MAX + 1, 0, &arr, NULL, &err) == -EINVAL, "limit too big");
	CHECK(rl_store_nightly_list(s, 1, -1, &arr, NULL, &err) == -EINVAL, "negative offset");

	CHECK(rl_store_nightly_get(s, RL_STORE_NIGHTLY_LATEST, &one, &err) == 0, "latest: %s", err.msg);
	r = cJSON_GetObjectItemCaseSensitive(one, "report");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(one, "id")) == a &&
	      cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "variants")) &&
	      !strcmp(item_str(r, "format"), "ringlab-nightly-1"), "latest is report %lld, whole",
	      (long long)a);
	cJSON_Delete(one);
	CHECK(rl_store_nightly_get(s, b, &one, &err) == 0, "get %lld: %s", (long long)b, err.msg);
	cJSON_Delete(one);
	CHECK(rl_store_nightly_get(s, 999, &one, &err) == -ENOENT && strstr(err.msg, "999"), "999: %s",
	      err.msg);

	r = report("meh", 1790000000, NULL);
	add_report(s, r, -EINVAL, "field status");
	r = report("ok", 1790000000, NULL);
	cJSON_DeleteItemFromObject(r, "summary");
	add_report(s, r, -EINVAL, "field summary");
	r = report("ok", 1790000000, NULL);
	cJSON_ReplaceItemInObject(r, "format", cJSON_CreateString("ringlab-run-1"));
	add_report(s, r, -EINVAL, "field format");
	r = report("ok", 1790000000, NULL);
	cJSON_ReplaceItemInObject(r, "finished_ns", cJSON_CreateNumber(1));
	add_report(s, r, -EINVAL, "field finished_ns");
	r = report("ok", 1790000000, NULL);
	cJSON_ReplaceItemInObject(r, "started_ns", cJSON_CreateString("yesterday"));
	add_report(s, r, -EINVAL, "field started_ns");
	add_report(s, cJSON_CreateArray(), -EINVAL, "object");
	CHECK(rl_store_nightly_list(s, 0, 0, &arr, &total, &err) == 2 && total == 2,
	      "a refused report was stored");
	cJSON_Delete(arr);
}

/*
 * A night's _ns times read back from its stored copy as the integers sent:
 * cJSON prints 1795683498062409728 as 1.79568349806241e+18 (15 digits are
 * within its epsilon), which reads back 256 ns later, so the copy and the
 * started column told two times.
 */
static void test_report_ns_exact(struct rl_store *s)
{
	const double started = 1795683498062409728.0, finished = 1795683500018898432.0;
	struct rl_err err = { "" };
	cJSON *r = report("ok", 0, "exact"), *one = NULL, *copy;
	int64_t id;

	cJSON_ReplaceItemInObject(r, "started_ns", cJSON_CreateNumber(started));
	cJSON_ReplaceItemInObject(r, "finished_ns", cJSON_CreateNumber(finished));
	id = add_report(s, r, 0, NULL);
	CHECK(rl_store_nightly_get(s, id, &one, &err) == 0, "get %lld: %s", (long long)id, err.msg);
	copy = cJSON_GetObjectItemCaseSensitive(one, "report");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "started_ns")) == started &&
	      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "finished_ns")) == finished,
	      "the copy reads back started_ns %.0f, finished_ns %.0f, not %.0f, %.0f",
	      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "started_ns")),
	      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "finished_ns")), started,
	      finished);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(one, "started_ns")) == started,
	      "the started column reads back %.0f, not %.0f",
	      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(one, "started_ns")), started);
	cJSON_Delete(one);
}

/* A database at version 1 (before nightly reports) opens at the latest, its runs kept. */
static void test_migrate_v1(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	int64_t id = 0;
	cJSON *one = NULL;
	int runs;

	CHECK(store_test_open(db_path, &s, &err) == 0, "open: %s", err.msg);
	runs = count_runs(s);
	rl_store_close(s);
	/* Back to version 1's tables: without the host columns (4), the summaries (5) and the fleet's columns (6). */
	if (!store_test_raw(db_path, "DROP TABLE nightly_reports; " STORE_TEST_UNDO_V8 STORE_TEST_UNDO_V7 STORE_TEST_UNDO_V6 STORE_TEST_UNDO_V5
			    STORE_TEST_UNDO_V4 "PRAGMA user_version = 1",
			    "DROP TABLE nightly_reports; " STORE_TEST_UNDO_V8 STORE_TEST_UNDO_V7 STORE_TEST_UNDO_V6 STORE_TEST_UNDO_V5 STORE_TEST_UNDO_V4
			    "UPDATE ringlab_schema SET version = 1"))
		return;
	s = NULL;
	CHECK(store_test_open(db_path, &s, &err) == 0, "open at version 1: %s", err.msg);
	CHECK(rl_store_schema_version() >= 2, "schema version %d", rl_store_schema_version());
	CHECK(count_runs(s) == runs && runs > 0, "runs after the migration: %d, were %d",
	      count_runs(s), runs);
	id = add_report(s, report("ok", 1790000000, "after"), 0, NULL);
	CHECK(id > 0, "a report after the migration: id %lld", (long long)id);
	CHECK(rl_store_nightly_get(s, RL_STORE_NIGHTLY_LATEST, &one, &err) == 0, "latest: %s", err.msg);
	cJSON_Delete(one);
	rl_store_close(s);
}

static void cleanup(void)
{
	store_test_remove(dir, db_path);
}

int main(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/ringlab.db", dir);
	if (store_test_open(db_path, &s, &err) < 0) {
		CHECK(0, "open: %s", err.msg);
		cleanup();
		return check_exit();
	}
	test_import(s);
	test_import_atomic(s);
	test_reports(s);
	test_report_ns_exact(s);
	rl_store_close(s);
	test_migrate_v1();
	cleanup();
	return check_exit();
}
