/* SPDX-License-Identifier: MIT */
/* ringlab run: a workload or suite on a target directory, table on stdout, JSON to a file. */
#include <cJSON.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine/result_json.h"
#include "engine/result_text.h"
#include "engine/runner.h"
#include "engine/suite.h"
#include "engine/workload_path.h"
#include "util/json.h"
#include "util/options.h"
#include "jobs_opt.h"
#include "progress.h"

enum { OPT_LABEL = 256, OPT_TAG, OPT_KEEP, OPT_WORKLOADS };

static const struct rl_opt run_opts[] = {
	{ "dir", 'd', "PATH", "target directory on a mounted ext4 filesystem (required but for --engine null)" },
	{ "jobs", 'j', "LIST", "JOBS sweep instead of the workloads', e.g. 1,2,4,8" },
	{ "scale", 's', "F", "multiply every size_per_job by F instead of the suite's scale" },
	{ "repeat", 'r', "N", "repetitions per cell instead of the workloads'" },
	{ "json", 'o', "FILE", "write the run as JSON to FILE ('-' for stdout, the table then on stderr)" },
	{ "engine", 'e', "NAME", "io_uring (default) or null (no storage: measures ringlab itself)" },
	{ "quiet", 'q', NULL, "no progress lines" },
	{ "label", OPT_LABEL, "TEXT", "free-form label stored with the run" },
	{ "kernel-tag", OPT_TAG, "NAME", "kernel variant tag stored with the run" },
	{ "keep-files", OPT_KEEP, NULL, "leave the workload files in the target directory" },
	{ "workloads", OPT_WORKLOADS, "DIR", "look for workloads and suites in DIR first" },
	{ NULL, 0, NULL, NULL },
};

struct run_args {
	struct rl_run_opts o;
	const char *json;
	const char *workloads;
	bool quiet;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct run_args *a = ctx;

	switch (key) {
	case 'd': a->o.dir = arg; return 0;
	case 'j': return rl_jobs_opt(arg, a->o.jobs, &a->o.njobs, err);
	case 's': return rl_opt_double("scale", arg, 1e-9, 1e6, &a->o.scale, err);
	case 'r': return rl_opt_u32("repeat", arg, 1, 1000, &a->o.repeat, err);
	case 'o': a->json = arg; return 0;
	case 'q': a->quiet = true; return 0;
	case 'e':
		a->o.engine = rl_engine_find(arg);
		return a->o.engine ? 0 : rl_err_set(err, -EINVAL,
				"option --engine: unknown engine '%s' (io_uring, null)", arg);
	case OPT_LABEL: a->o.label = arg; return 0;
	case OPT_TAG: a->o.kernel_tag = arg; return 0;
	case OPT_KEEP: a->o.keep_files = true; return 0;
	case OPT_WORKLOADS: a->workloads = arg; return 0;
	}
	return -EINVAL;
}

static atomic_bool cancel_requested;

static void on_signal(int sig)
{
	atomic_store(&cancel_requested, true);
	signal(sig, SIG_DFL);	/* a second ^C kills at once */
}

/*
 * The --json file, opened before the run: a directory that is not there or
 * a file that cannot be written is a bad command line, said at once, not
 * after an hour of measuring. Returns the stream (stdout for "-"), or NULL
 * with errno set.
 */
static FILE *open_json(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "we") : stdout;
}

/* @run into @f, which is closed (but stdout). Returns 0 or -errno. */
static int write_json(FILE *f, const struct rl_run *run)
{
	cJSON *j = rl_run_to_json(run);
	/* The _ns times as exact integers, as the API prints them: cJSON's 15 digits lose 256 ns. */
	char *text = rl_json_print_integers(j);
	int ret = text ? 0 : -ENOMEM;

	if (text && fprintf(f, "%s\n", text) < 0)
		ret = -errno;
	if (f == stdout ? fflush(f) != 0 : fclose(f) != 0)
		ret = ret ? ret : -errno;
	free(text);
	cJSON_Delete(j);
	return ret;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringlab run: %s\n", msg);
	return RL_EXIT_USAGE;
}

int rl_cmd_run(int argc, char **argv)
{
	struct rl_workload_path wp;
	struct run_args a = { .o.engine = &rl_engine_uring };
	struct rl_term_progress tp = { .out = stderr };
	struct rl_suite suite = { 0 };
	struct rl_run run;
	struct rl_err err = { "" };
	FILE *json;
	int help, first, ret;

	first = rl_opts_parse(run_opts, argc, argv, on_opt, &a, &help, &err);
	if (first < 0)
		return usage_error(err.msg);
	if (help) {
		rl_opts_help(stdout, "ringlab run WORKLOAD|SUITE|FILE --dir PATH [OPTIONS]",
			     "Lay out, run, verify and report a workload or suite.", run_opts);
		return RL_EXIT_OK;
	}
	if (first != argc - 1)
		return usage_error("name one workload, suite or file (see 'ringlab workloads')");
	if (!a.o.dir && a.o.engine != &rl_engine_null)
		return usage_error("the io_uring engine needs a target directory (--dir PATH; "
				   "--engine null needs none)");
	ret = rl_suite_resolve(argv[first], rl_workload_path(&wp, a.workloads), &suite, &err);
	if (ret < 0)
		return usage_error(err.msg);
	json = a.json ? open_json(a.json) : NULL;
	if (a.json && !json) {
		snprintf(err.msg, sizeof(err.msg), "option --json: %s: %s", a.json, strerror(errno));
		rl_suite_free(&suite);
		return usage_error(err.msg);
	}
	tp.tty = isatty(STDERR_FILENO);
	tp.quiet = a.quiet;
	a.o.hooks = rl_term_progress_hooks(&tp);
	a.o.cancel = &cancel_requested;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = rl_run_suite(&suite, &a.o, &run, &err);
	rl_term_progress_end(&tp);
	/* With --json - the JSON alone is stdout, so that it parses; the table goes to stderr. */
	if (run.ncells)
		rl_run_print_table(json == stdout ? stderr : stdout, &run);
	if (ret < 0 && ret != -ECANCELED)
		fprintf(stderr, "ringlab run: %s\n", err.msg);
	if (json) {
		int wret = write_json(json, &run);

		if (wret < 0) {
			fprintf(stderr, "ringlab run: writing %s: %s\n", a.json, strerror(-wret));
			ret = ret ? ret : wret;
		}
	}
	if (ret == -ECANCELED)
		fprintf(stderr, "ringlab run: cancelled; %zu cells kept\n", run.ncells);
	ret = ret == 0 && run.status == RL_RUN_DONE ? RL_EXIT_OK : RL_EXIT_FAIL;
	rl_run_free(&run);
	rl_suite_free(&suite);
	return ret;
}
