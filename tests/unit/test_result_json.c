/* SPDX-License-Identifier: MIT */
/* A run with every field set survives to_json -> text -> parse -> from_json unchanged; bad input names the field; n/a cells, the repetitions' summaries (unstable, timing-dependent spread) records written before es_cached_extents; env.vm and the kernel family derived from the command line and the tag, also for runs written before them. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/env.h"
#include "engine/result.h"
#include "engine/result_json.h"
#include "engine/result_text.h"
#include "util/time_fmt.h"
#include "../lib/capture.h"
#include "../lib/check.h"

/* Every numeric field gets its own value, so a field written under another's name is caught. */
static uint64_t seq = 1000;

static uint64_t u(void)
{
	return seq += 7919;
}

/* Exactly representable doubles (a quarter), distinct like the integers. */
static double d(void)
{
	return (double)u() + 0.25;
}

static void fill_latency(struct rl_latency *l)
{
	l->valid = true;
	l->p50 = u();
	l->p90 = u();
	l->p99 = u();
	l->p999 = u();
	l->max = u();
	l->mean = u();
}

static void fill_es(struct rl_es_stats *s)
{
	s->valid = true;
	s->objects = u();
	s->reclaimable = u();
	s->hits = u();
	s->misses = u();
}

static void fill_disk(struct rl_disk_stats *s)
{
	s->valid = true;
	s->rd_ios = u();
	s->rd_merges = u();
	s->rd_sectors = u();
	s->rd_ticks_ms = u();
	s->wr_ios = u();
	s->wr_merges = u();
	s->wr_sectors = u();
	s->wr_ticks_ms = u();
	s->in_flight = u();
	s->io_ticks_ms = u();
	s->time_in_queue_ms = u();
}

static void fill_mismatch(struct rl_mismatch *m, bool zeros)
{
	int i;

	m->offset = u();
	m->length = u();
	m->bytes_bad = u();
	m->first_bad = u();
	for (i = 0; i < 8; i++) {
		m->expected[i] = (uint8_t)(0xa0 + i + seq);
		m->found[i] = zeros ? 0 : (uint8_t)(0x0f + 16 * i);
	}
	m->zeros = zeros;
	m->found_as.kind = zeros ? RL_FOUND_LAYOUT_LOST : RL_FOUND_REFUSED_WRITE;
	m->found_as.gen = zeros ? 0 : (uint32_t)(u() % 65535);
	m->found_as.offset = zeros ? 0 : u();
}

static void fill_cell(struct rl_cell *c, int which)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), "aligned-mixed");
	/* In the sample run's sweep (JOBS 4, 12; 5 repetitions), unlike its other numbers. */
	c->jobs = which ? 12 : 4;
	c->rep = 3 + (uint32_t)which;
	c->attempts = 8 * u();
	c->ops = u();
	c->bytes = u();
	c->eagain = c->attempts / 8 * 3;	/* eagain_rate 0.375 below */
	c->retries = u();
	c->gave_up = u();
	c->short_ios = u();
	c->nerrors = 2;
	c->errors[0].err = EAGAIN;
	c->errors[0].count = u();
	c->errors[1].err = EIO;
	c->errors[1].count = u();
	c->elapsed_s = d();
	c->iops = d();
	c->bw_bytes_s = d();
	c->eagain_rate = 0.375;
	fill_latency(&c->lat);
	c->enter_calls = u();
	c->enter_ns = u();
	fill_latency(&c->enter);
	c->cpu_user_s = d();
	c->cpu_sys_s = d();
	c->ctx_voluntary = u();
	c->ctx_involuntary = u();
	c->iowq_workers_max = (uint32_t)u();
	fill_es(&c->es_before);
	fill_disk(&c->disk_after);
	if (which == 0) {
		fill_es(&c->es_after);		/* cell 1 keeps es_after and disk_before invalid: null */
		fill_disk(&c->disk_before);
	}
	c->layout_extents = (uint32_t)u();
	c->layout_s = d();
	/* Consistent, as a reader checks: bad within checked, "ok" with nothing bad. */
	c->verify.status = which ? RL_VERIFY_FAILED : RL_VERIFY_OK;
	c->verify.bytes_bad = which ? u() : 0;
	c->verify.bytes_checked = c->verify.bytes_bad + u();
	c->verify.bytes_skipped = u();
	c->verify.ranges_total = which ? u() : 0;
	if (which) {
		c->verify.nranges = 2;
		fill_mismatch(&c->verify.ranges[0], false);
		fill_mismatch(&c->verify.ranges[1], true);
		c->verify.found_blocks.valid = true;
		c->verify.found_blocks.n[RL_FOUND_REFUSED_WRITE] = u();
		c->verify.found_blocks.n[RL_FOUND_LAYOUT_LOST] = u();
	}
	c->expect = which ? RL_EXPECT_UNMET : RL_EXPECT_MET;
	c->failed = which;
	snprintf(c->error, sizeof(c->error), "%s", which ? "verification failed: 2 ranges" : "");
}

