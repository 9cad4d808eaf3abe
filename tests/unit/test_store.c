/* SPDX-License-Identifier: MIT */
/* test_store: a run's life in the store, listing, recovery, two connections and lock waits; on SQLite, or on PostgreSQL with RL_TEST_STORE (tests/pg/store_units.sh). */
#define RL_STORE_INTERNAL	/* test_full() caps the connection's pages */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/result_json.h"
#include "store/store.h"
#include "util/clock.h"
#include "../lib/check.h"
#include "../lib/store_test.h"

#define NCELLS 6

static char dir[] = "/tmp/test_store.XXXXXX";
static char db_path[4096];


static int64_t create(struct rl_store *s, const char *what, const char *target,
		      const char *label, const char *tag)
{
	const struct rl_store_run_req req = {
		.what = what, .target = target, .label = label, .kernel_tag = tag,
		.scale = 0.5, .request_json = "{\"suite\": \"seed\", \"scale\": 0.5}",
	};
	int64_t id = -1;

	OK(rl_store_run_create(s, &req, &id, E));
	return id;
}

static void make_workload(struct rl_workload *w, const char *name, const char *stripe)
{
	char text[512];
	struct rl_err err = { "" };
	cJSON *j;
	int ret;

	snprintf(text, sizeof(text),
		 "{\"name\": \"%s\", \"op\": \"write\", \"block_size\": 4096, \"stripe\": \"%s\","
		 " \"io_size\": 8192, \"io_offset\": 0, \"direct\": true, \"nowait\": true,"
		 " \"jobs\": [1, 2, 4], \"size_per_job\": \"1M\", \"repetitions\": 2}",
		 name, stripe);
	j = cJSON_Parse(text);
	ret = rl_workload_parse(j, w, &err);
	CHECK(ret == 0, "workload %s: %s", name, err.msg);
	cJSON_Delete(j);
}

static void make_env(struct rl_env *env)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->kernel_release, sizeof(env->kernel_release), "6.18.0-test");
	snprintf(env->hostname, sizeof(env->hostname), "lab1");
	snprintf(env->fs_type, sizeof(env->fs_type), "ext4");
	env->cpus = 2;
	env->fs_block_size = 4096;
}

static void make_cell(struct rl_cell *c, uint32_t i)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), i < 3 ? "wa" : "wb");
	c->jobs = 1u << (i % 3);
	c->rep = 1 + i / 3;
	c->attempts = 1000 + i;
	c->ops = 900 + i;
	c->bytes = c->ops * 8192;
	c->eagain = 100 + i;
	c->eagain_rate = (double)c->eagain / (double)c->attempts;
	c->iops = 12345.5 + i;
	c->elapsed_s = 0.25;
	c->lat.valid = true;
	c->lat.p50 = 1000 * (i + 1);
	c->lat.p99 = 9000 * (i + 1);
	c->nerrors = 1;
	c->errors[0].err = 5;
	c->errors[0].count = i;
	c->verify.status = i % 2 ? RL_VERIFY_FAILED : RL_VERIFY_OK;
	c->failed = i % 2;
	if (c->failed)
		snprintf(c->error, sizeof(c->error), "verify: %u bytes bad", i);
}

static void compare_cells(const struct rl_run *run)
{
	struct rl_cell want;
	uint32_t i;

	CHECK(run->ncells == NCELLS, "%zu cells read back, %d written", run->ncells, NCELLS);
	for (i = 0; i < run->ncells && i < NCELLS; i++) {
		const struct rl_cell *c = &run->cells[i];

		make_cell(&want, i);
		CHECK(strcmp(c->workload, want.workload) == 0, "cell %u workload %s", i, c->workload);
		CHECK(c->jobs == want.jobs && c->rep == want.rep, "cell %u jobs %u rep %u", i,
		      c->jobs, c->rep);
		CHECK(c->attempts == want.attempts && c->eagain == want.eagain,
		      "cell %u attempts %llu eagain %llu", i, (unsigned long long)c->attempts,
		      (unsigned long long)c->eagain);
		CHECK(c->iops == want.iops, "cell %u iops %g, want %g", i, c->iops, want.iops);
		CHECK(fabs(c->eagain_rate - want.eagain_rate) < 1e-12, "cell %u eagain_rate %g", i,
		      c->eagain_rate);
		CHECK(c->lat.p99 == want.lat.p99, "cell %u p99 %llu", i, (unsigned long long)c->lat.p99);
		CHECK(c->verify.status == want.verify.status && c->failed == want.failed,
		      "cell %u verify %d failed %d", i, c->verify.status, c->failed);
		CHECK(c->errors[0].count == want.errors[0].count, "cell %u errors", i);
		CHECK(strcmp(c->error, want.error) == 0, "cell %u error \"%s\"", i, c->error);
	}
}

static void check_meta(const struct rl_store_run_meta *m, int64_t id)
{
	CHECK(m->id == id, "meta id %lld", (long long)m->id);
	CHECK(m->status == RL_RUN_DONE, "status %s", rl_run_status_name(m->status));
	CHECK(strcmp(m->what, "seed") == 0 && strcmp(m->target, "t1") == 0, "what %s target %s",
	      m->what, m->target);
	CHECK(strcmp(m->label, "L1") == 0 && strcmp(m->kernel_tag, "base") == 0,
	      "label %s kernel_tag %s", m->label, m->kernel_tag);
	CHECK(strcmp(m->kernel_release, "6.18.0-test") == 0, "kernel_release %s", m->kernel_release);
	CHECK(m->scale == 0.5, "scale %g", m->scale);
	CHECK(m->created_ns > 0 && m->started_ns >= m->created_ns &&
	      m->finished_ns >= m->started_ns, "times %lld %lld %lld", (long long)m->created_ns,
	      (long long)m->started_ns, (long long)m->finished_ns);
	CHECK(m->error[0] == 0, "error \"%s\"", m->error);
}

