/* SPDX-License-Identifier: MIT */
/* ringlab workloads | validate | schema: what workloads exist and whether files are valid. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine/suite.h"
#include "engine/workload_path.h"
#include "engine/workload.h"
#include "util/options.h"

enum { OPT_WORKLOADS = 256 };

static const struct rl_opt list_opts[] = {
	{ "workloads", OPT_WORKLOADS, "DIR", "look for workloads and suites in DIR first" },
	{ NULL, 0, NULL, NULL },
};

static const struct rl_opt no_opts[] = { { NULL, 0, NULL, NULL } };

static int take_dir(void *ctx, int key, const char *arg, struct rl_err *err)
{
	*(const char **)ctx = arg;
	return 0;
}

static void print_entry(void *ctx, const char *kind, const char *name, const char *desc)
{
	printf("%-8s %-32s %s\n", kind, name, desc);
}

int rl_cmd_workloads(int argc, char **argv)
{
	struct rl_workload_path wp;
	const char *extra = NULL;
	struct rl_err err = { "" };
	int help, first;

	first = rl_opts_parse(list_opts, argc, argv, take_dir, &extra, &help, &err);
	if (first < 0 || (!help && first != argc)) {
		fprintf(stderr, "ringlab workloads: %s\n", first < 0 ? err.msg : "takes no arguments");
		return RL_EXIT_USAGE;
	}
	if (help) {
		rl_opts_help(stdout, "ringlab workloads [--workloads DIR]",
			     "List the suites and workloads in the search path.", list_opts);
		return RL_EXIT_OK;
	}
	if (rl_catalog_list(rl_workload_path(&wp, extra), print_entry, NULL, &err) < 0) {
		fprintf(stderr, "ringlab workloads: %s\n", err.msg);
		return RL_EXIT_FAIL;
	}
	return RL_EXIT_OK;
}

int rl_cmd_validate(int argc, char **argv)
{
	struct rl_workload_path wp;
	const char *extra = NULL;
	struct rl_err err = { "" };
	int help, first, bad = 0;

	first = rl_opts_parse(list_opts, argc, argv, take_dir, &extra, &help, &err);
	if (first < 0 || (!help && first == argc)) {
		fprintf(stderr, "ringlab validate: %s\n", first < 0 ? err.msg : "name at least one file");
		return RL_EXIT_USAGE;
	}
	if (help) {
		rl_opts_help(stdout, "ringlab validate FILE...",
			     "Parse workload or suite files and report every error.", list_opts);
		return RL_EXIT_OK;
	}
	for (int i = first; i < argc; i++) {
		struct rl_suite s = { 0 };

		if (!strchr(argv[i], '/') && !strstr(argv[i], ".json")) {
			fprintf(stderr, "%s: not a file path (use ./%s)\n", argv[i], argv[i]);
			bad++;
			continue;
		}
		if (rl_suite_resolve(argv[i], rl_workload_path(&wp, extra), &s, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			bad++;
			continue;
		}
		printf("%s: ok (%s, %zu workload%s)\n", argv[i], s.name, s.nworkloads,
		       s.nworkloads == 1 ? "" : "s");
		rl_suite_free(&s);
	}
	return bad ? RL_EXIT_FAIL : RL_EXIT_OK;
}

int rl_cmd_schema(int argc, char **argv)
{
	struct rl_err err = { "" };
	int help, first;

	first = rl_opts_parse(no_opts, argc, argv, take_dir, NULL, &help, &err);
	if (first < 0 || (!help && first != argc)) {
		fprintf(stderr, "ringlab schema: %s\n", first < 0 ? err.msg : "takes no arguments");
		return RL_EXIT_USAGE;
	}
	if (help) {
		rl_opts_help(stdout, "ringlab schema", "Print the workload schema (workloads/README.md).",
			     no_opts);
		return RL_EXIT_OK;
	}
	rl_workload_schema_markdown(stdout);
	return RL_EXIT_OK;
}