static void fill_env(struct rl_env *e)
{
#define S(f, v) snprintf(e->f, sizeof(e->f), "%s", v)
	S(kernel_release, "7.3.4-amd64");
	S(kernel_version, "#1 SMP PREEMPT_DYNAMIC Debian 7.3.4-1");
	S(cmdline, "root=/dev/vda console=ttyS0 \"quoted\" back\\slash ringlab.variant=fam:v3 "
	  "ringlab.accel=tcg ringlab.tcg_thread=multi ringlab.vcpus=4 ringlab.cpu=max");
	S(hostname, "lab-7");
	S(machine, "x86_64");
	S(ringlab_version, "0.1.0");
	S(dir, "/mnt/scratch dir/ringlab");
	S(fs_type, "ext4");
	S(mount_source, "/dev/loop3");
	S(mount_options, "rw,relatime,data=ordered");
	S(device, "loop3");
	S(device_model, "loop");
	S(backing_file, "/var/lib/ringlab/scratch.img");
	S(scheduler, "mq-deadline");
	S(uring_setup, "SINGLE_ISSUER,DEFER_TASKRUN");
	S(uring_features, "NODROP,SUBMIT_STABLE");
	S(uring_opcodes, "WRITE_FIXED,READ_FIXED");
	S(label, "nightly \u00e9t\u00e9");
	S(kernel_tag, "fam:v3");
#undef S
	e->cpus = (uint32_t)u();
	e->fs_block_size = (uint32_t)u();
	e->rotational = true;
	e->logical_block_size = (uint32_t)u();
	e->uring_setup_flags = (uint32_t)u();
	rl_env_derive(e);
}

static void fill_run(struct rl_run *run)
{
	struct rl_cell c;

	memset(run, 0, sizeof(*run));
	snprintf(run->suite, sizeof(run->suite), "seed");
	run->scale = 0.125;
	run->status = RL_RUN_FAILED;
	snprintf(run->error, sizeof(run->error), "1 cell failed verification");
	/* Beyond 2^53: only exact because the ISO string carries the nanoseconds. */
	run->started_ns = 1782345678123456789LL;
	run->finished_ns = 1782345699000000001LL;
	fill_env(&run->env);
	run->workloads = calloc(1, sizeof(*run->workloads));
	if (!run->workloads)
		exit(1);
	rl_workload_defaults(&run->workloads[0]);
	/* The seed suite's Test 1 shape, which the parser accepts and the table title shows. */
	snprintf(run->workloads[0].name, sizeof(run->workloads[0].name), "aligned-mixed");
	snprintf(run->workloads[0].stripe, sizeof(run->workloads[0].stripe), "WU");
	run->workloads[0].op = RL_OP_WRITE;
	run->workloads[0].block_size = 4096;
	run->workloads[0].io_size = 8192;
	run->workloads[0].io_offset = 0;
	run->workloads[0].nowait = true;
	run->workloads[0].jobs[0] = 4;
	run->workloads[0].jobs[1] = 12;
	run->workloads[0].njobs = 2;
	run->workloads[0].repetitions = 5;
	run->nworkloads = 1;
	fill_cell(&c, 0);
	if (rl_run_add_cell(run, &c))
		exit(1);
	fill_cell(&c, 1);
	if (rl_run_add_cell(run, &c))
		exit(1);
}