static void check_run(struct rl_store *s, int64_t id)
{
	struct rl_store_run_meta m;
	struct rl_run run;

	if (OK(rl_store_run_get(s, id, &run, &m, E)) < 0)
		return;
	check_meta(&m, id);
	compare_cells(&run);
	CHECK(run.nworkloads == 2 && strcmp(run.workloads[1].name, "wb") == 0 &&
	      strcmp(run.workloads[1].stripe, "WWU") == 0, "%zu workloads", run.nworkloads);
	CHECK(strcmp(run.env.kernel_release, "6.18.0-test") == 0 && run.env.cpus == 2,
	      "env kernel %s cpus %u", run.env.kernel_release, run.env.cpus);
	CHECK(run.status == RL_RUN_DONE && strcmp(run.suite, "seed") == 0, "run %s %s",
	      run.suite, rl_run_status_name(run.status));
	rl_run_free(&run);
}

/* The API's JSON carries the meta keys and still reads back as a run. */
static void check_run_json(struct rl_store *s, int64_t id)
{
	struct rl_err err = { "" };
	struct rl_run back;
	cJSON *j = NULL, *v;

	if (OK(rl_store_run_json(s, id, &j, E)) < 0)
		return;
	v = cJSON_GetObjectItemCaseSensitive(j, "id");
	CHECK(cJSON_IsNumber(v) && v->valuedouble == (double)id, "json id");
	v = cJSON_GetObjectItemCaseSensitive(j, "label");
	CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "L1") == 0, "json label");
	v = cJSON_GetObjectItemCaseSensitive(j, "cells");
	CHECK(cJSON_GetArraySize(v) == NCELLS, "json cells %d", cJSON_GetArraySize(v));
	v = cJSON_GetObjectItemCaseSensitive(j, "duration_s");
	CHECK(cJSON_IsNumber(v) && v->valuedouble >= 0, "json duration_s");
	CHECK(rl_run_from_json(j, &back, &err) == 0, "run JSON does not read back: %s", err.msg);
	CHECK(back.ncells == NCELLS, "read back %zu cells", back.ncells);
	rl_run_free(&back);
	cJSON_Delete(j);
}

/* A full life: create, start, progress, cells, finish; read back equal. Returns the id. */
static int64_t test_life(struct rl_store *s)
{
	struct rl_store_progress p = { .cell = 2, .ncells = NCELLS, .jobs = 4, .rep = 1,
				       .reps = 2, .fraction = 0.5, .run_fraction = 0.25,
				       .live_iops = 999.5 }, got;
	struct rl_workload w[2];
	struct rl_env env;
	struct rl_cell c;
	struct rl_err err = { "" };
	int64_t id = create(s, "seed", "t1", "L1", "base");
	uint32_t i;

	make_env(&env);
	make_workload(&w[0], "wa", "WU");
	make_workload(&w[1], "wb", "WWU");
	make_cell(&c, 0);
	CHECK(rl_store_cell_add(s, id, 0, &c, &err) == -EINVAL, "cell added to a queued run");
	CHECK(rl_store_progress_set(s, id, &p, &err) == -EINVAL, "progress on a queued run");
	OK(rl_store_run_start(s, id, &env, w, 2, E));
	CHECK(rl_store_run_start(s, id, &env, w, 2, &err) == -EINVAL, "started twice");
	snprintf(p.workload, sizeof(p.workload), "wa");
	snprintf(p.phase, sizeof(p.phase), "run");
	OK(rl_store_progress_set(s, id, &p, E));
	p.live_iops = 1234.25;
	OK(rl_store_progress_set(s, id, &p, E));
	memset(&got, 0xff, sizeof(got));
	OK(rl_store_progress_get(s, id, &got, E));
	CHECK(got.cell == 2 && got.ncells == NCELLS && got.jobs == 4 && got.reps == 2 &&
	      got.live_iops == 1234.25 && got.run_fraction == 0.25 &&
	      strcmp(got.phase, "run") == 0 && strcmp(got.workload, "wa") == 0 &&
	      got.updated_ns > 0, "progress read back: cell %u iops %g phase %s", got.cell,
	      got.live_iops, got.phase);
	/* Out of order on purpose: reading back sorts by seq. */
	for (i = NCELLS; i-- > 0;) {
		make_cell(&c, i);
		OK(rl_store_cell_add(s, id, i, &c, E));
	}
	CHECK(rl_store_cell_add(s, id, 3, &c, &err) == -EEXIST, "duplicate seq: %s", err.msg);
	OK(rl_store_run_finish(s, id, RL_RUN_DONE, NULL, E));
	CHECK(rl_store_progress_get(s, id, &got, &err) == -ENOENT, "progress kept after finish");
	CHECK(rl_store_run_finish(s, id, RL_RUN_DONE, NULL, &err) == -EINVAL, "finished twice");
	CHECK(strstr(err.msg, "done") != NULL, "finish twice message: %s", err.msg);
	CHECK(rl_store_run_start(s, id, &env, w, 2, &err) == -EINVAL, "a done run started");
	CHECK(rl_store_cell_add(s, id, NCELLS, &c, &err) == -EINVAL, "cell added to a done run");
	check_run(s, id);
	check_run_json(s, id);
	return id;
}

