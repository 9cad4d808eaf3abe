/* SPDX-License-Identifier: MIT */
/*
 * vm-run.sh's command line (rl_vm_cmd()): a suite that traces EAGAIN causes
 * runs its guest under single-threaded TCG, whatever RINGLAB_VM_TCG_THREAD
 * says; any other keeps multi-threaded TCG (or RINGLAB_VM_TCG_THREAD); the
 * guest's ringlab and the options around it stay as they were; a suite that
 * does not exist is refused by name before anything starts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "nightly/nightly.h"

/* The argument after @word in @c's argv, or NULL. */
static const char *after(const struct rl_vm_cmd *c, const char *word)
{
	for (int i = 0; c->argv[i]; i++)
		if (!strcmp(c->argv[i], word))
			return c->argv[i + 1];
	return NULL;
}

/* The --tcg-thread vm-run.sh gets for @suite ("" when none, "ERROR" when refused). */
static const char *thread_for(const char *suite, struct rl_vm_cmd *c)
{
	struct rl_vm_run r = { .kernel_patches_dir = "/kp", .variant = "base", .suite = suite,
			       .out = "/tmp/out.json", .ringlab = "/guest/ringlab" };
	struct rl_err err = { "" };
	const char *t;

	if (rl_vm_cmd(&r, c, &err) < 0) {
		fprintf(stderr, "%s: %s\n", suite, err.msg);
		return "ERROR";
	}
	t = after(c, "--tcg-thread");
	return t ? t : "";
}

int main(void)
{
	struct rl_vm_run r = { .kernel_patches_dir = "/kp", .variant = "v3", .suite = "seed",
			       .out = "/o/run.json", .timeout_s = 900, .cache_dir = "/cache",
			       .ringlab_args = "--repeat 3", .ringlab = "/guest/ringlab" };
	const char *want[] = { "/kp/vm-run.sh", "v3", "seed", "/o/run.json", "--ringlab",
			       "/guest/ringlab", "--tcg-thread", "multi", "--timeout", "900",
			       "--cache", "/cache", "--ringlab-args", "--repeat 3", NULL };
	struct rl_err err = { "" };
	struct rl_vm_cmd c;
	int i, ret;

	unsetenv("RINGLAB_VM_TCG_THREAD");
	unsetenv("RINGLAB_BIN");
	unsetenv("RINGLAB_STATIC");

	/* The whole line of an untraced suite. */
	ret = rl_vm_cmd(&r, &c, &err);
	CHECK(ret == 0, "seed: %d %s", ret, err.msg);
	for (i = 0; !ret && want[i]; i++)
		CHECK(c.argv[i] && !strcmp(c.argv[i], want[i]), "argv[%d] '%s', expected '%s'", i,
		      c.argv[i] ? c.argv[i] : "(null)", want[i]);
	CHECK(ret || !c.argv[i], "argv[%d] '%s' after the last", i, c.argv[i]);
	CHECK(!c.traced && !strcmp(c.tcg_thread, "multi"), "seed: traced %d, %s", c.traced,
	      c.tcg_thread);

	/* Traced by the suite's "set", or by the workload itself: single-threaded. */
	CHECK(!strcmp(thread_for("nowait-fingerprint", &c), "single") && c.traced,
	      "nowait-fingerprint: %s", thread_for("nowait-fingerprint", &c));
	CHECK(!strcmp(thread_for("nw-holes-refused", &c), "single"), "nw-holes-refused: %s",
	      thread_for("nw-holes-refused", &c));
	CHECK(!strcmp(thread_for("aligned-mixed", &c), "multi") && !c.traced, "aligned-mixed: %s",
	      thread_for("aligned-mixed", &c));
	CHECK(!strcmp(after(&c, "--ringlab"), "/guest/ringlab"), "--ringlab %s", after(&c, "--ringlab"));

	/* The environment chooses for untraced suites only. */
	setenv("RINGLAB_VM_TCG_THREAD", "single", 1);
	CHECK(!strcmp(thread_for("aligned-mixed", &c), "single"), "env single, aligned-mixed: %s",
	      thread_for("aligned-mixed", &c));
	setenv("RINGLAB_VM_TCG_THREAD", "multi", 1);
	CHECK(!strcmp(thread_for("nowait-fingerprint", &c), "single"),
	      "env multi, nowait-fingerprint: %s", thread_for("nowait-fingerprint", &c));
	unsetenv("RINGLAB_VM_TCG_THREAD");

	/* A suite nobody has: refused, named. */
	r.suite = "no-such-suite";
	ret = rl_vm_cmd(&r, &c, &err);
	CHECK(ret == -ENOENT && strstr(err.msg, "no-such-suite"), "no-such-suite: %d %s", ret,
	      err.msg);
	return check_exit();
}