#define SAME(a, b, f, what, i)								\
	CHECK(memcmp(&(a)->f, &(b)->f, sizeof((a)->f)) == 0, "%s[%zu].%s differs after the round trip", \
	      what, (size_t)(i), #f)

static void compare_cells(const struct rl_cell *a, const struct rl_cell *b, size_t i)
{
	SAME(a, b, workload, "cells", i);
	SAME(a, b, jobs, "cells", i);
	SAME(a, b, rep, "cells", i);
	SAME(a, b, attempts, "cells", i);
	SAME(a, b, ops, "cells", i);
	SAME(a, b, bytes, "cells", i);
	SAME(a, b, eagain, "cells", i);
	SAME(a, b, retries, "cells", i);
	SAME(a, b, gave_up, "cells", i);
	SAME(a, b, short_ios, "cells", i);
	SAME(a, b, nerrors, "cells", i);
	SAME(a, b, errors, "cells", i);
	SAME(a, b, elapsed_s, "cells", i);
	SAME(a, b, iops, "cells", i);
	SAME(a, b, bw_bytes_s, "cells", i);
	SAME(a, b, eagain_rate, "cells", i);
	SAME(a, b, lat, "cells", i);
	SAME(a, b, enter_calls, "cells", i);
	SAME(a, b, enter_ns, "cells", i);
	SAME(a, b, enter, "cells", i);
	SAME(a, b, cpu_user_s, "cells", i);
	SAME(a, b, cpu_sys_s, "cells", i);
	SAME(a, b, ctx_voluntary, "cells", i);
	SAME(a, b, ctx_involuntary, "cells", i);
	SAME(a, b, iowq_workers_max, "cells", i);
	SAME(a, b, es_before, "cells", i);
	SAME(a, b, es_after, "cells", i);
	SAME(a, b, disk_before, "cells", i);
	SAME(a, b, disk_after, "cells", i);
	SAME(a, b, layout_extents, "cells", i);
	SAME(a, b, layout_s, "cells", i);
	SAME(a, b, verify.status, "cells", i);
	SAME(a, b, verify.bytes_checked, "cells", i);
	SAME(a, b, verify.bytes_bad, "cells", i);
	SAME(a, b, verify.bytes_skipped, "cells", i);
	SAME(a, b, verify.ranges_total, "cells", i);
	SAME(a, b, verify.nranges, "cells", i);
	SAME(a, b, verify.ranges, "cells", i);
	SAME(a, b, expect, "cells", i);
	SAME(a, b, failed, "cells", i);
	SAME(a, b, error, "cells", i);
	CHECK(memcmp(a, b, sizeof(*a)) == 0, "cells[%zu] differ as a whole", i);
}

static void compare_env(const struct rl_env *a, const struct rl_env *b)
{
	SAME(a, b, kernel_release, "env", 0);
	SAME(a, b, kernel_version, "env", 0);
	SAME(a, b, cmdline, "env", 0);
	SAME(a, b, hostname, "env", 0);
	SAME(a, b, machine, "env", 0);
	SAME(a, b, cpus, "env", 0);
	SAME(a, b, ringlab_version, "env", 0);
	SAME(a, b, dir, "env", 0);
	SAME(a, b, fs_type, "env", 0);
	SAME(a, b, mount_source, "env", 0);
	SAME(a, b, mount_options, "env", 0);
	SAME(a, b, fs_block_size, "env", 0);
	SAME(a, b, device, "env", 0);
	SAME(a, b, device_model, "env", 0);
	SAME(a, b, backing_file, "env", 0);
	SAME(a, b, rotational, "env", 0);
	SAME(a, b, scheduler, "env", 0);
	SAME(a, b, logical_block_size, "env", 0);
	SAME(a, b, uring_setup_flags, "env", 0);
	SAME(a, b, uring_setup, "env", 0);
	SAME(a, b, uring_features, "env", 0);
	SAME(a, b, uring_opcodes, "env", 0);
	SAME(a, b, label, "env", 0);
	SAME(a, b, kernel_tag, "env", 0);
	SAME(a, b, kernel_family, "env", 0);
	SAME(a, b, kernel_family_version, "env", 0);
	SAME(a, b, vm, "env", 0);
	CHECK(memcmp(a, b, sizeof(*a)) == 0, "env differs as a whole");
}

static void compare_runs(const struct rl_run *a, const struct rl_run *b)
{
	size_t i;

	SAME(a, b, suite, "run", 0);
	SAME(a, b, scale, "run", 0);
	SAME(a, b, status, "run", 0);
	SAME(a, b, error, "run", 0);
	SAME(a, b, started_ns, "run", 0);
	SAME(a, b, finished_ns, "run", 0);
	compare_env(&a->env, &b->env);
	CHECK(a->nworkloads == b->nworkloads, "nworkloads %zu != %zu", a->nworkloads, b->nworkloads);
	for (i = 0; i < a->nworkloads && i < b->nworkloads; i++)
		CHECK(memcmp(&a->workloads[i], &b->workloads[i], sizeof(a->workloads[i])) == 0,
		      "workloads[%zu] differs", i);
	CHECK(a->ncells == b->ncells, "ncells %zu != %zu", a->ncells, b->ncells);
	for (i = 0; i < a->ncells && i < b->ncells; i++)
		compare_cells(&a->cells[i], &b->cells[i], i);
}

static const cJSON *at(const cJSON *j, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(j, key);
}

/* The JSON's shape, as scripts and the dashboard will read it. */
static void check_shape(const cJSON *j)
{
	const cJSON *c0 = cJSON_GetArrayItem(at(j, "cells"), 0);
	const cJSON *c1 = cJSON_GetArrayItem(at(j, "cells"), 1);
	const cJSON *e0 = cJSON_GetArrayItem(at(c0, "errors"), 0);
	const cJSON *r1 = cJSON_GetArrayItem(at(at(c1, "verify"), "ranges"), 1);
	const char *started = cJSON_GetStringValue(at(j, "started"));

	CHECK(strcmp(cJSON_GetStringValue(at(j, "format")) ?: "", "ringlab-run-1") == 0, "format");
	CHECK(strcmp(cJSON_GetStringValue(at(j, "status")) ?: "", "failed") == 0, "status by name");
	CHECK(started && strcmp(started, "2026-06-25T00:01:18.123456789Z") == 0,
	      "started is ISO 8601 UTC with ns, got %s", started ? started : "(null)");
	CHECK(cJSON_IsNumber(at(j, "started_ns")), "started_ns is a number");
	CHECK(cJSON_IsNumber(at(at(c0, "lat_ns"), "p99")), "cells[0].lat_ns.p99 is a number");
	CHECK(cJSON_IsObject(at(c0, "enter_lat_ns")), "enter_lat_ns");
	CHECK(cJSON_IsNumber(at(c0, "enter_ns")) && cJSON_IsNumber(at(c0, "bw_bytes_s")) &&
	      cJSON_IsNumber(at(c0, "elapsed_s")), "unit-suffixed names");
	CHECK(e0 && cJSON_GetNumberValue(at(e0, "errno")) == EAGAIN &&
	      strcmp(cJSON_GetStringValue(at(e0, "name")) ?: "", "EAGAIN") == 0,
	      "errors[0] is {errno: 11, name: EAGAIN}");
	CHECK(cJSON_IsNull(at(c1, "es_after")) && cJSON_IsNull(at(c1, "disk_before")),
	      "invalid samples are null");
	CHECK(cJSON_IsObject(at(c1, "es_before")), "valid samples are objects");
	CHECK(r1 && strcmp(cJSON_GetStringValue(at(r1, "found")) ?: "", "0000000000000000") == 0 &&
	      cJSON_IsTrue(at(r1, "zeros")), "mismatch found bytes as hex, zeros flag");
	CHECK(strcmp(cJSON_GetStringValue(at(r1, "found_as")) ?: "", "layout_lost") == 0 &&
	      cJSON_IsNumber(at(at(at(c1, "verify"), "found_blocks"), "refused_write")) &&
	      cJSON_IsNull(at(at(c0, "verify"), "found_blocks")),
	      "what a bad block holds, by name; the blocks counted by kind, null when none");
	CHECK(strcmp(cJSON_GetStringValue(at(c1, "expect")) ?: "", "unmet") == 0, "expect by name");
	CHECK(strcmp(cJSON_GetStringValue(at(at(c1, "verify"), "status")) ?: "", "failed") == 0,
	      "verify.status by name");
	CHECK(cJSON_IsArray(at(j, "workloads")) && cJSON_GetArraySize(at(j, "workloads")) == 1,
	      "workloads array");
}

typedef void (*mutate_fn)(cJSON *j);

static double num_of_json(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *get(cJSON *j, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(j, key);
}

static cJSON *cell_at(cJSON *j, int i)
{
	return cJSON_GetArrayItem(get(j, "cells"), i);
}

static cJSON *get_cell_copy(cJSON *j, int i)
{
	return cJSON_Duplicate(cell_at(j, i), 1);
}

static void m_p99_string(cJSON *j)
{
	cJSON_ReplaceItemInObject(get(cell_at(j, 1), "lat_ns"), "p99", cJSON_CreateString("fast"));
}

static void m_no_error(cJSON *j)
{
	cJSON_DeleteItemFromObject(cell_at(j, 0), "error");
}

static void m_format(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "format", cJSON_CreateString("ringlab-run-2"));
}

static void m_status(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString("finished"));
}