static void test_bad_calls(struct rl_store *s)
{
	struct rl_store_run_req req = { .what = "seed", .target = "t1", .scale = 1 };
	struct rl_store_run_meta m;
	struct rl_run run;
	struct rl_cell c;
	struct rl_err err = { "" };
	char longer[200];
	int64_t id, q;

	CHECK(rl_store_run_get(s, 424242, &run, &m, &err) == -ENOENT, "unknown id found");
	CHECK(rl_store_run_finish(s, 424242, RL_RUN_DONE, NULL, &err) == -ENOENT, "unknown finished");
	make_cell(&c, 0);
	CHECK(rl_store_cell_add(s, 424242, 0, &c, &err) == -ENOENT, "cell on unknown run");
	req.what = NULL;
	CHECK(rl_store_run_create(s, &req, &id, &err) == -EINVAL, "created without what");
	req.what = "seed";
	req.scale = 0;
	CHECK(rl_store_run_create(s, &req, &id, &err) == -EINVAL, "created with scale 0");
	req.scale = 1;
	req.request_json = "{not json";
	CHECK(rl_store_run_create(s, &req, &id, &err) == -EINVAL, "created with bad request JSON");
	req.request_json = NULL;
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	req.label = longer;
	CHECK(rl_store_run_create(s, &req, &id, &err) == -EINVAL, "created with a 199-byte label");
	CHECK(strstr(err.msg, "label") != NULL, "label message: %s", err.msg);
	req.label = NULL;
	q = create(s, "seed", "t1", NULL, NULL);
	CHECK(rl_store_run_finish(s, q, RL_RUN_DONE, NULL, &err) == -EINVAL, "a queued run done");
	CHECK(rl_store_run_finish(s, q, RL_RUN_RUNNING, NULL, &err) == -EINVAL, "finished as running");
	OK(rl_store_run_finish(s, q, RL_RUN_ABORTED, "cancelled", E));
	if (OK(rl_store_run_get(s, q, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_ABORTED && strcmp(m.error, "cancelled") == 0 &&
		      !m.started_ns && m.finished_ns, "cancelled queued run: %s \"%s\"",
		      rl_run_status_name(m.status), m.error);
}

static void start_plain(struct rl_store *s, int64_t id, const char *kernel)
{
	struct rl_env env;

	make_env(&env);
	snprintf(env.kernel_release, sizeof(env.kernel_release), "%s", kernel);
	OK(rl_store_run_start(s, id, &env, NULL, 0, E));
}

/* Count a list call's items, checking they come newest first; -1 on error. */
static int list(struct rl_store *s, const struct rl_store_filter *f, int *total, cJSON **out)
{
	struct rl_err err = { "" };
	cJSON *arr = NULL, *item;
	double prev = INFINITY;
	int n;

	*total = -1;
	n = rl_store_runs_list(s, f, &arr, total, &err);
	CHECK(n >= 0, "list: %d (%s)", n, err.msg);
	if (n < 0)
		return -1;
	CHECK(cJSON_GetArraySize(arr) == n, "list returned %d, array holds %d", n,
	      cJSON_GetArraySize(arr));
	cJSON_ArrayForEach(item, arr) {
		double id = cJSON_GetObjectItemCaseSensitive(item, "id")->valuedouble;

		CHECK(id < prev, "list not newest first: %g after %g", id, prev);
		prev = id;
	}
	if (out)
		*out = arr;
	else
		cJSON_Delete(arr);
	return n;
}

static void check_list_item(const cJSON *arr, int64_t life)
{
	const cJSON *item, *v;

	cJSON_ArrayForEach(item, arr) {
		v = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (v->valuedouble != (double)life)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(item, "ncells");
		CHECK(cJSON_IsNumber(v) && v->valueint == NCELLS, "item ncells");
		v = cJSON_GetObjectItemCaseSensitive(item, "failed_cells");
		CHECK(cJSON_IsNumber(v) && v->valueint == NCELLS / 2, "item failed_cells");
		v = cJSON_GetObjectItemCaseSensitive(item, "status");
		CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "done") == 0, "item status");
		v = cJSON_GetObjectItemCaseSensitive(item, "kernel_release");
		CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "6.18.0-test") == 0, "item kernel");
		v = cJSON_GetObjectItemCaseSensitive(item, "error");
		CHECK(cJSON_IsNull(v), "item error not null");
		v = cJSON_GetObjectItemCaseSensitive(item, "duration_s");
		CHECK(cJSON_IsNumber(v), "item duration_s");
		return;
	}
	CHECK(0, "run %lld not listed", (long long)life);
}

/* A queued run has no start, duration or cells yet, and its label is there. */
static void check_queued_json(struct rl_store *s, int64_t id)
{
	cJSON *j = NULL, *v;

	if (OK(rl_store_run_json(s, id, &j, E)) < 0)
		return;
	v = cJSON_GetObjectItemCaseSensitive(j, "status");
	CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "queued") == 0, "queued json status");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "started")), "queued run started");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "duration_s")), "queued duration");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "kernel_tag")), "kernel_tag not null");
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "cells")) == 0, "queued cells");
	v = cJSON_GetObjectItemCaseSensitive(j, "what");
	CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "race") == 0, "queued json what");
	cJSON_Delete(j);
}

