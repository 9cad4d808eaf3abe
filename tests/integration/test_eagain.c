/* SPDX-License-Identifier: MIT */
/*
 * EAGAIN accounting that cannot pass by accident, on any kernel: extending
 * NOWAIT writes are -EAGAIN every time; retry-blocking completes every write
 * with one retry per EAGAIN and verifies; bounded retry-nowait gives up after
 * retry_max attempts.
 */
#include "../lib/check.h"
#include "../lib/run_helpers.h"

static void extend_count(const char *dir)
{
	struct rl_suite s;
	struct rl_run run;

	if (load_workload("nw-extend-aligned", &s) < 0) {
		check_failures++;
		return;
	}
	s.workloads[0].eagain_policy = RL_EAGAIN_COUNT;
	CHECK(run_loaded(&s, dir, 2, &run) == 0, "run failed");
	for (size_t i = 0; i < run.ncells; i++) {
		const struct rl_cell *c = &run.cells[i];

		CHECK(c->attempts == 2000, "attempts %llu, want 2000", (unsigned long long)c->attempts);
		CHECK(c->eagain == c->attempts, "eagain %llu of %llu", (unsigned long long)c->eagain,
		      (unsigned long long)c->attempts);
		CHECK(c->eagain_rate == 1.0, "rate %f", c->eagain_rate);
		CHECK(c->ops == 0 && c->retries == 0, "ops %llu retries %llu",
		      (unsigned long long)c->ops, (unsigned long long)c->retries);
		/* Nothing was written, and verification must agree: the file is empty. */
		CHECK(c->verify.status == RL_VERIFY_OK, "verify %s: %s",
		      rl_verify_status_name(c->verify.status), c->error);
		CHECK(c->expect == RL_EXPECT_MET, "expectation %s", rl_expect_status_name(c->expect));
	}
	rl_run_free(&run);
	rl_suite_free(&s);
}

static void extend_retry_blocking(const char *dir)
{
	struct rl_suite s;
	struct rl_run run;

	if (load_workload("nw-extend-unaligned", &s) < 0) {
		check_failures++;
		return;
	}
	s.workloads[0].eagain_policy = RL_EAGAIN_RETRY_BLOCKING;
	s.workloads[0].expect.eagain_rate = -1;
	CHECK(run_loaded(&s, dir, 2, &run) == 0, "run failed");
	CHECK(run.ncells == 2, "%zu cells", run.ncells);
	for (size_t i = 0; i < run.ncells; i++) {
		const struct rl_cell *c = &run.cells[i];

		CHECK(c->ops == c->attempts && c->ops == 2000, "ops %llu attempts %llu",
		      (unsigned long long)c->ops, (unsigned long long)c->attempts);
		CHECK(c->eagain > 0, "extending NOWAIT writes must see EAGAIN");
		CHECK(c->retries == c->eagain, "retries %llu != eagain %llu",
		      (unsigned long long)c->retries, (unsigned long long)c->eagain);
		CHECK(c->bytes == 2000ull * s.workloads[0].io_size, "bytes %llu",
		      (unsigned long long)c->bytes);
		CHECK(c->verify.status == RL_VERIFY_OK && c->verify.bytes_bad == 0,
		      "verify %s, %llu bad bytes", rl_verify_status_name(c->verify.status),
		      (unsigned long long)c->verify.bytes_bad);
		CHECK(!c->failed, "cell failed: %s", c->error);
	}
	rl_run_free(&run);
	rl_suite_free(&s);
}

static void extend_retry_nowait(const char *dir)
{
	struct rl_suite s;
	struct rl_run run;
	struct rl_workload *w;

	if (load_workload("nw-extend-aligned", &s) < 0) {
		check_failures++;
		return;
	}
	w = &s.workloads[0];
	w->eagain_policy = RL_EAGAIN_RETRY_NOWAIT;
	w->retry_max = 3;
	w->retry_backoff_us = 10;
	w->size_per_job = 200ull * rl_workload_stripe_bytes(w);
	w->expect.eagain_rate = -1;
	CHECK(run_loaded(&s, dir, 1, &run) == 0, "run failed");
	for (size_t i = 0; i < run.ncells; i++) {
		const struct rl_cell *c = &run.cells[i];

		/* Every attempt extends: each I/O tries retry_max times and gives up. */
		CHECK(c->attempts == 200 && c->eagain == 200, "attempts %llu eagain %llu",
		      (unsigned long long)c->attempts, (unsigned long long)c->eagain);
		CHECK(c->gave_up == 200, "gave_up %llu", (unsigned long long)c->gave_up);
		CHECK(c->retries == 200 * 2, "retries %llu, want 400", (unsigned long long)c->retries);
		CHECK(c->ops == 0, "ops %llu", (unsigned long long)c->ops);
	}
	rl_run_free(&run);
	rl_suite_free(&s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	extend_count(argv[1]);
	extend_retry_blocking(argv[1]);
	extend_retry_nowait(argv[1]);
	return check_exit();
}