static void m_hex(cJSON *j)
{
	cJSON *r = cJSON_GetArrayItem(get(get(cell_at(j, 1), "verify"), "ranges"), 1);

	cJSON_ReplaceItemInObject(r, "found", cJSON_CreateString("00000000000000zz"));
}

static void m_cpus(cJSON *j)
{
	cJSON_ReplaceItemInObject(get(j, "env"), "cpus",
				  cJSON_CreateNumber(-1));
}

static void m_jobs(cJSON *j)
{
	cJSON_ReplaceItemInObject(cell_at(j, 0), "jobs", cJSON_CreateNumber(1.5));
}

static void m_errors(cJSON *j)
{
	cJSON *errs = get(cell_at(j, 0), "errors");
	int i;

	for (i = 0; i < 7; i++)
		cJSON_AddItemToArray(errs, cJSON_Duplicate(cJSON_GetArrayItem(errs, 0), 1));
}

static void m_started(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "started", cJSON_CreateString("yesterday"));
}

static void m_es(cJSON *j)
{
	cJSON_ReplaceItemInObject(cell_at(j, 0), "es_before", cJSON_CreateNumber(3));
}

static void m_label(cJSON *j)
{
	char big[200];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cJSON_ReplaceItemInObject(get(j, "env"), "label",
				  cJSON_CreateString(big));
}

static void m_cells(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "cells", cJSON_CreateObject());
}

/* Contradictions: each field fits its type, the run as a whole is impossible. */
static void set_num(cJSON *o, const char *key, double v)
{
	cJSON_ReplaceItemInObject(o, key, cJSON_CreateNumber(v));
}

static void m_ok_bad(cJSON *j)
{
	set_num(get(cell_at(j, 0), "verify"), "bytes_bad", 1e9);
}

static void m_ok_some_bad(cJSON *j)
{
	set_num(get(cell_at(j, 0), "verify"), "bytes_bad", 5);
}

static void m_done_all_failed(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString("done"));
	cJSON_ReplaceItemInObject(cell_at(j, 0), "failed", cJSON_CreateTrue());
}

static void m_jobs0(cJSON *j)
{
	set_num(cell_at(j, 1), "jobs", 0);
}

static void m_rep0(cJSON *j)
{
	set_num(cell_at(j, 0), "rep", 0);
}

static void m_rate(cJSON *j)
{
	set_num(cell_at(j, 0), "eagain_rate", 7.5);
}

static void m_iops(cJSON *j)
{
	set_num(cell_at(j, 1), "iops", -120);
}

static void m_unlisted(cJSON *j)
{
	cJSON_ReplaceItemInObject(cell_at(j, 1), "workload", cJSON_CreateString("not-in-the-run"));
}

static void m_kept_ranges(cJSON *j)
{
	set_num(get(cell_at(j, 1), "verify"), "ranges_total", 1);
}

static void m_feb30(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "finished", cJSON_CreateString("2026-02-30T10:00:00Z"));
}

static void m_hour24(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "started", cJSON_CreateString("2026-06-25T24:00:00Z"));
}

static void m_year2300(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "started", cJSON_CreateString("2300-01-01T00:00:00Z"));
}

