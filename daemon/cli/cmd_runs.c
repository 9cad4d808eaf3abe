/* SPDX-License-Identifier: MIT */
/* ringlab list | show ID: ringlabd's runs as text, a table of them or one in full. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/args.h"
#include "client/http.h"
#include "engine/result_json.h"
#include "engine/result_text.h"
#include "util/json.h"
#include "remote.h"

enum { OPT_LABEL = 256, OPT_KERNEL, OPT_STATUS, OPT_LIMIT, OPT_OFFSET, OPT_JSON, OPT_HOST,
       OPT_GROUP };

static const struct rl_opt list_opts[] = {
	{ "label", OPT_LABEL, "TEXT", "only runs with this label" },
	{ "kernel", OPT_KERNEL, "TAG", "only runs with this kernel tag" },
	{ "status", OPT_STATUS, "S", "only runs that are queued, running, done, failed or aborted" },
	{ "host", OPT_HOST, "NAME", "only runs made on this host (a guest run: its lab host)" },
	{ "group", OPT_GROUP, "host", "group the runs by host: ordered by host, a blank line between" },
	{ "limit", OPT_LIMIT, "N", "at most N runs (default 50, at most 1000)" },
	{ "offset", OPT_OFFSET, "N", "skip the N newest matching runs" },
	{ "json", OPT_JSON, NULL, "print the daemon's JSON answer" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

static const struct rl_opt show_opts[] = {
	{ "json", OPT_JSON, NULL, "print the run as the daemon's JSON (ringlab-run-1 plus its summary)" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

/* Both commands' options: each table lets through only its own. */
struct runs_args {
	const char *label, *kernel, *status, *host;
	uint32_t limit, offset;
	bool json, by_host;
};

static int parse_status(const char *arg, struct rl_err *err)
{
	int s;

	for (s = 0; s < RL_RUN_MAX; s++)
		if (!strcmp(arg, rl_run_status_name(s)))
			return 0;
	return rl_err_set(err, -EINVAL,
			  "option --status: '%s' is not one of queued, running, done, failed, aborted",
			  arg);
}

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct runs_args *a = ctx;

	switch (key) {
	case OPT_LABEL: a->label = arg; return 0;
	case OPT_KERNEL: a->kernel = arg; return 0;
	case OPT_STATUS: a->status = arg; return parse_status(arg, err);
	case OPT_LIMIT: return rl_opt_u32("limit", arg, 1, 1000, &a->limit, err);
	case OPT_OFFSET: return rl_opt_u32("offset", arg, 0, INT32_MAX, &a->offset, err);
	case OPT_JSON: a->json = true; return 0;
	case OPT_HOST: a->host = arg; return 0;
	case OPT_GROUP:
		a->by_host = true;
		return strcmp(arg, "host") ? rl_err_set(err, -EINVAL,
			"option --group: '%s' is not host (the only grouping)", arg) : 0;
	}
	return -EINVAL;
}