/*
 * Runs so far: life (done, L1/base/6.18.0-test), the queued-then-aborted one
 * of test_bad_calls. Adds: b (failed, L1/head/7.3.4), c (running, L2/base),
 * d (queued, L2, what "race").
 */
static void test_list(struct rl_store *s, int64_t life, int64_t *running, int64_t *queued)
{
	struct rl_store_run_meta m;
	struct rl_store_filter f = { 0 };
	struct rl_err err = { "" };
	cJSON *arr = NULL;
	int64_t b, c, d, ids[8];
	int total, n;

	b = create(s, "seed", "t1", "L1", "head");
	start_plain(s, b, "7.3.4");
	/* An end recorded after the fact keeps the time it happened. */
	if (OK(rl_store_run_get(s, b, NULL, &m, E)) >= 0 &&
	    OK(rl_store_run_finish_at(s, b, RL_RUN_FAILED, "target t1: not ext4", m.started_ns + 7,
				      E)) >= 0 &&
	    OK(rl_store_run_get(s, b, NULL, &m, E)) >= 0)
		CHECK(m.finished_ns == m.started_ns + 7 && m.status == RL_RUN_FAILED,
		      "finished at %lld, started %lld", (long long)m.finished_ns,
		      (long long)m.started_ns);
	c = create(s, "seed", "t2", "L2", "base");
	start_plain(s, c, "6.18.0-test");
	d = create(s, "race", "t2", "L2", NULL);
	*running = c;
	*queued = d;

	CHECK(list(s, NULL, &total, &arr) == 5 && total == 5, "all: total %d", total);
	if (arr)
		check_list_item(arr, life);
	cJSON_Delete(arr);
	f.label = "L1";
	CHECK(list(s, &f, &total, NULL) == 2 && total == 2, "label L1: total %d", total);
	f = (struct rl_store_filter){ .kernel_tag = "base" };
	CHECK(list(s, &f, &total, NULL) == 2 && total == 2, "kernel_tag base: total %d", total);
	f = (struct rl_store_filter){ .kernel_release = "6.18.0-test" };
	CHECK(list(s, &f, &total, NULL) == 2 && total == 2, "kernel_release: total %d", total);
	f = (struct rl_store_filter){ .status = "queued" };
	CHECK(list(s, &f, &total, NULL) == 1 && total == 1, "status queued: total %d", total);
	f = (struct rl_store_filter){ .what = "race" };
	CHECK(list(s, &f, &total, NULL) == 1 && total == 1, "what race: total %d", total);
	f = (struct rl_store_filter){ .label = "L2", .status = "running" };
	CHECK(list(s, &f, &total, NULL) == 1 && total == 1, "L2 running: total %d", total);
	f = (struct rl_store_filter){ .label = "nope" };
	CHECK(list(s, &f, &total, NULL) == 0 && total == 0, "label nope: total %d", total);
	f = (struct rl_store_filter){ .limit = 2, .offset = 1 };
	arr = NULL;
	n = list(s, &f, &total, &arr);
	CHECK(n == 2 && total == 5, "limit 2 offset 1: %d of %d", n, total);
	if (n == 2)
		CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "id")->valuedouble
		      == (double)c, "offset 1 starts at the second newest");
	cJSON_Delete(arr);
	f = (struct rl_store_filter){ .offset = 4 };
	CHECK(list(s, &f, &total, NULL) == 1 && total == 5, "offset 4: total %d", total);
	check_queued_json(s, d);
	f = (struct rl_store_filter){ .status = "sleeping" };
	CHECK(rl_store_runs_list(s, &f, &arr, &total, &err) == -EINVAL, "unknown status listed");
	f = (struct rl_store_filter){ .limit = RL_STORE_LIST_MAX + 1 };
	CHECK(rl_store_runs_list(s, &f, &arr, &total, &err) == -EINVAL, "limit over the max");

	n = rl_store_run_ids_by(s, "L1", NULL, ids, 8, &err);
	CHECK(n == 1 && ids[0] == life, "done runs of L1: %d", n);
	n = rl_store_run_ids_by(s, NULL, "base", ids, 8, &err);
	CHECK(n == 1 && ids[0] == life, "done runs of base: %d", n);
	n = rl_store_run_ids_by(s, "L2", NULL, ids, 8, &err);
	CHECK(n == 0, "done runs of L2: %d", n);
}

static void test_queue(struct rl_store *s)
{
	struct rl_err err = { "" };
	int64_t q1, q2, id = 0;
	bool busy = true;

	q1 = create(s, "seed", "t3", NULL, NULL);
	q2 = create(s, "seed", "t3", NULL, NULL);
	OK(rl_store_next_queued(s, "t3", NULL, &id, E));
	CHECK(id == q1, "next queued %lld, want the oldest %lld", (long long)id, (long long)q1);
	OK(rl_store_target_busy(s, "t3", NULL, &busy, E));
	CHECK(busy, "t3 with queued runs not busy");
	OK(rl_store_target_busy(s, "t9", NULL, &busy, E));
	CHECK(!busy, "empty target t9 busy");
	OK(rl_store_run_finish(s, q1, RL_RUN_ABORTED, "cancelled", E));
	OK(rl_store_next_queued(s, "t3", NULL, &id, E));
	CHECK(id == q2, "next queued after the first %lld", (long long)id);
	OK(rl_store_run_finish(s, q2, RL_RUN_ABORTED, "cancelled", E));
	CHECK(rl_store_next_queued(s, "t3", NULL, &id, &err) == -ENOENT, "queued run on an empty queue");
	OK(rl_store_target_busy(s, "t3", NULL, &busy, E));
	CHECK(!busy, "t3 busy with nothing queued");
}