/* A row with no fn sets numbers of a cell: @key (and @key2 when given) of cells[@cell]. */
static const struct {
	mutate_fn fn;
	const char *message;
	int cell;
	const char *key, *key2;
	double value, value2;
} malformed[] = {
	{ .fn = m_p99_string, .message = "cells[1].lat_ns.p99: expected a number" },
	{ .fn = m_no_error, .message = "cells[0].error: missing" },
	{ .fn = m_format, .message = "format: expected \"ringlab-run-1\"" },
	{ .fn = m_status, .message = "status: unknown value \"finished\"" },
	{ .fn = m_hex, .message = "cells[1].verify.ranges[1].found: expected 16 hex digits" },
	{ .fn = m_cpus, .message = "env.cpus: expected an integer" },
	{ .fn = m_jobs, .message = "cells[0].jobs: expected an integer" },
	{ .fn = m_errors, .message = "cells[0].errors: more than 8 entries" },
	{ .fn = m_started, .message = "started: expected an ISO 8601" },
	{ .fn = m_es, .message = "cells[0].es_before: expected an object" },
	{ .fn = m_label, .message = "env.label: longer than 127 bytes" },
	{ .fn = m_cells, .message = "cells: expected an array" },
	{ .fn = m_ok_bad, .message = "cells[0].verify.bytes_bad: 1000000000 is more than bytes_checked" },
	{ .fn = m_ok_some_bad, .message = "cells[0].verify.status: \"ok\" with 5 bad bytes" },
	{ .fn = m_done_all_failed, .message = "status: \"done\" but all 2 cells failed" },
	{ .fn = m_jobs0, .message = "cells[1].jobs: 0 is below its minimum 1" },
	{ .fn = m_rep0, .message = "cells[0].rep: 0 is below its minimum 1" },
	{ .fn = m_rate, .message = "cells[0].eagain_rate: 7.5 is above its maximum 1" },
	{ .fn = m_iops, .message = "cells[1].iops: -120 is below its minimum 0" },
	{ .message = "first attempts", .cell = 1, .key = "eagain", .value = 1e15 },
	{ .message = "cells[1].jobs: 8 is not in the JOBS sweep of workload aligned-mixed", .cell = 1,
	  .key = "jobs", .value = 8 },
	{ .message = "cells[0].rep: 6 is past the 5 repetitions of workload aligned-mixed", .cell = 0,
	  .key = "rep", .value = 6 },
	{ .message = "cells[1]: workload aligned-mixed, jobs 4, rep 3 again (cells[0] has it)",
	  .cell = 1, .key = "jobs", .value = 4, .key2 = "rep", .value2 = 3 },
	{ .fn = m_unlisted, .message = "cells[1].workload: \"not-in-the-run\" is not one of the run's workloads" },
	{ .fn = m_kept_ranges, .message = "cells[1].verify.ranges: 2 kept of only 1" },
	{ .fn = m_feb30, .message = "finished: \"2026-02-30T10:00:00Z\" is no real date and time" },
	{ .fn = m_hour24, .message = "started: \"2026-06-25T24:00:00Z\" is no real date and time" },
	{ .fn = m_year2300, .message = "started: \"2300-01-01T00:00:00Z\" is outside 1677-09-21..2262-04-11" },
};

static void check_malformed(const char *text)
{
	struct rl_err err;
	struct rl_run run;
	size_t i;
	cJSON *j;
	int ret;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		j = cJSON_Parse(text);
		if (!j) {
			CHECK(0, "re-parse failed");
			return;
		}
		if (malformed[i].fn)
			malformed[i].fn(j);
		else
			set_num(cell_at(j, malformed[i].cell), malformed[i].key, malformed[i].value);
		if (malformed[i].key2)
			set_num(cell_at(j, malformed[i].cell), malformed[i].key2, malformed[i].value2);
		memset(&err, 0, sizeof(err));
		ret = rl_run_from_json(j, &run, &err);
		CHECK(ret == -EINVAL, "malformed %zu: returned %d, want -EINVAL", i, ret);
		CHECK(strstr(err.msg, malformed[i].message) != NULL,
		      "malformed %zu: message \"%s\" does not contain \"%s\"", i, err.msg,
		      malformed[i].message);
		CHECK(run.cells == NULL && run.workloads == NULL && run.ncells == 0,
		      "malformed %zu: run left allocated", i);
		cJSON_Delete(j);
	}
}

/* NaN and infinities are not JSON: they travel as null and come back as NaN. */
static void check_non_finite(void)
{
	struct rl_cell c, back;
	struct rl_err err;
	cJSON *j;

	fill_cell(&c, 0);
	c.iops = NAN;
	c.elapsed_s = INFINITY;
	j = rl_cell_to_json(&c);
	CHECK(j && cJSON_IsNull(at(j, "iops")), "NaN iops written as null");
	CHECK(j && rl_cell_from_json(j, &back, &err) == 0, "cell with null doubles: %s", err.msg);
	CHECK(isnan(back.iops) && isnan(back.elapsed_s), "null doubles read back as NaN");
	CHECK(back.ops == c.ops, "the rest of the cell survives");
	cJSON_Delete(j);
}

/*
 * A run written before ranges were blocks: no bytes_bad or first_bad in its
 * ranges, which then were bad byte for byte. It still reads, as does a
 * stored cell (read as the store's own record) that a checked run refuses.
 */
static void check_old_ranges(const char *text)
{
	struct rl_err err = { "" };
	struct rl_cell c;
	struct rl_run run;
	cJSON *j = cJSON_Parse(text), *r, *cell;

	if (!j) {
		CHECK(0, "re-parse failed");
		return;
	}
	cJSON_ArrayForEach(r, get(get(cell_at(j, 1), "verify"), "ranges")) {
		cJSON_DeleteItemFromObject(r, "bytes_bad");
		cJSON_DeleteItemFromObject(r, "first_bad");
		cJSON_DeleteItemFromObject(r, "found_as");
		cJSON_DeleteItemFromObject(r, "found_gen");
		cJSON_DeleteItemFromObject(r, "found_offset");
	}
	cJSON_DeleteItemFromObject(get(cell_at(j, 1), "verify"), "found_blocks");
	CHECK(rl_run_from_json(j, &run, &err) == 0, "a run with old ranges: %s", err.msg);
	if (!err.msg[0]) {
		const struct rl_mismatch *m = &run.cells[1].verify.ranges[1];

		CHECK(m->bytes_bad == m->length && m->first_bad == m->offset && m->length,
		      "old range read as %" PRIu64 " bad of %" PRIu64 " from %" PRIu64,
		      m->bytes_bad, m->length, m->first_bad);
		CHECK(m->found_as.kind == RL_FOUND_UNCLASSIFIED && !m->found_as.gen &&
		      !run.cells[1].verify.found_blocks.valid &&
		      !run.cells[1].verify.found_blocks.n[RL_FOUND_REFUSED_WRITE],
		      "an old range is unclassified, with no blocks counted");
		rl_run_free(&run);
	}
	cell = get_cell_copy(j, 1);
	set_num(cell, "jobs", 0);
	CHECK(cell && rl_cell_from_json(cell, &c, &err) == 0 && c.jobs == 0 &&
	      c.verify.ranges[0].bytes_bad == c.verify.ranges[0].length,
	      "a stored cell with jobs 0 and old ranges: %s", err.msg);
	cJSON_Delete(cell);
	cJSON_Delete(j);
}

