/* SPDX-License-Identifier: MIT */
/*
 * ringlab compare names an -EAGAIN cause that appears or disappears between
 * base and head in the verdict line, even when the rate itself is the same,
 * and says nothing of causes when a side was not traced.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "compare/compare.h"
#include "compare/compare_text.h"

/* A run of 3 reps of "nw" at 1 job: @eagain of 100 refused, all with @cause (or untraced). */
static void make_run(struct rl_run *run, uint64_t eagain, int cause)
{
	struct rl_cell c;

	memset(run, 0, sizeof(*run));
	snprintf(run->suite, sizeof(run->suite), "nowait-fingerprint");
	run->scale = 1.0;
	run->status = RL_RUN_DONE;
	run->workloads = calloc(1, sizeof(*run->workloads));
	rl_workload_defaults(run->workloads);
	snprintf(run->workloads->name, sizeof(run->workloads->name), "nw");
	run->workloads->nowait = true;
	run->nworkloads = 1;
	for (uint32_t r = 1; r <= 3; r++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.workload, sizeof(c.workload), "nw");
		c.jobs = 1;
		c.rep = r;
		c.attempts = 100;
		c.eagain = eagain;
		c.ops = 100 - eagain;
		c.iops = 1000.0 + r;
		c.elapsed_s = 1.0;
		c.verify.status = RL_VERIFY_OK;
		if (cause >= 0) {
			c.causes.valid = true;
			c.causes.counts[cause] = eagain;
		}
		rl_run_add_cell(run, &c);
	}
}

/* The text of comparing @b with @h, in a malloc'ed string. */
static char *compare_text(const struct rl_run *b, const struct rl_run *h, char *cause, size_t len)
{
	struct rl_comparison c;
	struct rl_err err = { "" };
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (rl_compare_runs(&b, 1, &h, 1, NULL, &c, &err) < 0) {
		fprintf(stderr, "compare: %s\n", err.msg);
		return strdup("");
	}
	snprintf(cause, len, "%s", c.ncells ? c.cells[0].eagain_cause : "?");
	f = open_memstream(&buf, &size);
	rl_comparison_print_text(f, &c);
	fclose(f);
	rl_comparison_free(&c);
	return buf;
}

int main(void)
{
	struct rl_run base, head, same, untraced;
	char cause[256], *text;

	make_run(&base, 0, RL_CAUSE_ALLOC);
	make_run(&head, 100, RL_CAUSE_TIMESTAMP);
	text = compare_text(&base, &head, cause, sizeof(cause));
	CHECK(!strcmp(cause, "timestamp/privilege update"), "appeared: '%s'", cause);
	CHECK(strstr(text, "EAGAIN 0.0% \u2192 100.0%: timestamp/privilege update"),
	      "verdict line names the cause:\n%s", text);
	free(text);

	/* Same 100% on both sides, another cause: named, the old one gone. */
	make_run(&same, 100, RL_CAUSE_ALLOC);
	text = compare_text(&same, &head, cause, sizeof(cause));
	CHECK(!strcmp(cause, "timestamp/privilege update, allocation/unwritten gone"), "swap: '%s'",
	      cause);
	CHECK(strstr(text, "EAGAIN 100.0% \u2192 100.0%: timestamp/privilege update, "
			   "allocation/unwritten gone"), "an unchanged rate with a new cause:\n%s", text);
	free(text);

	make_run(&untraced, 0, -1);
	text = compare_text(&untraced, &head, cause, sizeof(cause));
	CHECK(cause[0] == '\0', "untraced base: '%s'", cause);
	CHECK(strstr(text, "eagain-changed") && strstr(text, "EAGAIN +100.0 points") &&
	      !strstr(text, "privilege"), "plain verdict without causes:\n%s", text);
	free(text);
	rl_run_free(&base);
	rl_run_free(&head);
	rl_run_free(&same);
	rl_run_free(&untraced);
	return check_exit();
}