static void test_recover(struct rl_store *s, int64_t life, int64_t running, int64_t queued)
{
	struct rl_store_progress p = { .ncells = 4, .phase = "layout", .workload = "wa" };
	struct rl_store_run_meta m;
	struct rl_store_counts cnt;
	struct rl_err err = { "" };
	int n = -1, ret;

	OK(rl_store_progress_set(s, running, &p, E));
	ret = OK(rl_store_recover(s, &n, E));
	CHECK(n == 1 && ret == 1, "recover aborted %d runs (returned %d), want 1", n, ret);
	if (OK(rl_store_run_get(s, running, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_ABORTED && m.finished_ns &&
		      strcmp(m.error, "interrupted: ringlabd stopped during the run") == 0,
		      "recovered run: %s \"%s\"", rl_run_status_name(m.status), m.error);
	CHECK(rl_store_progress_get(s, running, &p, &err) == -ENOENT, "progress survived recovery");
	if (OK(rl_store_run_get(s, queued, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_QUEUED, "queued run became %s", rl_run_status_name(m.status));
	if (OK(rl_store_run_get(s, life, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_DONE && !m.error[0], "done run became %s",
		      rl_run_status_name(m.status));
	OK(rl_store_recover(s, &n, E));
	CHECK(n == 0, "second recovery aborted %d", n);

	/* life done; b failed; c aborted here, 3 cancelled; d queued. */
	OK(rl_store_counts(s, &cnt, E));
	CHECK(cnt.runs[RL_RUN_DONE] == 1 && cnt.runs[RL_RUN_FAILED] == 1 &&
	      cnt.runs[RL_RUN_ABORTED] == 4 && cnt.runs[RL_RUN_QUEUED] == 1 &&
	      cnt.runs[RL_RUN_RUNNING] == 0 && cnt.runs_total == 7 && cnt.cells == NCELLS,
	      "counts: done %llu failed %llu aborted %llu queued %llu total %llu cells %llu",
	      (unsigned long long)cnt.runs[RL_RUN_DONE], (unsigned long long)cnt.runs[RL_RUN_FAILED],
	      (unsigned long long)cnt.runs[RL_RUN_ABORTED],
	      (unsigned long long)cnt.runs[RL_RUN_QUEUED], (unsigned long long)cnt.runs_total,
	      (unsigned long long)cnt.cells);
}

static void test_two_connections(struct rl_store *s)
{
	struct rl_store *s2 = NULL;
	struct rl_store_run_meta m;
	int64_t a, b;

	if (OK(store_test_open(db_path, &s2, E)) < 0)
		return;
	a = create(s2, "from-s2", "t4", NULL, NULL);
	if (OK(rl_store_run_get(s, a, NULL, &m, E)) >= 0)
		CHECK(strcmp(m.what, "from-s2") == 0, "first connection reads %s", m.what);
	b = create(s, "from-s1", "t4", NULL, NULL);
	OK(rl_store_run_finish(s, a, RL_RUN_ABORTED, "x", E));
	if (OK(rl_store_run_get(s2, a, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_ABORTED, "second connection sees %s", rl_run_status_name(m.status));
	if (OK(rl_store_run_get(s2, b, NULL, &m, E)) >= 0)
		CHECK(strcmp(m.what, "from-s1") == 0, "second connection reads %s", m.what);
	OK(rl_store_run_finish(s2, b, RL_RUN_ABORTED, "x", E));
	rl_store_close(s2);
}

/* On a shared store a daemon aborts only its own targets' running runs: another's may run now. */
static void test_recover_targets(struct rl_store *s)
{
	const char *const mine[] = { "mine-a", "mine-b" };
	struct rl_store_run_meta m;
	struct rl_err err = { "" };
	int64_t a, b, theirs;
	int n = -1;

	a = create(s, "seed", "mine-a", NULL, NULL);
	b = create(s, "seed", "mine-b", NULL, NULL);
	theirs = create(s, "seed", "theirs", NULL, NULL);
	start_plain(s, a, "7.0");
	start_plain(s, b, "7.0");
	start_plain(s, theirs, "7.0");
	OK(rl_store_recover_targets(s, NULL, mine, 2, &n, E));
	CHECK(n == 2, "recovered %d runs on mine-a and mine-b, want 2", n);
	if (OK(rl_store_run_get(s, theirs, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_RUNNING, "another daemon's run became %s",
		      rl_run_status_name(m.status));
	if (OK(rl_store_run_get(s, b, NULL, &m, E)) >= 0)
		CHECK(m.status == RL_RUN_ABORTED, "own run is %s", rl_run_status_name(m.status));
	CHECK(rl_store_recover_targets(s, NULL, mine, 0, &n, &err) == -EINVAL, "no targets: %s", err.msg);
	OK(rl_store_run_finish(s, theirs, RL_RUN_ABORTED, "x", E));
}

struct writer {
	int ret;
	int64_t id, done_ns;
	struct rl_err err;
	pthread_barrier_t opened;	/* the hold is timed from the writer's open, not its start */
};

/* A second rl_store creating a run while the main thread holds the write lock. */
static void *writer_thread(void *arg)
{
	const struct rl_store_run_req req = { .what = "waiter", .target = "t5", .scale = 1 };
	struct writer *w = arg;
	struct rl_store *s;

	w->ret = store_test_open(db_path, &s, &w->err);
	pthread_barrier_wait(&w->opened);
	if (w->ret < 0)
		return NULL;
	w->ret = rl_store_run_create(s, &req, &w->id, &w->err);
	w->done_ns = rl_wall_ns();
	rl_store_close(s);
	return NULL;
}

/* @hold_ms under the lock: the writer must wait, then succeed (or -EBUSY past 5 s). */
static void test_wait(unsigned hold_ms, int want)
{
	struct writer w = { .ret = 1 };
	struct timespec ts = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000 };
	pthread_t t;
	int64_t released;
	struct store_test_lock lock;

	if (!store_test_lock_hold(db_path, &lock)) {
		store_test_lock_release(&lock);
		return;
	}
	pthread_barrier_init(&w.opened, NULL, 2);
	if (pthread_create(&t, NULL, writer_thread, &w)) {
		CHECK(0, "pthread_create");
		store_test_lock_release(&lock);
		return;
	}
	/* On a loaded machine opening alone can take most of the margin over the timeout. */
	pthread_barrier_wait(&w.opened);
	nanosleep(&ts, NULL);
	released = rl_wall_ns();
	store_test_lock_release(&lock);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&w.opened);
	CHECK(w.ret == want, "writer under a %u ms lock: %d (%s), want %d", hold_ms, w.ret,
	      w.err.msg, want);
	if (want == 0)
		CHECK(w.done_ns >= released, "the writer finished before the lock was released");
	else
		CHECK(strstr(w.err.msg, "lock") != NULL, "busy message: %s", w.err.msg);
}

static void test_integrity(struct rl_store *s)
{
	OK(rl_store_quick_check(s, E));
}

/*
 * A database that cannot grow (the connection's page cap standing in for a
 * full filesystem): the error says which database, not only "database or
 * disk is full", and the store works again once it can grow.
 */
static void test_full(struct rl_store *s)
{
	static char pad[256 * 1024];
	struct rl_store_run_req req = { .what = "big", .target = "t6", .scale = 1, .request_json = pad };
	struct rl_err err = { "" };
	int64_t id = -1;
	int ret;

	snprintf(pad, sizeof(pad), "{\"pad\": \"%0*d\"}", (int)sizeof(pad) - 16, 0);
	if (OK(rl_store_exec(s, "PRAGMA max_page_count = 1", E)) < 0)
		return;
	ret = rl_store_run_create(s, &req, &id, &err);
	CHECK(ret == -ENOSPC, "create on a full database: %d (%s)", ret, err.msg);
	CHECK(strstr(err.msg, db_path) && strstr(err.msg, "full"),
	      "the error does not name %s: %s", db_path, err.msg);
	OK(rl_store_exec(s, "PRAGMA max_page_count = 1073741823", E));
	OK(rl_store_run_create(s, &req, &id, E));
}

static void test_open_errors(void)
{
	struct rl_store *s = (struct rl_store *)1;
	struct rl_err err = { "" };
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/missing/ringlab.db", dir);
	CHECK(rl_store_open(path, &s, &err) == -ENOENT, "opened under a missing directory");
	CHECK(strstr(err.msg, "missing") != NULL, "missing directory not named: %s", err.msg);
	CHECK(s == NULL, "store set on failure");
	CHECK(stat(db_path, &st) == 0 && (st.st_mode & 0777) == 0640, "database mode %o",
	      st.st_mode & 0777);
}

/* What a PostgreSQL store refuses to open, each with its reason. */
static void test_pg_open_errors(void)
{
	struct rl_store_conf c = { .kind = RL_STORE_POSTGRESQL };
	struct rl_store *s = (struct rl_store *)1;
	struct rl_err err = { "" };
	char conninfo[4400];

	snprintf(conninfo, sizeof(conninfo), "%s password=secret", store_test_conninfo());
	c.conninfo = conninfo;
	CHECK(rl_store_open_conf(&c, &s, &err) == -EINVAL, "a password in the conninfo: %s", err.msg);
	CHECK(strstr(err.msg, "password_file") && !strstr(err.msg, "secret"),
	      "password refusal: %s", err.msg);
	CHECK(s == NULL, "store set on failure");
	c.conninfo = "postgresql://ringlab:secret@localhost/ringlab";
	CHECK(rl_store_open_conf(&c, &s, &err) == -EINVAL, "a password in a URI: %s", err.msg);
	c.conninfo = "nonsense without equals";
	CHECK(rl_store_open_conf(&c, &s, &err) == -EINVAL, "a bad conninfo: %s", err.msg);
	CHECK(strstr(err.msg, "conninfo") != NULL, "bad conninfo not named: %s", err.msg);
	snprintf(conninfo, sizeof(conninfo), "host=%s/nowhere port=1 connect_timeout=2", dir);
	c.conninfo = conninfo;
	CHECK(rl_store_open_conf(&c, &s, &err) == -ENOTCONN, "no server: %s", err.msg);
	snprintf(conninfo, sizeof(conninfo), "%s", store_test_conninfo());
	c.password_file = "/nonexistent/ringlab-password";
	CHECK(rl_store_open_conf(&c, &s, &err) == -ENOENT, "a missing password_file: %s", err.msg);
	CHECK(strstr(err.msg, "password_file") && !strstr(err.msg, "token"),
	      "password_file not named, or called a token file: %s", err.msg);
}

static void cleanup(void)
{
	store_test_remove(dir, db_path);
}

/* ---- hosts ---------------------------------------------------------------- */

/* A done run of @host (a guest's run when @lab is set: its lab host) with two cells, one failed. */
static int64_t import_on(struct rl_store *s, const char *host, const char *mid, const char *lab)
{
	const struct rl_store_run_req req = { .what = "seed", .target = "vm", .label = "hosts",
					      .scale = 1 };
	struct rl_run run = { .status = RL_RUN_DONE, .started_ns = 1000, .scale = 1 };
	struct rl_env_host *lh = &run.env.lab_host;
	struct rl_cell c;
	int64_t id = -1;

	make_env(&run.env);
	snprintf(run.env.hostname, sizeof(run.env.hostname), "%s", lab ? "guest-1" : host);
	snprintf(run.env.machine_id, sizeof(run.env.machine_id), "%s", lab ? "" : mid);
	if (lab) {
		lh->valid = true;
		snprintf(lh->hostname, sizeof(lh->hostname), "%s", host);
		snprintf(lh->machine_id, sizeof(lh->machine_id), "%s", mid);
		snprintf(lh->cpu_model, sizeof(lh->cpu_model), "CPU of %s", host);
	}
	for (uint32_t i = 0; i < 2; i++) {
		make_cell(&c, i);
		OK(rl_run_add_cell(&run, &c));
	}
	OK(rl_store_run_import(s, &req, &run, &id, E));
	rl_run_free(&run);
	return id;
}

static const char *item_str(const cJSON *arr, int i, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, i), key);

	return cJSON_IsString(v) ? v->valuestring : cJSON_IsNull(v) ? "(null)" : "(missing)";
}

static void check_host_counts(struct rl_store *s)
{
	struct rl_store_host_counts v;
	const struct rl_store_host_count *a = NULL, *b = NULL;

	if (OK(rl_store_host_counts(s, &v, E)) < 0)
		return;
	for (size_t i = 0; i < v.n; i++) {
		if (!strcmp(v.hosts[i].host, "hx-a"))
			a = &v.hosts[i];
		if (!strcmp(v.hosts[i].host, "hx-b"))
			b = &v.hosts[i];
	}
	CHECK(a && a->runs[RL_RUN_DONE] == 1 && a->cells_ok == 1 && a->cells_failed == 1,
	      "host counts of hx-a: %s", a ? "wrong" : "missing");
	CHECK(b && b->runs[RL_RUN_DONE] == 1 && b->runs[RL_RUN_RUNNING] == 1 && b->cells_ok == 1,
	      "host counts of hx-b: %s", b ? "wrong" : "missing");
	rl_store_host_counts_free(&v);
}

/*
 * /metrics' cells per host equal the stored cell rows, for imported runs and
 * a running one; and they come from the runs' counts, not from reading
 * every cell row (a scrape of 10,000 runs took seconds): the running run
 * @r's rows taken away behind the store's back leave its counts as they were.
 */
static void check_host_cells(struct rl_store *s, int64_t r)
{
	struct rl_store_host_counts v;
	struct rl_cell c;
	char sql[128];
	uint64_t before = 0, after = 0;

	for (uint32_t i = 0; i < 2; i++) {
		make_cell(&c, i);
		OK(rl_store_cell_add(s, r, i, &c, E));
	}
	CHECK(store_test_check_host_cells(s, db_path) >= 2, "fewer than two hosts with cells");
	if (OK(rl_store_host_counts(s, &v, E)) < 0)
		return;
	for (size_t i = 0; i < v.n; i++)
		before += v.hosts[i].cells_ok + v.hosts[i].cells_failed;
	rl_store_host_counts_free(&v);
	snprintf(sql, sizeof(sql), "DELETE FROM cell_summaries WHERE run_id = %lld", (long long)r);
	store_test_raw(db_path, sql, sql);
	if (OK(rl_store_host_counts(s, &v, E)) < 0)
		return;
	for (size_t i = 0; i < v.n; i++)
		after += v.hosts[i].cells_ok + v.hosts[i].cells_failed;
	rl_store_host_counts_free(&v);
	CHECK(before == after, "cells counted from the cell rows: %llu before, %llu after",
	      (unsigned long long)before, (unsigned long long)after);
}

/* Runs keep the machine they ran on: a guest's lab host, set at import or start; listings filter on it. */
static void test_hosts(struct rl_store *s)
{
	struct rl_store_filter f = { .label = "hosts", .host = "hx-b" };
	struct rl_env env;
	int64_t a, g, r, ids[4];
	cJSON *arr = NULL;
	int total = 0, n;

	a = import_on(s, "hx-a", "aaaa", NULL);
	g = import_on(s, "hx-b", "bbbb", "hx-b");
	r = create(s, "seed", "t1", "hosts", NULL);
	make_env(&env);
	snprintf(env.hostname, sizeof(env.hostname), "hx-b");
	snprintf(env.machine_id, sizeof(env.machine_id), "bbbb");
	OK(rl_store_run_start(s, r, &env, NULL, 0, E));

	n = list(s, &f, &total, &arr);
	CHECK(n == 2 && total == 2, "host hx-b: %d runs (total %d), want 2", n, total);
	cJSON_Delete(arr);
	/* Not list(): it checks for newest first, which by_host is not across hosts. */
	f = (struct rl_store_filter){ .label = "hosts", .by_host = true };
	arr = NULL;
	n = OK(rl_store_runs_list(s, &f, &arr, &total, E));
	CHECK(n == 3 && !strcmp(item_str(arr, 0, "host"), "hx-a") &&
	      !strcmp(item_str(arr, 0, "machine_id"), "aaaa") &&
	      !strcmp(item_str(arr, 0, "guest_host"), "(null)") &&
	      !strcmp(item_str(arr, 1, "host"), "hx-b") && !strcmp(item_str(arr, 2, "host"), "hx-b"),
	      "by host: %d runs, first on %s", n, item_str(arr, 0, "host"));
	/* Newest first within a host: the started run was created after the guest's import. */
	CHECK(!strcmp(item_str(arr, 2, "guest_host"), "guest-1") &&
	      !strcmp(item_str(arr, 2, "cpu_model"), "CPU of hx-b"),
	      "guest run: guest_host %s, cpu %s", item_str(arr, 2, "guest_host"),
	      item_str(arr, 2, "cpu_model"));
	cJSON_Delete(arr);

	arr = NULL;
	n = OK(rl_store_runs_hosts(s, &f, &arr, E));
	CHECK(n == 2 && !strcmp(item_str(arr, 0, "host"), "hx-a") &&
	      !strcmp(item_str(arr, 1, "host"), "hx-b") &&
	      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 1), "runs")->valuedouble == 2,
	      "runs by host: %d hosts", n);
	cJSON_Delete(arr);
	n = OK(rl_store_run_ids_host(s, "hosts", NULL, "hx-b", ids, 4, E));
	CHECK(n == 1 && ids[0] == g, "done runs of hx-b: %d", n);
	n = OK(rl_store_run_ids_host(s, "hosts", NULL, NULL, ids, 4, E));
	CHECK(n == 2 && ids[1] == a, "done runs of any host: %d", n);
	check_host_counts(s);
	check_host_cells(s, r);
}

/*
 * A run begun before it was recorded (a guest's) keeps its start; its end
 * written after the fact with the env only the end knows, once: again, the
 * same end is -EEXIST, another is -EINVAL.
 */
static void test_late_start_end(struct rl_store *s)
{
	struct rl_store_run_meta m;
	struct rl_run run;
	struct rl_env env;
	struct rl_err err = { "" };
	int64_t id = create(s, "seed", "t1", "late", NULL);
	char *text;
	cJSON *j;

	make_env(&env);
	OK(rl_store_run_start_at(s, id, &env, NULL, 0, 1000000000, E));
	snprintf(env.uring_opcodes, sizeof(env.uring_opcodes), "WRITE,READ");
	j = rl_env_to_json(&env);
	text = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	OK(rl_store_run_end_json(s, id, RL_RUN_DONE, NULL, 5000000000, text, E));
	if (OK(rl_store_run_get(s, id, &run, &m, E)) >= 0) {
		CHECK(m.status == RL_RUN_DONE && m.started_ns == 1000000000 &&
		      m.finished_ns == 5000000000 && !strcmp(run.env.uring_opcodes, "WRITE,READ"),
		      "late run: %s, started %lld, finished %lld, opcodes \"%s\"",
		      rl_run_status_name(m.status), (long long)m.started_ns, (long long)m.finished_ns,
		      run.env.uring_opcodes);
		rl_run_free(&run);
	}
	CHECK(rl_store_run_end_json(s, id, RL_RUN_DONE, NULL, 5000000000, text, &err) == -EEXIST,
	      "the same end again: %s", err.msg);
	CHECK(rl_store_run_end_json(s, id, RL_RUN_FAILED, "x", 6000000000, NULL, &err) == -EINVAL,
	      "another end of an ended run: %s", err.msg);
	free(text);
}

int main(void)
{
	struct rl_store *s = NULL;
	int64_t life, running = 0, queued = 0;

	umask(022);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/ringlab.db", dir);
	if (OK(store_test_open(db_path, &s, E)) < 0) {
		cleanup();
		return 1;
	}
	if (store_test_pg())
		test_pg_open_errors();
	else
		test_open_errors();
	life = test_life(s);
	test_bad_calls(s);
	test_list(s, life, &running, &queued);
	test_queue(s);
	test_recover(s, life, running, queued);
	test_two_connections(s);
	test_recover_targets(s);
	test_wait(300, 0);
	/* SQLite counts the sleeps it asked for, not the clock: a loaded machine oversleeps. */
	test_wait(RL_STORE_BUSY_TIMEOUT_MS + 3000, -EBUSY);
	if (!store_test_pg())
		test_full(s);
	test_integrity(s);
	test_hosts(s);
	test_late_start_end(s);
	rl_store_close(s);
	cleanup();
	return check_exit();
}