/* "2026-11-22T02:13:28.123456789Z" -> "2026-11-22 02:13:28" (UTC). */
static char *fmt_time(const char *iso, char *buf, size_t size)
{
	snprintf(buf, size, "%.19s", *iso ? iso : "-");
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

/* A text field as shown: "-" when absent or empty. */
static const char *or_dash(const char *s)
{
	return *s ? s : "-";
}

/* The kernel a run is known by: its tag, else the release it ran on. */
static const char *kernel_of(const cJSON *run)
{
	const char *k = rl_json_str(run, "kernel_tag", "");

	return or_dash(*k ? k : rl_json_str(run, "kernel_release", ""));
}

/* The _ns times as the integers the API sent, not cJSON's 1.7956410205273795e+18. */
static int print_json(cJSON *j)
{
	char *text = rl_json_print_integers(j);

	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	free(text);
	return 0;
}

/* --- list -------------------------------------------------------------------- */

enum { COL_ID, COL_STATUS, COL_WHAT, COL_TARGET, COL_HOST, COL_LABEL, COL_KERNEL, COL_CREATED,
       COL_DURATION, COL_CELLS, COL_FAILED, COL_MAX };

#define CELL_WIDTH_MAX 32

static const char *const col_titles[COL_MAX] = {
	"ID", "STATUS", "WHAT", "TARGET", "HOST", "LABEL", "KERNEL", "CREATED", "DURATION", "CELLS", "FAILED",
};

struct list_row {
	char f[COL_MAX][CELL_WIDTH_MAX + 1];
};

static void list_row_fill(const cJSON *run, struct list_row *r)
{
	double d;

	rl_remote_fmt_count(run, "id", r->f[COL_ID], sizeof(r->f[0]));
	snprintf(r->f[COL_STATUS], sizeof(r->f[0]), "%s", rl_json_str(run, "status", ""));
	snprintf(r->f[COL_WHAT], sizeof(r->f[0]), "%s", rl_json_str(run, "what", ""));
	snprintf(r->f[COL_TARGET], sizeof(r->f[0]), "%s", rl_json_str(run, "target", ""));
	snprintf(r->f[COL_HOST], sizeof(r->f[0]), "%s", or_dash(rl_json_str(run, "host", "")));
	snprintf(r->f[COL_LABEL], sizeof(r->f[0]), "%s", or_dash(rl_json_str(run, "label", "")));
	snprintf(r->f[COL_KERNEL], sizeof(r->f[0]), "%s", kernel_of(run));
	fmt_time(rl_json_str(run, "created", ""), r->f[COL_CREATED], sizeof(r->f[0]));
	if (rl_json_get_num(run, "duration_s", &d))
		rl_remote_fmt_duration(d, r->f[COL_DURATION], sizeof(r->f[0]));
	else
		snprintf(r->f[COL_DURATION], sizeof(r->f[0]), "-");
	rl_remote_fmt_count(run, "ncells", r->f[COL_CELLS], sizeof(r->f[0]));
	rl_remote_fmt_count(run, "failed_cells", r->f[COL_FAILED], sizeof(r->f[0]));
}

static void list_print_row(const char *const *f, const int *width)
{
	int c;

	/* The last column is not padded: no trailing blanks. */
	for (c = 0; c < COL_MAX - 1; c++)
		printf("%-*s  ", width[c], f[c]);
	printf("%s\n", f[COL_MAX - 1]);
}

static int list_print(const cJSON *runs, bool by_host)
{
	int n = cJSON_GetArraySize(runs), width[COL_MAX], i, c;
	struct list_row *rows = calloc((size_t)n + 1, sizeof(*rows));
	const char *f[COL_MAX];
	const cJSON *run;

	if (!rows)
		return -ENOMEM;
	for (c = 0; c < COL_MAX; c++)
		width[c] = (int)strlen(col_titles[c]);
	i = 0;
	cJSON_ArrayForEach(run, runs) {
		list_row_fill(run, &rows[i]);
		for (c = 0; c < COL_MAX; c++)
			if ((int)strlen(rows[i].f[c]) > width[c])
				width[c] = (int)strlen(rows[i].f[c]);
		i++;
	}
	list_print_row(col_titles, width);
	for (i = 0; i < n; i++) {
		/* Grouped: the server ordered by host; a blank line where the host changes. */
		if (by_host && i && strcmp(rows[i].f[COL_HOST], rows[i - 1].f[COL_HOST]))
			printf("\n");
		for (c = 0; c < COL_MAX; c++)
			f[c] = rows[i].f[c];
		list_print_row(f, width);
	}
	free(rows);
	return 0;
}

static int list_path(const struct runs_args *a, char *path, size_t size)
{
	char num[16];
	int ret;

	snprintf(path, size, "/api/v1/runs");
	ret = rl_client_query_add(path, size, "label", a->label);
	if (!ret)
		ret = rl_client_query_add(path, size, "kernel", a->kernel);
	if (!ret)
		ret = rl_client_query_add(path, size, "status", a->status);
	if (!ret)
		ret = rl_client_query_add(path, size, "host", a->host);
	if (!ret)
		ret = rl_client_query_add(path, size, "group", a->by_host ? "host" : NULL);
	if (!ret && a->limit) {
		snprintf(num, sizeof(num), "%" PRIu32, a->limit);
		ret = rl_client_query_add(path, size, "limit", num);
	}
	if (!ret && a->offset) {
		snprintf(num, sizeof(num), "%" PRIu32, a->offset);
		ret = rl_client_query_add(path, size, "offset", num);
	}
	return ret;
}

static int list(const struct rl_remote *r)
{
	const struct runs_args *a = r->opts;
	struct rl_err err = { "" };
	const cJSON *runs;
	cJSON *answer = NULL;
	char path[2048];
	double total = 0;
	int ret, n;

	if (list_path(a, path, sizeof(path)) < 0)
		return rl_remote_usage_error(r->cmd, "the filters are too long");
	ret = rl_client_get_json(&r->t, path, &answer, &err);
	if (ret < 0)
		return rl_remote_failed(r->cmd, ret, &err);
	runs = cJSON_GetObjectItemCaseSensitive(answer, "runs");
	if (a->json) {
		ret = print_json(answer);
	} else if (!cJSON_IsArray(runs)) {
		ret = rl_err_set(&err, -EPROTO, "%s%s: the answer has no runs array", r->t.url, path);
	} else {
		ret = list_print(runs, a->by_host);
		n = cJSON_GetArraySize(runs);
		if (!n)
			fprintf(stderr, "(no runs match)\n");
		if (!ret && rl_json_get_num(answer, "total", &total) && total > a->offset + (double)n)
			fprintf(stderr, "(%d of %.0f matching runs; --offset %.0f for more)\n", n, total,
				a->offset + (double)n);
	}
	cJSON_Delete(answer);
	if (ret == -ENOMEM)
		rl_err_set(&err, ret, "out of memory");
	return ret < 0 ? rl_remote_failed(r->cmd, ret, &err) : RL_EXIT_OK;
}

static const struct rl_remote_cmd list_cmd = {
	.name = "list",
	.usage = "ringlab list [OPTIONS]",
	.summary = "List the daemon's runs, newest first. HOST is the machine a run ran on (a\n"
		   "guest run's lab host); KERNEL is the run's kernel tag, or the release it ran\n"
		   "on when it has none; CREATED is UTC.",
	.opts = list_opts,
	.on_opt = on_opt,
	.operand = RL_REMOTE_NO_OPERAND,
	.run = list,
};

int rl_cmd_list(int argc, char **argv)
{
	struct runs_args a = { 0 };

	return rl_remote_main(&list_cmd, &a, argc, argv);
}

/* --- show -------------------------------------------------------------------- */

static void show_progress(const cJSON *p)
{
	char iops[32] = "";
	double v;

	if (rl_json_get_num(p, "live_iops", &v) && v > 0)
		snprintf(iops, sizeof(iops), ", %.0f IOPS", v);
	printf("progress: cell %.0f/%.0f, %s jobs=%.0f rep %.0f/%.0f %s %.0f%%, run %.0f%%%s\n",
	       rl_json_num(p, "cell", 0) + 1, rl_json_num(p, "ncells", 0),
	       rl_json_str(p, "workload", ""), rl_json_num(p, "jobs", 0),
	       rl_json_num(p, "rep", 0), rl_json_num(p, "reps", 0),
	       rl_json_str(p, "phase", ""), rl_json_num(p, "fraction", 0) * 100,
	       rl_json_num(p, "run_fraction", 0) * 100, iops);
}

/*
 * The machine a run ran on; a fleet run also the host and target it asked
 * for, which are all a queued one says of why it still waits.
 */
static void show_host(const cJSON *run)
{
	const cJSON *fleet = cJSON_GetObjectItemCaseSensitive(run, "fleet");
	const char *target;

	printf("host:     %s", or_dash(rl_json_str(run, "host", "")));
	if (cJSON_IsObject(fleet)) {
		target = rl_json_str(fleet, "target", "");
		printf(" (fleet run for host %s, target %s)", rl_json_str(fleet, "host", ""),
		       *target ? target : "any");
	}
	putchar('\n');
}

/* What the daemon knows beside the results: the lines above the run's table. */
static void show_meta(int64_t id, const cJSON *run)
{
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(run, "progress");
	char when[32], dur[32];
	double d;

	printf("id:       %" PRId64 "\n", id);
	printf("status:   %s\n", rl_json_str(run, "status", ""));
	printf("what:     %s on target %s\n", rl_json_str(run, "what", ""),
	       rl_json_str(run, "target", ""));
	show_host(run);
	printf("label:    %s\n", or_dash(rl_json_str(run, "label", "")));
	printf("kernel:   %s", or_dash(rl_json_str(run, "kernel_tag", "")));
	if (*rl_json_str(run, "kernel_release", ""))
		printf(" (release %s)", rl_json_str(run, "kernel_release", ""));
	printf("\ncreated:  %s UTC", fmt_time(rl_json_str(run, "created", ""), when, sizeof(when)));
	if (rl_json_get_num(run, "duration_s", &d))
		printf(", ran %s", rl_remote_fmt_duration(d, dur, sizeof(dur)));
	putchar('\n');
	if (*rl_json_str(run, "error", ""))
		printf("error:    %s\n", rl_json_str(run, "error", ""));
	if (cJSON_IsObject(progress))
		show_progress(progress);
}

static int show(const struct rl_remote *r)
{
	const struct runs_args *a = r->opts;
	struct rl_err err = { "" };
	struct rl_run run;
	cJSON *j = NULL;
	int ret;

	ret = rl_remote_get_run(&r->t, r->id, &j, &err);
	if (ret < 0)
		return rl_remote_failed(r->cmd, ret, &err);
	if (a->json) {
		ret = print_json(j);
		cJSON_Delete(j);
		return ret < 0 ? rl_remote_usage_error(r->cmd, "out of memory") : RL_EXIT_OK;
	}
	show_meta(r->id, j);
	/* A queued run has no environment or cells yet: its table would be empty. */
	if (!strcmp(rl_json_str(j, "status", ""), "queued")) {
		cJSON_Delete(j);
		return RL_EXIT_OK;
	}
	ret = rl_run_from_json(j, &run, &err);
	cJSON_Delete(j);
	if (ret < 0) {
		fprintf(stderr, "ringlab show: run %" PRId64 ": the results do not read back: %s\n",
			r->id, err.msg);
		return RL_EXIT_FAIL;
	}
	putchar('\n');
	rl_run_print_table(stdout, &run);
	rl_run_free(&run);
	return RL_EXIT_OK;
}

static const struct rl_remote_cmd show_cmd = {
	.name = "show",
	.usage = "ringlab show ID [OPTIONS]",
	.summary = "Print one of the daemon's runs: its status, label and kernel, then its\n"
		   "results as 'ringlab run' prints them.",
	.opts = show_opts,
	.on_opt = on_opt,
	.operand = RL_REMOTE_RUN_ID,
	.run = show,
};

int rl_cmd_show(int argc, char **argv)
{
	struct runs_args a = { 0 };

	return rl_remote_main(&show_cmd, &a, argc, argv);
}
