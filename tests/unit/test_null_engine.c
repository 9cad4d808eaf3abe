/* SPDX-License-Identifier: MIT */
/* The job loop and runner on the null engine: every planned I/O is issued once, completed and counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runner.h"
#include "engine/suite.h"
#include "../lib/check.h"

static size_t progress_calls, cells_done;

static void on_progress(void *ctx, const struct rl_progress *p)
{
	progress_calls++;
}

static void on_cell(void *ctx, const struct rl_run *run, const struct rl_cell *c)
{
	cells_done++;
}

static void run_one(const char *dir, const char *name, const uint32_t *jobs, uint32_t njobs,
		    uint32_t qd, enum rl_order order)
{
	const char *dirs[] = { dir, NULL };
	struct rl_run_opts o = {
		.engine = &rl_engine_null, .repeat = 2, .scale = 1.0 / 64, .njobs = njobs,
		.hooks = { .progress = on_progress, .cell_done = on_cell },
	};
	struct rl_suite s = { 0 };
	struct rl_run run;
	struct rl_err err = { "" };
	int ret;

	memcpy(o.jobs, jobs, njobs * sizeof(*jobs));
	ret = rl_suite_resolve(name, dirs, &s, &err);
	CHECK(ret == 0, "resolve %s: %s", name, err.msg);
	if (ret)
		return;
	s.workloads[0].queue_depth = qd;
	s.workloads[0].order = order;
	cells_done = 0;
	ret = rl_run_suite(&s, &o, &run, &err);
	CHECK(ret == 0, "run: %s", err.msg);
	CHECK(run.status == RL_RUN_DONE, "status %s: %s", rl_run_status_name(run.status), run.error);
	CHECK(run.ncells == (size_t)njobs * 2, "%zu cells", run.ncells);
	CHECK(cells_done == run.ncells, "cell_done called %zu times", cells_done);
	for (size_t i = 0; i < run.ncells; i++) {
		const struct rl_cell *c = &run.cells[i];
		uint64_t planned = rl_stripes_per_job(&run.workloads[0], run.scale) * c->jobs;

		CHECK(c->attempts == planned, "jobs %u: %llu attempts, planned %llu", c->jobs,
		      (unsigned long long)c->attempts, (unsigned long long)planned);
		CHECK(c->ops == planned, "jobs %u: %llu ops", c->jobs, (unsigned long long)c->ops);
		CHECK(c->bytes == planned * run.workloads[0].io_size, "bytes %llu",
		      (unsigned long long)c->bytes);
		CHECK(c->eagain == 0 && c->retries == 0 && c->nerrors == 0, "no errors expected");
		CHECK(c->iops > 0 && c->elapsed_s > 0, "iops %f elapsed %f", c->iops, c->elapsed_s);
		CHECK(c->lat.p50 <= c->lat.p99 && c->lat.p99 <= c->lat.max, "percentiles out of order");
		CHECK(c->enter_calls > 0 && c->enter_calls <= c->attempts, "enter calls %llu",
		      (unsigned long long)c->enter_calls);
		CHECK(c->verify.status == RL_VERIFY_SKIPPED, "null engine verifies nothing");
		CHECK(!c->failed, "cell failed: %s", c->error);
	}
	rl_run_free(&run);
	rl_suite_free(&s);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	static const uint32_t one[] = { 1 }, sweep[] = { 1, 2, 4 };

	snprintf(dir, sizeof(dir), "%s/workloads", top ? top : ".");
	run_one(dir, "aligned-mixed", sweep, 3, 1, RL_ORDER_SEQUENTIAL);
	run_one(dir, "aligned-mixed", one, 1, 32, RL_ORDER_RANDOM);
	run_one(dir, "unaligned-middle-unwritten", sweep, 3, 7, RL_ORDER_SEQUENTIAL);
	run_one(dir, "nw-mixed-aligned", one, 1, 32, RL_ORDER_SEQUENTIAL);
	CHECK(progress_calls > 0, "no progress reported");
	return check_exit();
}
