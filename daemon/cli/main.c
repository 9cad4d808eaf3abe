/* SPDX-License-Identifier: MIT */
/* ringlab: run io_uring DIO workloads on ext4 and report what the kernel did. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static const struct rl_cmd commands[] = {
	{ "run", rl_cmd_run, "run a workload or suite on a target directory" },
	{ "layout", rl_cmd_layout, "build and FIEMAP-check a workload's file and leave it in place" },
	{ "workloads", rl_cmd_workloads, "list the workloads and suites found" },
	{ "compare", rl_cmd_compare, "compare base and head runs: verdicts per cell, exit 1 on a regression" },
	{ "vm", rl_cmd_vm, "run a suite in a QEMU guest booting a kernel variant (vm run VARIANT SUITE)" },
	{ "submit", rl_cmd_submit, "ask ringlabd to run a suite or workload; print the run's id" },
	{ "list", rl_cmd_list, "list ringlabd's runs" },
	{ "show", rl_cmd_show, "print one of ringlabd's runs" },
	{ "cancel", rl_cmd_cancel, "abort one of ringlabd's queued or running runs" },
	{ "watch", rl_cmd_watch, "follow one of ringlabd's runs until it ends" },
	{ "series", rl_cmd_series, "a series from an mbox or patch files: its newest version, checked on a tree" },
	{ "nightly", rl_cmd_nightly, "every kernel variant x suite into ringlabd, compared with the base" },
	{ "validate", rl_cmd_validate, "check workload or suite files" },
	{ "schema", rl_cmd_schema, "print the workload schema as a markdown table" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ringlab COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (const struct rl_cmd *c = commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\n'ringlab COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return RL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return RL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ringlab %s\n", PACKAGE_VERSION);
		return RL_EXIT_OK;
	}
	for (const struct rl_cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "ringlab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RL_EXIT_USAGE;
}
