/* SPDX-License-Identifier: MIT */
/*
 * ringlab layout: build and FIEMAP-check a workload's file and leave it in
 * place, so another tool (fio, a reproducer) can run on exactly that layout.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine/layout.h"
#include "engine/pattern.h"
#include "engine/runner.h"
#include "engine/suite.h"
#include "engine/workload_path.h"
#include "util/options.h"

enum { OPT_WORKLOADS = 256 };

static const struct rl_opt layout_opts[] = {
	{ "dir", 'd', "PATH", "directory on a mounted ext4 filesystem (required)" },
	{ "jobs", 'j', "N", "lay out the regions of N jobs (default: the largest JOBS value)" },
	{ "scale", 's', "F", "multiply size_per_job by F (default 1)" },
	{ "workloads", OPT_WORKLOADS, "DIR", "look for workloads in DIR first" },
	{ NULL, 0, NULL, NULL },
};

struct layout_args {
	const char *dir, *workloads;
	uint32_t jobs;
	double scale;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct layout_args *a = ctx;

	switch (key) {
	case 'd': a->dir = arg; return 0;
	case 'j': return rl_opt_u32("jobs", arg, 1, 256, &a->jobs, err);
	case 's': return rl_opt_double("scale", arg, 1e-9, 1e6, &a->scale, err);
	case OPT_WORKLOADS: a->workloads = arg; return 0;
	}
	return -EINVAL;
}

static int build(const struct rl_workload *w, const struct layout_args *a)
{
	uint64_t spj = rl_stripes_per_job(w, a->scale);
	uint64_t nstripes = w->sharing == RL_SHARE_REGIONS ? spj * a->jobs : spj;
	struct rl_err err = { "" };
	char path[4096];
	uint32_t extents = 0;
	int fd, ret;

	rl_workload_file_path(path, sizeof(path), a->dir, w->name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "ringlab layout: %s: %s\n", path, strerror(errno));
		return RL_EXIT_FAIL;
	}
	ret = rl_layout_build(fd, w, nstripes, rl_pattern_key(w->seed, w->name), NULL, &err);
	if (!ret)
		ret = rl_layout_check(fd, w, nstripes, &extents, &err);
	close(fd);
	if (ret < 0) {
		unlink(path);
		fprintf(stderr, "ringlab layout: %s: %s\n", path, err.msg);
		return RL_EXIT_FAIL;
	}
	printf("%s: %llu stripes of %s (%u bytes), %llu jobs' regions, %u extents, FIEMAP ok\n", path,
	       (unsigned long long)nstripes, w->stripe, rl_workload_stripe_bytes(w),
	       (unsigned long long)(w->sharing == RL_SHARE_REGIONS ? a->jobs : 1), extents);
	return RL_EXIT_OK;
}

int rl_cmd_layout(int argc, char **argv)
{
	struct rl_workload_path wp;
	struct layout_args a = { .scale = 1.0 };
	struct rl_suite s = { 0 };
	struct rl_err err = { "" };
	int help, first, ret;

	first = rl_opts_parse(layout_opts, argc, argv, on_opt, &a, &help, &err);
	if (help) {
		rl_opts_help(stdout, "ringlab layout WORKLOAD --dir PATH [OPTIONS]",
			     "Build a workload's file, check it with FIEMAP and leave it for other tools.",
			     layout_opts);
		return RL_EXIT_OK;
	}
	if (first < 0 || first != argc - 1 || !a.dir) {
		fprintf(stderr, "ringlab layout: %s\n", first < 0 ? err.msg :
			!a.dir ? "--dir is required" : "name one workload");
		return RL_EXIT_USAGE;
	}
	if (rl_suite_resolve(argv[first], rl_workload_path(&wp, a.workloads), &s, &err) < 0) {
		fprintf(stderr, "ringlab layout: %s\n", err.msg);
		return RL_EXIT_USAGE;
	}
	if (s.nworkloads != 1) {
		fprintf(stderr, "ringlab layout: %s is a suite of %zu workloads: name one workload\n",
			argv[first], s.nworkloads);
		rl_suite_free(&s);
		return RL_EXIT_USAGE;
	}
	if (!a.jobs)
		a.jobs = rl_workload_max_jobs(&s.workloads[0]);
	ret = build(&s.workloads[0], &a);
	rl_suite_free(&s);
	return ret;
}