/* ISO times: exact, nothing normalised, the int64 nanosecond range and no further. */
static void check_times(void)
{
	static const struct {
		const char *text;
		int ret;
		int64_t ns;
	} t[] = {
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2024-02-29T12:00:00.5Z", 0, 1709208000500000000LL },
		{ "2262-04-11T23:47:16.854775807Z", 0, INT64_MAX },
		{ "1677-09-21T00:12:43.145224192Z", 0, INT64_MIN },
		{ "1969-12-31T23:59:59.75Z", 0, -250000000 },
		{ "2262-04-11T23:47:16.854775808Z", -ERANGE, 0 },
		{ "1677-09-21T00:12:43.145224191Z", -ERANGE, 0 },
		{ "9999-12-31T23:59:59Z", -ERANGE, 0 },
		{ "2023-02-29T00:00:00Z", -EDOM, 0 },
		{ "2026-04-31T00:00:00Z", -EDOM, 0 },
		{ "2026-13-01T00:00:00Z", -EDOM, 0 },
		{ "2026-00-10T00:00:00Z", -EDOM, 0 },
		{ "2026-06-25T23:60:00Z", -EDOM, 0 },
		{ "2026-06-25T23:59:60Z", -EDOM, 0 },
		{ "2026-6-25T23:59:00Z", -EINVAL, 0 },
		{ "+026-06-25T23:59:00Z", -EINVAL, 0 },
		{ "2026-06-25T23:59:00", -EINVAL, 0 },
		{ "2026-06-25T23:59:00Zjunk", -EINVAL, 0 },
	};
	char buf[RL_TIME_ISO_MAX];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int64_t ns = 42;
		int ret = rl_time_parse_iso(t[i].text, &ns);

		CHECK(ret == t[i].ret && ns == (ret ? 42 : t[i].ns),
		      "%s: %d %lld, want %d %lld", t[i].text, ret, (long long)ns, t[i].ret,
		      (long long)t[i].ns);
		if (!ret && rl_time_iso(ns, buf, sizeof(buf)) > 0)
			CHECK(rl_time_parse_iso(buf, &ns) == 0 && ns == t[i].ns,
			      "%s does not round-trip through %s", t[i].text, buf);
	}
}

/* The text formatter prints what the round trip kept, failures impossible to miss. */
static void check_table(const struct rl_run *run)
{
	struct capture c;
	char *buf;

	if (!capture_open(&c))
		return;
	rl_run_print_table(c.f, run);
	rl_cell_print_line(c.f, &run->cells[1]);
	buf = capture_text(&c);
	CHECK(strstr(buf, "aligned-mixed: write 8192@0 in WU stripes") != NULL, "table title:\n%s", buf);
	CHECK(strstr(buf, "nowait (") != NULL, "nowait shown in the title");
	CHECK(strstr(buf, "%") != NULL, "EAGAIN rate shown for a NOWAIT workload");
	CHECK(strstr(buf, "JOBS") && strstr(buf, "IOPS") && strstr(buf, "EXPECT"), "table columns");
	CHECK(strstr(buf, "UNMET") != NULL, "unmet expectation shown");
	CHECK(strstr(buf, "VERIFICATION FAILED") != NULL, "verification banner");
	CHECK(strstr(buf, "ZEROS") != NULL, "zeroed mismatch flagged");
	CHECK(strstr(buf, "verification failed: 2 ranges") != NULL, "failed cell's error listed");
	CHECK(strstr(buf, "EAGAIN x") != NULL, "errors by name");
	free(buf);
}

/* Three reps of a count cell whose rates are @r (nothing completed when @refused). */
static void add_reps(struct rl_run *run, const char *name, const double *r, bool refused)
{
	struct rl_cell c;

	for (uint32_t i = 0; i < 3; i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.workload, sizeof(c.workload), "%s", name);
		c.jobs = 1;
		c.rep = i + 1;
		c.attempts = 2000;
		c.eagain = (uint64_t)(r[i] * 2000);
		c.eagain_rate = r[i];
		c.ops = refused ? 0 : 2000 - c.eagain;
		c.iops = refused ? NAN : 1000.0 * (i + 1);
		c.bw_bytes_s = refused ? NAN : 8192000.0;
		c.elapsed_s = 1;
		c.lat.valid = !refused;
		c.lat.p99 = refused ? 0 : 5000;
		c.es_cached_extents = refused ? 0 : -1;
		c.verify.status = RL_VERIFY_OK;
		if (rl_run_add_cell(run, &c))
			exit(1);
	}
}

static const cJSON *summary_of(const cJSON *j, const char *name)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "summaries"))
		if (!strcmp(cJSON_GetStringValue(at(s, "workload")) ?: "", name))
			return s;
	return NULL;
}

