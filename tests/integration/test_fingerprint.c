/* SPDX-License-Identifier: MIT */
/*
 * The `count` NOWAIT fingerprint of this kernel generation (6.18): aligned
 * writes over [W][U] and unaligned writes over [W][U][U][W] are -EAGAIN every
 * time, pure aligned overwrites never. Skips (77) on other kernels, whose
 * fingerprint differs (DESIGN.md, "What the kernels do").
 */
#include <fnmatch.h>
#include <sys/utsname.h>

#include "../lib/check.h"
#include "../lib/run_helpers.h"

static void expect_rate(const char *dir, const char *name, double want)
{
	struct rl_suite s;
	struct rl_run run;

	if (load_workload(name, &s) < 0) {
		check_failures++;
		return;
	}
	s.workloads[0].eagain_policy = RL_EAGAIN_COUNT;
	s.workloads[0].cache = RL_CACHE_HOT;
	CHECK(run_loaded(&s, dir, 2, &run) == 0, "%s: run failed", name);
	CHECK(run.ncells == 2, "%s: %zu cells", name, run.ncells);
	for (size_t i = 0; i < run.ncells; i++) {
		const struct rl_cell *c = &run.cells[i];

		CHECK(c->attempts == 2000, "%s: %llu attempts", name, (unsigned long long)c->attempts);
		CHECK(c->eagain_rate == want, "%s: EAGAIN rate %.4f, want %.1f (%llu of %llu)", name,
		      c->eagain_rate, want, (unsigned long long)c->eagain,
		      (unsigned long long)c->attempts);
		CHECK(c->ops + c->eagain == c->attempts, "%s: ops %llu + eagain %llu != attempts", name,
		      (unsigned long long)c->ops, (unsigned long long)c->eagain);
		CHECK(c->verify.status == RL_VERIFY_OK, "%s: verify %s: %s", name,
		      rl_verify_status_name(c->verify.status), c->error);
	}
	rl_run_free(&run);
	rl_suite_free(&s);
}

int main(int argc, char **argv)
{
	struct utsname u;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	uname(&u);
	if (fnmatch("6.18*", u.release, 0)) {
		printf("SKIP: kernel %s: the expected fingerprint is known for 6.18\n", u.release);
		return 77;
	}
	expect_rate(argv[1], "nw-mixed-aligned", 1.0);
	expect_rate(argv[1], "nw-mixed-unaligned", 1.0);
	expect_rate(argv[1], "nw-overwrite-aligned", 0.0);
	return check_exit();
}