/* n/a IOPS and latency, unstable and timing-dependent repetitions: in JSON, back, and in the table. */
static void check_repetitions(void)
{
	static const double all[3] = { 1, 1, 1 }, flip[3] = { 1, 0, 1 };
	static const double timed[3] = { 0.40, 0.55, 0.47 };
	struct rl_run run = { .scale = 1 }, back;
	struct rl_err err = { "" };
	const cJSON *s, *c0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	cJSON *j;

	run.workloads = calloc(3, sizeof(*run.workloads));
	if (!run.workloads)
		exit(1);
	for (int i = 0; i < 3; i++) {
		rl_workload_defaults(&run.workloads[i]);
		snprintf(run.workloads[i].name, sizeof(run.workloads[i].name), "%s",
			 i == 0 ? "refused" : i == 1 ? "flip" : "timed");
		run.workloads[i].nowait = true;
		run.workloads[i].eagain_policy = i == 2 ? RL_EAGAIN_RETRY_BLOCKING : RL_EAGAIN_COUNT;
	}
	run.nworkloads = 3;
	add_reps(&run, "refused", all, true);
	add_reps(&run, "flip", flip, false);
	add_reps(&run, "timed", timed, false);
	j = rl_run_to_json(&run);
	c0 = j ? cJSON_GetArrayItem(at(j, "cells"), 0) : NULL;
	CHECK(c0 && cJSON_IsNull(at(c0, "iops")) && cJSON_IsNull(at(c0, "lat_ns")) &&
	      cJSON_IsNull(at(c0, "bw_bytes_s")), "a cell that completed nothing has a number");
	s = j ? summary_of(j, "refused") : NULL;
	CHECK(s && cJSON_IsNull(at(s, "iops_median")) && num_of_json(s, "completed") == 0 &&
	      num_of_json(s, "eagain_rate") == 1.0, "summary of refused reps");
	s = j ? summary_of(j, "flip") : NULL;
	CHECK(s && cJSON_IsTrue(at(s, "unstable")) && cJSON_IsNull(at(s, "eagain_rate")) &&
	      num_of_json(s, "eagain_rate_min") == 0 && num_of_json(s, "eagain_rate_max") == 1,
	      "100/0/100%% is not unstable, or pooled into a rate");
	s = j ? summary_of(j, "timed") : NULL;
	CHECK(s && !cJSON_IsTrue(at(s, "unstable")) && cJSON_IsTrue(at(s, "timing_dependent")) &&
	      fabs(num_of_json(s, "eagain_rate_max") - 0.55) < 1e-9 &&
	      num_of_json(s, "eagain_rate_sd") > 0.05, "retry-blocking spread");
	/* A cell written before es_cached_extents existed reads as "not known". */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(at(j, "cells"), 3),
						"es_cached_extents");
	CHECK(j && rl_run_from_json(j, &back, &err) == 0, "read back: %s", err.msg);
	if (back.cells) {
		CHECK(back.cells[0].es_cached_extents == 0 && back.cells[3].es_cached_extents == -1,
		      "es_cached_extents %d, %d", back.cells[0].es_cached_extents,
		      back.cells[3].es_cached_extents);
		CHECK(!back.cells[0].lat.valid && back.cells[3].lat.valid && isnan(back.cells[0].iops),
		      "n/a latency or IOPS not read back");
		f = open_memstream(&buf, &len);
		if (f) {
			rl_run_print_table(f, &back);
			rl_cell_print_line(f, &back.cells[0]);
			fclose(f);
		}
		CHECK(buf && strstr(buf, "\n   1         n/a       n/a  100.0%  "), "n/a row:\n%s", buf);
		CHECK(buf && strstr(buf, "0-100% unstable"), "unstable row:\n%s", buf);
		CHECK(buf && !strstr(buf, "66.7"), "unstable pooled:\n%s", buf);
		CHECK(buf && strstr(buf, "40.0-55.0%"), "timing spread:\n%s", buf);
		CHECK(buf && strstr(buf, "nothing completed (IOPS, latency n/a)") &&
		      strstr(buf, "0 extents cached at start"), "cell line:\n%s", buf);
		free(buf);
		rl_run_free(&back);
	}
	cJSON_Delete(j);
	rl_run_free(&run);
}

static void check_tag(const char *tag, const char *family, const char *version)
{
	struct rl_env e = { 0 };

	snprintf(e.kernel_tag, sizeof(e.kernel_tag), "%s", tag);
	rl_env_derive(&e);
	CHECK(!strcmp(e.kernel_family, family) && !strcmp(e.kernel_family_version, version),
	      "tag '%s': family '%s' version '%s', want '%s' '%s'", tag, e.kernel_family,
	      e.kernel_family_version, family, version);
}

/* env.vm and env.kernel_family*: written, and derived again for a run that lacks them. */
static void check_env_derive(const struct rl_run *run)
{
	const struct rl_env_vm *vm = &run->env.vm;
	struct rl_err err = { "" };
	cJSON *j = rl_run_to_json(run), *env = j ? cJSON_GetObjectItemCaseSensitive(j, "env") : NULL;
	const cJSON *jvm = at(env, "vm");
	struct rl_run back;

	CHECK(vm->valid && !strcmp(vm->variant, "fam:v3") && !strcmp(vm->accel, "tcg") &&
	      !strcmp(vm->tcg_thread, "multi") && vm->vcpus == 4 && !strcmp(vm->cpu, "max"),
	      "vm from the command line: %d %s %s %s %u %s", vm->valid, vm->variant, vm->accel,
	      vm->tcg_thread, vm->vcpus, vm->cpu);
	CHECK(jvm && num_of_json(jvm, "vcpus") == 4 &&
	      !strcmp(cJSON_GetStringValue(at(jvm, "accel")) ?: "", "tcg") &&
	      !strcmp(cJSON_GetStringValue(at(env, "kernel_family")) ?: "", "fam") &&
	      !strcmp(cJSON_GetStringValue(at(env, "kernel_family_version")) ?: "", "v3"),
	      "env.vm and env.kernel_family written");
	/* A run written before them, imported under another tag: derived from what it has. */
	cJSON_DeleteItemFromObjectCaseSensitive(env, "vm");
	cJSON_DeleteItemFromObjectCaseSensitive(env, "kernel_family");
	cJSON_DeleteItemFromObjectCaseSensitive(env, "kernel_family_version");
	cJSON_ReplaceItemInObjectCaseSensitive(env, "kernel_tag", cJSON_CreateString("other:base"));
	CHECK(j && rl_run_from_json(j, &back, &err) == 0, "an old run reads: %s", err.msg);
	if (back.cells) {
		CHECK(back.env.vm.valid && back.env.vm.vcpus == 4 &&
		      !strcmp(back.env.kernel_family, "other") &&
		      !strcmp(back.env.kernel_family_version, "base"), "derived on reading: %s %s",
		      back.env.kernel_family, back.env.kernel_family_version);
		rl_run_free(&back);
	}
	cJSON_Delete(j);
	check_tag("series-v3", "", "");
	check_tag("a:b:c", "", "");
	check_tag(":v3", "", "");
	check_tag("fam:", "", "");
	check_tag("fam:v 3", "", "");
	check_tag("ext4-dio-shared-rwsem:v3", "ext4-dio-shared-rwsem", "v3");
}

/* A host's command line: no VM, written as null; stray ringlab.* switches do not make one. */
static void check_no_vm(void)
{
	struct rl_env e = { 0 };
	cJSON *j;

	snprintf(e.cmdline, sizeof(e.cmdline), "root=/dev/sda1 ringlab.panic=1 xringlab.vcpus=3 ro");
	rl_env_derive(&e);
	CHECK(!e.vm.valid, "no VM on a host command line");
	j = rl_env_to_json(&e);
	CHECK(j && cJSON_IsNull(at(j, "vm")), "no VM is null");
	cJSON_Delete(j);
	snprintf(e.cmdline, sizeof(e.cmdline), "ringlab.accel=kvm ringlab.vcpus=8x");
	rl_env_derive(&e);
	CHECK(e.vm.valid && !strcmp(e.vm.accel, "kvm") && e.vm.vcpus == 0 && !e.vm.tcg_thread[0],
	      "kvm, a bad vcpus word ignored: %u", e.vm.vcpus);
}

/*
 * A record's keys in any order read the same, and of a key given twice the
 * first counts (rows are matched to members in one pass, not looked up).
 */
static void check_key_order(const struct rl_run *run)
{
	const struct rl_cell *c = &run->cells[0];
	cJSON *j = rl_cell_to_json(c), *rev = cJSON_CreateObject(), *m;
	struct rl_err err = { "" };
	struct rl_cell back;

	/* Reversed: each member taken from the end of the original and added to the copy. */
	while (j && (m = cJSON_DetachItemViaPointer(j, cJSON_GetArrayItem(j, cJSON_GetArraySize(j) - 1))))
		cJSON_AddItemToObject(rev, m->string, m);
	CHECK(rl_cell_from_json(rev, &back, &err) == 0, "reversed cell: %s", err.msg);
	compare_cells(c, &back, 0);
	/* A second "jobs" after the first, and an annotation: the first jobs counts. */
	cJSON_AddNumberToObject(rev, "jobs", c->jobs + 1.0);
	cJSON_AddStringToObject(rev, "note", "annotation");
	CHECK(rl_cell_from_json(rev, &back, &err) == 0 && back.jobs == c->jobs,
	      "the first of two jobs keys: %u, want %u (%s)", back.jobs, c->jobs, err.msg);
	/* One more given first: that one is read (cJSON frees a member's name with free()). */
	m = cJSON_CreateNumber(c->jobs + 2.0);
	m->string = strdup("jobs");
	cJSON_InsertItemInArray(rev, 0, m);
	CHECK(rl_cell_from_json(rev, &back, &err) == 0 && back.jobs == c->jobs + 2,
	      "the first of three jobs keys: %u, want %u (%s)", back.jobs, c->jobs + 2, err.msg);
	cJSON_Delete(j);
	cJSON_Delete(rev);
}

int main(void)
{
	struct rl_run run, back;
	struct rl_err err = { "" };
	char *text;
	cJSON *j, *parsed;
	int ret;

	fill_run(&run);
	j = rl_run_to_json(&run);
	if (!j) {
		fprintf(stderr, "FAIL: rl_run_to_json returned NULL\n");
		return 1;
	}
	text = cJSON_Print(j);
	cJSON_Delete(j);
	parsed = text ? cJSON_Parse(text) : NULL;
	if (!parsed) {
		fprintf(stderr, "FAIL: printed JSON does not parse\n");
		return 1;
	}
	check_shape(parsed);
	ret = rl_run_from_json(parsed, &back, &err);
	CHECK(ret == 0, "rl_run_from_json: %d %s", ret, err.msg);
	if (ret == 0) {
		compare_runs(&run, &back);
		check_table(&back);
		rl_run_free(&back);
		CHECK(back.cells == NULL && back.ncells == 0, "rl_run_free zeroes the run");
	}
	cJSON_Delete(parsed);
	check_malformed(text);
	check_old_ranges(text);
	check_times();
	check_non_finite();
	check_repetitions();
	check_env_derive(&run);
	check_no_vm();
	check_key_order(&run);
	free(text);
	rl_run_free(&run);
	return check_exit();
}
